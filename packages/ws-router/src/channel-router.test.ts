import { WebSocketError, WS_ERROR_CODES, type WebSocketClient, type WebSocketMessage } from '@composable-svelte/ws-types';
import { createMockWebSocket, createSpyWebSocket } from '@composable-svelte/ws-testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createChannelRouter } from './index.js';

interface Msg {
  channel?: string | null;
  text?: string;
  type?: string;
}

const byChannel = (msg: Msg): string | null | undefined => msg.channel;

async function connectedMock(options: Parameters<typeof createMockWebSocket>[0] = {}) {
  const mock = createMockWebSocket<Msg>(options);
  await mock.connect('wss://example.test');
  return mock;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('dispatch', () => {
  it('delivers each message to the listeners of its channel only, as the whole WebSocketMessage', async () => {
    const mock = await connectedMock();
    const router = createChannelRouter(mock, byChannel);
    const chat: WebSocketMessage<Msg>[] = [];
    const news: Msg[] = [];
    router.subscribe('chat', (message) => chat.push(message));
    router.subscribe('news', (message) => news.push(message.data));
    mock.simulateMessage({ channel: 'chat', text: 'hi' });
    mock.simulateMessage({ channel: 'news', text: 'extra' });
    mock.simulateMessage({ channel: 'sports', text: 'goal' });
    expect(chat).toHaveLength(1);
    expect(chat[0]).toMatchObject({ data: { channel: 'chat', text: 'hi' }, raw: '{"channel":"chat","text":"hi"}' });
    expect(chat[0]!.timestamp).toEqual(expect.any(Number));
    expect(news).toEqual([{ channel: 'news', text: 'extra' }]);
  });

  it('calls every listener of a channel in subscription order, the same function twice as two', async () => {
    const mock = await connectedMock();
    const router = createChannelRouter(mock, byChannel);
    const calls: string[] = [];
    const twice = (): void => void calls.push('twice');
    router.subscribe('chat', () => calls.push('first'));
    const off = router.subscribe('chat', twice);
    router.subscribe('chat', twice);
    mock.simulateMessage({ channel: 'chat' });
    expect(calls).toEqual(['first', 'twice', 'twice']);
    off();
    off();
    calls.length = 0;
    mock.simulateMessage({ channel: 'chat' });
    expect(calls).toEqual(['first', 'twice']);
    expect(router.getListenerCount('chat')).toBe(2);
  });

  it('a listener that throws does not stop the others; the throw is reported to onError', async () => {
    const mock = await connectedMock();
    const failures: WebSocketError[] = [];
    const router = createChannelRouter(mock, byChannel, { onError: (error) => failures.push(error) });
    const boom = new Error('listener bug');
    const reached: string[] = [];
    router.subscribe('chat', () => {
      throw boom;
    });
    router.subscribe('chat', () => reached.push('second'));
    router.subscribe('news', () => reached.push('news'));
    const rethrown = vi.spyOn(globalThis, 'queueMicrotask').mockImplementation(() => undefined);
    mock.simulateMessage({ channel: 'chat' });
    mock.simulateMessage({ channel: 'news' });
    expect(reached).toEqual(['second', 'news']);
    expect(rethrown).not.toHaveBeenCalled();
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ code: WS_ERROR_CODES.CALLBACK_FAILED, cause: boom });
    rethrown.mockRestore();
  });

  it('sends unrouted messages to the fallback: no channel, or a channel without listeners', async () => {
    const mock = await connectedMock();
    const unrouted: [Msg, string | undefined][] = [];
    const router = createChannelRouter(mock, byChannel, {
      fallback: (message, channel) => unrouted.push([message.data, channel]),
    });
    const chat: Msg[] = [];
    router.subscribe('chat', (message) => chat.push(message.data));
    mock.simulateMessage({ text: 'no channel' });
    mock.simulateMessage({ channel: null, text: 'null channel' });
    mock.simulateMessage({ channel: 'chat', text: 'routed' });
    mock.simulateMessage({ channel: 'news', text: 'nobody' });
    expect(chat).toEqual([{ channel: 'chat', text: 'routed' }]);
    expect(unrouted).toEqual([
      [{ text: 'no channel' }, undefined],
      [{ channel: null, text: 'null channel' }, undefined],
      [{ channel: 'news', text: 'nobody' }, 'news'],
    ]);
  });

  it('reports an extractor that throws to onError as INVALID_MESSAGE, and carries on', async () => {
    const mock = await connectedMock();
    const errors: WebSocketError[] = [];
    const boom = new TypeError('no channel field');
    const fallback = vi.fn();
    const router = createChannelRouter(
      mock,
      (msg) => {
        if (msg.type === 'bad') throw boom;
        return msg.channel;
      },
      { onError: (error) => errors.push(error), fallback },
    );
    const chat: Msg[] = [];
    router.subscribe('chat', (message) => chat.push(message.data));
    mock.simulateMessage({ type: 'bad', channel: 'chat' });
    mock.simulateMessage({ channel: 'chat', text: 'after' });
    expect(chat).toEqual([{ channel: 'chat', text: 'after' }]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(WebSocketError);
    expect(errors[0]).toMatchObject({ code: WS_ERROR_CODES.INVALID_MESSAGE, recoverable: true, cause: boom });
    expect(fallback).not.toHaveBeenCalled();
  });

  it('reports extractor failures with console.error when no onError is given', async () => {
    const mock = await connectedMock();
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const router = createChannelRouter(mock, (msg: Msg) => (msg as { meta: { channel: string } }).meta.channel);
    router.subscribe('chat', () => undefined);
    mock.simulateMessage({ channel: 'chat' });
    expect(logged).toHaveBeenCalledTimes(1);
    expect(logged.mock.calls[0]![0]).toMatchObject({ code: WS_ERROR_CODES.INVALID_MESSAGE });
  });
});

