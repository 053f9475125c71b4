/** Recovery of missed messages (the README's "Recovery"): offsets per channel, duplicates, gaps, re-joins. */
import { WebSocketError, WS_ERROR_CODES, type WebSocketEvent } from '@composable-svelte/ws-types';
import { createMockWebSocket, recordEvents } from '@composable-svelte/ws-testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createChannelRouter, createChannelWebSocket, type ChannelGap } from './index.js';

interface Msg {
  channel?: string;
  seq?: number | string | null;
  text?: string;
  type?: string;
  since?: number | undefined;
}

const byChannel = (msg: Msg): string | undefined => msg.channel;
const bySeq = (msg: Msg): number | undefined | null => msg.seq as number | undefined | null;
const join = (channel: string, since: number | undefined): Msg => ({ type: 'join', channel, since });
const leave = (channel: string): Msg => ({ type: 'leave', channel });

async function connectedMock(reconnect = false) {
  const mock = createMockWebSocket<Msg>({ reconnect });
  await mock.connect('wss://example.test');
  return mock;
}

/** A router with offsets, recording what its listeners of `channels`, `onGap` and `onError` saw, in one timeline. */
async function recovering(channels: string[] = ['chat'], extra: Parameters<typeof createChannelRouter<Msg>>[2] = {}) {
  const mock = await connectedMock(true);
  const timeline: string[] = [];
  const gaps: ChannelGap[] = [];
  const errors: WebSocketError[] = [];
  const router = createChannelRouter(mock, byChannel, {
    offset: bySeq,
    onGap: (gap) => {
      gaps.push(gap);
      timeline.push(`gap ${gap.channel} ${gap.from}-${gap.to}`);
    },
    onError: (error) => errors.push(error),
    join,
    leave,
    ...extra,
  });
  const offs = channels.map((name) => router.subscribe(name, (message) => timeline.push(`${name} ${String(message.data.seq)}`)));
  const send = (channel: string, seq?: unknown): void => mock.simulateMessage({ channel, seq: seq as number });
  return { mock, router, timeline, gaps, errors, offs, send };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('offsets per channel', () => {
  it('takes the first offset seen as the baseline, then delivers each next one in order', async () => {
    const { router, timeline, gaps, send } = await recovering();
    expect(router.getOffset('chat')).toBeUndefined();
    send('chat', 41);
    expect(router.getOffset('chat')).toBe(41);
    send('chat', 42);
    send('chat', 43);
    expect(timeline).toEqual(['chat 41', 'chat 42', 'chat 43']);
    expect(gaps).toEqual([]);
    expect(router.getOffset('chat')).toBe(43);
    expect(router.getOffset('elsewhere')).toBeUndefined();
  });

  it('drops a message whose offset it has seen before any listener and the fallback hear it; the client still delivers it', async () => {
    const fallback = vi.fn();
    const { mock, router, timeline, errors, send } = await recovering(['chat'], { fallback });
    const everything: unknown[] = [];
    mock.subscribe((message) => everything.push(message.data.seq));
    send('chat', 5);
    send('chat', 6);
    send('chat', 6); // the same again
    send('chat', 3); // older
    send('chat', 5);
    send('chat', 7);
    expect(timeline).toEqual(['chat 5', 'chat 6', 'chat 7']);
    expect(fallback).not.toHaveBeenCalled();
    expect(errors).toEqual([]);
    expect(router.getOffset('chat')).toBe(7);
    // Recovery filters what the router's listeners get, not the client's own subscribers.
    expect(everything).toEqual([5, 6, 6, 3, 5, 7]);
  });

  it('reports a gap with the exact missing offsets before delivering the message after it', async () => {
    const { router, timeline, gaps, send } = await recovering(['chat', 'news']);
    send('chat', 10);
    send('news', 1);
    send('chat', 14);
    send('chat', 15);
    send('news', 3);
    send('chat', 17);
    expect(timeline).toEqual(['chat 10', 'news 1', 'gap chat 11-13', 'chat 14', 'chat 15', 'gap news 2-2', 'news 3', 'gap chat 16-16', 'chat 17']);
    expect(gaps).toEqual([
      { channel: 'chat', from: 11, to: 13 },
      { channel: 'news', from: 2, to: 2 },
      { channel: 'chat', from: 16, to: 16 },
    ]);
    expect(router.getOffset('chat')).toBe(17);
    expect(router.getOffset('news')).toBe(3);
  });

  it('passes messages without an offset (undefined or null) through, untracked and never dropped', async () => {
    const { router, timeline, gaps, errors, send } = await recovering();
    send('chat'); // presence before any offset
    send('chat', 8);
    send('chat', null);
    send('chat', null);
    send('chat');
    send('chat', 9);
    expect(timeline).toEqual(['chat undefined', 'chat 8', 'chat null', 'chat null', 'chat undefined', 'chat 9']);
    expect(gaps).toEqual([]);
    expect(errors).toEqual([]);
    expect(router.getOffset('chat')).toBe(9);
  });

  it('accepts any safe integer, negative and zero included', async () => {
    const { timeline, gaps, errors, send } = await recovering();
    send('chat', -2);
    send('chat', -1);
    send('chat', 0);
    send('chat', Number.MAX_SAFE_INTEGER);
    expect(timeline).toEqual(['chat -2', 'chat -1', 'chat 0', `gap chat 1-${Number.MAX_SAFE_INTEGER - 1}`, `chat ${Number.MAX_SAFE_INTEGER}`]);
    expect(gaps).toEqual([{ channel: 'chat', from: 1, to: Number.MAX_SAFE_INTEGER - 1 }]);
    expect(errors).toEqual([]);
  });

  it('reads offsets only for channels with listeners: others go to the fallback unread', async () => {
    const offset = vi.fn(bySeq);
    const unrouted: unknown[] = [];
    const { mock, errors } = await recovering(['chat'], { offset, fallback: (message) => unrouted.push(message.data.seq) });
    mock.simulateMessage({ channel: 'news', seq: 1 });
    mock.simulateMessage({ channel: 'news', seq: 1 });
    mock.simulateMessage({ channel: 'news', seq: 'not read' });
    mock.simulateMessage({ seq: 2 });
    expect(offset).not.toHaveBeenCalled();
    expect(unrouted).toEqual([1, 1, 'not read', 2]);
    expect(errors).toEqual([]);
  });
});

describe('join carries the last offset', () => {
  it('hands undefined to a first join and the last offset of each channel to the re-joins after a reconnect', async () => {
    const { mock, router, send, timeline } = await recovering(['chat', 'news', 'quiet']);
    expect(mock.sentMessages).toEqual([join('chat', undefined), join('news', undefined), join('quiet', undefined)]);
    send('chat', 3);
    send('chat', 4);
    send('news', 90);
    mock.sentMessages.length = 0;
    mock.simulateDisconnect();
    router.subscribe('later', () => undefined); // waits for the connection
    mock.open();
    expect(mock.sentMessages).toEqual([join('chat', 4), join('news', 90), join('quiet', undefined), join('later', undefined)]);
    // The server replays from there; what it sends twice is dropped, what is new delivered.
    mock.sentMessages.length = 0;
    timeline.length = 0;
    send('chat', 4);
    send('chat', 5);
    send('chat', 6);
    expect(timeline).toEqual(['chat 5', 'chat 6']);
    mock.simulateDisconnect();
    mock.open();
    expect(mock.sentMessages).toEqual([join('chat', 6), join('news', 90), join('quiet', undefined), join('later', undefined)]);
  });

  it('without offset, join always gets undefined and nothing is tracked or dropped', async () => {
    const mock = await connectedMock(true);
    const joins: [string, number | undefined][] = [];
    const router = createChannelRouter(mock, byChannel, {
      join: (channel, offset) => {
        joins.push([channel, offset]);
        return join(channel, offset);
      },
    });
    const got: unknown[] = [];
    router.subscribe('chat', (message) => got.push(message.data.seq));
    mock.simulateMessage({ channel: 'chat', seq: 2 });
    mock.simulateMessage({ channel: 'chat', seq: 2 });
    mock.simulateMessage({ channel: 'chat', seq: 'anything' });
    mock.simulateDisconnect();
    mock.open();
    expect(got).toEqual([2, 2, 'anything']);
    expect(router.getOffset('chat')).toBeUndefined();
    expect(joins).toEqual([
      ['chat', undefined],
      ['chat', undefined],
    ]);
  });
});

describe('an offset is forgotten with the last listener of its channel', () => {
  async function forgetting(drop: (ctx: Awaited<ReturnType<typeof recovering>>) => void) {
    const ctx = await recovering();
    ctx.send('chat', 20);
    ctx.send('chat', 21);
    drop(ctx);
    expect(ctx.router.getOffset('chat')).toBeUndefined();
    ctx.mock.sentMessages.length = 0;
    ctx.timeline.length = 0;
    // A later subscription starts fresh: a first join, and a lower offset is a new baseline.
    ctx.router.subscribe('chat', (message) => ctx.timeline.push(`again ${String(message.data.seq)}`));
    expect(ctx.mock.sentMessages).toEqual([join('chat', undefined)]);
    ctx.send('chat', 3);
    ctx.send('chat', 4);
    expect(ctx.timeline).toEqual(['again 3', 'again 4']);
    expect(ctx.gaps).toEqual([]);
    expect(ctx.router.getOffset('chat')).toBe(4);
  }

  it('after the unsubscribe function of the last listener', async () => {
    await forgetting(({ offs }) => offs[0]!());
  });

  it('but not while another listener remains', async () => {
    const { router, offs, send, timeline } = await recovering();
    router.subscribe('chat', (message) => timeline.push(`second ${String(message.data.seq)}`));
    send('chat', 20);
    offs[0]!();
    expect(router.getOffset('chat')).toBe(20);
    send('chat', 20);
    send('chat', 21);
    expect(timeline).toEqual(['chat 20', 'second 20', 'second 21']);
  });

  it('after unsubscribe(channel)', async () => {
    await forgetting(({ router }) => router.unsubscribe('chat'));
  });

  it('after clear()', async () => {
    await forgetting(({ router }) => router.clear());
  });

  it('after dispose(), which also leaves the router inert', async () => {
    const { router, send, mock } = await recovering();
    send('chat', 20);
    router.dispose();
    expect(router.getOffset('chat')).toBeUndefined();
    expect(mock.listenerCount).toEqual({ messages: 0, events: 0 });
  });
});

describe('bad offsets and throwing callbacks', () => {
  it('reports an offset function that throws as INVALID_MESSAGE and drops the message, as for a failing extractor', async () => {
    const boom = new Error('no seq');
    const fallback = vi.fn();
    const { timeline, errors, router, mock } = await recovering(['chat'], {
      offset: (msg) => {
        if (msg.text === 'bad') throw boom;
        return bySeq(msg);
      },
      fallback,
    });
    mock.simulateMessage({ channel: 'chat', seq: 1 });
    mock.simulateMessage({ channel: 'chat', seq: 2, text: 'bad' });
    // Dropped without being recorded: the same offset next time is new.
    mock.simulateMessage({ channel: 'chat', seq: 2 });
    expect(timeline).toEqual(['chat 1', 'chat 2']);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(WebSocketError);
    expect(errors[0]).toMatchObject({ code: WS_ERROR_CODES.INVALID_MESSAGE, recoverable: true, cause: boom });
    expect(fallback).not.toHaveBeenCalled();
    expect(router.getOffset('chat')).toBe(2);
  });

  it('reports an offset that is not a safe integer, with the value as cause, and drops the message', async () => {
    const { timeline, errors, router, gaps, send } = await recovering();
    send('chat', 1);
    const bad = ['2', 2.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, -(2 ** 53), true, {}];
    for (const value of bad) send('chat', value);
    send('chat', 2);
    expect(timeline).toEqual(['chat 1', 'chat 2']);
    expect(gaps).toEqual([]);
    expect(router.getOffset('chat')).toBe(2);
    expect(errors).toHaveLength(bad.length);
    errors.forEach((error, i) => {
      expect(error).toBeInstanceOf(WebSocketError);
      expect(error).toMatchObject({ code: WS_ERROR_CODES.INVALID_MESSAGE, recoverable: true });
      expect(Object.is(error.cause, bad[i])).toBe(true);
    });
  });

  it('reports an onGap that throws as CALLBACK_FAILED and still delivers the message', async () => {
    const boom = new Error('gap handler bug');
    const { timeline, errors, router, send } = await recovering(['chat'], {
      onGap: () => {
        throw boom;
      },
    });
    send('chat', 1);
    send('chat', 5);
    send('chat', 6);
    expect(timeline).toEqual(['chat 1', 'chat 5', 'chat 6']);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: WS_ERROR_CODES.CALLBACK_FAILED, recoverable: true, cause: boom });
    expect(router.getOffset('chat')).toBe(6);
  });

  it('goes to console.error without onError', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const mock = await connectedMock();
    const router = createChannelRouter(mock, byChannel, { offset: bySeq });
    router.subscribe('chat', () => undefined);
    mock.simulateMessage({ channel: 'chat', seq: 'x' });
    expect(logged).toHaveBeenCalledTimes(1);
    expect(logged.mock.calls[0]![0]).toMatchObject({ code: WS_ERROR_CODES.INVALID_MESSAGE, cause: 'x' });
  });

  it('checks offset and onGap at creation, and refuses onGap without offset', async () => {
    const mock = await connectedMock();
    expect(() => createChannelRouter(mock, byChannel, { offset: 'seq' as never })).toThrow(new TypeError('offset must be a function, got string'));
    expect(() => createChannelRouter(mock, byChannel, { offset: bySeq, onGap: 1 as never })).toThrow(
      new TypeError('onGap must be a function, got number'),
    );
    expect(() => createChannelRouter(mock, byChannel, { onGap: () => undefined })).toThrow(new TypeError('offset must be a function, got undefined'));
    expect(() => createChannelWebSocket(mock, byChannel, { onGap: () => undefined })).toThrow(TypeError);
    expect(mock.listenerCount).toEqual({ messages: 0, events: 0 });
  });
});

