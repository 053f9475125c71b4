import type { AddressInfo, Server } from 'node:net';

/** The only host the loopback helpers listen on and connect to by default. */
export const LOOPBACK_HOST = '127.0.0.1';

/**
 * Starts `server` listening on 127.0.0.1:`port` (0 lets the system pick a free port).
 *
 * @returns a promise that resolves with the port actually bound, or rejects with the listen
 * error (`EADDRINUSE` when `port` is taken, a `RangeError` for an invalid port).
 */
export function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => {
      reject(error);
    };
    server.once('error', onError);
    try {
      server.listen(port, LOOPBACK_HOST, () => {
        server.off('error', onError);
        resolve((server.address() as AddressInfo).port);
      });
    } catch (error) {
      server.off('error', onError);
      throw error;
    }
  });
}

/**
 * Stops `server` listening.
 *
 * @returns a promise that resolves once the server has closed, which Node only reports after
 * every connection it accepted has closed too: destroy them first. Resolves at once when the
 * server is not listening.
 */
export function stopListening(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => {
      resolve();
    });
  });
}
