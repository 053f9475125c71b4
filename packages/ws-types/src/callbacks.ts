import { WebSocketError, WS_ERROR_CODES } from './errors.js';

/**
 * The error reported when a function the application handed over throws (or returns something
 * unusable): `CALLBACK_FAILED`, recoverable (the client carries on), with what it threw as `cause`.
 *
 * @param name - the option or role of the function, for the message (`'reconnect.shouldReconnect'`).
 */
export const callbackFailed = (name: string, cause: unknown): WebSocketError =>
  new WebSocketError(`${name} threw or returned an unusable value`, WS_ERROR_CODES.CALLBACK_FAILED, true, cause);
