/**
 * The error codes every package reports, one per kind of failure.
 *
 * - `CONNECTION_FAILED`: the socket could not be opened (refused, closed before open, bad URL).
 * - `CONNECTION_TIMEOUT`: no open within `connectionTimeout`.
 * - `SEND_FAILED`: a message could not be handed to an open socket.
 * - `INVALID_MESSAGE`: a message could not be serialized, or an incoming frame could not be read.
 * - `MAX_RECONNECTS`: reconnection gave up after `maxAttempts`.
 * - `PROTOCOL_ERROR`: a call broke the WebSocket protocol's rules (bad close code, reason too long).
 * - `HEARTBEAT_TIMEOUT`: no pong arrived in time.
 * - `CALLBACK_FAILED`: a function the application handed over (a listener, `shouldReconnect`,
 *   an extractor, `onDrop`, ...) threw or returned something unusable; `cause` holds what it threw.
 * - `REQUEST_TIMEOUT`: no reply to a request in time (ws-request).
 * - `REQUEST_FAILED`: a request failed otherwise: an error reply (`cause`: the reply), an abort,
 *   or a disposed decorator; as an `error` event, a late or repeated reply that was dropped.
 */
export const WS_ERROR_CODES = {
  CONNECTION_FAILED: 'CONNECTION_FAILED',
  CONNECTION_TIMEOUT: 'CONNECTION_TIMEOUT',
  SEND_FAILED: 'SEND_FAILED',
  INVALID_MESSAGE: 'INVALID_MESSAGE',
  MAX_RECONNECTS: 'MAX_RECONNECTS',
  PROTOCOL_ERROR: 'PROTOCOL_ERROR',
  HEARTBEAT_TIMEOUT: 'HEARTBEAT_TIMEOUT',
  CALLBACK_FAILED: 'CALLBACK_FAILED',
  REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
  REQUEST_FAILED: 'REQUEST_FAILED',
} as const;

/** One of the values of {@link WS_ERROR_CODES}. */
export type WebSocketErrorCode = (typeof WS_ERROR_CODES)[keyof typeof WS_ERROR_CODES];

// A registered symbol is the same in every copy of this module (ESM and CJS builds, or two
// installed versions), so `instanceof` keeps working when an app loads more than one copy.
const BRAND = /* @__PURE__ */ Symbol.for('@composable-svelte/ws-types/WebSocketError');

/**
 * The one error type of the toolkit: every failure a package reports is a `WebSocketError`.
 *
 * `instanceof WebSocketError` holds across the ESM and CJS builds of this package.
 *
 * @example
 * ```ts
 * try {
 *   await websocket.connect('wss://api.example.com');
 * } catch (error) {
 *   if (error instanceof WebSocketError && error.code === WS_ERROR_CODES.CONNECTION_TIMEOUT) {
 *     showTimeoutMessage();
 *   }
 * }
 * ```
 */
export class WebSocketError extends Error {
  /** Which kind of failure this is. */
  declare readonly code: WebSocketErrorCode;
  /** Whether trying again (reconnecting, resending) may succeed. */
  declare readonly recoverable: boolean;

  /**
   * @param message - what went wrong, for people.
   * @param code - which kind of failure, for code.
   * @param recoverable - whether trying again may succeed. @defaultValue `false`
   * @param cause - the underlying error or event, if any.
   */
  constructor(message: string, code: WebSocketErrorCode, recoverable = false, cause?: unknown) {
    super(message, { cause });
    this.name = 'WebSocketError';
    this.code = code;
    this.recoverable = recoverable;
  }

  /** Marks every instance, whichever copy of this module made it. */
  // eslint-disable-next-line @typescript-eslint/class-literal-property-style -- on the prototype, not a field per instance
  get [BRAND](): true {
    return true;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    // Property access boxes primitives, so this is safe for any value but null and undefined.
    return (value as Partial<Record<typeof BRAND, true>> | null | undefined)?.[BRAND] === true;
  }
}
