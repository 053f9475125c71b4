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

/**
 * The README's recovery protocol on the server side: offsets per channel, a history trimmed to
 * `capacity`, and a join carrying `since` answered with what came after it (or from the oldest
 * message kept).
 */
type RecoveryMsg = { type: 'join'; channel: string; since?: number } | { type: 'leave'; channel: string } | { type: 'publish'; channel: string; seq: number };

async function replayServer(capacity: number) {
  const subscriptions = new Map<WebSocket, Set<string>>();
  const history = new Map<string, number[]>();
  const heads = new Map<string, number>();
  const joins: RecoveryMsg[] = [];
  const server = await startTestServer({
    reply: (data: TestFrame, client) => {
      const msg = JSON.parse(String(data)) as RecoveryMsg;
      const mine = subscriptions.get(client) ?? new Set<string>();
      subscriptions.set(client, mine);
      if (msg.type === 'join') {
        joins.push(msg);
        // Replayed before the subscription starts, in one go: nothing live can overtake it.
        const since = msg.since;
        const replay = since === undefined ? [] : (history.get(msg.channel) ?? []).filter((seq) => seq > since);
        mine.add(msg.channel);
        return replay.map((seq) => JSON.stringify({ type: 'publish', channel: msg.channel, seq }));
      }
      if (msg.type === 'leave') mine.delete(msg.channel);
      return undefined;
    },
    onConnection: (client) => client.on('close', () => subscriptions.delete(client)),
  });
  cleanup.push(() => server.stop());
  const publish = (channel: string): number => {
    const seq = (heads.get(channel) ?? 0) + 1;
    heads.set(channel, seq);
    const kept = [...(history.get(channel) ?? []), seq].slice(-capacity);
    history.set(channel, kept);
    const frame = JSON.stringify({ type: 'publish', channel, seq });
    for (const [peer, channels] of subscriptions) {
      if (channels.has(channel) && peer.readyState === WebSocket.OPEN) peer.send(frame);
    }
    return seq;
  };
  const joined = (): number => [...subscriptions.values()].filter((set) => set.size > 0).length;
  return Object.assign(server, { publish, joins, joined });
}

describe('recovery over ws-core and a real replaying server', () => {
  it('re-joins with the last offset, gets exactly what it missed, and hears of a gap the trimmed history left', async () => {
    const server = await replayServer(3);
    const live = createLiveWebSocket<RecoveryMsg>({ WebSocket, reconnect: { initialDelay: 20, maxDelay: 100, jitter: false, maxAttempts: 0 } });
    cleanup.push(() => live.disconnect());
    const gaps: unknown[] = [];
    const client = createChannelWebSocket(live, 'channel', {
      offset: (msg) => (msg.type === 'publish' ? msg.seq : undefined),
      onGap: (gap) => gaps.push(gap),
      join: (channel, since) => ({ type: 'join', channel, ...(since === undefined ? {} : { since }) }),
      leave: (channel) => ({ type: 'leave', channel }),
    });
    const got: number[] = [];
    client.router.subscribe('room', (message) => {
      if (message.data.type === 'publish') got.push(message.data.seq);
    });
    await client.connect(server.url);
    await expect.poll(() => server.joined()).toBe(1);
    for (let i = 0; i < 3; i++) server.publish('room');
    await expect.poll(() => got).toEqual([1, 2, 3]);

    /** Drops the connection, publishes `count` messages while the client is away, and lets it back. */
    const away = async (count: number): Promise<void> => {
      server.refuseUpgrades();
      await server.terminateAll();
      for (let i = 0; i < count; i++) server.publish('room');
      const reconnected = waitForEvent(client, 'reconnected');
      server.acceptUpgrades();
      await reconnected;
    };

    // Two missed, both still in the history: replayed, nothing lost, no gap.
    await away(2);
    await expect.poll(() => got).toEqual([1, 2, 3, 4, 5]);
    expect(gaps).toEqual([]);

    // Five missed, history keeps three: 6 and 7 are gone, reported as a gap before 8 arrives.
    await away(5);
    await expect.poll(() => got).toEqual([1, 2, 3, 4, 5, 8, 9, 10]);
    expect(gaps).toEqual([{ channel: 'room', from: 6, to: 7 }]);
    expect(server.joins).toEqual([
      { type: 'join', channel: 'room' },
      { type: 'join', channel: 'room', since: 3 },
      { type: 'join', channel: 'room', since: 5 },
    ]);

    server.publish('room');
    await expect.poll(() => got.at(-1)).toBe(11);
    expect(client.router.getOffset('room')).toBe(11);
  });
});
