import type { CloseInfo, RandomSource, Timers, WebSocketConstructor } from './platform.js';
import type { MessageSerializer } from './serializer.js';

/** Input types accept `undefined` for every optional field, so spreading partial configs works. */
type Partialize<O> = { [K in keyof O]?: O[K] | undefined };

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
export type ReconnectConfig = Partialize<ReconnectOptions>;

/** Keep-alive by ping and pong messages, fully specified. See {@link HeartbeatConfig}. */
export interface HeartbeatOptions {
  /** Run the heartbeat at all. */
  enabled: boolean;
  /** Time between pings, in ms. */
  interval: number;
  /** How long to wait for the pong, in ms, before declaring the connection dead. */
  timeout: number;
  /** The ping sent through the client's serializer; a function is called for each ping (fresh timestamps). */
  pingMessage: unknown;
  /**
   * The pong expected. A string or number matches an equal message; an object matches any
   * message object with the same keys where strings, booleans and `null` are equal and numbers
   * are numbers (so a `timestamp` field may differ).
   */
  pongMessage: unknown;
  /** Replaces the `pongMessage` match: returns whether a received message is the pong. */
  isPong: ((data: unknown) => boolean) | null;
}

/**
 * Heartbeat settings as given by the user: every field optional. Giving this object turns the
 * heartbeat on unless it says `enabled: false`.
 */
export type HeartbeatConfig = Partialize<HeartbeatOptions>;

/** Configuration of `createLiveWebSocket` (ws-core). Every field is optional. */
export interface LiveWebSocketConfig {
  /** Reconnection; off when absent. @defaultValue `DEFAULT_RECONNECT` of ws-core */
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
  /** Randomness for jitter. @defaultValue `Math.random` */
  random?: RandomSource | undefined;
}

/** What `createQueuedWebSocket` does with a send when the queue is full. */
export type DropStrategy = 'oldest' | 'newest' | 'reject';

/** Why a queued message left the queue without being sent. */
export type DropReason = 'overflow' | 'expired' | 'cleared';

/** Acknowledged delivery: sent messages are held until the server acknowledges their id. */
export interface AckOptions<T> {
  /** The id of an outgoing message. */
  id: (message: T) => string;
  /** The id a received message acknowledges, or `undefined` if it is no acknowledgement. */
  ackOf: (data: unknown) => string | undefined;
}

/** Configuration of `createQueuedWebSocket` (ws-queue), as given by the user. */
export interface QueueConfig<T> {
  /** The most messages held. @defaultValue `100` */
  maxSize?: number | undefined;
  /** What happens to a send when full. @defaultValue `'oldest'` */
  dropStrategy?: DropStrategy | undefined;
  /** Time-to-live of a queued message, in ms; `0` = forever. @defaultValue `0` */
  ttl?: number | undefined;
  /** Called for every message dropped without being sent. */
  onDrop?: ((message: T, reason: DropReason) => void) | undefined;
  /** Acknowledged delivery (at-least-once); off when absent. */
  ack?: AckOptions<T> | undefined;
  /** Timers and clock for `ttl`. @defaultValue the platform's `setTimeout`, `clearTimeout` and `Date.now` */
  timers?: Timers | undefined;
}

/** Gives the channel of a message, or `undefined`/`null` when it has none. */
export type ChannelExtractor<T> = (message: T) => string | undefined | null;

/** Optional behaviour of `createChannelRouter` (ws-router). */
export interface RouterConfig<T> {
  /** Receives messages no channel listener took: no channel, or a channel without listeners. */
  fallback?: ((data: T, channel: string | undefined) => void) | undefined;
  /** The message to send when a channel gains its first listener (and again after each reconnect). */
  join?: ((channel: string) => T) | undefined;
  /** The message to send when a channel loses its last listener. */
  leave?: ((channel: string) => T) | undefined;
}
