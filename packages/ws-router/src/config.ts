import type { Timers, WebSocketError, WebSocketMessage } from '@composable-svelte/ws-types';

/** Gives the channel of a message, or `undefined`/`null` when it has none. */
export type ChannelExtractor<In> = (message: In) => string | undefined | null;

/**
 * The name of a property that holds a message's channel: a key whose values are strings in
 * every message type that has it. Given instead of an extractor function, it lets the router
 * narrow each channel's messages by type (see {@link ChannelMessage}).
 */
export type ChannelKey<In> = In extends unknown
  ? { [K in keyof In]-?: NonNullable<In[K]> extends string ? K : never }[keyof In] & string
  : never;

/** The channels a router accepts: the values of the channel key `K` in the messages `In`; any string with an extractor function. */
export type ChannelOf<In, K> = [K] extends [string] ? (In extends unknown ? (K extends keyof In ? NonNullable<In[K]> & string : never) : never) : string;

/**
 * The messages a listener of `channel` receives: with a channel key, the message types whose
 * key can hold that channel (`{ channel: 'chat' }` for `'chat'`; one typed `channel: string`
 * for any); with an extractor function, or a channel only known as `string`, every message.
 */
export type ChannelMessage<In, K, C extends string> = [K] extends [string]
  ? string extends C
    ? In
    : In extends unknown
      ? K extends keyof In
        ? C extends NonNullable<In[K]>
          ? In
          : never
        : never
      : never
  : In;

/** Offsets of a channel that the server skipped (see `onGap` in {@link RouterConfig}): `from` to `to`, both included. */
export interface ChannelGap {
  /** The channel. */
  channel: string;
  /** The first missing offset: the last one seen, plus one. */
  from: number;
  /** The last missing offset: the one of the message after the gap, minus one. */
  to: number;
}

/**
 * Optional behaviour of `createChannelRouter` and `createChannelWebSocket` (ws-router).
 */
export interface RouterConfig<In, Out = In> {
  /**
   * Receives every message no channel listener took: the extractor gave no channel
   * (`channel` is `undefined`), or a channel without listeners. Giving it keeps the router
   * subscribed to the client even while no channel has a listener. @defaultValue none: such
   * messages are left to the client's other subscribers
   */
  fallback?: ((message: WebSocketMessage<In>, channel: string | undefined) => void) | undefined;
  /**
   * The message to send when a channel gains its first listener, and again for every active
   * channel after each `connected` event (so server-side subscriptions survive reconnection).
   * With `offset` configured, `offset` is the last offset seen in `channel` (`undefined` on a
   * first join, or while none was seen yet), for the server to replay what came after it;
   * without `offset` it is always `undefined`. See the README's "Recovery".
   * @defaultValue none: nothing is sent
   * @example
   * ```ts
   * join: (channel, offset) => ({ type: 'join', channel, since: offset })
   * ```
   */
  join?: ((channel: string, offset: number | undefined) => Out) | undefined;
  /**
   * The message to send when a channel loses its last listener while connected (a lost
   * connection has already ended the server-side subscription). @defaultValue none: nothing is sent
   */
  leave?: ((channel: string) => Out) | undefined;
  /**
   * A message's position in its channel: a safe integer that grows by exactly one per message
   * of the channel (a sequence number per channel), or `undefined`/`null` for a message that
   * has none (presence, acks: delivered as without `offset`). Enables recovery (see the
   * README's "Recovery"): for each channel with listeners the router keeps the highest offset
   * seen, hands it to `join` on every (re-)join, drops a message whose offset is not above it
   * (a duplicate) before any listener hears it, and reports skipped offsets to `onGap`. Read
   * only for messages of channels that have listeners. A function that throws, or gives
   * anything but a safe integer, `undefined` or `null`, is reported to `onError` as
   * `INVALID_MESSAGE` (`cause`: the thrown value, or the value given) and the message is
   * dropped, as for a failing extractor.
   * @defaultValue none: no offsets are tracked, no message is dropped as a duplicate
   * @example
   * ```ts
   * offset: (msg) => (msg.type === 'message' ? msg.seq : undefined)
   * ```
   */
  offset?: ((message: In) => number | undefined | null) | undefined;
  /**
   * Hears each gap: offsets the server skipped (its history was trimmed), called before the
   * message after the gap is delivered. A throw is reported to `onError` as `CALLBACK_FAILED`;
   * the message is still delivered. Needs `offset` (a `TypeError` otherwise).
   * @defaultValue none: gaps are not reported, the message after a gap is delivered as usual
   */
  onGap?: ((gap: ChannelGap) => void) | undefined;
  /**
   * Receives every failure of the router: an extractor that threw (`INVALID_MESSAGE`, with the
   * thrown value as `cause`; the message is dropped), an extractor that gave something other
   * than a string, `undefined` or `null`, a `join`/`leave`/`fallback` function or a channel
   * listener that threw (`CALLBACK_FAILED`, with the thrown value as `cause`), a `join`/`leave`
   * whose send was rejected (the rejection), an `offset` that threw or gave a bad value
   * (`INVALID_MESSAGE`; the message is dropped), an `onGap` that threw (`CALLBACK_FAILED`). `createChannelWebSocket` also emits each failure
   * as an `error` event to its event subscribers. An `onError` that throws is re-thrown from a
   * microtask, as an `error` event listener is, so that errors cannot loop. @defaultValue
   * `console.error` (for `createChannelWebSocket`: only when no event subscriber heard it)
   */
  onError?: ((error: WebSocketError) => void) | undefined;
}

/** Configuration of `createChannelWebSocket` (ws-router): the router's, plus the clock of its `error` events. */
export interface ChannelWebSocketConfig<In, Out = In> extends RouterConfig<In, Out> {
  /** The clock that timestamps the router's `error` events (only `now` is used). @defaultValue `Date.now` */
  timers?: Pick<Timers, 'now'> | undefined;
}

