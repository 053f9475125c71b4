import {
  JSONSerializer,
  WebSocketError,
  WS_ERROR_CODES,
  type RawData,
  type WebSocketClient,
  type WebSocketEvent,
} from '@composable-svelte/ws-types';
import type { DropReason, QueueConfig } from './config.js';
import { createMockWebSocket, createSpyWebSocket, recordEvents, type MockWebSocket } from '@composable-svelte/ws-testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { failingSends, slowSends, withSend } from '../test/clients.js';
import { DEFAULT_QUEUE } from './defaults.js';
import { createQueuedWebSocket, type QueuedWebSocket } from './queued-websocket.js';

const URL = 'wss://example.com';

type Mock = MockWebSocket<string>;

interface Setup {
  mock: Mock;
  queued: QueuedWebSocket<string>;
  drops: [string, DropReason][];
  events: WebSocketEvent[];
  /** Connects through the queued client and resolves once the flush has ended. */
  connect: () => Promise<void>;
  /** Completes a reconnection of the mock and resolves once the flush has ended. */
  reopen: () => Promise<void>;
}

function setup(
  options: QueueConfig<string> = {},
  wrap: (mock: Mock) => WebSocketClient<string> = (mock) => mock,
  mock: Mock = createMockWebSocket<string>({ connect: 'manual' }),
): Setup {
  const drops: [string, DropReason][] = [];
  const queued = createQueuedWebSocket(wrap(mock), { onDrop: (message, reason) => drops.push([message, reason]), ...options });
  const { events } = recordEvents(queued);
  return {
    mock,
    queued,
    drops,
    events,
    connect: async () => {
      const connected = queued.connect(URL);
      mock.open();
      await connected;
    },
    reopen: async () => {
      mock.open();
      // Already connected: resolves once the flush started by `open()` has ended.
      await queued.connect(URL);
    },
  };
}

const errors = (events: WebSocketEvent[]): WebSocketError[] =>
  events.flatMap((event) => (event.type === 'error' ? [event.error] : []));

const ackMessage = (id: string): string => `ack:${id}`;
const ack = {
  id: (message: string) => message,
  ackOf: (data: string) => (data.startsWith('ack:') ? data.slice(4) : undefined),
};

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('options', () => {
  it('defaults to 100 messages, dropping the oldest, kept forever', async () => {
    expect(DEFAULT_QUEUE).toEqual({ maxSize: 100, dropStrategy: 'oldest', ttl: 0 });
    vi.useFakeTimers();
    const mock = createMockWebSocket<number>();
    const queued = createQueuedWebSocket(mock);
    for (let i = 0; i < 101; i++) await queued.send(i);
    vi.advanceTimersByTime(365 * 24 * 3600_000);
    expect(queued.queue.size).toBe(100);
    expect(queued.queue.isFull).toBe(true);
    expect(queued.queue.peek()[0]).toBe(1);
  });

  it('takes a plain number as maxSize', async () => {
    const mock = createMockWebSocket<string>();
    const queued = createQueuedWebSocket(mock, 2);
    await queued.send('a');
    await queued.send('b');
    expect(queued.queue.isFull).toBe(true);
    await queued.send('c');
    expect(queued.queue.peek()).toEqual(['b', 'c']);
  });

  it.each([
    ['maxSize', { maxSize: 0 }],
    ['maxSize', { maxSize: -1 }],
    ['maxSize', { maxSize: 1.5 }],
    ['maxSize', { maxSize: Number.NaN }],
    ['maxSize', { maxSize: Infinity }],
    ['maxSize', { maxSize: '3' as unknown as number }],
    ['maxSize', 0],
    ['ttl', { ttl: -1 }],
    ['ttl', { ttl: Number.NaN }],
    ['dropStrategy', { dropStrategy: 'random' as unknown as 'oldest' }],
  ])('throws a TypeError naming %s for %o', (name, options) => {
    expect(() => createQueuedWebSocket(createMockWebSocket(), options)).toThrow(TypeError);
    expect(() => createQueuedWebSocket(createMockWebSocket(), options)).toThrow(name);
  });
});

