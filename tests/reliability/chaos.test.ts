/**
 * Chaos run: ws-core + heartbeat + queue with acknowledged delivery send numbered messages to a
 * real `ws` server through ws-testing's fault proxy while a seeded schedule injects faults.
 * Nothing may be lost, order survives deduplication, reconnects follow the backoff policy, and
 * nothing outlives `disconnect()`.
 *
 * Short by default (in `pnpm test`); the long run is
 * `CHAOS_MESSAGES=5000 CHAOS_FAULTS=100 vitest run --project reliability chaos`. `CHAOS_SEED`
 * replays a schedule.
 */
import { createLiveWebSocket } from '@composable-svelte/ws-core';
import { createHeartbeat } from '@composable-svelte/ws-heartbeat';
import { createQueuedWebSocket } from '@composable-svelte/ws-queue';
import { waitForEvent } from '@composable-svelte/ws-testing';
import { startFaultProxy, startTestServer, type FaultProxy, type TestServer } from '@composable-svelte/ws-testing/server';
import type { WebSocketConstructor, WebSocketEvent } from '@composable-svelte/ws-types';
import { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { countingTimers, envInt, mulberry32, within } from './support.js';

type Frame =
  | { type: 'msg'; id: string; n: number }
  | { type: 'ack'; id: string }
  | { type: 'ping' }
  | { type: 'pong' };

const MESSAGES = envInt('CHAOS_MESSAGES', 300);
const FAULTS = envInt('CHAOS_FAULTS', Math.max(20, Math.round(MESSAGES / 50)));
const SEED = envInt('CHAOS_SEED', 20_260_901);

const RECONNECT = { initialDelay: 5, backoffMultiplier: 2, maxDelay: 40, jitter: false, maxAttempts: 0, minUptime: 250 } as const;
/** A pong is due 40 ms after the last one; 400 ms without one is a loss, even on a busy machine. */
const HEARTBEAT = { interval: 40, timeout: 400 } as const;
/** Generous bound of each phase: a stuck phase fails with its name instead of hanging. */
const PHASE = 20_000;

const KINDS = ['drop', 'blackhole', 'restart', 'refuse', 'latency'] as const;
type Kind = (typeof KINDS)[number];

const nominal = (attempt: number): number =>
  Math.min(RECONNECT.initialDelay * RECONNECT.backoffMultiplier ** (attempt - 1), RECONNECT.maxDelay);

/** `ws`'s WebSocket, remembering every instance and counting the `msg` frames written. */
function recordingWebSocket(): { Ctor: WebSocketConstructor; sockets: WebSocket[]; written: () => number } {
  const sockets: WebSocket[] = [];
  let written = 0;
  class Recording extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols);
      sockets.push(this);
      const send = this.send.bind(this);
      this.send = ((data: unknown, ...rest: unknown[]) => {
        if (typeof data === 'string' && data.startsWith('{"type":"msg"')) written++;
        (send as (...args: unknown[]) => void)(data, ...rest);
      }) as WebSocket['send'];
    }
  }
  return { Ctor: Recording, sockets, written: () => written };
}

const cleanup: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

