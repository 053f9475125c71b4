// The recovery protocol (seq per room, replay after an offset) against both backplanes: in
// memory, and Redis (a redis-server of the test's own). Then what only a cluster has: two nodes
// over one Redis share rooms, messages, presence and the room list.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { createChatServer, type ChatServer, type ChatServerOptions } from './chat-server.js';
import { freePort, startRedis, type RedisProcess } from './redis-process.js';
import { hasRedis, noRedis, openPeer, redisRequired, until, warnIfNoRedis, type Peer } from './test-peer.js';

warnIfNoRedis('The Redis half of the recovery tests');

let redis: RedisProcess | undefined;
beforeAll(async () => {
  if (hasRedis) redis = await startRedis();
}, 30_000);
afterAll(async () => {
  await redis?.stop();
});

const servers: ChatServer[] = [];
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.terminate();
  for (const server of servers.splice(0)) await server.close();
});

let prefixes = 0;
type Backend = 'memory' | 'redis';
const backends: Backend[] = hasRedis || redisRequired ? ['memory', 'redis'] : ['memory'];

/** Starts a server on `backend`; with Redis, servers given the same `prefix` are nodes of one cluster. */
async function start(backend: Backend, options: ChatServerOptions = {}, prefix = `t${++prefixes}:`): Promise<ChatServer> {
  if (backend === 'redis' && !redis) throw noRedis();
  const server = await createChatServer(backend === 'redis' ? { ...options, redis: { url: redis!.url, prefix, nodeTtl: 1500 } } : options);
  servers.push(server);
  return server;
}
const peer = (server: ChatServer, name: string): Promise<Peer> => openPeer(server.wsUrl, name, sockets);
const seqs = (p: Peer): number[] => p.lines().map((line) => line.seq);

async function joined(p: Peer, channel: string, after?: number): Promise<void> {
  p.send(after === undefined ? { type: 'join', channel } : { type: 'join', channel, after });
  if (after === undefined) await p.next('history', (frame) => frame.channel === channel);
  await p.next('presence', (frame) => frame.channel === channel);
}
async function say(p: Peer, channel: string, ...ids: string[]): Promise<void> {
  for (const id of ids) {
    p.send({ type: 'say', id, channel, text: `text ${id}` });
    await p.next('ack', (frame) => frame.id === id);
  }
}

