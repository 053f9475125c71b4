import { createLiveWebSocket } from '@composable-svelte/ws-core';
import {
  WebSocketError,
  WS_ERROR_CODES,
  type BrowserEnvironment,
  type LifecycleListener,
  type WebSocketClient,
  type WebSocketEvent,
} from '@composable-svelte/ws-types';
import { createFakeWebSocket, createMockWebSocket, createSpyWebSocket, recordEvents } from '@composable-svelte/ws-testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ForwardingClient } from '@composable-svelte/ws-types/internal';
import { createHeartbeat, DEFAULT_HEARTBEAT, HEARTBEAT_TIMEOUT_REASON } from './index.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** The guide's "Enable Heartbeat" settings. */
const STRING_CONFIG = { enabled: true, interval: 30000, timeout: 5000, pingMessage: 'PING', pongMessage: 'PONG' };

async function connectedMock<T = unknown>(options: Parameters<typeof createMockWebSocket>[0] = {}) {
  const mock = createMockWebSocket<T>(options);
  await mock.connect('wss://example.test');
  return mock;
}

describe('pings and pongs', () => {
  it('sends the ping through client.send every interval, the next one counted from the pong', async () => {
    const mock = await connectedMock<string>();
    const heartbeat = createHeartbeat(mock, STRING_CONFIG);
    heartbeat.start();
    expect(heartbeat.isRunning).toBe(true);
    await vi.advanceTimersByTimeAsync(29_999);
    expect(mock.sentMessages).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(mock.sentMessages).toEqual(['PING']);
    await vi.advanceTimersByTimeAsync(3000);
    mock.simulateMessage('PONG');
    // 30 s from the pong, not from the ping.
    await vi.advanceTimersByTimeAsync(29_999);
    expect(mock.sentMessages).toEqual(['PING']);
    await vi.advanceTimersByTimeAsync(1);
    expect(mock.sentMessages).toEqual(['PING', 'PING']);
  });

  it('keeps string pongs from its subscribers; the wrapped client still delivers them to its own', async () => {
    const mock = await connectedMock<string>();
    const heartbeat = createHeartbeat(mock, STRING_CONFIG);
    const outer: string[] = [];
    const inner: string[] = [];
    heartbeat.subscribe((message) => outer.push(message.data));
    mock.subscribe((message) => inner.push(message.data));
    heartbeat.start();
    await vi.advanceTimersByTimeAsync(30_000);
    mock.simulateMessage('hello');
    mock.simulateMessage('PONG');
    mock.simulateMessage('PONGS');
    expect(outer).toEqual(['hello', 'PONGS']);
    expect(inner).toEqual(['hello', 'PONG', 'PONGS']);
  });

  it("matches the guide's object pong whatever its timestamp, and passes other objects on", async () => {
    const mock = await connectedMock<{ type: string; timestamp: number }>();
    const heartbeat = createHeartbeat(mock, {
      enabled: true,
      interval: 30000,
      timeout: 5000,
      pingMessage: { type: 'ping', timestamp: Date.now() },
      pongMessage: { type: 'pong', timestamp: Date.now() },
    });
    const seen: unknown[] = [];
    heartbeat.subscribe((message) => seen.push(message.data));
    const events = recordEvents(heartbeat);
    heartbeat.start();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(mock.sentMessages).toEqual([{ type: 'ping', timestamp: expect.any(Number) as number }]);
    mock.simulateMessage({ type: 'pong', timestamp: 987_654_321 });
    mock.simulateMessage({ type: 'chat', timestamp: 1 });
    expect(seen).toEqual([{ type: 'chat', timestamp: 1 }]);
    // The pong cleared the timeout: no error, the next ping comes 30 s later.
    await vi.advanceTimersByTimeAsync(30_000);
    expect(events.events).toEqual([]);
    expect(mock.sentMessages).toHaveLength(2);
  });

  it('calls a pingMessage function for every ping', async () => {
    const mock = await connectedMock<{ type: 'ping'; n: number }>();
    let n = 0;
    const heartbeat = createHeartbeat(mock, {
      interval: 10,
      timeout: 5,
      pingMessage: () => ({ type: 'ping', n: ++n }),
      pongMessage: { type: 'pong' },
    });
    heartbeat.start();
    await vi.advanceTimersByTimeAsync(10);
    mock.simulateMessage({ type: 'pong' } as never);
    await vi.advanceTimersByTimeAsync(10);
    expect(mock.sentMessages).toEqual([
      { type: 'ping', n: 1 },
      { type: 'ping', n: 2 },
    ]);
  });

  it('uses isPong instead of pongMessage when given', async () => {
    const mock = await connectedMock<{ op: number }>();
    const heartbeat = createHeartbeat(mock, {
      interval: 100,
      timeout: 50,
      pingMessage: { op: 1 },
      pongMessage: 'never used',
      isPong: (data) => (data as { op?: number }).op === 11,
    });
    const seen: unknown[] = [];
    heartbeat.subscribe((message) => seen.push(message.data));
    const events = recordEvents(heartbeat);
    heartbeat.start();
    await vi.advanceTimersByTimeAsync(100);
    mock.simulateMessage({ op: 11 });
    mock.simulateMessage({ op: 0 });
    await vi.advanceTimersByTimeAsync(50);
    expect(seen).toEqual([{ op: 0 }]);
    expect(events.events).toEqual([]);
    expect(heartbeat.isRunning).toBe(true);
  });

  it('measures the round trip of each exchange, latest and smoothed', async () => {
    const mock = await connectedMock<string>();
    const heartbeat = createHeartbeat(mock, { interval: 1000, timeout: 500 });
    expect(heartbeat.rtt).toEqual({ latest: null, smoothed: null });
    heartbeat.start();
    await vi.advanceTimersByTimeAsync(1000 + 40);
    mock.simulateMessage('PONG');
    expect(heartbeat.rtt).toEqual({ latest: 40, smoothed: 40 });
    await vi.advanceTimersByTimeAsync(1000 + 120);
    mock.simulateMessage('PONG');
    expect(heartbeat.rtt).toEqual({ latest: 120, smoothed: 50 });
  });

  it('uses the defaults of DEFAULT_HEARTBEAT when given no config', async () => {
    const mock = await connectedMock<string>();
    const heartbeat = createHeartbeat(mock);
    heartbeat.start();
    await vi.advanceTimersByTimeAsync(DEFAULT_HEARTBEAT.interval);
    expect(mock.sentMessages).toEqual([DEFAULT_HEARTBEAT.pingMessage]);
  });
});

