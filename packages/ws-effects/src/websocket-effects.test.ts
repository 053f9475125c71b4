import { createMockWebSocket, type MockWebSocket } from '@composable-svelte/ws-testing';
import { WebSocketError, WS_ERROR_CODES, type WebSocketEvent } from '@composable-svelte/ws-types';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import type { SubscriptionEffect } from './effect.js';
import { websocketEffects as ws } from './websocket-effects.js';

type Action =
  | { type: 'event'; event: WebSocketEvent }
  | { type: 'message'; text: string }
  | { type: 'sent' }
  | { type: 'failed'; error: WebSocketError };

interface Message {
  text: string;
}

const toEvent = (event: WebSocketEvent): Action => ({ type: 'event', event });

/** Lets every pending promise callback run (a macrotask after them, no timer). */
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

let actions: Action[];
const dispatch = (action: Action): void => {
  actions.push(action);
};
const eventTypes = (): string[] => actions.flatMap((action) => (action.type === 'event' ? [action.event.type] : []));

let consoleError: MockInstance<typeof console.error>;
let unhandled: unknown[];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};

beforeEach(() => {
  actions = [];
  unhandled = [];
  process.on('unhandledRejection', onUnhandled);
  consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined);
});

afterEach(async () => {
  await flush();
  process.off('unhandledRejection', onUnhandled);
  consoleError.mockRestore();
  expect(unhandled).toEqual([]);
});

/** A mock whose methods are replaced, keeping its getters (state, listenerCount). */
function mockWith(overrides: Partial<MockWebSocket<Message>>, options?: Parameters<typeof createMockWebSocket>[0]): MockWebSocket<Message> {
  return Object.assign(createMockWebSocket<Message>(options), overrides);
}

const reported = (): unknown[] => consoleError.mock.calls.map((call: unknown[]) => call[1]);

