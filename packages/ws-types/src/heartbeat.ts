import { WebSocketError, WS_ERROR_CODES } from './errors.js';
import type { HeartbeatConfig, HeartbeatOptions } from './config.js';
import type { TimerHandle, Timers } from './platform.js';
import type { RoundTripTime } from './connection.js';
import { callbackFailed } from './callbacks.js';
import { DEFAULT_HEARTBEAT, HEARTBEAT_TIMEOUT_REASON } from './heartbeat-defaults.js';
import { checkNumber, withDefaults } from './options.js';

/**
 * Completes a user's heartbeat config with the defaults and checks it. Returns `null` when the
 * heartbeat is off: no config, or `enabled: false`. Giving a config turns it on.
 */
export function resolveHeartbeat(config: HeartbeatConfig | undefined): HeartbeatOptions | null {
  if (!config || config.enabled === false) return null;
  const options = withDefaults({ ...DEFAULT_HEARTBEAT, enabled: true }, config);
  checkNumber('heartbeat.interval', options.interval, 1);
  checkNumber('heartbeat.timeout', options.timeout, 1);
  if (options.isPong !== null && typeof options.isPong !== 'function') throw new TypeError('heartbeat.isPong must be a function');
  return options;
}

/**
 * Whether `data` matches the pong `pattern`: equal for strings, numbers and other primitives;
 * for objects, every key of the pattern is present, with equal strings, booleans and `null`,
 * any number where the pattern has a number (timestamps differ), and nested objects matched
 * the same way.
 */
export function matchesPong(pattern: unknown, data: unknown): boolean {
  if (typeof pattern !== 'object' || pattern === null) return pattern === data;
  if (typeof data !== 'object' || data === null) return false;
  const expected = pattern as Record<string, unknown>;
  const actual = data as Record<string, unknown>;
  // for...in allocates nothing: this runs for every received message while a heartbeat is on.
  for (const key in expected) {
    if (!Object.hasOwn(expected, key)) continue;
    const want = expected[key];
    if (typeof want === 'number' ? typeof actual[key] !== 'number' : !matchesPong(want, actual[key])) return false;
  }
  return true;
}

/** What a heartbeat needs from the client it keeps alive. */
export interface HeartbeatHost {
  /** Whether the client is connected now: pings go out, and timeouts count, only then. */
  connected(): boolean;
  /**
   * Sends a ping. A failed send is the client's to report (every client reports its failed
   * sends as an `error` event); the heartbeat only ignores the rejection, and the pong that
   * never comes times out.
   */
  send(ping: unknown): Promise<void> | void;
  /** Reports an error of the heartbeat's own: a late pong, a throwing `isPong` or `pingMessage`. */
  report(error: WebSocketError): void;
  /** Declares the connection dead (`markDead`). */
  markDead(reason: string): void;
  /** Called when the loop stops by itself (a late pong), before anything is reported. */
  stopped?(): void;
}

const ignore = (): void => undefined;

/**
 * The heartbeat loop shared by ws-core's `heartbeat` option and ws-heartbeat: every `interval`
 * ms a ping, then `timeout` ms to see the pong. The next ping is scheduled from the pong, so a
 * throttled background tab never stacks pings.
 *
 * Deadlines are measured against the clock (`timers.now()`), not by counting timer callbacks,
 * so throttled or suspended timers can neither fake a timeout nor hide one: the pong's
 * deadline runs from the moment the ping is actually sent (a late ping timer only delays the
 * ping); a pong timer that fires before `timeout` ms have passed on the clock waits for the
 * rest; and {@link HeartbeatEngine.check} declares an overdue pong at once, whenever the timer
 * would fire (a page made visible again, the network back).
 *
 * When the pong is late while connected: a `HEARTBEAT_TIMEOUT` error (`No pong within N ms`),
 * then `markDead(HEARTBEAT_TIMEOUT_REASON)`. An `isPong` that throws counts as "not the pong"
 * and a `pingMessage` function that throws skips that ping (no timeout is armed for it); both
 * are reported as `CALLBACK_FAILED`.
 */
export class HeartbeatEngine {
  private timer: TimerHandle = undefined;
  private sentAt = -1;
  // When the page was hidden, -1 while visible (see hidden() and visible()).
  private hiddenAt = -1;
  private on = false;
  private latest: number | null = null;
  private smoothed: number | null = null;

  constructor(
    private readonly options: HeartbeatOptions,
    private readonly timers: Timers,
    private readonly host: HeartbeatHost,
  ) {}

