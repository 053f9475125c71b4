/** The README's examples, as written (each in a function), so that they keep compiling. */
import { createLiveWebSocket } from '@composable-svelte/ws-core';
import { WebSocketServer } from 'ws';
import { describe, expectTypeOf, it } from 'vitest';
import { createQueuedWebSocket } from '../src/index.js';

declare function handle(message: { type: string; id: string }): void;

describe('the README compiles', () => {
  it('the smallest example', async () => {
    const websocket = createQueuedWebSocket(createLiveWebSocket({ reconnect: { maxAttempts: 0 } }), { maxSize: 100 });

    await websocket.send({ type: 'chat', text: 'Hello!' }); // not connected: queued
    // eslint-disable-next-line @typescript-eslint/no-unused-expressions -- shown as in the README
    websocket.queue.size; // 1
    await websocket.connect('wss://api.example.com'); // resolves once the queue has been sent
    expectTypeOf(websocket.queue.size).toEqualTypeOf<number>();
  });

  it('acknowledged delivery, client side', async () => {
    type Message =
      | { type: 'chat'; id: string; text: string }
      | { type: 'ack'; id: string };

    const websocket = createQueuedWebSocket(createLiveWebSocket<Message>({ reconnect: { maxAttempts: 0 } }), {
      maxSize: 500,
      ack: {
        id: (message) => message.id, // called once per send
        ackOf: (data) => (data.type === 'ack' ? data.id : undefined), // called for every received message
      },
    });
    await websocket.send({ type: 'chat', id: crypto.randomUUID(), text: 'Hello!' });
  });

  it('acknowledged delivery, server side', () => {
    const handled = new Set<string>(); // bound it in production: e.g. forget ids older than the client's ttl
    const wss = new WebSocketServer({ port: 8080 });

    wss.on('connection', (socket) => {
      socket.on('message', (raw) => {
        // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a Buffer by default in ws
        const message = JSON.parse(raw.toString()) as { type: string; id: string };
        if (!handled.has(message.id)) {
          handled.add(message.id);
          handle(message); // first copy: do the work
        }
        // Every copy is acknowledged: the ack of the first one may have been lost with the connection.
        socket.send(JSON.stringify({ type: 'ack', id: message.id }));
      });
    });
  });
});
