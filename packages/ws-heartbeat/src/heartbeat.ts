import {
  WebSocketError,
  WS_ERROR_CODES,
  type HeartbeatWebSocketConfig,
  type Timers,
  type Unsubscribe,
  type WebSocketClient,
  type WebSocketEvent,
  type WebSocketMessage,
} from '@composable-svelte/ws-types';
import {
  closeError,
  createHeartbeatEngine,
  createListenerSet,
  resolveHeartbeat,
  type RoundTripTime,
} from '@composable-svelte/ws-types/shared';

/** Default of `autoStart`: the application starts and stops the heartbeat, as in the guide. */
export const DEFAULT_AUTO_START = false;

/** The reason given to `markDead` when a pong is late, carried by the `disconnected` event. */
export const HEARTBEAT_TIMEOUT_REASON = 'Heartbeat timeout';

const systemTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
  now: () => Date.now(),
};

const ignore = (): void => undefined;
const NO_RTT: RoundTripTime = { latest: null, smoothed: null };

/** The client returned by {@link createHeartbeat}: the wrapped client plus the heartbeat's controls. */
export interface HeartbeatWebSocket<T> extends WebSocketClient<T> {
  /**
   * Starts the heartbeat (restarts it when running): the first ping goes out `interval` ms
   * from now. Does nothing when the config says `enabled: false`.
   */
  start(): void;
  /** Stops the heartbeat and cancels its timers. Calling it when stopped does nothing. */
  stop(): void;
  /** Whether a ping is scheduled or a pong awaited. Becomes `false` after a timeout. */
  readonly isRunning: boolean;
  /** Round-trip times of the ping/pong exchanges in ms (`latest` and `smoothed`), `null` before the first pong. */
  readonly rtt: RoundTripTime;
}

/**
 * Wraps any client (live, mock, spy, another decorator) with a ping/pong keep-alive: every
 * `interval` ms a ping is sent through `client.send` (so it follows the client's serializer),
 * and the pong must arrive within `timeout` ms. The next ping is scheduled from the pong, so a
 * throttled background tab never stacks pings. The logic is the engine that ws-core's
 * `heartbeat` option uses.
 *
 * When the pong is late: an `error` event with a `HEARTBEAT_TIMEOUT` `WebSocketError` goes
 * to the event subscribers of the returned client, then `client.markDead('Heartbeat timeout')`
 * drops the connection, whose `disconnected` event carries that reason, and the wrapped
 * client's reconnect policy applies. A pong timeout while the client is not connected only
 * stops the heartbeat: there is no connection left to declare dead.
 *
 * Pongs are consumed: subscribers of the returned client never see them. Subscribers of the
 * wrapped client itself still do, since a decorator cannot change what that client delivers.
 *
 * @param client - the client to keep alive.
 * @param config - heartbeat settings; every field optional, see {@link HeartbeatWebSocketConfig}.
 * @returns the client, decorated, with `start()`, `stop()`, `isRunning` and `rtt`.
 * @throws TypeError naming the option when `interval` or `timeout` is not a finite number >= 1.
 * @example
 * ```ts
 * const heartbeat = createHeartbeat(websocket, { interval: 30000, timeout: 5000, autoStart: true });
 * await heartbeat.connect('wss://api.example.com');
 * heartbeat.rtt.smoothed; // ms, once a pong came back
 * ```
 */
export function createHeartbeat<T>(client: WebSocketClient<T>, config: HeartbeatWebSocketConfig = {}): HeartbeatWebSocket<T> {
  // The decorator's own options are not heartbeat settings: keep them out of the engine's.
  const { autoStart = DEFAULT_AUTO_START, timers = systemTimers, ...settings } = config;
  const options = resolveHeartbeat(settings);
  const messages = createListenerSet<WebSocketMessage<T>>();
  const errors = createListenerSet<WebSocketEvent>();
  let detach: Unsubscribe | null = null;

  const connected = (): boolean => client.state.status === 'connected';

  const engine =
    options &&
    createHeartbeatEngine(
      options,
      timers,
      (ping) => {
        // A ping that cannot go out is no error of its own: the pong it never gets times out.
        if (!connected()) return;
        try {
          client.send(ping as T).catch(ignore);
        } catch {
          // Same as a rejection, for clients whose send throws instead.
        }
      },
      () => {
        sync();
        if (!connected()) return;
        errors.emit({
          type: 'error',
          error: new WebSocketError(`No pong within ${options.timeout} ms`, WS_ERROR_CODES.HEARTBEAT_TIMEOUT, true),
          timestamp: timers.now(),
        });
        client.markDead(HEARTBEAT_TIMEOUT_REASON);
      },
    );

  const received = (message: WebSocketMessage<T>): void => {
    if (!engine?.receive(message.data)) messages.emit(message);
  };

  /** Listens to the wrapped client only while someone needs its messages: a subscriber, or a running heartbeat. */
  const sync = (): void => {
    const wanted = messages.size > 0 || !!engine?.running;
    if (wanted && !detach) detach = client.subscribe(received);
    else if (!wanted && detach) {
      detach();
      detach = null;
    }
  };

  const start = (): void => {
    if (!engine) return;
    engine.start();
    sync();
  };

  const stop = (): void => {
    engine?.stop();
    sync();
  };

  if (engine && autoStart) {
    client.subscribeToEvents((event) => {
      if (event.type === 'connected') start();
      else if (
        event.type === 'disconnected' ||
        event.type === 'reconnecting' ||
        (event.type === 'error' && event.error.code === WS_ERROR_CODES.MAX_RECONNECTS)
      ) {
        stop();
      }
    });
    if (connected()) start();
  }

  return {
    start,
    stop,
    get isRunning() {
      return !!engine?.running;
    },
    get rtt() {
      return engine ? engine.rtt : NO_RTT;
    },
    connect: (url, protocols) => client.connect(url, protocols),
    disconnect(code, reason) {
      // The application's own close: no timer may outlive it. A call the client will reject
      // for its arguments changes nothing, the heartbeat included.
      if (!closeError(code ?? 1000, reason ?? '')) stop();
      return client.disconnect(code, reason);
    },
    send: (message) => client.send(message),
    subscribe(listener) {
      // Switched off, the heartbeat costs nothing per message.
      if (!engine) return client.subscribe(listener);
      const off = messages.add(listener);
      sync();
      return () => {
        off();
        sync();
      };
    },
    subscribeToEvents(listener) {
      if (!engine) return client.subscribeToEvents(listener);
      const off = client.subscribeToEvents(listener);
      const offErrors = errors.add(listener);
      return () => {
        off();
        offErrors();
      };
    },
    markDead(reason) {
      client.markDead(reason);
    },
    get state() {
      return client.state;
    },
    get stats() {
      return client.stats;
    },
  };
}
