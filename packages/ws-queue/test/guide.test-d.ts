/**
 * The guide's examples that concern the queue, as written except for imports (each snippet in
 * its own function, so that their top-level `await`s and repeated names compile).
 * Type-checked by vitest's typecheck mode; the behaviour is run in integration.test.ts
 * ("runs the guide's example") and queued-websocket.test.ts.
 */
import { createLiveWebSocket } from '@composable-svelte/ws-core';
import type { WebSocketClient } from '@composable-svelte/ws-types';
import type { DropReason, QueueConfig } from '../src/index.js';
import { describe, expectTypeOf, it } from 'vitest';
import { createQueuedWebSocket, DEFAULT_QUEUE, type MessageQueue, type QueuedWebSocket } from '../src/index.js';

describe('the guide compiles against ws-queue', () => {
  it('Queued Messages', async () => {
    const websocket = createQueuedWebSocket(
      createLiveWebSocket(),
      { maxSize: 100 }
    );

    // Send while disconnected - queued automatically
    await websocket.send({ type: 'chat', text: 'Hello!' });

    // Connect later - queue flushes automatically
    await websocket.connect('wss://api.example.com');
  });

  it('Create Queued WebSocket and Manual Queue Management', async () => {
    const websocket = createQueuedWebSocket(
      createLiveWebSocket(),
      {
        maxSize: 100,  // Queue up to 100 messages
        dropStrategy: 'oldest' // Drop oldest when full
      }
    );

    // Send while disconnected - queued automatically
    await websocket.send({ type: 'chat', text: 'Message 1' });
    await websocket.send({ type: 'chat', text: 'Message 2' });

    console.log(websocket.queue.size); // 2
    console.log(websocket.queue.isFull); // false

    // Connect - queue flushes automatically
    await websocket.connect('wss://api.example.com');
    // Both messages sent
    console.log(websocket.queue.size); // 0

    // Peek at queue
    const messages = websocket.queue.peek();
    console.log(messages);

    // Clear queue
    websocket.queue.clear();

    // Check if full
    if (websocket.queue.isFull) {
      console.log('Queue full - dropping messages');
    }
  });
});

describe('the types of ws-queue', () => {
  interface Chat {
    type: 'chat';
    id: string;
    text: string;
  }
  interface Ack {
    type: 'ack';
    id: string;
  }
  type Message = Chat | Ack;

  it('returns a client of the same message type, plus the queue', () => {
    const websocket = createQueuedWebSocket(createLiveWebSocket<Message>());
    expectTypeOf(websocket).toExtend<WebSocketClient<Message>>();
    expectTypeOf(websocket).toEqualTypeOf<QueuedWebSocket<Message>>();
    expectTypeOf(websocket.queue).toEqualTypeOf<MessageQueue<Message>>();
    expectTypeOf(websocket.queue.peek()).toEqualTypeOf<Message[]>();
    expectTypeOf<Parameters<typeof websocket.send>[0]>().toEqualTypeOf<Message>();
    // @ts-expect-error -- a message of the wrong type
    void websocket.send({ type: 'other' });
  });

  it('takes a number or a typed config; ack and onDrop see typed messages', () => {
    const client = createLiveWebSocket<Message>();
    createQueuedWebSocket(client, 50);
    const config: QueueConfig<Message> = {
      maxSize: 500,
      dropStrategy: 'reject',
      ttl: 60_000,
      onDrop: (message, reason) => {
        expectTypeOf(message).toEqualTypeOf<Message>();
        expectTypeOf(reason).toEqualTypeOf<DropReason>();
      },
      ack: { id: (message) => message.id, ackOf: (data) => (data.type === 'ack' ? data.id : undefined) },
      timers: { now: () => 0 },
    };
    createQueuedWebSocket(client, config);
    // @ts-expect-error -- not a strategy
    createQueuedWebSocket(client, { dropStrategy: 'random' });
    expectTypeOf(DEFAULT_QUEUE.maxSize).toEqualTypeOf<number>();
  });
});