describe('connect', () => {
  it('is a Subscription keyed by id that listens at once and connects in a microtask', async () => {
    const mock = createMockWebSocket<Message>();
    const connect = vi.spyOn(mock, 'connect');
    const effect = ws.connect<Action>(mock, 'conn', 'wss://example.com', ['chat'], toEvent);
    expect(effect).toMatchObject({ _tag: 'Subscription', id: 'conn' });
    expect(connect).not.toHaveBeenCalled();

    effect.setup(dispatch);
    expect(mock.listenerCount.events).toBe(1);
    expect(connect).not.toHaveBeenCalled();

    await flush();
    expect(connect).toHaveBeenCalledWith('wss://example.com', ['chat']);
    expect(eventTypes()).toEqual(['connected']);
    expect(mock.state).toMatchObject({ status: 'connected', url: 'wss://example.com', protocols: ['chat'] });

    mock.simulateDisconnect(1006, 'lost', { reconnect: true });
    expect(eventTypes()).toEqual(['connected', 'disconnected', 'reconnecting']);
  });

  it('dispatches `connected` when the client was already connected to that URL and emits nothing', async () => {
    const mock = createMockWebSocket<Message>();
    await mock.connect('wss://example.com', ['chat']);
    ws.connect<Action>(mock, 'conn', 'wss://example.com', ['chat'], toEvent).setup(dispatch);
    await flush();
    expect(actions).toEqual([
      { type: 'event', event: { type: 'connected', url: 'wss://example.com', protocols: ['chat'], timestamp: expect.any(Number) } },
    ]);
  });

  it('passes a URL provider and undefined protocols on to the client', async () => {
    const mock = createMockWebSocket<Message>();
    const connect = vi.spyOn(mock, 'connect');
    const provider = (): string => 'wss://example.com/?token=1';
    ws.connect<Action>(mock, 'conn', provider, undefined, toEvent).setup(dispatch);
    await flush();
    expect(connect).toHaveBeenCalledWith(provider, undefined);
    expect(mock.state.url).toBe('wss://example.com/?token=1');
  });

  it('reports a failed connect once, as the client\'s own error event', async () => {
    const mock = createMockWebSocket<Message>({ connect: 'fail' });
    ws.connect<Action>(mock, 'conn', 'wss://example.com', undefined, toEvent).setup(dispatch);
    await flush();
    expect(eventTypes()).toEqual(['error', 'disconnected']);
    expect(reported()).toEqual([]);
  });

  it('turns a rejection the client did not report into an error event, wrapped as CONNECTION_FAILED', async () => {
    const cause = new TypeError('URL must be a string or a function');
    const mock = mockWith({ connect: () => Promise.reject(cause) });
    ws.connect<Action>(mock, 'conn', 'wss://example.com', undefined, toEvent).setup(dispatch);
    await flush();

    expect(eventTypes()).toEqual(['error']);
    const event = (actions[0] as { event: WebSocketEvent }).event;
    expect(event.type === 'error' && event.error).toMatchObject({ code: WS_ERROR_CODES.CONNECTION_FAILED, message: cause.message, cause });
    expect(event.type === 'error' && event.error).toBeInstanceOf(WebSocketError);
    expect(event.timestamp).toEqual(expect.any(Number));
    expect(reported()).toEqual([]);
  });

  it('passes a WebSocketError rejection on as it is, and a connect that throws synchronously as a rejection', async () => {
    const error = new WebSocketError('Not open after 10 ms', WS_ERROR_CODES.CONNECTION_TIMEOUT, true);
    ws.connect<Action>(mockWith({ connect: () => Promise.reject(error) }), 'a', 'wss://a', undefined, toEvent).setup(dispatch);
    const sync = mockWith({
      connect: () => {
        throw new Error('sync');
      },
    });
    ws.connect<Action>(sync, 'b', 'wss://b', undefined, toEvent).setup(dispatch);
    await flush();
    const errors = actions.map((action) => action.type === 'event' && action.event.type === 'error' && action.event.error);
    expect(errors).toHaveLength(2);
    // The very error, not a copy; the two effects settle in either order.
    expect(errors.includes(error)).toBe(true);
    expect(errors.find((candidate) => candidate !== error)).toMatchObject({ code: WS_ERROR_CODES.CONNECTION_FAILED, message: 'sync' });
  });

  it('without onEvent, dispatches nothing, and reports only a failure the client did not report itself', async () => {
    const reporting = createMockWebSocket<Message>({ connect: 'fail' });
    ws.connect<Action>(reporting, 'a', 'wss://a').setup(dispatch);
    await flush();
    expect(reported()).toEqual([]);
    // The watching listener is gone once the connect settled.
    expect(reporting.listenerCount.events).toBe(0);

    const silent = mockWith({ connect: () => Promise.reject(new Error('silent')) });
    ws.connect<Action>(silent, 'b', 'wss://b').setup(dispatch);
    await flush();
    expect(reported()).toEqual([expect.objectContaining({ code: WS_ERROR_CODES.CONNECTION_FAILED, message: 'silent' })]);
    expect(actions).toEqual([]);
    expect(silent.listenerCount.events).toBe(0);
  });

  it('cleans up by unsubscribing, then disconnecting, and dispatches nothing after', async () => {
    const mock = createMockWebSocket<Message>();
    const disconnect = vi.spyOn(mock, 'disconnect');
    const cleanup = ws.connect<Action>(mock, 'conn', 'wss://example.com', undefined, toEvent).setup(dispatch);
    await flush();
    expect(eventTypes()).toEqual(['connected']);

    const done = cleanup();
    expect(mock.listenerCount.events).toBe(0);
    expect(disconnect).toHaveBeenCalledWith();
    expect(mock.state.status).toBe('disconnected');
    await expect(done).resolves.toBeUndefined();
    // Idempotent: a second call neither disconnects again nor makes another promise.
    expect(cleanup()).toBe(done);
    expect(disconnect).toHaveBeenCalledTimes(1);
    expect(eventTypes()).toEqual(['connected']);
  });

  it('never connects when cleaned up before its microtask', async () => {
    const mock = createMockWebSocket<Message>();
    const connect = vi.spyOn(mock, 'connect');
    const cleanup = ws.connect<Action>(mock, 'conn', 'wss://example.com', undefined, toEvent).setup(dispatch);
    await cleanup();
    await flush();
    expect(connect).not.toHaveBeenCalled();
    expect(actions).toEqual([]);
    expect(mock.listenerCount.events).toBe(0);
  });

  it('ignores the rejection of a connect it cancelled', async () => {
    const mock = createMockWebSocket<Message>({ connect: 'manual' });
    const connect = vi.spyOn(mock, 'connect');
    const cleanup = ws.connect<Action>(mock, 'conn', 'wss://example.com', undefined, toEvent).setup(dispatch);
    await flush();
    expect(mock.state.status).toBe('connecting');

    await cleanup();
    await flush();
    // The mock rejected the pending connect because of the disconnect: neither dispatched nor reported.
    await expect(connect.mock.results[0]?.value).rejects.toMatchObject({ code: WS_ERROR_CODES.CONNECTION_FAILED });
    expect(actions).toEqual([]);
    expect(reported()).toEqual([]);
  });

  it('has a cleanup that never throws: a throwing unsubscribe and a rejecting disconnect are reported', async () => {
    const boom = new Error('unsubscribe failed');
    const refused = new Error('disconnect failed');
    const mock = mockWith({
      subscribeToEvents: () => () => {
        throw boom;
      },
      disconnect: () => Promise.reject(refused),
    });
    const cleanup = ws.connect<Action>(mock, 'conn', 'wss://example.com', undefined, toEvent).setup(dispatch);
    await flush();
    let result: unknown;
    expect(() => (result = cleanup())).not.toThrow();
    await expect(result).resolves.toBeUndefined();
    expect(reported()).toEqual([boom, refused]);
  });

  it('has a cleanup that survives a disconnect throwing synchronously', async () => {
    const mock = mockWith({
      disconnect: () => {
        throw new Error('sync');
      },
    });
    const cleanup = ws.connect<Action>(mock, 'conn', 'wss://example.com').setup(dispatch);
    await expect(cleanup()).resolves.toBeUndefined();
    expect(reported()).toEqual([expect.objectContaining({ message: 'sync' })]);
  });

  it('re-run on the same client, waits for the previous disconnect before listening and connecting', async () => {
    let finish!: () => void;
    const mock = createMockWebSocket<Message>();
    const disconnect = mock.disconnect.bind(mock);
    // A disconnect that takes time, as a closing handshake does; its event comes at the end.
    mock.disconnect = () =>
      new Promise<void>((resolve) => {
        finish = () => void disconnect().then(resolve);
      });
    const connect = vi.spyOn(mock, 'connect');

    const first = ws.connect<Action>(mock, 'conn', 'wss://example.com', undefined, toEvent);
    const cleanup = first.setup(dispatch);
    await flush();
    expect(eventTypes()).toEqual(['connected']);

    // What the store does when the id runs again: the old cleanup, then the new setup.
    void cleanup();
    ws.connect<Action>(mock, 'conn', 'wss://example.com', undefined, toEvent).setup(dispatch);
    await flush();
    expect(connect).toHaveBeenCalledTimes(1);
    expect(mock.listenerCount.events).toBe(0);

    finish();
    await flush();
    expect(connect).toHaveBeenCalledTimes(2);
    expect(mock.listenerCount.events).toBe(1);
    // The old connection's `disconnected` reached nobody; the new one's `connected` did.
    expect(eventTypes()).toEqual(['connected', 'connected']);
  });

  it('is not delayed by a disconnect of another client', async () => {
    const one = createMockWebSocket<Message>();
    const two = createMockWebSocket<Message>();
    one.disconnect = () => new Promise<void>(() => undefined);
    const cleanup = ws.connect<Action>(one, 'one', 'wss://one').setup(dispatch);
    void cleanup();
    ws.connect<Action>(two, 'two', 'wss://two', undefined, toEvent).setup(dispatch);
    await flush();
    expect(eventTypes()).toEqual(['connected']);
  });
});

