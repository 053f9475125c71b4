import { createFakeWebSocket, type FakeWebSocketControls } from '@composable-svelte/ws-testing';
import { WebSocketError, type ConnectionStatus, type WebSocketClient, type WebSocketEvent } from '@composable-svelte/ws-types';
import { STATUS, type StatusSource } from '@composable-svelte/ws-types/internal';
import type { LiveWebSocketConfig } from './config.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLiveWebSocket } from './live-client.js';

const URL = 'wss://api.example.com/';

let fake: FakeWebSocketControls;
let events: WebSocketEvent[];

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
  fake = createFakeWebSocket();
});

afterEach(() => {
  vi.useRealTimers();
});

function create<T = unknown>(config: LiveWebSocketConfig = {}): WebSocketClient<T> {
  const client = createLiveWebSocket<T>({ WebSocket: fake.WebSocket, random: () => 0.5, ...config });
  events = [];
  client.subscribeToEvents((event) => events.push(event));
  return client;
}

const types = (): string[] => events.map((event) => event.type);
const errorCodes = (): string[] => events.flatMap((event) => (event.type === 'error' ? [event.error.code] : []));
const delays = (): number[] => events.flatMap((event) => (event.type === 'reconnecting' ? [event.delay] : []));

async function connected<T>(client: WebSocketClient<T>, config?: { protocol?: string }): Promise<void> {
  const done = client.connect(URL);
  await vi.advanceTimersByTimeAsync(0);
  fake.last().open(config?.protocol);
  await done;
}

/** Lets the pending connection attempt (after a backoff delay) create its socket. */
async function advance(ms: number): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
}

