import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Backplane, BackplaneListener } from './backplane.js';
import { createMemoryBackplane } from './memory-backplane.js';
import {
  CLOSE_CODES,
  LIMITS,
  ROOM_PATTERN,
  type ChatLine,
  type ErrorCode,
  type ErrorFrame,
  type RoomSummary,
  type ServerFrame,
} from './protocol.js';
import { createRateLimiter, type RateLimiter } from './rate-limiter.js';
import { createRedisBackplane } from './redis-backplane.js';
import { Serial } from './serial.js';

/** Options of {@link createChatServer}. */
export interface ChatServerOptions {
  /** Port to listen on; `0` picks a free one. @defaultValue `0` */
  port?: number;
  /** Interface to listen on. @defaultValue `'127.0.0.1'` */
  host?: string;
  /** Folder of the built app to serve over HTTP; `null` serves nothing but the WebSocket. @defaultValue `null` */
  staticDir?: string | null;
  /**
   * Origins allowed to open the WebSocket. Browsers always send `Origin`; a request without
   * one (a non-browser client) is allowed. @defaultValue the server's own `http://127.0.0.1:PORT`
   * and `http://localhost:PORT`, and the origins of `nodes`
   */
  allowedOrigins?: readonly string[];
  /** Frames a second per connection, and the burst allowed. @defaultValue `{ perSecond: 10, burst: 20 }` */
  rateLimit?: { perSecond: number; burst: number };
  /** Frames refused by the rate limit before the connection is closed with 1008. @defaultValue `20` */
  abuseLimit?: number;
  /** Messages sent in the `history` of a join without `after`. @defaultValue `50` */
  historySize?: number;
  /**
   * Messages kept per room, for history and for replays after an offset (a replay from before
   * the oldest kept starts at the oldest: the client sees a gap). At least `historySize`.
   * @defaultValue `1000`
   */
  retention?: number;
  /** Most rooms that may exist (in the whole cluster, with `redis`). @defaultValue `100` */
  maxRooms?: number;
  /** Message ids remembered per user for deduplication, in memory (with `redis`: see `redis.dedupTtl`). @defaultValue `1000` */
  dedupSize?: number;
  /** How often the server pings clients and drops those that did not answer the last ping, in ms. @defaultValue `30000` */
  keepAliveInterval?: number;
  /**
   * Run as a node of a cluster: rooms, logs, deduplication and presence live in this Redis, and
   * every node serves every room. `null` keeps everything in this process. @defaultValue `null`
   */
  redis?: ChatRedisOptions | null;
  /**
   * The base URLs (`http://host:port/`) of every node of the cluster, this one included: sent
   * in `welcome` (as WebSocket URLs) for clients to move to another node when theirs goes away,
   * and their origins are allowed (a page one node served connects to the others).
   * @defaultValue `[]`
   */
  nodes?: readonly string[];
  /** The clock. @defaultValue `Date.now` */
  now?: () => number;
}

/** The Redis of a cluster node (`ChatServerOptions.redis`). */
export interface ChatRedisOptions {
  /** `redis://host:port`. */
  url: string;
  /** How long a message id is remembered for deduplication, in seconds. @defaultValue `86400` */
  dedupTtl?: number;
  /**
   * How long a node counts as alive after its last heartbeat, in ms: the members of a node that
   * dies leave every room within 4/3 of it. @defaultValue `10000`
   */
  nodeTtl?: number;
  /** The node's id. @defaultValue random */
  nodeId?: string;
  /** Prefix of every key and pub/sub channel in Redis. @defaultValue `'chat:'` */
  prefix?: string;
}