describe('bookkeeping', () => {
  it("answers the guide's getChannels and getListenerCount, and clear() removes everything", async () => {
    const mock = await connectedMock();
    const router = createChannelRouter(mock, byChannel);
    expect(router.getChannels()).toEqual([]);
    expect(router.getListenerCount()).toBe(0);
    const unsubscribe = router.subscribe('chat', () => undefined);
    const unsubNotifications = router.subscribe('notifications', () => undefined);
    router.subscribe('notifications', () => undefined);
    expect(router.getChannels()).toEqual(['chat', 'notifications']);
    expect(router.getListenerCount('chat')).toBe(1);
    expect(router.getListenerCount('notifications')).toBe(2);
    expect(router.getListenerCount('none')).toBe(0);
    expect(router.getListenerCount()).toBe(3);
    unsubscribe();
    expect(router.getChannels()).toEqual(['notifications']);
    router.clear();
    expect(router.getChannels()).toEqual([]);
    expect(router.getListenerCount()).toBe(0);
    // An unsubscribe from before clear() does not touch a new subscription to the same channel.
    router.subscribe('notifications', () => undefined);
    unsubNotifications();
    expect(router.getListenerCount('notifications')).toBe(1);
  });

  it('listens to the client only while it has a listener', async () => {
    const mock = await connectedMock();
    const router = createChannelRouter(mock, byChannel);
    expect(mock.listenerCount).toEqual({ messages: 0, events: 0 });
    const a = router.subscribe('a', () => undefined);
    const b = router.subscribe('b', () => undefined);
    expect(mock.listenerCount).toEqual({ messages: 1, events: 0 });
    a();
    expect(mock.listenerCount.messages).toBe(1);
    b();
    expect(mock.listenerCount.messages).toBe(0);
    router.subscribe('c', () => undefined);
    router.clear();
    expect(mock.listenerCount.messages).toBe(0);
  });

  it('with a fallback, listens from the start and after clear()', async () => {
    const mock = await connectedMock();
    const fallback = vi.fn();
    const router = createChannelRouter(mock, byChannel, { fallback });
    expect(mock.listenerCount.messages).toBe(1);
    router.subscribe('a', () => undefined)();
    router.clear();
    expect(mock.listenerCount.messages).toBe(1);
    mock.simulateMessage({ channel: 'a' });
    expect(fallback).toHaveBeenCalledTimes(1);
  });

  it('clear() called by a listener stops the dispatch of the current message to the rest', async () => {
    const mock = await connectedMock();
    const router = createChannelRouter(mock, byChannel);
    const calls: string[] = [];
    router.subscribe('chat', () => {
      calls.push('first');
      router.clear();
    });
    router.subscribe('chat', () => calls.push('second'));
    mock.simulateMessage({ channel: 'chat' });
    mock.simulateMessage({ channel: 'chat' });
    expect(calls).toEqual(['first']);
  });

  it('throws a TypeError for a bad extractor, channel or listener', async () => {
    const mock = await connectedMock();
    expect(() => createChannelRouter(mock, 42 as never)).toThrow(/extract/);
    const router = createChannelRouter(mock, byChannel);
    expect(() => router.subscribe(1 as never, () => undefined)).toThrow(/channel/);
    expect(() => router.subscribe('chat', null as never)).toThrow(/listener/);
    expect(router.getChannels()).toEqual([]);
  });
});

