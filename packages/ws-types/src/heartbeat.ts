import type { HeartbeatConfig, HeartbeatOptions } from './config.js';
import type { TimerHandle, Timers } from './platform.js';

/** Defaults of {@link HeartbeatOptions} (the heartbeat itself is off until configured). */
export const DEFAULT_HEARTBEAT: Readonly<HeartbeatOptions> = {
  enabled: false,
  interval: 30_000,
  timeout: 5000,
  pingMessage: 'PING',
  pongMessage: 'PONG',
  isPong: null,
};

/**
 * Throws a `TypeError` naming the option unless `value` is a finite number of at least `min`
 * (and an integer when `integer` is set). Returns the value.
 */
export function checkNumber(name: string, value: number, min: number, integer?: boolean): number {
  if (typeof value !== 'number' || !(value >= min) || value === Infinity || (integer && !Number.isInteger(value))) {
    throw new TypeError(`${name} must be ${integer ? 'an integer' : 'a finite number'} >= ${min}, got ${String(value)}`);
  }
  return value;
}

/**
 * Completes a user's heartbeat config with the defaults and checks it. Returns `null` when the
 * heartbeat is off: no config, or `enabled: false`. Giving a config turns it on.
 */
export function resolveHeartbeat(config: HeartbeatConfig | undefined): HeartbeatOptions | null {
  if (!config || config.enabled === false) return null;
  const options = { ...DEFAULT_HEARTBEAT, enabled: true } as HeartbeatOptions & Record<string, unknown>;
  for (const [key, value] of Object.entries(config)) if (value !== undefined) options[key] = value;
  checkNumber('heartbeat.interval', options.interval, 1);
  checkNumber('heartbeat.timeout', options.timeout, 1);
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

/** Round-trip times of ping/pong exchanges, in ms; `null` before the first pong. */
export interface RoundTripTime {
  /** The last exchange. */
  readonly latest: number | null;
  /** Exponentially smoothed over the exchanges (weight 1/8 for the newest, as TCP does). */
  readonly smoothed: number | null;
}

/** The heartbeat logic shared by ws-core's `heartbeat` option and ws-heartbeat. */
export interface HeartbeatEngine {
  /** Schedules the first ping `interval` ms from now (restarts if running). */
  start(): void;
  /** Cancels every pending timer. */
  stop(): void;
  /**
   * Feed every received message. Returns whether it is the pong, in which case the pending
   * timeout is cleared, the round trip measured and the next ping scheduled.
   */
  receive(data: unknown): boolean;
  /** Whether pings are scheduled or awaited. */
  readonly running: boolean;
  /** Measured round-trip times. */
  readonly rtt: RoundTripTime;
}

/**
 * Creates the heartbeat loop: every `interval` ms a ping, then `timeout` ms to see the pong.
 * The next ping is scheduled from the pong, so a throttled background tab never stacks pings.
 *
 * @param send - sends a ping; `pingMessage` is called first when it is a function.
 * @param onTimeout - called once when a pong is late; the loop is stopped by then.
 */
export function createHeartbeatEngine(
  options: HeartbeatOptions,
  timers: Timers,
  send: (ping: unknown) => void,
  onTimeout: () => void,
): HeartbeatEngine {
  let timer: TimerHandle = undefined;
  let running = false;
  let sentAt = -1;
  let latest: number | null = null;
  let smoothed: number | null = null;
  const isPong = options.isPong ?? ((data: unknown) => matchesPong(options.pongMessage, data));

  const schedule = (): void => {
    sentAt = -1;
    timer = timers.setTimeout(ping, options.interval);
  };
  const ping = (): void => {
    sentAt = timers.now();
    timer = timers.setTimeout(() => {
      running = false;
      onTimeout();
    }, options.timeout);
    const message = options.pingMessage;
    send(typeof message === 'function' ? (message as () => unknown)() : message);
  };
  const stop = (): void => {
    running = false;
    timers.clearTimeout(timer);
  };

  return {
    start() {
      stop();
      running = true;
      schedule();
    },
    stop,
    receive(data) {
      if (!isPong(data)) return false;
      if (running && sentAt >= 0) {
        latest = timers.now() - sentAt;
        smoothed = smoothed === null ? latest : smoothed + (latest - smoothed) / 8;
        timers.clearTimeout(timer);
        schedule();
      }
      return true;
    },
    get running() {
      return running;
    },
    get rtt() {
      return { latest, smoothed };
    },
  };
}
