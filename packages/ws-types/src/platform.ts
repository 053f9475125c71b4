import type { SerializedData } from './serializer.js';

/** The close information a socket reports (a `CloseEvent` in browsers). */
export interface CloseInfo {
  /** The close code; `1006` when the connection dropped without a close frame. */
  readonly code: number;
  /** The close reason sent by the peer, or `''`. */
  readonly reason: string;
  /** Whether the closing handshake completed. */
  readonly wasClean: boolean;
}

/**
 * The part of a WHATWG `WebSocket` a client uses. The browser's `WebSocket`, `ws`'s
 * `WebSocket` and ws-testing's fake all have this shape.
 *
 * Handlers are typed `(event: never) => void` so that any platform's handler type fits; the
 * client sets them to `null` when it lets go of a socket.
 */
export interface WebSocketLike {
  /** `0` connecting, `1` open, `2` closing, `3` closed. */
  readonly readyState: number;
  /** The subprotocol the server selected. */
  readonly protocol: string;
  /** Bytes queued by `send()` and not yet transmitted. */
  readonly bufferedAmount: number;
  /** How binary frames are delivered; clients set `'arraybuffer'`. */
  binaryType: string;
  onopen: ((event: never) => void) | null;
  onmessage: ((event: never) => void) | null;
  onerror: ((event: never) => void) | null;
  onclose: ((event: never) => void) | null;
  send(data: SerializedData): void;
  close(code?: number, reason?: string): void;
}

/** A `WebSocket` constructor: the browser's global, `ws`'s `WebSocket`, or a fake. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

/** An opaque handle returned by {@link Timers.setTimeout}. */
export type TimerHandle = unknown;

/** Time as the packages see it: injectable so tests control it. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  /** Milliseconds since the epoch. */
  now(): number;
}

/** A source of uniform numbers in [0, 1), like `Math.random`. */
export type RandomSource = () => number;