describe('join and leave', () => {
  const hooks = {
    join: (channel: string): Msg => ({ type: 'join', channel }),
    leave: (channel: string): Msg => ({ type: 'leave', channel }),
  };

  it('sends join for the first listener of a channel and leave after its last', async () => {
    const mock = await connectedMock();
    const router = createChannelRouter(mock, byChannel, hooks);
    const a = router.subscribe('chat', () => undefined);
    const b = router.subscribe('chat', () => undefined);
    expect(mock.sentMessages).toEqual([{ type: 'join', channel: 'chat' }]);
    a();
    expect(mock.sentMessages).toHaveLength(1);
    b();
    b();
    expect(mock.sentMessages).toEqual([
      { type: 'join', channel: 'chat' },
      { type: 'leave', channel: 'chat' },
    ]);
  });

  it('re-sends join for every active channel after each reconnect, and never leave while disconnected', async () => {
    const mock = await connectedMock({ reconnect: true });
    const router = createChannelRouter(mock, byChannel, hooks);
    router.subscribe('a', () => undefined);
    const offB = router.subscribe('b', () => undefined);
    mock.sentMessages.length = 0;
    mock.simulateDisconnect();
    offB(); // the lost connection has ended the server's subscription already
    router.subscribe('c', () => undefined); // waits for the connection
    expect(mock.sentMessages).toEqual([]);
    mock.open();
    expect(mock.sentMessages).toEqual([
      { type: 'join', channel: 'a' },
      { type: 'join', channel: 'c' },
    ]);
    mock.sentMessages.length = 0;
    mock.simulateDisconnect();
    mock.open();
    expect(mock.sentMessages).toEqual([
      { type: 'join', channel: 'a' },
      { type: 'join', channel: 'c' },
    ]);
  });

  it('sends the joins of channels subscribed before the first connect once connected, once each', async () => {
    const mock = createMockWebSocket<Msg>({ connect: 'manual' });
    const router = createChannelRouter(mock, byChannel, hooks);
    router.subscribe('a', () => undefined);
    const connecting = mock.connect('wss://example.test');
    router.subscribe('b', () => undefined);
    expect(mock.sentMessages).toEqual([]);
    // A listener of `connected` that runs before the router's subscribes to a channel.
    mock.subscribeToEvents((event) => {
      if (event.type === 'connected') router.subscribe('c', () => undefined);
    });
    mock.open();
    await connecting;
    expect(mock.sentMessages.map((msg) => msg.channel)).toEqual(['a', 'b', 'c']);
  });

  it('a channel subscribed by a connected listener that ran first is joined once', async () => {
    const mock = createMockWebSocket<Msg>({ connect: 'manual' });
    mock.subscribeToEvents((event) => {
      if (event.type === 'connected') router.subscribe('early', () => undefined);
    });
    const router = createChannelRouter(mock, byChannel, hooks);
    const connecting = mock.connect('wss://example.test');
    mock.open();
    await connecting;
    expect(mock.sentMessages).toEqual([{ type: 'join', channel: 'early' }]);
  });

  it('clear() sends leave for every channel while connected', async () => {
    const mock = await connectedMock();
    const router = createChannelRouter(mock, byChannel, hooks);
    router.subscribe('a', () => undefined);
    router.subscribe('b', () => undefined);
    router.subscribe('b', () => undefined);
    mock.sentMessages.length = 0;
    router.clear();
    expect(mock.sentMessages).toEqual([
      { type: 'leave', channel: 'a' },
      { type: 'leave', channel: 'b' },
    ]);
    expect(mock.listenerCount).toEqual({ messages: 0, events: 0 });
  });

  it('listens to events only with hooks, and only while it has listeners', async () => {
    const mock = await connectedMock();
    const router = createChannelRouter(mock, byChannel, { join: hooks.join });
    expect(mock.listenerCount.events).toBe(0);
    const off = router.subscribe('a', () => undefined);
    expect(mock.listenerCount.events).toBe(1);
    off();
    expect(mock.listenerCount.events).toBe(0);
    const plain = createChannelRouter(mock, byChannel);
    plain.subscribe('a', () => undefined);
    expect(mock.listenerCount.events).toBe(0);
  });

  it('reports a hook that throws and a send that rejects, without unhandled rejections', async () => {
    const mock = await connectedMock();
    const errors: WebSocketError[] = [];
    const router = createChannelRouter(mock, byChannel, {
      join: (channel) => {
        if (channel === 'bad') throw new Error('no join for bad');
        return { type: 'join', channel };
      },
      leave: hooks.leave,
      onError: (error) => errors.push(error),
    });
    router.subscribe('bad', () => undefined);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: WS_ERROR_CODES.CALLBACK_FAILED, cause: { message: 'no join for bad' } });
    expect(mock.sentMessages).toEqual([]);

    // A send the client rejects: the rejection itself is reported.
    const refused = new WebSocketError('refused', WS_ERROR_CODES.SEND_FAILED, true);
    vi.spyOn(mock, 'send').mockImplementation(() => Promise.reject(refused));
    const off = router.subscribe('ok', () => undefined);
    off();
    await vi.waitFor(() => expect(errors).toHaveLength(3));
    expect(errors.slice(1)).toEqual([refused, refused]);
    // A send that throws instead of rejecting.
    vi.spyOn(mock, 'send').mockImplementation(() => {
      throw new Error('sync');
    });
    router.subscribe('sync', () => undefined);
    expect(errors[3]).toMatchObject({ code: WS_ERROR_CODES.SEND_FAILED, cause: { message: 'sync' } });
  });

  it('works over a spy, which records the joins', async () => {
    const mock = await connectedMock();
    const spy = createSpyWebSocket(mock);
    const router = createChannelRouter(spy, byChannel, hooks);
    router.subscribe('a', () => undefined)();
    expect(spy.sentMessages).toEqual([
      { type: 'join', channel: 'a' },
      { type: 'leave', channel: 'a' },
    ]);
  });
});

