/* eslint-disable @typescript-eslint/no-unsafe-return -- the guide's extractors read fields of untyped (`any`) messages */
/**
 * The guide's Channel Routing examples (and the router parts of Best Practices and Advanced
 * Patterns), as written except for imports (each snippet in its own function, so that
 * top-level `await`s and repeated names compile). Type-checked by vitest's typecheck mode;
 * the behaviour is tested in src/*.test.ts and test/integration.test.ts.
 */
import { createLiveWebSocket } from '@composable-svelte/ws-core';
import type { WebSocketClient, WebSocketMessage } from '@composable-svelte/ws-types';
import { describe, expectTypeOf, it } from 'vitest';
import { createChannelRouter, createChannelWebSocket, type ChannelRouter, type ChannelWebSocket } from '../src/index.js';

declare const websocket: WebSocketClient;
declare function displayMessage(room: string, message: unknown): void;
declare function handleChat(message: unknown): void;
declare function handleNotification(message: unknown): void;
declare function updateUserList(users: string[]): void;
declare const currentUser: string;

describe('the guide compiles against ws-router', () => {
  it('Create Channel Router', () => {
    // Message structure: { channel: 'chat', data: {...} }
    const router = createChannelRouter(
      websocket,
      (msg) => msg.channel // Extract channel from message
    );

    // Subscribe to specific channel
    const unsubscribe = router.subscribe('chat', (message) => {
      console.log('Chat message:', message.data);
    });

    // Subscribe to multiple channels
    const unsubNotifications = router.subscribe('notifications', (message) => {
      console.log('Notification:', message.data);
    });

    // Get active channels
    console.log(router.getChannels()); // ['chat', 'notifications']

    // Get listener count
    console.log(router.getListenerCount('chat')); // 1

    // Unsubscribe from channel
    unsubscribe();

    // Clear all subscriptions
    router.clear();
    expectTypeOf(unsubNotifications).toEqualTypeOf<() => void>();
  });

  it('Channel WebSocket', async () => {
    const client = createChannelWebSocket(
      createLiveWebSocket(),
      (msg) => msg.channel
    );

    // Connect
    await client.connect('wss://api.example.com');

    // Subscribe to channel
    const unsubscribe = client.router.subscribe('chat', (message) => {
      console.log('Chat:', message.data);
    });

    // Send to channel
    await client.send({ channel: 'chat', text: 'Hello!' });

    // Access base client
    console.log(client.state);
    console.log(client.stats);
    unsubscribe();
  });

  it('Example: Chat Application', async () => {
    interface Message {
      channel: string;
      user: string;
      text: string;
      timestamp: number;
    }

    const client = createChannelWebSocket<Message>(
      createLiveWebSocket(),
      (msg) => msg.channel
    );

    await client.connect('wss://chat.example.com');

    // Subscribe to room channels
    client.router.subscribe('room:lobby', (message) => {
      displayMessage('Lobby', message.data);
    });

    client.router.subscribe('room:general', (message) => {
      displayMessage('General', message.data);
    });

    // Send to specific room
    await client.send({
      channel: 'room:lobby',
      user: 'Alice',
      text: 'Hello lobby!',
      timestamp: Date.now()
    });

    expectTypeOf(client).toEqualTypeOf<ChannelWebSocket<Message>>();
    // @ts-expect-error a message without `user` is not a Message
    void client.send({ channel: 'room:lobby', text: 'Hello lobby!', timestamp: Date.now() });
  });

  it('Best Practices 5: Use Channel Routing for Multi-Topic Apps', () => {
    // Good - channel router
    const router = createChannelRouter(websocket, (msg) => msg.channel);
    router.subscribe('chat', handleChat);
    router.subscribe('notifications', handleNotification);
  });

  it('Presence Tracking', async () => {
    interface PresenceMessage {
      type: 'presence';
      users: string[];
    }

    const router = createChannelRouter(websocket, (msg) => msg.type);

    router.subscribe('presence', (message) => {
      const data = message.data as PresenceMessage;
      updateUserList(data.users);
    });

    // Send presence updates
    await websocket.send({
      type: 'presence',
      action: 'join',
      user: currentUser
    });
    expectTypeOf(router).toExtend<ChannelRouter<unknown>>();
  });
});

describe('types of the router', () => {
  type Msg = { channel: 'a' | 'b'; n: number } | { kind: 'ping' };
  const typed = createLiveWebSocket<Msg>();

  it('types listeners, the extractor, the fallback and the hooks by the client', () => {
    const router = createChannelRouter(typed, (msg) => ('channel' in msg ? msg.channel : undefined), {
      fallback: (message, channel) => {
        expectTypeOf(message).toEqualTypeOf<WebSocketMessage<Msg>>();
        expectTypeOf(channel).toEqualTypeOf<string | undefined>();
      },
      join: (channel) => ({ channel: channel as 'a', n: 0 }),
      onError: (error) => {
        expectTypeOf(error.code).toBeString();
      },
    });
    router.subscribe('a', (message) => {
      expectTypeOf(message).toEqualTypeOf<WebSocketMessage<Msg>>();
    });
    expectTypeOf(router.getChannels()).toEqualTypeOf<string[]>();
    expectTypeOf(router.getListenerCount()).toBeNumber();
  });

  it('keeps literal types in join/leave messages inferred from the client', () => {
    type Control = { type: 'join' | 'leave'; channel: string } | { type: 'publish'; channel: string; text: string };
    const client = createLiveWebSocket<Control>();
    const channels = createChannelWebSocket(client, (msg) => msg.channel, {
      join: (channel) => ({ type: 'join', channel }),
      leave: (channel) => ({ type: 'leave', channel }),
    });
    expectTypeOf(channels.router).toEqualTypeOf<ChannelRouter<Control>>();
    // @ts-expect-error 'subscribe' is not a type of Control
    createChannelRouter(client, (msg) => msg.channel, { join: (channel) => ({ type: 'subscribe', channel }) });
    // An untyped client stays untyped.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    expectTypeOf(createChannelRouter(createLiveWebSocket(), (msg) => msg.channel)).toEqualTypeOf<ChannelRouter<any>>();
  });

  it('rejects what does not fit', () => {
    // @ts-expect-error the extractor must return a string, undefined or null
    createChannelRouter(typed, () => 42);
    // @ts-expect-error join must return a message of the client's type
    createChannelRouter(typed, () => 'a', { join: (channel) => ({ channel }) });
    const router = createChannelRouter(typed, () => 'a');
    // @ts-expect-error channels are strings
    router.subscribe(1, () => undefined);
    const client = createChannelWebSocket(typed, () => 'a', { timers: { now: () => 0 } });
    expectTypeOf(client).toExtend<WebSocketClient<Msg>>();
    // @ts-expect-error timers needs `now`
    createChannelWebSocket(typed, () => 'a', { timers: {} });
  });
});
