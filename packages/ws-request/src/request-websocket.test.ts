import { getEventListeners } from 'node:events';
import { WebSocketError, WS_ERROR_CODES, type WebSocketClient, type WebSocketEvent } from '@composable-svelte/ws-types';
import { createMockWebSocket, recordEvents, type MockWebSocket } from '@composable-svelte/ws-testing';
import { createQueuedWebSocket } from '@composable-svelte/ws-queue';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRequestWebSocket, DEFAULT_REQUEST, type RequestConfig } from './index.js';

/** Requests carry `id`, replies `replyTo`; anything else is an ordinary message. */
interface Msg {
  id?: string;
  replyTo?: string;
  type?: string;
  value?: unknown;
  error?: unknown;
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

async function connectedMock(options: Parameters<typeof createMockWebSocket>[0] = {}): Promise<MockWebSocket<Msg>> {
  const mock = createMockWebSocket<Msg>(options);
  await mock.connect('wss://example.test');
  return mock;
}

async function setup(config: RequestConfig<Msg> = {}, mockOptions: Parameters<typeof createMockWebSocket>[0] = {}) {
  const mock = await connectedMock(mockOptions);
  const rpc = createRequestWebSocket(mock, config);
  const seen: Msg[] = [];
  rpc.subscribe((message) => seen.push(message.data));
  const { events } = recordEvents(rpc);
  return { mock, rpc, seen, events };
}

/** What a promise settled with, once it has: `{ value }` or `{ error }`; `undefined` while pending. */
function track<V>(promise: Promise<V>): { readonly result: { value: V } | { error: WebSocketError } | undefined } {
  const box: { result: { value: V } | { error: WebSocketError } | undefined } = { result: undefined };
  promise.then(
    (value) => (box.result = { value }),
    (error: WebSocketError) => (box.result = { error }),
  );
  return box;
}

const settle = () => vi.advanceTimersByTimeAsync(0);

const errorsOf = (events: WebSocketEvent[]): WebSocketError[] => events.flatMap((event) => (event.type === 'error' ? [event.error] : []));

async function rejection(promise: Promise<unknown>): Promise<WebSocketError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(WebSocketError);
    return error as WebSocketError;
  }
  throw new Error('expected a rejection');
}