describe('while not connected', () => {
  it('queues sends, resolving once queued, and sends nothing', async () => {
    const { mock, queued } = setup();
    await expect(queued.send('a')).resolves.toBeUndefined();
    await queued.send('b');
    expect(mock.sentMessages).toEqual([]);
    expect(queued.queue.size).toBe(2);
    expect(queued.queue.isFull).toBe(false);
    expect(queued.queue.peek()).toEqual(['a', 'b']);
  });

  it('peek() returns a copy', async () => {
    const { queued } = setup();
    await queued.send('a');
    const copy = queued.queue.peek();
    copy.push('intruder');
    copy[0] = 'changed';
    expect(queued.queue.peek()).toEqual(['a']);
    expect(queued.queue.size).toBe(1);
  });

  it('queues while connecting and while reconnecting', async () => {
    const { mock, queued, reopen } = setup();
    const connecting = queued.connect(URL);
    expect(mock.state.status).toBe('connecting');
    await queued.send('while connecting');
    mock.open();
    await connecting;
    mock.simulateDisconnect(1006, '', { reconnect: true });
    expect(mock.state.status).toBe('reconnecting');
    await queued.send('while reconnecting');
    expect(queued.queue.peek()).toEqual(['while reconnecting']);
    await reopen();
    expect(mock.sentMessages).toEqual(['while connecting', 'while reconnecting']);
  });
});

