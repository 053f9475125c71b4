import {
  WS_ERROR_CODES,
  type BrowserEnvironment,
  type MessageListener,
  type RoundTripTime,
  type SymbolDisposable,
  type Unsubscribe,
  type WebSocketClient,
  type WebSocketEvent,
  type WebSocketMessage,
} from '@composable-svelte/ws-types';
import {
  ForwardingClient,
  HeartbeatEngine,
  closeError,
  hold,
  type HeartbeatHost,
  resolveHeartbeat,
  systemTimers,
} from '@composable-svelte/ws-types/internal';
import type { HeartbeatWebSocketConfig } from './config.js';

/** Default of `autoStart`: the application starts and stops the heartbeat, as in the guide. */
export const DEFAULT_AUTO_START = false;

const NO_RTT: RoundTripTime = { latest: null, smoothed: null };

/** The client returned by {@link createHeartbeat}: the wrapped client plus the heartbeat's controls. */
export interface HeartbeatWebSocket<In, Out = In> extends WebSocketClient<In, Out>, SymbolDisposable {
  /**
   * Starts the heartbeat (restarts it when running): the first ping goes out `interval` ms
   * from now. Does nothing when the config says `enabled: false`, or after `dispose()`.
   */
  start(): void;
  /** Stops the heartbeat and cancels its timers. Calling it when stopped does nothing. */
  stop(): void;
  /** Whether a ping is scheduled or a pong awaited. Becomes `false` after a timeout. */
  readonly isRunning: boolean;
  /** Round-trip times of the ping/pong exchanges in ms (`latest` and `smoothed`), `null` before the first pong. */
  readonly rtt: RoundTripTime;
  /** Stops the heartbeat and releases every subscription on the wrapped client; `start()` does nothing afterwards. */
  dispose(): void;
}

class Heartbeat<In, Out> extends ForwardingClient<In, Out> implements HeartbeatWebSocket<In, Out> {
  private readonly engine: HeartbeatEngine | null;
  private readonly auto: boolean;
  private readonly environment: BrowserEnvironment | null;
  private detach: Unsubscribe | null = null;

  constructor(client: WebSocketClient<In, Out>, config: HeartbeatWebSocketConfig) {
    // The decorator's own options are not heartbeat settings: keep them out of the engine's.
    const { autoStart = DEFAULT_AUTO_START, timers = systemTimers, environment = null, ...settings } = config;
    super(client, timers);
    this.environment = environment;
    const options = resolveHeartbeat(settings);
    this.auto = autoStart && options !== null;
    // The decorator is the engine's host: its own send, markDead and report are what the
    // engine needs, and connected() and stopped() below complete it, with no object or
    // closures per heartbeat.
    this.engine = options && new HeartbeatEngine(options, timers, this as unknown as HeartbeatHost);
    const status = this.innerStatus();
    // Over a client already in use, autoStart follows it from now on.
    this.engaged = this.auto && status !== 'disconnected' && status !== 'failed';
    if (this.auto && status === 'connected') this.start();
    else this.sync();
  }

  /** For the engine (HeartbeatHost): pings go out, and timeouts count, only while connected. */
  private connected(): boolean {
    return this.innerStatus() === 'connected';
  }

  /** For the engine (HeartbeatHost): the loop stopped by itself (a late pong). */
  private stopped(): void {
    this.sync();
  }

  get isRunning(): boolean {
    return !!this.engine?.running;
  }

  get rtt(): RoundTripTime {
    return this.engine ? this.engine.rtt : NO_RTT;
  }

  start(): void {
    if (!this.engine || this.disposed) return;
    if (this.auto) this.engaged = true;
    this.engine.start();
    this.sync();
  }

  stop(): void {
    this.engine?.stop();
    this.sync();
  }

  override disconnect(code?: number, reason?: string): Promise<void> {
    // The application's own close: no timer may outlive it. A call the client will reject
    // for its arguments changes nothing, the heartbeat included.
    if (!closeError(code ?? 1000, reason ?? '')) this.stop();
    return super.disconnect(code, reason);
  }

