// The chat's client stack: every package of the toolkit, composed once.
import { createLiveWebSocket, type BrowserEnvironment } from '@composable-svelte/ws-core';
import { browserEnvironment } from '@composable-svelte/ws-core/browser';
import { createHeartbeat, type HeartbeatWebSocket } from '@composable-svelte/ws-heartbeat';
import { createQueuedWebSocket, type QueuedWebSocket } from '@composable-svelte/ws-queue';
import { createRequestWebSocket, type RequestWebSocket } from '@composable-svelte/ws-request';
import { createChannelWebSocket, type ChannelGap, type ChannelRouter } from '@composable-svelte/ws-router';
import type { Timers, WebSocketClient, WebSocketConstructor } from '@composable-svelte/ws-types';
import { connectionStore, type ConnectionStore } from '@composable-svelte/ws-types/store';
import type { ClientFrame, Replies, ServerFrame } from '../../server/protocol.js';

/** A client of the chat: it receives `ServerFrame`s and sends `ClientFrame`s. */
export type ChatClient = WebSocketClient<ServerFrame, ClientFrame>;

/** Reconnection: 8 attempts, 0.5 s doubling up to 4 s (with jitter), about 25 s in all before `failed`. */
export const RECONNECT = { maxAttempts: 8, initialDelay: 500, maxDelay: 4000 } as const;

/** Time allowed for each attempt to open, in ms. */
export const CONNECTION_TIMEOUT = 5000;

/** A `{ type: 'ping' }` 10 s after the open or the last pong; the `pong` must come within 4 s. */
export const HEARTBEAT = { interval: 10_000, timeout: 4000, pingMessage: { type: 'ping' }, pongMessage: { type: 'pong' } } as const;

/**
 * How often the indicator's store re-reads the live client, in ms, for what changes without an
 * event: waiting for the network, an attempt starting after its delay, the round-trip time.
 */
export const CONNECTION_REFRESH = 1000;

/** Messages held by the queue: written while offline, or sent and not yet acknowledged. */
export const QUEUE_SIZE = 200;

/** The client stack the app runs on, and the handles the reducer needs. */
export interface ChatConnection {
  /**
   * The top of the stack, where the app connects, subscribes to frames and sends `say`
   * frames. Only `say` frames are sent here: the queue holds each one until the server's `ack`.
   * Replies to requests never reach its subscribers: the request layer below takes them.
   */
  readonly client: QueuedWebSocket<ServerFrame, ClientFrame>;
  /**
   * Requests (`create`), under the queue: a request goes out now or fails at once (offline:
   * `SEND_FAILED`), never waits in the queue; its reply (`replyTo`) settles it.
   */
  readonly requests: RequestWebSocket<ServerFrame, ClientFrame, Replies>;
  /** Joins and leaves rooms: a room with a listener is joined, on every connection. */
  readonly router: ChannelRouter<ServerFrame>;
  /** The heartbeat layer, for its round-trip time. */
  readonly heartbeat: HeartbeatWebSocket<ServerFrame, ClientFrame>;
  /**
   * The connection as the indicator shows it: ws-types' `connectionStore` over the client at the
   * bottom of the stack (the live client: its `nextRetryAt` and `network`, which decorators do
   * not forward) with the heartbeat's round-trip time, re-read every {@link CONNECTION_REFRESH}
   * ms while subscribed. A Svelte store: `$connection` in a component.
   */
  readonly connection: ConnectionStore;
}

/** The room a server frame is about (`history`, `presence`, `message`): what the router dispatches on. */
export const channelOf = (frame: ServerFrame): string | undefined => ('channel' in frame ? frame.channel : undefined);

/**
 * A frame's offset in its room, for the router's recovery: a `message`'s `seq`, and a
 * `history`'s `seq` (the room's last seq when it was read: the starting point, even for an
 * empty room). Other frames are not numbered.
 */
export const offsetOf = (frame: ServerFrame): number | undefined =>
  frame.type === 'message' || frame.type === 'history' ? frame.seq : undefined;

/** The `join` the router sends: with `after` (the last seq seen) on a re-join, so the server replays what came after it. */
export const joinFrame = (channel: string, after: number | undefined): ClientFrame =>
  after === undefined ? { type: 'join', channel } : { type: 'join', channel, after };

/** An error reply: the server refused the request (the reply is the `error` frame, with `replyTo`). */
export const isErrorReply = (frame: ServerFrame): boolean => frame.type === 'error';

/** Options of {@link createChatStack}. */
export interface ChatStackOptions {
  /** The heartbeat's timers. @defaultValue the platform's */
  heartbeatTimers?: Timers;
  /** The timers of the connection store's refresh. @defaultValue the platform's */
  connectionTimers?: Timers;
  /**
   * Told when the server could not replay some messages of a room (older than the oldest it
   * keeps): the router's `onGap`. @defaultValue none
   */
  onGap?: (gap: ChannelGap) => void;
  /**
   * The page's lifecycle for the heartbeat: a ping at once when the browser says `offline`, or
   * when the page becomes visible after being hidden a ping interval or more. @defaultValue none
   */
  environment?: BrowserEnvironment | null;
}