describe('request and reply', () => {
  it('sends through the wrapped client and resolves with the data of the reply, which subscribers never see', async () => {
    const { mock, rpc, seen } = await setup();
    const inner: Msg[] = [];
    mock.subscribe((message) => inner.push(message.data));
    const reply = rpc.request({ id: 'a', type: 'get' });
    expect(mock.sentMessages).toEqual([{ id: 'a', type: 'get' }]);
    mock.simulateMessage({ type: 'news' });
    mock.simulateMessage({ replyTo: 'a', value: 42 });
    await expect(reply).resolves.toEqual({ replyTo: 'a', value: 42 });
    expect(seen).toEqual([{ type: 'news' }]);
    // The wrapped client's own subscribers are not the decorator's to filter.
    expect(inner).toEqual([{ type: 'news' }, { replyTo: 'a', value: 42 }]);
  });

  it('matches replies by id whatever their order', async () => {
    const { mock, rpc } = await setup();
    const a = rpc.request({ id: 'a' });
    const b = rpc.request({ id: 'b' });
    const c = rpc.request({ id: 'c' });
    mock.simulateMessage({ replyTo: 'c', value: 3 });
    mock.simulateMessage({ replyTo: 'a', value: 1 });
    mock.simulateMessage({ replyTo: 'b', value: 2 });
    expect(await Promise.all([a, b, c])).toEqual([
      { replyTo: 'a', value: 1 },
      { replyTo: 'b', value: 2 },
      { replyTo: 'c', value: 3 },
    ]);
  });

  it('passes on replies to ids it never sent', async () => {
    const { mock, rpc, seen, events } = await setup();
    const pending = track(rpc.request({ id: 'mine' }));
    mock.simulateMessage({ replyTo: 'theirs', value: 1 });
    await settle();
    expect(seen).toEqual([{ replyTo: 'theirs', value: 1 }]);
    expect(pending.result).toBeUndefined();
    expect(events).toEqual([]);
  });

  it('rejects an error reply with REQUEST_FAILED, the whole reply as cause; the reply is consumed', async () => {
    const { mock, rpc, seen } = await setup();
    const reply = rpc.request({ id: 'a' });
    mock.simulateMessage({ replyTo: 'a', error: { code: 404, message: 'Not found' } });
    const error = await rejection(reply);
    expect(error).toMatchObject({ code: 'REQUEST_FAILED', recoverable: false, message: 'Error reply' });
    expect(error.cause).toEqual({ replyTo: 'a', error: { code: 404, message: 'Not found' } });
    expect(seen).toEqual([]);
  });

  it('counts `error: undefined` and `error: null` as the default says', async () => {
    const { mock, rpc } = await setup();
    const a = rpc.request({ id: 'a' });
    const b = rpc.request({ id: 'b' });
    mock.simulateMessage({ replyTo: 'a', error: undefined, value: 1 });
    mock.simulateMessage({ replyTo: 'b', error: null });
    await expect(a).resolves.toEqual({ replyTo: 'a', error: undefined, value: 1 });
    expect(await rejection(b)).toMatchObject({ code: 'REQUEST_FAILED' });
  });

  it('takes its correlation from the id, replyTo and isError options (JSON-RPC)', async () => {
    interface Rpc {
      jsonrpc: '2.0';
      id?: number;
      method?: string;
      result?: unknown;
      error?: { code: number; message: string };
    }
    const mock = createMockWebSocket<Rpc>();
    await mock.connect('wss://example.test');
    const rpc = createRequestWebSocket(mock, {
      id: (message) => String(message.id),
      replyTo: (data) => (data.method === undefined && data.id !== undefined ? String(data.id) : undefined),
      isError: (data) => data.error !== undefined,
    });
    const seen: Rpc[] = [];
    rpc.subscribe((message) => seen.push(message.data));
    const sum = rpc.request({ jsonrpc: '2.0', id: 1, method: 'sum' });
    const bad = rpc.request({ jsonrpc: '2.0', id: 2, method: 'nope' });
    mock.simulateMessage({ jsonrpc: '2.0', method: 'notify' });
    mock.simulateMessage({ jsonrpc: '2.0', id: 2, error: { code: -32601, message: 'Method not found' } });
    mock.simulateMessage({ jsonrpc: '2.0', id: 1, result: 3 });
    await expect(sum).resolves.toEqual({ jsonrpc: '2.0', id: 1, result: 3 });
    expect((await rejection(bad)).cause).toMatchObject({ error: { code: -32601 } });
    expect(seen).toEqual([{ jsonrpc: '2.0', method: 'notify' }]);
  });

  it('counts only `true` from isError as an error', async () => {
    const { mock, rpc } = await setup({ isError: (data) => data.error as boolean });
    const a = rpc.request({ id: 'a' });
    mock.simulateMessage({ replyTo: 'a', error: 'yes' });
    await expect(a).resolves.toEqual({ replyTo: 'a', error: 'yes' });
  });

  it('exports its defaults', () => {
    expect(DEFAULT_REQUEST).toMatchObject({ timeout: 10_000, keepOnReconnect: false });
    expect(DEFAULT_REQUEST.id({ id: 'x' })).toBe('x');
    expect(DEFAULT_REQUEST.replyTo({ replyTo: 'x' })).toBe('x');
    expect([null, undefined, 'text', 5].map((data) => DEFAULT_REQUEST.replyTo(data))).toEqual([undefined, undefined, undefined, undefined]);
    expect([{ error: 0 }, { error: null }, { error: undefined }, {}, null, 'error'].map((data) => DEFAULT_REQUEST.isError(data))).toEqual([
      true,
      true,
      false,
      false,
      false,
      false,
    ]);
  });
});

