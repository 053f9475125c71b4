import type { Timers } from '@composable-svelte/ws-types';

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
 * `INVALID_MESSAGE` from a serializer that cannot encode it, so retrying could never succeed),
 * `'disposed'` (the queue's `dispose()`).
 */
export type DropReason = 'overflow' | 'expired' | 'cleared' | 'invalid' | 'disposed';

/**
 * Acknowledged delivery (at-least-once): each message that went out is held until a received
 * message acknowledges its id, and held messages are sent again, in order, after a reconnect.
 * The server must deduplicate by id.
 */
export interface AckOptions<In, Out = In> {
  /** The id of an outgoing message, unique among the messages not yet acknowledged. Called once per message. */
  id: (message: Out) => string;
  /**
   * The id a received message acknowledges, or `undefined` if it is no acknowledgement.
   * Called for every received message; acknowledgements still reach subscribers.
   */
  ackOf: (data: In) => string | undefined;
}

/**
 * Configuration of `createQueuedWebSocket` (ws-queue), as given by the user: every field
 * optional (a plain number given instead means `maxSize`). Defaults: `DEFAULT_QUEUE` of ws-queue.
 */
export interface QueueConfig<In, Out = In> {
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
  /** Called for every message dropped without being delivered, with the reason. If it throws, the throw is reported as a `CALLBACK_FAILED` error event. */
  onDrop?: ((message: Out, reason: DropReason) => void) | undefined;
  /** Acknowledged delivery (at-least-once); off when absent. */
  ack?: AckOptions<In, Out> | undefined;
  /**
   * The clock for `ttl` and the timestamps of `error` events (only `now` is used: expiry is
   * checked when needed, never by a timer). @defaultValue `Date.now`
   */
  timers?: Pick<Timers, 'now'> | undefined;
}

