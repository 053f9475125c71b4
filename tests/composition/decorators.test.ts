/**
 * The decorators compose in any order over any client: each of the 6 orders of heartbeat,
 * router and queue, over the mock and over the live client on the fake WebSocket.
 */
import { createLiveWebSocket } from '@composable-svelte/ws-core';
import { createHeartbeat } from '@composable-svelte/ws-heartbeat';
import { createQueuedWebSocket, type QueuedWebSocket } from '@composable-svelte/ws-queue';
import { createChannelWebSocket, type ChannelWebSocket } from '@composable-svelte/ws-router';
import { createFakeWebSocket, createMockWebSocket, createSpyWebSocket, recordEvents } from '@composable-svelte/ws-testing';
import type { WebSocketClient } from '@composable-svelte/ws-types';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

interface Frame {
  type: string;
  channel?: string;
  text?: string;
}

type Layer = 'heartbeat' | 'router' | 'queue';

const ORDERS: Layer[][] = [
  ['heartbeat', 'router', 'queue'],
  ['heartbeat', 'queue', 'router'],
  ['router', 'heartbeat', 'queue'],
  ['router', 'queue', 'heartbeat'],
  ['queue', 'heartbeat', 'router'],
  ['queue', 'router', 'heartbeat'],
];

interface Stack {
  outer: WebSocketClient<Frame>;
  channels: ChannelWebSocket<Frame>;
  queued: QueuedWebSocket<Frame>;
}

function stack(base: WebSocketClient<Frame>, order: Layer[]): Stack {
  let client = base;
  let channels: ChannelWebSocket<Frame> | undefined;
  let queued: QueuedWebSocket<Frame> | undefined;
  for (const layer of order) {
    if (layer === 'heartbeat') {
      client = createHeartbeat(client, { interval: 1000, timeout: 200, pingMessage: { type: 'ping' }, pongMessage: { type: 'pong' }, autoStart: true });
    } else if (layer === 'router') {
      client = channels = createChannelWebSocket(client, (frame) => frame.channel);
    } else {
      client = queued = createQueuedWebSocket(client, { maxSize: 10 });
    }
  }
  return { outer: client, channels: channels!, queued: queued! };
}

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe.each(ORDERS.map((order) => [order.join(' → ')] as const))('%s', (name) => {
  const order = name.split(' → ') as Layer[];

  it('over the mock: queues offline, routes, hides pongs, and reconnects after a heartbeat timeout', async () => {
    const mock = createMockWebSocket<Frame>({ connect: 'manual', reconnect: true });
    const spy = createSpyWebSocket(mock);
    const { outer, channels, queued } = stack(spy, order);
    const seen: Frame[] = [];
    outer.subscribe((message) => seen.push(message.data));
    const lobby: Frame[] = [];
    channels.router.subscribe('room:lobby', (message) => lobby.push(message.data));
    const { events } = recordEvents(outer);

    await outer.send({ type: 'say', text: 'offline 1' });
    await outer.send({ type: 'say', text: 'offline 2' });
    expect(queued.queue.size).toBe(2);
    const connecting = outer.connect('wss://chat.example');
    mock.open();
    await connecting;
    await vi.advanceTimersByTimeAsync(0);
    expect(spy.sentMessages.map((f) => f.text)).toEqual(['offline 1', 'offline 2']);
    expect(queued.queue.size).toBe(0);

    mock.simulateMessage({ type: 'message', channel: 'room:lobby', text: 'hi' });
    mock.simulateMessage({ type: 'pong' });
    expect(lobby.map((f) => f.text)).toEqual(['hi']);
    expect(seen.map((f) => f.type)).not.toContain('pong');

    // No pong: the heartbeat declares the connection dead and the mock's reconnect applies.
    await vi.advanceTimersByTimeAsync(1000);
    expect(spy.sentMessages.at(-1)).toEqual({ type: 'ping' });
    await vi.advanceTimersByTimeAsync(200);
    expect(events.some((e) => e.type === 'error' && e.error.code === 'HEARTBEAT_TIMEOUT')).toBe(true);
    expect(outer.state.status).toBe('reconnecting');
    await outer.send({ type: 'say', text: 'while reconnecting' });
    mock.open();
    await vi.advanceTimersByTimeAsync(0);
    expect(outer.state.status).toBe('connected');
    expect(spy.sentMessages.at(-1)).toEqual({ type: 'say', text: 'while reconnecting' });
    // One account: the heartbeat's timeout is the stack's last error, counted in its stats.
    const timeout = events.find((e) => e.type === 'error')!;
    expect(outer.state).toEqual({ ...mock.state, lastError: timeout.type === 'error' && timeout.error });
    expect(outer.stats).toEqual({ ...mock.stats, errors: mock.stats.errors + 1 });
    await outer.disconnect();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('over the live client: the same stack reconnects and delivers in order', async () => {
    const fake = createFakeWebSocket();
    const live = createLiveWebSocket<Frame>({ WebSocket: fake.WebSocket, reconnect: { initialDelay: 100, jitter: false } });
    const { outer, channels } = stack(live, order);
    const lobby: string[] = [];
    channels.router.subscribe('room:lobby', (message) => lobby.push(message.data.text ?? ''));
    const connecting = outer.connect('wss://chat.example');
    await vi.advanceTimersByTimeAsync(0);
    fake.last().open();
    await connecting;
    fake.last().receive(JSON.stringify({ type: 'message', channel: 'room:lobby', text: 'one' }));
    fake.last().drop();
    await outer.send({ type: 'say', text: 'queued' });
    await vi.advanceTimersByTimeAsync(100);
    fake.last().open();
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.last().sent).toContain(JSON.stringify({ type: 'say', text: 'queued' }));
    fake.last().receive(JSON.stringify({ type: 'message', channel: 'room:lobby', text: 'two' }));
    expect(lobby).toEqual(['one', 'two']);
    await outer.disconnect();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(vi.getTimerCount()).toBe(0);
    expect(fake.sockets.every((socket) => socket.listenerCount() === 0)).toBe(true);
  });
});
