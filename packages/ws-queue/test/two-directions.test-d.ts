/** The decorators keep a protocol's two directions apart. */
import { createLiveWebSocket } from '@composable-svelte/ws-core';
import { createMockWebSocket, createSpyWebSocket } from '@composable-svelte/ws-testing';
import type { WebSocketMessage } from '@composable-svelte/ws-types';
import { describe, expectTypeOf, it } from 'vitest';
import { createQueuedWebSocket, type QueuedWebSocket } from '../src/index.js';

type ServerMessage = { type: 'message'; text: string } | { type: 'ack'; id: string };
interface ClientMessage { type: 'say'; text: string; id: string }

describe('two directions through the decorators', () => {
  it('live client, spy and queue send Out and deliver In', () => {
    const live = createLiveWebSocket<ServerMessage, ClientMessage>();
    const spy = createSpyWebSocket(live);
    expectTypeOf(spy.sentMessages).toEqualTypeOf<ClientMessage[]>();
    expectTypeOf(spy.receivedMessages).toEqualTypeOf<WebSocketMessage<ServerMessage>[]>();
    const queued = createQueuedWebSocket(spy, {
      ack: { id: (message) => message.id, ackOf: (data) => (data.type === 'ack' ? data.id : undefined) },
      onDrop: (message) => expectTypeOf(message).toEqualTypeOf<ClientMessage>(),
    });
    expectTypeOf(queued).toEqualTypeOf<QueuedWebSocket<ServerMessage, ClientMessage>>();
    expectTypeOf(queued.queue.peek()).toEqualTypeOf<ClientMessage[]>();
    void queued.send({ type: 'say', text: 'hi', id: '1' });
    // @ts-expect-error the server's acks cannot be sent
    void queued.send({ type: 'ack', id: '1' });
    queued.subscribe((message) => expectTypeOf(message.data).toEqualTypeOf<ServerMessage>());
  });

  it('the mock records Out and simulates In', () => {
    const mock = createMockWebSocket<ServerMessage, ClientMessage>();
    expectTypeOf(mock.sentMessages).toEqualTypeOf<ClientMessage[]>();
    // @ts-expect-error the server does not send `say`
    mock.simulateMessage({ type: 'say', text: 'x', id: '1' });
    const fromClient = (data: ClientMessage): string => data.id;
    // @ts-expect-error an ack id is read from the server's messages, not from the client's
    createQueuedWebSocket(mock, { ack: { id: (message) => message.id, ackOf: fromClient } });
  });
});