describe(`chaos: ${MESSAGES} messages, ${FAULTS} faults, seed ${SEED}`, () => {
  it('delivers every message exactly once after dedup, in order, through every kind of fault', async () => {
    const started = performance.now();
    const random = mulberry32(SEED);

    // The server: records every id received, acknowledges every copy, answers pings.
    const log: number[] = [];
    const seen = new Set<number>();
    /** Resolvers waiting for the server to receive a given message number. */
    const arrivals = new Map<number, () => void>();
    const arrived = (n: number): Promise<void> =>
      seen.has(n)
        ? Promise.resolve()
        : new Promise((resolve) =>
            arrivals.set(n, () => {
              arrivals.delete(n);
              resolve();
            }),
          );
    let allSeen: () => void = () => undefined;
    const complete = new Promise<void>((resolve) => (allSeen = resolve));
    const server: TestServer = await startTestServer({
      reply(data) {
        if (typeof data !== 'string') return undefined;
        const frame = JSON.parse(data) as Frame;
        if (frame.type === 'ping') return JSON.stringify({ type: 'pong' });
        if (frame.type !== 'msg') return undefined;
        log.push(frame.n);
        seen.add(frame.n);
        arrivals.get(frame.n)?.();
        if (seen.size === MESSAGES) allSeen();
        return JSON.stringify({ type: 'ack', id: frame.id });
      },
    });
    cleanup.push(() => server.stop());
    const proxy: FaultProxy = await startFaultProxy({ target: server.url });
    cleanup.push(() => proxy.stop());

    // The client stack.
    const timers = countingTimers();
    const { Ctor, sockets, written } = recordingWebSocket();
    const live = createLiveWebSocket<Frame>({ WebSocket: Ctor, reconnect: RECONNECT, connectionTimeout: 1000, timers });
    const heartbeat = createHeartbeat(live, { ...HEARTBEAT, pingMessage: { type: 'ping' }, pongMessage: { type: 'pong' }, autoStart: true, timers });
    const dropped: unknown[] = [];
    const client = createQueuedWebSocket(heartbeat, {
      maxSize: MESSAGES + 10,
      dropStrategy: 'reject',
      onDrop: (message) => dropped.push(message),
      timers,
      ack: { id: (message) => (message.type === 'msg' ? message.id : ''), ackOf: (data) => (data.type === 'ack' ? data.id : undefined) },
    });
    cleanup.push(() => client.disconnect().catch(() => undefined));
    const events: WebSocketEvent[] = [];
    client.subscribeToEvents((event) => events.push(event));
    const acked = new Set<string>();
    let ackWaiter: { id: string; resolve: () => void } | null = null;
    client.subscribe(({ data }) => {
      if (data.type !== 'ack') return;
      acked.add(data.id);
      if (ackWaiter?.id === data.id) ackWaiter.resolve();
    });
    const ackOf = (id: string): Promise<void> =>
      acked.has(id) ? Promise.resolve() : new Promise((resolve) => (ackWaiter = { id, resolve }));

    await within(client.connect(proxy.url), PHASE, 'first connect');

    const faults: Record<Kind, number> = { drop: 0, blackhole: 0, restart: 0, refuse: 0, latency: 0 };
    let next = 0;
    const sendChunk = async (count: number): Promise<string | null> => {
      let last: string | null = null;
      for (let i = 0; i < count && next < MESSAGES; i++, next++) {
        last = `m${next}`;
        await client.send({ type: 'msg', id: last, n: next });
      }
      return last;
    };
    const failedAttempt = (): Promise<unknown> =>
      waitForEvent(client, 'error', (event) => event.error.code === 'CONNECTION_FAILED');

    for (let step = 0; step < FAULTS; step++) {
      // A spurious heartbeat timeout may have left the client reconnecting: start each fault connected.
      if (client.state.status !== 'connected') await within(waitForEvent(client, 'connected'), PHASE, `step ${step}: reconnect before the fault`);
      const kind = KINDS[Math.floor(random() * KINDS.length)]!;
      const chunk = Math.max(1, Math.round(((MESSAGES - next) / (FAULTS - step)) * (0.5 + random())));
      const phase = `step ${step} (${kind})`;
      // Calm first: part of the chunk goes through and is acknowledged, so every connection carries traffic.
      const calm = await sendChunk(Math.ceil(chunk / 2));
      if (calm !== null) await within(ackOf(calm), PHASE, `${phase}: acknowledgement before the fault`);
      faults[kind]++;
      const reconnected = waitForEvent(client, 'reconnected');
      switch (kind) {
        case 'drop': {
          // Mid-stream: the drop comes once the server has the first message of the chunk, so
          // some arrive and are acknowledged, some arrive with their ack lost, some are lost.
          const first = next;
          const last = await sendChunk(Math.floor(chunk / 2));
          if (last !== null) await within(arrived(first), PHASE, `${phase}: the server receives message ${first}`);
          proxy.drop();
          await within(reconnected, PHASE, `${phase}: reconnect after the drop`);
          break;
        }
        case 'blackhole': {
          // The heartbeat ends the connection; should an attempt be in flight instead (after a
          // spurious timeout), it fails against the blackhole.
          const lost = Promise.race([
            waitForEvent(client, 'disconnected'),
            waitForEvent(client, 'error', (event) => event.error.code === 'CONNECTION_TIMEOUT' || event.error.code === 'CONNECTION_FAILED'),
          ]);
          proxy.blackhole();
          await sendChunk(Math.floor(chunk / 2));
          await within(lost, PHASE, `${phase}: the heartbeat notices the blackhole`);
          proxy.restore();
          await within(reconnected, PHASE, `${phase}: reconnect after restore()`);
          break;
        }
        case 'restart': {
          const failed = failedAttempt();
          const first = next;
          const last = await sendChunk(Math.floor(chunk / 2));
          if (last !== null) await within(arrived(first), PHASE, `${phase}: the server receives message ${first}`);
          await server.stop();
          await within(failed, PHASE, `${phase}: an attempt fails while the server is down`);
          await server.restart();
          await within(reconnected, PHASE, `${phase}: reconnect after the restart`);
          break;
        }
        case 'refuse': {
          const refused = waitForEvent(
            client,
            'error',
            (event) => event.error.code === 'CONNECTION_FAILED' && String((event.error.cause as Error | undefined)?.message).includes('503'),
          );
          server.refuseUpgrades(503);
          proxy.drop();
          await sendChunk(Math.floor(chunk / 2));
          await within(refused, PHASE, `${phase}: an upgrade is refused with 503`);
          server.acceptUpgrades();
          await within(reconnected, PHASE, `${phase}: reconnect once upgrades are accepted`);
          break;
        }
        case 'latency': {
          proxy.delay(20 + Math.floor(random() * 150));
          const last = await sendChunk(Math.floor(chunk / 2));
          if (last !== null) await within(ackOf(last), PHASE, `${phase}: acknowledgement through the latency spike`);
          proxy.delay(0);
          break;
        }
      }
    }
    await sendChunk(MESSAGES - next);
    await within(complete, PHASE * 3, `the server receives all ${MESSAGES} ids (got ${seen.size})`);
    await within(
      new Promise<void>((resolve) => {
        const check = (): void => {
          if (client.queue.size === 0) {
            off();
            resolve();
          }
        };
        const off = client.subscribe(check);
        check();
      }),
      PHASE,
      'every message acknowledged',
    );

    // Every id at least once; after dedup (first copy of each), exactly once and in order.
    const firsts: number[] = [];
    const deduped = new Set<number>();
    for (const n of log) {
      if (!deduped.has(n)) {
        deduped.add(n);
        firsts.push(n);
      }
    }
    expect(firsts).toEqual(Array.from({ length: MESSAGES }, (_, n) => n));
    expect(dropped).toEqual([]);
    expect(client.state.status).toBe('connected');

    // Every reconnect waited exactly the configured backoff (no jitter).
    const reconnecting = events.filter((event): event is Extract<WebSocketEvent, { type: 'reconnecting' }> => event.type === 'reconnecting');
    expect(reconnecting.length).toBeGreaterThanOrEqual(faults.drop + faults.blackhole + faults.restart + faults.refuse);
    for (const event of reconnecting) expect({ attempt: event.attempt, delay: event.delay }).toEqual({ attempt: event.attempt, delay: nominal(event.attempt) });

    // Nothing outlives disconnect(): no timer, no listener on any socket, every socket closed.
    await within(client.disconnect(), PHASE, 'disconnect()');
    expect(timers.pending).toBe(0);
    for (const socket of sockets) {
      if (socket.readyState !== WebSocket.CLOSED) await within(new Promise((resolve) => socket.once('close', resolve)), PHASE, 'old sockets close');
    }
    const listeners = sockets.map((socket) => ['open', 'message', 'error', 'close'].reduce((sum, name) => sum + socket.listenerCount(name), 0));
    expect(listeners.filter((count) => count > 0)).toEqual([]);
    expect(client.state.status).toBe('disconnected');

    const counts = {
      seed: SEED,
      messages: MESSAGES,
      faults: Object.values(faults).reduce((a, b) => a + b, 0),
      faultsByKind: faults,
      reconnects: client.stats.reconnects,
      reconnectingEvents: reconnecting.length,
      sockets: sockets.length,
      resends: written() - MESSAGES,
      received: log.length,
      duplicatesRemoved: log.length - MESSAGES,
      lost: MESSAGES - seen.size,
      seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
    };
    console.log(`chaos run: ${JSON.stringify(counts)}`);
    expect(counts.lost).toBe(0);
    expect(counts.faults).toBe(FAULTS);
  });
});
