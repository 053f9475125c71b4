import {
  JSONSerializer,
  WebSocketError,
  WS_ERROR_CODES,
  type ConnectionStatus,
  type MessageSerializer,
  type RawData,
  type UrlProvider,
  type WebSocketClient,
  type WebSocketEvent,
  type WebSocketMessage,
} from '@composable-svelte/ws-types';
import { byteLength, closeError, createListenerSet } from '@composable-svelte/ws-types/shared';

/** Options of {@link createMockWebSocket}. */
export interface MockWebSocketOptions {
  /**
   * What `connect()` does: `'open'` connects at once; `'manual'` waits until the test calls
   * `open()` or `fail()`; `'fail'` rejects with `CONNECTION_FAILED`.
   * @defaultValue `'open'`
   */
  connect?: 'open' | 'manual' | 'fail';
  /**
   * Whether a loss the application did not ask for (`simulateDisconnect`, `markDead`) goes to
   * `reconnecting`, with a `reconnecting` event, until the test calls `open()` (then `connected`
   * and `reconnected`) or `fail()`; otherwise the status becomes `disconnected`. Each
   * `simulateDisconnect` call may override it.
   * @defaultValue `false`
   */
  reconnect?: boolean;
  /** Encodes sends and decodes nothing: used to count bytes and to build `raw`, as the live client would. @defaultValue `JSONSerializer` */
  serializer?: MessageSerializer;
  /** The clock for timestamps and `uptime`; never a timer. @defaultValue `Date.now` */
  now?: () => number;
}

/** A {@link WebSocketClient} driven by the test. */
export interface MockWebSocket<T> extends WebSocketClient<T> {
  /** Every message `send()` accepted, in order. */
  readonly sentMessages: T[];
  /** Delivers a message to subscribers, as if the server sent it (`raw` defaults to its serialization). */
  simulateMessage(data: T, raw?: RawData): void;
  /** Emits an event to event subscribers and updates `state` as the live client would for it. */
  simulateEvent(event: WebSocketEvent): void;
  /** Emits an `error` event with `error` (and records it in `state.lastError` and `stats.errors`). */
  simulateError(error: WebSocketError): void;
  /**
   * Simulates a connection lost without the application asking: a `disconnected` event
   * (`wasClean` unless the code is 1006), then `reconnecting` or `disconnected` as chosen by
   * `reconnect` (default: the option of the same name).
   * @param code - @defaultValue `1006`
   */
  simulateDisconnect(code?: number, reason?: string, options?: { reconnect?: boolean }): void;
  /** Completes a pending connection (manual `connect`, or a reconnection): `connected`, then `reconnected` when reconnecting. */
  open(): void;
  /** Fails a pending connection: its `connect()` rejects with `error`, an `error` event, status `disconnected`. */
  fail(error?: WebSocketError): void;
  /** Clears `sentMessages`, the counters and the state (back to `disconnected`); subscribers stay. */
  reset(): void;
  /** How many message and event subscribers are attached (for leak checks). */
  readonly listenerCount: { readonly messages: number; readonly events: number };
}

