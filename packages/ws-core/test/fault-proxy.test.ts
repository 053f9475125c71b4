/**
 * The live client behind ws-testing's fault proxy: each network fault leads to what a user of
 * `createLiveWebSocket` should see. Real sockets on 127.0.0.1 and real timers, with small
 * intervals. (These tests live here rather than in ws-testing so that ws-testing need not
 * depend on ws-core: turbo refuses the build cycle two dev dependencies would make.)
 */
import type { LiveWebSocketConfig } from '@composable-svelte/ws-core';
import type { WebSocketClient, WebSocketEvent } from '@composable-svelte/ws-types';
import { WebSocketError } from '@composable-svelte/ws-types';
import { WebSocket } from 'ws';
import {
  startFaultProxy,
  startTestServer,
  type FaultProxy,
  type TestServer,
  type TestServerOptions,
} from '@composable-svelte/ws-testing/server';
import { afterEach, describe, expect, it } from 'vitest';
import { createLiveWebSocket } from '../src/index.js';

type EventOf<K extends WebSocketEvent['type']> = Extract<WebSocketEvent, { type: K }>;

/** Fast reconnection, without jitter, that never gives up. */
const RECONNECT = { initialDelay: 10, maxDelay: 40, jitter: false, maxAttempts: 0 } as const;

const cleanup: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** An echo server that answers the live client's heartbeat pings (`"PING"` in JSON) with `"PONG"`. */
async function server(options: TestServerOptions = {}): Promise<TestServer> {
  const started = await startTestServer({ reply: (data) => (data === '"PING"' ? '"PONG"' : data), ...options });
  cleanup.push(() => started.stop());
  return started;
}

async function proxy(target: string): Promise<FaultProxy> {
  const started = await startFaultProxy({ target });
  cleanup.push(() => started.stop());
  return started;
}

function client<T = unknown>(config: LiveWebSocketConfig = {}): WebSocketClient<T> & { events: WebSocketEvent[]; data: T[] } {
  const created = createLiveWebSocket<T>({ WebSocket, ...config });
  const events: WebSocketEvent[] = [];
  const data: T[] = [];
  created.subscribeToEvents((event) => events.push(event));
  created.subscribe((message) => data.push(message.data));
  cleanup.push(() => created.disconnect().catch(() => undefined));
  return Object.assign(created, { events, data });
}

/** Resolves with the next event of `type` the client emits (optionally one matching `when`). */
function nextEvent<K extends WebSocketEvent['type']>(
  ws: WebSocketClient,
  type: K,
  when: (event: EventOf<K>) => boolean = () => true,
): Promise<EventOf<K>> {
  return new Promise((resolve) => {
    const off = ws.subscribeToEvents((event) => {
      if (event.type === type && when(event as EventOf<K>)) {
        off();
        resolve(event as EventOf<K>);
      }
    });
  });
}

