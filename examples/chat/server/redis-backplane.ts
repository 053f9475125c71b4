import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Backplane, BackplaneListener, NewLine } from './backplane.js';
import { DEFAULT_ROOMS, type ChatLine, type RoomSummary } from './protocol.js';

/** Options of {@link createRedisBackplane}. */
export interface RedisBackplaneOptions {
  /** The Redis to use, as a `redis://` URL. */
  url: string;
  /** Most rooms that may exist, in the whole cluster. */
  maxRooms: number;
  /** Messages kept per room in its stream (trimmed with `MAXLEN ~`, so a few more may stay). */
  retention: number;
  /** How long a message id is remembered for deduplication, in seconds. @defaultValue `86400` (a day) */
  dedupTtl?: number;
  /**
   * How long this node counts as alive after its last heartbeat, in ms: the members of a node
   * that stops (killed, cut off) disappear from presence within `nodeTtl` plus a third of it.
   * @defaultValue `10000`
   */
  nodeTtl?: number;
  /** This node's id in Redis. @defaultValue random */
  nodeId?: string;
  /** Prefix of every key and pub/sub channel. @defaultValue `'chat:'` */
  prefix?: string;
  /** The clock, for the creation order of rooms. @defaultValue `Date.now` */
  now?: () => number;
}

/** The default of `RedisBackplaneOptions.dedupTtl`, in seconds. */
export const DEFAULT_DEDUP_TTL = 86_400;
/** The default of `RedisBackplaneOptions.nodeTtl`, in ms. */
export const DEFAULT_NODE_TTL = 10_000;

// Appends a message: deduplication, the room's next seq, the stream entry (whose id is the seq)
// and the fan-out, in one atomic step, so that seqs reach the stream and the subscribers in order.
// KEYS: dedup key, seq counter, stream. ARGV: dedup TTL (s), retention, the pub/sub channel,
// the line's JSON without its opening brace.
const APPEND = `
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 0 end
local seq = redis.call('INCR', KEYS[2])
local json = '{"seq":' .. seq .. ',' .. ARGV[4]
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[2], seq .. '-0', 'm', json)
redis.call('PUBLISH', ARGV[3], json)
return seq`;

// Creates a room unless it exists or the limit is reached: 1 exists, 2 created, 0 refused.
// KEYS: the rooms sorted set. ARGV: the room, the limit, its score (creation time), the events channel.
const ENSURE_ROOM = `
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 1 end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
redis.call('PUBLISH', ARGV[4], '{"r":1}')
return 2`;

// The members of a room on live nodes (each a JSON array of names), dropping dead nodes' entries.
// KEYS: the room's members hash. ARGV: the prefix of node keys.
const MEMBERS = `
local all = redis.call('HGETALL', KEYS[1])
local out = {}
for i = 1, #all, 2 do
  if redis.call('EXISTS', ARGV[1] .. all[i]) == 1 then out[#out + 1] = all[i + 1]
  else redis.call('HDEL', KEYS[1], all[i]) end
end
return out`;

// Every room and its head count on live nodes: [room, count, room, count, ...].
// KEYS: the rooms sorted set. ARGV: the prefix of members hashes, the prefix of node keys.
const SUMMARIES = `
local rooms = redis.call('ZRANGE', KEYS[1], 0, -1)
local out = {}
for _, room in ipairs(rooms) do
  local all = redis.call('HGETALL', ARGV[1] .. room)
  local count = 0
  for i = 1, #all, 2 do
    if redis.call('EXISTS', ARGV[2] .. all[i]) == 1 then count = count + #cjson.decode(all[i + 1]) end
  end
  out[#out + 1] = room
  out[#out + 1] = count
end
return out`;

// Removes the entries of dead nodes from every room; returns the rooms that changed.
// KEYS: the rooms sorted set. ARGV: the prefix of members hashes, the prefix of node keys.
const SWEEP = `
local rooms = redis.call('ZRANGE', KEYS[1], 0, -1)
local changed = {}
for _, room in ipairs(rooms) do
  local key = ARGV[1] .. room
  local nodes = redis.call('HKEYS', key)
  local removed = false
  for _, node in ipairs(nodes) do
    if redis.call('EXISTS', ARGV[2] .. node) == 0 then
      redis.call('HDEL', key, node)
      removed = true
    end
  end
  if removed then changed[#changed + 1] = room end
end
return changed`;

