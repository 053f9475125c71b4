import type { CloseInfo, RandomSource, Timers, WebSocketConstructor } from './platform.js';
import type { WebSocketMessage } from './client.js';
import type { WebSocketError } from './errors.js';
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

/**
 * Configuration of `createHeartbeat` (ws-heartbeat): the {@link HeartbeatConfig} fields plus
 * what only a decorator needs. Every field is optional; giving the object turns the heartbeat
 * on unless it says `enabled: false` (then `start()` does nothing).
 */
export interface HeartbeatWebSocketConfig extends HeartbeatConfig {
  /**
   * Start on every `connected` event of the wrapped client (and at once if it is already
   * connected), stop when it reports the connection gone (`disconnected`, `reconnecting`, or
   * the `MAX_RECONNECTS` error of a client that gave up). Off, the application calls
   * `start()` and `stop()` itself, as the guide does. @defaultValue `false`
   */
  autoStart?: boolean | undefined;
  /** Timers and clock for pings, timeouts and round-trip times. @defaultValue the platform's `setTimeout`, `clearTimeout` and `Date.now` */
  timers?: Timers | undefined;
}

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

/**
 * What `createQueuedWebSocket` (ws-queue) does with a send when the queue is full:
 * `'oldest'` drops the oldest queued message to make room, `'newest'` drops the new message
 * (its `send()` still resolves), `'reject'` refuses it: its `send()` rejects with
 * `SEND_FAILED`. Every drop is reported to `onDrop` and as an `error` event.
 */
export type DropStrategy = 'oldest' | 'newest' | 'reject';

/**
 * Why a message left the queue without being delivered: `'overflow'` (the queue was full,
 * see {@link DropStrategy}), `'expired'` (older than `ttl`), `'cleared'` (`queue.clear()`),
 * `'invalid'` (the wrapped client refused it with an error that is not recoverable, such as
 * `INVALID_MESSAGE` from a serializer that cannot encode it, so retrying could never succeed).
 */
export type DropReason = 'overflow' | 'expired' | 'cleared' | 'invalid';

/**
 * Acknowledged delivery (at-least-once): each message that went out is held until a received
 * message acknowledges its id, and held messages are sent again, in order, after a reconnect.
 * The server must deduplicate by id.
 */
export interface AckOptions<T> {
  /** The id of an outgoing message, unique among the messages not yet acknowledged. Called once per message. */
  id: (message: T) => string;
  /**
   * The id a received message acknowledges, or `undefined` if it is no acknowledgement.
   * Called for every received message; acknowledgements still reach subscribers.
   */
  ackOf: (data: T) => string | undefined;
}

/**
 * Configuration of `createQueuedWebSocket` (ws-queue), as given by the user: every field
 * optional (a plain number given instead means `maxSize`). Defaults: `DEFAULT_QUEUE` of ws-queue.
 */
export interface QueueConfig<T> {
  /**
   * The most messages held: queued ones, plus sent ones awaiting acknowledgement with `ack`.
   * A positive integer. @defaultValue `100`
   */
  maxSize?: number | undefined;
  /** What happens to a send when the queue is full. @defaultValue `'oldest'` */
  dropStrategy?: DropStrategy | undefined;
  /**
   * Time-to-live of a message, in ms from its `send()`: one not delivered by then (handed to
   * the client or, with `ack`, acknowledged) is dropped with reason `'expired'`; `0` = forever.
   * @defaultValue `0`
   */
  ttl?: number | undefined;
  /** Called for every message dropped without being delivered, with the reason. */
  onDrop?: ((message: T, reason: DropReason) => void) | undefined;
  /** Acknowledged delivery (at-least-once); off when absent. */
  ack?: AckOptions<T> | undefined;
  /**
   * The clock for `ttl` and the timestamps of `error` events (only `now` is used: expiry is
   * checked when needed, never by a timer). @defaultValue `Date.now`
   */
  timers?: Pick<Timers, 'now'> | undefined;
}

/** Gives the channel of a message, or `undefined`/`null` when it has none. */
export type ChannelExtractor<T> = (message: T) => string | undefined | null;

/**
 * Optional behaviour of `createChannelRouter` and `createChannelWebSocket` (ws-router).
 */
export interface RouterConfig<T> {
  /**
   * Receives every message no channel listener took: the extractor gave no channel
   * (`channel` is `undefined`), or a channel without listeners. Giving it keeps the router
   * subscribed to the client even while no channel has a listener. @defaultValue none: such
   * messages are left to the client's other subscribers
   */
  fallback?: ((message: WebSocketMessage<T>, channel: string | undefined) => void) | undefined;
  /**
   * The message to send when a channel gains its first listener, and again for every active
   * channel after each `connected` event (so server-side subscriptions survive reconnection).
   * @defaultValue none: nothing is sent
   */
  join?: ((channel: string) => T) | undefined;
  /**
   * The message to send when a channel loses its last listener while connected (a lost
   * connection has already ended the server-side subscription). @defaultValue none: nothing is sent
   */
  leave?: ((channel: string) => T) | undefined;
  /**
   * Receives every failure of the router: an extractor that threw (`INVALID_MESSAGE`, with the
   * thrown value as `cause`; the message is dropped), a `join`/`leave` function that threw or
   * whose send was rejected (the rejection, or `SEND_FAILED`). `createChannelWebSocket` also
   * emits each failure as an `error` event to its event subscribers. @defaultValue
   * `console.error` (for `createChannelWebSocket`: only when no event subscriber heard it)
   */
  onError?: ((error: WebSocketError) => void) | undefined;
}

/** Configuration of `createChannelWebSocket` (ws-router): the router's, plus the clock of its `error` events. */
export interface ChannelWebSocketConfig<T> extends RouterConfig<T> {
  /** The clock that timestamps the router's `error` events (only `now` is used). @defaultValue `Date.now` */
  timers?: Pick<Timers, 'now'> | undefined;
}
