/**
 * The router over ws-core against a real `ws` server on 127.0.0.1 (port 0) that keeps
 * server-side channel subscriptions per connection, as a pub/sub server does: joins and
 * leaves reach it, and the subscriptions are re-established after the server restarts.
 */
import { createLiveWebSocket } from '@composable-svelte/ws-core';
import { waitForEvent } from '@composable-svelte/ws-testing';
import { startTestServer, type TestFrame } from '@composable-svelte/ws-testing/server';
import { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { createChannelWebSocket } from '../src/index.js';

type Msg = { type: 'join' | 'leave'; channel: string } | { type: 'publish'; channel: string; text: string };

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** A pub/sub server: `join`/`leave` per connection; `publish` goes to every subscriber of the channel. */
async function pubSubServer() {
  const subscriptions = new Map<WebSocket, Set<string>>();
  const server = await startTestServer({
    reply: (data: TestFrame, client) => {
      const msg = JSON.parse(String(data)) as Msg;
      const mine = subscriptions.get(client) ?? new Set<string>();
      subscriptions.set(client, mine);
      if (msg.type === 'join') mine.add(msg.channel);
      else if (msg.type === 'leave') mine.delete(msg.channel);
      else {
        for (const [peer, channels] of subscriptions) {
          if (channels.has(msg.channel) && peer.readyState === WebSocket.OPEN) peer.send(String(data));
        }
      }
      return undefined;
    },
    onConnection: (client) => client.on('close', () => subscriptions.delete(client)),
  });
  cleanup.push(() => server.stop());
  const channelsOf = (): string[][] => [...subscriptions.values()].map((set) => [...set].sort());
  return Object.assign(server, { channelsOf });
}

function channelClient() {
  const live = createLiveWebSocket<Msg>({ WebSocket, reconnect: { initialDelay: 20, maxDelay: 100, jitter: false, maxAttempts: 0 } });
  cleanup.push(() => live.disconnect());
  return createChannelWebSocket(live, (msg) => msg.channel, {
    join: (channel) => ({ type: 'join', channel }),
    leave: (channel) => ({ type: 'leave', channel }),
  });
}

describe('router over ws-core and a real pub/sub server', () => {
  it('joins, routes and leaves; subscriptions survive a server restart', async () => {
    const server = await pubSubServer();
    const client = channelClient();
    const lobby: string[] = [];
    const general: string[] = [];
    client.router.subscribe('room:lobby', (message) => {
      if (message.data.type === 'publish') lobby.push(message.data.text);
    });
    await client.connect(server.url);
    const offGeneral = client.router.subscribe('room:general', (message) => {
      if (message.data.type === 'publish') general.push(message.data.text);
    });
    await expect.poll(() => server.channelsOf()).toEqual([['room:general', 'room:lobby']]);

    await client.send({ type: 'publish', channel: 'room:lobby', text: 'one' });
    await client.send({ type: 'publish', channel: 'room:general', text: 'two' });
    await expect.poll(() => [lobby, general]).toEqual([['one'], ['two']]);

    offGeneral();
    await expect.poll(() => server.channelsOf()).toEqual([['room:lobby']]);

    // The restart ends every server-side subscription; the router re-joins after reconnecting.
    const reconnected = waitForEvent(client, 'reconnected');
    await server.restart();
    await reconnected;
    await expect.poll(() => server.channelsOf()).toEqual([['room:lobby']]);
    await client.send({ type: 'publish', channel: 'room:lobby', text: 'after restart' });
    await client.send({ type: 'publish', channel: 'room:general', text: 'nobody listens' });
    await expect.poll(() => lobby).toEqual(['one', 'after restart']);
    expect(general).toEqual(['two']);
  });
});
