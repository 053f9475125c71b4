import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  CLOSE_CODES,
  DEFAULT_ROOMS,
  LIMITS,
  ROOM_PATTERN,
  type ChatLine,
  type ErrorCode,
  type ErrorFrame,
  type RoomSummary,
  type ServerFrame,
} from './protocol.js';
import { createRateLimiter, type RateLimiter } from './rate-limiter.js';

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
   * one (a non-browser client) is allowed. @defaultValue the server's own `http://127.0.0.1:PORT` and `http://localhost:PORT`
   */
  allowedOrigins?: readonly string[];
  /** Frames a second per connection, and the burst allowed. @defaultValue `{ perSecond: 10, burst: 20 }` */
  rateLimit?: { perSecond: number; burst: number };
  /** Frames refused by the rate limit before the connection is closed with 1008. @defaultValue `20` */
  abuseLimit?: number;
  /** Messages kept per room and sent on join. @defaultValue `50` */
  historySize?: number;
  /** Most rooms that may exist. @defaultValue `100` */
  maxRooms?: number;
  /** Message ids remembered per user for deduplication. @defaultValue `1000` */
  dedupSize?: number;
  /** How often the server pings clients and drops those that did not answer the last ping, in ms. @defaultValue `30000` */
  keepAliveInterval?: number;
  /** The clock. @defaultValue `Date.now` */
  now?: () => number;
}

/** A running chat server. */
export interface ChatServer {
  /** `http://HOST:PORT/` */
  readonly url: string;
  /** `ws://HOST:PORT/ws` */
  readonly wsUrl: string;
  readonly port: number;
  /** Names of the members of each room (for tests and the console). */
  members(channel: string): string[];
  /**
   * The HTTP server, for tests and tools: its `upgrade` event is every WebSocket handshake that
   * reaches the server, refused ones included.
   */
  readonly http: Server;
  /** The WebSocket server, for tests and tools: its `connection` event is every socket accepted. */
  readonly wss: WebSocketServer;
  /** Stops accepting, closes every connection (1001) and resolves once closed. */
  close(): Promise<void>;
}

interface Client {
  socket: WebSocket;
  name: string | null;
  rooms: Set<string>;
  limiter: RateLimiter;
  strikes: number;
  alive: boolean;
}