describe('flushing on connected', () => {
  it('sends the queue in FIFO order; connect() resolves once it is sent', async () => {
    const { mock, queued, connect } = setup();
    for (const message of ['1', '2', '3']) await queued.send(message);
    await connect();
    expect(mock.sentMessages).toEqual(['1', '2', '3']);
    expect(queued.queue.size).toBe(0);
  });

  it('sends the queue before what listeners of the connected event send', async () => {
    const { mock, queued, connect } = setup();
    queued.subscribeToEvents((event) => {
      if (event.type === 'connected') void queued.send('from listener');
    });
    await queued.send('queued 1');
    await queued.send('queued 2');
    await connect();
    expect(mock.sentMessages).toEqual(['queued 1', 'queued 2', 'from listener']);
  });

  it('queues sends made while a flush is in progress behind it', async () => {
    const mock = createMockWebSocket<string>({ connect: 'manual' });
    const slow = slowSends(mock);
    const queued = createQueuedWebSocket(slow.client);
    await queued.send('a');
    await queued.send('b');
    const connected = queued.connect(URL);
    mock.open();
    expect(slow.pending).toBe(1); // 'a' is being sent
    await queued.send('c');
    expect(queued.queue.peek()).toEqual(['b', 'c']);
    while (slow.pending > 0) {
      slow.release();
      await Promise.resolve();
      await Promise.resolve();
    }
    await connected;
    expect(mock.sentMessages).toEqual(['a', 'b', 'c']);
  });

  it('passes sends straight through when connected with an empty queue: same promise', async () => {
    const mock = createMockWebSocket<string>();
    const sent = Promise.resolve();
    const rejected = Promise.reject(new WebSocketError('boom', WS_ERROR_CODES.SEND_FAILED, true));
    rejected.catch(() => undefined);
    const queued = createQueuedWebSocket(withSend(mock, (message) => (message === 'bad' ? rejected : sent)));
    await queued.connect(URL);
    expect(queued.send('good')).toBe(sent);
    expect(queued.send('bad')).toBe(rejected);
    expect(queued.queue.size).toBe(0);
  });

  it('passes the wrapped client rejections through when connected', async () => {
    const serializer = {
      serialize: () => {
        throw new Error('nope');
      },
      deserialize: <D>(data: RawData) => JSONSerializer.deserialize<D>(data),
    };
    const mock = createMockWebSocket<unknown>({ serializer });
    const queued = createQueuedWebSocket(mock);
    await queued.connect(URL);
    await expect(queued.send({})).rejects.toMatchObject({ code: WS_ERROR_CODES.INVALID_MESSAGE });
  });

  it('leaves a message whose send fails, and the rest, queued until the next connected', async () => {
    let failing = true;
    const { mock, queued, drops, connect, reopen } = setup({}, (m) =>
      failingSends(m, (message) => (failing && message === 'b' ? new WebSocketError('socket broke', WS_ERROR_CODES.SEND_FAILED, true) : undefined)),
    );
    for (const message of ['a', 'b', 'c']) await queued.send(message);
    await connect();
    expect(mock.sentMessages).toEqual(['a']);
    expect(queued.queue.peek()).toEqual(['b', 'c']);
    // Still connected: newer sends wait behind the queue.
    await queued.send('d');
    expect(mock.sentMessages).toEqual(['a']);
    failing = false;
    mock.simulateDisconnect(1006, '', { reconnect: true });
    await reopen();
    expect(mock.sentMessages).toEqual(['a', 'b', 'c', 'd']);
    expect(queued.queue.size).toBe(0);
    expect(drops).toEqual([]);
  });

  it('drops a message the wrapped client refuses for good (invalid) and goes on', async () => {
    const { mock, queued, drops, events, connect } = setup({}, (m) =>
      failingSends(m, (message) => (message === 'bad' ? new WebSocketError('cannot encode', WS_ERROR_CODES.INVALID_MESSAGE, false) : undefined)),
    );
    for (const message of ['a', 'bad', 'c']) await queued.send(message);
    await connect();
    expect(mock.sentMessages).toEqual(['a', 'c']);
    expect(drops).toEqual([['bad', 'invalid']]);
    expect(errors(events)).toMatchObject([{ code: WS_ERROR_CODES.SEND_FAILED, recoverable: true, cause: 'bad' }]);
    expect(queued.queue.size).toBe(0);
  });

  it('keeps flushing when a new connection comes while a failing send was pending', async () => {
    const mock = createMockWebSocket<string>({ connect: 'manual', reconnect: true });
    let fail: ((error: WebSocketError) => void) | null = null;
    const client = withSend(mock, (message) =>
      message === 'a' && !fail ? new Promise<void>((_resolve, reject) => (fail = reject)) : mock.send(message),
    );
    const queued = createQueuedWebSocket(client);
    await queued.send('a');
    await queued.send('b');
    const connected = queued.connect(URL);
    mock.open();
    mock.simulateDisconnect();
    mock.open();
    fail!(new WebSocketError('lost', WS_ERROR_CODES.SEND_FAILED, true));
    await connected;
    await queued.connect(URL);
    expect(mock.sentMessages).toEqual(['a', 'b']);
  });

  it('keeps the queue across disconnect() and sends it after the next connect', async () => {
    const { mock, queued, connect } = setup();
    await connect();
    await queued.disconnect();
    expect(mock.state.status).toBe('disconnected');
    await queued.send('later');
    expect(queued.queue.size).toBe(1);
    await connect();
    expect(mock.sentMessages).toEqual(['later']);
  });

  it('is O(1) per message: 50 000 queued messages flush in order without Array#shift', async () => {
    const { mock, queued, connect } = setup({ maxSize: 50_000 });
    const shift = vi.spyOn(Array.prototype, 'shift');
    for (let i = 0; i < 50_000; i++) void queued.send(String(i));
    expect(queued.queue.size).toBe(50_000);
    await connect();
    expect(shift).not.toHaveBeenCalled();
    expect(mock.sentMessages).toHaveLength(50_000);
    expect(mock.sentMessages.every((message, i) => message === String(i))).toBe(true);
  });
});

