/**
 * The heartbeat over ws-core against real `ws` servers on 127.0.0.1 (port 0), with real
 * timers and short intervals: a server that stops answering, and a connection blackholed by
 * ws-testing's fault proxy, are both detected and lead to a reconnect.
 */
import { createLiveWebSocket } from '@composable-svelte/ws-core';
import { WS_ERROR_CODES, type WebSocketEvent } from '@composable-svelte/ws-types';
import { recordEvents, waitForEvent } from '@composable-svelte/ws-testing';
import { startFaultProxy, startTestServer, type TestFrame } from '@composable-svelte/ws-testing/server';
import { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { createHeartbeat } from '../src/index.js';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** A server answering `"PING"` with `"PONG"` (JSON strings) while `answering`, echoing the rest. */
async function pongServer() {
  const control = { answering: true };
  const server = await startTestServer({
    reply: (data: TestFrame) => (data === '"PING"' ? (control.answering ? '"PONG"' : undefined) : data),
  });
  cleanup.push(() => server.stop());
  return Object.assign(server, { control });
}

function liveClient(config: Parameters<typeof createLiveWebSocket>[0] = {}) {
  const client = createLiveWebSocket<unknown>({
    WebSocket,
    reconnect: { initialDelay: 50, maxDelay: 200, jitter: false, maxAttempts: 0 },
    ...config,
  });
  cleanup.push(() => client.disconnect());
  return client;
}

const types = (events: WebSocketEvent[]): string[] => events.map((event) => event.type);

describe('heartbeat over ws-core and a real ws server', () => {
  it('measures round trips and keeps pongs away from subscribers while the server answers', async () => {
    const server = await pongServer();
    const heartbeat = createHeartbeat(liveClient(), { interval: 20, timeout: 1000, autoStart: true });
    const seen: unknown[] = [];
    heartbeat.subscribe((message) => seen.push(message.data));
    await heartbeat.connect(server.url);
    await expect.poll(() => server.received.filter((frame) => frame.data === '"PING"').length).toBeGreaterThanOrEqual(3);
    await expect.poll(() => heartbeat.rtt.latest).not.toBeNull();
    expect(heartbeat.rtt.smoothed).toBeGreaterThanOrEqual(0);
    await heartbeat.send('app');
    await expect.poll(() => seen).toEqual(['app']);
    expect(heartbeat.state.status).toBe('connected');
  });

  it('a server that stops answering: HEARTBEAT_TIMEOUT, disconnected with "Heartbeat timeout", then a reconnect', async () => {
    const server = await pongServer();
    const live = liveClient();
    const heartbeat = createHeartbeat(live, { interval: 20, timeout: 300, autoStart: true });
    await heartbeat.connect(server.url);
    const { events } = recordEvents(heartbeat);
    const reconnected = waitForEvent(heartbeat, 'reconnected');
    server.control.answering = false;
    const disconnected = await waitForEvent(heartbeat, 'disconnected');
    expect(disconnected).toMatchObject({ reason: 'Heartbeat timeout', code: 1006, wasClean: false });
    server.control.answering = true;
    await reconnected;
    expect(types(events).slice(0, 3)).toEqual(['error', 'disconnected', 'reconnecting']);
    expect(events[0]).toMatchObject({ error: { code: WS_ERROR_CODES.HEARTBEAT_TIMEOUT } });
    expect(live.state.status).toBe('connected');
    expect(heartbeat.isRunning).toBe(true);
    // The new connection is kept alive again.
    const pings = server.received.length;
    await expect.poll(() => server.received.length).toBeGreaterThan(pings + 2);
    expect(live.state.status).toBe('connected');
  });

  it("works with the guide's manual start/stop pattern", async () => {
    const server = await pongServer();
    const websocket = liveClient();
    const heartbeat = createHeartbeat(websocket, { enabled: true, interval: 20, timeout: 300, pingMessage: 'PING', pongMessage: 'PONG' });
    websocket.subscribeToEvents((event) => {
      if (event.type === 'connected') {
        heartbeat.start();
      } else if (event.type === 'disconnected') {
        heartbeat.stop();
      }
    });
    const reasons: string[] = [];
    websocket.subscribeToEvents((event) => {
      if (event.type === 'disconnected') reasons.push(event.reason);
    });
    await websocket.connect(server.url);
    expect(heartbeat.isRunning).toBe(true);
    server.control.answering = false;
    await waitForEvent(websocket, 'reconnecting');
    expect(reasons).toEqual(['Heartbeat timeout']);
    expect(heartbeat.isRunning).toBe(false);
    server.control.answering = true;
    await waitForEvent(websocket, 'connected');
    expect(heartbeat.isRunning).toBe(true);
  });

  it('detects a blackholed connection through the fault proxy and reconnects after restore()', async () => {
    const server = await pongServer();
    const proxy = await startFaultProxy({ target: server.url });
    cleanup.push(() => proxy.stop());
    const live = liveClient({ connectionTimeout: 300 });
    const heartbeat = createHeartbeat(live, { interval: 20, timeout: 300, autoStart: true });
    await heartbeat.connect(proxy.url);
    await expect.poll(() => heartbeat.rtt.latest).not.toBeNull();
    const { events } = recordEvents(heartbeat);

    proxy.blackhole(); // the TCP connection stays open: only the heartbeat can tell
    const disconnected = await waitForEvent(heartbeat, 'disconnected');
    expect(disconnected.reason).toBe('Heartbeat timeout');
    expect(events[0]).toMatchObject({ type: 'error', error: { code: WS_ERROR_CODES.HEARTBEAT_TIMEOUT } });
    // Attempts made during the blackhole cannot open.
    await waitForEvent(heartbeat, 'error', (event) => event.error.code !== WS_ERROR_CODES.HEARTBEAT_TIMEOUT);
    expect(live.state.status).not.toBe('connected');

    const reconnected = waitForEvent(heartbeat, 'reconnected');
    proxy.restore();
    await reconnected;
    expect(live.state.status).toBe('connected');
    const before = server.received.length;
    await expect.poll(() => server.received.length).toBeGreaterThan(before + 2);
    expect(live.state.status).toBe('connected');
  });
});