describe('unsubscribe(channel)', () => {
  it('removes every listener of the channel at once, sends leave, and leaves other channels alone', async () => {
    const mock = await connectedMock();
    const router = createChannelRouter(mock, byChannel, {
      join: (channel) => ({ type: 'join', channel }),
      leave: (channel) => ({ type: 'leave', channel }),
    });
    const calls: string[] = [];
    const offFirst = router.subscribe('chat', () => calls.push('first'));
    router.subscribe('chat', () => calls.push('second'));
    router.subscribe('news', () => calls.push('news'));
    router.unsubscribe('chat');
    router.unsubscribe('unknown');
    expect(router.getChannels()).toEqual(['news']);
    expect(router.getListenerCount()).toBe(1);
    mock.simulateMessage({ channel: 'chat' });
    mock.simulateMessage({ channel: 'news' });
    expect(calls).toEqual(['news']);
    expect(mock.sentMessages).toEqual([
      { type: 'join', channel: 'chat' },
      { type: 'join', channel: 'news' },
      { type: 'leave', channel: 'chat' },
    ]);
    // An unsubscribe function returned earlier does nothing now, even after a new subscription.
    const again = router.subscribe('chat', () => calls.push('again'));
    offFirst();
    expect(router.getListenerCount('chat')).toBe(1);
    again();
    router.unsubscribe('news');
    expect(mock.listenerCount).toEqual({ messages: 0, events: 0 });
  });
});

