import type { ConnectionState, ConnectionStats } from './connection.js';
import type { WebSocketEvent } from './events.js';

/** What a socket can deliver: text, or binary as `ArrayBuffer` (or `Blob` in browsers). */
export type RawData = string | ArrayBuffer | Blob;

/** A received message: the decoded data plus what arrived on the wire. */
export interface WebSocketMessage<T> {
  /** The message as decoded by the serializer. */
  readonly data: T;
  /** When the client received it (`Date.now()` of the injected clock). */
  readonly timestamp: number;
  /** The frame as the socket delivered it. */
  readonly raw: RawData;
}

/** Receives each decoded message. */
export type MessageListener<T> = (message: WebSocketMessage<T>) => void;

/** Receives each connection event. */
export type EventListener = (event: WebSocketEvent) => void;

/** Removes the listener it was returned for. Calling it again does nothing. */
export type Unsubscribe = () => void;

/**
 * A URL, or a function giving one (sync or async), called before every connection attempt so
 * that a fresh token can go into the URL.
 */
export type UrlProvider = string | (() => string | Promise<string>);

/**
 * The client every package produces and accepts: the live client, the mock, the spy and every
 * decorator implement it, so they compose in any order.
 *
 * @typeParam In - the type of the messages received. Without it, messages are untyped
 * (`any`), as in the guide's untyped examples; give a type to get narrowed subscribers.
 * @typeParam Out - the type of the messages sent, checked by `send`. @defaultValue `In`: one
 * type for both directions, as in the guide. A protocol whose client and server speak
 * different messages gives both: `WebSocketClient<ServerMessage, ClientMessage>`, and sending
 * a server-only message is a compile error.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the guide uses untyped clients; see @typeParam
export interface WebSocketClient<In = any, Out = In> {
  /**
   * Opens a connection.
   *
   * Resolves when the socket is open. Rejects with a `WebSocketError`: `CONNECTION_FAILED`
   * (refused, closed before open, bad URL) or `CONNECTION_TIMEOUT` (not open within the
   * client's `connectionTimeout`). Never stays pending forever.
   *
   * @param url - where to connect, or a function giving it before every attempt.
   * @param protocols - subprotocols to ask the server for.
   */
  connect(url: UrlProvider, protocols?: readonly string[]): Promise<void>;

  /**
   * Closes the connection because the application asked to: cancels any pending reconnect or
   * attempt in flight and emits exactly one `disconnected` event.
   *
   * Resolves once closed. Rejects with `PROTOCOL_ERROR`, changing nothing, when `code` is not
   * 1000 or 3000–4999, or when `reason` is longer than 123 UTF-8 bytes.
   *
   * @param code - the close code. @defaultValue `1000`
   * @param reason - the close reason. @defaultValue `''`
   */
  disconnect(code?: number, reason?: string): Promise<void>;

  /**
   * Sends a message through the serializer.
   *
   * Resolves once the frame is handed to the socket (or to a queue, for clients that queue).
   * Rejects with `SEND_FAILED` when not connected, or `INVALID_MESSAGE` when the serializer
   * cannot encode it.
   */
  send(message: Out): Promise<void>;

  /** Calls `listener` with every decoded message until the returned function is called. */
  subscribe(listener: MessageListener<In>): Unsubscribe;

  /** Calls `listener` with every connection event until the returned function is called. */
  subscribeToEvents(listener: EventListener): Unsubscribe;

  /**
   * Declares the current connection dead, for a wrapper that knows better than the socket
   * (a heartbeat without pong): the socket is dropped, a `disconnected` event with
   * `wasClean: false` and this `reason` is emitted, and the client's reconnect policy
   * applies exactly as for a network drop. Does nothing unless connected.
   *
   * @param reason - why, carried by the `disconnected` event (the heartbeat uses `'Heartbeat timeout'`).
   */
  markDead(reason: string): void;

  /** A snapshot of the connection. */
  readonly state: ConnectionState;

  /** Counters over the client's life; `uptime` is computed when read. */
  readonly stats: ConnectionStats;
}