/** A running chat server. */
export interface ChatServer {
  /** `http://HOST:PORT/` */
  readonly url: string;
  /** `ws://HOST:PORT/ws` */
  readonly wsUrl: string;
  readonly port: number;
  /** Names of this server's own members of each room (for tests and the console). */
  members(channel: string): string[];
  /**
   * The HTTP server, for tests and tools: its `upgrade` event is every WebSocket handshake that
   * reaches the server, refused ones included.
   */
  readonly http: Server;
  /** The WebSocket server, for tests and tools: its `connection` event is every socket accepted. */
  readonly wss: WebSocketServer;
  /** Stops accepting, closes every connection (1001), leaves the cluster, and resolves once closed. */
  close(): Promise<void>;
}

interface Client {
  socket: WebSocket;
  name: string | null;
  /** The rooms the client has joined (or is joining): a `say` to them is accepted. */
  rooms: Set<string>;
  limiter: RateLimiter;
  strikes: number;
  alive: boolean;
  closed: boolean;
  /** The client's frames, handled one at a time. */
  frames: Serial;
}

/**
 * A room with members on this node. Its queue orders everything that sends the room's messages:
 * joins (history or replay) and new messages, so each member gets every `seq` once, in order.
 */
interface Room {
  channel: string;
  members: Set<Client>;
  /** The last seq sent to the members; a join is served up to it, newer messages come live. */
  head: number;
  queue: Serial;
  /** Joins waiting in the queue. */
  pending: number;
  /** Watching failed: joins are refused until a new join makes a new room. */
  broken: boolean;
  presenceBusy: boolean;
  presenceAgain: boolean;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;
/** The longest a change of room counts waits before the room list goes out, in ms. */
const ROOMS_DELAY = 50;
/** Defaults of {@link ChatServerOptions}. */
export const CHAT_SERVER_DEFAULTS = { historySize: 50, retention: 1000, maxRooms: 100, dedupSize: 1000, keepAliveInterval: 30_000 } as const;

/** What an `error` frame points at: the refused `say` (`id`) or the refused request (`replyTo`). */
type Ref = Pick<ErrorFrame, 'id' | 'replyTo'>;

/**
 * The reference an error about `frame` carries: a `create` is a request, so its error is its
 * reply (`replyTo`); any other frame with a string id gets it back as `id` (a `say`).
 */
const refOf = (frame: Record<string, unknown>): Ref => {
  if (typeof frame.id !== 'string') return {};
  return frame.type === 'create' ? { replyTo: frame.id } : { id: frame.id };
};

const UNAVAILABLE = 'The chat cannot reach its store right now; try again';

/** The origin (`http://host:port`) of a base URL; throws a clear error for one that is not a URL. */
const originOf = (base: string): string => {
  try {
    return new URL(base).origin;
  } catch {
    throw new TypeError(`nodes: ${JSON.stringify(base)} is not a URL (expected http://host:port/)`);
  }
};
const wsUrlOf = (base: string): string => {
  const url = new URL('ws', base);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
};

/**
 * Starts the chat server: the app over HTTP and the chat over a WebSocket at `/ws`. Alone, or
 * as one node of a cluster over Redis (`redis`). Rejects when the port is taken or Redis
 * cannot be reached.
 */
export async function createChatServer(options: ChatServerOptions = {}): Promise<ChatServer> {
  const now = options.now ?? Date.now;
  const { perSecond, burst } = options.rateLimit ?? { perSecond: 10, burst: 20 };
  const abuseLimit = options.abuseLimit ?? 20;
  const historySize = options.historySize ?? CHAT_SERVER_DEFAULTS.historySize;
  const retention = Math.max(options.retention ?? CHAT_SERVER_DEFAULTS.retention, historySize);
  const maxRooms = options.maxRooms ?? CHAT_SERVER_DEFAULTS.maxRooms;
  const staticDir = options.staticDir ?? null;
  const nodes = options.nodes ?? [];
  const nodeOrigins = nodes.map(originOf);
  const nodeUrls = nodes.map(wsUrlOf);

  const rooms = new Map<string, Room>();
  const clients = new Set<Client>();

  const listener: BackplaneListener = {
    line(line) {
      const room = rooms.get(line.channel);
      if (room) room.queue.run(() => deliver(room, line));
    },
    presence(channel) {
      const room = rooms.get(channel);
      if (room && room.members.size > 0) refreshPresence(room);
      broadcastRooms();
    },
    rooms: () => broadcastRooms(),
    resync() {
      for (const room of rooms.values()) room.queue.run(() => catchUp(room));
      broadcastRooms();
    },
  };
  const backplane: Backplane = options.redis
    ? await createRedisBackplane(listener, { ...options.redis, maxRooms, retention, now })
    : createMemoryBackplane(listener, { maxRooms, retention, dedupSize: options.dedupSize ?? CHAT_SERVER_DEFAULTS.dedupSize });

  const http = createServer((request, response) => {
    serveStatic(staticDir, request, response);
  });
  const wss = new WebSocketServer({
    server: http,
    path: '/ws',
    maxPayload: LIMITS.payload,
    verifyClient: ({ origin }: { origin?: string }, done: (ok: boolean, status?: number, message?: string) => void) => {
      if (origin === undefined || origin === '' || allowed().includes(origin)) done(true);
      else done(false, 403, 'Origin not allowed');
    },
  });

  const allowed = (): readonly string[] =>
    options.allowedOrigins ?? [`http://127.0.0.1:${port}`, `http://localhost:${port}`, ...nodeOrigins];

  const sendRaw = (client: Client, data: string): void => {
    if (client.socket.readyState === client.socket.OPEN) client.socket.send(data);
  };
  const send = (client: Client, frame: ServerFrame): void => sendRaw(client, JSON.stringify(frame));
  const fail = (client: Client, code: ErrorCode, message: string, ref: Pick<ErrorFrame, 'id' | 'replyTo' | 'channel'> = {}): void => {
    send(client, { type: 'error', code, message, ...ref });
  };
  // Joins and leaves come in bursts (a reconnect rejoins every room): the room list goes out
  // at most once per ROOMS_DELAY, not once per join, which would be quadratic in clients.
  let roomsTimer: ReturnType<typeof setTimeout> | undefined;
  const broadcastRooms = (): void => {
    roomsTimer ??= setTimeout(() => {
      roomsTimer = undefined;
      backplane.summaries().then(
        (list) => {
          const data = JSON.stringify({ type: 'rooms', rooms: list } satisfies ServerFrame);
          for (const client of clients) if (client.name !== null) sendRaw(client, data);
        },
        // Unreachable: the next change sends the list again.
        () => undefined,
      );
    }, ROOMS_DELAY);
  };
  const localNames = (room: Room): string[] => [...room.members].map((member) => member.name ?? '');

  /** Sends the room's presence to its members here; one read at a time, once more if it changed meanwhile. */
  const refreshPresence = (room: Room): void => {
    if (room.presenceBusy) {
      room.presenceAgain = true;
      return;
    }
    room.presenceBusy = true;
    backplane
      .members(room.channel)
      .then(
        (members) => {
          const data = JSON.stringify({ type: 'presence', channel: room.channel, members } satisfies ServerFrame);
          for (const member of room.members) sendRaw(member, data);
        },
        () => undefined,
      )
      .finally(() => {
        room.presenceBusy = false;
        if (room.presenceAgain && room.members.size > 0) {
          room.presenceAgain = false;
          refreshPresence(room);
        }
      });
  };
  const publishMembers = (room: Room): void => {
    backplane.setMembers(room.channel, localNames(room)).catch(() => undefined);
  };

  /** Sends `lines` to the room's members (each serialized once) and moves the room's head. */
  const sendLines = (room: Room, lines: readonly ChatLine[]): void => {
    for (const line of lines) {
      if (line.seq <= room.head) continue;
      const data = JSON.stringify({ type: 'message', ...line } satisfies ServerFrame);
      for (const member of room.members) sendRaw(member, data);
      room.head = line.seq;
    }
  };
  /** A new message of the room: sent once, in order; a jump (messages the fan-out lost) is filled from the log first. */
  const deliver = async (room: Room, line: ChatLine): Promise<void> => {
    if (line.seq <= room.head) return;
    if (line.seq > room.head + 1) sendLines(room, await backplane.range(room.channel, room.head, line.seq - 1));
    sendLines(room, [line]);
  };
  /** After the fan-out was down: sends what the log has beyond the room's head. */
  const catchUp = async (room: Room): Promise<void> => {
    const head = await backplane.head(room.channel);
    if (head > room.head) sendLines(room, await backplane.range(room.channel, room.head, head));
  };

  /** The local room of `channel`, made (and watched) if this node has none. */
  const localRoom = (channel: string): Room => {
    const found = rooms.get(channel);
    if (found) return found;
    const made: Room = {
      channel,
      members: new Set(),
      head: 0,
      queue: new Serial(() => undefined),
      pending: 0,
      broken: false,
      presenceBusy: false,
      presenceAgain: false,
    };
    rooms.set(channel, made);
    made.queue.run(async () => {
      try {
        await backplane.watch(channel);
        // Watching first: every message after this head comes live; those up to it are in the log.
        made.head = await backplane.head(channel);
      } catch {
        made.broken = true;
        if (rooms.get(channel) === made) rooms.delete(channel);
        backplane.unwatch(channel).catch(() => undefined);
      }
    });
    return made;
  };
  /** Forgets a room with no members and no joins waiting (after those already queued). */
  const dropIfEmpty = (room: Room): void => {
    if (room.members.size > 0 || room.pending > 0) return;
    room.queue.run(async () => {
      if (room.members.size > 0 || room.pending > 0 || rooms.get(room.channel) !== room) return;
      rooms.delete(room.channel);
      await backplane.unwatch(room.channel);
    });
  };

  /** Names the user (from `?name=` at connect, or a `hello` frame) and welcomes them. */
  const greet = async (client: Client, value: unknown): Promise<void> => {
    const name = typeof value === 'string' ? value.trim() : '';
    if (name.length === 0 || name.length > LIMITS.name || CONTROL.test(name)) {
      fail(client, 'bad-name', `A name is 1 to ${LIMITS.name} printable characters`);
      return;
    }
    client.name = name;
    let list: RoomSummary[];
    try {
      list = await backplane.summaries();
    } catch {
      list = [];
    }
    send(client, nodeUrls.length > 0 ? { type: 'welcome', name, rooms: list, nodes: nodeUrls } : { type: 'welcome', name, rooms: list });
  };

  const join = async (client: Client, channel: string, after: number | undefined): Promise<void> => {
    // Joining still creates a room it does not know: the app's router re-joins its room
    // after a reconnection, to a restarted server that may not have it yet.
    if (!(await backplane.ensureRoom(channel))) {
      fail(client, 'bad-room', tooMany());
      return;
    }
    client.rooms.add(channel);
    const room = localRoom(channel);
    room.pending++;
    room.queue.run(async () => {
      try {
        if (client.closed || !client.rooms.has(channel)) return;
        if (room.broken) {
          client.rooms.delete(channel);
          fail(client, 'unavailable', UNAVAILABLE, { channel });
          return;
        }
        const stale = after !== undefined && after > room.head;
        try {
          if (stale) {
            // The client saw messages this room's log never had: the log was lost (a restarted
            // single server, an emptied Redis). Nothing to replay; it is told to start afresh
            // (leave, then join without `after`). It is in the room meanwhile: the messages its
            // queue re-sends right after the join are taken, not refused.
            fail(client, 'stale-offset', `${channel} has no message ${after}: its log was lost; join again without after`, { channel });
          } else if (after === undefined) {
            const messages = await backplane.latest(channel, historySize, room.head);
            send(client, { type: 'history', channel, seq: room.head, messages });
          } else {
            for (const line of await backplane.range(channel, after, room.head)) send(client, { type: 'message', ...line });
          }
        } catch {
          client.rooms.delete(channel);
          fail(client, 'unavailable', UNAVAILABLE, { channel });
          return;
        }
        if (client.closed || !client.rooms.has(channel)) return;
        room.members.add(client);
        publishMembers(room);
      } finally {
        room.pending--;
        dropIfEmpty(room);
      }
    });
  };

  const leave = (client: Client, channel: string): void => {
    if (!client.rooms.delete(channel)) return;
    const room = rooms.get(channel);
    if (!room?.members.delete(client)) return;
    publishMembers(room);
    dropIfEmpty(room);
  };

  /** Takes a token for a frame; a client over the limit is told, and closed after `abuseLimit` refusals. */
  const admit = (client: Client, ref: Ref): boolean => {
    if (client.limiter.take()) return true;
    // Through the client's queue, so that replies keep the order of the frames they answer.
    const closing = ++client.strikes > abuseLimit;
    client.frames.run(() => {
      fail(client, 'rate-limited', `More than ${perSecond} frames a second`, ref);
      if (closing) client.socket.close(CLOSE_CODES.abuse, 'Rate limit exceeded');
    });
    return false;
  };

  const tooMany = (): string => `There are already ${maxRooms} rooms`;

  const handle = async (client: Client, frame: Record<string, unknown>, ref: Ref): Promise<void> => {
    const { type } = frame;
    const id = typeof frame.id === 'string' ? frame.id : undefined;
    if (type === 'hello') {
      await greet(client, frame.name);
      return;
    }
    if (client.name === null) {
      fail(client, 'not-named', 'Say hello with a name first', ref);
      return;
    }
    const channel = typeof frame.channel === 'string' ? frame.channel : '';
    switch (type) {
      case 'create': {
        // A request: every answer, error or not, carries its id as `replyTo`.
        if (id === undefined || id.length === 0 || id.length > LIMITS.id) {
          fail(client, 'bad-frame', `A create needs an id of 1 to ${LIMITS.id} characters`);
          return;
        }
        const name = typeof frame.name === 'string' ? frame.name : '';
        const wanted = `room:${name}`;
        if (!ROOM_PATTERN.test(wanted)) {
          fail(client, 'bad-room', 'A room name is 1 to 32 of a-z, 0-9 and -', ref);
          return;
        }
        try {
          // An existing room is found, not refused: creating it again is harmless.
          if (!(await backplane.ensureRoom(wanted))) {
            fail(client, 'bad-room', tooMany(), ref);
            return;
          }
          const count = (await backplane.members(wanted)).length;
          send(client, { type: 'created', replyTo: id, room: { channel: wanted, count } });
        } catch {
          fail(client, 'unavailable', UNAVAILABLE, ref);
        }
        return;
      }
      case 'join': {
        if (!ROOM_PATTERN.test(channel)) {
          fail(client, 'bad-room', 'A room is room: then 1 to 32 of a-z, 0-9 and -');
          return;
        }
        const after = frame.after ?? undefined;
        if (after !== undefined && !(typeof after === 'number' && Number.isSafeInteger(after) && after >= 0)) {
          fail(client, 'bad-frame', 'after is the last seq seen: an integer, 0 or more', { channel });
          return;
        }
        try {
          await join(client, channel, after);
        } catch {
          fail(client, 'unavailable', UNAVAILABLE, { channel });
        }
        return;
      }
      case 'leave':
        leave(client, channel);
        return;
      case 'say': {
        if (id === undefined || id.length === 0 || id.length > LIMITS.id) {
          fail(client, 'bad-frame', `A message needs an id of 1 to ${LIMITS.id} characters`);
          return;
        }
        if (!client.rooms.has(channel)) {
          fail(client, 'not-in-room', `Join ${channel} before writing to it`, ref);
          return;
        }
        const text = typeof frame.text === 'string' ? frame.text.trim() : '';
        if (text.length === 0 || text.length > LIMITS.text) {
          fail(client, 'bad-text', `A message is 1 to ${LIMITS.text} characters`, ref);
          return;
        }
        try {
          // `null`: a duplicate (a resend after a reconnect), acknowledged again, never delivered twice.
          await backplane.append({ id, channel, user: client.name, text, timestamp: now() });
        } catch {
          // Not stored: the app marks the message failed, with a Retry (same id).
          fail(client, 'unavailable', UNAVAILABLE, ref);
          return;
        }
        send(client, { type: 'ack', id });
        return;
      }
      default:
        fail(client, 'bad-frame', `Unknown frame type ${JSON.stringify(type)}`, ref);
    }
  };

  wss.on('connection', (socket, request) => {
    const client: Client = {
      socket,
      name: null,
      rooms: new Set(),
      limiter: createRateLimiter(perSecond, burst, now),
      strikes: 0,
      alive: true,
      closed: false,
      frames: new Serial(() => fail(client, 'unavailable', UNAVAILABLE)),
    };
    clients.add(client);
    // A name in the URL names the user at once, so a reconnecting client is known before its first frame.
    const name = new URL(request.url ?? '/', 'http://x').searchParams.get('name');
    if (name !== null) client.frames.run(() => greet(client, name));
    socket.on('pong', () => {
      client.alive = true;
    });
    socket.on('message', (data, isBinary) => {
      let frame: unknown;
      try {
        frame = isBinary ? undefined : JSON.parse((data as Buffer).toString('utf8'));
      } catch {
        frame = undefined;
      }
      const valid = typeof frame === 'object' && frame !== null && !Array.isArray(frame) && typeof (frame as { type?: unknown }).type === 'string';
      // Heartbeat pings are never rate limited; every other frame, malformed ones included, is.
      if (valid && (frame as { type: string }).type === 'ping') {
        send(client, { type: 'pong' });
        return;
      }
      const ref = valid ? refOf(frame as Record<string, unknown>) : {};
      if (!admit(client, ref)) return;
      if (!valid) client.frames.run(() => fail(client, 'bad-frame', 'A frame is a JSON object with a string type'));
      else client.frames.run(() => handle(client, frame as Record<string, unknown>, ref));
    });
    socket.on('close', () => {
      client.closed = true;
      clients.delete(client);
      for (const channel of [...client.rooms]) leave(client, channel);
    });
    socket.on('error', () => undefined);
  });

  const keepAlive = setInterval(() => {
    for (const client of clients) {
      if (!client.alive) client.socket.terminate();
      else {
        client.alive = false;
        client.socket.ping();
      }
    }
  }, options.keepAliveInterval ?? CHAT_SERVER_DEFAULTS.keepAliveInterval);
  keepAlive.unref();

  try {
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
    });
  } catch (error) {
    clearInterval(keepAlive);
    await backplane.close();
    throw error;
  }
  const { port, address } = http.address() as AddressInfo;

  return {
    url: `http://${address}:${port}/`,
    wsUrl: `ws://${address}:${port}/ws`,
    port,
    http,
    wss,
    members: (channel) => {
      const room = rooms.get(channel);
      return room ? localNames(room).sort() : [];
    },
    async close() {
      clearInterval(keepAlive);
      clearTimeout(roomsTimer);
      for (const client of clients) client.socket.close(1001, 'Server shutting down');
      wss.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await backplane.close();
    },
  };
}

function serveStatic(dir: string | null, request: IncomingMessage, response: ServerResponse): void {
  if (dir === null || (request.method !== 'GET' && request.method !== 'HEAD')) {
    response.writeHead(dir === null ? 404 : 405).end();
    return;
  }
  const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
  let file = normalize(join(dir, path));
  if (!file.startsWith(normalize(dir + sep)) && file !== normalize(dir)) {
    response.writeHead(403).end();
    return;
  }
  try {
    if (statSync(file).isDirectory()) file = join(file, 'index.html');
    statSync(file);
  } catch {
    // The app routes on the client: unknown paths get the app.
    file = join(dir, 'index.html');
  }
  response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
  if (request.method === 'HEAD') response.end();
  else createReadStream(file).on('error', () => response.destroy()).pipe(response);
}
