// Failover of a real cluster: a redis-server and two chat nodes, each a child process. Clients
// on both nodes chat while node A is killed with SIGKILL; A's clients move to B, re-join with
// their last seq and re-send what was not acknowledged. Every message must reach every member
// exactly once, in each sender's order, and be in the room's stream exactly once. Then both
// nodes restart, and the history is still there.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { ChatLine, ServerFrame } from './protocol.js';
import { startRedis, type RedisProcess } from './redis-process.js';
import { buildServer, startNode, type NodeProcess } from './test-nodes.js';
import { hasRedis, noRedis, openPeer, redisRequired, until, warnIfNoRedis } from './test-peer.js';

warnIfNoRedis('The cluster failover test');

const ROOM = 'room:failover';
/** Messages each client writes. */
const PER_CLIENT = 40;
/** The node TTL of the test's nodes: a dead node's members leave presence within 4/3 of it. */
const NODE_TTL = 1500;

/**
 * A client like the app's stack, over raw `ws`: it keeps its room's last seq and re-joins with
 * it after every reconnection (to the next node of its list), and keeps what it wrote until
 * acknowledged, re-sending it (in order, after the join) on every new connection. It records
 * every `message` frame exactly as received (no deduplication of its own), and any seq that does
 * not follow the previous one.
 */
class RecoveringClient {
  readonly received: ChatLine[] = [];
  readonly violations: string[] = [];
  readonly members: string[][] = [];
  /** The URL of each connection opened, in order. */
  readonly connections: string[] = [];
  last: number | undefined;
  private socket: WebSocket | undefined;
  private node = 0;
  private readonly unacked: { id: string; text: string }[] = [];
  private stopped = false;
  written = 0;
  /** Messages sent again on a new connection (not acknowledged on the old one). */
  resent = 0;

  constructor(
    readonly name: string,
    private readonly urls: string[],
  ) {}

  get acknowledgedAll(): boolean {
    return this.unacked.length === 0;
  }

  connect(): void {
    if (this.stopped) return;
    const url = this.urls[this.node % this.urls.length]!;
    const socket = new WebSocket(`${url}?name=${encodeURIComponent(this.name)}`);
    this.socket = socket;
    socket.on('open', () => {
      this.connections.push(url);
      socket.send(JSON.stringify(this.last === undefined ? { type: 'join', channel: ROOM } : { type: 'join', channel: ROOM, after: this.last }));
      if (this.connections.length > 1) this.resent += this.unacked.length;
      for (const message of this.unacked) socket.send(JSON.stringify({ type: 'say', channel: ROOM, ...message }));
    });
    socket.on('message', (data) => this.frame(JSON.parse((data as Buffer).toString('utf8')) as ServerFrame));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (this.socket !== socket || this.stopped) return;
      // The next node, after a short pause (an app's backoff).
      this.node++;
      setTimeout(() => this.connect(), 50);
    });
  }

  write(): void {
    const message = { id: `${this.name}-${++this.written}`, text: `${this.name} says ${this.written}` };
    this.unacked.push(message);
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify({ type: 'say', channel: ROOM, ...message }));
  }

  stop(): void {
    this.stopped = true;
    this.socket?.terminate();
  }

  private frame(frame: ServerFrame): void {
    switch (frame.type) {
      case 'history':
        this.last = frame.seq;
        break;
      case 'message':
        if (this.last !== undefined && frame.seq !== this.last + 1) this.violations.push(`${this.name}: seq ${frame.seq} after ${this.last}`);
        this.last = frame.seq;
        this.received.push(frame);
        break;
      case 'ack': {
        const at = this.unacked.findIndex((message) => message.id === frame.id);
        if (at >= 0) this.unacked.splice(at, 1);
        break;
      }
      case 'presence':
        this.members.push(frame.members);
        break;
      case 'error':
        this.violations.push(`${this.name}: error ${frame.code} ${frame.message}`);
        break;
      case 'welcome':
      case 'rooms':
      case 'created':
      case 'pong':
        break;
    }
  }
}

/** The ids of `sender`'s messages among `lines`, in the order they appear. */
const idsOf = (lines: readonly { id: string; user: string }[], sender: string): string[] => lines.filter((line) => line.user === sender).map((line) => line.id);

