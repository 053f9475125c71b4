import type { SymbolDisposable, WebSocketClient, WebSocketError, WebSocketEvent } from '@composable-svelte/ws-types';
import { ForwardingClient } from '@composable-svelte/ws-types/internal';
import { Router, type ChannelRouter, type RouterHost } from './channel-router.js';
import type { ChannelExtractor, ChannelKey, ChannelWebSocketConfig } from './config.js';

/** A client with a channel router attached; see {@link createChannelWebSocket}. */
export interface ChannelWebSocket<In, Out = In, K = undefined> extends WebSocketClient<In, Out>, SymbolDisposable {
  /** The router over this client's messages. */
  readonly router: ChannelRouter<In, K>;
  /** Disposes of the router (sending `leave` while connected) and releases every subscription on the wrapped client. */
  dispose(): void;
}

class ChannelSocket<In, Out> extends ForwardingClient<In, Out> implements ChannelWebSocket<In, Out> {
  readonly router: Router<In, Out>;
  private readonly onError: ChannelWebSocketConfig<In, Out>['onError'];

  constructor(client: WebSocketClient<In, Out>, extract: ChannelExtractor<In> | string, config: ChannelWebSocketConfig<In, Out>) {
    const { timers, onError, ...routing } = config;
    super(client, timers);
    this.onError = onError;
    // This client is the router's host: its sync() and fail() below, no closures per router.
    this.router = new Router(client, extract, routing, this as unknown as RouterHost);
  }

  /** For the router (RouterHost): a failure of the router, reported as this client's own error. */
  private fail(error: WebSocketError, reported: boolean): void {
    const heard = reported || this.eventListeners.size > 0;
    // One account: what the wrapped client reported already reached these listeners.
    if (!reported) this.report(error);
    if (this.onError) this.onError(error);
    // Heard by nobody: report it as the plain router would, rather than lose it.
    else if (!heard) console.error(error);
  }

  protected override onEvent(event: WebSocketEvent): void {
    this.router.changed(event);
  }

  protected override needsEvents(): boolean {
    // Called once from within the router's constructor, before `router` is set.
    return (this.router as Router<In, Out> | undefined)?.needsEvents() ?? false;
  }

  protected override attached(): void {
    this.router.attached();
  }

  protected override release(): void {
    this.router.dispose();
  }
}

/**
 * Wraps any client with a {@link ChannelRouter} as `.router`. The client itself is unchanged:
 * `connect`, `send`, `subscribe` (every message, routed or not), `state`, `stats` and the rest
 * go to the wrapped client.
 *
 * The router re-sends its joins on a `connected` event before this client's event listeners
 * hear of it, so a decorator over this one (a queue re-sending unacknowledged messages) always
 * acts after the joins.
 *
 * Failures of the router (see `onError` in {@link ChannelWebSocketConfig}) are emitted as
 * `error` events to this client's event subscribers, counted in its `state.lastError` and
 * `stats.errors`, and passed to `onError` too when it is given; with neither, they go to
 * `console.error`.
 *
 * @param client - the client to wrap (live, mock, spy or a decorator).
 * @param extract - gives a message's channel, or `undefined`/`null` when it has none; or the
 * name of the property holding it, which narrows each channel's messages by type (see
 * `createChannelRouter`).
 * @param config - the router's options (`fallback`, `join`, `leave`, `offset`, `onGap`,
 * `onError`) and `timers`.
 * @throws TypeError when `extract` is neither a function nor a string, or an option is not a
 * function (`onGap` without `offset` too), as for `createChannelRouter`.
 * @example
 * ```ts
 * const client = createChannelWebSocket<Message>(createLiveWebSocket(), (msg) => msg.channel);
 * await client.connect('wss://chat.example.com');
 * client.router.subscribe('room:lobby', (message) => displayMessage('Lobby', message.data));
 * ```
 */
// `const` keeps literal types in `join`/`leave` results (`type: 'join'`) when the types come from the client.
export function createChannelWebSocket<const In, const Out = In, const K extends ChannelKey<In> = ChannelKey<In>>(
  client: WebSocketClient<In, Out>,
  key: K,
  config?: ChannelWebSocketConfig<NoInfer<In>, NoInfer<Out>>,
): ChannelWebSocket<In, Out, K>;
export function createChannelWebSocket<const In, const Out = In>(
  client: WebSocketClient<In, Out>,
  extract: ChannelExtractor<NoInfer<In>>,
  config?: ChannelWebSocketConfig<NoInfer<In>, NoInfer<Out>>,
): ChannelWebSocket<In, Out>;
export function createChannelWebSocket<In, Out>(
  client: WebSocketClient<In, Out>,
  extract: ChannelExtractor<In> | string,
  config: ChannelWebSocketConfig<In, Out> = {},
): ChannelWebSocket<In, Out> {
  return new ChannelSocket(client, extract, config);
}