describe('ids', () => {
  it('rejects a request without a string id with INVALID_MESSAGE, sending nothing', async () => {
    const { mock, rpc, events } = await setup();
    for (const message of [{ type: 'get' }, { id: 5 }, null, 'text']) {
      const error = await rejection(rpc.request(message as Msg));
      expect(error).toMatchObject({ code: WS_ERROR_CODES.INVALID_MESSAGE, recoverable: false, message: 'Bad request id' });
      expect(error.cause).toBe(message);
    }
    expect(mock.sentMessages).toEqual([]);
    expect(events).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects a request whose id is pending at once; the first one is unaffected and the id free again once it settles', async () => {
    const { mock, rpc } = await setup();
    const first = rpc.request({ id: 'a', value: 1 });
    expect(await rejection(rpc.request({ id: 'a', value: 2 }))).toMatchObject({ code: WS_ERROR_CODES.INVALID_MESSAGE });
    expect(mock.sentMessages).toEqual([{ id: 'a', value: 1 }]);
    mock.simulateMessage({ replyTo: 'a', value: 'one' });
    await expect(first).resolves.toMatchObject({ value: 'one' });
    const again = rpc.request({ id: 'a', value: 3 });
    mock.simulateMessage({ replyTo: 'a', value: 'three' });
    await expect(again).resolves.toMatchObject({ value: 'three' });
  });
});