describe.skipIf(!hasRedis && !redisRequired)('cluster failover (redis-server and two node processes)', () => {
  let redis: RedisProcess | undefined;
  let entry = '';
  const nodes: NodeProcess[] = [];
  const clients: RecoveringClient[] = [];
  const env = (): Record<string, string> => ({ REDIS_URL: redis!.url, CHAT_NODE_TTL: String(NODE_TTL), CHAT_RATE_LIMIT: '200,400' });

  beforeAll(async () => {
    if (!hasRedis) return;
    [redis, entry] = await Promise.all([startRedis(), buildServer()]);
  }, 60_000);

  afterAll(async () => {
    for (const client of clients) client.stop();
    await Promise.all(nodes.map((node) => node.kill()));
    await redis?.stop();
  });

  it('delivers every message to every member exactly once and in each sender\'s order while node A is killed, and the stream has each once', async () => {
    if (!redis) throw noRedis();
    const [a, b] = await Promise.all([startNode(entry, env()), startNode(entry, env())]);
    nodes.push(a, b);
    // Three clients start on A, three on B; each moves to the other node when its own goes.
    for (const [at, name] of ['ann', 'abe', 'amy', 'bea', 'bob', 'bud'].entries()) {
      const client = new RecoveringClient(name, at < 3 ? [a.wsUrl, b.wsUrl] : [b.wsUrl, a.wsUrl]);
      clients.push(client);
      client.connect();
    }
    // Zed is on A and never comes back: the node's death must take Zed out of presence.
    const zed = await openPeer(a.wsUrl, 'Zed');
    zed.send({ type: 'join', channel: ROOM });
    await until(() => clients.every((client) => client.last !== undefined), 'every client joined');
    await until(() => clients.every((client) => client.members.at(-1)?.length === 7), 'presence of all seven');
    expect(clients[0]!.members.at(-1)).toEqual(['Zed', 'abe', 'amy', 'ann', 'bea', 'bob', 'bud']);

    // Everyone writes a message every 15 ms; A dies (SIGKILL) in the middle of it.
    let killed = false;
    for (let round = 1; round <= PER_CLIENT; round++) {
      for (const client of clients) client.write();
      if (round === PER_CLIENT / 2) {
        await a.kill('SIGKILL');
        killed = true;
      }
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
    expect(killed).toBe(true);
    const total = clients.length * PER_CLIENT;
    await until(() => clients.every((client) => client.acknowledgedAll), 'every message acknowledged', 30_000);
    await until(() => clients.every((client) => client.received.length >= total), `every client has ${total} messages`, 30_000);

    // A's clients moved to B, with messages A had not acknowledged (written just before the kill).
    for (const client of clients.slice(0, 3)) expect(client.connections).toEqual([a.wsUrl, b.wsUrl]);
    expect(clients.slice(0, 3).reduce((sum, client) => sum + client.resent, 0)).toBeGreaterThan(0);
    for (const client of clients.slice(3)) expect(client.connections).toEqual([b.wsUrl]);

    const sent = new Map(clients.map((client) => [client.name, Array.from({ length: PER_CLIENT }, (_, at) => `${client.name}-${at + 1}`)]));
    for (const client of clients) {
      // Exactly once: no copy and nothing missing, seqs consecutive from 1.
      expect(client.violations).toEqual([]);
      expect(client.received).toHaveLength(total);
      expect(client.received.map((line) => line.seq)).toEqual(Array.from({ length: total }, (_, at) => at + 1));
      // In each sender's order.
      for (const [sender, ids] of sent) expect(idsOf(client.received, sender)).toEqual(ids);
    }
    // Everyone saw the same sequence.
    const sequence = clients[0]!.received.map((line) => line.id);
    for (const client of clients) expect(client.received.map((line) => line.id)).toEqual(sequence);

    // The stream (read directly from Redis) has each message once, in that order, under its seq.
    const reader = new Redis(redis.url);
    try {
      const entries = await reader.xrange(`chat:log:${ROOM}`, '-', '+');
      const logged = entries.map(([id, fields]) => ({ id, line: JSON.parse(fields[1]!) as ChatLine }));
      expect(logged.map((entry) => entry.line.id)).toEqual(sequence);
      expect(logged.map((entry) => entry.id)).toEqual(logged.map((entry) => `${entry.line.seq}-0`));
      expect(new Set(sequence).size).toBe(total);
    } finally {
      reader.disconnect();
    }

    // Zed died with A: gone from presence within the node TTL and a third (the sweep's period).
    await until(() => clients.slice(3).every((client) => client.members.at(-1)?.includes('Zed') === false), 'Zed out of presence', NODE_TTL * 4);
    expect(clients[3]!.members.at(-1)).toEqual(['abe', 'amy', 'ann', 'bea', 'bob', 'bud']);
  }, 90_000);

  it('keeps the history and the seqs when both nodes restart', async () => {
    if (!redis) throw noRedis();
    for (const client of clients) client.stop();
    await Promise.all(nodes.splice(0).map((node) => node.kill('SIGKILL')));
    const [a, b] = await Promise.all([startNode(entry, env()), startNode(entry, env())]);
    nodes.push(a, b);
    const total = 6 * PER_CLIENT;
    const expected = clients[0]!.received.map((line) => [line.seq, line.id]);
    expect(expected).toHaveLength(total);

    const fresh = await openPeer(a.wsUrl, 'Fay');
    fresh.send({ type: 'join', channel: ROOM });
    const history = await fresh.next('history');
    expect(history.seq).toBe(total);
    expect(history.messages.map((line) => [line.seq, line.id])).toEqual(expected.slice(-50));

    const back = await openPeer(b.wsUrl, 'ann');
    back.send({ type: 'join', channel: ROOM, after: 100 });
    await until(() => back.lines().length === total - 100, 'the replay after 100');
    expect(back.lines().map((line) => [line.seq, line.id])).toEqual(expected.slice(100));
    back.close();
    fresh.close();
  }, 60_000);
});