describe('drop strategies', () => {
  it("'oldest' drops the oldest message to make room, reported to onDrop and as an error event", async () => {
    const { queued, drops, events } = setup({ maxSize: 3 });
    for (const message of ['1', '2', '3', '4', '5']) await queued.send(message);
    expect(queued.queue.peek()).toEqual(['3', '4', '5']);
    expect(queued.queue.isFull).toBe(true);
    expect(drops).toEqual([
      ['1', 'overflow'],
      ['2', 'overflow'],
    ]);
    const [first] = errors(events);
    expect(first).toBeInstanceOf(WebSocketError);
    expect(first).toMatchObject({ code: WS_ERROR_CODES.SEND_FAILED, recoverable: true, cause: '1' });
    expect(first?.message).toMatch(/dropped: overflow/);
    expect(errors(events)).toHaveLength(2);
  });

  it("'newest' drops the new message; its send still resolves", async () => {
    const { queued, drops, events } = setup({ maxSize: 3, dropStrategy: 'newest' });
    for (const message of ['1', '2', '3']) await queued.send(message);
    await expect(queued.send('4')).resolves.toBeUndefined();
    expect(queued.queue.peek()).toEqual(['1', '2', '3']);
    expect(drops).toEqual([['4', 'overflow']]);
    expect(errors(events)).toMatchObject([{ code: WS_ERROR_CODES.SEND_FAILED, cause: '4' }]);
  });

  it("'reject' rejects the new send with SEND_FAILED saying the queue is full", async () => {
    const { queued, drops, events } = setup({ maxSize: 2, dropStrategy: 'reject' });
    await queued.send('1');
    await queued.send('2');
    const error = await queued.send('3').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebSocketError);
    expect(error).toMatchObject({ code: WS_ERROR_CODES.SEND_FAILED, recoverable: true, cause: '3' });
    expect((error as Error).message).toMatch(/full/);
    expect(queued.queue.peek()).toEqual(['1', '2']);
    expect(drops).toEqual([]); // never accepted: the caller still has it
    expect(errors(events)).toEqual([error]);
  });

  it('an unawaited rejected send does not cause an unhandled rejection', async () => {
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const { queued } = setup({ maxSize: 1, dropStrategy: 'reject' });
      await queued.send('1');
      void queued.send('2');
      // Node reports unhandled rejections once the microtasks have run: wait one macrotask.
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });
});

describe('ttl', () => {
  it('drops messages older than ttl at flush time, with no timer', async () => {
    vi.useFakeTimers();
    const { mock, queued, drops, events, connect } = setup({ ttl: 1000 });
    await queued.send('old');
    vi.advanceTimersByTime(600);
    await queued.send('new');
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(400);
    // Expired: no longer counted at once, reported when the queue is next flushed.
    expect(queued.queue.size).toBe(1);
    expect(queued.queue.peek()).toEqual(['new']);
    expect(drops).toEqual([]);
    await connect();
    expect(mock.sentMessages).toEqual(['new']);
    expect(drops).toEqual([['old', 'expired']]);
    expect(errors(events)).toMatchObject([{ code: WS_ERROR_CODES.SEND_FAILED, recoverable: true, cause: 'old' }]);
    expect(errors(events)[0]?.message).toMatch(/expired/);
  });

  it('reports expired messages at the next send, and never counts them toward maxSize', async () => {
    let now = 0;
    const { queued, drops } = setup({ ttl: 50, maxSize: 2, timers: { now: () => now } });
    await queued.send('a');
    await queued.send('b');
    expect(queued.queue.isFull).toBe(true);
    now = 50;
    expect(queued.queue.isFull).toBe(false);
    await queued.send('c');
    expect(drops).toEqual([
      ['a', 'expired'],
      ['b', 'expired'],
    ]);
    expect(queued.queue.peek()).toEqual(['c']);
  });

  it('reports expired messages as expired, not cleared, on clear()', async () => {
    let now = 0;
    const { queued, drops } = setup({ ttl: 10, timers: { now: () => now } });
    await queued.send('a');
    now = 5;
    await queued.send('b');
    now = 10;
    queued.queue.clear();
    expect(drops).toEqual([
      ['a', 'expired'],
      ['b', 'cleared'],
    ]);
  });
});

