import {
  WS_ERROR_CODES,
  type Unsubscribe,
  type UrlProvider,
  type WebSocketClient,
  type WebSocketError,
  type WebSocketEvent,
  type WebSocketMessage,
} from '@composable-svelte/ws-types';
import { attempt, call, release, report, toError } from './attempt.js';
import type { RunEffect, SubscriptionEffect } from './effect.js';

/**
 * The builders of `Effect.websocket`: each returns a plain effect value for Composable Svelte's
 * store, and does nothing until the store runs it.
 *
 * The action type `A` is inferred from where the effect goes (the reducer's declared return
 * type, or `Effect.batch(...)` inside it); callbacks are checked against it, so a callback
 * returning an action the reducer does not know does not compile. Outside such a place, give
 * it explicitly (`websocketEffects.subscribe<ChatMessage, ChatAction>(...)`) or annotate the
 * variable.
 */
export interface WebSocketEffects {
  /**
   * Connects `client` to `url` for as long as the subscription `id` lives.
   *
   * When the store runs it: subscribes to the client's events at once (each one is dispatched
   * as `onEvent(event)`), then calls `client.connect(url, protocols)` in a microtask, so the
   * actions it causes come after the one being reduced. A failed connect is dispatched as
   * `onEvent` of an `error` event (once: the client's own `error` event for that failure is
   * not repeated), never an unhandled rejection; without `onEvent`, it is reported (see the
   * README). When `connect` resolves without a `connected` event (the client was already
   * connected to that URL), a `connected` event built from `client.state` is dispatched, so
   * the reducer always learns the outcome. Cancelling `id`, running another subscription with the same `id`, or destroying
   * the store unsubscribes, then calls `client.disconnect()`; the cleanup returns a promise
   * that resolves once disconnected and never rejects. A connect on a client whose previous
   * connect effect is still disconnecting waits for that disconnect first, so the old
   * connection's `disconnected` event never reaches the new subscription.
   *
   * @param client - the client to connect.
   * @param id - the subscription's key in the store.
   * @param url - passed to `client.connect`: a URL or a function giving one.
   * @param protocols - subprotocols, passed to `client.connect`. @defaultValue the client's (`[]`)
   * @param onEvent - turns each connection event into an action; none are dispatched without it.
   */
  connect<A = never>(
    client: WebSocketClient<unknown>,
    id: string,
    url: UrlProvider,
    protocols?: readonly string[],
    onEvent?: (event: WebSocketEvent) => NoInfer<A>,
  ): SubscriptionEffect<A>;

  /**
   * Calls `client.disconnect(code, reason)` when run. Does not cancel subscriptions: cancel
   * their ids with the store's `Effect.cancel` when you want them gone. A rejection (a bad
   * close code or reason gives `PROTOCOL_ERROR`) is reported unless the client emitted it as
   * an `error` event; the effect itself never rejects.
   *
   * @param code - the close code. @defaultValue the client's (`1000`)
   * @param reason - the close reason. @defaultValue the client's (`''`)
   */
  disconnect<A = never>(client: WebSocketClient<unknown>, code?: number, reason?: string): RunEffect<A>;

  /**
   * Calls `client.send(message)` when run, then dispatches `onSuccess()` once the client has
   * accepted it, or `onFailure(error)` if it rejects (`SEND_FAILED`, `INVALID_MESSAGE`, ...;
   * a rejection that is not a `WebSocketError` is wrapped as `SEND_FAILED`, original in
   * `cause`). Without `onFailure` the failure is left to the client's own `error` event
   * (ws-core and the mock emit one for every failed send) and reported when the client emitted
   * none. The effect never rejects because of a failed send.
   *
   * @param message - checked against the client's outgoing message type.
   * @param onSuccess - the action once sent; nothing is dispatched without it.
   * @param onFailure - the action when the send fails.
   */
  send<Out, A = never, In = unknown>(
    client: WebSocketClient<In, Out>,
    message: NoInfer<Out>,
    onSuccess?: () => NoInfer<A>,
    onFailure?: (error: WebSocketError) => NoInfer<A>,
  ): RunEffect<A>;

  /**
   * Dispatches `onMessage(message)` for every message `client` delivers, for as long as the
   * subscription `id` lives. Cancelling or re-running `id`, or destroying the store,
   * unsubscribes.
   */
  subscribe<In, A = never>(
    client: WebSocketClient<In, unknown>,
    id: string,
    onMessage: (message: WebSocketMessage<In>) => NoInfer<A>,
  ): SubscriptionEffect<A>;

  /**
   * Dispatches `onEvent(event)` for every connection event of `client`, for as long as the
   * subscription `id` lives. Cancelling or re-running `id`, or destroying the store,
   * unsubscribes.
   */
  subscribeToEvents<A = never>(
    client: WebSocketClient<unknown>,
    id: string,
    onEvent: (event: WebSocketEvent) => NoInfer<A>,
  ): SubscriptionEffect<A>;