describe.each(backends)('recovery, %s backplane', (backend) => {
  it('numbers each room\'s messages from 1, and a history carries the room\'s last seq', async () => {
    const server = await start(backend, { historySize: 2 });
    const alice = await peer(server, 'Alice');
    alice.send({ type: 'join', channel: 'room:lobby' });
    expect(await alice.next('history')).toEqual({ type: 'history', channel: 'room:lobby', seq: 0, messages: [] });
    await alice.next('presence');
    await joined(alice, 'room:general');
    await say(alice, 'room:lobby', 'l1', 'l2', 'l3');
    await say(alice, 'room:general', 'g1');
    await until(() => alice.lines().length === 4, 'four messages');
    expect(alice.lines().map((line) => [line.channel, line.seq, line.id])).toEqual([
      ['room:lobby', 1, 'l1'],
      ['room:lobby', 2, 'l2'],
      ['room:lobby', 3, 'l3'],
      ['room:general', 1, 'g1'],
    ]);
    const bob = await peer(server, 'Bob');
    bob.send({ type: 'join', channel: 'room:lobby' });
    const history = await bob.next('history');
    expect(history.seq).toBe(3);
    expect(history.messages.map((line) => [line.seq, line.id, line.user])).toEqual([
      [2, 'l2', 'Alice'],
      [3, 'l3', 'Alice'],
    ]);
  });

  it('replays exactly the messages after the offset of a re-join, before any newer one', async () => {
    const server = await start(backend);
    const alice = await peer(server, 'Alice');
    await joined(alice, 'room:lobby');
    let bob = await peer(server, 'Bob');
    await joined(bob, 'room:lobby');
    await say(alice, 'room:lobby', 'a1', 'a2');
    await until(() => bob.lines().length === 2, 'Bob has a1 and a2');
    bob.close();
    await until(() => server.members('room:lobby').length === 1, 'Bob gone');
    await say(alice, 'room:lobby', 'a3', 'a4', 'a5');
    bob = await peer(server, 'Bob');
    await joined(bob, 'room:lobby', 2);
    await say(alice, 'room:lobby', 'a6');
    await until(() => bob.lines().length === 4, 'Bob has four messages');
    expect(bob.lines().map((line) => [line.seq, line.id])).toEqual([
      [3, 'a3'],
      [4, 'a4'],
      [5, 'a5'],
      [6, 'a6'],
    ]);
    // No history frame for a re-join with an offset.
    expect(bob.frames.some((frame) => frame.type === 'history')).toBe(false);
    // Up to date: a re-join at the head replays nothing.
    const carol = await peer(server, 'Carol');
    await joined(carol, 'room:lobby', 6);
    await say(alice, 'room:lobby', 'a7');
    await until(() => carol.lines().length === 1, 'Carol has a7');
    expect(seqs(carol)).toEqual([7]);
  });

  it('refuses an offset beyond the room\'s last seq (a lost log) with stale-offset, and a malformed one', async () => {
    const server = await start(backend);
    const alice = await peer(server, 'Alice');
    await joined(alice, 'room:lobby');
    await say(alice, 'room:lobby', 'x1');
    const bob = await peer(server, 'Bob');
    bob.send({ type: 'join', channel: 'room:lobby', after: 5 });
    expect(await bob.next('error')).toEqual({
      type: 'error',
      code: 'stale-offset',
      channel: 'room:lobby',
      message: 'room:lobby has no message 5: its log was lost; join again without after',
    });
    // In the room all the same (what a client's queue re-sends after its join is taken), with
    // nothing replayed; a leave and a join without an offset start afresh.
    await say(bob, 'room:lobby', 'b1');
    await until(() => bob.lines().length === 1, 'b1 back to Bob');
    expect(bob.lines().map((line) => [line.seq, line.id])).toEqual([[2, 'b1']]);
    bob.send({ type: 'leave', channel: 'room:lobby' });
    bob.send({ type: 'join', channel: 'room:lobby' });
    expect(await bob.next('history')).toMatchObject({ seq: 2, messages: [{ id: 'x1', seq: 1 }, { id: 'b1', seq: 2 }] });
    for (const after of [-1, 1.5, '3', true]) {
      bob.send({ type: 'join', channel: 'room:general', after });
      expect(await bob.next('error')).toMatchObject({ code: 'bad-frame', channel: 'room:general' });
    }
  });

  it('replays from the oldest message kept when the offset is older (the client sees the gap)', async () => {
    const server = await start(backend, { historySize: 2, retention: 3 });
    const alice = await peer(server, 'Alice');
    await joined(alice, 'room:lobby');
    await say(alice, 'room:lobby', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6');
    const bob = await peer(server, 'Bob');
    await joined(bob, 'room:lobby', 0);
    await say(alice, 'room:lobby', 'r7');
    await until(() => bob.lines().at(-1)?.seq === 7, 'Bob has r7');
    const got = seqs(bob);
    // In memory exactly the last 3; Redis trims its streams approximately (MAXLEN ~): at least 3.
    if (backend === 'memory') expect(got).toEqual([4, 5, 6, 7]);
    else {
      expect(got.length).toBeGreaterThanOrEqual(4);
      expect(got).toEqual(Array.from({ length: got.length }, (_, at) => 8 - got.length + at));
    }
  });

  it('delivers a message once however often its sender resends it, on a new connection too', async () => {
    const server = await start(backend);
    const alice = await peer(server, 'Alice');
    await joined(alice, 'room:lobby');
    const bob = await peer(server, 'Bob');
    await joined(bob, 'room:lobby');
    await say(bob, 'room:lobby', 'once');
    bob.close();
    const again = await peer(server, 'Bob');
    await joined(again, 'room:lobby', 1);
    await say(again, 'room:lobby', 'once', 'twice');
    await until(() => alice.lines().length === 2, 'Alice has two messages');
    expect(alice.lines().map((line) => [line.seq, line.id])).toEqual([
      [1, 'once'],
      [2, 'twice'],
    ]);
  });
});

describe.skipIf(!hasRedis && !redisRequired)('cluster over one Redis', () => {
  it('refuses to start, saying why, when Redis cannot be reached', async () => {
    const port = await freePort();
    await expect(createChatServer({ redis: { url: `redis://127.0.0.1:${port}` } })).rejects.toThrow(
      `Cannot reach Redis at redis://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}`,
    );
  });

  it('two nodes share rooms, messages, seqs, presence and the room list', async () => {
    const prefix = `c${++prefixes}:`;
    const a = await start('redis', {}, prefix);
    const b = await start('redis', {}, prefix);
    const alice = await peer(a, 'Alice');
    const bob = await peer(b, 'Bob');
    await joined(alice, 'room:lobby');
    await joined(bob, 'room:lobby');
    expect(await alice.next('presence', (frame) => frame.members.length === 2)).toMatchObject({ members: ['Alice', 'Bob'] });
    await say(alice, 'room:lobby', 'from-a');
    await say(bob, 'room:lobby', 'from-b');
    for (const p of [alice, bob]) {
      await until(() => p.lines().length === 2, 'both messages');
      expect(p.lines().map((line) => [line.seq, line.id])).toEqual([
        [1, 'from-a'],
        [2, 'from-b'],
      ]);
    }
    // A room created on one node is in the other node's list, with counts from both.
    alice.send({ type: 'create', id: 'c1', name: 'book-club' });
    await alice.next('created');
    const rooms = await bob.next(
      'rooms',
      (frame) => frame.rooms.some((room) => room.channel === 'room:book-club') && frame.rooms.find((room) => room.channel === 'room:lobby')?.count === 2,
    );
    expect(rooms.rooms.map((room) => room.channel)).toEqual(['room:lobby', 'room:general', 'room:book-club']);
    // A node that closes takes its members out of presence at once.
    await a.close();
    servers.splice(servers.indexOf(a), 1);
    expect(await bob.next('presence', (frame) => frame.members.length === 1)).toMatchObject({ members: ['Bob'] });
  });

  it('keeps the history when every node restarts', async () => {
    const prefix = `h${++prefixes}:`;
    const first = await start('redis', {}, prefix);
    const alice = await peer(first, 'Alice');
    await joined(alice, 'room:general');
    await say(alice, 'room:general', 'k1', 'k2', 'k3');
    await first.close();
    servers.splice(servers.indexOf(first), 1);
    const second = await start('redis', {}, prefix);
    const bob = await peer(second, 'Bob');
    bob.send({ type: 'join', channel: 'room:general' });
    expect((await bob.next('history')).messages.map((line) => [line.seq, line.id])).toEqual([
      [1, 'k1'],
      [2, 'k2'],
      [3, 'k3'],
    ]);
    const carol = await peer(second, 'Carol');
    await joined(carol, 'room:general', 1);
    await until(() => carol.lines().length === 2, 'the replay');
    expect(seqs(carol)).toEqual([2, 3]);
  });
});