/**
 * Creates a mock client for tests: every method of the live client, driven by the test
 * instead of a socket. It uses no timer at all, so it works under any fake-timer
 * implementation, and with any test runner.
 *
 * @example
 * ```ts
 * const mock = createMockWebSocket<ChatMessage>();
 * await mock.connect('wss://example.com');
 * mock.simulateMessage({ type: 'chat', user: 'Alice', text: 'Hello!', timestamp: 1 });
 * await mock.send({ type: 'chat', user: 'Bob', text: 'Hi!', timestamp: 2 });
 * mock.sentMessages; // [{ type: 'chat', user: 'Bob', ... }]
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped like the clients it stands in for
export function createMockWebSocket<T = any>(options: MockWebSocketOptions = {}): MockWebSocket<T> {
  const serializer = options.serializer ?? JSONSerializer;
  const now = options.now ?? (() => Date.now());
  const messages = createListenerSet<WebSocketMessage<T>>();
  const events = createListenerSet<WebSocketEvent>();
  const sentMessages: T[] = [];

  let status: ConnectionStatus = 'disconnected';
  let url: string | null = null;
  let protocols: string[] = [];
  let attempts = 0;
  let lastError: WebSocketError | null = null;
  let connectedAt: number | null = null;
  let pending: { resolve: () => void; reject: (error: WebSocketError) => void } | null = null;
  let counters = { messagesSent: 0, messagesReceived: 0, bytesSent: 0, bytesReceived: 0, reconnects: 0, errors: 0 };

  /** Applies an event to the state, as the live client does when it emits it. */
  const apply = (event: WebSocketEvent): void => {
    switch (event.type) {
      case 'connected':
        status = 'connected';
        url = event.url;
        protocols = [...event.protocols];
        connectedAt = event.timestamp;
        break;
      case 'disconnected':
        status = 'disconnected';
        connectedAt = null;
        break;
      case 'reconnecting':
        status = 'reconnecting';
        attempts = event.attempt;
        connectedAt = null;
        break;
      case 'reconnected':
        counters.reconnects++;
        attempts = 0;
        break;
      case 'error':
        lastError = event.error;
        counters.errors++;
        if (event.error.code === WS_ERROR_CODES.MAX_RECONNECTS) status = 'failed';
    }
  };

  const emit = (event: WebSocketEvent): void => {
    apply(event);
    events.emit(event);
  };

  /** As the live client does: report the failure as an event too, and mark the promise handled. */
  const rejected = (error: WebSocketError): Promise<never> => {
    emit({ type: 'error', error, timestamp: now() });
    const promise = Promise.reject(error);
    promise.catch(() => undefined);
    return promise;
  };

  const settle = (error?: WebSocketError): void => {
    const waiting = pending;
    pending = null;
    if (error) waiting?.reject(error);
    else waiting?.resolve();
  };

  const lose = (code: number, reason: string, reconnect: boolean): void => {
    emit({ type: 'disconnected', code, reason, wasClean: code !== 1006, timestamp: now() });
    if (reconnect) emit({ type: 'reconnecting', attempt: attempts + 1, delay: 0, maxAttempts: 0, timestamp: now() });
  };

  const mock: MockWebSocket<T> = {
    sentMessages,

    async connect(provider: UrlProvider, requested: readonly string[] = []) {
      const target = typeof provider === 'function' ? await provider() : provider;
      if (typeof target !== 'string') throw new TypeError('URL must be a string or a function');
      if (status === 'connected' && target === url) return;
      url = target;
      protocols = [...requested];
      if (options.connect === 'fail') {
        const error = new WebSocketError(`Mock refused ${target}`, WS_ERROR_CODES.CONNECTION_FAILED, true);
        emit({ type: 'error', error, timestamp: now() });
        emit({ type: 'disconnected', code: 1006, reason: '', wasClean: false, timestamp: now() });
        throw error;
      }
      status = 'connecting';
      const opened = new Promise<void>((resolve, reject) => {
        pending = { resolve, reject };
      });
      if (options.connect !== 'manual') mock.open();
      return opened;
    },

    disconnect(code = 1000, reason = '') {
      const invalid = closeError(code, reason);
      if (invalid) return Promise.reject(invalid);
      settle(new WebSocketError('disconnect() was called before the connection opened', WS_ERROR_CODES.CONNECTION_FAILED));
      const was = status;
      status = 'disconnected';
      if (was !== 'disconnected') emit({ type: 'disconnected', code, reason, wasClean: true, timestamp: now() });
      return Promise.resolve();
    },

    send(message) {
      let frame;
      try {
        frame = serializer.serialize(message);
      } catch (cause) {
        return rejected(new WebSocketError('Cannot serialize', WS_ERROR_CODES.INVALID_MESSAGE, false, cause));
      }
      if (status !== 'connected') return rejected(new WebSocketError(`Not connected (${status})`, WS_ERROR_CODES.SEND_FAILED, true));
      sentMessages.push(message);
      counters.messagesSent++;
      counters.bytesSent += byteLength(frame);
      return Promise.resolve();
    },

    subscribe: (listener) => messages.add(listener),
    subscribeToEvents: (listener) => events.add(listener),

    markDead(reason) {
      if (status === 'connected') lose(1006, reason, options.reconnect ?? false);
    },

    simulateMessage(data, raw) {
      const frame = raw ?? (serializer.serialize(data) as RawData);
      counters.messagesReceived++;
      counters.bytesReceived += byteLength(frame);
      messages.emit({ data, timestamp: now(), raw: frame });
    },

    simulateEvent: emit,

    simulateError(error) {
      emit({ type: 'error', error, timestamp: now() });
    },

    simulateDisconnect(code = 1006, reason = '', override = {}) {
      lose(code, reason, override.reconnect ?? options.reconnect ?? false);
    },

    open() {
      if (status !== 'connecting' && status !== 'reconnecting') {
        throw new Error(`MockWebSocket open(): nothing to open while ${status}`);
      }
      const reconnected = attempts;
      emit({ type: 'connected', url: url ?? '', protocols: [...protocols], timestamp: now() });
      if (reconnected > 0) emit({ type: 'reconnected', attempts: reconnected, totalDelay: 0, timestamp: now() });
      settle();
    },

    fail(error = new WebSocketError('Mock connection failed', WS_ERROR_CODES.CONNECTION_FAILED, true)) {
      if (status !== 'connecting' && status !== 'reconnecting') {
        throw new Error(`MockWebSocket fail(): nothing to fail while ${status}`);
      }
      emit({ type: 'error', error, timestamp: now() });
      status = 'disconnected';
      emit({ type: 'disconnected', code: 1006, reason: error.message, wasClean: false, timestamp: now() });
      settle(error);
    },

    reset() {
      sentMessages.length = 0;
      counters = { messagesSent: 0, messagesReceived: 0, bytesSent: 0, bytesReceived: 0, reconnects: 0, errors: 0 };
      status = 'disconnected';
      url = null;
      protocols = [];
      attempts = 0;
      lastError = null;
      connectedAt = null;
      pending = null;
    },

    get listenerCount() {
      return { messages: messages.size, events: events.size };
    },

    get state() {
      return { status, url, protocols: [...protocols], reconnectAttempts: attempts, lastError, connectedAt: connectedAt === null ? null : new Date(connectedAt) };
    },

    get stats() {
      return { ...counters, uptime: connectedAt === null ? 0 : now() - connectedAt };
    },
  };
  return mock;
}
