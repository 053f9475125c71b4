// What the server tests share: a raw `ws` client that records frames, and the rule for a
// missing redis-server (a notice and a skip; a failure when CI is set).
import { WebSocket } from 'ws';
import type { ChatLine, ServerFrame } from './protocol.js';
import { findRedisServer, INSTALL_REDIS } from './redis-process.js';

export const redisServer = findRedisServer();
export const hasRedis = redisServer !== null;
/** In CI a missing redis-server is a failure, not a skip. */
export const redisRequired = Boolean(process.env.CI);

/** Says, once per test file, that the Redis tests are skipped (or fail in CI) for want of redis-server. */
export function warnIfNoRedis(what: string): void {
  if (hasRedis) return;
  console.warn(`[chat] ${what} ${redisRequired ? 'FAILS (CI is set)' : 'is SKIPPED'}: no redis-server. ${INSTALL_REDIS}`);
}

/** The error a test throws in CI when there is no redis-server. */
export const noRedis = (): Error => new Error(`CI is set and there is no redis-server. ${INSTALL_REDIS}`);

/** A raw client that records every frame it receives. */
export interface Peer {
  socket: WebSocket;
  frames: ServerFrame[];
  send(frame: unknown): void;
  /** Resolves with the next frame (after those already seen) matching `type`. */
  next<K extends ServerFrame['type']>(type: K, where?: (frame: Extract<ServerFrame, { type: K }>) => boolean): Promise<Extract<ServerFrame, { type: K }>>;
  /** The `message` frames received so far. */
  lines(): ChatLine[];
  close(): void;
}

/** Opens a raw client to `url` (named through `?name=` when `name` is given, after its `welcome`). */
export async function openPeer(url: string, name?: string, sockets?: WebSocket[]): Promise<Peer> {
  const peer = await connectPeer(name === undefined ? url : `${url}?name=${encodeURIComponent(name)}`, { sockets });
  if (name !== undefined) await peer.next('welcome');
  return peer;
}

/** Opens a raw client to `url` as it is, with `headers` on the upgrade request; `sockets` collects it for clean-up. */
export async function connectPeer(url: string, options: { sockets?: WebSocket[] | undefined; headers?: Record<string, string> } = {}): Promise<Peer> {
  const socket = new WebSocket(url, { headers: options.headers ?? {} });
  options.sockets?.push(socket);
  const frames: ServerFrame[] = [];
  const waiting = new Set<() => void>();
  socket.on('message', (data) => {
    frames.push(JSON.parse((data as Buffer).toString('utf8')) as ServerFrame);
    for (const wake of waiting) wake();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  let cursor = 0;
  const peer: Peer = {
    socket,
    frames,
    send: (frame) => socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
    next: (type, where = () => true) =>
      new Promise((resolve) => {
        const look = (): void => {
          while (cursor < frames.length) {
            const frame = frames[cursor++]!;
            if (frame.type === type && where(frame as never)) {
              waiting.delete(look);
              resolve(frame as never);
              return;
            }
          }
        };
        waiting.add(look);
        look();
      }),
    lines: () => frames.flatMap((frame) => (frame.type === 'message' ? [frame] : [])),
    close: () => socket.terminate(),
  };
  return peer;
}

/** Waits until `check` holds, polling every 20 ms; rejects with `what` after `timeout` ms. */
export async function until(check: () => boolean | Promise<boolean>, what: string, timeout = 10_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
