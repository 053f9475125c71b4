import { createServer, STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { listen, LOOPBACK_HOST, stopListening } from './listen.js';
import { createWaiters } from './waiters.js';

/** A frame as the test server sees it: a string for a text frame, a `Buffer` for a binary one. */
export type TestFrame = string | Buffer;

/** One frame the test server received, with the server-side socket it came from. */
export interface ReceivedFrame {
  /** The payload: a string for a text frame (decoded as UTF-8), a `Buffer` for a binary one. */
  readonly data: TestFrame;
  /** The server-side socket of the client that sent it. */
  readonly client: WebSocket;
}

/**
 * Scripts the test server's answers: called for every frame received, returns what to send
 * back to that client. A string goes out as a text frame, a `Buffer` as a binary frame, an
 * array as several frames in order, `undefined` as nothing.
 */
export type TestServerReply = (data: TestFrame, client: WebSocket) => TestFrame | readonly TestFrame[] | undefined;

/** Options of {@link startTestServer}. */
export interface TestServerOptions {
  /**
   * The port to listen on, on 127.0.0.1.
   * @defaultValue `0`: the system picks a free port (read it from `port`)
   */
  port?: number;
  /**
   * Answers every frame received. Without it the server echoes each frame back to its
   * sender, text as text and binary as binary. `() => undefined` makes a server that only
   * records. An exception thrown here is not caught: the test runner reports it.
   * @defaultValue echo
   */
  reply?: TestServerReply;
  /**
   * Picks the subprotocol from those the client asked for (`ws`'s `handleProtocols`): return
   * one of them, or `false` to accept without a subprotocol.
   * @defaultValue the first one asked for
   */
  handleProtocols?: (protocols: Set<string>, request: IncomingMessage) => string | false;
  /**
   * Called for every accepted connection, after the server started recording and answering
   * its frames and before `nextConnection()` resolves. Attach your own listeners here.
   */
  onConnection?: (client: WebSocket, request: IncomingMessage) => void;
}

/** A running loopback WebSocket server; see {@link startTestServer}. */
export interface TestServer {
  /** `ws://127.0.0.1:PORT`, to give to the client under test. */
  readonly url: string;
  /** The port it listens on; the same after `restart()`. */
  readonly port: number;
  /** The server-side sockets of the clients connected now (a live set: closed ones leave it). */
  readonly clients: ReadonlySet<WebSocket>;
  /** Every frame received since the start, oldest first (the same array for the server's life). */
  readonly received: ReceivedFrame[];
  /**
   * Errors reported by server-side sockets (a client that resets the connection, an invalid
   * frame), oldest first. They never crash the test run; assert on them when it matters.
   */
  readonly errors: Error[];
  /**
   * Sends `data` to every connected client: a string as a text frame, a `Buffer` as a binary
   * one.
   * @returns the number of clients it was sent to
   */
  broadcast(data: TestFrame): number;
  /**
   * Closes every connection cleanly from the server side: a Close frame with `code` and
   * `reason`, which the client sees with `wasClean: true`.
   * @param code - a code a server may send (1000–1003, 1007–1014, 3000–4999); default `1000`
   * @param reason - at most 123 UTF-8 bytes; default `''`
   * @returns a promise that resolves once every socket has closed (a client that never answers
   * the Close frame is dropped by `ws` after 30 s); rejects with `ws`'s `TypeError` or
   * `RangeError` for a code or reason it refuses, before closing anything
   */
  closeAll(code?: number, reason?: string): Promise<void>;
  /**
   * Drops every connection abruptly, without a Close frame: clients see code 1006 and
   * `wasClean: false`.
   * @returns a promise that resolves once every socket has closed
   */
  terminateAll(): Promise<void>;
  /**
   * From now on, answers every WebSocket upgrade with this HTTP status and closes the
   * connection, so clients fail to connect (`ws` reports "Unexpected server response").
   * Open connections stay open. Stays in force across `restart()` until `acceptUpgrades()`.
   * @param status - an HTTP status from 200 to 599; default {@link DEFAULT_REFUSE_STATUS} (503)
   * @throws RangeError for any other status
   */
  refuseUpgrades(status?: number): void;
  /** Accepts upgrades again after `refuseUpgrades()`. */
  acceptUpgrades(): void;
  /**
   * A promise of the next connection accepted after this call (connections made before it
   * are not considered: call it before the client connects). Resolves with the server-side
   * socket; never rejects, and stays pending across `stop()` and `restart()`.
   */
  nextConnection(): Promise<WebSocket>;
  /**
   * A promise of the next frame received after this call, from any client (call it before
   * the client sends). Never rejects, and stays pending across `stop()` and `restart()`.
   */
  nextMessage(): Promise<ReceivedFrame>;
  /**
   * Drops every connection abruptly (as `terminateAll()`), stops listening, and resolves once
   * the server has closed. Calling it again, or on a stopped server, resolves at once.
   */
  stop(): Promise<void>;
  /**
   * Listens again on the same port, with the same options (and the same `received`,
   * `errors` and upgrade refusal). A running server is stopped first.
   * @returns a promise that resolves once listening; rejects (`EADDRINUSE`) when something
   * else took the port meanwhile
   */
  restart(): Promise<void>;
}

/** The HTTP status `refuseUpgrades()` answers with by default: 503 Service Unavailable. */
export const DEFAULT_REFUSE_STATUS = 503;

/** What `ws` hands to `message` listeners, as a single `Buffer`. */
function toBuffer(raw: RawData): Buffer {
  if (Buffer.isBuffer(raw)) return raw;
  return Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw);
}