describe('connecting', () => {
  it('goes disconnected → connecting → connected and emits connected', async () => {
    const client = create();
    expect(client.state).toMatchObject({ status: 'disconnected', url: null, protocols: [], connectedAt: null });
    const done = client.connect(URL, ['chat', 'v1']);
    expect(client.state.status).toBe('connecting');
    await advance(0);
    expect(fake.last().requestedProtocols).toEqual(['chat', 'v1']);
    expect(fake.last().binaryType).toBe('arraybuffer');
    vi.setSystemTime(1234);
    fake.last().open('chat');
    await expect(done).resolves.toBeUndefined();
    expect(client.state).toMatchObject({ status: 'connected', url: URL, protocols: ['chat', 'v1'], reconnectAttempts: 0 });
    expect(client.state.connectedAt).toEqual(new Date(1234));
    expect(events).toEqual([{ type: 'connected', url: URL, protocols: ['chat', 'v1'], timestamp: 1234 }]);
  });

  it('joins concurrent calls for the same URL into one attempt', async () => {
    const client = create();
    const first = client.connect(URL);
    const second = client.connect(URL);
    expect(second).toBe(first);
    await advance(0);
    expect(fake.sockets).toHaveLength(1);
    fake.last().open();
    await Promise.all([first, second]);
    await expect(client.connect(URL)).resolves.toBeUndefined();
    expect(fake.sockets).toHaveLength(1);
  });

  it('lets the latest call win when it names another URL', async () => {
    const client = create();
    const first = client.connect(URL);
    await advance(0);
    const second = client.connect('wss://other.example.com/');
    await expect(first).rejects.toMatchObject({ code: 'CONNECTION_FAILED' });
    await advance(0);
    expect(fake.sockets).toHaveLength(2);
    expect(fake.last().url).toBe('wss://other.example.com/');
    fake.last().open();
    await second;
    expect(client.state.url).toBe('wss://other.example.com/');
  });

  it('lets a disconnect() right after connect(otherUrl) win: the move is abandoned', async () => {
    const client = create();
    await connected(client);
    const moving = client.connect('wss://other.example.com/');
    await client.disconnect();
    await expect(moving).rejects.toMatchObject({ code: 'CONNECTION_FAILED', recoverable: false });
    await advance(10_000);
    expect(fake.sockets).toHaveLength(1);
    expect(client.state.status).toBe('disconnected');
    expect(types()).toEqual(['connected', 'disconnected']);
  });

  it('rejects with CONNECTION_FAILED and emits error then disconnected when refused', async () => {
    const client = create();
    const done = client.connect(URL);
    await advance(0);
    fake.last().fail();
    const error = await done.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebSocketError);
    expect(error).toMatchObject({ code: 'CONNECTION_FAILED', recoverable: true });
    expect((error as WebSocketError).cause).toMatchObject({ type: 'error' });
    expect(types()).toEqual(['error', 'disconnected']);
    expect(events[1]).toMatchObject({ code: 1006, wasClean: false });
    expect(client.state.status).toBe('disconnected');
    expect(client.state.lastError).toBe(error);
    expect(client.stats.errors).toBe(1);
  });

  it('fails at once on an error before open that no close event follows (Node 22 global WebSocket)', async () => {
    const sockets: { onerror: ((event: unknown) => void) | null; onclose: unknown; readyState: number }[] = [];
    class ErrorOnly {
      readyState = 0;
      onopen = null;
      onmessage = null;
      onerror: ((event: unknown) => void) | null = null;
      onclose: unknown = null;
      binaryType = 'blob';
      constructor() {
        sockets.push(this);
      }
      send(): void {
        throw new Error('not connected');
      }
      close(): void {
        this.readyState = 3;
      }
    }
    const client = create({ WebSocket: ErrorOnly as unknown as LiveWebSocketConfig['WebSocket'], reconnect: { maxAttempts: 1, jitter: false } });
    const done = client.connect(URL);
    await vi.advanceTimersByTimeAsync(0);
    const refused = { type: 'error' };
    sockets[0]!.onerror!(refused);
    await expect(done).rejects.toMatchObject({ code: 'CONNECTION_FAILED', cause: refused });
    expect(types()).toEqual(['error', 'reconnecting']);
    // No connection timeout is left to fire for that attempt.
    await vi.advanceTimersByTimeAsync(1000);
    expect(sockets).toHaveLength(2);
    sockets[1]!.onerror!(refused);
    await vi.advanceTimersByTimeAsync(0);
    expect(client.state.status).toBe('failed');
    expect(errorCodes()).toEqual(['CONNECTION_FAILED', 'CONNECTION_FAILED', 'MAX_RECONNECTS']);
  });

  it('rejects a bad URL with a non-recoverable CONNECTION_FAILED carrying the SyntaxError', async () => {
    const client = create();
    const error = (await client.connect('not a url').catch((e: unknown) => e)) as WebSocketError;
    expect(error).toMatchObject({ code: 'CONNECTION_FAILED', recoverable: false });
    expect(error.cause).toMatchObject({ name: 'SyntaxError' });
    expect(fake.sockets).toHaveLength(0);
  });

  it('rejects non-string URLs and protocols with a TypeError', async () => {
    const client = create();
    await expect(client.connect(42 as unknown as string)).rejects.toThrow(TypeError);
    await expect(client.connect(URL, [1] as unknown as string[])).rejects.toThrow(/Protocols must be strings/);
  });

  it('says how to fix a missing WebSocket constructor', async () => {
    vi.stubGlobal('WebSocket', undefined);
    const client = createLiveWebSocket();
    await expect(client.connect(URL)).rejects.toThrow(/pass createLiveWebSocket\(\{ WebSocket \}\)/);
    vi.unstubAllGlobals();
  });

  it('uses globalThis.WebSocket looked up at connect time', async () => {
    const client = createLiveWebSocket();
    vi.stubGlobal('WebSocket', fake.WebSocket);
    const done = client.connect(URL);
    await advance(0);
    fake.last().open();
    await done;
    expect(client.state.status).toBe('connected');
    vi.unstubAllGlobals();
  });

  it('times out with CONNECTION_TIMEOUT and closes the pending socket', async () => {
    const client = create({ connectionTimeout: 3000 });
    const done = client.connect(URL);
    const outcome = done.catch((e: unknown) => e);
    await advance(2999);
    expect(client.state.status).toBe('connecting');
    await advance(1);
    expect(await outcome).toMatchObject({ code: 'CONNECTION_TIMEOUT', recoverable: true });
    expect(fake.last().readyState).toBeGreaterThanOrEqual(2);
    expect(client.state.status).toBe('disconnected');
    // The abandoned socket opening late changes nothing.
    await advance(0);
    expect(types()).toEqual(['error', 'disconnected']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('calls a URL provider before every attempt and times out a provider that never answers', async () => {
    const client = create({ connectionTimeout: 500, reconnect: { initialDelay: 100, jitter: false } });
    const provider = vi.fn<() => Promise<string>>()
      .mockResolvedValueOnce(`${URL}?token=1`)
      .mockReturnValueOnce(new Promise<string>(() => undefined))
      .mockResolvedValueOnce(`${URL}?token=3`);
    const done = client.connect(provider);
    await advance(0);
    fake.last().open();
    await done;
    fake.last().drop();
    await advance(100); // attempt 1: the provider hangs
    await advance(500);
    expect(errorCodes()).toEqual(['CONNECTION_TIMEOUT']);
    await advance(200); // attempt 2
    fake.last().open();
    expect(provider).toHaveBeenCalledTimes(3);
    expect(client.state).toMatchObject({ status: 'connected', url: `${URL}?token=3` });
  });

  it('reports a URL provider that throws as CONNECTION_FAILED', async () => {
    const client = create();
    const cause = new Error('token expired');
    const error = (await client.connect(() => Promise.reject(cause)).catch((e: unknown) => e)) as WebSocketError;
    expect(error).toMatchObject({ code: 'CONNECTION_FAILED', cause });
  });
});

describe('STATUS (the status alone, read by decorators on every send)', () => {
  it('is state.status at every step: connecting, connected, reconnecting, failed, disconnected', async () => {
    const client = create({ reconnect: { maxAttempts: 1, initialDelay: 100, jitter: false } });
    // What a decorator reads, and what state says, at every step.
    const seen: [ConnectionStatus | undefined, ConnectionStatus][] = [];
    const look = (): void => {
      seen.push([(client as StatusSource)[STATUS], client.state.status]);
    };
    look();
    client.subscribeToEvents(look);
    const done = client.connect(URL);
    look();
    await advance(0);
    fake.last().open();
    await done;
    fake.last().drop();
    await advance(100);
    fake.last().fail();
    const again = client.connect(URL);
    look();
    await client.disconnect();
    await again.catch(() => undefined);
    look();
    for (const [bare, state] of seen) expect(bare).toBe(state);
    expect(new Set(seen.map(([bare]) => bare))).toEqual(new Set(['disconnected', 'connecting', 'connected', 'reconnecting', 'failed']));
  });
});

describe('disconnecting', () => {
  it('closes with the code and reason, and emits exactly one disconnected event', async () => {
    const client = create();
    await connected(client);
    const socket = fake.last();
    await client.disconnect(4001, 'User logged out');
    expect(socket.closeRequest).toEqual({ code: 4001, reason: 'User logged out' });
    expect(events.slice(1)).toEqual([{ type: 'disconnected', code: 4001, reason: 'User logged out', wasClean: true, timestamp: 0 }]);
    expect(client.state).toMatchObject({ status: 'disconnected', connectedAt: null });
    await client.disconnect();
    expect(types()).toEqual(['connected', 'disconnected']);
  });

  it('closes with 1000 by default, never leaving the server a 1005', async () => {
    const client = create();
    await connected(client);
    await client.disconnect();
    expect(fake.last().closeRequest).toEqual({ code: 1000, reason: '' });
  });

  it.each([999, 1001, 1005, 1006, 2999, 5000, 1000.5, Number.NaN])('rejects close code %s and keeps the socket open', async (code) => {
    const client = create();
    await connected(client);
    const error = await client.disconnect(code).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PROTOCOL_ERROR' });
    expect((error as Error).message).toMatch(/1000 or 3000-4999/);
    expect(client.state.status).toBe('connected');
    expect(fake.last().readyState).toBe(1);
  });

  it('rejects a reason over 123 UTF-8 bytes', async () => {
    const client = create();
    await connected(client);
    await expect(client.disconnect(1000, 'é'.repeat(62))).rejects.toMatchObject({ code: 'PROTOCOL_ERROR' });
    await expect(client.disconnect(1000, 'é'.repeat(61))).resolves.toBeUndefined();
  });

  it('stops waiting for a server that never answers the close', async () => {
    fake = createFakeWebSocket({ closeHandshake: 'manual' });
    const client = create();
    await connected(client);
    const done = client.disconnect();
    await advance(5000);
    await done;
    expect(events.at(-1)).toMatchObject({ type: 'disconnected', code: 1006, wasClean: false });
    expect(client.state.status).toBe('disconnected');
    // The socket's close, whenever it comes, releases the last listeners.
    fake.last().drop();
    expect(fake.last().listenerCount()).toBe(0);
  });

  it('cancels an attempt in flight: connect() rejects, one disconnected event, no timer left', async () => {
    const client = create({ reconnect: {} });
    const done = client.connect(URL);
    await advance(0);
    await client.disconnect();
    await expect(done).rejects.toMatchObject({ code: 'CONNECTION_FAILED' });
    expect(types()).toEqual(['disconnected']);
    expect(fake.last().readyState).toBeGreaterThanOrEqual(2);
    await advance(60_000);
    expect(fake.sockets).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
    expect(fake.last().listenerCount()).toBe(0);
  });

  it('cancels a pending reconnect', async () => {
    const client = create({ reconnect: { jitter: false } });
    await connected(client);
    fake.last().drop();
    expect(client.state.status).toBe('reconnecting');
    await client.disconnect();
    expect(types()).toEqual(['connected', 'disconnected', 'reconnecting', 'disconnected']);
    await advance(60_000);
    expect(fake.sockets).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('reconnecting', () => {
  it('keeps trying with exact backoff until maxAttempts, then fails with MAX_RECONNECTS', async () => {
    const client = create({ reconnect: { enabled: true, maxAttempts: 5, initialDelay: 1000, maxDelay: 30_000, backoffMultiplier: 2, jitter: false } });
    await connected(client);
    fake.last().drop();
    const expected = [1000, 2000, 4000, 8000, 16_000];
    for (const [i, delay] of expected.entries()) {
      expect(client.state).toMatchObject({ status: 'reconnecting', reconnectAttempts: i + 1 });
      await advance(delay - 1);
      expect(fake.sockets).toHaveLength(i + 1);
      await advance(1);
      expect(fake.sockets).toHaveLength(i + 2);
      expect(client.state.status).toBe('connecting');
      fake.last().fail();
    }
    expect(delays()).toEqual(expected);
    expect(client.state.status).toBe('failed');
    expect(errorCodes()).toEqual([...expected.map(() => 'CONNECTION_FAILED'), 'MAX_RECONNECTS']);
    const maxed = events.at(-1);
    expect(maxed).toMatchObject({ type: 'error', error: { code: 'MAX_RECONNECTS', recoverable: false } });
    expect(events.filter((e) => e.type === 'reconnecting').map((e) => e.type === 'reconnecting' && e.maxAttempts)).toEqual([5, 5, 5, 5, 5]);
    await advance(120_000);
    expect(fake.sockets).toHaveLength(6);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('reconnects after an error event followed by close, and reports the reconnection', async () => {
    const client = create({ reconnect: { initialDelay: 500, jitter: false } });
    await connected(client);
    fake.last().fail();
    expect(types()).toEqual(['connected', 'disconnected', 'reconnecting']);
    await advance(500);
    await advance(0);
    fake.last().fail();
    await advance(1000);
    fake.last().open();
    expect(types().slice(-2)).toEqual(['connected', 'reconnected']);
    expect(events.at(-1)).toMatchObject({ type: 'reconnected', attempts: 2, totalDelay: 1500 });
    expect(client.stats.reconnects).toBe(1);
    expect(client.state.status).toBe('connected');
  });

  it('reconnects after a server close the application did not ask for', async () => {
    const client = create({ reconnect: { initialDelay: 100, jitter: false } });
    await connected(client);
    fake.last().serverClose(1001, 'Going away');
    expect(events[1]).toMatchObject({ type: 'disconnected', code: 1001, reason: 'Going away', wasClean: true });
    expect(client.state.status).toBe('reconnecting');
  });

  it('never stops with maxAttempts 0, and caps the delay at maxDelay', async () => {
    const client = create({ reconnect: { maxAttempts: 0, initialDelay: 1000, maxDelay: 8000, jitter: false } });
    await connected(client);
    fake.last().drop();
    for (let i = 0; i < 30; i++) {
      await advance(8000);
      fake.last().fail();
    }
    expect(delays().slice(0, 6)).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
    expect(delays()).toHaveLength(31);
    expect(client.state.status).toBe('reconnecting');
  });

  it('applies jitter from the injected random source', async () => {
    const values = [0, 0.999_999, 0.25];
    const client = create({ random: () => values.shift() ?? 0.5, reconnect: { initialDelay: 1000 } });
    await connected(client);
    fake.last().drop();
    await advance(700);
    fake.last().fail();
    await advance(2600);
    fake.last().fail();
    expect(delays()).toEqual([700, 2600, 3400]);
  });

  it('retries at once when connect() is called while waiting to reconnect', async () => {
    const client = create({ reconnect: { initialDelay: 10_000, jitter: false } });
    await connected(client);
    fake.last().drop();
    const retry = client.connect(URL);
    await advance(0);
    expect(fake.sockets).toHaveLength(2);
    fake.last().open();
    await retry;
    expect(events.at(-1)).toMatchObject({ type: 'reconnected', attempts: 1 });
  });

  it('restarts from failed when connect() is called again', async () => {
    const client = create({ reconnect: { maxAttempts: 1, initialDelay: 10, jitter: false } });
    await connected(client);
    fake.last().drop();
    await advance(10);
    fake.last().fail();
    expect(client.state.status).toBe('failed');
    const again = client.connect(URL);
    await advance(0);
    fake.last().open();
    await again;
    expect(client.state).toMatchObject({ status: 'connected', reconnectAttempts: 0 });
  });

  it('asks shouldReconnect for each close', async () => {
    const shouldReconnect = vi.fn((close: { code: number }) => close.code !== 4403);
    const client = create({ reconnect: { shouldReconnect, initialDelay: 10 } });
    await connected(client);
    fake.last().serverClose(4403, 'Forbidden');
    expect(shouldReconnect).toHaveBeenCalledWith({ code: 4403, reason: 'Forbidden', wasClean: true });
    expect(client.state.status).toBe('disconnected');
    expect(types()).toEqual(['connected', 'disconnected']);
    await advance(60_000);
    expect(fake.sockets).toHaveLength(1);
  });

  it('reports a shouldReconnect that throws, stays down, and connects again on the next connect()', async () => {
    const boom = new Error('policy bug');
    const client = create({
      reconnect: {
        initialDelay: 10,
        shouldReconnect: () => {
          throw boom;
        },
      },
    });
    await connected(client);
    fake.last().drop();
    expect(client.state.status).toBe('disconnected');
    expect(client.state.lastError).toMatchObject({ code: 'CALLBACK_FAILED', cause: boom });
    expect(types()).toEqual(['connected', 'disconnected', 'error']);
    await expect(client.send('x')).rejects.toMatchObject({ code: 'SEND_FAILED' });
    const again = client.connect(URL);
    await advance(0);
    expect(fake.sockets).toHaveLength(2);
    fake.last().open();
    await again;
    expect(client.state.status).toBe('connected');
    await client.send('x');
    expect(fake.last().sent).toEqual(['"x"']);
  });

  it('resets the attempt counter only after minUptime, so instant drops back off', async () => {
    const client = create({ reconnect: { initialDelay: 100, jitter: false, minUptime: 1000, maxAttempts: 0 } });
    await connected(client);
    fake.last().drop();
    await advance(100);
    fake.last().open();
    fake.last().drop(); // accepted and dropped at once
    await advance(200);
    fake.last().open();
    await advance(999);
    fake.last().drop();
    await advance(400);
    fake.last().open();
    await advance(1000); // stable now
    fake.last().drop();
    expect(delays()).toEqual([100, 200, 400, 100]);
  });

  it('does not reconnect by default, as the guide says', async () => {
    const client = create();
    await connected(client);
    fake.last().drop();
    expect(client.state.status).toBe('disconnected');
    await advance(60_000);
    expect(fake.sockets).toHaveLength(1);
  });

  it('supports the guide\'s manual reconnection pattern', async () => {
    const client = create({ reconnect: { enabled: false } });
    client.subscribeToEvents((event) => {
      if (event.type === 'disconnected' && !event.wasClean) {
        setTimeout(() => {
          void client.connect(client.state.url!);
        }, 5000);
      }
    });
    await connected(client);
    fake.last().drop();
    await advance(5000);
    expect(fake.sockets).toHaveLength(2);
    fake.last().fail(); // the retry fails too: the pattern tries again, and nothing is unhandled
    await advance(5000);
    fake.last().open();
    expect(client.state.status).toBe('connected');
  });
});

describe('stale sockets', () => {
  it('ignores a late close of a replaced socket', async () => {
    fake = createFakeWebSocket({ closeHandshake: 'manual' });
    const client = create({ reconnect: { initialDelay: 10, jitter: false } });
    await connected(client);
    const old = fake.last();
    client.markDead('Heartbeat timeout');
    await advance(10);
    fake.last().open();
    const before = events.length;
    old.serverClose(1001, 'late');
    expect(events.length).toBe(before);
    expect(client.state.status).toBe('connected');
    expect(old.listenerCount()).toBe(0);
  });

  it('ignores a socket that opens after its attempt timed out', async () => {
    const client = create({ connectionTimeout: 100, reconnect: { initialDelay: 10, jitter: false } });
    const first = client.connect(URL).catch(() => undefined);
    await advance(100);
    await first;
    const late = fake.sockets[0]!;
    expect(() => {
      late.open();
    }).toThrow(); // it was closed: a real late open cannot happen either
    await advance(10);
    fake.last().open();
    expect(client.state.status).toBe('connected');
    expect(late.listenerCount()).toBe(0);
  });
});

describe('messages', () => {
  it('delivers decoded messages with timestamp and raw frame to every subscriber', async () => {
    const client = create<{ type: string }>();
    await connected(client);
    vi.setSystemTime(777);
    const a = vi.fn();
    const b = vi.fn();
    client.subscribe(a);
    const offB = client.subscribe(b);
    fake.last().receive('{"type":"chat"}');
    offB();
    fake.last().receive('{"type":"status"}');
    expect(a.mock.calls.map((call: unknown[]) => call[0])).toEqual([
      { data: { type: 'chat' }, timestamp: 777, raw: '{"type":"chat"}' },
      { data: { type: 'status' }, timestamp: 777, raw: '{"type":"status"}' },
    ]);
    expect(b).toHaveBeenCalledTimes(1);
    expect(client.stats).toMatchObject({ messagesReceived: 2, bytesReceived: 32 });
  });

  it('reports a frame it cannot decode as INVALID_MESSAGE and stays connected', async () => {
    const client = create();
    await connected(client);
    const listener = vi.fn();
    client.subscribe(listener);
    fake.last().receive('{not json');
    fake.last().receive(new Uint8Array([0xff, 0xfe]));
    fake.last().receive('"ok"');
    expect(errorCodes()).toEqual(['INVALID_MESSAGE', 'INVALID_MESSAGE']);
    expect(listener).toHaveBeenCalledTimes(1);
    expect(client.state.status).toBe('connected');
  });

  it('wraps a custom serializer\'s plain error in INVALID_MESSAGE', async () => {
    const client = create({
      serializer: {
        serialize: (m: unknown) => String(m),
        deserialize: () => {
          throw new Error('bad frame');
        },
      },
    });
    await connected(client);
    fake.last().receive('x');
    expect(events.at(-1)).toMatchObject({ type: 'error', error: { code: 'INVALID_MESSAGE', cause: { message: 'bad frame' } } });
  });

  it('keeps other subscribers running when one throws, and reports the throw as an error event', async () => {
    const client = create();
    await connected(client);
    const boom = new Error('subscriber failed');
    const errors: WebSocketError[] = [];
    client.subscribeToEvents((event) => {
      if (event.type === 'error') errors.push(event.error);
    });
    const after = vi.fn();
    client.subscribe(() => {
      throw boom;
    });
    client.subscribe(after);
    fake.last().receive('1');
    expect(after).toHaveBeenCalledOnce();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'CALLBACK_FAILED', cause: boom });
    expect(client.state).toMatchObject({ status: 'connected', lastError: errors[0] });
    expect(client.stats.errors).toBe(1);
  });

  it('re-throws from a microtask what an error-event listener throws, instead of looping', async () => {
    const client = create();
    await connected(client);
    const boom = new Error('error listener failed');
    const reported: unknown[] = [];
    const queue = globalThis.queueMicrotask;
    vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((task) => {
      queue(() => {
        try {
          task();
        } catch (error) {
          reported.push(error);
        }
      });
    });
    let calls = 0;
    client.subscribeToEvents((event) => {
      if (event.type !== 'error') return;
      calls++;
      throw boom;
    });
    client.subscribe(() => {
      throw new Error('message listener failed');
    });
    fake.last().receive('1');
    await Promise.resolve();
    expect(calls).toBe(1);
    expect(reported).toEqual([boom]);
    vi.restoreAllMocks();
  });
});

describe('sending', () => {
  it('serializes, sends and counts bytes', async () => {
    const client = create<{ text: string }>();
    await connected(client);
    await client.send({ text: 'héllo' });
    expect(fake.last().sent).toEqual(['{"text":"héllo"}']);
    expect(client.stats).toMatchObject({ messagesSent: 1, bytesSent: 17 });
  });

  it('rejects with SEND_FAILED when not connected, and reports it', async () => {
    const client = create();
    const error = await client.send({ a: 1 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SEND_FAILED', message: 'Not connected (disconnected)' });
    expect(errorCodes()).toEqual(['SEND_FAILED']);
  });

  it('leaves no unhandled rejection when a failed send is not awaited', async () => {
    const client = create();
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    void client.send('lost?');
    await vi.advanceTimersByTimeAsync(0);
    await new Promise((resolve) => {
      setImmediate(resolve);
      vi.advanceTimersToNextTimer();
    });
    process.off('unhandledRejection', unhandled);
    expect(unhandled).not.toHaveBeenCalled();
    expect(errorCodes()).toEqual(['SEND_FAILED']);
  });

  it('rejects a message the serializer cannot encode with INVALID_MESSAGE', async () => {
    const client = create();
    await connected(client);
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    await expect(client.send(cycle)).rejects.toMatchObject({ code: 'INVALID_MESSAGE', recoverable: false });
    expect(fake.last().sent).toEqual([]);
  });

  it('sends binary frames from a binary serializer', async () => {
    const client = create<number[]>({
      serializer: {
        serialize: (m: unknown) => new Uint8Array(m as number[]).buffer,
        deserialize: <T,>(data: string | ArrayBuffer | Blob): T => [...new Uint8Array(data as ArrayBuffer)] as T,
      },
    });
    await connected(client);
    await client.send([1, 2, 3]);
    expect(client.stats.bytesSent).toBe(3);
    const got = vi.fn();
    client.subscribe(got);
    fake.last().receive(new Uint8Array([9, 8]).buffer);
    expect(got.mock.calls[0]?.[0]).toMatchObject({ data: [9, 8] });
    expect(client.stats.bytesReceived).toBe(2);
  });

  describe('with queueSize', () => {
    it('holds sends while reconnecting and sends them first, in order, on reconnect', async () => {
      const client = create<string>({ queueSize: 2, reconnect: { initialDelay: 100, jitter: false } });
      await connected(client);
      fake.last().drop();
      const first = client.send('one');
      const second = client.send('two');
      await expect(client.send('three')).rejects.toMatchObject({ code: 'SEND_FAILED', message: 'Send queue is full (2)' });
      client.subscribeToEvents((event) => {
        if (event.type === 'connected') void client.send('newer');
      });
      await advance(100);
      fake.last().open();
      await Promise.all([first, second]);
      expect(fake.last().sent).toEqual(['"one"', '"two"', '"newer"']);
    });

    it('rejects held sends when disconnect() is called', async () => {
      const client = create<string>({ queueSize: 5, reconnect: {} });
      await connected(client);
      fake.last().drop();
      const held = client.send('one');
      await client.disconnect();
      await expect(held).rejects.toMatchObject({ code: 'SEND_FAILED' });
    });

    it('rejects held sends when reconnection gives up', async () => {
      const client = create<string>({ queueSize: 5, reconnect: { maxAttempts: 1, initialDelay: 10 } });
      await connected(client);
      fake.last().drop();
      const held = client.send('one');
      await advance(10);
      fake.last().fail();
      await expect(held).rejects.toMatchObject({ code: 'SEND_FAILED', message: 'Reconnection failed' });
    });

    it('still rejects sends when disconnected', async () => {
      const client = create<string>({ queueSize: 5 });
      await expect(client.send('x')).rejects.toMatchObject({ code: 'SEND_FAILED' });
    });
  });
});

describe('heartbeat option', () => {
  it('pings every interval, consumes pongs, and measures nothing it does not need', async () => {
    const client = create({ heartbeat: { interval: 1000, timeout: 200 } });
    await connected(client);
    const listener = vi.fn();
    client.subscribe(listener);
    await advance(1000);
    expect(fake.last().sent).toEqual(['"PING"']);
    await advance(50);
    fake.last().receive('"PONG"');
    await advance(1000);
    expect(fake.last().sent).toEqual(['"PING"', '"PING"']);
    expect(listener).not.toHaveBeenCalled();
    expect(client.state.status).toBe('connected');
  });

  it('declares the connection dead when the pong is late, then reconnects', async () => {
    const client = create({ heartbeat: { interval: 1000, timeout: 200 }, reconnect: { initialDelay: 10, jitter: false } });
    await connected(client);
    await advance(1200);
    expect(errorCodes()).toEqual(['HEARTBEAT_TIMEOUT']);
    expect(events.find((e) => e.type === 'disconnected')).toMatchObject({ reason: 'Heartbeat timeout', wasClean: false, code: 1006 });
    expect(client.state.status).toBe('reconnecting');
    await advance(10);
    fake.last().open();
    expect(client.state.status).toBe('connected');
  });

  it('matches object pongs structurally and calls ping functions for each ping', async () => {
    let n = 0;
    const client = create({
      heartbeat: { interval: 100, timeout: 50, pingMessage: () => ({ type: 'ping', n: ++n }), pongMessage: { type: 'pong', timestamp: 0 } },
    });
    await connected(client);
    await advance(100);
    fake.last().receive('{"type":"pong","timestamp":99}');
    await advance(100);
    fake.last().receive('{"type":"pong","timestamp":123}');
    expect(fake.last().sent).toEqual(['{"type":"ping","n":1}', '{"type":"ping","n":2}']);
    expect(errorCodes()).toEqual([]);
  });

  it('stops with the connection: no ping after disconnect()', async () => {
    const client = create({ heartbeat: { interval: 100, timeout: 50 } });
    await connected(client);
    await client.disconnect();
    await advance(10_000);
    expect(fake.last().sent).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('markDead', () => {
  it('emits disconnected with the reason and follows the reconnect policy', async () => {
    const client = create({ reconnect: { initialDelay: 10, jitter: false } });
    await connected(client);
    client.markDead('Heartbeat timeout');
    expect(events.slice(1, 3)).toEqual([
      { type: 'disconnected', code: 1006, reason: 'Heartbeat timeout', wasClean: false, timestamp: 0 },
      { type: 'reconnecting', attempt: 1, delay: 10, maxAttempts: 5, timestamp: 0 },
    ]);
  });

  it('does nothing unless connected', () => {
    const client = create();
    client.markDead('x');
    expect(events).toEqual([]);
  });
});

describe('stats', () => {
  it('reports uptime from the clock while connected, 0 otherwise', async () => {
    const client = create();
    expect(client.stats.uptime).toBe(0);
    await connected(client);
    await advance(12_345);
    expect(client.stats.uptime).toBe(12_345);
    await client.disconnect();
    expect(client.stats.uptime).toBe(0);
  });
});

describe('configuration', () => {
  it.each([
    [{ connectionTimeout: 0 }, /connectionTimeout/],
    [{ connectionTimeout: Number.NaN }, /connectionTimeout/],
    [{ queueSize: -1 }, /queueSize/],
    [{ queueSize: 1.5 }, /queueSize/],
    [{ reconnect: { maxAttempts: -1 } }, /maxAttempts/],
    [{ reconnect: { initialDelay: Number.POSITIVE_INFINITY } }, /initialDelay/],
    [{ reconnect: { initialDelay: 5000, maxDelay: 1000 } }, /maxDelay/],
    [{ reconnect: { backoffMultiplier: 0.5 } }, /backoffMultiplier/],
    [{ heartbeat: { interval: -5 } }, /heartbeat.interval/],
  ])('rejects %j with a TypeError naming the option', (config, pattern) => {
    expect(() => createLiveWebSocket(config as LiveWebSocketConfig)).toThrow(TypeError);
    expect(() => createLiveWebSocket(config as LiveWebSocketConfig)).toThrow(pattern);
  });
});

describe('leaks', () => {
  it('leaves no timer and no socket listener after disconnect()', async () => {
    const client = create({ heartbeat: { interval: 100 }, reconnect: {} });
    await connected(client);
    await client.disconnect();
    await advance(0);
    expect(vi.getTimerCount()).toBe(0);
    expect(fake.sockets.map((s) => s.listenerCount())).toEqual([0]);
  });

  it('keeps listener counts and pending timers flat over 10,000 connect/disconnect cycles', async () => {
    const client = create({ heartbeat: { interval: 100 }, reconnect: {} });
    const listener = (): void => undefined;
    for (let i = 0; i < 10_000; i++) {
      const off = client.subscribe(listener);
      const done = client.connect(URL);
      await Promise.resolve();
      fake.last().open();
      await done;
      await client.disconnect();
      off();
      if (i % 1000 === 0) fake.reset();
    }
    await advance(0);
    expect(vi.getTimerCount()).toBe(0);
    expect(fake.sockets.every((s) => s.listenerCount() === 0)).toBe(true);
    expect(events.filter((e) => e.type === 'connected')).toHaveLength(10_000);
    expect(events.filter((e) => e.type === 'disconnected')).toHaveLength(10_000);
  });
});
