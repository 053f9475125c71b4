import type { Timers, WebSocketError, WebSocketMessage } from '@composable-svelte/ws-types';

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
   * thrown value as `cause`; the message is dropped), an extractor that gave something other
   * than a string, `undefined` or `null`, a `join`/`leave`/`fallback` function or a channel
   * listener that threw (`CALLBACK_FAILED`, with the thrown value as `cause`), a `join`/`leave`
   * whose send was rejected (the rejection). `createChannelWebSocket` also emits each failure
   * as an `error` event to its event subscribers. An `onError` that throws is re-thrown from a
   * microtask, as an `error` event listener is, so that errors cannot loop. @defaultValue
   * `console.error` (for `createChannelWebSocket`: only when no event subscriber heard it)
   */
  onError?: ((error: WebSocketError) => void) | undefined;
}

/** Configuration of `createChannelWebSocket` (ws-router): the router's, plus the clock of its `error` events. */
export interface ChannelWebSocketConfig<T> extends RouterConfig<T> {
  /** The clock that timestamps the router's `error` events (only `now` is used). @defaultValue `Date.now` */
  timers?: Pick<Timers, 'now'> | undefined;
}

