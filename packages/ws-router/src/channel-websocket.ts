import type { ChannelExtractor, ChannelWebSocketConfig, WebSocketClient, WebSocketEvent } from '@composable-svelte/ws-types';
import { createListenerSet } from '@composable-svelte/ws-types/shared';
import { createChannelRouter, type ChannelRouter } from './channel-router.js';

/** A client with a channel router attached; see {@link createChannelWebSocket}. */
export interface ChannelWebSocket<T> extends WebSocketClient<T> {
  /** The router over this client's messages. */
  readonly router: ChannelRouter<T>;
}

/**
 * Wraps any client with a {@link ChannelRouter} as `.router`. The client itself is unchanged:
 * `connect`, `send`, `subscribe` (every message, routed or not), `state`, `stats` and the rest
 * go to the wrapped client.
 *
 * Failures of the router (an extractor that threw: `INVALID_MESSAGE`; a `join`/`leave` that
 * could not be sent) are emitted as `error` events to this client's event subscribers, and
 * passed to `onError` too when it is given; with neither, they go to `console.error`.
 *
 * @param client - the client to wrap (live, mock, spy or a decorator).
 * @param extract - gives a message's channel, or `undefined`/`null` when it has none.
 * @param config - the router's options (`fallback`, `join`, `leave`, `onError`) and `timers`.
 * @throws TypeError when `extract` is not a function.
 * @example
 * ```ts
 * const client = createChannelWebSocket<Message>(createLiveWebSocket(), (msg) => msg.channel);
 * await client.connect('wss://chat.example.com');
 * client.router.subscribe('room:lobby', (message) => displayMessage('Lobby', message.data));
 * ```
 */
// `const` keeps literal types in `join`/`leave` results (`type: 'join'`) when T comes from the client.
export function createChannelWebSocket<const T>(
  client: WebSocketClient<T>,
  extract: ChannelExtractor<T>,
  config: ChannelWebSocketConfig<T> = {},
): ChannelWebSocket<T> {
  const { timers, onError, ...routing } = config;
  const errors = createListenerSet<WebSocketEvent>();
  const router = createChannelRouter(client, extract, {
    ...routing,
    onError(error) {
      errors.emit({ type: 'error', error, timestamp: timers ? timers.now() : Date.now() });
      if (onError) onError(error);
      // Heard by nobody: report it as the plain router would, rather than lose it.
      else if (errors.size === 0) console.error(error);
    },
  });

  return {
    router,
    connect: (url, protocols) => client.connect(url, protocols),
    disconnect: (code, reason) => client.disconnect(code, reason),
    send: (message) => client.send(message),
    subscribe: (listener) => client.subscribe(listener),
    subscribeToEvents(listener) {
      const off = client.subscribeToEvents(listener);
      const offErrors = errors.add(listener);
      return () => {
        off();
        offErrors();
      };
    },
    markDead(reason) {
      client.markDead(reason);
    },
    get state() {
      return client.state;
    },
    get stats() {
      return client.stats;
    },
  };
}
