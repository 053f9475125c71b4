import { WebSocketError, WS_ERROR_CODES } from '@composable-svelte/ws-types';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMockWebSocket } from './mock-websocket.js';
import { nextMessage, recordEvents, waitForEvent } from './wait.js';

describe.each([
  ['real timers', false],
  ['fake timers', true],
])('createMockWebSocket under %s', (_name, fake) => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('waits for the test to open or fail a manual connection', async () => {
    if (fake) vi.useFakeTimers();
    const mock = createMockWebSocket({ connect: 'manual' });
    const connecting = mock.connect('wss://example.com', ['v1']);
    expect(mock.state.status).toBe('connecting');
    const connected = waitForEvent(mock, 'connected');
    mock.open();
    await connecting;
    expect(await connected).toMatchObject({ url: 'wss://example.com', protocols: ['v1'] });

    await mock.disconnect();
    const again = mock.connect('wss://example.com');
    const failure = new WebSocketError('refused', WS_ERROR_CODES.CONNECTION_FAILED, true);
    mock.fail(failure);
    await expect(again).rejects.toBe(failure);
    expect(mock.state).toMatchObject({ status: 'disconnected', lastError: failure });
  });

  it('can make every connect fail', async () => {
    if (fake) vi.useFakeTimers();
    const mock = createMockWebSocket({ connect: 'fail' });
    const { events } = recordEvents(mock);
    await expect(mock.connect('wss://x')).rejects.toMatchObject({ code: 'CONNECTION_FAILED' });
    expect(events.map((e) => e.type)).toEqual(['error', 'disconnected']);
  });

  it('lets the test choose whether a drop reconnects', async () => {
    if (fake) vi.useFakeTimers();
    const mock = createMockWebSocket();
    const { events } = recordEvents(mock);
    await mock.connect('wss://x');
    mock.simulateDisconnect(1006, '', { reconnect: true });
    expect(mock.state).toMatchObject({ status: 'reconnecting', reconnectAttempts: 1 });
    mock.open();
    expect(mock.state).toMatchObject({ status: 'connected', reconnectAttempts: 0 });
    expect(mock.stats.reconnects).toBe(1);
    expect(events.map((e) => e.type)).toEqual(['connected', 'disconnected', 'reconnecting', 'connected', 'reconnected']);
    expect(events[1]).toMatchObject({ wasClean: false });

    const reconnecting = createMockWebSocket({ reconnect: true });
    await reconnecting.connect('wss://x');
    reconnecting.markDead('Heartbeat timeout');
    expect(reconnecting.state.status).toBe('reconnecting');
    reconnecting.simulateDisconnect(1006, '', { reconnect: false });
    expect(reconnecting.state.status).toBe('disconnected');
  });

  it('keeps state and stats as the live client does', async () => {
    let clock = 1000;
    const mock = createMockWebSocket<string>({ now: () => clock });
    await mock.connect(() => Promise.resolve('wss://provided'));
    expect(mock.state).toMatchObject({ url: 'wss://provided', connectedAt: new Date(1000) });
    clock = 4000;
    await mock.send('héllo');
    mock.simulateMessage('pong');
    expect(mock.stats).toEqual({ messagesSent: 1, messagesReceived: 1, bytesSent: 8, bytesReceived: 6, reconnects: 0, errors: 0, uptime: 3000 });
    mock.simulateEvent({ type: 'reconnecting', attempt: 3, delay: 10, maxAttempts: 3, timestamp: clock });
    mock.simulateEvent({ type: 'error', error: new WebSocketError('gave up', 'MAX_RECONNECTS'), timestamp: clock });
    expect(mock.state).toMatchObject({ status: 'failed', reconnectAttempts: 3 });
  });

  it('rejects sends when not connected and messages it cannot serialize, like the live client', async () => {
    if (fake) vi.useFakeTimers();
    const mock = createMockWebSocket();
    await expect(mock.send({ a: 1 })).rejects.toMatchObject({ code: 'SEND_FAILED' });
    await mock.connect('wss://x');
    await expect(mock.send(10n)).rejects.toMatchObject({ code: 'INVALID_MESSAGE' });
    expect(mock.sentMessages).toEqual([]);
  });

  it('validates close codes like the live client', async () => {
    const mock = createMockWebSocket();
    await mock.connect('wss://x');
    await expect(mock.disconnect(1001)).rejects.toMatchObject({ code: 'PROTOCOL_ERROR' });
    expect(mock.state.status).toBe('connected');
    const disconnected = waitForEvent(mock, 'disconnected');
    await mock.disconnect(4000, 'bye');
    expect(await disconnected).toMatchObject({ code: 4000, reason: 'bye', wasClean: true });
  });

  it('delivers to subscribers until they unsubscribe, and counts them', async () => {
    const mock = createMockWebSocket<number>();
    const first = nextMessage(mock, (m) => m.data > 1);
    const off = mock.subscribe(() => undefined);
    expect(mock.listenerCount).toEqual({ messages: 2, events: 0 });
    mock.simulateMessage(1);
    mock.simulateMessage(2, '2');
    expect(await first).toMatchObject({ data: 2, raw: '2' });
    off();
    expect(mock.listenerCount.messages).toBe(0);
  });

  it('waits for the network as the live client does: setOnline(false), then setOnline(true)', async () => {
    if (fake) vi.useFakeTimers();
    const mock = createMockWebSocket({ connect: 'manual', reconnect: { maxAttempts: 1 }, now: () => 5 });
    const { events } = recordEvents(mock);
    const first = mock.connect('wss://x');
    mock.open();
    await first;
    // Offline while connected: nothing happens.
    mock.setOnline(false);
    expect(events.map((e) => e.type)).toEqual(['connected']);
    expect(mock.network).toEqual({ online: false, waiting: false });
    // A loss while offline waits: a network event instead of reconnecting, no attempt counted.
    mock.simulateDisconnect(1006);
    expect(events.map((e) => e.type)).toEqual(['connected', 'disconnected', 'network']);
    expect(events[2]).toEqual({ type: 'network', waiting: true, online: false, timestamp: 5 });
    expect(mock.state).toMatchObject({ status: 'reconnecting', reconnectAttempts: 0 });
    expect(mock.network).toEqual({ online: false, waiting: true });
    expect(() => mock.retry()).toThrow(/waiting for the network/);
    expect(() => mock.open()).toThrow(/setOnline\(true\)/);
    expect(() => mock.fail()).toThrow(/waiting for the network/);
    // Back online: one attempt at once, counted as attempt 1, announced by the end of the wait.
    mock.setOnline(true);
    expect(events.slice(3)).toEqual([{ type: 'network', waiting: false, online: true, timestamp: 5 }]);
    expect(mock.state).toMatchObject({ status: 'connecting', reconnectAttempts: 1 });
    // That attempt fails: with maxAttempts 1 used up, the client gives up.
    mock.fail();
    expect(mock.state.status).toBe('failed');
    expect(() => mock.setOnline('yes' as unknown as boolean)).toThrow(TypeError);
  });

  it('cancels a pending retry when the network goes, and a disconnect() ends the wait', async () => {
    if (fake) vi.useFakeTimers();
    const mock = createMockWebSocket({ reconnect: true });
    const { events } = recordEvents(mock);
    await mock.connect('wss://x');
    mock.simulateDisconnect(1006);
    expect(mock.state.status).toBe('reconnecting');
    mock.setOnline(false);
    expect(events.map((e) => e.type)).toEqual(['connected', 'disconnected', 'reconnecting', 'network']);
    expect(() => mock.retry()).toThrow();
    await mock.disconnect(1000, 'bye');
    expect(events.map((e) => e.type).slice(4)).toEqual(['disconnected', 'network']);
    expect(events.at(-1)).toMatchObject({ waiting: false, online: false });
    // Reset comes back online.
    mock.reset();
    expect(mock.network).toEqual({ online: true, waiting: false });
  });

  it('refuses open() and fail() when nothing is pending', () => {
    const mock = createMockWebSocket();
    expect(() => {
      mock.open();
    }).toThrow(/nothing to open while disconnected/);
    expect(() => {
      mock.fail();
    }).toThrow(/nothing to fail/);
  });
});