describe('disconnect', () => {
  it('is a Run effect calling client.disconnect(code, reason)', async () => {
    const mock = createMockWebSocket<Message>();
    await mock.connect('wss://example.com');
    const disconnect = vi.spyOn(mock, 'disconnect');
    const effect = ws.disconnect(mock, 4000, 'bye');
    expect(effect._tag).toBe('Run');
    expect(disconnect).not.toHaveBeenCalled();

    await effect.execute(dispatch);
    expect(disconnect).toHaveBeenCalledWith(4000, 'bye');
    expect(mock.state.status).toBe('disconnected');
    expect(actions).toEqual([]);
  });

  it('passes no code or reason when none is given, so the client\'s defaults apply', async () => {
    const mock = createMockWebSocket<Message>();
    const disconnect = vi.spyOn(mock, 'disconnect');
    await ws.disconnect(mock).execute(dispatch);
    expect(disconnect).toHaveBeenCalledWith(undefined, undefined);
  });

  it('never rejects: a bad close code is reported', async () => {
    const mock = createMockWebSocket<Message>();
    await expect(ws.disconnect(mock, 1005).execute(dispatch)).resolves.toBeUndefined();
    expect(reported()).toEqual([expect.objectContaining({ code: WS_ERROR_CODES.PROTOCOL_ERROR })]);
    expect(mock.listenerCount.events).toBe(0);
  });
});

