/**
 * The queue over ws-core's live client and real `ws` servers on 127.0.0.1 (port 0): queued
 * messages survive a server restart in order, and acknowledged delivery loses nothing across
 * forced drops. No sleeps: every wait is on an event or `expect.poll`.
 */
import { createLiveWebSocket, type ReconnectConfig } from '@composable-svelte/ws-core';
import { waitForEvent } from '@composable-svelte/ws-testing';
import { startTestServer, type TestServer, type TestServerOptions } from '@composable-svelte/ws-testing/server';
import { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { createQueuedWebSocket } from '../src/index.js';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function server(options: TestServerOptions = {}): Promise<TestServer> {
  const started = await startTestServer(options);
  cleanup.push(() => started.stop());
  return started;
}

const reconnect: ReconnectConfig = { initialDelay: 5, maxDelay: 20, jitter: false, maxAttempts: 0, minUptime: 0 };

function live<T>() {
  const client = createLiveWebSocket<T>({ WebSocket, reconnect });
  cleanup.push(() => client.disconnect().catch(() => undefined));
  return client;
}

/** A seeded PRNG (mulberry32), so the server's choices repeat from run to run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('over ws-core against a real ws server', () => {
  it("runs the guide's example: sends queued before connect() go out once it resolves", async () => {
    const echo = await server({ reply: () => undefined });
    const websocket = createQueuedWebSocket(createLiveWebSocket({ WebSocket }), { maxSize: 100, dropStrategy: 'oldest' });
    cleanup.push(() => websocket.disconnect());
    await websocket.send({ type: 'chat', text: 'Message 1' });
    await websocket.send({ type: 'chat', text: 'Message 2' });
    expect(websocket.queue.size).toBe(2);
    expect(websocket.queue.isFull).toBe(false);
    await websocket.connect(echo.url);
    expect(websocket.queue.size).toBe(0);
    await expect
      .poll(() => echo.received.map((frame) => JSON.parse(frame.data as string) as unknown))
      .toEqual([
        { type: 'chat', text: 'Message 1' },
        { type: 'chat', text: 'Message 2' },
      ]);
  });

  it('delivers messages queued while the server was down, in order, after it restarts on the same port', async () => {
    const target = await server({ reply: () => undefined });
    const queued = createQueuedWebSocket(live<string>());
    await queued.connect(target.url);
    await queued.send('before');
    await expect.poll(() => target.received.length).toBe(1);

    const lost = waitForEvent(queued, 'disconnected');
    await target.stop();
    await lost;
    await waitForEvent(queued, 'error'); // an attempt was refused while the server is down
    for (const message of ['q1', 'q2', 'q3']) await queued.send(message);
    expect(queued.queue.peek()).toEqual(['q1', 'q2', 'q3']);
    // A listener that sends as soon as the connection is back comes after the queue.
    queued.subscribeToEvents((event) => {
      if (event.type === 'connected') void queued.send('after');
    });

    const reconnected = waitForEvent(queued, 'reconnected');
    await target.restart();
    await reconnected;
    await expect
      .poll(() => target.received.map((frame) => JSON.parse(frame.data as string) as unknown))
      .toEqual(['before', 'q1', 'q2', 'q3', 'after']);
    expect(queued.queue.size).toBe(0);
  });

  it('with acks, loses nothing across 20 forced drops: every id arrives, once and in order after dedup', async () => {
    type Message = { id: number } | { ack: number };
    const TOTAL = 400;
    const DROPS = 20;
    const chance = random(2026);
    const arrivals: number[] = [];
    let drops = 0;
    const target = await server({
      reply: (data, socket) => {
        // Frames already read from a socket this server has just terminated: they never arrived.
        if (socket.readyState !== WebSocket.OPEN) return undefined;
        const { id } = JSON.parse(data as string) as { id: number };
        arrivals.push(id);
        const roll = chance();
        if (drops < DROPS && roll < 0.15) {
          drops++;
          // Half the time the ack goes out first (and may be lost with the socket), half the
          // time the message is never acknowledged: either way the client must resend.
          if (roll < 0.075) socket.send(JSON.stringify({ ack: id }));
          socket.terminate();
          return undefined;
        }
        // Duplicates are acknowledged again: the first copy may have been acknowledged on a dead socket.
        return JSON.stringify({ ack: id });
      },
    });
    const client = live<Message>();
    const queued = createQueuedWebSocket(client, {
      maxSize: TOTAL,
      ack: { id: (message) => String('id' in message ? message.id : -1), ackOf: (data) => ('ack' in data ? String(data.ack) : undefined) },
    });
    await queued.connect(target.url);

    for (let id = 0; id < TOTAL; id++) {
      await queued.send({ id });
      // Let the sockets work now and then, so that drops land in the middle of the stream.
      if (id % 8 === 0) await new Promise((resolve) => setImmediate(resolve));
    }

    await expect.poll(() => queued.queue.size, { timeout: 30_000 }).toBe(0);
    expect(drops).toBe(DROPS);
    expect(client.stats.reconnects).toBe(DROPS);
    const firstCopies = [...new Set(arrivals)];
    expect(firstCopies).toEqual(Array.from({ length: TOTAL }, (_, id) => id));
    expect(arrivals.length).toBeGreaterThan(TOTAL); // some were sent again
  }, 60_000);
});