interface Room {
  members: Set<Client>;
  history: ChatLine[];
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
const MAX_USERS_REMEMBERED = 10_000;
/** The longest a change of room counts waits before the room list goes out, in ms. */
const ROOMS_DELAY = 50;

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

/** Starts the chat server: the app over HTTP and the chat over a WebSocket at `/ws`. */
export async function createChatServer(options: ChatServerOptions = {}): Promise<ChatServer> {
  const now = options.now ?? Date.now;
  const { perSecond, burst } = options.rateLimit ?? { perSecond: 10, burst: 20 };
  const abuseLimit = options.abuseLimit ?? 20;
  const historySize = options.historySize ?? 50;
  const maxRooms = options.maxRooms ?? 100;
  const dedupSize = options.dedupSize ?? 1000;
  const staticDir = options.staticDir ?? null;

  const rooms = new Map<string, Room>(DEFAULT_ROOMS.map((channel) => [channel, { members: new Set(), history: [] }]));
  const clients = new Set<Client>();
  // Ids already delivered, per user name, oldest first (a Map keeps insertion order).
  const seen = new Map<string, Map<string, true>>();

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
    options.allowedOrigins ?? [`http://127.0.0.1:${port}`, `http://localhost:${port}`];

  const send = (client: Client, frame: ServerFrame): void => {
    if (client.socket.readyState === client.socket.OPEN) client.socket.send(JSON.stringify(frame));
  };
  const fail = (client: Client, code: ErrorCode, message: string, ref: Ref = {}): void => {
    send(client, { type: 'error', code, message, ...ref });
  };
  const summaries = (): RoomSummary[] => [...rooms].map(([channel, room]) => ({ channel, count: room.members.size }));
  // Joins and leaves come in bursts (a reconnect rejoins every room): the room list goes out
  // at most once per ROOMS_DELAY, not once per join, which would be quadratic in clients.
  let roomsTimer: ReturnType<typeof setTimeout> | undefined;
  const broadcastRooms = (): void => {
    roomsTimer ??= setTimeout(() => {
      roomsTimer = undefined;
      const frame: ServerFrame = { type: 'rooms', rooms: summaries() };
      for (const client of clients) if (client.name !== null) send(client, frame);
    }, ROOMS_DELAY);
  };
  const names = (room: Room): string[] => [...room.members].map((member) => member.name ?? '').sort();
  const presence = (channel: string, room: Room): void => {
    const frame: ServerFrame = { type: 'presence', channel, members: names(room) };
    for (const member of room.members) send(member, frame);
  };

  /** Names the user (from `?name=` at connect, or a `hello` frame) and welcomes them. */
  const greet = (client: Client, value: unknown): void => {
    const name = typeof value === 'string' ? value.trim() : '';
    if (name.length === 0 || name.length > LIMITS.name || CONTROL.test(name)) {
      fail(client, 'bad-name', `A name is 1 to ${LIMITS.name} printable characters`);
      return;
    }
    client.name = name;
    send(client, { type: 'welcome', name, rooms: summaries() });
  };

  const leave = (client: Client, channel: string): void => {
    const room = rooms.get(channel);
    if (!room || !client.rooms.delete(channel)) return;
    room.members.delete(client);
    presence(channel, room);
  };

  /** Takes a token for a frame; a client over the limit is told, and closed after `abuseLimit` refusals. */
  const admit = (client: Client, ref: Ref): boolean => {
    if (client.limiter.take()) return true;
    fail(client, 'rate-limited', `More than ${perSecond} frames a second`, ref);
    if (++client.strikes > abuseLimit) client.socket.close(CLOSE_CODES.abuse, 'Rate limit exceeded');
    return false;
  };

  /** The room `channel` (valid by ROOM_PATTERN), created if new; `undefined` when it is new and `maxRooms` exist. */
  const roomFor = (channel: string): Room | undefined => {
    let room = rooms.get(channel);
    if (!room && rooms.size < maxRooms) {
      room = { members: new Set(), history: [] };
      rooms.set(channel, room);
      broadcastRooms();
    }
    return room;
  };
  const tooMany = (): string => `There are already ${maxRooms} rooms`;

  const handle = (client: Client, frame: Record<string, unknown>, ref: Ref): void => {
    const { type } = frame;
    const id = typeof frame.id === 'string' ? frame.id : undefined;
    if (type === 'hello') {
      greet(client, frame.name);
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
        // An existing room is found, not refused: creating it again is harmless.
        const room = roomFor(wanted);
        if (!room) {
          fail(client, 'bad-room', tooMany(), ref);
          return;
        }
        send(client, { type: 'created', replyTo: id, room: { channel: wanted, count: room.members.size } });
        return;
      }
      case 'join': {
        if (!ROOM_PATTERN.test(channel)) {
          fail(client, 'bad-room', 'A room is room: then 1 to 32 of a-z, 0-9 and -');
          return;
        }
        // Joining still creates a room it does not know: the app's router re-joins its room
        // after a reconnection, to a restarted server that may not have it yet.
        const room = roomFor(channel);
        if (!room) {
          fail(client, 'bad-room', tooMany());
          return;
        }
        client.rooms.add(channel);
        room.members.add(client);
        send(client, { type: 'history', channel, messages: room.history });
        presence(channel, room);
        broadcastRooms();
        return;
      }
      case 'leave':
        leave(client, channel);
        broadcastRooms();
        return;
      case 'say': {
        const room = rooms.get(channel);
        if (id === undefined || id.length === 0 || id.length > LIMITS.id) {
          fail(client, 'bad-frame', `A message needs an id of 1 to ${LIMITS.id} characters`);
          return;
        }
        if (!room || !client.rooms.has(channel)) {
          fail(client, 'not-in-room', `Join ${channel} before writing to it`, ref);
          return;
        }
        const text = typeof frame.text === 'string' ? frame.text.trim() : '';
        if (text.length === 0 || text.length > LIMITS.text) {
          fail(client, 'bad-text', `A message is 1 to ${LIMITS.text} characters`, ref);
          return;
        }
        let ids = seen.get(client.name);
        if (!ids) {
          seen.set(client.name, (ids = new Map<string, true>()));
          // Bounded memory: forget the users seen longest ago.
          if (seen.size > MAX_USERS_REMEMBERED) seen.delete(seen.keys().next().value!);
        }
        if (!ids.has(id)) {
          ids.set(id, true);
          if (ids.size > dedupSize) ids.delete(ids.keys().next().value!);
          const line: ChatLine = { id, channel, user: client.name, text, timestamp: now() };
          room.history.push(line);
          if (room.history.length > historySize) room.history.shift();
          for (const member of room.members) send(member, { type: 'message', ...line });
        }
        // A duplicate (a resend after a reconnect) is acknowledged again, never delivered twice.
        send(client, { type: 'ack', id });
        return;
      }
      default:
        fail(client, 'bad-frame', `Unknown frame type ${JSON.stringify(type)}`, ref);
    }
  };

  wss.on('connection', (socket, request) => {
    const client: Client = { socket, name: null, rooms: new Set(), limiter: createRateLimiter(perSecond, burst, now), strikes: 0, alive: true };
    clients.add(client);
    // A name in the URL names the user at once, so a reconnecting client is known before its first frame.
    const name = new URL(request.url ?? '/', 'http://x').searchParams.get('name');
    if (name !== null) greet(client, name);
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
      if (!valid) fail(client, 'bad-frame', 'A frame is a JSON object with a string type');
      else handle(client, frame as Record<string, unknown>, ref);
    });
    socket.on('close', () => {
      clients.delete(client);
      for (const channel of [...client.rooms]) leave(client, channel);
      broadcastRooms();
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
  }, options.keepAliveInterval ?? 30_000);
  keepAlive.unref();

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { port, address } = http.address() as AddressInfo;

  return {
    url: `http://${address}:${port}/`,
    wsUrl: `ws://${address}:${port}/ws`,
    port,
    http,
    wss,
    members: (channel) => {
      const room = rooms.get(channel);
      return room ? names(room) : [];
    },
    async close() {
      clearInterval(keepAlive);
      clearTimeout(roomsTimer);
      for (const client of clients) client.socket.close(1001, 'Server shutting down');
      wss.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
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
