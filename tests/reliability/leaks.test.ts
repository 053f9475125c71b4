/**
 * Leaks: 10,000 connect/send/disconnect cycles against a real `ws` server through the full stack
 * (live + heartbeat + router + queue with acknowledged delivery), a fresh stack each cycle.
 * After GC the heap has grown by less than 2 MB, no timer is pending, every client socket has
 * closed with no listener left, and the server has seen every socket close.
 *
 * Needs `--expose-gc` (set for this project in vitest.config.ts): without it the test fails.
 */
import { createLiveWebSocket } from '@composable-svelte/ws-core';
import { createHeartbeat } from '@composable-svelte/ws-heartbeat';
import { createQueuedWebSocket } from '@composable-svelte/ws-queue';
import { createChannelWebSocket } from '@composable-svelte/ws-router';
import { WebSocket, WebSocketServer } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { collectGarbage, countingTimers, envInt, within } from './support.js';

type Frame = { type: 'msg'; id: string } | { type: 'ack'; id: string; channel: 'acks' } | { type: 'ping' } | { type: 'pong' };

const CYCLES = envInt('LEAK_CYCLES', 10_000);
const WARMUP = 500;
/** Cycles run side by side, so the run stays well under a minute on a busy 2-core machine. */
const LANES = 4;
const MAX_GROWTH = 2 * 1024 * 1024;

const cleanup: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** Heap used after full garbage collections, once pending callbacks have run. */
async function settledHeap(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    collectGarbage();
  }
  return process.memoryUsage().heapUsed;
}

describe(`leaks: ${CYCLES} connect/send/disconnect cycles through live + heartbeat + router + queue`, () => {
  it('keeps the heap flat, leaves no timer or listener, and closes every socket on both sides', async () => {
    collectGarbage(); // fails here, not later, when gc is not exposed
    const started = performance.now();

    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', resolve));
    cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { port } = server.address() as { port: number };
    let opened = 0;
    let closed = 0;
    server.on('connection', (socket) => {
      opened++;
      socket.on('close', () => closed++);
      socket.on('message', (raw) => {
        const frame = JSON.parse((raw as Buffer).toString('utf8')) as Frame;
        if (frame.type === 'ping') socket.send('{"type":"pong"}');
        else if (frame.type === 'msg') socket.send(JSON.stringify({ type: 'ack', id: frame.id, channel: 'acks' }));
      });
    });

    // Client sockets are counted, never kept: keeping them would be the leak.
    let clientOpened = 0;
    let clientClosed = 0;
    let listenersLeft = 0;
    class Counted extends WebSocket {
      constructor(...args: ConstructorParameters<typeof WebSocket>) {
        super(...args);
        clientOpened++;
        // Runs after the client's own close handler, which lets go of the socket.
        this.on('close', () => {
          clientClosed++;
          queueMicrotask(() => {
            listenersLeft += ['open', 'message', 'error'].reduce((sum, name) => sum + this.listenerCount(name), 0) + this.listenerCount('close') - 1;
          });
        });
      }
    }

    const timers = countingTimers();
    const url = `ws://127.0.0.1:${port}`;
    const cycle = async (n: number): Promise<void> => {
      const live = createLiveWebSocket<Frame>({ WebSocket: Counted, timers, reconnect: { initialDelay: 10, jitter: false } });
      const heartbeat = createHeartbeat(live, { interval: 20, timeout: 1000, pingMessage: { type: 'ping' }, pongMessage: { type: 'pong' }, autoStart: true, timers });
      const routed = createChannelWebSocket(heartbeat, (frame) => ('channel' in frame ? frame.channel : undefined));
      const client = createQueuedWebSocket(routed, {
        maxSize: 10,
        timers,
        ack: { id: (frame) => ('id' in frame ? frame.id : ''), ackOf: (frame) => (frame.type === 'ack' ? frame.id : undefined) },
      });
      const id = `c${n}`;
      const acked = new Promise<void>((resolve) => {
        const off = routed.router.subscribe('acks', ({ data }) => {
          if ('id' in data && data.id === id) {
            off();
            resolve();
          }
        });
      });
      await client.connect(url);
      await client.send({ type: 'msg', id });
      await acked;
      if (client.queue.size !== 0) throw new Error(`cycle ${n}: the acknowledged message is still queued`);
      await client.disconnect();
    };
    const run = async (from: number, count: number): Promise<void> => {
      await Promise.all(
        Array.from({ length: LANES }, async (_, lane) => {
          for (let n = from + lane; n < from + count; n += LANES) await cycle(n);
        }),
      );
    };

    await within(run(0, WARMUP), 60_000, `${WARMUP} warm-up cycles`);
    const before = await settledHeap();
    await within(run(WARMUP, CYCLES), 120_000, `${CYCLES} cycles`);
    await within(
      new Promise<void>((resolve) => {
        const check = (): void => {
          if (closed === opened && server.clients.size === 0) resolve();
          else setImmediate(check);
        };
        check();
      }),
      10_000,
      `the server sees every socket closed (${closed} of ${opened})`,
    );
    const after = await settledHeap();

    const total = WARMUP + CYCLES;
    const figures = {
      cycles: CYCLES,
      heapGrowthKiB: Math.round((after - before) / 1024),
      timersCreated: timers.created,
      timersPending: timers.pending,
      serverOpened: opened,
      serverClosed: closed,
      seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
    };
    console.log(`leaks: ${JSON.stringify(figures)}`);
    expect(after - before).toBeLessThan(MAX_GROWTH);
    expect(timers.pending).toBe(0);
    expect({ clientOpened, clientClosed, listenersLeft }).toEqual({ clientOpened: total, clientClosed: total, listenersLeft: 0 });
    expect({ opened, closed, open: server.clients.size }).toEqual({ opened: total, closed: total, open: 0 });
  });
});