interface Scripts {
  chatAppend(dedup: string, seq: string, stream: string, ttl: number, retention: number, channel: string, json: string): Promise<number>;
  chatEnsureRoom(rooms: string, room: string, max: number, score: number, events: string): Promise<number>;
  chatMembers(members: string, nodePrefix: string): Promise<string[]>;
  chatSummaries(rooms: string, membersPrefix: string, nodePrefix: string): Promise<(string | number)[]>;
  chatSweep(rooms: string, membersPrefix: string, nodePrefix: string): Promise<string[]>;
}

type StreamEntries = [id: string, fields: string[]][];

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const parseEntries = (entries: StreamEntries): ChatLine[] => {
  const lines: ChatLine[] = [];
  for (const [, fields] of entries) {
    const at = fields.indexOf('m');
    if (at >= 0 && fields[at + 1] !== undefined) lines.push(JSON.parse(fields[at + 1]!) as ChatLine);
  }
  return lines;
};

/**
 * The backplane of a cluster: any number of chat nodes over one Redis.
 *
 * - Each room's messages are a stream, `<prefix>log:<room>`, whose entry ids are the messages'
 *   seqs (`7-0`), trimmed to about `retention`; the seq comes from `<prefix>seq:<room>`.
 * - A message is added, deduplicated (`<prefix>dedup:<user>:<id>`, expiring) and published on
 *   `<prefix>line:<room>` in one Lua script, so seqs are published in order.
 * - A node subscribes to `<prefix>line:<room>` while it has members in the room.
 * - Presence: `<prefix>members:<room>` is a hash of node id to the JSON list of that node's
 *   members; `<prefix>node:<id>` is the node's heartbeat, a key expiring after `nodeTtl`,
 *   renewed every third of it. Entries of nodes whose key expired are ignored and swept, and the
 *   sweep tells every node of the rooms it changed.
 * - `<prefix>events` carries `{"p":room}` (presence changed) and `{"r":1}` (a room was created).
 */
