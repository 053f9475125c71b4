import { createLiveWebSocket } from '@composable-svelte/ws-core';
import { WebSocketError, WS_ERROR_CODES, type WebSocketEvent } from '@composable-svelte/ws-types';
import { createFakeWebSocket, createMockWebSocket, createSpyWebSocket, recordEvents } from '@composable-svelte/ws-testing';
import { describe, expect, it, vi } from 'vitest';
import { createChannelWebSocket } from './index.js';

interface Msg {
  channel?: string;
  text?: string;
  type?: string;
}

const byChannel = (msg: Msg): string | undefined => msg.channel;

describe('createChannelWebSocket', () => {
  it("is the guide's convenience wrapper: the client, plus .router over its messages", async () => {
    const mock = createMockWebSocket<Msg>();
    const client = createChannelWebSocket(mock, byChannel);
    await client.connect('wss://api.example.com', ['v1']);
    const chat: Msg[] = [];
    const everything: Msg[] = [];
    client.router.subscribe('chat', (message) => chat.push(message.data));
    client.subscribe((message) => everything.push(message.data));
    mock.simulateMessage({ channel: 'chat', text: 'hi' });
    mock.simulateMessage({ channel: 'news', text: 'extra' });
    expect(chat).toEqual([{ channel: 'chat', text: 'hi' }]);
    expect(everything).toHaveLength(2);
    await client.send({ channel: 'chat', text: 'Hello!' });
    expect(mock.sentMessages).toEqual([{ channel: 'chat', text: 'Hello!' }]);
    expect(client.state).toEqual(mock.state);
    expect(client.state.protocols).toEqual(['v1']);
    expect(client.stats.messagesSent).toBe(1);
    const events = recordEvents(mock);
    client.markDead('dead');
    expect(events.events[0]).toMatchObject({ type: 'disconnected', reason: 'dead' });
    await client.connect('wss://api.example.com');
    await client.disconnect(4000, 'bye');
    expect(events.events.at(-1)).toMatchObject({ type: 'disconnected', code: 4000, reason: 'bye' });
  });

  it('emits an extractor failure as an INVALID_MESSAGE error event, and calls onError too', async () => {
    const mock = createMockWebSocket<Msg>();
    await mock.connect('wss://example.test');
    const onError = vi.fn();
    const boom = new Error('bad message');
    const client = createChannelWebSocket(
      mock,
      (msg) => {
        if (msg.type === 'bad') throw boom;
        return msg.channel;
      },
      { onError, timers: { now: () => 1234 } },
    );
    const events: WebSocketEvent[] = [];
    const off = client.subscribeToEvents((event) => events.push(event));
    const innerEvents = recordEvents(mock);
    const logged = vi.spyOn(console, 'error');
    client.router.subscribe('chat', () => undefined);
    mock.simulateMessage({ type: 'bad' });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'error', timestamp: 1234, error: { code: WS_ERROR_CODES.INVALID_MESSAGE, cause: boom } });
    expect((events[0] as { error: unknown }).error).toBeInstanceOf(WebSocketError);
    expect(onError).toHaveBeenCalledWith((events[0] as { error: unknown }).error);
    expect(innerEvents.events).toEqual([]);
    expect(logged).not.toHaveBeenCalled();
    // The client's own events come through the same subscription, and both stop with it.
    mock.simulateDisconnect(1006);
    expect(events.map((event) => event.type)).toEqual(['error', 'disconnected']);
    off();
    off();
    expect(mock.listenerCount.events).toBe(1); // recordEvents' only
    mock.simulateMessage({ type: 'bad' });
    expect(events).toHaveLength(2);
    logged.mockRestore();
  });

  it('logs a failure with console.error only when neither an event subscriber nor onError heard it', async () => {
    const mock = createMockWebSocket<Msg>();
    await mock.connect('wss://example.test');
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const client = createChannelWebSocket(mock, () => {
      throw new Error('always');
    });
    client.router.subscribe('chat', () => undefined);
    mock.simulateMessage({});
    expect(logged).toHaveBeenCalledTimes(1);
    expect(logged.mock.calls[0]![0]).toMatchObject({ code: WS_ERROR_CODES.INVALID_MESSAGE });
    const off = client.subscribeToEvents(() => undefined);
    mock.simulateMessage({});
    expect(logged).toHaveBeenCalledTimes(1);
    off();
    logged.mockRestore();
  });

  it('sends join/leave through the wrapped client and rejoins after a reconnect', async () => {
    const mock = createMockWebSocket<Msg>({ reconnect: true });
    const spy = createSpyWebSocket(mock);
    const client = createChannelWebSocket(spy, byChannel, {
      join: (channel) => ({ type: 'join', channel }),
      leave: (channel) => ({ type: 'leave', channel }),
    });
    await client.connect('wss://example.test');
    const off = client.router.subscribe('room:lobby', () => undefined);
    mock.simulateDisconnect();
    mock.open();
    off();
    expect(spy.sentMessages).toEqual([
      { type: 'join', channel: 'room:lobby' },
      { type: 'join', channel: 'room:lobby' },
      { type: 'leave', channel: 'room:lobby' },
    ]);
  });

  it('over the live client: routes decoded frames and sends joins as JSON frames', async () => {
    const fake = createFakeWebSocket();
    const live = createLiveWebSocket<Msg>({ WebSocket: fake.WebSocket });
    const client = createChannelWebSocket(live, byChannel, { join: (channel) => ({ type: 'join', channel }) });
    const lobby: Msg[] = [];
    client.router.subscribe('room:lobby', (message) => lobby.push(message.data));
    const connecting = client.connect('wss://example.test');
    fake.last().open();
    await connecting;
    expect(fake.last().sent).toEqual(['{"type":"join","channel":"room:lobby"}']);
    fake.last().receive('{"channel":"room:lobby","text":"hi"}');
    fake.last().receive('{"channel":"room:general","text":"other"}');
    expect(lobby).toEqual([{ channel: 'room:lobby', text: 'hi' }]);
    await client.disconnect();
  });
});
