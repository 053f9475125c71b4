import {
  WebSocketError,
  type MessageListener,
  type SymbolDisposable,
  type Timers,
  type Unsubscribe,
  type WebSocketClient,
  type WebSocketErrorCode,
  type WebSocketEvent,
  type WebSocketMessage,
} from '@composable-svelte/ws-types';
import { ForwardingClient, callbackFailed, checkNumber, systemTimers, withDefaults } from '@composable-svelte/ws-types/internal';
import { DEFAULT_REQUEST, type RequestConfig, type RequestOptions } from './config.js';

// Spelled out rather than read from WS_ERROR_CODES (an import costs bytes of the 1 kB budget); typed, so still checked.
const REQUEST_TIMEOUT: WebSocketErrorCode = 'REQUEST_TIMEOUT';
const REQUEST_FAILED: WebSocketErrorCode = 'REQUEST_FAILED';
const INVALID_MESSAGE: WebSocketErrorCode = 'INVALID_MESSAGE';
const CONNECTION_FAILED: WebSocketErrorCode = 'CONNECTION_FAILED';

/** Up to how many ids of settled requests are remembered, so that their late or repeated replies are recognised. */
const REMEMBERED = 100;

/**
 * The messages `request()` accepts: any outgoing message of the client without a reply map;
 * with one, those whose `type` is a key of the map.
 */
export type RequestMessage<Out, Replies> = [Replies] extends [never] ? Out : Out & { readonly type: keyof Replies };

/**
 * What `request(message)` resolves with: without a reply map, an incoming message of the
 * client; with one, the reply type the map gives for the request's `type`.
 */
export type ReplyOf<In, Replies, M> = [Replies] extends [never]
  ? In
  : M extends { readonly type: infer K extends keyof Replies }
    ? Replies[K]
    : never;

/** The client returned by {@link createRequestWebSocket}: the wrapped client plus `request()`. */
export interface RequestWebSocket<In, Out = In, Replies extends object = never> extends WebSocketClient<In, Out>, SymbolDisposable {
  /**
   * Sends `message` through the wrapped client and resolves with the `data` of the received
   * message that answers it (the reply is not delivered to `subscribe` listeners).
   *
   * Rejects with a `WebSocketError`:
   * - `REQUEST_TIMEOUT` (recoverable): no reply within the timeout;
   * - `REQUEST_FAILED`: an error reply (`cause`: the reply), an aborted `signal`
   *   (`cause`: `signal.reason`), or `dispose()`;
   * - `CONNECTION_FAILED` (recoverable): the wrapped client emitted `disconnected` before the
   *   reply, unless `keepOnReconnect`;
   * - the send's own error (`SEND_FAILED`, `INVALID_MESSAGE`, ...) when the wrapped client
   *   rejects the send;
   * - `INVALID_MESSAGE` (`Bad request id`, `cause`: the message): its id is not a string, or is
   *   the id of a request still pending; nothing is sent;
   * - `CALLBACK_FAILED`: the `id` or `isError` option threw (also emitted as an `error` event).
   *
   * @throws TypeError when `options.timeout` is not a finite number >= 0.
   */
  request<M extends RequestMessage<Out, Replies>>(message: M, options?: RequestOptions): Promise<ReplyOf<In, Replies, M>>;
  /**
   * Rejects every pending request with `REQUEST_FAILED` (`Disposed`), clears their timers and
   * abort listeners, and releases every subscription on the wrapped client, which is left as it
   * is. Afterwards `request()` and `send()` reject with `SEND_FAILED` and `connect()` with
   * `CONNECTION_FAILED` (`This decorator was disposed`). Calling it again does nothing.
   */
  dispose(): void;
}

/** Settles a pending request: rejects with `value`, or resolves with it when `ok`. Does nothing once settled. */
type Settle = (value: unknown, ok?: boolean) => void;

/** The resolved options (see {@link RequestConfig}). */
interface Settings<In, Out> {
  timeout: number;
  keepOnReconnect: boolean;
  id: (message: Out) => unknown;
  replyTo: (data: In) => unknown;
  isError: (data: In) => unknown;
}

const fail = (message: string, cause?: unknown, code: WebSocketErrorCode = REQUEST_FAILED, recoverable = false): WebSocketError =>
  new WebSocketError(message, code, recoverable, cause);

class Requester<In, Out> extends ForwardingClient<In, Out> {
  // Pending requests by id.
  private readonly w = new Map<string, Settle>();
  // Ids of settled requests, so that their late or repeated replies are recognised. Cleared when
  // REMEMBERED is reached: bounded memory without bookkeeping per request.
  private readonly d = new Set<string>();
  private readonly c: Settings<In, Out>;

  constructor(
    client: WebSocketClient<In, Out>,
    config: RequestConfig<In, Out>,
    private readonly t: Timers = config.timers ?? systemTimers,
  ) {
    super(client, t);
    checkNumber('timeout', (this.c = withDefaults<Settings<In, Out>>(DEFAULT_REQUEST, config)).timeout, 0);
  }

