import { describe, expectTypeOf, it } from 'vitest';
import { WebSocket as NodeWebSocket } from 'ws';
import type {
  ConnectionStatus,
  MessageSerializer,
  WebSocketClient,
  WebSocketConstructor,
  WebSocketEvent,
  WebSocketMessage,
} from './index.js';
import { JSONSerializer } from './index.js';

// The guide's "Custom Message Types".
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

declare const websocket: WebSocketClient<Message>;

describe('typed messages', () => {
  it('narrows a subscriber by the discriminant, as in the guide', () => {
    websocket.subscribe((message) => {
      expectTypeOf(message).toEqualTypeOf<WebSocketMessage<Message>>();
      switch (message.data.type) {
        case 'chat':
          expectTypeOf(message.data.text).toEqualTypeOf<string>();
          // @ts-expect-error a chat message has no `online`
          void message.data.online;
          break;
        case 'status':
          expectTypeOf(message.data.online).toEqualTypeOf<boolean>();
          break;
      }
    });
  });

  it('accepts a message of the type and refuses others', () => {
    void websocket.send({ type: 'chat', user: 'a', text: 'Hello!', timestamp: 1 });
    void websocket.send({ type: 'status', online: true });
    // @ts-expect-error missing `user` and `timestamp`
    void websocket.send({ type: 'chat', text: 'Hello!' });
    // @ts-expect-error unknown discriminant
    void websocket.send({ type: 'typing' });
    // @ts-expect-error wrong field type
    void websocket.send({ type: 'status', online: 'yes' });
  });

  it('leaves an untyped client open to any message, as the guide uses it', () => {
    const untyped = {} as WebSocketClient;
    void untyped.send({ type: 'chat', text: 'Hello!' });
    untyped.subscribe((message) => {
      expectTypeOf(message.timestamp).toBeNumber();
    });
  });

  it('narrows events by type', () => {
    websocket.subscribeToEvents((event) => {
      expectTypeOf(event).toEqualTypeOf<WebSocketEvent>();
      if (event.type === 'reconnecting') expectTypeOf(event.delay).toBeNumber();
      if (event.type === 'disconnected') expectTypeOf(event.wasClean).toBeBoolean();
      if (event.type === 'error') expectTypeOf(event.error.code).toBeString();
    });
    expectTypeOf(websocket.state.status).toEqualTypeOf<ConnectionStatus>();
    expectTypeOf<WebSocketClient['markDead']>().parameters.toEqualTypeOf<[reason: string]>();
  });
});

describe('configuration and platform', () => {
  it('accepts the browser WebSocket and ws\'s WebSocket as the constructor', () => {
    const browser: WebSocketConstructor = globalThis.WebSocket;
    const node: WebSocketConstructor = NodeWebSocket;
    expectTypeOf(browser).toEqualTypeOf(node);
    // @ts-expect-error a constructor without `send` is not a WebSocket
    const notSocket: WebSocketConstructor = class { readyState = 0; };
    void notSocket;
  });

  it('accepts the guide\'s binary serializer shape', () => {
    const encoder = { encode: (_value: unknown) => new ArrayBuffer(1) };
    const decoder = { decode: <T>(_data: ArrayBuffer) => ({}) as T };
    const binarySerializer: MessageSerializer = {
      serialize<T>(message: T): ArrayBuffer {
        return encoder.encode(message);
      },
      deserialize<T>(data: string | ArrayBuffer | Blob): T {
        if (data instanceof ArrayBuffer) {
          return decoder.decode<T>(data);
        }
        throw new Error('Expected ArrayBuffer');
      },
    };
    expectTypeOf(binarySerializer).toExtend<MessageSerializer>();
  });

  it('makes JSONSerializer a MessageSerializer', () => {
    expectTypeOf(JSONSerializer).toExtend<MessageSerializer>();
  });
});

describe('two directions', () => {
  type ServerMessage = { type: 'message'; text: string } | { type: 'ack'; id: string };
  interface ClientMessage {
    type: 'say';
    text: string;
    id: string;
  }

  it('sends Out and receives In', () => {
    const client = {} as WebSocketClient<ServerMessage, ClientMessage>;
    void client.send({ type: 'say', text: 'hi', id: '1' });
    // @ts-expect-error an inbound-only message cannot be sent
    void client.send({ type: 'ack', id: '1' });
    client.subscribe((message) => expectTypeOf(message.data).toEqualTypeOf<ServerMessage>());
  });

  it('defaults Out to In, so one type serves both directions as in the guide', () => {
    expectTypeOf<WebSocketClient<ServerMessage>>().toEqualTypeOf<WebSocketClient<ServerMessage, ServerMessage>>();
    const client = {} as WebSocketClient<ServerMessage>;
    void client.send({ type: 'ack', id: '1' });
  });
});