/** Answers an upgrade with `status` and closes the connection, as `ws` does when it rejects one. */
function refuse(socket: Duplex, status: number): void {
  const text = STATUS_CODES[status] ?? 'Unknown';
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n\r\n`);
}

/** Resolves once `client` has emitted `close` (at once if it already has). */
function whenClosed(client: WebSocket): Promise<void> {
  return new Promise((resolve) => {
    if (client.readyState === WebSocket.CLOSED) resolve();
    else client.once('close', () => resolve());
  });
}

/**
 * Starts a real `ws` WebSocket server on 127.0.0.1, on a free port unless `options.port` says
 * otherwise. It echoes every frame by default, records everything it receives, and lets the
 * test close, drop, refuse and restart connections. Node only; needs `ws` installed.
 *
 * @returns a promise of the running {@link TestServer}; rejects with the listen error
 * (`EADDRINUSE` when `options.port` is taken)
 * @example
 * ```ts
 * const server = await startTestServer();
 * afterEach(() => server.stop());
 * const socket = new WebSocket(server.url); // from 'ws'
 * ```
 */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const { reply, handleProtocols, onConnection } = options;
  const clients = new Set<WebSocket>();
  const sockets = new Set<Socket>();
  const received: ReceivedFrame[] = [];
  const errors: Error[] = [];
  const connections = createWaiters<WebSocket>();
  const messages = createWaiters<ReceivedFrame>();
  let refusing: number | null = null;
  let http: Server | null = null;
  let wss: WebSocketServer | null = null;

  const send = (client: WebSocket, frames: TestFrame | readonly TestFrame[] | undefined): void => {
    if (frames === undefined || client.readyState !== WebSocket.OPEN) return;
    // A string is sent as text and a Buffer as binary: ws's default for each.
    if (typeof frames === 'string' || Buffer.isBuffer(frames)) client.send(frames);
    else for (const frame of frames) client.send(frame);
  };

  const accept = (client: WebSocket, request: IncomingMessage): void => {
    clients.add(client);
    client.on('close', () => clients.delete(client));
    client.on('error', (error) => errors.push(error));
    client.on('message', (raw, isBinary) => {
      const bytes = toBuffer(raw);
      const data: TestFrame = isBinary ? bytes : bytes.toString('utf8');
      const frame: ReceivedFrame = { data, client };
      received.push(frame);
      messages.resolve(frame);
      if (reply) send(client, reply(data, client));
      else client.send(bytes, { binary: isBinary });
    });
    onConnection?.(client, request);
    connections.resolve(client);
  };

  const start = async (at: number): Promise<number> => {
    const server = createServer((_request, response) => {
      response.writeHead(426, { Upgrade: 'websocket', 'Content-Type': 'text/plain' }).end('Upgrade Required');
    });
    const upgrades = new WebSocketServer({ noServer: true, ...(handleProtocols ? { handleProtocols } : {}) });
    server.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    server.on('upgrade', (request, socket, head) => {
      if (refusing !== null) refuse(socket, refusing);
      else upgrades.handleUpgrade(request, socket, head, (client) => accept(client, request));
    });
    const port = await listen(server, at);
    http = server;
    wss = upgrades;
    return port;
  };

  const port = await start(options.port ?? 0);

  const testServer: TestServer = {
    url: `ws://${LOOPBACK_HOST}:${port}`,
    port,
    clients,
    received,
    errors,
    broadcast(data) {
      let count = 0;
      for (const client of clients) {
        if (client.readyState !== WebSocket.OPEN) continue;
        send(client, data);
        count += 1;
      }
      return count;
    },
    async closeAll(code = 1000, reason = '') {
      const open = [...clients].filter((client) => client.readyState === WebSocket.OPEN);
      const done = open.map(whenClosed);
      // The first close() validates the code and reason: a bad one throws before anything closes.
      for (const client of open) client.close(code, reason);
      await Promise.all(done);
    },
    async terminateAll() {
      const all = [...clients];
      const done = all.map(whenClosed);
      for (const client of all) client.terminate();
      await Promise.all(done);
    },
    refuseUpgrades(status = DEFAULT_REFUSE_STATUS) {
      if (!Number.isInteger(status) || status < 200 || status > 599) {
        throw new RangeError(`refuseUpgrades: status must be an HTTP status from 200 to 599, got ${status}`);
      }
      refusing = status;
    },
    acceptUpgrades() {
      refusing = null;
    },
    nextConnection: () => connections.next(),
    nextMessage: () => messages.next(),
    async stop() {
      const server = http;
      if (!server) return;
      http = null;
      wss?.close();
      wss = null;
      const all = [...clients];
      const drops = all.map(whenClosed);
      for (const client of all) client.terminate();
      // Connections still in the HTTP handshake, or answered with a refusal, are not clients yet.
      for (const socket of sockets) socket.destroy();
      await Promise.all([...drops, stopListening(server)]);
    },
    async restart() {
      await testServer.stop();
      await start(port);
    },
  };
  return testServer;
}
