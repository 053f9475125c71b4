import type { WebSocketError } from './errors.js';

/** The socket opened. */
export interface ConnectedEvent {
  readonly type: 'connected';
  /** The URL the socket is connected to. */
  readonly url: string;
  /** The subprotocols that were asked for. */
  readonly protocols: string[];
  readonly timestamp: number;
}

/** The connection closed, whoever closed it. */
export interface DisconnectedEvent {
  readonly type: 'disconnected';
  /** The close code (`1006` when the connection was lost without a close frame). */
  readonly code: number;
  /** The close reason, or the reason a connection was declared dead (`'Heartbeat timeout'`). */
  readonly reason: string;
  /** Whether the closing handshake completed. */
  readonly wasClean: boolean;
  readonly timestamp: number;
}

/** Something failed; see {@link WebSocketError.code}. */
export interface ErrorEvent {
  readonly type: 'error';
  readonly error: WebSocketError;
  readonly timestamp: number;
}

/** A reconnect attempt is scheduled. */
export interface ReconnectingEvent {
  readonly type: 'reconnecting';
  /** The attempt about to be made, from 1. */
  readonly attempt: number;
  /** The delay actually used before this attempt, in ms (jitter included). */
  readonly delay: number;
  /** The configured limit; `0` means no limit. */
  readonly maxAttempts: number;
  readonly timestamp: number;
}

/** A reconnect attempt succeeded (follows the `connected` event of that attempt). */
export interface ReconnectedEvent {
  readonly type: 'reconnected';
  /** How many attempts it took. */
  readonly attempts: number;
  /** The sum of the delays waited before those attempts, in ms. */
  readonly totalDelay: number;
  readonly timestamp: number;
}

/**
 * Waiting for the network started or ended. A client that knows the network (ws-core's live
 * client given an `environment`) does not attempt to reconnect while the network is down:
 * after a loss it stays `reconnecting` with no attempt scheduled, none counted toward
 * `maxAttempts`, and says so with `waiting: true` instead of a `reconnecting` event. The wait
 * ends with `waiting: false` when an attempt starts (the network is back, or `connect()`), or
 * after the `disconnected` event of a `disconnect()`.
 */
export interface NetworkEvent {
  readonly type: 'network';
  /** Whether the client now waits for the network before its next attempt. */
  readonly waiting: boolean;
  /** Whether the network is up, as the client's environment says. */
  readonly online: boolean;
  readonly timestamp: number;
}

/** Every event a client emits to `subscribeToEvents` listeners, told apart by `type`. */
export type WebSocketEvent =
  | ConnectedEvent
  | DisconnectedEvent
  | ErrorEvent
  | ReconnectingEvent
  | ReconnectedEvent
  | NetworkEvent;

/** The `type` of a {@link WebSocketEvent}. */
export type WebSocketEventType = WebSocketEvent['type'];
