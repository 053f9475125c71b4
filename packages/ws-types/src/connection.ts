import type { WebSocketError } from './errors.js';

/**
 * Where a client is in its life cycle.
 *
 * `disconnected → connecting → connected`; an unexpected loss goes
 * `connected → reconnecting → connecting → connected`, or to `failed` once reconnect
 * attempts run out.
 */
export type ConnectionStatus = 'disconnected' | 'connecting' | 'connected' | 'reconnecting' | 'failed';

/** A snapshot of a client's connection. */
export interface ConnectionState {
  /** Where the client is in its life cycle. */
  readonly status: ConnectionStatus;
  /** The URL of the current or last connection, `null` before the first `connect()`. */
  readonly url: string | null;
  /** The subprotocols asked for by the current or last `connect()`. */
  readonly protocols: string[];
  /** Reconnect attempts made since the connection was lost; `0` while connected. */
  readonly reconnectAttempts: number;
  /** The last error reported, `null` if none yet. */
  readonly lastError: WebSocketError | null;
  /** When the current connection opened, `null` when not connected. */
  readonly connectedAt: Date | null;
}

/** Counters over a client's whole life (they survive reconnects). */
export interface ConnectionStats {
  /** Messages handed to an open socket. */
  readonly messagesSent: number;
  /** Messages received and decoded. */
  readonly messagesReceived: number;
  /** Bytes sent (UTF-8 length for text frames). */
  readonly bytesSent: number;
  /** Bytes received (UTF-8 length for text frames). */
  readonly bytesReceived: number;
  /** Successful reconnections. */
  readonly reconnects: number;
  /** Errors reported through `error` events. */
  readonly errors: number;
  /** Milliseconds the current connection has been open, `0` when not connected. */
  readonly uptime: number;
}

/** Round-trip times of ping/pong exchanges, in ms; `null` before the first pong. */
export interface RoundTripTime {
  /** The last exchange. */
  readonly latest: number | null;
  /** Exponentially smoothed over the exchanges (weight 1/8 for the newest, as TCP does). */
  readonly smoothed: number | null;
}
