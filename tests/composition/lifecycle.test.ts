/**
 * The decorators' life cycle, over one client: they let go of it when dropped or disposed,
 * they act inside out whatever the order of subscriptions, and a stack keeps one account of
 * its errors.
 */
import { createLiveWebSocket } from '@composable-svelte/ws-core';
import { createHeartbeat } from '@composable-svelte/ws-heartbeat';
import { createQueuedWebSocket } from '@composable-svelte/ws-queue';
import { createChannelRouter, createChannelWebSocket } from '@composable-svelte/ws-router';
import { createFakeWebSocket, createMockWebSocket, createSpyWebSocket, recordEvents, type MockWebSocket } from '@composable-svelte/ws-testing';
import type { BrowserEnvironment, LifecycleListener, WebSocketClient } from '@composable-svelte/ws-types';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

interface Frame {
  type: string;
  channel?: string;
  id?: string;
  text?: string;
}

const channelOf = (frame: Frame): string | undefined => frame.channel;
const DECORATORS = 10_000;

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

const noSubscriptions = (mock: MockWebSocket<Frame>): void => {
  expect(mock.listenerCount).toEqual({ messages: 0, events: 0 });
};

describe('decorators let go of the client they wrap', () => {
  it('100 queues and 100 autoStart heartbeats created and dropped over a mock leave no listener', () => {
    const mock = createMockWebSocket<Frame>();
    for (let i = 0; i < 100; i++) {
      createQueuedWebSocket(mock);
      createHeartbeat(mock, { autoStart: true });
    }
    noSubscriptions(mock);
  });

  it.each([
    ['heartbeat', (client: WebSocketClient<Frame>) => createHeartbeat(client, { interval: 100, timeout: 50 })],
    ['autoStart heartbeat', (client: WebSocketClient<Frame>) => createHeartbeat(client, { interval: 100, autoStart: true })],
    ['channel websocket', (client: WebSocketClient<Frame>) => createChannelWebSocket(client, channelOf, { join: (channel) => ({ type: 'join', channel }) })],
    ['queue', (client: WebSocketClient<Frame>) => createQueuedWebSocket(client, { ack: { id: (f) => f.id ?? '', ackOf: (f) => f.id } })],
    ['spy', (client: WebSocketClient<Frame>) => createSpyWebSocket(client)],
  ])(`${DECORATORS} %s decorators used and dropped over one idle client leave 0 subscriptions`, (_name, make) => {
    const mock = createMockWebSocket<Frame>();
    for (let i = 0; i < DECORATORS; i++) {
      const decorator = make(mock);
      const offMessages = decorator.subscribe(() => undefined);
      const offEvents = decorator.subscribeToEvents(() => undefined);
      expect(mock.listenerCount.events).toBe(1);
      offMessages();
      offEvents();
    }
    noSubscriptions(mock);
  });

  it(`${DECORATORS} routers and queues used over a connected client leave 0 subscriptions once idle`, async () => {
    const mock = createMockWebSocket<Frame>();
    await mock.connect('wss://x');
    for (let i = 0; i < DECORATORS; i++) {
      const router = createChannelRouter(mock, channelOf, { join: (channel) => ({ type: 'join', channel }), leave: (channel) => ({ type: 'leave', channel }) });
      router.subscribe(`room:${i}`, () => undefined)();
      const queue = createQueuedWebSocket(mock, { ack: { id: (f) => f.id ?? '', ackOf: (f) => (f.type === 'ack' ? f.id : undefined) } });
      await queue.send({ type: 'say', id: `m${i}` });
      expect(queue.queue.size).toBe(1);
      mock.simulateMessage({ type: 'ack', id: `m${i}` });
      expect(queue.queue.size).toBe(0);
      createHeartbeat(mock, { interval: 100 });
      createSpyWebSocket(mock);
    }
    noSubscriptions(mock);
    expect(mock.sentMessages).toHaveLength(DECORATORS * 3);
  });

  it('a spy and an autoStart heartbeat follow a connection made through them until it ends', async () => {
    const mock = createMockWebSocket<Frame>({ reconnect: true });
    const spy = createSpyWebSocket(mock);
    const heartbeat = createHeartbeat(spy, { interval: 100, timeout: 50, pingMessage: { type: 'ping' }, pongMessage: { type: 'pong' }, autoStart: true });
    await heartbeat.connect('wss://x');
    mock.simulateMessage({ type: 'news' });
    expect(spy.receivedMessages).toHaveLength(1);
    expect(heartbeat.isRunning).toBe(true);
    mock.simulateDisconnect(1006);
    await vi.advanceTimersByTimeAsync(0);
    expect(mock.state.status).toBe('reconnecting');
    mock.open();
    expect(heartbeat.isRunning).toBe(true);
    await heartbeat.disconnect();
    await vi.advanceTimersByTimeAsync(0);
    noSubscriptions(mock);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('dispose()', () => {
  it('the queue drops what it holds with reason disposed, lets go, and refuses sends', async () => {
    const mock = createMockWebSocket<Frame>();
    const dropped: [Frame, string][] = [];
    const queue = createQueuedWebSocket(mock, { onDrop: (frame, reason) => dropped.push([frame, reason]) });
    const { events } = recordEvents(queue);
    await queue.send({ type: 'say', text: 'a' });
    await queue.send({ type: 'say', text: 'b' });
    queue.dispose();
    expect(dropped).toEqual([
      [{ type: 'say', text: 'a' }, 'disposed'],
      [{ type: 'say', text: 'b' }, 'disposed'],
    ]);
    expect(events.filter((e) => e.type === 'error')).toHaveLength(2);
    noSubscriptions(mock);
    await expect(queue.send({ type: 'say' })).rejects.toMatchObject({ code: 'SEND_FAILED', recoverable: false });
    await expect(queue.connect('wss://x')).rejects.toMatchObject({ code: 'CONNECTION_FAILED' });
    queue.dispose();
    await mock.connect('wss://x');
    expect(mock.sentMessages).toEqual([]);
  });

  it('the heartbeat stops its timers and lets go; start() does nothing afterwards', async () => {
    const mock = createMockWebSocket<Frame>();
    await mock.connect('wss://x');
    const heartbeat = createHeartbeat(mock, { interval: 100, timeout: 50, autoStart: true });
    heartbeat.subscribe(() => undefined);
    expect(heartbeat.isRunning).toBe(true);
    expect(vi.getTimerCount()).toBe(1);
    heartbeat.dispose();
    expect(vi.getTimerCount()).toBe(0);
    noSubscriptions(mock);
    heartbeat.start();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('works with `using`: the router leaves its channels and lets go at the end of the block', async () => {
    const mock = createMockWebSocket<Frame>();
    await mock.connect('wss://x');
    {
      using channels = createChannelWebSocket(mock, channelOf, {
        join: (channel) => ({ type: 'join', channel }),
        leave: (channel) => ({ type: 'leave', channel }),
        fallback: () => undefined,
      });
      channels.router.subscribe('room:a', () => undefined);
      channels.subscribeToEvents(() => undefined);
      expect(mock.listenerCount).toEqual({ messages: 1, events: 1 });
    }
    noSubscriptions(mock);
    expect(mock.sentMessages).toEqual([
      { type: 'join', channel: 'room:a' },
      { type: 'leave', channel: 'room:a' },
    ]);
    {
      using router = createChannelRouter(mock, channelOf, { fallback: () => undefined });
      expect(mock.listenerCount.messages).toBe(1);
      expect(router.getChannels()).toEqual([]);
    }
    noSubscriptions(mock);
  });

  it('the spy stops recording and lets go', async () => {
    const mock = createMockWebSocket<Frame>();
    const spy = createSpyWebSocket(mock);
    await spy.connect('wss://x');
    expect(mock.listenerCount).toEqual({ messages: 1, events: 1 });
    spy[Symbol.dispose]();
    noSubscriptions(mock);
    mock.simulateMessage({ type: 'late' });
    expect(spy.receivedMessages).toEqual([]);
  });
});

/** Every order of three setup steps: the app's own event listener, a room listener, a pending say. */
const STEPS = ['listen', 'room', 'say'] as const;
const permutations = <X>(items: readonly X[]): X[][] =>
  items.length <= 1 ? [[...items]] : items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));

describe('layers act inside out', () => {
  it.each(permutations(STEPS).map((order) => [order.join(', ')]))(
    'a router inside a queue re-joins before the queue re-sends, set up in the order: %s',
    async (name) => {
      const fake = createFakeWebSocket();
      const live = createLiveWebSocket<Frame>({ WebSocket: fake.WebSocket, reconnect: { initialDelay: 100, jitter: false } });
      // The app subscribes to the live client first of all: that must not change the order.
      live.subscribeToEvents(() => undefined);
      const channels = createChannelWebSocket(live, channelOf, { join: (channel) => ({ type: 'join', channel }) });
      const queue = createQueuedWebSocket(channels, { ack: { id: (f) => f.id ?? '', ackOf: (f) => (f.type === 'ack' ? f.id : undefined) } });
      for (const step of name.split(', ')) {
        if (step === 'listen') queue.subscribeToEvents(() => undefined);
        else if (step === 'room') channels.router.subscribe('room', () => undefined);
        else await queue.send({ type: 'say', channel: 'room', id: 's1' });
      }
      const connecting = queue.connect('wss://chat');
      await vi.advanceTimersByTimeAsync(0);
      fake.last().open();
      await connecting;
      const frames = (): string[] => fake.last().sent.map((frame) => JSON.parse(frame as string).type as string);
      expect(frames()).toEqual(['join', 'say']);
      fake.last().drop();
      await vi.advanceTimersByTimeAsync(100);
      fake.last().open();
      await vi.advanceTimersByTimeAsync(0);
      expect(frames()).toEqual(['join', 'say']);
      await queue.disconnect();
      queue.dispose();
      channels.dispose();
    },
  );
});

describe('one stack, one account', () => {
  it("state.lastError and stats.errors count every error event the stack's listeners receive", async () => {
    const mock = createMockWebSocket<Frame>();
    const channels = createChannelWebSocket(mock, (frame) => {
      if (frame.type === 'bad') throw new Error('no channel');
      return frame.channel;
    });
    const heartbeat = createHeartbeat(channels, { interval: 100, timeout: 50, pingMessage: { type: 'ping' }, pongMessage: { type: 'pong' } });
    const queue = createQueuedWebSocket(heartbeat, { maxSize: 1, dropStrategy: 'newest' });
    const { events } = recordEvents(queue);
    channels.router.subscribe('room', () => undefined);
    await queue.send({ type: 'say', text: 'kept' });
    await queue.send({ type: 'say', text: 'dropped' }); // queue: overflow
    await queue.connect('wss://x');
    mock.simulateMessage({ type: 'bad' }); // router: extractor threw
    heartbeat.start();
    await vi.advanceTimersByTimeAsync(150); // heartbeat: no pong
    await queue.send({ type: 'say', text: 'not connected' }); // queued
    await mock.send({ type: 'x' }).catch(() => undefined); // the mock itself: rejected while not connected
    const errors = events.filter((e) => e.type === 'error');
    expect(errors.map((e) => e.type === 'error' && e.error.code)).toEqual(['SEND_FAILED', 'INVALID_MESSAGE', 'HEARTBEAT_TIMEOUT', 'SEND_FAILED']);
    expect(queue.stats.errors).toBe(errors.length);
    const last = errors.at(-1)!;
    expect(queue.state.lastError).toBe(last.type === 'error' && last.error);
  });
});

describe('one stack, one account: a join the client refuses', () => {
  it('is one error event, counted once, and still reaches onError', async () => {
    const picky = {
      serialize: (message: unknown) => {
        if ((message as Frame).type === 'join') throw new Error('no joins');
        return JSON.stringify(message);
      },
      deserialize: (data: unknown) => JSON.parse(data as string) as unknown,
    };
    const mock = createMockWebSocket<Frame>({ serializer: picky as never });
    await mock.connect('wss://x');
    const onError = vi.fn();
    const channels = createChannelWebSocket(mock, channelOf, { join: (channel) => ({ type: 'join', channel }), onError });
    const { events } = recordEvents(channels);
    channels.router.subscribe('room', () => undefined);
    await vi.advanceTimersByTimeAsync(0);
    const errors = events.filter((e) => e.type === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ error: { code: 'INVALID_MESSAGE' } });
    expect(channels.stats.errors).toBe(1);
    expect(onError).toHaveBeenCalledOnce();
  });
});

describe('layers act inside out, in every composition and subscription order', () => {
  type Layer = 'heartbeat' | 'router' | 'queue';
  const orders = permutations<Layer>(['heartbeat', 'router', 'queue']);

  it.each(orders.map((order) => [order.join(' → ')]))('%s: a listener on any layer hears `connected` after every layer inside it reacted', async (name) => {
    const order = name.split(' → ') as Layer[];
    for (const listenFirst of [true, false]) {
      const mock = createMockWebSocket<Frame>({ connect: 'manual' });
      const spy = createSpyWebSocket(mock);
      let client: WebSocketClient<Frame> = spy;
      const layers: { layer: Layer | 'base'; client: WebSocketClient<Frame> }[] = [{ layer: 'base', client }];
      let heartbeat: ReturnType<typeof createHeartbeat<Frame>> | undefined;
      let channels: ReturnType<typeof createChannelWebSocket<Frame>> | undefined;
      let queue: ReturnType<typeof createQueuedWebSocket<Frame>> | undefined;
      for (const layer of order) {
        if (layer === 'heartbeat') client = heartbeat = createHeartbeat(client, { interval: 1000, pingMessage: { type: 'ping' }, pongMessage: { type: 'pong' }, autoStart: true });
        else if (layer === 'router') client = channels = createChannelWebSocket(client, channelOf, { join: (channel) => ({ type: 'join', channel }) });
        else client = queue = createQueuedWebSocket(client);
        layers.push({ layer, client });
      }
      /** Which layers have reacted to the connection, as seen from outside. */
      const reacted = (): Set<Layer> => {
        const sent = spy.sentMessages.map((frame) => frame.type);
        const done = new Set<Layer>();
        if (heartbeat!.isRunning) done.add('heartbeat');
        // A join sent through a queue that is flushing waits in it, behind older messages: handed over all the same.
        if (sent.includes('join') || queue!.queue.peek().some((frame) => frame.type === 'join')) done.add('router');
        if (sent.includes('say')) done.add('queue');
        return done;
      };
      const heard: { layer: Layer | 'base'; reacted: Set<Layer> }[] = [];
      const listen = (): void => {
        for (const { layer, client: at } of layers) {
          at.subscribeToEvents((event) => {
            if (event.type === 'connected') heard.push({ layer, reacted: reacted() });
          });
        }
      };
      if (listenFirst) listen();
      channels!.router.subscribe('room', () => undefined);
      await queue!.send({ type: 'say', channel: 'room', text: 'queued' });
      if (!listenFirst) listen();
      const connecting = client.connect('wss://x');
      mock.open();
      await connecting;
      expect(heard).toHaveLength(layers.length);
      for (const { layer, reacted: seen } of heard) {
        const inside = layer === 'base' ? [] : order.slice(0, order.indexOf(layer) + 1);
        for (const inner of inside) expect(seen.has(inner), `${inner} reacted before a listener of ${layer} heard 'connected'`).toBe(true);
      }
      await client.disconnect();
    }
  });
});

describe('a frozen page keeps what the queue holds', () => {
  it('unacknowledged and queued messages survive a freeze and go out once the page resumes', async () => {
    const fake = createFakeWebSocket();
    let page: LifecycleListener | null = null;
    const environment: BrowserEnvironment = {
      online: () => true,
      subscribe: (listener) => {
        page = listener;
        return () => (page = null);
      },
    };
    const live = createLiveWebSocket<Frame>({ WebSocket: fake.WebSocket, environment, reconnect: { jitter: false } });
    const queue = createQueuedWebSocket(live, {
      maxSize: 10,
      ack: { id: (frame) => frame.id!, ackOf: (frame) => (frame.type === 'ack' ? frame.id : undefined) },
    });
    const connecting = queue.connect('wss://chat.example/');
    await vi.advanceTimersByTimeAsync(0);
    fake.last().open();
    await connecting;
    // Sent, not yet acknowledged by the server when the page freezes.
    await queue.send({ type: 'say', id: 'a', text: 'sent before' });
    expect(fake.last().sent).toEqual([JSON.stringify({ type: 'say', id: 'a', text: 'sent before' })]);
    page!.freeze();
    expect(fake.last().closeRequest).toEqual({ code: 4001, reason: 'Page frozen' });
    // Written while frozen: held.
    await queue.send({ type: 'say', id: 'b', text: 'written frozen' });
    expect(queue.queue.size).toBe(2);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fake.sockets).toHaveLength(1);

    page!.resume();
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.sockets).toHaveLength(2);
    fake.last().open();
    await vi.advanceTimersByTimeAsync(0);
    // Both go out on the new connection, in order; the acknowledged one leaves the queue.
    expect(fake.last().sent.map((frame) => (JSON.parse(frame as string) as Frame).id)).toEqual(['a', 'b']);
    fake.last().receive(JSON.stringify({ type: 'ack', id: 'a' }));
    expect(queue.queue.size).toBe(1);
    fake.last().receive(JSON.stringify({ type: 'ack', id: 'b' }));
    expect(queue.queue.size).toBe(0);
  });
});