describe('createChannelWebSocket', () => {
  it('recovers the same way, and emits its failures as error events', async () => {
    const mock = await connectedMock(true);
    const gaps: ChannelGap[] = [];
    const client = createChannelWebSocket(mock, byChannel, {
      offset: bySeq,
      onGap: (gap) => {
        gaps.push(gap);
        if (gap.from === 3) throw new Error('gap bug');
      },
      join,
      timers: { now: () => 7 },
    });
    const events: WebSocketEvent[] = [];
    client.subscribeToEvents((event) => events.push(event));
    const inner = recordEvents(mock);
    const got: unknown[] = [];
    client.router.subscribe('chat', (message) => got.push(message.data.seq));
    mock.simulateMessage({ channel: 'chat', seq: 1 });
    mock.simulateMessage({ channel: 'chat', seq: 1 });
    mock.simulateMessage({ channel: 'chat', seq: 'bad' });
    mock.simulateMessage({ channel: 'chat', seq: 2 });
    mock.simulateMessage({ channel: 'chat', seq: 5 });
    expect(got).toEqual([1, 2, 5]);
    expect(gaps).toEqual([{ channel: 'chat', from: 3, to: 4 }]);
    expect(client.router.getOffset('chat')).toBe(5);
    expect(events).toMatchObject([
      { type: 'error', timestamp: 7, error: { code: WS_ERROR_CODES.INVALID_MESSAGE, cause: 'bad' } },
      { type: 'error', timestamp: 7, error: { code: WS_ERROR_CODES.CALLBACK_FAILED, cause: { message: 'gap bug' } } },
    ]);
    expect(client.stats.errors).toBe(2);
    expect(inner.events).toEqual([]);

    // The re-join after a reconnect carries the last offset, before outer listeners hear `connected`.
    const sentWhenConnected: Msg[][] = [];
    client.subscribeToEvents((event) => {
      if (event.type === 'connected') sentWhenConnected.push([...mock.sentMessages]);
    });
    mock.sentMessages.length = 0;
    mock.simulateDisconnect();
    mock.open();
    expect(sentWhenConnected).toEqual([[join('chat', 5)]]);
    client.dispose();
    expect(client.router.getOffset('chat')).toBeUndefined();
  });
});