describe('timeouts', () => {
  it('rejects with REQUEST_TIMEOUT after the default 10 s, and leaves no timer', async () => {
    const { rpc } = await setup();
    const pending = track(rpc.request({ id: 'a' }));
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(9_999);
    expect(pending.result).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(pending.result).toEqual({ error: expect.objectContaining({ code: 'REQUEST_TIMEOUT', recoverable: true, message: 'No reply within 10000 ms' }) as unknown });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('takes the timeout of the config, overridden per request; 0 waits forever', async () => {
    const { mock, rpc } = await setup({ timeout: 500 });
    const short = track(rpc.request({ id: 'a' }, { timeout: 100 }));
    const config = track(rpc.request({ id: 'b' }));
    const forever = track(rpc.request({ id: 'c' }, { timeout: 0 }));
    expect(vi.getTimerCount()).toBe(2);
    await vi.advanceTimersByTimeAsync(100);
    expect(short.result).toMatchObject({ error: { code: 'REQUEST_TIMEOUT' } });
    expect(config.result).toBeUndefined();
    await vi.advanceTimersByTimeAsync(400);
    expect(config.result).toMatchObject({ error: { code: 'REQUEST_TIMEOUT' } });
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(forever.result).toBeUndefined();
    expect(vi.getTimerCount()).toBe(0);
    mock.simulateMessage({ replyTo: 'c', value: 1 });
    await settle();
    expect(forever.result).toEqual({ value: { replyTo: 'c', value: 1 } });
  });

  it('clears the timer of a request that is answered', async () => {
    const { mock, rpc } = await setup();
    const reply = rpc.request({ id: 'a' });
    mock.simulateMessage({ replyTo: 'a' });
    await reply;
    expect(vi.getTimerCount()).toBe(0);
  });

  it('throws a TypeError for a timeout that is not a finite number >= 0, in the config or per request', async () => {
    const mock = await connectedMock();
    for (const timeout of [-1, Number.NaN, Number.POSITIVE_INFINITY, '10' as unknown as number]) {
      expect(() => createRequestWebSocket(mock, { timeout })).toThrow(TypeError);
      const rpc = createRequestWebSocket(mock);
      expect(() => rpc.request({ id: 'a' }, { timeout })).toThrow(/timeout/);
      expect(mock.sentMessages).toEqual([]);
    }
    expect(() => createRequestWebSocket(mock, { timeout: undefined })).not.toThrow();
  });
});

describe('late replies', () => {
  it('drops a reply that comes after the timeout and reports it; it never reaches another request', async () => {
    const { mock, rpc, seen, events } = await setup({ timeout: 100 });
    const first = track(rpc.request({ id: 'a' }));
    await vi.advanceTimersByTimeAsync(100);
    expect(first.result).toMatchObject({ error: { code: 'REQUEST_TIMEOUT' } });
    const other = track(rpc.request({ id: 'b' }));
    mock.simulateMessage({ replyTo: 'a', value: 'late' });
    await settle();
    expect(seen).toEqual([]);
    expect(other.result).toBeUndefined();
    expect(errorsOf(events)).toEqual([expect.objectContaining({ code: 'REQUEST_FAILED', message: 'Late reply', recoverable: true })]);
    expect(errorsOf(events)[0]!.cause).toEqual({ replyTo: 'a', value: 'late' });
    expect(rpc.state.lastError).toBe(errorsOf(events)[0]);
    expect(rpc.stats.errors).toBe(1);
  });

  it('drops a second copy of a reply, and replies to aborted requests', async () => {
    const { mock, rpc, seen, events } = await setup();
    const answered = rpc.request({ id: 'a' });
    const controller = new AbortController();
    const aborted = rpc.request({ id: 'b' }, { signal: controller.signal });
    mock.simulateMessage({ replyTo: 'a', value: 1 });
    await answered;
    controller.abort();
    await rejection(aborted);
    mock.simulateMessage({ replyTo: 'a', value: 1 });
    mock.simulateMessage({ replyTo: 'b', value: 2 });
    expect(seen).toEqual([]);
    expect(errorsOf(events).map((error) => [error.message, error.cause])).toEqual([
      ['Late reply', { replyTo: 'a', value: 1 }],
      ['Late reply', { replyTo: 'b', value: 2 }],
    ]);
  });

  it('holds no subscription for late replies alone: with no request pending and no subscriber, nothing is reported', async () => {
    const mock = await connectedMock();
    const rpc = createRequestWebSocket(mock, { timeout: 100 });
    const { events } = recordEvents(rpc);
    const reply = track(rpc.request({ id: 'a' }));
    await vi.advanceTimersByTimeAsync(100);
    expect(reply.result).toMatchObject({ error: { code: 'REQUEST_TIMEOUT' } });
    expect(mock.listenerCount.messages).toBe(0);
    mock.simulateMessage({ replyTo: 'a' });
    expect(errorsOf(events)).toEqual([]);
  });

  it('remembers up to 100 settled ids: memory stays bounded', async () => {
    const { mock, rpc, seen } = await setup();
    for (let i = 0; i < 100; i++) {
      const reply = rpc.request({ id: `r${i}` });
      mock.simulateMessage({ replyTo: `r${i}` });
      await reply;
    }
    mock.simulateMessage({ replyTo: 'r0' });
    expect(seen).toEqual([]);
    // The 101st settled request starts a new batch: the ids before it are forgotten.
    const reply = rpc.request({ id: 'r100' });
    mock.simulateMessage({ replyTo: 'r100' });
    await reply;
    mock.simulateMessage({ replyTo: 'r0' });
    mock.simulateMessage({ replyTo: 'r100' });
    expect(seen).toEqual([{ replyTo: 'r0' }]);
  });
});

describe('sends that fail', () => {
  it("rejects with the send's own error and forgets the request", async () => {
    const { mock, rpc, events } = await setup({}, { reconnect: true });
    mock.simulateDisconnect();
    expect(mock.state.status).toBe('reconnecting');
    const error = await rejection(rpc.request({ id: 'a' }));
    expect(error).toMatchObject({ code: WS_ERROR_CODES.SEND_FAILED });
    // Reported once, by the client whose send failed.
    expect(errorsOf(events)).toEqual([error]);
    expect(vi.getTimerCount()).toBe(0);
    expect(mock.listenerCount).toEqual({ messages: 1, events: 1 });
  });

  it('rejects with what a send rejects with, whatever the client', async () => {
    const mock = await connectedMock();
    const refusing: WebSocketClient<Msg> = Object.assign(Object.create(mock) as MockWebSocket<Msg>, {
      send: () => Promise.reject(new WebSocketError('Queue is full', WS_ERROR_CODES.SEND_FAILED, true)),
    });
    const rpc = createRequestWebSocket(refusing);
    expect(await rejection(rpc.request({ id: 'a' }))).toMatchObject({ message: 'Queue is full' });
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('abort signals', () => {
  it('rejects at once, sending nothing, when the signal has aborted already', async () => {
    const { mock, rpc } = await setup();
    const reason = new Error('user left');
    const error = await rejection(rpc.request({ id: 'a' }, { signal: AbortSignal.abort(reason) }));
    expect(error).toMatchObject({ code: 'REQUEST_FAILED', message: 'Aborted', recoverable: false });
    expect(error.cause).toBe(reason);
    expect(mock.sentMessages).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects when the signal aborts later, with its reason, and forgets the request', async () => {
    const { mock, rpc } = await setup();
    const controller = new AbortController();
    const reply = rpc.request({ id: 'a' }, { signal: controller.signal });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort('stop');
    const error = await rejection(reply);
    expect(error).toMatchObject({ code: 'REQUEST_FAILED', message: 'Aborted' });
    expect(error.cause).toBe('stop');
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    expect(vi.getTimerCount()).toBe(0);
    expect(mock.listenerCount.messages).toBe(1); // the test's own subscriber, through the decorator
  });

  it('removes its abort listener once the request settles in any other way', async () => {
    const { mock, rpc } = await setup({ timeout: 100 });
    const signal = new AbortController().signal;
    const answered = rpc.request({ id: 'a' }, { signal });
    const timedOut = track(rpc.request({ id: 'b' }, { signal }));
    expect(getEventListeners(signal, 'abort')).toHaveLength(2);
    mock.simulateMessage({ replyTo: 'a' });
    await answered;
    expect(getEventListeners(signal, 'abort')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(timedOut.result).toMatchObject({ error: { code: 'REQUEST_TIMEOUT' } });
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });
});

describe('connection loss', () => {
  it('rejects every pending request with CONNECTION_FAILED on a disconnected event of the wrapped client', async () => {
    const { mock, rpc } = await setup({}, { reconnect: true });
    const a = rpc.request({ id: 'a' });
    const b = rpc.request({ id: 'b' }, { timeout: 0 });
    mock.simulateDisconnect(1006, 'gone');
    const [errorA, errorB] = await Promise.all([rejection(a), rejection(b)]);
    expect(errorA).toMatchObject({ code: WS_ERROR_CODES.CONNECTION_FAILED, recoverable: true, message: 'Disconnected' });
    expect(errorA.cause).toMatchObject({ type: 'disconnected', code: 1006, reason: 'gone' });
    expect(errorB).toMatchObject({ code: WS_ERROR_CODES.CONNECTION_FAILED });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('acts inside out: its disconnected listeners run after the pending requests were rejected', async () => {
    const { mock, rpc } = await setup({}, { reconnect: true });
    const first = rpc.request({ id: 'a' });
    const codes: string[] = [];
    rpc.subscribeToEvents((event) => {
      // The id is free again: the request it named has ended already.
      if (event.type === 'disconnected') rpc.request({ id: 'a' }).catch((error: WebSocketError) => codes.push(error.code));
    });
    mock.simulateDisconnect();
    expect(await rejection(first)).toMatchObject({ code: WS_ERROR_CODES.CONNECTION_FAILED });
    await settle();
    // Not INVALID_MESSAGE (a duplicate id): the new request went to the send, which the reconnecting mock refuses.
    expect(codes).toEqual([WS_ERROR_CODES.SEND_FAILED]);
  });

  it('rejects them when the application disconnects too', async () => {
    const mock = await connectedMock();
    const rpc = createRequestWebSocket(mock);
    const reply = rpc.request({ id: 'a' });
    await rpc.disconnect();
    expect(await rejection(reply)).toMatchObject({ code: WS_ERROR_CODES.CONNECTION_FAILED });
    expect(mock.listenerCount).toEqual({ messages: 0, events: 0 });
  });

  it('with keepOnReconnect, keeps them across the loss and resolves with a reply after the reconnection', async () => {
    const { mock, rpc } = await setup({ keepOnReconnect: true }, { reconnect: true });
    const reply = track(rpc.request({ id: 'a' }));
    mock.simulateDisconnect();
    mock.open();
    await settle();
    expect(reply.result).toBeUndefined();
    mock.simulateMessage({ replyTo: 'a', value: 1 });
    await settle();
    expect(reply.result).toEqual({ value: { replyTo: 'a', value: 1 } });
  });

  it('with keepOnReconnect over a plain client, a request lost with the connection still times out', async () => {
    const { mock, rpc } = await setup({ keepOnReconnect: true, timeout: 1000 }, { reconnect: true });
    const reply = track(rpc.request({ id: 'a' }));
    mock.simulateDisconnect();
    mock.open();
    await vi.advanceTimersByTimeAsync(1000);
    expect(reply.result).toMatchObject({ error: { code: 'REQUEST_TIMEOUT' } });
  });
});

describe('over ws-queue with ack', () => {
  const ack = { id: (message: Msg) => message.id ?? '', ackOf: (data: Msg) => data.replyTo };

  it('with keepOnReconnect: the queue sends the request again after the reconnection and the reply settles it', async () => {
    const mock = await connectedMock({ reconnect: true });
    const queued = createQueuedWebSocket(mock, { ack });
    const rpc = createRequestWebSocket(queued, { keepOnReconnect: true });
    const reply = track(rpc.request({ id: 'a', type: 'get' }));
    expect(mock.sentMessages).toEqual([{ id: 'a', type: 'get' }]);
    mock.simulateDisconnect(); // lost before the server answered
    mock.open();
    await settle();
    expect(mock.sentMessages).toEqual([
      { id: 'a', type: 'get' },
      { id: 'a', type: 'get' },
    ]);
    mock.simulateMessage({ replyTo: 'a', value: 'ok' }); // the reply is also the queue's ack
    await settle();
    expect(reply.result).toEqual({ value: { replyTo: 'a', value: 'ok' } });
    expect(queued.queue.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('with keepOnReconnect: a request made while offline is queued and answered after the connection', async () => {
    const mock = createMockWebSocket<Msg>({ connect: 'manual' });
    const queued = createQueuedWebSocket(mock, { ack });
    const rpc = createRequestWebSocket(queued, { keepOnReconnect: true });
    const reply = track(rpc.request({ id: 'a' }));
    expect(queued.queue.size).toBe(1);
    const connected = rpc.connect('wss://example.test');
    mock.open();
    await connected;
    expect(mock.sentMessages).toEqual([{ id: 'a' }]);
    mock.simulateMessage({ replyTo: 'a' });
    await settle();
    expect(reply.result).toEqual({ value: { replyTo: 'a' } });
  });

  it('without keepOnReconnect: the request rejects on the loss, and the reply to the copy sent again is a late reply', async () => {
    const mock = await connectedMock({ reconnect: true });
    const rpc = createRequestWebSocket(createQueuedWebSocket(mock, { ack }));
    const { events } = recordEvents(rpc);
    const seen: Msg[] = [];
    // Late replies are recognised while the decorator receives messages: here, for its subscriber.
    rpc.subscribe((message) => seen.push(message.data));
    const reply = rpc.request({ id: 'a' });
    mock.simulateDisconnect();
    expect(await rejection(reply)).toMatchObject({ code: WS_ERROR_CODES.CONNECTION_FAILED });
    mock.open();
    await settle();
    expect(mock.sentMessages).toHaveLength(2);
    mock.simulateMessage({ replyTo: 'a' });
    expect(errorsOf(events).map((error) => error.message)).toEqual(['Late reply']);
    expect(seen).toEqual([]);
  });
});

describe('callbacks you hand over', () => {
  it('id throws: CALLBACK_FAILED event, the request rejects with it, nothing is sent', async () => {
    const boom = new Error('boom');
    const { mock, rpc, events } = await setup({
      id: () => {
        throw boom;
      },
    });
    const error = await rejection(rpc.request({ id: 'a' }));
    expect(error).toMatchObject({ code: WS_ERROR_CODES.CALLBACK_FAILED, recoverable: true });
    expect(error.cause).toBe(boom);
    expect(errorsOf(events)).toEqual([error]);
    expect(mock.sentMessages).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('id returns garbage: INVALID_MESSAGE, nothing sent', async () => {
    const { mock, rpc } = await setup({ id: () => 42 as unknown as string });
    expect(await rejection(rpc.request({ id: 'a' }))).toMatchObject({ code: WS_ERROR_CODES.INVALID_MESSAGE });
    expect(mock.sentMessages).toEqual([]);
  });

  it('replyTo throws: CALLBACK_FAILED event, the message passes through, requests stay pending', async () => {
    let fail = true;
    const { mock, rpc, seen, events } = await setup({
      replyTo: (data) => {
        if (fail) throw new Error('bad extractor');
        return data.replyTo;
      },
    });
    const reply = track(rpc.request({ id: 'a' }));
    mock.simulateMessage({ replyTo: 'a' });
    await settle();
    expect(errorsOf(events)).toEqual([expect.objectContaining({ code: WS_ERROR_CODES.CALLBACK_FAILED })]);
    expect(seen).toEqual([{ replyTo: 'a' }]);
    expect(reply.result).toBeUndefined();
    fail = false;
    mock.simulateMessage({ replyTo: 'a', value: 2 });
    await settle();
    expect(reply.result).toEqual({ value: { replyTo: 'a', value: 2 } });
  });

  it('replyTo returns garbage: the message is not a reply', async () => {
    const { mock, rpc, seen, events } = await setup({ replyTo: () => ({ not: 'a string' }) as unknown as string });
    const reply = track(rpc.request({ id: 'a' }, { timeout: 0 }));
    mock.simulateMessage({ replyTo: 'a' });
    await settle();
    expect(seen).toEqual([{ replyTo: 'a' }]);
    expect(reply.result).toBeUndefined();
    expect(events).toEqual([]);
  });

  it('isError throws: CALLBACK_FAILED event, the request rejects with it, the reply is consumed', async () => {
    const { mock, rpc, seen, events } = await setup({
      isError: () => {
        throw new Error('bad predicate');
      },
    });
    const reply = rpc.request({ id: 'a' });
    mock.simulateMessage({ replyTo: 'a' });
    const error = await rejection(reply);
    expect(error).toMatchObject({ code: WS_ERROR_CODES.CALLBACK_FAILED });
    expect(errorsOf(events)).toEqual([error]);
    expect(seen).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('an option that is not a function fails where it is called, as a throw does', async () => {
    const { mock, rpc, seen, events } = await setup({ replyTo: 'replyTo' as unknown as () => string });
    const reply = track(rpc.request({ id: 'a' }, { timeout: 0 }));
    mock.simulateMessage({ replyTo: 'a' });
    await settle();
    expect(errorsOf(events)).toEqual([expect.objectContaining({ code: WS_ERROR_CODES.CALLBACK_FAILED })]);
    expect(seen).toHaveLength(1);
    expect(reply.result).toBeUndefined();
  });

  it('a subscriber that throws is isolated and reported', async () => {
    const { mock, rpc, seen, events } = await setup();
    rpc.subscribe(() => {
      throw new Error('listener');
    });
    mock.simulateMessage({ type: 'news' });
    expect(seen).toEqual([{ type: 'news' }]);
    expect(errorsOf(events)).toEqual([expect.objectContaining({ code: WS_ERROR_CODES.CALLBACK_FAILED })]);
  });
});

describe('lifetime', () => {
  it('holds subscriptions on the wrapped client only while requests are pending or it has subscribers', async () => {
    const mock = await connectedMock();
    const rpc = createRequestWebSocket(mock);
    expect(mock.listenerCount).toEqual({ messages: 0, events: 0 });
    const reply = rpc.request({ id: 'a' });
    expect(mock.listenerCount).toEqual({ messages: 1, events: 1 });
    mock.simulateMessage({ replyTo: 'a' });
    await reply;
    expect(mock.listenerCount).toEqual({ messages: 0, events: 0 });
    const off = rpc.subscribe(() => undefined);
    expect(mock.listenerCount).toEqual({ messages: 1, events: 0 });
    off();
    expect(mock.listenerCount).toEqual({ messages: 0, events: 0 });
  });

  it('dispose() rejects what is pending, clears timers and abort listeners, and lets go of the wrapped client', async () => {
    const { mock, rpc, events } = await setup();
    const signal = new AbortController().signal;
    const a = rpc.request({ id: 'a' }, { signal });
    const b = rpc.request({ id: 'b' }, { timeout: 0 });
    rpc.dispose();
    for (const error of await Promise.all([rejection(a), rejection(b)])) {
      expect(error).toMatchObject({ code: 'REQUEST_FAILED', message: 'Disposed', recoverable: false });
    }
    expect(vi.getTimerCount()).toBe(0);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
    expect(mock.listenerCount).toEqual({ messages: 0, events: 0 });
    expect(mock.state.status).toBe('connected');
    // Afterwards: requests reject as sends do, nothing is sent, no timer is left.
    const after = await rejection(rpc.request({ id: 'c' }));
    expect(after).toMatchObject({ code: WS_ERROR_CODES.SEND_FAILED, message: 'This decorator was disposed' });
    expect(mock.sentMessages).toEqual([{ id: 'a' }, { id: 'b' }]);
    expect(vi.getTimerCount()).toBe(0);
    expect(mock.listenerCount).toEqual({ messages: 0, events: 0 });
    mock.simulateMessage({ replyTo: 'a' });
    expect(events).toEqual([]);
    rpc.dispose();
    rpc[Symbol.dispose]();
  });

  it('[Symbol.dispose] is dispose()', async () => {
    const mock = await connectedMock();
    let pending: Promise<unknown>;
    {
      using rpc = createRequestWebSocket(mock);
      pending = rpc.request({ id: 'a' });
    }
    expect(await rejection(pending)).toMatchObject({ message: 'Disposed' });
    expect(mock.listenerCount).toEqual({ messages: 0, events: 0 });
  });

  it('stacks: replies to the outer decorator pass through the inner one', async () => {
    const mock = await connectedMock();
    const inner = createRequestWebSocket(mock);
    const outer = createRequestWebSocket(inner);
    const { events } = recordEvents(outer);
    const a = inner.request({ id: 'a' });
    const b = outer.request({ id: 'b' });
    expect(mock.sentMessages).toEqual([{ id: 'a' }, { id: 'b' }]);
    mock.simulateMessage({ replyTo: 'b', value: 'for outer' });
    mock.simulateMessage({ replyTo: 'a', value: 'for inner' });
    await expect(b).resolves.toMatchObject({ value: 'for outer' });
    await expect(a).resolves.toMatchObject({ value: 'for inner' });
    expect(events).toEqual([]);
  });
});
