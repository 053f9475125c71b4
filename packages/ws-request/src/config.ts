import type { Timers } from '@composable-svelte/ws-types';

/**
 * Configuration of `createRequestWebSocket` (ws-request). Every field is optional.
 *
 * @typeParam In - the messages received: replies are among them.
 * @typeParam Out - the messages sent: requests are among them.
 */
export interface RequestConfig<In, Out = In> {
  /**
   * Gives the id of an outgoing request, called once per `request()`. It must return a string
   * that no pending request has (ids must be unique: `crypto.randomUUID()` or a counter).
   * Anything else rejects that request with `INVALID_MESSAGE`; a throw rejects it with
   * `CALLBACK_FAILED` (also emitted as an `error` event). Either way nothing is sent.
   * @defaultValue `message.id` (`DEFAULT_REQUEST.id`)
   */
  id?: ((message: Out) => string) | undefined;
  /**
   * Gives the id of the request a received message answers; anything but a string (`undefined`,
   * `null`, ...) means it is not a reply. Called for every message the decorator receives (while
   * requests are pending or it has subscribers). A throw is reported as `CALLBACK_FAILED` and
   * the message is treated as not a reply.
   * @defaultValue `data.replyTo` (`DEFAULT_REQUEST.replyTo`)
   */
  replyTo?: ((data: In) => string | null | undefined) | undefined;
  /**
   * Tells an error reply from a successful one, called once per reply. Only `true` means an
   * error: the request then rejects with `REQUEST_FAILED` and the whole reply as `cause`. A
   * throw rejects the request with `CALLBACK_FAILED` (also emitted as an `error` event).
   * @defaultValue the reply has an `error` field that is not `undefined` (`DEFAULT_REQUEST.isError`)
   */
  isError?: ((data: In) => boolean) | undefined;
  /**
   * Time allowed for the reply, in ms from the `request()` call (time spent in a queue
   * counts); `0` waits forever. `request(message, { timeout })` overrides it per request.
   * @defaultValue `10000` (`DEFAULT_REQUEST.timeout`)
   */
  timeout?: number | undefined;
  /**
   * Keep pending requests across a loss of the connection and wait for their reply after the
   * reconnection, instead of rejecting them with `CONNECTION_FAILED` on the wrapped client's
   * `disconnected` event. Only useful over a client that sends them again after a reconnect
   * (ws-queue with `ack`); over any other client a request lost with the connection waits
   * for its timeout.
   * @defaultValue `false` (`DEFAULT_REQUEST.keepOnReconnect`)
   */
  keepOnReconnect?: boolean | undefined;
  /** Timers and clock for the timeouts and the timestamps of error events. @defaultValue the platform's `setTimeout`, `clearTimeout` and `Date.now` */
  timers?: Timers | undefined;
}

/** Options of one `request()` call. */
export interface RequestOptions {
  /** Time allowed for this reply, in ms; `0` waits forever. @defaultValue the config's `timeout` */
  timeout?: number | undefined;
  /**
   * Cancels the request: when it aborts (or has aborted already), the request rejects with
   * `REQUEST_FAILED` and `signal.reason` as `cause`, and is forgotten. Nothing is sent for a
   * signal aborted already. The listener is removed once the request settles.
   */
  signal?: AbortSignal | undefined;
}

/** The defaults of {@link RequestConfig} (`timers` are the platform's). */
export const DEFAULT_REQUEST: {
  /** `message.id` (a request whose id is not a string rejects with `INVALID_MESSAGE`). */
  readonly id: (message: unknown) => unknown;
  /** No reply within 10 s rejects with `REQUEST_TIMEOUT`. */
  readonly timeout: number;
  /** Pending requests reject when the connection is lost. */
  readonly keepOnReconnect: boolean;
  /** `data.replyTo` (a value that is not a string means "not a reply"). */
  readonly replyTo: (data: unknown) => unknown;
  /** Whether the reply has an `error` field that is not `undefined`. */
  readonly isError: (data: unknown) => boolean;
} = {
  id: (message) => (message as { id?: unknown } | null | undefined)?.id,
  timeout: 10_000,
  keepOnReconnect: false,
  replyTo: (data) => (data as { replyTo?: unknown } | null | undefined)?.replyTo,
  isError: (data) => (data as { error?: unknown } | null | undefined)?.error !== undefined,
};
