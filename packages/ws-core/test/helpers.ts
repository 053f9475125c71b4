import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { WebSocketClient, WebSocketEvent } from '@composable-svelte/ws-types';
import { WebSocketServer, type WebSocket } from 'ws';

type EventOf<K extends WebSocketEvent['type']> = Extract<WebSocketEvent, { type: K }>;

/** Resolves with the next event of `type` the client emits. */
export function nextEvent<K extends WebSocketEvent['type']>(client: WebSocketClient, type: K): Promise<EventOf<K>> {
  return new Promise((resolve) => {
    const off = client.subscribeToEvents((event) => {
      if (event.type === type) {
        off();
        resolve(event as EventOf<K>);
      }
    });
  });
}

/** Records every event a client emits. */
export function recordEvents(client: WebSocketClient): WebSocketEvent[] {
  const seen: WebSocketEvent[] = [];
  client.subscribeToEvents((event) => seen.push(event));
  return seen;
}

export interface TestServer {
  url: string;
  port: number;
  wss: WebSocketServer;
  /** Sockets the server currently holds. */
  sockets: Set<WebSocket>;
  /** Stops the server: destroys every socket and stops listening. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  restart(): Promise<void>;
}

/** A real `ws` server on 127.0.0.1, port 0; `onConnection` defaults to echo. */
export async function startServer(onConnection?: (socket: WebSocket, protocol: string) => void, port = 0): Promise<TestServer> {
  let http: Server;
  let wss: WebSocketServer;
  const sockets = new Set<WebSocket>();
  const listen = async (at: number): Promise<number> => {
    http = createHttpServer();
    wss = new WebSocketServer({ server: http, handleProtocols: (protocols) => [...protocols][0] ?? false });
    wss.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      if (onConnection) onConnection(socket, socket.protocol);
      else socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
    });
    await new Promise<void>((resolve) => http.listen(at, '127.0.0.1', resolve));
    return (http.address() as AddressInfo).port;
  };
  const actual = await listen(port);
  const server: TestServer = {
    url: `ws://127.0.0.1:${actual}`,
    port: actual,
    get wss() {
      return wss;
    },
    sockets,
    async stop() {
      for (const socket of sockets) socket.terminate();
      wss.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
    async restart() {
      await listen(actual);
    },
  };
  return server;
}

/** A TCP server that accepts connections and never answers the WebSocket upgrade. */
export async function startSilentServer(): Promise<{ url: string; stop: () => Promise<void> }> {
  const held = new Set<Socket>();
  const server = createTcpServer((socket) => {
    held.add(socket);
    socket.on('close', () => held.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: async () => {
      for (const socket of held) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port on 127.0.0.1 where nothing listens. */
export async function freePort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Which `WebSocket` the integration tests give the client, from `WS_CORE_TEST_WEBSOCKET`:
 * `'ws'` (unset or `ws`: ws's constructor is injected, as Node 20 needs) or `'global'` (nothing
 * injected: the runtime's own, Node 22 and later). Throws for any other value, and for
 * `global` on a runtime without a global `WebSocket`, rather than testing something else.
 */
export function runtimeWebSocket(): 'ws' | 'global' {
  const wanted = process.env.WS_CORE_TEST_WEBSOCKET ?? 'ws';
  if (wanted !== 'ws' && wanted !== 'global') {
    throw new Error(`WS_CORE_TEST_WEBSOCKET must be 'ws' or 'global', got ${JSON.stringify(wanted)}`);
  }
  if (wanted === 'global' && typeof globalThis.WebSocket !== 'function') {
    throw new Error(`WS_CORE_TEST_WEBSOCKET=global, but Node ${process.versions.node} has no global WebSocket (Node 22 and later have one)`);
  }
  return wanted;
}