describe('the fault proxy in front of createLiveWebSocket', () => {
  it('drop(): the client sees an unclean disconnect, then reconnects through the proxy', async () => {
    const echo = await server();
    const faults = await proxy(echo.url);
    const ws = client<string>({ reconnect: RECONNECT });
    await ws.connect(faults.url);
    const disconnected = nextEvent(ws, 'disconnected');
    const reconnected = nextEvent(ws, 'reconnected');
    faults.drop();
    expect(await disconnected).toMatchObject({ code: 1006, wasClean: false });
    expect(await reconnected).toMatchObject({ attempts: 1 });
    expect(ws.state.status).toBe('connected');
    expect(faults.connections).toBe(1);
    await ws.send('still there');
    await expect.poll(() => ws.data).toEqual(['still there']);
  });

  it('blackhole(): unnoticed without a heartbeat, noticed with one, which reconnects after restore()', async () => {
    const echo = await server();
    const faults = await proxy(echo.url);
    const plain = client<string>({ reconnect: RECONNECT });
    const guarded = client<string>({
      reconnect: RECONNECT,
      // A pong is due 20 ms after the last; 150 ms without one is a loss, even on a busy machine.
      heartbeat: { interval: 20, timeout: 150 },
      connectionTimeout: 200,
    });
    await plain.connect(faults.url);
    await guarded.connect(faults.url);
    const timeout = nextEvent(guarded, 'error', (event) => event.error.code === 'HEARTBEAT_TIMEOUT');
    const disconnected = nextEvent(guarded, 'disconnected');
    faults.blackhole();
    await plain.send('into the void');
    await expect.poll(() => faults.discarded).toBeGreaterThan(0);

    const { error } = await timeout;
    expect(error).toBeInstanceOf(WebSocketError);
    expect(error.recoverable).toBe(true);
    expect(await disconnected).toMatchObject({ reason: 'Heartbeat timeout', wasClean: false });
    // By the time the heartbeat gave up, the client without one still believes it is connected,
    // and its message was never echoed: the server never got it.
    expect(plain.state.status).toBe('connected');
    expect(plain.events.map((event) => event.type)).toEqual(['connected']);
    expect(plain.data).toEqual([]);
    expect(echo.received.map((frame) => frame.data)).not.toContain('"into the void"');

    const reconnected = nextEvent(guarded, 'reconnected');
    faults.restore();
    await reconnected;
    expect(guarded.state.status).toBe('connected');
    await guarded.send('back');
    await expect.poll(() => guarded.data).toEqual(['back']);
  });

  it('a refused upgrade behind the proxy makes connect() reject with CONNECTION_FAILED', async () => {
    const echo = await server();
    const faults = await proxy(echo.url);
    echo.refuseUpgrades(503);
    const ws = client();
    const error = await ws.connect(faults.url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebSocketError);
    expect(error).toMatchObject({ code: 'CONNECTION_FAILED', recoverable: true });
    // The cause is the socket's error event, which carries the status the server answered.
    expect((error as WebSocketError).cause).toMatchObject({ message: 'Unexpected server response: 503' });
    expect(ws.state.status).toBe('disconnected');
    echo.acceptUpgrades();
    await ws.connect(faults.url);
    expect(ws.state.status).toBe('connected');
  });

  it('delay(): echoes arrive late but all of them, in order', async () => {
    const echo = await server();
    const faults = await proxy(echo.url);
    const ws = client<number>();
    await ws.connect(faults.url);
    faults.delay(150);
    for (const n of [1, 2, 3, 4, 5]) await ws.send(n);
    await expect.poll(() => faults.pending, { interval: 5 }).toBeGreaterThan(0);
    // The frames are held on their way up: nothing can have been echoed yet.
    expect(ws.data).toEqual([]);
    await expect.poll(() => ws.data, { timeout: 5000 }).toEqual([1, 2, 3, 4, 5]);
    faults.delay(0);
    await ws.send(6);
    await expect.poll(() => ws.data).toEqual([1, 2, 3, 4, 5, 6]);
    expect(ws.state.status).toBe('connected');
    expect(ws.events.map((event) => event.type)).toEqual(['connected']);
  });

  it('cut() then restoreListener(): attempts fail while cut, and the client reconnects after', async () => {
    const echo = await server();
    const faults = await proxy(echo.url);
    const ws = client<string>({ reconnect: RECONNECT });
    await ws.connect(faults.url);
    const disconnected = nextEvent(ws, 'disconnected');
    const refused = nextEvent(ws, 'error', (event) => event.error.code === 'CONNECTION_FAILED');
    await faults.cut();
    expect(await disconnected).toMatchObject({ code: 1006, wasClean: false });
    expect((await refused).error.recoverable).toBe(true);
    expect(ws.state.status).not.toBe('connected');

    const reconnected = nextEvent(ws, 'reconnected');
    await faults.restoreListener();
    expect((await reconnected).attempts).toBeGreaterThanOrEqual(2);
    expect(ws.stats.reconnects).toBe(1);
    await ws.send('again');
    await expect.poll(() => ws.data).toEqual(['again']);
  });
});