describe('a channel key instead of an extractor', () => {
  it('reads the channel from that property, and reports a value that is not a string', async () => {
    const mock = createMockWebSocket<unknown>();
    await mock.connect('wss://example.test');
    const failures: WebSocketError[] = [];
    const router = createChannelRouter(mock as WebSocketClient<{ channel?: string }>, 'channel', {
      onError: (error) => failures.push(error),
      fallback: () => undefined,
    });
    const chat: unknown[] = [];
    router.subscribe('chat', (message) => chat.push(message.data));
    mock.simulateMessage({ channel: 'chat', n: 1 });
    mock.simulateMessage({ channel: 'news', n: 2 });
    mock.simulateMessage('no object at all');
    mock.simulateMessage({ channel: 7 });
    expect(chat).toEqual([{ channel: 'chat', n: 1 }]);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ code: WS_ERROR_CODES.CALLBACK_FAILED });
  });

});

describe('changes during a dispatch', () => {
  it('skips a listener removed meanwhile; one subscribed meanwhile gets the next message', async () => {
    const mock = await connectedMock();
    const router = createChannelRouter(mock, byChannel);
    const calls: string[] = [];
    let offThird = (): void => undefined;
    router.subscribe('chat', (message) => {
      calls.push(`first ${String(message.data.text)}`);
      if (message.data.text !== 'one') return;
      offThird();
      router.subscribe('chat', (later) => calls.push(`late ${String(later.data.text)}`));
    });
    router.subscribe('chat', (message) => calls.push(`second ${String(message.data.text)}`));
    offThird = router.subscribe('chat', (message) => calls.push(`third ${String(message.data.text)}`));
    mock.simulateMessage({ channel: 'chat', text: 'one' });
    mock.simulateMessage({ channel: 'chat', text: 'two' });
    expect(calls).toEqual(['first one', 'second one', 'first two', 'second two', 'late two']);
  });

  it('a listener subscribed by the lone listener of its channel gets the next message', async () => {
    const mock = await connectedMock();
    const router = createChannelRouter(mock, byChannel);
    const calls: string[] = [];
    router.subscribe('chat', (message) => {
      calls.push(`lone ${String(message.data.text)}`);
      if (message.data.text === 'one') router.subscribe('chat', (later) => calls.push(`next ${String(later.data.text)}`));
    });
    mock.simulateMessage({ channel: 'chat', text: 'one' });
    mock.simulateMessage({ channel: 'chat', text: 'two' });
    expect(calls).toEqual(['lone one', 'lone two', 'next two']);
  });

  it("unsubscribe(channel) lets the message reach the channel's other listeners, and their own unsubscribe functions do nothing", async () => {
    const mock = await connectedMock();
    const router = createChannelRouter(mock, byChannel);
    const calls: string[] = [];
    let offSecond = (): void => undefined;
    router.subscribe('chat', () => {
      calls.push('first');
      router.unsubscribe('chat');
      offSecond();
    });
    offSecond = router.subscribe('chat', () => calls.push('second'));
    mock.simulateMessage({ channel: 'chat' });
    mock.simulateMessage({ channel: 'chat' });
    expect(calls).toEqual(['first', 'second']);
    expect(router.getChannels()).toEqual([]);
  });

  it('reports each throwing listener with its channel, alone or among others', async () => {
    const mock = await connectedMock();
    const failures: WebSocketError[] = [];
    const router = createChannelRouter(mock, byChannel, { onError: (error) => failures.push(error) });
    const reached: string[] = [];
    const boom = (): void => {
      throw new Error('listener bug');
    };
    router.subscribe('alone', boom);
    router.subscribe('crowd', boom);
    router.subscribe('crowd', boom);
    router.subscribe('crowd', () => reached.push('crowd'));
    mock.simulateMessage({ channel: 'alone' });
    mock.simulateMessage({ channel: 'crowd' });
    expect(reached).toEqual(['crowd']);
    expect(failures.map((error) => [error.code, error.message])).toEqual([
      [WS_ERROR_CODES.CALLBACK_FAILED, expect.stringContaining('channel alone')],
      [WS_ERROR_CODES.CALLBACK_FAILED, expect.stringContaining('channel crowd')],
      [WS_ERROR_CODES.CALLBACK_FAILED, expect.stringContaining('channel crowd')],
    ]);
  });
});