describe('clear()', () => {
  it('empties the queue, reporting each message as cleared', async () => {
    const { mock, queued, drops, events, connect } = setup();
    await queued.send('a');
    await queued.send('b');
    queued.queue.clear();
    expect(queued.queue.size).toBe(0);
    expect(queued.queue.peek()).toEqual([]);
    expect(drops).toEqual([
      ['a', 'cleared'],
      ['b', 'cleared'],
    ]);
    expect(errors(events).map((error) => error.cause)).toEqual(['a', 'b']);
    await connect();
    expect(mock.sentMessages).toEqual([]);
    await queued.send('after');
    expect(mock.sentMessages).toEqual(['after']);
  });

  it('reports a message cleared while its send was pending, if that send fails', async () => {
    const mock = createMockWebSocket<string>({ connect: 'manual' });
    let fail: ((error: WebSocketError) => void) | null = null;
    const drops: [string, DropReason][] = [];
    const queued = createQueuedWebSocket(
      withSend(mock, () => new Promise<void>((_resolve, reject) => (fail = reject))),
      { onDrop: (message, reason) => drops.push([message, reason]) },
    );
    await queued.send('a');
    const connected = queued.connect(URL);
    mock.open();
    queued.queue.clear();
    fail!(new WebSocketError('lost', WS_ERROR_CODES.SEND_FAILED, true));
    await connected;
    expect(drops).toEqual([['a', 'cleared']]);
    expect(queued.queue.size).toBe(0);
  });
});

describe('events and delegation', () => {
  it("forwards the wrapped client's events, and adds its drops", async () => {
    const { mock, queued, events, connect } = setup({ maxSize: 1 });
    await queued.send('a');
    await queued.send('b');
    await connect();
    mock.simulateDisconnect(4000, 'bye');
    expect(events.map((event) => event.type)).toEqual(['error', 'connected', 'disconnected']);
    // The drop is this client's: the wrapped client never heard of it.
    expect(mock.state.lastError).toBeNull();
  });

  it('stops delivering events after unsubscribing', async () => {
    const { mock, queued, connect } = setup();
    const seen: string[] = [];
    const off = queued.subscribeToEvents((event) => seen.push(event.type));
    await connect();
    off();
    off();
    mock.simulateDisconnect();
    expect(seen).toEqual(['connected']);
  });

  it('delegates subscribe, disconnect, markDead, state and stats to the wrapped client', async () => {
    const { mock, queued, connect } = setup();
    const received: string[] = [];
    const off = queued.subscribe((message) => received.push(message.data));
    await connect();
    mock.simulateMessage('hello');
    off();
    mock.simulateMessage('unseen');
    expect(received).toEqual(['hello']);
    await queued.send('x');
    expect(queued.state).toEqual(mock.state);
    expect(queued.stats).toEqual(mock.stats);
    queued.markDead('Heartbeat timeout');
    expect(mock.state.status).toBe('disconnected');
    await connect();
    await queued.disconnect(4001, 'Logged out');
    expect(mock.state.status).toBe('disconnected');
    await expect(queued.disconnect(999)).rejects.toMatchObject({ code: WS_ERROR_CODES.PROTOCOL_ERROR });
  });

  it('rejects connect() as the wrapped client does', async () => {
    const queued = createQueuedWebSocket(createMockWebSocket<string>({ connect: 'fail' }));
    await expect(queued.connect(URL)).rejects.toMatchObject({ code: WS_ERROR_CODES.CONNECTION_FAILED });
  });

  it('composes with the spy in either order', async () => {
    const inner = createMockWebSocket<string>({ connect: 'manual' });
    const spyInside = createQueuedWebSocket(createSpyWebSocket(inner));
    await spyInside.send('queued');
    const connected = spyInside.connect(URL);
    inner.open();
    await connected;
    expect(inner.sentMessages).toEqual(['queued']);

    const other = createMockWebSocket<string>({ connect: 'manual' });
    const spy = createSpyWebSocket(createQueuedWebSocket(other));
    await spy.send('queued');
    expect(other.sentMessages).toEqual([]);
    const opened = spy.connect(URL);
    other.open();
    await opened;
    expect(spy.sentMessages).toEqual(['queued']);
    expect(other.sentMessages).toEqual(['queued']);
  });

  it('isolates an onDrop that throws, reporting the throw as a CALLBACK_FAILED error event', async () => {
    const boom = new Error('onDrop failed');
    const queued = createQueuedWebSocket(createMockWebSocket<string>(), {
      maxSize: 1,
      onDrop: () => {
        throw boom;
      },
    });
    const { events } = recordEvents(queued);
    await queued.send('a');
    await queued.send('b');
    expect(queued.queue.peek()).toEqual(['b']);
    const reported = errors(events);
    expect(reported).toHaveLength(2);
    expect(reported[0]).toMatchObject({ code: 'CALLBACK_FAILED', cause: boom });
    expect(reported[1]).toMatchObject({ code: 'SEND_FAILED', cause: 'a' });
    expect(queued.stats.errors).toBe(2);
  });
});