  /**
   * Calls `run()` when run (typically `() => rpc.request(message, options)` on a ws-request
   * client, so the reply's type follows from the request's), then dispatches `onReply(reply)`
   * with what it resolves with, or `onFailure(error)` when it rejects (`REQUEST_TIMEOUT`,
   * `REQUEST_FAILED` with the server's error reply as `cause`, `CONNECTION_FAILED`, the send's
   * error...; a rejection that is not a `WebSocketError` is wrapped as `REQUEST_FAILED`,
   * original in `cause`). Without `onFailure` a failure is reported (see the README). The
   * effect never rejects.
   *
   * @param run - starts the request; a synchronous throw counts as a rejection.
   * @param onReply - the action for the reply.
   * @param onFailure - the action when the request fails.
   */
  request<R, A = never>(run: () => Promise<R>, onReply: (reply: R) => NoInfer<A>, onFailure?: (error: WebSocketError) => NoInfer<A>): RunEffect<A>;
}

// Disconnects started by `connect` cleanups, so that a connect run meanwhile on the same client
// (the store re-running the id) starts after it and never hears the old connection's events.
const closing = /* @__PURE__ */ new WeakMap<WebSocketClient<unknown>, Promise<void>>();

/**
 * The WebSocket effect builders, for `Effect.websocket` (see {@link withWebSocketEffects}) or
 * on their own. See {@link WebSocketEffects} for each one.
 *
 * @example
 * ```ts
 * case 'connect':
 *   return [
 *     { ...state, connecting: true },
 *     websocketEffects.connect(deps.websocket, 'ws', 'wss://chat.example.com', undefined, (event) => ({ type: 'websocketEvent', event })),
 *   ];
 * ```
 */
export const websocketEffects: WebSocketEffects = {
  connect: (client, id, url, protocols, onEvent) => ({
    _tag: 'Subscription',
    id,
    setup(dispatch) {
      let live = true;
      let opened = false;
      let heard = false;
      let seen: unknown;
      let off: Unsubscribe | undefined;
      let closed: Promise<void> | undefined;
      const stop = (): void => {
        release(off);
        off = undefined;
      };
      // Without `onEvent` the listener only watches for the client's own report of a failed
      // connect, and goes once the connect settles.
      const listen = (): void => {
        off = client.subscribeToEvents((event) => {
          if (event.type === 'connected') opened = true;
          else if (event.type === 'error') {
            heard = true;
            seen = event.error;
          }
          if (onEvent) dispatch(onEvent(event));
        });
      };
      const previous = closing.get(client);
      // Listening at once lets a test emit events right after the store ran the effect.
      if (!previous) listen();
      (previous ?? Promise.resolve())
        .then(() => {
          if (!live) return;
          if (previous) listen();
          return client.connect(url, protocols);
        })
        .then(
          () => {
            if (!onEvent) stop();
            // Already connected to that URL: the client emits nothing, but the reducer waits for `connected`.
            else if (live && !opened) {
              const { url: current, protocols: asked } = client.state;
              dispatch(onEvent({ type: 'connected', url: current ?? '', protocols: asked, timestamp: Date.now() }));
            }
          },
          (cause: unknown) => {
            if (!onEvent) stop();
            // A cancelled effect dispatches nothing: its connect rejects because it was cancelled.
            if (!live || (heard && cause === seen)) return;
            const error = toError(cause, WS_ERROR_CODES.CONNECTION_FAILED);
            if (onEvent) dispatch(onEvent({ type: 'error', error, timestamp: Date.now() }));
            else report(error);
          },
        )
        .catch(report);
      return () => {
        live = false;
        stop();
        if (!closed) {
          closed = call(() => client.disconnect())
            .catch(report)
            .then(() => {
              if (closing.get(client) === closed) closing.delete(client);
            });
          closing.set(client, closed);
        }
        return closed;
      };
    },
  }),

  disconnect: (client, code, reason) => ({
    _tag: 'Run',
    async execute() {
      await attempt(client, () => client.disconnect(code, reason));
    },
  }),

  send: (client, message, onSuccess, onFailure) => ({
    _tag: 'Run',
    async execute(dispatch) {
      const sent = await attempt(
        client,
        () => client.send(message),
        onFailure && ((cause) => dispatch(onFailure(toError(cause, WS_ERROR_CODES.SEND_FAILED)))),
      );
      if (sent && onSuccess) dispatch(onSuccess());
    },
  }),

  request: (run, onReply, onFailure) => ({
    _tag: 'Run',
    async execute(dispatch) {
      let reply;
      try {
        reply = await run();
      } catch (cause) {
        const error = toError(cause, WS_ERROR_CODES.REQUEST_FAILED);
        if (onFailure) dispatch(onFailure(error));
        else report(error);
        return;
      }
      dispatch(onReply(reply));
    },
  }),

  subscribe: (client, id, onMessage) => ({
    _tag: 'Subscription',
    id,
    setup(dispatch) {
      const off = client.subscribe((message) => dispatch(onMessage(message)));
      return () => release(off);
    },
  }),

  subscribeToEvents: (client, id, onEvent) => ({
    _tag: 'Subscription',
    id,
    setup(dispatch) {
      const off = client.subscribeToEvents((event) => dispatch(onEvent(event)));
      return () => release(off);
    },
  }),
};
