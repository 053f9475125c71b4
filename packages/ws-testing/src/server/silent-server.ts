import { createServer, type Socket } from 'node:net';
import { listen, LOOPBACK_HOST, stopListening } from './listen.js';

/** A TCP server that never answers; see {@link startSilentServer}. */
export interface SilentServer {
  /** `ws://127.0.0.1:PORT`, to give to the client under test. */
  readonly url: string;
  /** The port it listens on. */
  readonly port: number;
  /** How many TCP connections it holds open now. */
  readonly connections: number;
  /**
   * Destroys every connection, stops listening, and resolves once the server has closed.
   * Calling it again resolves at once.
   */
  stop(): Promise<void>;
}

/**
 * Starts a TCP server on 127.0.0.1, on a free port, that accepts connections and never answers
 * the WebSocket upgrade (nor anything else): a client connecting to it stays `CONNECTING`
 * until its own timeout. Use it to test connection timeouts. Node only.
 *
 * @returns a promise of the running {@link SilentServer}
 * @example
 * ```ts
 * const silent = await startSilentServer();
 * const client = createLiveWebSocket({ WebSocket, connectionTimeout: 100 });
 * await expect(client.connect(silent.url)).rejects.toMatchObject({ code: 'CONNECTION_TIMEOUT' });
 * await silent.stop();
 * ```
 */
export async function startSilentServer(): Promise<SilentServer> {
  const held = new Set<Socket>();
  const server = createServer((socket) => {
    held.add(socket);
    socket.on('close', () => held.delete(socket));
    // Read and discard, so a client that gives up is noticed (a paused socket never sees the end).
    socket.resume();
    // A client giving up may reset the connection; that is the expected end here, not a failure.
    socket.on('error', () => undefined);
  });
  const port = await listen(server, 0);
  return {
    url: `ws://${LOOPBACK_HOST}:${port}`,
    port,
    get connections() {
      return held.size;
    },
    async stop() {
      for (const socket of held) socket.destroy();
      held.clear();
      await stopListening(server);
    },
  };
}
