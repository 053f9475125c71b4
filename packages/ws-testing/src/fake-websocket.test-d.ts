import type { CloseInfo, SerializedData, WebSocketConstructor, WebSocketLike } from '@composable-svelte/ws-types';
import { describe, expectTypeOf, it } from 'vitest';
import {
  createFakeWebSocket,
  type FakeWebSocket,
  type FakeWebSocketClass,
  type FakeWebSocketControls,
  type FakeWebSocketOptions,
} from './index.js';

describe('createFakeWebSocket types', () => {
  it('gives a constructor assignable to WebSocketConstructor', () => {
    const fake = createFakeWebSocket();
    const ctor: WebSocketConstructor = fake.WebSocket;
    void ctor;
    expectTypeOf(fake.WebSocket).toExtend<WebSocketConstructor>();
    expectTypeOf<FakeWebSocketClass>().toExtend<WebSocketConstructor>();
    expectTypeOf<FakeWebSocket>().toExtend<WebSocketLike>();
    expectTypeOf(new fake.WebSocket('ws://x')).toEqualTypeOf<FakeWebSocket>();
    expectTypeOf(fake.WebSocket.OPEN).toEqualTypeOf<1>();
  });

  it('returns the controls and takes the options', () => {
    expectTypeOf(createFakeWebSocket).returns.toEqualTypeOf<FakeWebSocketControls>();
    expectTypeOf(createFakeWebSocket).parameter(0).toEqualTypeOf<FakeWebSocketOptions | undefined>();
    expectTypeOf<FakeWebSocketControls['sockets']>().toEqualTypeOf<readonly FakeWebSocket[]>();
    expectTypeOf<FakeWebSocketControls['last']>().returns.toEqualTypeOf<FakeWebSocket>();
    // @ts-expect-error only 'auto' and 'manual'
    createFakeWebSocket({ closeHandshake: 'never' });
  });

  it('types events per type, and the test-side records', () => {
    const socket = createFakeWebSocket().last();
    socket.addEventListener('message', (event) => {
      expectTypeOf(event.data).toEqualTypeOf<string | ArrayBuffer | Blob>();
      expectTypeOf(event.target).toEqualTypeOf<FakeWebSocket>();
    });
    socket.addEventListener('close', (event) => {
      expectTypeOf(event).toExtend<CloseInfo>();
    });
    socket.onclose = (event) => {
      expectTypeOf(event.wasClean).toBeBoolean();
    };
    expectTypeOf(socket.readyState).toEqualTypeOf<0 | 1 | 2 | 3>();
    expectTypeOf(socket.sent).toEqualTypeOf<SerializedData[]>();
    expectTypeOf(socket.requestedProtocols).toEqualTypeOf<readonly string[]>();
    expectTypeOf(socket.binaryType).toEqualTypeOf<'blob' | 'arraybuffer'>();
    // @ts-expect-error not a binary type
    socket.binaryType = 'nodebuffer';
    // @ts-expect-error a number is not a frame
    socket.send(42);
    // @ts-expect-error the server sends strings or bytes
    socket.receive({ type: 'chat' });
  });
});