/**
 * Decorates `base` (the live client, or ws-testing's mock in tests) with the heartbeat, the
 * router, the request layer and the acknowledged queue, in that order from the inside out.
 *
 * The order matters after a reconnect: the router sends its `join` frames before the queue
 * re-sends the `say` frames not yet acknowledged, which the server would refuse
 * (`not-in-room`) if they came before the join. Decorators act inside out (each reacts to an
 * event of the client it wraps before its own listeners hear of it), so the router, inside
 * the queue, always re-joins first. The heartbeat is innermost, so its pings bypass the queue
 * and its pongs never reach the router.
 *
 * The request layer sits under the queue: requests sent through it skip the queue (offline,
 * they fail at once instead of waiting for the connection, and a lost connection rejects
 * them), and the replies it takes out of the frames never reach the app's subscription at the
 * top. Its request timeouts run on the platform's timers (fake timers apply in tests).
 */
export function createChatStack(base: ChatClient, options: ChatStackOptions = {}): ChatConnection {
  const heartbeat = createHeartbeat(base, { ...HEARTBEAT, autoStart: true, timers: options.heartbeatTimers, environment: options.environment });
  const onGap = options.onGap;
  // Recovery: the router keeps each open room's last seq, re-joins with it after a reconnection
  // (to any node: they share the log), drops what it has already seen and reports what the
  // server no longer has.
  const channels = createChannelWebSocket(heartbeat, channelOf, {
    offset: offsetOf,
    join: joinFrame,
    leave: (channel) => ({ type: 'leave', channel }),
    ...(onGap ? { onGap } : {}),
  });
  // Default correlation (`id` out, `replyTo` back); the server's error replies are `error` frames.
  const requests = createRequestWebSocket<ServerFrame, ClientFrame, Replies>(channels, { isError: isErrorReply });
  const client = createQueuedWebSocket(requests, {
    maxSize: QUEUE_SIZE,
    ack: {
      // Only `say` frames go through the queue (joins go through the router, pings through the heartbeat).
      id: (frame) => (frame.type === 'say' ? frame.id : ''),
      ackOf: (frame) => (frame.type === 'ack' ? frame.id : undefined),
    },
  });
  // Over `base`, not the top: only the live client knows `nextRetryAt` and `network`.
  const connection = connectionStore(base, { heartbeat, refresh: CONNECTION_REFRESH, timers: options.connectionTimers });
  return { client, requests, router: channels.router, heartbeat, connection };
}

/** Options of {@link createChatConnection}. */
export interface ChatConnectionOptions {
  /** The `WebSocket` constructor (Node has none). @defaultValue `globalThis.WebSocket` */
  WebSocket?: WebSocketConstructor;
  /**
   * The page's lifecycle (network, visibility, freeze, back/forward cache); `null` for none.
   * @defaultValue `browserEnvironment()`: the page's own, `null` outside a browser
   */
  environment?: BrowserEnvironment | null;
  /** See {@link ChatStackOptions.onGap}. @defaultValue none */
  onGap?: (gap: ChannelGap) => void;
}

/**
 * The app's stack over a live client: reconnects, keeps alive, rejoins rooms, re-sends what was
 * not acknowledged. With the browser's lifecycle, the live client waits for the network instead
 * of spending attempts while offline and tries the moment it is back, checks the connection when
 * the page becomes visible, and closes (4001) when the page is frozen or goes into the
 * back/forward cache, to connect again when it resumes.
 */
export function createChatConnection(options: ChatConnectionOptions = {}): ChatConnection {
  const environment = options.environment === undefined ? browserEnvironment() : options.environment;
  const live = createLiveWebSocket<ServerFrame, ClientFrame>({
    reconnect: RECONNECT,
    connectionTimeout: CONNECTION_TIMEOUT,
    WebSocket: options.WebSocket,
    environment,
  });
  // The same lifecycle for the heartbeat: it checks a connection the browser says may be dead.
  return createChatStack(live, { environment, ...(options.onGap ? { onGap: options.onGap } : {}) });
}

/**
 * The chat nodes a client may connect to, and which one it tries next. It starts with the
 * server that served the page and learns the whole cluster from the `welcome` frame
 * (`nodes`). Its `url` is the live client's URL provider, called before every attempt: the
 * first returns the current node; each later one (a reconnection, a retry) moves on to the next
 * node of the list, round and round, so a client whose node died reaches a live one within as
 * many attempts as there are nodes. The router's re-join carries the last seq seen, and the new
 * node replays what was missed from the shared log. With a single server the list is that one.
 */
export class NodeRotation {
  private list: string[];
  private current = 0;
  private started = false;

  constructor(own: string) {
    this.list = [own];
  }

  /** The nodes, the current one first. */
  get nodes(): readonly string[] {
    return [...this.list.slice(this.current), ...this.list.slice(0, this.current)];
  }

  /** The URL for the next attempt. */
  readonly url = (): string => {
    if (this.started) this.current = (this.current + 1) % this.list.length;
    this.started = true;
    return this.list[this.current]!;
  };

  /** Replaces the list with the cluster's (a `welcome`'s `nodes`), keeping the current node current. */
  learn(nodes: readonly string[]): void {
    const valid = nodes.filter((node) => typeof node === 'string' && /^wss?:\/\//.test(node));
    if (valid.length === 0) return;
    const here = this.list[this.current]!;
    this.list = valid.includes(here) ? [...valid] : [here, ...valid];
    this.current = this.list.indexOf(here);
  }
}

/** The chat's WebSocket endpoint on the server that served the page (`ws:`, or `wss:` over HTTPS). */
export function chatSocketUrl(location: Pick<Location, 'protocol' | 'host'>): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`;
}
