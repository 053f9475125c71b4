// The chat's client stack: every package of the toolkit, composed once.
import { createLiveWebSocket } from '@composable-svelte/ws-core';
import { createHeartbeat, type HeartbeatWebSocket } from '@composable-svelte/ws-heartbeat';
import { createQueuedWebSocket, type QueuedWebSocket } from '@composable-svelte/ws-queue';
import { createChannelWebSocket, type ChannelRouter } from '@composable-svelte/ws-router';
import type { Timers, WebSocketClient, WebSocketConstructor } from '@composable-svelte/ws-types';
import type { ClientFrame, ServerFrame } from '../../server/protocol.js';

/** Everything on the wire, both ways: one client carries both directions. */
export type Frame = ClientFrame | ServerFrame;

/** Reconnection: 8 attempts, 0.5 s doubling up to 4 s (with jitter), about 25 s in all before `failed`. */
export const RECONNECT = { maxAttempts: 8, initialDelay: 500, maxDelay: 4000 } as const;

/** Time allowed for each attempt to open, in ms. */
export const CONNECTION_TIMEOUT = 5000;

/** A `{ type: 'ping' }` 10 s after the open or the last pong; the `pong` must come within 4 s. */
export const HEARTBEAT = { interval: 10_000, timeout: 4000, pingMessage: { type: 'ping' }, pongMessage: { type: 'pong' } } as const;

/** Messages held by the queue: written while offline, or sent and not yet acknowledged. */
export const QUEUE_SIZE = 200;

/** The client stack the app runs on, and the handles the reducer needs. */
export interface ChatConnection {
  /**
   * The top of the stack, where the app connects, subscribes to frames and sends `say`
   * frames. Only `say` frames are sent here: the queue holds each one until the server's `ack`.
   */
  readonly client: QueuedWebSocket<Frame>;
  /** Joins and leaves rooms: a room with a listener is joined, on every connection. */
  readonly router: ChannelRouter<Frame>;
  /** The heartbeat layer, for its round-trip time. */
  readonly heartbeat: HeartbeatWebSocket<Frame>;
}

/** The room a frame is about (`history`, `presence`, `message`, and the client's `join`/`leave`/`say`). */
export const channelOf = (frame: Frame): string | undefined => ('channel' in frame ? frame.channel : undefined);

/**
 * Decorates `base` (the live client, or ws-testing's mock in tests) with the heartbeat, the
 * router and the acknowledged queue, in that order from the inside out.
 *
 * The order matters after a reconnect: the router sends its `join` frames before the queue
 * re-sends the `say` frames not yet acknowledged, which the server would refuse
 * (`not-in-room`) if they came before the join. Decorators act inside out (each reacts to an
 * event of the client it wraps before its own listeners hear of it), so the router, inside
 * the queue, always re-joins first. The heartbeat is innermost, so its pings bypass the queue
 * and its pongs never reach the router.
 */
export function createChatStack(base: WebSocketClient<Frame>, options: { timers?: Timers } = {}): ChatConnection {
  const heartbeat = createHeartbeat(base, { ...HEARTBEAT, autoStart: true, timers: options.timers });
  const channels = createChannelWebSocket(heartbeat, channelOf, {
    join: (channel) => ({ type: 'join', channel }),
    leave: (channel) => ({ type: 'leave', channel }),
  });
  const client = createQueuedWebSocket(channels, {
    maxSize: QUEUE_SIZE,
    ack: {
      // Only `say` frames go through the queue (joins go through the router, pings through the heartbeat).
      id: (frame) => (frame.type === 'say' ? frame.id : ''),
      ackOf: (frame) => (frame.type === 'ack' ? frame.id : undefined),
    },
  });
  return { client, router: channels.router, heartbeat };
}

/** Options of {@link createChatConnection}. */
export interface ChatConnectionOptions {
  /** The `WebSocket` constructor (Node has none). @defaultValue `globalThis.WebSocket` */
  WebSocket?: WebSocketConstructor;
}

/** The app's stack over a live client: reconnects, keeps alive, rejoins rooms, re-sends what was not acknowledged. */
export function createChatConnection(options: ChatConnectionOptions = {}): ChatConnection {
  const live = createLiveWebSocket<Frame>({
    reconnect: RECONNECT,
    connectionTimeout: CONNECTION_TIMEOUT,
    WebSocket: options.WebSocket,
  });
  return createChatStack(live);
}

/** The chat's WebSocket endpoint on the server that served the page (`ws:`, or `wss:` over HTTPS). */
export function chatSocketUrl(location: Pick<Location, 'protocol' | 'host'>): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`;
}