  request(message: Out, { timeout = this.c.timeout, signal }: RequestOptions = {}): Promise<unknown> {
    checkNumber('timeout', timeout, 0);
    return new Promise((resolve, reject) => {
      let id: unknown;
      try {
        id = this.c.id(message);
      } catch (cause) {
        return reject(this.failed('id', cause));
      }
      if (typeof id !== 'string' || this.w.has(id)) return reject(fail('Bad request id', message, INVALID_MESSAGE));
      const settle: Settle = (value, ok) => {
        if (this.w.get(id) !== settle) return;
        this.w.delete(id);
        this.t.clearTimeout(timer);
        signal?.removeEventListener('abort', abort);
        if (this.d.size >= REMEMBERED) this.d.clear();
        this.d.add(id);
        this.sync();
        (ok ? resolve : reject)(value);
      };
      const abort = (): void => settle(fail('Aborted', signal!.reason));
      // Before anything is registered, so that a signal that is not an AbortSignal leaves nothing behind.
      signal?.addEventListener('abort', abort);
      const timer = timeout ? this.t.setTimeout(() => settle(fail(`No reply within ${timeout} ms`, undefined, REQUEST_TIMEOUT, true)), timeout) : undefined;
      this.w.set(id, settle);
      // Aborted already: nothing is sent.
      if (signal?.aborted) return abort();
      this.sync();
      // After dispose(), the base's send() rejects (SEND_FAILED), as a send() would. A failed send
      // settles the request with its error.
      this.send(message).catch(settle);
    });
  }

  override subscribe(listener: MessageListener<In>): Unsubscribe {
    // Through this decorator, so that replies are taken out before listeners see them.
    return this.listen(listener);
  }

  protected override onMessage({ data }: WebSocketMessage<In>): boolean {
    let id: unknown;
    try {
      id = this.c.replyTo(data);
    } catch (cause) {
      this.failed('replyTo', cause);
      return true;
    }
    // Anything but a string matches nothing: not a reply, it passes through.
    const settle = this.w.get(id as string);
    if (settle) {
      try {
        if (this.c.isError(data) === true) settle(fail('Error reply', data));
        else settle(data, true);
      } catch (cause) {
        settle(this.failed('isError', cause));
      }
      return false;
    }
    if (!this.d.has(id as string)) return true;
    this.report(fail('Late reply', data, REQUEST_FAILED, true));
    return false;
  }

  protected override onEvent(event: WebSocketEvent): void {
    if (event.type === 'disconnected' && !this.c.keepOnReconnect) this.w.forEach((settle) => settle(fail('Disconnected', event, CONNECTION_FAILED, true)));
  }

  protected override needsMessages(): boolean {
    return this.w.size > 0;
  }

  protected override needsEvents(): boolean {
    // With keepOnReconnect the events are ignored; holding them while requests are pending
    // (pending work, DESIGN point 15) costs less code than telling the cases apart.
    return this.w.size > 0;
  }

  protected override release(): void {
    this.w.forEach((settle) => settle(fail('Disposed')));
  }

  /** Reports a user function that threw `cause` as `CALLBACK_FAILED`, and returns that error. */
  private failed(name: string, cause: unknown): WebSocketError {
    const error = callbackFailed(name, cause);
    this.report(error);
    return error;
  }
}

/**
 * Wraps any client (live, mock, spy, another decorator) with request/response: `request()`
 * sends a message and resolves with the received message that answers it, matched by an id
 * the application puts in both (by default `message.id` out, `data.replyTo` back).
 *
 * - Replies that settle a request are consumed: `subscribe` listeners of the returned client
 *   never see them. So are replies to a request that settled already (timed out, aborted,
 *   lost, or answered before; up to the last 100 ids are remembered), which are dropped and
 *   reported as an `error` event (`REQUEST_FAILED`, `Late reply`, `cause`: the reply), never
 *   given to another request. Every other message, replies to ids it never sent included,
 *   passes through.
 * - A request rejects with `REQUEST_TIMEOUT` after `timeout` ms, with `REQUEST_FAILED` on an
 *   error reply or an aborted `signal`, with `CONNECTION_FAILED` when the wrapped client emits
 *   `disconnected` first (unless `keepOnReconnect`), with the send's error when the send fails.
 * - `id`, `replyTo` and `isError` may throw or return garbage: a throw becomes an `error`
 *   event with code `CALLBACK_FAILED` (the thrown value as `cause`), and a request whose `id`
 *   or `isError` threw rejects with that error. Garbage: an id that is not a string rejects
 *   with `INVALID_MESSAGE`; a `replyTo` result that is not a string means "not a reply"; an
 *   `isError` result other than `true` means "not an error".
 * - It subscribes to the wrapped client only while requests are pending or it has
 *   subscribers; no timer outlives the requests. `dispose()` rejects what is pending and lets go.
 *
 * @typeParam In - the messages received (replies among them).
 * @typeParam Out - the messages sent (requests among them). @defaultValue `In`
 * @typeParam Replies - optional map from a request's `type` to the type of its reply: with it,
 * `request()` accepts only messages whose `type` is a key and resolves with the matching reply
 * type; without it, `request()` accepts any `Out` and resolves with an `In`.
 * @param client - the client to wrap.
 * @param config - see {@link RequestConfig}; defaults in {@link DEFAULT_REQUEST}.
 * @returns the client, decorated, with `request()` and `dispose()`.
 * @throws TypeError naming the option when `timeout` is not a finite number >= 0.
 * @example
 * ```ts
 * type Request = { type: 'get'; id: string; key: string };
 * type Reply = { type: 'value'; replyTo: string; value: number };
 * const rpc = createRequestWebSocket<Reply, Request, { get: Reply }>(client);
 * const reply = await rpc.request({ type: 'get', id: crypto.randomUUID(), key: 'answer' }, { timeout: 5000 });
 * reply.value; // number
 * ```
 */
export function createRequestWebSocket<In, Out = In, Replies extends object = never>(
  client: WebSocketClient<In, Out>,
  config: RequestConfig<In, Out> = {},
): RequestWebSocket<In, Out, Replies> {
  return new Requester(client, config) as unknown as RequestWebSocket<In, Out, Replies>;
}
