import type { UrlProvider, WebSocketClient, WebSocketMessage } from '@composable-svelte/ws-types';

/** A recorded `connect()` call. */
export interface SpyConnection {
  /** The URL (or URL provider) given. */
  readonly url: UrlProvider;
  readonly protocols: string[];
  /** When it was called (`Date.now()`). */
  readonly timestamp: number;
}

/** A recorded `disconnect()` call, with the defaults filled in. */
export interface SpyDisconnection {
  readonly code: number;
  readonly reason: string;
  readonly timestamp: number;
}

/** A client that records what goes through it; see {@link createSpyWebSocket}. */
export interface SpyWebSocket<T> extends WebSocketClient<T> {
  /** Every `connect()` call. */
  readonly connections: SpyConnection[];
  /** Every `disconnect()` call (code 1000 and reason `''` when not given). */
  readonly disconnections: SpyDisconnection[];
  /** Every message passed to `send()`, whether or not the client accepted it. */
  readonly sentMessages: T[];
  /** Every message the wrapped client delivered, once each, however many subscribers there are. */
  readonly receivedMessages: WebSocketMessage<T>[];
  /** Forgets everything recorded. */
  reset(): void;
  /** The client it wraps. */
  readonly client: WebSocketClient<T>;
}

/**
 * Wraps any client (live, mock, a decorator) and records its traffic. Every call is passed
 * through unchanged, with the same result; the spy adds one message subscription of its own,
 * to record received messages once each.
 *
 * @example
 * ```ts
 * const spy = createSpyWebSocket(createMockWebSocket());
 * await spy.connect('wss://example.com');
 * await spy.send({ type: 'chat', text: 'Message 1' });
 * spy.connections[0].url; // 'wss://example.com'
 * ```
 */
export function createSpyWebSocket<T>(client: WebSocketClient<T>): SpyWebSocket<T> {
  const connections: SpyConnection[] = [];
  const disconnections: SpyDisconnection[] = [];
  const sentMessages: T[] = [];
  const receivedMessages: WebSocketMessage<T>[] = [];
  client.subscribe((message) => receivedMessages.push(message));

  return {
    client,
    connections,
    disconnections,
    sentMessages,
    receivedMessages,
    connect(url, protocols) {
      connections.push({ url, protocols: [...(protocols ?? [])], timestamp: Date.now() });
      return client.connect(url, protocols);
    },
    disconnect(code = 1000, reason = '') {
      disconnections.push({ code, reason, timestamp: Date.now() });
      return client.disconnect(code, reason);
    },
    send(message) {
      sentMessages.push(message);
      return client.send(message);
    },
    subscribe: (listener) => client.subscribe(listener),
    subscribeToEvents: (listener) => client.subscribeToEvents(listener),
    markDead: (reason) => {
      client.markDead(reason);
    },
    reset() {
      connections.length = disconnections.length = sentMessages.length = receivedMessages.length = 0;
    },
    get state() {
      return client.state;
    },
    get stats() {
      return client.stats;
    },
  };
}