export async function createRedisBackplane(listener: BackplaneListener, options: RedisBackplaneOptions): Promise<Backplane> {
  const prefix = options.prefix ?? 'chat:';
  const nodeId = options.nodeId ?? randomBytes(6).toString('hex');
  const nodeTtl = options.nodeTtl ?? DEFAULT_NODE_TTL;
  const dedupTtl = options.dedupTtl ?? DEFAULT_DEDUP_TTL;
  const now = options.now ?? Date.now;
  const keys = {
    rooms: `${prefix}rooms`,
    events: `${prefix}events`,
    seq: (room: string) => `${prefix}seq:${room}`,
    log: (room: string) => `${prefix}log:${room}`,
    line: (room: string) => `${prefix}line:${room}`,
    members: `${prefix}members:`,
    node: `${prefix}node:`,
    // The user's name is encoded, so the colon before the id cannot be part of it.
    dedup: (user: string, id: string) => `${prefix}dedup:${encodeURIComponent(user)}:${id}`,
  };
  const linePrefix = keys.line('');

  const redis = new Redis(options.url, { lazyConnect: true });
  const subscriber = new Redis(options.url, { lazyConnect: true });
  // Reported by the commands that fail; without a listener ioredis would log each one.
  redis.on('error', () => undefined);
  subscriber.on('error', () => undefined);
  redis.defineCommand('chatAppend', { numberOfKeys: 3, lua: APPEND });
  redis.defineCommand('chatEnsureRoom', { numberOfKeys: 1, lua: ENSURE_ROOM });
  redis.defineCommand('chatMembers', { numberOfKeys: 1, lua: MEMBERS });
  redis.defineCommand('chatSummaries', { numberOfKeys: 1, lua: SUMMARIES });
  redis.defineCommand('chatSweep', { numberOfKeys: 1, lua: SWEEP });
  const scripts = redis as unknown as Scripts;

  subscriber.on('message', (channel: string, payload: string) => {
    if (channel.startsWith(linePrefix)) {
      listener.line(JSON.parse(payload) as ChatLine);
      return;
    }
    const event = JSON.parse(payload) as { p?: string; r?: 1 };
    if (event.p !== undefined) listener.presence(event.p);
    if (event.r !== undefined) listener.rooms();
  });
  let readyOnce = false;
  subscriber.on('ready', () => {
    // ioredis subscribes again by itself after a reconnection; what was published meanwhile is lost.
    if (readyOnce) listener.resync();
    readyOnce = true;
  });

  let lastError: unknown;
  redis.once('error', (error) => (lastError = error));
  try {
    await Promise.all([redis.connect(), subscriber.connect()]);
    await subscriber.subscribe(keys.events);
  } catch (error) {
    // Without this, ioredis would go on retrying in the background.
    redis.disconnect();
    subscriber.disconnect();
    const reason = lastError ?? error;
    throw new Error(`Cannot reach Redis at ${options.url}: ${reason instanceof Error ? reason.message : String(reason)}`, { cause: error });
  }

  // This node's members per room, written again with every heartbeat: a node cut off from Redis
  // longer than `nodeTtl` has been swept by the others, and comes back whole.
  const local = new Map<string, string>();
  const beat = async (): Promise<void> => {
    const pipeline = redis.multi().set(keys.node + nodeId, '1', 'PX', nodeTtl);
    for (const [room, names] of local) pipeline.hset(keys.members + room, nodeId, names);
    await pipeline.exec();
    const changed = await scripts.chatSweep(keys.rooms, keys.members, keys.node);
    for (const room of changed) await redis.publish(keys.events, JSON.stringify({ p: room }));
  };
  await redis.zadd(keys.rooms, 'NX', ...DEFAULT_ROOMS.flatMap((room, at) => [at, room]));
  await beat();
  const heartbeat = setInterval(() => {
    beat().catch(() => undefined);
  }, Math.max(1, Math.floor(nodeTtl / 3)));
  heartbeat.unref();

  return {
    async ensureRoom(channel) {
      return (await scripts.chatEnsureRoom(keys.rooms, channel, options.maxRooms, now(), keys.events)) !== 0;
    },
    async summaries() {
      const flat = await scripts.chatSummaries(keys.rooms, keys.members, keys.node);
      const list: RoomSummary[] = [];
      for (let at = 0; at + 1 < flat.length; at += 2) list.push({ channel: String(flat[at]), count: Number(flat[at + 1]) });
      return list;
    },
    async append(line: NewLine) {
      const rest = JSON.stringify({ id: line.id, channel: line.channel, user: line.user, text: line.text, timestamp: line.timestamp }).slice(1);
      const seq = await scripts.chatAppend(
        keys.dedup(line.user, line.id),
        keys.seq(line.channel),
        keys.log(line.channel),
        dedupTtl,
        options.retention,
        keys.line(line.channel),
        rest,
      );
      return seq === 0 ? null : { ...line, seq };
    },
    async head(channel) {
      return Number((await redis.get(keys.seq(channel))) ?? 0);
    },
    async range(channel, after, upto) {
      if (upto <= after) return [];
      return parseEntries(await redis.xrange(keys.log(channel), `${after + 1}-0`, `${upto}-0`));
    },
    async latest(channel, count, upto) {
      if (upto <= 0 || count <= 0) return [];
      return parseEntries(await redis.xrevrange(keys.log(channel), `${upto}-0`, '-', 'COUNT', count)).reverse();
    },
    async watch(channel) {
      await subscriber.subscribe(keys.line(channel));
    },
    async unwatch(channel) {
      await subscriber.unsubscribe(keys.line(channel));
    },
    async setMembers(channel, names) {
      const pipeline = redis.multi();
      if (names.length > 0) {
        const json = JSON.stringify(names);
        local.set(channel, json);
        pipeline.hset(keys.members + channel, nodeId, json);
      } else {
        local.delete(channel);
        pipeline.hdel(keys.members + channel, nodeId);
      }
      await pipeline.publish(keys.events, JSON.stringify({ p: channel })).exec();
    },
    async members(channel) {
      const lists = await scripts.chatMembers(keys.members + channel, keys.node);
      return lists.flatMap((json) => JSON.parse(json) as string[]).sort(byName);
    },
    async close() {
      clearInterval(heartbeat);
      // A node that stops on purpose takes its members with it at once, not after `nodeTtl`.
      try {
        const pipeline = redis.multi().del(keys.node + nodeId);
        for (const room of local.keys()) pipeline.hdel(keys.members + room, nodeId).publish(keys.events, JSON.stringify({ p: room }));
        await pipeline.exec();
      } catch {
        // Redis is gone: the members go when the node key expires.
      }
      local.clear();
      subscriber.disconnect();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