  override subscribe(listener: MessageListener<In>): Unsubscribe {
    // Switched off, the heartbeat costs nothing per message.
    return this.engine ? this.listen(listener) : super.subscribe(listener);
  }

  protected override onMessage(message: WebSocketMessage<In>): boolean {
    return !this.engine?.receive(message.data);
  }

  protected override onEvent(event: WebSocketEvent): void {
    if (!this.auto) return;
    if (event.type === 'connected') this.start();
    else if (
      event.type === 'disconnected' ||
      event.type === 'reconnecting' ||
      (event.type === 'error' && event.error.code === WS_ERROR_CODES.MAX_RECONNECTS)
    ) {
      this.stop();
    }
  }

  protected override sync(off = this.disposed): void {
    super.sync(off);
    // The page's lifecycle is heard only while the heartbeat runs.
    const environment = this.environment;
    if (environment) this.detach = hold(this.detach, !off && this.isRunning, () => this.watch(environment));
  }

  private watch(environment: BrowserEnvironment): Unsubscribe {
    const nothing = (): void => undefined;
    return environment.subscribe({
      offline: () => this.engine?.check(),
      hidden: () => this.engine?.hidden(),
      visible: () => this.engine?.visible(),
      // The live client reconnects; a heartbeat has nothing to do then.
      online: nothing,
      freeze: nothing,
      resume: nothing,
    });
  }

  protected override needsMessages(): boolean {
    return this.isRunning;
  }

  protected override needsEvents(): boolean {
    // With autoStart, a connection made through the heartbeat (or running) must be followed to its end.
    return this.auto && (this.engaged || this.isRunning);
  }

  protected override release(): void {
    this.engine?.stop();
  }
}

/**
 * Wraps any client (live, mock, spy, another decorator) with a ping/pong keep-alive: every
 * `interval` ms a ping is sent through `client.send` (so it follows the client's serializer),
 * and the pong must arrive within `timeout` ms. The next ping is scheduled from the pong, so a
 * throttled background tab never stacks pings. The logic is the engine that ws-core's
 * `heartbeat` option uses, with the same errors and the same reason.
 *
 * When the pong is late: an `error` event with a `HEARTBEAT_TIMEOUT` `WebSocketError` goes
 * to the event subscribers of the returned client (and counts in its `state.lastError` and
 * `stats.errors`), then `client.markDead(HEARTBEAT_TIMEOUT_REASON)` drops the connection, whose
 * `disconnected` event carries that reason, and the wrapped client's reconnect policy applies.
 * A pong timeout while the client is not connected only stops the heartbeat. A ping that
 * cannot be sent is reported by the wrapped client, as every failed send is.
 *
 * Pongs are consumed: subscribers of the returned client never see them. Subscribers of the
 * wrapped client itself still do, since a decorator cannot change what that client delivers.
 *
 * The heartbeat holds subscriptions on the wrapped client only while it runs or has
 * subscribers, and, with `autoStart`, from a `connect()` through it until the client is idle
 * again. `dispose()` stops it and releases everything.
 *
 * @param client - the client to keep alive.
 * @param config - heartbeat settings; every field optional, see {@link HeartbeatWebSocketConfig}.
 * @returns the client, decorated, with `start()`, `stop()`, `isRunning`, `rtt` and `dispose()`.
 * @throws TypeError naming the option when `interval` or `timeout` is not a finite number >= 1.
 * @example
 * ```ts
 * const heartbeat = createHeartbeat(websocket, { interval: 30000, timeout: 5000, autoStart: true });
 * await heartbeat.connect('wss://api.example.com');
 * heartbeat.rtt.smoothed; // ms, once a pong came back
 * ```
 */
export function createHeartbeat<In, Out = In>(client: WebSocketClient<In, Out>, config: HeartbeatWebSocketConfig = {}): HeartbeatWebSocket<In, Out> {
  return new Heartbeat(client, config);
}
