import { connect, createServer, type Socket } from 'node:net';
import { listen, LOOPBACK_HOST, stopListening } from './listen.js';

/** Options of {@link startFaultProxy}. */
export interface FaultProxyOptions {
  /**
   * The server to forward to: a `ws://host:port` URL (its path and query are kept in the
   * proxy's `url`), or a port on 127.0.0.1.
   */
  target: string | number;
}

/** A running fault-injecting TCP proxy; see {@link startFaultProxy}. */
export interface FaultProxy {
  /** `ws://127.0.0.1:PORT` plus the target URL's path and query: give it to the client under test. */
  readonly url: string;
  /** The port it listens on; the same after `restoreListener()`. */
  readonly port: number;
  /** Proxied connections with at least one side still open. */
  readonly connections: number;
  /** Chunks of bytes held by `delay()` right now, in both directions. */
  readonly pending: number;
  /**
   * Bytes thrown away because of `blackhole()` since the start: those that arrived during a
   * blackhole, and those `delay()` held when it began. Wait on it to know that bytes sent
   * were lost rather than still on their way.
   */
  readonly discarded: number;
  /** Whether it accepts connections (false after `cut()` or `stop()`). */
  readonly listening: boolean;
  /**
   * Destroys every proxied connection abruptly, on both sides, without a WebSocket Close
   * frame: clients and server see code 1006. New connections are proxied as before.
   */
  drop(): void;
  /**
   * Stops forwarding bytes in both directions while keeping the TCP connections open: neither
   * side learns anything, not even a close of the other side (a half-open connection that
   * only a heartbeat can reveal). Connections accepted while it is set get no bytes through
   * either and never reach the target. Bytes held by `delay()` are discarded.
   */
  blackhole(): void;
  /**
   * Forwards again after `blackhole()`. Bytes that arrived during the blackhole are discarded,
   * never delivered late. Connections that cannot work any more (one side closed, or accepted
   * during the blackhole so their opening bytes were lost) are destroyed; the others carry on.
   * Does not change `delay()`.
   */
  restore(): void;
  /**
   * Holds every chunk `ms` milliseconds before forwarding it, in both directions, keeping
   * the order of each direction. `delay(0)` stops delaying new chunks; chunks already held
   * keep their time, and newer ones never overtake them.
   * @throws RangeError when `ms` is negative or not finite
   */
  delay(ms: number): void;
  /**
   * Stops listening, so new connections are refused (`ECONNREFUSED`), and drops the existing
   * ones as `drop()` does.
   * @returns a promise that resolves once the listener is closed
   */
  cut(): Promise<void>;
  /**
   * Listens again on the same port after `cut()`; does nothing when listening.
   * @returns a promise that resolves once listening; rejects (`EADDRINUSE`) when something
   * else took the port meanwhile
   */
  restoreListener(): Promise<void>;
  /**
   * Drops every connection, clears every timer and fault, stops listening, and resolves once
   * closed. Calling it again resolves at once.
   */
  stop(): Promise<void>;
}

/** Bytes held by `delay()`, with the time (`performance.now()`) they may go. */
interface Chunk {
  readonly data: Buffer;
  readonly due: number;
}

/** One direction of a proxied connection. */
interface Pipe {
  readonly to: Socket;
  chunks: Chunk[];
  timer: ReturnType<typeof setTimeout> | null;
  /** The sending side ended its writes: end `to` once the held chunks are written. */
  ending: boolean;
}

/** A proxied connection: the client's socket, the one to the target, and a pipe each way. */
interface Link {
  readonly client: Socket;
  /** `null` for connections accepted during a blackhole, which never reach the target. */
  readonly upstream: Socket | null;
  /** Client to target, then target to client; empty without an upstream. */
  readonly pipes: readonly Pipe[];
  /** Sides not yet closed. */
  open: number;
  /**
   * Something was lost during a blackhole that the connection cannot recover from (a close,
   * an end, its opening bytes): `restore()` destroys it.
   */
  broken: boolean;
}

/** Where `target` points: host and port. */
function parseTarget(target: string | number): { host: string; port: number; path: string } {
  if (typeof target === 'number') {
    if (!Number.isInteger(target) || target < 1 || target > 65_535) {
      throw new RangeError(`startFaultProxy: target port must be an integer from 1 to 65535, got ${target}`);
    }
    return { host: LOOPBACK_HOST, port: target, path: '' };
  }
  const url = new URL(target);
  if (url.protocol !== 'ws:') throw new TypeError(`startFaultProxy: target must be a ws:// URL or a port, got ${target}`);
  const path = url.pathname === '/' && url.search === '' ? '' : `${url.pathname}${url.search}`;
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port === '' ? 80 : Number(url.port), path };
}

const ignore = (): void => undefined;