describe('send', () => {
  it('is a Run effect that sends, then dispatches onSuccess', async () => {
    const mock = createMockWebSocket<Message>();
    await mock.connect('wss://example.com');
    const effect = ws.send<Message, Action>(mock, { text: 'hi' }, (): Action => ({ type: 'sent' }));
    expect(effect._tag).toBe('Run');
    expect(mock.sentMessages).toEqual([]);

    await effect.execute(dispatch);
    expect(mock.sentMessages).toEqual([{ text: 'hi' }]);
    expect(actions).toEqual([{ type: 'sent' }]);
    expect(mock.listenerCount.events).toBe(0);
  });

  it('dispatches onFailure with the client\'s WebSocketError', async () => {
    const mock = createMockWebSocket<Message>();
    await ws
      .send<Message, Action>(
        mock,
        { text: 'hi' },
        (): Action => ({ type: 'sent' }),
        (error): Action => ({ type: 'failed', error }),
      )
      .execute(dispatch);
    expect(actions).toEqual([{ type: 'failed', error: expect.objectContaining({ code: WS_ERROR_CODES.SEND_FAILED, message: 'Not connected (disconnected)' }) }]);
    expect(reported()).toEqual([]);
  });

  it('wraps a rejection that is not a WebSocketError as SEND_FAILED, and a synchronous throw as a rejection', async () => {
    const cause = 'nope';
    const onFailure = (error: WebSocketError): Action => ({ type: 'failed', error });
    await ws.send<Message, Action>(mockWith({ send: () => Promise.reject(new Error(cause)) }), { text: 'a' }, undefined, onFailure).execute(dispatch);
    const sync = mockWith({
      send: () => {
        throw new RangeError('sync');
      },
    });
    await ws.send<Message, Action>(sync, { text: 'b' }, undefined, onFailure).execute(dispatch);
    const errors = actions.map((action) => (action.type === 'failed' ? action.error : undefined));
    expect(errors[0]).toBeInstanceOf(WebSocketError);
    expect(errors[0]).toMatchObject({ code: WS_ERROR_CODES.SEND_FAILED, message: 'nope', recoverable: false });
    expect(errors[1]).toMatchObject({ code: WS_ERROR_CODES.SEND_FAILED, message: 'sync', cause: expect.any(RangeError) });
  });

  it('without onFailure, leaves the failure to the client\'s own error event', async () => {
    const mock = createMockWebSocket<Message>();
    const events: WebSocketEvent[] = [];
    mock.subscribeToEvents((event) => events.push(event));
    await expect(ws.send<Message, Action>(mock, { text: 'hi' }).execute(dispatch)).resolves.toBeUndefined();
    expect(events.map((event) => event.type === 'error' && event.error.code)).toEqual([WS_ERROR_CODES.SEND_FAILED]);
    expect(reported()).toEqual([]);
    expect(actions).toEqual([]);
    // Only the test's own listener is left.
    expect(mock.listenerCount.events).toBe(1);
  });

  it('without onFailure, reports a failure the client did not emit, with no unhandled rejection', async () => {
    // The mock reports an unserializable message as an error event, as the live client does:
    // that is the report, nothing more is logged.
    const mock = createMockWebSocket<Message>();
    await mock.connect('wss://example.com');
    const events: string[] = [];
    mock.subscribeToEvents((event) => {
      if (event.type === 'error') events.push(event.error.code);
    });
    const circular: Message & { self?: unknown } = { text: 'loop' };
    circular.self = circular;
    await expect(ws.send<Message, Action>(mock, circular, (): Action => ({ type: 'sent' })).execute(dispatch)).resolves.toBeUndefined();
    expect(events).toEqual([WS_ERROR_CODES.INVALID_MESSAGE]);
    expect(reported()).toEqual([]);
    expect(actions).toEqual([]);

    // A client that rejects silently, through a store that leaves execute's promise alone.
    const silent = mockWith({ send: () => Promise.reject(new Error('silent')) });
    void ws.send<Message, Action>(silent, { text: 'x' }).execute(dispatch);
    await flush();
    expect(reported()).toEqual([expect.objectContaining({ message: 'silent' })]);
  });

  it('does not turn a throwing onSuccess into onFailure', async () => {
    const mock = createMockWebSocket<Message>();
    await mock.connect('wss://example.com');
    const boom = new Error('reducer failed');
    const onSuccess = (): Action => {
      throw boom;
    };
    const onFailure = vi.fn((error: WebSocketError): Action => ({ type: 'failed', error }));
    await expect(ws.send<Message, Action>(mock, { text: 'hi' }, onSuccess, onFailure).execute(dispatch)).rejects.toBe(boom);
    expect(onFailure).not.toHaveBeenCalled();
  });
});

