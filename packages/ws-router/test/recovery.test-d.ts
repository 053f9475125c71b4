/** The recovery options' types: `offset`, `onGap`, `join`'s second parameter and `getOffset`. */
import type { WebSocketClient } from '@composable-svelte/ws-types';
import { describe, expectTypeOf, it } from 'vitest';
import { createChannelRouter, createChannelWebSocket, type ChannelGap, type RouterConfig } from '../src/index.js';

type ServerMessage = { type: 'message'; channel: 'chat'; seq: number; text: string } | { type: 'presence'; channel: 'chat'; users: string[] };
type ClientMessage = { type: 'join'; channel: string; since?: number | undefined } | { type: 'leave'; channel: string };

declare const client: WebSocketClient<ServerMessage, ClientMessage>;

describe('recovery types', () => {
  it('types offset over the incoming messages and join with the last offset', () => {
    const router = createChannelRouter(client, 'channel', {
      offset: (message) => {
        expectTypeOf(message).toEqualTypeOf<ServerMessage>();
        return message.type === 'message' ? message.seq : undefined;
      },
      onGap: (gap) => expectTypeOf(gap).toEqualTypeOf<ChannelGap>(),
      join: (channel, since) => {
        expectTypeOf(since).toEqualTypeOf<number | undefined>();
        return { type: 'join', channel, since };
      },
    });
    expectTypeOf(router.getOffset('chat')).toEqualTypeOf<number | undefined>();
    // @ts-expect-error a channel is a string
    router.getOffset(1);
    expectTypeOf<ChannelGap>().toEqualTypeOf<{ channel: string; from: number; to: number }>();
    // A join that ignores the offset still fits, as before.
    createChannelRouter(client, 'channel', { join: (channel) => ({ type: 'join', channel }) });
    // `null` is a valid "no offset" too.
    createChannelRouter(client, 'channel', { offset: (message) => (message.type === 'message' ? message.seq : null) });
  });

  it('refuses offsets that are not numbers, and a gap handler of the wrong shape', () => {
    // @ts-expect-error an offset is a number
    createChannelRouter(client, 'channel', { offset: (message) => String(message.type) });
    // @ts-expect-error onGap receives a ChannelGap, not a number
    createChannelRouter(client, 'channel', { offset: () => 1, onGap: (gap: number) => gap });
    // @ts-expect-error the join's offset may be undefined
    createChannelRouter(client, 'channel', { join: (channel, since: number) => ({ type: 'join', channel, since }) });
  });

  it('takes the same options on createChannelWebSocket and in RouterConfig', () => {
    const channels = createChannelWebSocket(client, 'channel', {
      offset: (message) => ('seq' in message ? message.seq : undefined),
      onGap: ({ channel, from, to }) => console.log(channel, from, to),
      join: (channel, since) => ({ type: 'join', channel, since }),
    });
    expectTypeOf(channels.router.getOffset('chat')).toEqualTypeOf<number | undefined>();
    expectTypeOf<RouterConfig<ServerMessage, ClientMessage>['offset']>().toEqualTypeOf<
      ((message: ServerMessage) => number | undefined | null) | undefined
    >();
  });

  it("compiles the README's Recovery example", () => {
    type ServerMessage =
      | { type: 'message'; channel: string; seq: number; text: string }
      | { type: 'presence'; channel: string; users: string[] };
    type ClientMessage = { type: 'join'; channel: string; since?: number } | { type: 'leave'; channel: string };
    const readmeClient = null as unknown as WebSocketClient<ServerMessage, ClientMessage>;
    const showNotice = (text: string): void => void text;

    const channels = createChannelWebSocket(readmeClient, 'channel', {
      offset: (msg) => (msg.type === 'message' ? msg.seq : undefined), // presence is not numbered
      join: (channel, since) => (since === undefined ? { type: 'join', channel } : { type: 'join', channel, since }),
      leave: (channel) => ({ type: 'leave', channel }),
      onGap: ({ channel, from, to }) => showNotice(`${to - from + 1} older messages of ${channel} are no longer available`),
    });
    expectTypeOf(channels.router.getOffset('room:1')).toEqualTypeOf<number | undefined>();
  });
});