/**
 * Starts a TCP proxy on 127.0.0.1, on a free port, in front of a WebSocket server, that
 * forwards bytes both ways and injects network faults on demand: abrupt drops, a blackhole
 * (half-open connections), delays, and a listener that goes away and comes back. It works at
 * the TCP level, so any client and server speak through it unchanged. It uses real timers
 * (for `delay()`); `stop()` clears them. Node only.
 *
 * @returns a promise of the running {@link FaultProxy}
 * @throws RangeError or TypeError (as a rejection) for a `target` that is not a port or a
 * `ws://` URL
 * @example
 * ```ts
 * const server = await startTestServer();
 * const proxy = await startFaultProxy({ target: server.url });
 * await client.connect(proxy.url);
 * proxy.blackhole(); // only a heartbeat notices now
 * ```
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = parseTarget(options.target);
  const links = new Set<Link>();
  let blackholed = false;
  let delayMs = 0;
  let discarded = 0;

  const clearPipe = (pipe: Pipe): void => {
    if (pipe.timer !== null) clearTimeout(pipe.timer);
    pipe.timer = null;
    pipe.chunks = [];
  };

  const flush = (pipe: Pipe): void => {
    const now = performance.now();
    while (pipe.chunks[0] !== undefined && pipe.chunks[0].due <= now) {
      const { data } = pipe.chunks.shift()!;
      if (!pipe.to.destroyed) pipe.to.write(data);
    }
    if (pipe.chunks.length > 0) schedule(pipe);
    else if (pipe.ending && !pipe.to.destroyed) pipe.to.end();
  };

  // One timer per direction, for the oldest held chunk, so chunks leave in the order they came.
  function schedule(pipe: Pipe): void {
    const head = pipe.chunks[0];
    if (pipe.timer !== null || head === undefined) return;
    pipe.timer = setTimeout(
      () => {
        pipe.timer = null;
        flush(pipe);
      },
      Math.max(0, head.due - performance.now()),
    );
  }

  const destroyLink = (link: Link): void => {
    links.delete(link);
    for (const pipe of link.pipes) clearPipe(pipe);
    link.client.destroy();
    link.upstream?.destroy();
  };

  /** Forwards what `from` sends through `out`, under the faults in force; `back` is the pipe towards `from`. */
  const wire = (link: Link, from: Socket, out: Pipe, back: Pipe): void => {
    from.on('data', (data: Buffer) => {
      if (blackholed || link.broken) {
        discarded += data.length;
        return;
      }
      if (delayMs === 0 && out.chunks.length === 0) {
        if (!out.to.destroyed) out.to.write(data);
        return;
      }
      out.chunks.push({ data, due: performance.now() + delayMs });
      schedule(out);
    });
    from.on('end', () => {
      // During a blackhole the other side must not learn of it, and cannot later either.
      if (blackholed || link.broken) {
        link.broken = true;
        return;
      }
      out.ending = true;
      if (out.chunks.length === 0) flush(out);
    });
    from.on('close', () => {
      clearPipe(back); // nothing can reach `from` any more
      if (blackholed || link.broken) link.broken = true;
      // Closed without ending its writes (reset or destroyed): the other side goes too. After a
      // clean end, the other side is ended once the held chunks are written, and closes itself.
      else if (!out.ending) {
        clearPipe(out);
        out.to.destroy();
      }
      link.open -= 1;
      if (link.open === 0) links.delete(link);
    });
  };

  const newPipe = (to: Socket): Pipe => ({ to, chunks: [], timer: null, ending: false });

  const server = createServer({ allowHalfOpen: true }, (client) => {
    // Resets are how connections end under faults; the peers see them as closes.
    client.on('error', ignore);
    if (blackholed) {
      const link: Link = { client, upstream: null, pipes: [], open: 1, broken: true };
      links.add(link);
      // Read and discard, as the network would; reading also lets a close from the client be seen.
      client.on('data', (data: Buffer) => {
        discarded += data.length;
      });
      client.on('close', () => links.delete(link));
      return;
    }
    const upstream = connect({ host: target.host, port: target.port, allowHalfOpen: true });
    upstream.on('error', ignore);
    const up = newPipe(upstream);
    const down = newPipe(client);
    const link: Link = { client, upstream, pipes: [up, down], open: 2, broken: false };
    links.add(link);
    wire(link, client, up, down);
    wire(link, upstream, down, up);
  });

  const port = await listen(server, 0);

  const dropAll = (): void => {
    for (const link of [...links]) destroyLink(link);
  };

  const proxy: FaultProxy = {
    url: `ws://${LOOPBACK_HOST}:${port}${target.path}`,
    port,
    get connections() {
      return links.size;
    },
    get pending() {
      let count = 0;
      for (const link of links) for (const pipe of link.pipes) count += pipe.chunks.length;
      return count;
    },
    get discarded() {
      return discarded;
    },
    get listening() {
      return server.listening;
    },
    drop: dropAll,
    blackhole() {
      blackholed = true;
      for (const link of links) {
        for (const pipe of link.pipes) {
          // An end still held behind delayed bytes is lost with them.
          if (pipe.ending && pipe.chunks.length > 0) link.broken = true;
          for (const chunk of pipe.chunks) discarded += chunk.data.length;
          clearPipe(pipe);
        }
      }
    },
    restore() {
      blackholed = false;
      for (const link of [...links]) if (link.broken) destroyLink(link);
    },
    delay(ms) {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`delay: ms must be a finite number >= 0, got ${ms}`);
      delayMs = ms;
    },
    async cut() {
      const closing = stopListening(server);
      dropAll();
      await closing;
    },
    async restoreListener() {
      if (server.listening) return;
      await listen(server, port);
    },
    async stop() {
      blackholed = false;
      delayMs = 0;
      await proxy.cut();
    },
  };
  return proxy;
}