describe('subscribe and subscribeToEvents', () => {
  it('subscribe dispatches every message until cleaned up', () => {
    const mock = createMockWebSocket<Message>();
    const effect = ws.subscribe<Message, Action>(mock, 'messages', (message): Action => ({ type: 'message', text: message.data.text }));
    expect(effect).toMatchObject({ _tag: 'Subscription', id: 'messages' });
    const cleanup = effect.setup(dispatch);
    expect(mock.listenerCount.messages).toBe(1);

    mock.simulateMessage({ text: 'one' });
    mock.simulateMessage({ text: 'two' });
    expect(cleanup()).toBeUndefined();
    mock.simulateMessage({ text: 'three' });
    expect(actions).toEqual([
      { type: 'message', text: 'one' },
      { type: 'message', text: 'two' },
    ]);
    expect(mock.listenerCount.messages).toBe(0);
  });

  it('subscribeToEvents dispatches every event until cleaned up', () => {
    const mock = createMockWebSocket<Message>();
    const effect = ws.subscribeToEvents<Action>(mock, 'events', toEvent);
    expect(effect).toMatchObject({ _tag: 'Subscription', id: 'events' });
    const cleanup = effect.setup(dispatch);
    mock.simulateError(new WebSocketError('lost', WS_ERROR_CODES.CONNECTION_FAILED, true));
    expect(cleanup()).toBeUndefined();
    mock.simulateEvent({ type: 'disconnected', code: 1006, reason: '', wasClean: false, timestamp: 0 });
    expect(eventTypes()).toEqual(['error']);
    expect(mock.listenerCount.events).toBe(0);
  });

  it.each([
    ['subscribe', (mock: MockWebSocket<Message>): SubscriptionEffect<Action> => ws.subscribe<Message, Action>(mock, 'id', (): Action => ({ type: 'sent' }))],
    ['subscribeToEvents', (mock: MockWebSocket<Message>): SubscriptionEffect<Action> => ws.subscribeToEvents<Action>(mock, 'id', toEvent)],
  ])('%s has a cleanup that reports a throwing unsubscribe instead of throwing', (_name, build) => {
    const boom = new Error('unsubscribe failed');
    const mock = mockWith({ subscribe: () => () => {
      throw boom;
    }, subscribeToEvents: () => () => {
      throw boom;
    } });
    const cleanup = build(mock).setup(dispatch);
    expect(() => cleanup()).not.toThrow();
    expect(reported()).toEqual([boom]);
  });
});

describe('effects are values', () => {
  it('do nothing until run, and can run more than once', async () => {
    const mock = createMockWebSocket<Message>();
    const spies = (['connect', 'disconnect', 'send', 'subscribe', 'subscribeToEvents'] as const).map((name) => vi.spyOn(mock, name));
    const effects = [
      ws.connect<Action>(mock, 'c', 'wss://example.com', undefined, toEvent),
      ws.disconnect(mock),
      ws.send<Message, Action>(mock, { text: 'hi' }),
      ws.subscribe<Message, Action>(mock, 's', (): Action => ({ type: 'sent' })),
      ws.subscribeToEvents<Action>(mock, 'e', toEvent),
    ];
    await flush();
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();

    const send = effects[2];
    await mock.connect('wss://example.com');
    if (send?._tag === 'Run') {
      await send.execute(dispatch);
      await send.execute(dispatch);
    }
    expect(mock.sentMessages).toEqual([{ text: 'hi' }, { text: 'hi' }]);
  });
});