describe('acknowledged delivery', () => {
  it('holds each message that went out until acknowledged; acks still reach subscribers', async () => {
    const { mock, queued, connect } = setup({ ack });
    const received: string[] = [];
    queued.subscribe((message) => received.push(message.data));
    await connect();
    await queued.send('a');
    await queued.send('b');
    expect(mock.sentMessages).toEqual(['a', 'b']);
    expect(queued.queue.peek()).toEqual(['a', 'b']);
    mock.simulateMessage(ackMessage('a'));
    expect(queued.queue.peek()).toEqual(['b']);
    mock.simulateMessage('not an ack');
    mock.simulateMessage(ackMessage('unknown'));
    expect(queued.queue.size).toBe(1);
    mock.simulateMessage(ackMessage('b'));
    expect(queued.queue.size).toBe(0);
    expect(received).toEqual([ackMessage('a'), 'not an ack', ackMessage('unknown'), ackMessage('b')]);
  });

  it('passes a send straight through when connected with nothing waiting: same promise', async () => {
    const mock = createMockWebSocket<string>();
    const sent = Promise.resolve();
    const queued = createQueuedWebSocket(withSend(mock, () => sent), { ack });
    await queued.connect(URL);
    expect(queued.send('a')).toBe(sent);
    expect(queued.queue.peek()).toEqual(['a']);
  });

  it('re-sends unacknowledged messages first, in order, after a reconnect, then the queue', async () => {
    const { mock, queued, connect, reopen } = setup({ ack });
    await connect();
    await queued.send('a');
    await queued.send('b');
    await queued.send('c');
    mock.simulateMessage(ackMessage('a'));
    mock.simulateDisconnect(1006, '', { reconnect: true });
    await queued.send('d');
    expect(queued.queue.peek()).toEqual(['b', 'c', 'd']);
    await reopen();
    expect(mock.sentMessages).toEqual(['a', 'b', 'c', 'b', 'c', 'd']);
    mock.simulateMessage(ackMessage('b'));
    mock.simulateMessage(ackMessage('c'));
    mock.simulateMessage(ackMessage('d'));
    expect(queued.queue.size).toBe(0);
  });

  it('re-sends after disconnect() and a new connect()', async () => {
    const { mock, queued, connect } = setup({ ack });
    await connect();
    await queued.send('a');
    await queued.disconnect();
    await connect();
    expect(mock.sentMessages).toEqual(['a', 'a']);
  });

  it('accepts acknowledgements out of order, and acks of messages still queued', async () => {
    const { mock, queued, connect } = setup({ ack });
    await queued.send('x');
    mock.simulateMessage(ackMessage('x')); // e.g. an earlier connection's copy arrived
    expect(queued.queue.size).toBe(0);
    await connect();
    expect(mock.sentMessages).toEqual([]);
    for (const message of ['a', 'b', 'c']) await queued.send(message);
    mock.simulateMessage(ackMessage('b'));
    expect(queued.queue.peek()).toEqual(['a', 'c']);
    mock.simulateDisconnect(1006, '', { reconnect: true });
    mock.simulateMessage(ackMessage('c'));
    mock.open();
    await queued.connect(URL);
    expect(mock.sentMessages).toEqual(['a', 'b', 'c', 'a']);
  });

  it('counts held messages toward maxSize', async () => {
    const { queued, drops, connect } = setup({ ack, maxSize: 2 });
    await connect();
    await queued.send('a');
    await queued.send('b');
    expect(queued.queue.isFull).toBe(true);
    await queued.send('c');
    expect(drops).toEqual([['a', 'overflow']]);
    expect(queued.queue.peek()).toEqual(['b', 'c']);
  });

  it('does not hold a message whose direct send was rejected: the caller was told', async () => {
    const { queued, connect } = setup({ ack }, (m) =>
      failingSends(m, (message) => (message === 'bad' ? new WebSocketError('broke', WS_ERROR_CODES.SEND_FAILED, true) : undefined)),
    );
    await connect();
    await queued.send('a');
    await expect(queued.send('bad')).rejects.toMatchObject({ code: WS_ERROR_CODES.SEND_FAILED });
    expect(queued.queue.peek()).toEqual(['a']);
  });

  it('keeps a held message whose re-send fails, for the next connection', async () => {
    let failing = true;
    const { mock, queued, connect, reopen } = setup({ ack }, (m) =>
      failingSends(m, (message) => (failing && message === 'b' && m.sentMessages.includes('b') ? new WebSocketError('broke', WS_ERROR_CODES.SEND_FAILED, true) : undefined)),
    );
    await connect();
    await queued.send('a');
    await queued.send('b');
    mock.simulateDisconnect(1006, '', { reconnect: true });
    await reopen();
    expect(mock.sentMessages).toEqual(['a', 'b', 'a']);
    expect(queued.queue.peek()).toEqual(['a', 'b']);
    failing = false;
    mock.simulateDisconnect(1006, '', { reconnect: true });
    await reopen();
    expect(mock.sentMessages).toEqual(['a', 'b', 'a', 'a', 'b']);
  });

  it('drops a held message the wrapped client refuses for good on re-send', async () => {
    let refuse = false;
    const { mock, queued, drops, connect, reopen } = setup({ ack }, (m) =>
      failingSends(m, (message) => (refuse && message === 'a' ? new WebSocketError('bad', WS_ERROR_CODES.INVALID_MESSAGE, false) : undefined)),
    );
    await connect();
    await queued.send('a');
    await queued.send('b');
    refuse = true;
    mock.simulateDisconnect(1006, '', { reconnect: true });
    await reopen();
    expect(drops).toEqual([['a', 'invalid']]);
    expect(mock.sentMessages).toEqual(['a', 'b', 'b']);
    expect(queued.queue.peek()).toEqual(['b']);
  });

  it('expires held messages not acknowledged within ttl', async () => {
    vi.useFakeTimers();
    const { mock, queued, drops, connect, reopen } = setup({ ack, ttl: 1000 });
    await connect();
    await queued.send('a');
    vi.advanceTimersByTime(1000);
    expect(queued.queue.size).toBe(0);
    mock.simulateDisconnect(1006, '', { reconnect: true });
    await reopen();
    expect(mock.sentMessages).toEqual(['a']);
    expect(drops).toEqual([['a', 'expired']]);
  });

  it('clear() drops held messages too', async () => {
    const { mock, queued, drops, connect, reopen } = setup({ ack });
    await connect();
    await queued.send('a');
    queued.queue.clear();
    expect(drops).toEqual([['a', 'cleared']]);
    mock.simulateDisconnect(1006, '', { reconnect: true });
    await reopen();
    expect(mock.sentMessages).toEqual(['a']);
    mock.simulateMessage(ackMessage('a')); // a late ack is harmless
    expect(queued.queue.size).toBe(0);
  });
});
