/** Routing a protocol typed both ways, with the channel read from a property: narrowed by channel. */
import { createMockWebSocket } from '@composable-svelte/ws-testing';
import type { WebSocketClient, WebSocketMessage } from '@composable-svelte/ws-types';
import { describe, expectTypeOf, it } from 'vitest';
import { createChannelRouter, createChannelWebSocket } from '../src/index.js';

interface Chat { type: 'message'; channel: 'chat'; text: string }
interface Lobby { type: 'presence'; channel: 'lobby'; users: string[] }
interface Room { type: 'history'; channel: `room:${string}`; messages: string[] }
interface Ack { type: 'ack'; id: string }
type ServerMessage = Chat | Lobby | Room | Ack;
type ClientMessage = { type: 'join' | 'leave'; channel: string } | { type: 'say'; channel: string; text: string };

declare const client: WebSocketClient<ServerMessage, ClientMessage>;

describe('a router over a client typed both ways', () => {
  it('narrows each channel to the message types that can carry it, given the channel key', () => {
    const router = createChannelRouter(client, 'channel', { join: (channel) => ({ type: 'join', channel }) });
    router.subscribe('chat', (message) => {
      expectTypeOf(message).toEqualTypeOf<WebSocketMessage<Chat>>();
      expectTypeOf(message.data.text).toBeString();
    });
    router.subscribe('lobby', (message) => expectTypeOf(message.data).toEqualTypeOf<Lobby>());
    router.subscribe('room:42', (message) => expectTypeOf(message.data).toEqualTypeOf<Room>());
    // @ts-expect-error no server message has the channel 'news'
    router.subscribe('news', () => undefined);
    // @ts-expect-error the key must name a string property of the messages
    createChannelRouter(client, 'users');
  });

  it('keeps every message type with an extractor function', () => {
    const router = createChannelRouter(client, (message) => ('channel' in message ? message.channel : undefined));
    router.subscribe('anything', (message) => expectTypeOf(message.data).toEqualTypeOf<ServerMessage>());
  });

  it('types join and leave as outgoing messages, and the channel websocket as the client', () => {
    const channels = createChannelWebSocket(client, 'channel', {
      join: (channel) => ({ type: 'join', channel }),
      leave: (channel) => ({ type: 'leave', channel }),
    });
    channels.router.subscribe('chat', (message) => expectTypeOf(message.data).toEqualTypeOf<Chat>());
    expectTypeOf<Parameters<typeof channels.send>[0]>().toEqualTypeOf<ClientMessage>();
    // @ts-expect-error a join must be a client message
    createChannelRouter(client, 'channel', { join: (channel) => ({ type: 'message', channel, text: '' }) });
    // @ts-expect-error a server message cannot be sent
    void channels.send({ type: 'ack', id: '1' });
  });

  it('works over the mock typed both ways', () => {
    const mock = createMockWebSocket<ServerMessage, ClientMessage>();
    expectTypeOf(mock.sentMessages).toEqualTypeOf<ClientMessage[]>();
    mock.simulateMessage({ type: 'ack', id: '1' });
    // @ts-expect-error the server does not send joins
    mock.simulateMessage({ type: 'join', channel: 'chat' });
    const router = createChannelRouter(mock, 'channel');
    router.subscribe('lobby', (message) => expectTypeOf(message.data.users).toEqualTypeOf<string[]>());
  });
});
