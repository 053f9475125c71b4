import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createChatServer, type ChatServer, type ChatServerOptions } from './chat-server.js';
import type { ServerFrame } from './protocol.js';
import { connectPeer, type Peer } from './test-peer.js';

const servers: ChatServer[] = [];
const sockets: WebSocket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.terminate();
  for (const server of servers.splice(0)) await server.close();
});

async function start(options: ChatServerOptions = {}): Promise<ChatServer> {
  const server = await createChatServer(options);
  servers.push(server);
  return server;
}

/** A raw client to `server`, named with a `hello` frame when `name` is given (after its `welcome`). */
async function peer(server: ChatServer, name?: string, headers: Record<string, string> = {}): Promise<Peer> {
  const result = await connectPeer(server.wsUrl, { sockets, headers });
  if (name !== undefined) {
    result.send({ type: 'hello', name });
    await result.next('welcome');
  }
  return result;
}

describe('chat server', () => {
  it('welcomes a named user with the room list', async () => {
    const server = await start();
    const alice = await peer(server);
    alice.send({ type: 'hello', name: '  Alice ' });
    expect(await alice.next('welcome')).toEqual({
      type: 'welcome',
      name: 'Alice',
      rooms: [
        { channel: 'room:lobby', count: 0 },
        { channel: 'room:general', count: 0 },
      ],
    });
  });

  it('names a user from the URL at connect time', async () => {
    const server = await start();
    const socket = new WebSocket(`${server.wsUrl}?name=Dora`);
    sockets.push(socket);
    const first = await new Promise<ServerFrame>((resolve) => socket.once('message', (data) => resolve(JSON.parse((data as Buffer).toString('utf8')) as ServerFrame)));
    expect(first).toMatchObject({ type: 'welcome', name: 'Dora' });
  });

  it('answers every kind of bad input with an error frame and keeps serving', async () => {
    const server = await start();
    const bob = await peer(server);
    bob.send('{not json');
    expect(await bob.next('error')).toMatchObject({ code: 'bad-frame' });
    bob.send([1, 2]);
    expect(await bob.next('error')).toMatchObject({ code: 'bad-frame' });
    bob.socket.send(Buffer.from([1, 2, 3]));
    expect(await bob.next('error')).toMatchObject({ code: 'bad-frame' });
    bob.send({ type: 'join', channel: 'room:lobby' });
    expect(await bob.next('error')).toMatchObject({ code: 'not-named' });
    bob.send({ type: 'hello', name: 'x'.repeat(33) });
    expect(await bob.next('error')).toMatchObject({ code: 'bad-name' });
    bob.send({ type: 'hello', name: 'bad\u0007name' });
    expect(await bob.next('error')).toMatchObject({ code: 'bad-name' });
    bob.send({ type: 'hello', name: 'Bob' });
    await bob.next('welcome');
    bob.send({ type: 'teleport' });
    expect(await bob.next('error')).toMatchObject({ code: 'bad-frame', message: 'Unknown frame type "teleport"' });
    for (const channel of ['lobby', 'room:', 'room:UPPER', `room:${'a'.repeat(33)}`, 'room:a b']) {
      bob.send({ type: 'join', channel });
      expect(await bob.next('error')).toMatchObject({ code: 'bad-room' });
    }
    bob.send({ type: 'say', id: 'm1', channel: 'room:lobby', text: 'hi' });
    expect(await bob.next('error')).toMatchObject({ code: 'not-in-room', id: 'm1' });
    bob.send({ type: 'join', channel: 'room:lobby' });
    await bob.next('history');
    bob.send({ type: 'say', id: 'm2', channel: 'room:lobby', text: 'x'.repeat(2001) });
    expect(await bob.next('error')).toMatchObject({ code: 'bad-text', id: 'm2' });
    bob.send({ type: 'say', id: 'm3', channel: 'room:lobby', text: '   ' });
    expect(await bob.next('error')).toMatchObject({ code: 'bad-text', id: 'm3' });
    bob.send({ type: 'say', channel: 'room:lobby', text: 'no id' });
    expect(await bob.next('error')).toMatchObject({ code: 'bad-frame' });
    bob.send({ type: 'say', id: 'm4', channel: 'room:lobby', text: 'still here' });
    expect(await bob.next('message')).toMatchObject({ id: 'm4', user: 'Bob', text: 'still here' });
  });

  it('closes a connection that sends a frame over the size limit with 1009', async () => {
    const server = await start();
    const big = await peer(server, 'Big');
    const closed = new Promise<number>((resolve) => big.socket.once('close', (code) => resolve(code)));
    big.send({ type: 'say', id: 'x', channel: 'room:lobby', text: 'x'.repeat(20_000) });
    expect(await closed).toBe(1009);
  });

  it('refuses an Origin that is not allowed, and accepts its own', async () => {
    const server = await start();
    const refused = new WebSocket(server.wsUrl, { headers: { origin: 'http://evil.example' } });
    refused.on('error', () => undefined); // the refusal itself
    sockets.push(refused);
    const status = await new Promise<number>((resolve) => refused.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    expect(status).toBe(403);
    const own = await peer(server, 'Own', { origin: `http://127.0.0.1:${server.port}` });
    expect(own.socket.readyState).toBe(WebSocket.OPEN);
  });

  it('limits frames per second, then closes an abuser with 1008', async () => {
    const server = await start({ rateLimit: { perSecond: 1, burst: 3 }, abuseLimit: 5, now: () => 0 });
    const flood = await peer(server, 'Flood');
    flood.send({ type: 'join', channel: 'room:lobby' });
    await flood.next('history');
    flood.send({ type: 'say', id: 'a', channel: 'room:lobby', text: '1' });
    flood.send({ type: 'say', id: 'b', channel: 'room:lobby', text: '2' });
    expect(await flood.next('error')).toMatchObject({ code: 'rate-limited', id: 'b' });
    flood.send({ type: 'ping' });
    expect(await flood.next('pong')).toEqual({ type: 'pong' });
    const closed = new Promise<[number, string]>((resolve) => flood.socket.once('close', (code, reason) => resolve([code, reason.toString()])));
    for (let i = 0; i < 10; i++) flood.send({ type: 'say', id: `f${i}`, channel: 'room:lobby', text: 'spam' });
    expect(await closed).toEqual([1008, 'Rate limit exceeded']);
  });

  it('counts malformed frames toward the rate limit, and closes a flood of them with 1008', async () => {
    const server = await start({ rateLimit: { perSecond: 1, burst: 2 }, abuseLimit: 3, now: () => 0 });
    const junk = await peer(server, 'Junk');
    const closed = new Promise<number>((resolve) => junk.socket.once('close', (code) => resolve(code)));
    for (let i = 0; i < 10; i++) junk.send('{not json');
    expect(await closed).toBe(1008);
    // The hello took the first token of the burst of 2.
    expect(junk.frames.filter((f) => f.type === 'error').map((f) => f.type === 'error' && f.code)).toEqual([
      'bad-frame',
      'rate-limited',
      'rate-limited',
      'rate-limited',
      'rate-limited',
    ]);
  });

  it('keeps presence for join, leave and drop, and counts in the room list', async () => {
    const server = await start();
    const alice = await peer(server, 'Alice');
    const bob = await peer(server, 'Bob');
    alice.send({ type: 'join', channel: 'room:general' });
    await alice.next('presence', (f) => f.members.length === 1);
    bob.send({ type: 'join', channel: 'room:general' });
    expect(await alice.next('presence')).toEqual({ type: 'presence', channel: 'room:general', members: ['Alice', 'Bob'] });
    expect(await alice.next('rooms', (f) => f.rooms.some((r) => r.count === 2))).toBeTruthy();
    bob.send({ type: 'leave', channel: 'room:general' });
    expect(await alice.next('presence')).toMatchObject({ members: ['Alice'] });
    bob.send({ type: 'join', channel: 'room:general' });
    await alice.next('presence', (f) => f.members.length === 2);
    bob.socket.terminate();
    expect(await alice.next('presence')).toMatchObject({ members: ['Alice'] });
    expect(server.members('room:general')).toEqual(['Alice']);
  });

  it('creates rooms on join, within the limit', async () => {
    const server = await start({ maxRooms: 3 });
    const alice = await peer(server, 'Alice');
    alice.send({ type: 'join', channel: 'room:new-one' });
    expect(await alice.next('history')).toEqual({ type: 'history', channel: 'room:new-one', seq: 0, messages: [] });
    alice.send({ type: 'join', channel: 'room:too-many' });
    expect(await alice.next('error')).toMatchObject({ code: 'bad-room', message: 'There are already 3 rooms' });
  });

  it('answers a create request with the room, new or existing, and lists a new one', async () => {
    const server = await start();
    const alice = await peer(server, 'Alice');
    const bob = await peer(server, 'Bob');
    alice.send({ type: 'create', id: 'c1', name: 'book-club' });
    expect(await alice.next('created')).toEqual({ type: 'created', replyTo: 'c1', room: { channel: 'room:book-club', count: 0 } });
    // Created, not joined: everyone's room list has it.
    expect(await bob.next('rooms', (f) => f.rooms.some((r) => r.channel === 'room:book-club'))).toBeTruthy();
    expect(server.members('room:book-club')).toEqual([]);
    // An existing room is returned as it is, with its head count.
    bob.send({ type: 'join', channel: 'room:lobby' });
    await bob.next('history');
    alice.send({ type: 'create', id: 'c2', name: 'lobby' });
    expect(await alice.next('created')).toEqual({ type: 'created', replyTo: 'c2', room: { channel: 'room:lobby', count: 1 } });
    alice.send({ type: 'create', id: 'c3', name: 'book-club' });
    expect(await alice.next('created')).toEqual({ type: 'created', replyTo: 'c3', room: { channel: 'room:book-club', count: 0 } });
  });

  it('refuses a create with an error reply (replyTo), and a create without an id with bad-frame', async () => {
    const server = await start({ maxRooms: 3 });
    const alice = await peer(server);
    alice.send({ type: 'create', id: 'c0', name: 'early' });
    expect(await alice.next('error')).toEqual({ type: 'error', code: 'not-named', message: 'Say hello with a name first', replyTo: 'c0' });
    alice.send({ type: 'hello', name: 'Alice' });
    await alice.next('welcome');
    const names: unknown[] = ['', 'UPPER', 'room:lobby', 'a b', 'x'.repeat(33), 'café', 42, undefined];
    for (const [at, name] of names.entries()) {
      alice.send({ type: 'create', id: `bad${at}`, name });
      expect(await alice.next('error')).toEqual({ type: 'error', code: 'bad-room', message: 'A room name is 1 to 32 of a-z, 0-9 and -', replyTo: `bad${at}` });
    }
    // At the limit: a new room is refused, an existing one still found.
    alice.send({ type: 'create', id: 'c1', name: 'third' });
    await alice.next('created');
    alice.send({ type: 'create', id: 'c2', name: 'fourth' });
    expect(await alice.next('error')).toEqual({ type: 'error', code: 'bad-room', message: 'There are already 3 rooms', replyTo: 'c2' });
    alice.send({ type: 'create', id: 'c3', name: 'third' });
    expect(await alice.next('created')).toMatchObject({ replyTo: 'c3', room: { channel: 'room:third' } });
    // No id to answer: refused like a `say` without one.
    alice.send({ type: 'create', name: 'no-id' });
    expect(await alice.next('error')).toEqual({ type: 'error', code: 'bad-frame', message: 'A create needs an id of 1 to 64 characters' });
    alice.send({ type: 'create', id: 'x'.repeat(65), name: 'long-id' });
    expect(await alice.next('error')).toMatchObject({ code: 'bad-frame', message: 'A create needs an id of 1 to 64 characters' });
    expect(alice.frames.filter((f) => f.type === 'created')).toHaveLength(2);
  });

  it('answers a rate-limited create with an error reply', async () => {
    const server = await start({ rateLimit: { perSecond: 1, burst: 2 }, now: () => 0 });
    const alice = await peer(server, 'Alice');
    alice.send({ type: 'create', id: 'c1', name: 'one' });
    await alice.next('created');
    alice.send({ type: 'create', id: 'c2', name: 'two' });
    expect(await alice.next('error')).toEqual({ type: 'error', code: 'rate-limited', message: 'More than 1 frames a second', replyTo: 'c2' });
  });

  it('sends the bounded history on join', async () => {
    let clock = 100;
    const server = await start({ historySize: 2, now: () => clock++ });
    const alice = await peer(server, 'Alice');
    alice.send({ type: 'join', channel: 'room:lobby' });
    await alice.next('history');
    for (const id of ['1', '2', '3']) {
      alice.send({ type: 'say', id, channel: 'room:lobby', text: `text ${id}` });
      await alice.next('ack');
    }
    const bob = await peer(server, 'Bob');
    bob.send({ type: 'join', channel: 'room:lobby' });
    const history = await bob.next('history');
    expect(history.messages.map((m) => [m.id, m.user, m.text])).toEqual([
      ['2', 'Alice', 'text 2'],
      ['3', 'Alice', 'text 3'],
    ]);
  });

  it('broadcasts to the room only, acknowledges ids, and delivers a resent id once', async () => {
    const server = await start();
    const alice = await peer(server, 'Alice');
    const bob = await peer(server, 'Bob');
    const carol = await peer(server, 'Carol');
    for (const p of [alice, bob]) {
      p.send({ type: 'join', channel: 'room:lobby' });
      await p.next('history');
    }
    carol.send({ type: 'join', channel: 'room:general' });
    await carol.next('history');
    alice.send({ type: 'say', id: 'dup', channel: 'room:lobby', text: 'once' });
    expect(await alice.next('ack')).toEqual({ type: 'ack', id: 'dup' });
    expect(await bob.next('message')).toMatchObject({ id: 'dup', user: 'Alice', text: 'once', channel: 'room:lobby' });
    // The same id again, as a client's queue resends it after a reconnect.
    alice.send({ type: 'say', id: 'dup', channel: 'room:lobby', text: 'once' });
    expect(await alice.next('ack')).toEqual({ type: 'ack', id: 'dup' });
    alice.send({ type: 'say', id: 'next', channel: 'room:lobby', text: 'after' });
    expect(await bob.next('message')).toMatchObject({ id: 'next' });
    expect(bob.frames.filter((f) => f.type === 'message').map((f) => f.type === 'message' && f.id)).toEqual(['dup', 'next']);
    expect(carol.frames.some((f) => f.type === 'message')).toBe(false);
  });

  it('serves the built app and falls back to index.html', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chat-static-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>chat</title>');
    writeFileSync(join(dir, 'app.js'), 'console.log(1)');
    try {
      const server = await start({ staticDir: dir });
      const index = await fetch(server.url);
      expect(index.headers.get('content-type')).toMatch(/text\/html/);
      expect(await index.text()).toContain('<title>chat</title>');
      const script = await fetch(new URL('app.js', server.url));
      expect(script.headers.get('content-type')).toMatch(/javascript/);
      expect(await (await fetch(new URL('rooms/lobby', server.url))).text()).toContain('<title>chat</title>');
      expect((await fetch(new URL('../../etc/passwd', server.url))).status).not.toBe(500);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