  /** Whether pings are scheduled or awaited. */
  get running(): boolean {
    return this.on;
  }

  /** Measured round-trip times (a fresh object per read). */
  get rtt(): RoundTripTime {
    return { latest: this.latest, smoothed: this.smoothed };
  }

  /** Schedules the first ping `interval` ms from now (restarts if running). */
  start(): void {
    this.stop();
    this.on = true;
    this.schedule();
  }

  /** Cancels every pending timer. */
  stop(): void {
    this.on = false;
    this.clear();
  }

  /**
   * Checks the connection now, by the clock. While a pong is awaited: when `timeout` ms or more
   * have passed since its ping, the connection is declared dead at once (as when the timeout
   * fires); otherwise its timeout keeps running. Otherwise, when `idle` is at least `interval`,
   * a ping goes out now and its timeout is armed; the loop then goes on from its pong. Does
   * nothing when the heartbeat is not running.
   *
   * @param idle - how long the connection went unobserved, in ms (a page hidden that long).
   * @defaultValue `Infinity`: always ping (the network just changed).
   */
  /** The page was hidden: {@link visible} measures from the first call since the page was last visible. */
  hidden(): void {
    if (this.hiddenAt < 0) this.hiddenAt = this.timers.now();
  }

  /** The page is visible again: {@link check} with the time it was hidden (0 when not known hidden). */
  visible(): void {
    const idle = this.hiddenAt < 0 ? 0 : this.timers.now() - this.hiddenAt;
    this.hiddenAt = -1;
    this.check(idle);
  }

  check(idle = Infinity): void {
    if (!this.on) return;
    if (this.sentAt < 0) {
      if (idle < this.options.interval) return;
      this.clear();
      this.ping();
    } else if (this.timers.now() - this.sentAt >= this.options.timeout) {
      this.clear();
      this.late();
    }
  }

  /**
   * Feed every received message. Returns whether it is the pong, in which case the pending
   * timeout is cleared, the round trip measured and the next ping scheduled.
   */
  receive(data: unknown): boolean {
    const { isPong, pongMessage } = this.options;
    let pong: boolean;
    try {
      pong = isPong ? isPong(data) === true : matchesPong(pongMessage, data);
    } catch (cause) {
      this.host.report(callbackFailed('heartbeat.isPong', cause));
      return false;
    }
    if (pong && this.on && this.sentAt >= 0) {
      const latest = (this.latest = this.timers.now() - this.sentAt);
      this.smoothed = this.smoothed === null ? latest : this.smoothed + (latest - this.smoothed) / 8;
      this.clear();
      this.schedule();
    }
    return pong;
  }

  private clear(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    this.sentAt = -1;
    this.timer = this.timers.setTimeout(() => this.ping(), this.options.interval);
  }

  private ping(): void {
    this.timer = undefined;
    const { pingMessage, timeout } = this.options;
    let ping = pingMessage;
    try {
      if (typeof pingMessage === 'function') ping = (pingMessage as () => unknown)();
    } catch (cause) {
      this.host.report(callbackFailed('heartbeat.pingMessage', cause));
      // Unless the report stopped (or restarted) the heartbeat meanwhile.
      if (this.on && this.timer === undefined) this.schedule();
      return;
    }
    // Not connected: nothing to ping and no pong to wait for, so the loop ends here (a
    // connection opening meanwhile must not be declared dead for a ping it never saw).
    if (!this.host.connected()) {
      this.on = false;
      this.host.stopped?.();
      return;
    }
    this.sentAt = this.timers.now();
    this.expire(timeout);
    try {
      void this.host.send(ping)?.catch(ignore);
    } catch {
      // A client whose send throws instead of rejecting: the same as a rejection.
    }
  }

  /** Arms the pong timeout to fire in `ms`; when it fires early by the clock, it waits for the rest. */
  private expire(ms: number): void {
    this.timer = this.timers.setTimeout(() => {
      const rest = this.sentAt + this.options.timeout - this.timers.now();
      // Waits again only while the clock moves forward: a clock that stood still or went back
      // cannot overrule the timer.
      if (rest > 0 && rest < ms) this.expire(rest);
      else this.late();
    }, ms);
  }

  private late(): void {
    this.timer = undefined;
    this.on = false;
    this.host.stopped?.();
    if (!this.host.connected()) return;
    this.host.report(new WebSocketError(`No pong within ${this.options.timeout} ms`, WS_ERROR_CODES.HEARTBEAT_TIMEOUT, true));
    this.host.markDead(HEARTBEAT_TIMEOUT_REASON);
  }
}
