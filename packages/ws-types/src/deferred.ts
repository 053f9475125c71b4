import { WebSocketError, WS_ERROR_CODES } from './errors.js';
import { handled } from './options.js';

/** A promise with its settle functions, for a `connect()` that the next attempt settles. */
export interface Deferred {
  readonly promise: Promise<void>;
  resolve(): void;
  reject(error: WebSocketError): void;
}

/** Creates a {@link Deferred} whose promise is marked handled (its failure is also an `error` event). */
export function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: WebSocketError) => void;
  const promise = handled(
    new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    }),
  );
  return { promise, resolve, reject };
}

/** Rejects a `connect()` overtaken by a later `connect()` or `disconnect()`: the latest call wins. */
export const superseded = (): WebSocketError =>
  new WebSocketError('A later connect() or disconnect() came first', WS_ERROR_CODES.CONNECTION_FAILED, false);
