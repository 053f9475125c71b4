/**
 * The guide's examples that concern the live client, as written except for imports (each
 * snippet in its own function, so that their top-level `await`s and repeated names compile).
 * Type-checked by vitest's typecheck mode; the behaviour is tested in live-client.test.ts.
 */
import { JSONSerializer, WebSocketError, WS_ERROR_CODES, type MessageSerializer, type WebSocketClient } from '@composable-svelte/ws-types';
import { describe, expectTypeOf, it } from 'vitest';
import { createLiveWebSocket, type LiveWebSocketClient, type LiveWebSocketConfig } from '../src/index.js';

declare function showTimeoutMessage(): void;
declare function showConnectionError(): void;
declare function showReconnectButton(): void;
declare function queueMessage(message: unknown): void;
declare const encoder: { encode(value: unknown): ArrayBuffer };
declare const decoder: { decode<T>(data: ArrayBuffer): T };

describe('the guide compiles against ws-core', () => {
  it('Quick Start and Basic Client', async () => {
    const websocket = createLiveWebSocket({
      reconnect: {
        enabled: true,
        maxAttempts: 5,
        initialDelay: 1000
      }
    });
    await websocket.connect('wss://api.example.com');
    websocket.subscribe((message) => {
      console.log('Message received:', message.data);
    });
    await websocket.send({ type: 'chat', text: 'Hello!' });

    const basic = createLiveWebSocket();
    await basic.connect('wss://api.example.com');
  });

  it('Full Configuration', () => {
    const websocket = createLiveWebSocket({
      reconnect: {
        enabled: true,
        maxAttempts: 5,
        initialDelay: 1000,
        maxDelay: 30000,
        backoffMultiplier: 2,
        jitter: true
      },
      heartbeat: {
        enabled: true,
        interval: 30000,
        timeout: 5000,
        pingMessage: 'PING',
        pongMessage: 'PONG'
      },
      serializer: JSONSerializer,
      connectionTimeout: 10000,
      queueSize: 100
    });
    expectTypeOf(websocket).toExtend<WebSocketClient>();
  });

  it('Custom Message Types', () => {
    interface ChatMessage {
      type: 'chat';
      user: string;
      text: string;
      timestamp: number;
    }
    interface StatusMessage {
      type: 'status';
      online: boolean;
    }
    type Message = ChatMessage | StatusMessage;
    const websocket = createLiveWebSocket<Message>({
      reconnect: { enabled: true }
    });
    websocket.subscribe((message) => {
      switch (message.data.type) {
        case 'chat':
          console.log(message.data.text);
          break;
        case 'status':
          console.log(message.data.online);
          break;
      }
    });
    // A WebSocketClient<Message>, plus the live client's own extras (network, nextRetryAt, dispose).
    expectTypeOf(websocket).toExtend<WebSocketClient<Message>>();
    expectTypeOf(websocket).toEqualTypeOf<LiveWebSocketClient<Message>>();
  });

  it('Connection Lifecycle, State and Statistics', async () => {
    const websocket = createLiveWebSocket();
    await websocket.connect('wss://api.example.com');
    await websocket.connect('wss://api.example.com', ['chat', 'v1']);
    console.log(websocket.state.status);
    console.log(websocket.state.url);
    console.log(websocket.state.protocols);
    await websocket.disconnect();
    await websocket.disconnect(1000, 'User logged out');
    const state = websocket.state;
    console.log(state.status, state.reconnectAttempts, state.connectedAt);
    const stats = websocket.stats;
    console.log(stats.messagesSent, stats.reconnects, stats.uptime);
    expectTypeOf(state.lastError).toEqualTypeOf<WebSocketError | null>();
  });

  it('Sending Messages and Error Handling', async () => {
    interface Message {
      type: 'chat';
      text: string;
    }
    const websocket = createLiveWebSocket<Message>();
    await websocket.send({ type: 'chat', text: 'Hello!' });
    try {
      await websocket.send({ type: 'chat', text: 'Hello!' });
    } catch (error) {
      if (error instanceof WebSocketError) {
        if (error.code === WS_ERROR_CODES.SEND_FAILED) {
          console.log('Not connected - queue message');
          queueMessage({ type: 'chat', text: 'Hello!' });
        }
      }
    }
    try {
      await websocket.connect('wss://api.example.com');
    } catch (error) {
      if (error instanceof WebSocketError) {
        console.log(error.code);
        console.log(error.recoverable);
        console.log(error.cause);
        if (error.code === WS_ERROR_CODES.CONNECTION_TIMEOUT) {
          showTimeoutMessage();
        } else if (error.code === WS_ERROR_CODES.CONNECTION_FAILED) {
          showConnectionError();
        }
      }
    }
    // @ts-expect-error the client only sends its message type
    void websocket.send({ type: 'status', online: true });
  });

  it('Receiving Messages and Connection Events', () => {
    const websocket = createLiveWebSocket();
    const unsubscribe = websocket.subscribe((message) => {
      console.log('Received:', message.data);
      console.log('Timestamp:', message.timestamp);
      console.log('Raw:', message.raw);
    });
    unsubscribe();
    const off = websocket.subscribeToEvents((event) => {
      // As the guide writes it: the `network` event (after the guide) needs no case here.
      // eslint-disable-next-line @typescript-eslint/switch-exhaustiveness-check
      switch (event.type) {
        case 'connected':
          console.log('Connected to:', event.url);
          break;
        case 'disconnected':
          console.log('Disconnected:', event.reason);
          if (!event.wasClean) {
            console.log('Unexpected disconnect');
          }
          break;
        case 'error':
          console.error('WebSocket error:', event.error);
          break;
        case 'reconnecting':
          console.log(`Reconnecting (${event.attempt}/${event.maxAttempts})...`);
          console.log(`Waiting ${event.delay}ms`);
          break;
        case 'reconnected':
          console.log(`Reconnected after ${event.attempts} attempts`);
          break;
      }
    });
    off();
    websocket.subscribeToEvents((event) => {
      if (event.type === 'error') {
        const error = event.error;
        if (error.code === WS_ERROR_CODES.INVALID_MESSAGE) {
          console.error('Invalid message format:', error.cause);
        } else if (error.code === WS_ERROR_CODES.MAX_RECONNECTS) {
          console.error('Max reconnects exceeded - giving up');
          showReconnectButton();
        }
      }
    });
  });

  it('Reconnection: disabled, infinite and manual', () => {
    createLiveWebSocket({ reconnect: { enabled: false } });
    createLiveWebSocket({ reconnect: { enabled: true, maxAttempts: 0 } });
    const websocket = createLiveWebSocket();
    websocket.subscribeToEvents((event) => {
      if (event.type === 'disconnected' && !event.wasClean) {
        setTimeout(() => {
          websocket.connect(websocket.state.url!);
        }, 5000);
      }
    });
  });

  it('Binary Messages', () => {
    const binarySerializer: MessageSerializer = {
      serialize<T>(message: T): ArrayBuffer {
        return encoder.encode(message);
      },
      deserialize<T>(data: string | ArrayBuffer | Blob): T {
        if (data instanceof ArrayBuffer) {
          return decoder.decode(data);
        }
        throw new Error('Expected ArrayBuffer');
      }
    };
    createLiveWebSocket({ serializer: binarySerializer });
  });

  it('Request/Response and Connection Pool', () => {
    interface Response {
      id: string;
      result?: unknown;
      error?: string;
    }
    const websocket = createLiveWebSocket();
    const pendingRequests = new Map<string, (response: Response) => void>();
    websocket.subscribe((message) => {
      const response = message.data as Response;
      const callback = pendingRequests.get(response.id);
      if (callback) {
        callback(response);
        pendingRequests.delete(response.id);
      }
    });

    class WebSocketPool {
      private clients: Map<string, WebSocketClient> = new Map();
      getClient(url: string): WebSocketClient {
        if (!this.clients.has(url)) {
          const client = createLiveWebSocket({ reconnect: { enabled: true } });
          client.connect(url);
          this.clients.set(url, client);
        }
        return this.clients.get(url)!;
      }
    }
    expectTypeOf(new WebSocketPool().getClient('wss://x')).toEqualTypeOf<WebSocketClient>();
  });
});

describe('configuration', () => {
  it('accepts the guide\'s full configuration', () => {
    const config = {
      reconnect: { enabled: true, maxAttempts: 5, initialDelay: 1000, maxDelay: 30000, backoffMultiplier: 2, jitter: true },
      heartbeat: { enabled: true, interval: 30000, timeout: 5000, pingMessage: 'PING', pongMessage: 'PONG' },
      serializer: JSONSerializer,
      connectionTimeout: 10000,
      queueSize: 100,
    } satisfies LiveWebSocketConfig;
    expectTypeOf(config).toExtend<LiveWebSocketConfig>();
    expectTypeOf({ reconnect: { enabled: true, maxAttempts: 5 } }).toExtend<LiveWebSocketConfig>();
    // @ts-expect-error unknown option
    const bad: LiveWebSocketConfig = { retries: 3 };
    void bad;
  });
});
