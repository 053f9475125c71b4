import { WebSocketError, type WebSocketClient, type WebSocketErrorCode } from '@composable-svelte/ws-types';

/**
 * Where a failure goes when neither a callback nor the client's own `error` event carried it
 * (a custom client that rejects silently, an unsubscribe that throws): `console.error`, as
 * Composable Svelte's store does for a failing effect. Never thrown, since effects and
 * cleanups must not throw.
 */
export const report = (error: unknown): void => {
  console.error('[ws-effects]', error);
};

/** Calls `operation`; a synchronous throw becomes a rejection, so nothing escapes the promise. */
export const call = (operation: () => Promise<void>): Promise<void> =>
  new Promise<void>((resolve) => {
    resolve(operation());
  });

/** Calls an unsubscribe function; a throw is reported, never passed on (cleanups must not throw). */
export const release = (off: (() => void) | undefined): void => {
  try {
    off?.();
  } catch (error) {
    report(error);
  }
};

/** The failure as the `WebSocketError` callbacks are typed with: another value is wrapped, as `cause`. */
export const toError = (cause: unknown, code: WebSocketErrorCode): WebSocketError =>
  cause instanceof WebSocketError ? cause : new WebSocketError(cause instanceof Error ? cause.message : String(cause), code, false, cause);

/**
 * Runs `operation` against `client` and resolves with whether it succeeded; never rejects
 * unless `onFailure` throws. A failure goes to `onFailure` when given. Without it, the failure
 * is reported unless the client emitted it as an `error` event itself (ws-core and the mock
 * do), which is watched for, with one event listener, only while the operation runs.
 */
export function attempt(
  client: WebSocketClient<unknown>,
  operation: () => Promise<void>,
  onFailure?: (cause: unknown) => void,
): Promise<boolean> {
  let heard = false;
  let seen: unknown;
  const off = onFailure
    ? undefined
    : client.subscribeToEvents((event) => {
        if (event.type === 'error') {
          heard = true;
          seen = event.error;
        }
      });
  return call(operation)
    .then(
      () => true,
      (cause: unknown) => {
        if (onFailure) onFailure(cause);
        else if (!heard || cause !== seen) report(cause);
        return false;
      },
    )
    .finally(() => {
      release(off);
    });
}
