import type { BrowserEnvironment } from './environment.js';
import type {
  CloseInfo,
  HeartbeatConfig,
  MessageSerializer,
  PartialOptions,
  RandomSource,
  Timers,
  WebSocketConstructor,
} from '@composable-svelte/ws-types';

/** Reconnection with exponential backoff, fully specified. See {@link ReconnectConfig}. */
export interface ReconnectOptions {
  /** Reconnect after a close the application did not ask for. */
  enabled: boolean;
  /** Attempts before giving up with status `failed` and a `MAX_RECONNECTS` error; `0` = no limit. */
  maxAttempts: number;
  /** Delay before the first attempt, in ms. */
  initialDelay: number;
  /** Upper bound of the nominal delay, in ms. */
  maxDelay: number;
  /** Growth of the delay per attempt: attempt k waits `min(initialDelay * backoffMultiplier^(k-1), maxDelay)`. */
  backoffMultiplier: number;
  /** Multiply each delay by a uniform factor in [0.7, 1.3], so clients do not return all at once. */
  jitter: boolean;
  /** Decides per close whether to reconnect; called only for closes the application did not ask for. */
  shouldReconnect: (close: CloseInfo) => boolean;
  /**
   * How long a connection must stay open before the attempt counter resets, in ms, so that a
   * server that accepts and drops at once cannot cause a tight reconnect loop.
   */
  minUptime: number;
}

/**
 * Reconnection settings as given by the user: every field optional. Giving this object turns
 * reconnection on unless it says `enabled: false`.
 */
export type ReconnectConfig = PartialOptions<ReconnectOptions>;

/** Configuration of `createLiveWebSocket` (ws-core). Every field is optional. */
export interface LiveWebSocketConfig {
  /** Reconnection; off when absent. @defaultValue {@link DEFAULT_RECONNECT} */
  reconnect?: ReconnectConfig | undefined;
  /** Built-in heartbeat; off when absent. @defaultValue `DEFAULT_HEARTBEAT` */
  heartbeat?: HeartbeatConfig | undefined;
  /** How messages become frames. @defaultValue `JSONSerializer` */
  serializer?: MessageSerializer | undefined;
  /** Time allowed for the socket to open, in ms. @defaultValue `10000` */
  connectionTimeout?: number | undefined;
  /**
   * Sends made while the client is reconnecting are held, up to this many, and sent in order
   * once connected again; `0` rejects them with `SEND_FAILED`. @defaultValue `0`
   */
  queueSize?: number | undefined;
  /** The `WebSocket` constructor; pass `ws`'s in Node 20. @defaultValue `globalThis.WebSocket` at connect time */
  WebSocket?: WebSocketConstructor | undefined;
  /** Timers and clock. @defaultValue the platform's `setTimeout`, `clearTimeout` and `Date.now` */
  timers?: Timers | undefined;
  /** Randomness for jitter: a number in [0, 1). One that throws or gives anything else is reported (`CALLBACK_FAILED`) and 0.5 is used. @defaultValue `Math.random` */
  random?: RandomSource | undefined;
  /**
   * The browser's lifecycle: with one, reconnection waits while offline, tries at once when
   * the network comes back, the page becomes visible or resumes, and a frozen page closes
   * its socket itself and reconnects on resume (README, "Browsers"). Pass
   * `browserEnvironment()` from `@composable-svelte/ws-core/browser` in a browser; `null`
   * or nothing leaves the lifecycle out, as in Node. Subscribed on `connect()`.
   * @defaultValue none
   */
  environment?: BrowserEnvironment | null | undefined;
}