describe('timeout', () => {
  it('emits HEARTBEAT_TIMEOUT to its event subscribers, then marks the connection dead so the client reconnects', async () => {
    const mock = await connectedMock<string>({ reconnect: true });
    const heartbeat = createHeartbeat(mock, STRING_CONFIG);
    const outer = recordEvents(heartbeat);
    const inner = recordEvents(mock);
    heartbeat.start();
    await vi.advanceTimersByTimeAsync(30_000 + 4999);
    expect(outer.events).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(outer.events.map((event) => event.type)).toEqual(['error', 'disconnected', 'reconnecting']);
    const [error, disconnected] = outer.events as [WebSocketEvent & { type: 'error' }, WebSocketEvent];
    expect(error.error).toBeInstanceOf(WebSocketError);
    expect(error.error).toMatchObject({ code: WS_ERROR_CODES.HEARTBEAT_TIMEOUT, recoverable: true });
    expect(disconnected).toMatchObject({ type: 'disconnected', code: 1006, reason: 'Heartbeat timeout', wasClean: false });
    expect(HEARTBEAT_TIMEOUT_REASON).toBe('Heartbeat timeout');
    // The wrapped client's own subscribers see the loss, not the decorator's error.
    expect(inner.events.map((event) => event.type)).toEqual(['disconnected', 'reconnecting']);
    expect(mock.state.status).toBe('reconnecting');
    expect(heartbeat.isRunning).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('does not count a late pong: the timeout stands', async () => {
    const mock = await connectedMock<string>();
    const heartbeat = createHeartbeat(mock, { interval: 100, timeout: 50 });
    const events = recordEvents(heartbeat);
    heartbeat.start();
    await vi.advanceTimersByTimeAsync(150);
    mock.simulateMessage('PONG');
    expect(events.events.map((event) => event.type)).toEqual(['error', 'disconnected']);
    expect(heartbeat.rtt.latest).toBeNull();
  });

  it('treats a ping send that rejects or throws as a missing pong, without an unhandled rejection', async () => {
    const mock = await connectedMock<string>();
    /** The mock, except that its sends fail as `send` says. */
    class FailingSends extends ForwardingClient<string> {
      constructor(
        inner: WebSocketClient<string>,
        private readonly failing: () => Promise<void>,
      ) {
        super(inner);
      }

      override send(): Promise<void> {
        return this.failing();
      }
    }
    const rejecting = new FailingSends(mock, () => Promise.reject(new WebSocketError('nope', WS_ERROR_CODES.SEND_FAILED, true)));
    const heartbeat = createHeartbeat(rejecting, { interval: 100, timeout: 50 });
    const events = recordEvents(heartbeat);
    heartbeat.start();
    await vi.advanceTimersByTimeAsync(150);
    expect(events.events.map((event) => event.type)).toEqual(['error', 'disconnected']);

    const again = await connectedMock<string>();
    const throwing = createHeartbeat<string>(
      new FailingSends(again, () => {
        throw new Error('sync failure');
      }),
      { interval: 100, timeout: 50 },
    );
    const more = recordEvents(throwing);
    throwing.start();
    await vi.advanceTimersByTimeAsync(150);
    expect(more.events.map((event) => event.type)).toEqual(['error', 'disconnected']);
  });

  it('only stops when the client is no longer connected: no ping, nothing to declare dead', async () => {
    const mock = await connectedMock<string>();
    const heartbeat = createHeartbeat(mock, { interval: 100, timeout: 50 });
    heartbeat.start();
    mock.simulateDisconnect(1006, 'gone');
    const events = recordEvents(heartbeat);
    await vi.advanceTimersByTimeAsync(150);
    expect(mock.sentMessages).toEqual([]);
    expect(events.events).toEqual([]);
    expect(heartbeat.isRunning).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('start and stop', () => {
  it('stop() leaves no timer and sends nothing more', async () => {
    const mock = await connectedMock<string>();
    const heartbeat = createHeartbeat(mock, STRING_CONFIG);
    heartbeat.start();
    expect(vi.getTimerCount()).toBe(1);
    heartbeat.stop();
    expect(vi.getTimerCount()).toBe(0);
    heartbeat.start();
    await vi.advanceTimersByTimeAsync(30_000); // a ping is out, its timeout pending
    expect(vi.getTimerCount()).toBe(1);
    heartbeat.stop();
    expect(vi.getTimerCount()).toBe(0);
    expect(heartbeat.isRunning).toBe(false);
    await vi.advanceTimersByTimeAsync(100_000);
    expect(mock.sentMessages).toEqual(['PING']);
    heartbeat.stop(); // again: nothing
    expect(heartbeat.isRunning).toBe(false);
  });

  it('start() while running restarts the interval', async () => {
    const mock = await connectedMock<string>();
    const heartbeat = createHeartbeat(mock, { interval: 100, timeout: 50 });
    heartbeat.start();
    await vi.advanceTimersByTimeAsync(90);
    heartbeat.start();
    await vi.advanceTimersByTimeAsync(90);
    expect(mock.sentMessages).toEqual([]);
    await vi.advanceTimersByTimeAsync(10);
    expect(mock.sentMessages).toEqual(['PING']);
    expect(vi.getTimerCount()).toBe(1);
  });

  it("follows the guide's manual pattern: start on connected, stop on disconnected", async () => {
    const mock = createMockWebSocket<string>({ reconnect: true });
    const heartbeat = createHeartbeat(mock, STRING_CONFIG);
    mock.subscribeToEvents((event) => {
      if (event.type === 'connected') heartbeat.start();
      else if (event.type === 'disconnected') heartbeat.stop();
    });
    await mock.connect('wss://example.test');
    expect(heartbeat.isRunning).toBe(true);
    await vi.advanceTimersByTimeAsync(35_000);
    expect(mock.state.status).toBe('reconnecting');
    expect(heartbeat.isRunning).toBe(false);
    mock.open();
    expect(heartbeat.isRunning).toBe(true);
  });

  it('disconnect() of the returned client stops the heartbeat; one the client rejects changes nothing', async () => {
    const mock = await connectedMock<string>();
    const heartbeat = createHeartbeat(mock, STRING_CONFIG);
    heartbeat.start();
    await expect(heartbeat.disconnect(1001)).rejects.toMatchObject({ code: WS_ERROR_CODES.PROTOCOL_ERROR });
    expect(heartbeat.isRunning).toBe(true);
    await heartbeat.disconnect(4000, 'bye');
    expect(heartbeat.isRunning).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
    expect(mock.state.status).toBe('disconnected');
  });

  it('with enabled: false, start() does nothing and the client is passed through untouched', async () => {
    const mock = await connectedMock<string>();
    const heartbeat = createHeartbeat(mock, { ...STRING_CONFIG, enabled: false, autoStart: true });
    heartbeat.start();
    expect(heartbeat.isRunning).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
    expect(heartbeat.rtt).toEqual({ latest: null, smoothed: null });
    const seen: string[] = [];
    heartbeat.subscribe((message) => seen.push(message.data));
    mock.simulateMessage('PONG');
    expect(seen).toEqual(['PONG']);
    // No subscription of its own, not even for autoStart.
    expect(mock.listenerCount).toEqual({ messages: 1, events: 0 });
  });

  it('throws a TypeError naming a bad interval or timeout', () => {
    const mock = createMockWebSocket();
    expect(() => createHeartbeat(mock, { interval: 0 })).toThrow(/heartbeat\.interval/);
    expect(() => createHeartbeat(mock, { timeout: Number.NaN })).toThrow(TypeError);
    expect(() => createHeartbeat(mock, { timeout: Infinity })).toThrow(/heartbeat\.timeout/);
  });
});

describe('autoStart', () => {
  it('starts on connected, stops on disconnected and restarts after the reconnect', async () => {
    const mock = createMockWebSocket<string>({ reconnect: true });
    const heartbeat = createHeartbeat(mock, { interval: 100, timeout: 50, autoStart: true });
    expect(heartbeat.isRunning).toBe(false);
    await heartbeat.connect('wss://example.test');
    expect(heartbeat.isRunning).toBe(true);
    await vi.advanceTimersByTimeAsync(150);
    expect(mock.state.status).toBe('reconnecting');
    expect(heartbeat.isRunning).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
    mock.open();
    expect(heartbeat.isRunning).toBe(true);
    mock.simulateDisconnect(1001, 'going away', { reconnect: false });
    expect(heartbeat.isRunning).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('starts at once over a client already connected', async () => {
    const mock = await connectedMock<string>();
    const heartbeat = createHeartbeat(mock, { interval: 100, timeout: 50, autoStart: true });
    expect(heartbeat.isRunning).toBe(true);
    await vi.advanceTimersByTimeAsync(100);
    expect(mock.sentMessages).toEqual(['PING']);
  });

  it('stops on reconnecting and on the MAX_RECONNECTS error of a client that gave up', async () => {
    const mock = await connectedMock<string>();
    const heartbeat = createHeartbeat(mock, { interval: 100, timeout: 50, autoStart: true });
    mock.simulateEvent({ type: 'reconnecting', attempt: 1, delay: 0, maxAttempts: 1, timestamp: 0 });
    expect(heartbeat.isRunning).toBe(false);
    mock.simulateEvent({ type: 'connected', url: 'wss://example.test', protocols: [], timestamp: 0 });
    expect(heartbeat.isRunning).toBe(true);
    mock.simulateError(new WebSocketError('other', WS_ERROR_CODES.SEND_FAILED, true));
    expect(heartbeat.isRunning).toBe(true);
    mock.simulateError(new WebSocketError('gave up', WS_ERROR_CODES.MAX_RECONNECTS));
    expect(heartbeat.isRunning).toBe(false);
  });
});

describe('the page lifecycle (environment)', () => {
  /** A fake environment: reports the page's lifecycle to whoever listens, and counts them. */
  function fakePage() {
    const listeners = new Set<LifecycleListener>();
    let hidden = false;
    const environment: BrowserEnvironment = {
      online: () => true,
      subscribe: (listener) => {
        listeners.add(listener);
        if (hidden) listener.hidden();
        return () => listeners.delete(listener);
      },
    };
    return {
      environment,
      get listeners() {
        return listeners.size;
      },
      offline: () => listeners.forEach((listener) => listener.offline()),
      hide: () => {
        hidden = true;
        listeners.forEach((listener) => listener.hidden());
      },
      show: () => {
        hidden = false;
        listeners.forEach((listener) => listener.visible());
      },
    };
  }

  it('listens only while running', async () => {
    const page = fakePage();
    const mock = await connectedMock<string>();
    const heartbeat = createHeartbeat(mock, { ...STRING_CONFIG, environment: page.environment });
    expect(page.listeners).toBe(0);
    heartbeat.start();
    expect(page.listeners).toBe(1);
    heartbeat.start();
    expect(page.listeners).toBe(1);
    heartbeat.stop();
    expect(page.listeners).toBe(0);
    heartbeat.start();
    // A timeout stops the heartbeat: it stops listening too.
    await vi.advanceTimersByTimeAsync(35_000);
    expect(heartbeat.isRunning).toBe(false);
    expect(page.listeners).toBe(0);
    heartbeat.start();
    heartbeat.dispose();
    expect(page.listeners).toBe(0);
  });

  it('offline: pings at once; a socket that answers stays, one that does not is declared dead', async () => {
    const page = fakePage();
    const mock = await connectedMock<string>({ reconnect: true });
    const heartbeat = createHeartbeat(mock, { ...STRING_CONFIG, environment: page.environment });
    const { events } = recordEvents(heartbeat);
    heartbeat.start();
    await vi.advanceTimersByTimeAsync(1000);
    page.offline();
    expect(mock.sentMessages).toEqual(['PING']);
    await vi.advanceTimersByTimeAsync(100);
    mock.simulateMessage('PONG');
    expect(mock.state.status).toBe('connected');
    // The next ping an interval after that pong; offline again, and no answer this time.
    page.offline();
    expect(mock.sentMessages).toEqual(['PING', 'PING']);
    await vi.advanceTimersByTimeAsync(4999);
    expect(mock.state.status).toBe('connected');
    await vi.advanceTimersByTimeAsync(1);
    expect(events.map((event) => event.type)).toEqual(['error', 'disconnected', 'reconnecting']);
    expect(events[1]).toMatchObject({ reason: HEARTBEAT_TIMEOUT_REASON });
  });

  it('visible after being hidden an interval or more: pings at once; after less, waits for its timer', async () => {
    const page = fakePage();
    const mock = await connectedMock<string>();
    const heartbeat = createHeartbeat(mock, { ...STRING_CONFIG, environment: page.environment });
    heartbeat.start();
    page.hide();
    await vi.advanceTimersByTimeAsync(10_000);
    page.show();
    expect(mock.sentMessages).toEqual([]);
    page.hide();
    // Hidden 30 s: a ping as the page shows (before the timer's own, still 10 s away).
    vi.setSystemTime(Date.now() + 30_000);
    page.show();
    expect(mock.sentMessages).toEqual(['PING']);
  });

  it('visible with a pong overdue by the clock: dead at once, not when a throttled timer fires', async () => {
    const page = fakePage();
    const mock = await connectedMock<string>({ reconnect: true });
    const heartbeat = createHeartbeat(mock, { ...STRING_CONFIG, environment: page.environment });
    heartbeat.start();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(mock.sentMessages).toEqual(['PING']);
    page.hide();
    // The tab is throttled: the clock moves on, the pong timer has not fired.
    vi.setSystemTime(Date.now() + 60_000);
    expect(mock.state.status).toBe('connected');
    page.show();
    expect(mock.state.status).toBe('reconnecting');
  });

  it('hears a page already hidden when it starts listening', async () => {
    const page = fakePage();
    page.hide();
    const mock = await connectedMock<string>();
    const heartbeat = createHeartbeat(mock, { ...STRING_CONFIG, environment: page.environment });
    heartbeat.start();
    vi.setSystemTime(Date.now() + 40_000);
    page.show();
    expect(mock.sentMessages).toEqual(['PING']);
  });

  it('1,000 heartbeats started and disposed leave no listener', async () => {
    const page = fakePage();
    const mock = await connectedMock<string>();
    for (let i = 0; i < 1000; i++) {
      const heartbeat = createHeartbeat(mock, { ...STRING_CONFIG, environment: page.environment, autoStart: true });
      expect(page.listeners).toBe(1);
      heartbeat.dispose();
    }
    expect(page.listeners).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('as a decorator', () => {
  it('listens to the wrapped client only while running or subscribed to', async () => {
    const mock = await connectedMock<string>();
    const heartbeat = createHeartbeat(mock, { interval: 100, timeout: 50 });
    expect(mock.listenerCount.messages).toBe(0);
    heartbeat.start();
    expect(mock.listenerCount.messages).toBe(1);
    const off = heartbeat.subscribe(() => undefined);
    const off2 = heartbeat.subscribe(() => undefined);
    expect(mock.listenerCount.messages).toBe(1);
    heartbeat.stop();
    off();
    expect(mock.listenerCount.messages).toBe(1);
    off2();
    off2();
    expect(mock.listenerCount.messages).toBe(0);
    heartbeat.start();
    await vi.advanceTimersByTimeAsync(150); // timeout: stopped by itself
    expect(mock.listenerCount.messages).toBe(0);
  });

  it('event subscriptions of the returned client come and go with their unsubscribe', async () => {
    const mock = await connectedMock<string>();
    const heartbeat = createHeartbeat(mock, { interval: 100, timeout: 50 });
    const seen: string[] = [];
    const off = heartbeat.subscribeToEvents((event) => seen.push(event.type));
    expect(mock.listenerCount.events).toBe(1);
    off();
    off();
    expect(mock.listenerCount.events).toBe(0);
    heartbeat.start();
    await vi.advanceTimersByTimeAsync(150);
    expect(seen).toEqual([]);
  });

  it('delegates connect, send, state, stats and markDead to the wrapped client', async () => {
    const mock = createMockWebSocket<string>();
    const heartbeat = createHeartbeat(mock, { interval: 100, timeout: 50 });
    await heartbeat.connect('wss://example.test', ['v1']);
    expect(heartbeat.state).toEqual(mock.state);
    expect(heartbeat.state.protocols).toEqual(['v1']);
    await heartbeat.send('hi');
    expect(mock.sentMessages).toEqual(['hi']);
    expect(heartbeat.stats.messagesSent).toBe(1);
    const events = recordEvents(mock);
    heartbeat.markDead('because');
    expect(events.events[0]).toMatchObject({ type: 'disconnected', reason: 'because' });
  });

  it('wraps a spy, which records the pings, and is wrapped by one', async () => {
    const mock = await connectedMock<string>();
    const spy = createSpyWebSocket(mock);
    const heartbeat = createHeartbeat(spy, { interval: 100, timeout: 50 });
    heartbeat.start();
    await vi.advanceTimersByTimeAsync(100);
    expect(spy.sentMessages).toEqual(['PING']);

    const outer = createSpyWebSocket(createHeartbeat(mock, { interval: 100, timeout: 50, autoStart: true }));
    const seen: string[] = [];
    outer.subscribe((message) => seen.push(message.data));
    mock.simulateMessage('PONG');
    mock.simulateMessage('data');
    expect(seen).toEqual(['data']);
    expect(outer.receivedMessages.map((message) => message.data)).toEqual(['data']);
  });

  it('stacks over another heartbeat: each consumes its own pong', async () => {
    const mock = await connectedMock<string>();
    const inner = createHeartbeat(mock, { interval: 100, timeout: 50, pingMessage: 'ping-a', pongMessage: 'pong-a' });
    const outer = createHeartbeat(inner, { interval: 200, timeout: 50, pingMessage: 'ping-b', pongMessage: 'pong-b' });
    const seen: string[] = [];
    outer.subscribe((message) => seen.push(message.data));
    inner.start();
    outer.start();
    await vi.advanceTimersByTimeAsync(100);
    mock.simulateMessage('pong-a');
    await vi.advanceTimersByTimeAsync(100);
    mock.simulateMessage('pong-a');
    mock.simulateMessage('pong-b');
    mock.simulateMessage('app');
    expect([...mock.sentMessages].sort()).toEqual(['ping-a', 'ping-a', 'ping-b']);
    expect(seen).toEqual(['app']);
    expect(inner.isRunning && outer.isRunning).toBe(true);
  });
});

describe('over the live client (ws-core with a fake WebSocket)', () => {
  it('pings as a JSON frame, consumes the pong, and on timeout drops the socket and reconnects', async () => {
    const fake = createFakeWebSocket();
    const live = createLiveWebSocket<unknown>({
      WebSocket: fake.WebSocket,
      reconnect: { initialDelay: 1000, jitter: false },
    });
    const heartbeat = createHeartbeat(live, {
      interval: 1000,
      timeout: 500,
      pingMessage: { type: 'ping', timestamp: 1 },
      pongMessage: { type: 'pong', timestamp: 0 },
      autoStart: true,
    });
    const seen: unknown[] = [];
    heartbeat.subscribe((message) => seen.push(message.data));
    const events = recordEvents(heartbeat);
    const connecting = heartbeat.connect('wss://example.test');
    fake.last().open();
    await connecting;
    await vi.advanceTimersByTimeAsync(1000);
    expect(fake.last().sent).toEqual(['{"type":"ping","timestamp":1}']);
    await vi.advanceTimersByTimeAsync(30);
    fake.last().receive('{"type":"pong","timestamp":42}');
    fake.last().receive('{"type":"chat"}');
    expect(seen).toEqual([{ type: 'chat' }]);
    expect(heartbeat.rtt.latest).toBe(30);

    await vi.advanceTimersByTimeAsync(1000 + 500);
    expect(events.events.map((event) => event.type)).toEqual(['connected', 'error', 'disconnected', 'reconnecting']);
    expect(events.events[2]).toMatchObject({ reason: 'Heartbeat timeout', wasClean: false });
    expect(fake.sockets[0]!.readyState).toBeGreaterThanOrEqual(2);
    await vi.advanceTimersByTimeAsync(1000);
    expect(fake.sockets).toHaveLength(2);
    fake.last().open();
    await vi.advanceTimersByTimeAsync(0);
    expect(live.state.status).toBe('connected');
    expect(heartbeat.isRunning).toBe(true);
    await heartbeat.disconnect();
    expect(heartbeat.isRunning).toBe(false);
  });
});
