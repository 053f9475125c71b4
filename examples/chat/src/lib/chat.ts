// The chat's state, actions and reducer. Pure: every effect is a value the store runs.
import type { RequestWebSocket } from '@composable-svelte/ws-request';
import type { ChannelRouter } from '@composable-svelte/ws-router';
import { WS_ERROR_CODES, type WebSocketError, type WebSocketErrorCode, type WebSocketEvent } from '@composable-svelte/ws-types';
import {
  LIMITS,
  ROOM_PATTERN,
  type ChatLine,
  type ClientFrame,
  type ErrorFrame,
  type Replies,
  type RoomSummary,
  type SayFrame,
  type ServerFrame,
} from '../../server/protocol.js';
import type { ChatClient } from './connection.js';
import { Effect } from './effect.js';

/** Store ids of the long-running effects. */
export const EFFECT_IDS = {
  /** The connection, with its events (ws-effects `connect`). */
  connection: 'connection',
  /** Every frame the server sends (ws-effects `subscribe`). */
  frames: 'frames',
  /** Membership of the open room: a router listener, whose join and leave the router sends. */
  room: 'room',
} as const;

/** The most notices kept on screen; older ones go first. */
export const MAX_NOTICES = 5;

/** Time allowed for the server's answer to a `create`, in ms. */
export const CREATE_TIMEOUT = 5000;

/** Where a message of the open room stands. Own messages start `pending`; others arrive `delivered`. */
export type MessageStatus = 'pending' | 'delivered' | 'failed';

/** A message of the open room, as shown. */
export interface ChatEntry {
  /** The message id: chosen by its author's app, unique per author. */
  readonly id: string;
  readonly channel: string;
  readonly user: string;
  readonly text: string;
  /** The server's time once it has seen the message; the local time it was written before that. */
  readonly timestamp: number;
  /** Written in this app (these are the ones that can be pending or failed). */
  readonly own: boolean;
  /** `pending` until the server's `ack`, `delivered` after it, `failed` when refused. */
  readonly status: MessageStatus;
  /** Why it failed, or `null`. */
  readonly error: string | null;
}

/** The open room. */
export interface RoomState {
  readonly channel: string;
  /** Names of the people in the room, from the last `presence` frame. */
  readonly members: readonly string[];
  /** History, live messages and own messages, in the order they reached this app. */
  readonly messages: readonly ChatEntry[];
  /** Whether the room's `history` has arrived. */
  readonly loaded: boolean;
}

/**
 * Where the connection stands, from the client's events: what the reducer's rules need (is a
 * retry worth making, is a failed send worth telling) and what the screens say while not
 * connected. The indicator shows more (the countdown, waiting for the network, the round-trip
 * time), read from the live client itself through `ChatConnection.connection`.
 *
 * `disconnected`: closed and not reconnecting for now (the page was frozen). A loss while
 * offline is `reconnecting` too: the client waits for the network (its `network` event), which
 * the indicator tells apart.
 */
export type ConnectionPhase = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'disconnected' | 'failed';

/** An error shown until dismissed: a server `error` frame, or a client `error` event worth telling. */
export interface Notice {
  readonly id: number;
  readonly source: 'server' | 'client';
  readonly code: string;
  readonly message: string;
}

export interface ChatState {
  /** The user's name; `null` shows the name screen. */
  readonly name: string | null;
  /** Why the name typed was refused. */
  readonly nameError: string | null;
  readonly connection: ConnectionPhase;
  /** Every room with its head count, from `welcome` and `rooms` frames. */
  readonly rooms: readonly RoomSummary[];
  /** Why the room name typed was refused (by the server), or why creating it failed. */
  readonly roomError: string | null;
  /** The `create` request awaiting the server's answer (its id, and the room name asked for), or `null`. */
  readonly creating: { readonly id: string; readonly name: string } | null;
  /** The open room; `null` shows the room list. */
  readonly room: RoomState | null;
  readonly notices: readonly Notice[];
  /** The id of the next notice. */
  readonly nextNoticeId: number;
}

export const initialState: ChatState = {
  name: null,
  nameError: null,
  connection: 'idle',
  rooms: [],
  roomError: null,
  creating: null,
  room: null,
  notices: [],
  nextNoticeId: 1,
};

export type ChatAction =
  /** The name form was submitted: connect under that name. */
  | { type: 'nameSubmitted'; name: string }
  /** An event of the client (ws-effects `connect`). */
  | { type: 'connectionEvent'; event: WebSocketEvent }
  /** A frame from the server (ws-effects `subscribe`); replies to requests are not among them. */
  | { type: 'frameReceived'; frame: ServerFrame }
  /** "Retry now": connect again after `failed` or `disconnected`, or skip the wait while reconnecting. */
  | { type: 'retryClicked' }
  /** A room of the list was chosen. */
  | { type: 'roomOpened'; channel: string }
  /** The new-room form was submitted with a name (`room:` optional): ask the server to create it. */
  | { type: 'roomCreateSubmitted'; name: string }
  /** The server answered the `create` request `id` with the room (new or existing): open it. */
  | { type: 'roomCreated'; id: string; room: RoomSummary }
  /** The `create` request `id` failed: refused by the server (its message), timed out, or not sent. */
  | { type: 'roomCreateFailed'; id: string; code: string; message: string }
  /** Back to the room list: leaves the room. */
  | { type: 'roomClosed' }
  /** The composer sent a message to the open room. */
  | { type: 'messageSubmitted'; text: string }
  /** The queue took the `say` frame (sent now, or held until the connection is back). */
  | { type: 'messageAccepted'; id: string }
  /** The client refused the `say` frame. */
  | { type: 'messageFailed'; id: string; error: string }
  /** Send a failed message again, with the same id (the server deduplicates). */
  | { type: 'messageRetried'; id: string }
  | { type: 'noticeDismissed'; id: number }
  /**
   * The router found messages of `channel` that the server could not replay (offsets `from` to
   * `to`, both included): older than the oldest it keeps. Told as a notice.
   */
  | { type: 'gapReported'; channel: string; from: number; to: number };

/** What the reducer needs from the outside world. */
export interface ChatDependencies {
  /** The top of the client stack (see `createChatStack`). */
  readonly client: ChatClient;
  /** The stack's request layer: `create` and its reply. */
  readonly requests: Pick<RequestWebSocket<ServerFrame, ClientFrame, Replies>, 'request'>;
  /** The stack's router: a room with a listener is joined. */
  readonly router: ChannelRouter<ServerFrame>;
  /**
   * The chat's WebSocket endpoint (`ws://host/ws`), or a function giving it for each attempt
   * (a cluster: another node after a loss, see `NodeRotation`); the name goes in its query.
   */
  readonly url: string | (() => string);
  /** A fresh id for a message or a request (1 to 64 characters). */
  readonly newId: () => string;
  /** The clock. */
  readonly now: () => number;
}

type Result = [ChatState, Effect<ChatAction>];

// eslint-disable-next-line no-control-regex -- finding control characters is the point (the server's rule)
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Why `name` (trimmed) cannot be a user name, by the server's rule, or `null`. */
export function nameProblem(name: string): string | null {
  const trimmed = name.trim();
  if (trimmed.length === 0) return 'Type a name.';
  if (trimmed.length > LIMITS.name) return `A name has at most ${LIMITS.name} characters.`;
  if (CONTROL.test(trimmed)) return 'A name cannot contain control characters.';
  return null;
}

/**
 * The room name a typed one stands for (`General Chat` → `general-chat`, `room:` dropped).
 * Only a convenience: the server decides whether the name is valid.
 */
export function roomInput(input: string): string {
  return input.trim().toLowerCase().replace(/^room:/, '').replace(/\s+/g, '-');
}

const isErrorFrame = (value: unknown): value is ErrorFrame =>
  typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'error' && typeof (value as { message?: unknown }).message === 'string';

/** How a `create` fails on the way, in the user's words (any other error gives its own message). */
const CREATE_FAILURES: Partial<Record<WebSocketErrorCode, string>> = {
  [WS_ERROR_CODES.REQUEST_TIMEOUT]: 'The server did not answer in time. Try again.',
  [WS_ERROR_CODES.CONNECTION_FAILED]: 'The connection was lost before the server answered. Try again once connected.',
  // Requests skip the offline queue: while not connected the send fails at once.
  [WS_ERROR_CODES.SEND_FAILED]: 'Not connected: rooms can be created once the connection is back.',
};

/** What to tell about a failed `create`: the server's message for an error reply, else what went wrong on the way. */
export function createProblem(error: WebSocketError): string {
  // An error reply: the whole `error` frame is the cause.
  if (error.code === WS_ERROR_CODES.REQUEST_FAILED && isErrorFrame(error.cause)) return error.cause.message;
  return CREATE_FAILURES[error.code] ?? error.message;
}

/** A room's name without the `room:` prefix. */
export const roomName = (channel: string): string => channel.replace(/^room:/, '');

/** A message id: time and randomness, URL-safe, 20 characters. Works outside secure contexts (unlike `randomUUID`). */
export function createMessageId(): string {
  const random = crypto.getRandomValues(new Uint8Array(8));
  return Date.now().toString(36) + Array.from(random, (byte) => byte.toString(36).padStart(2, '0')).join('').slice(0, 12);
}

const isSay = (value: unknown): value is SayFrame =>
  typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'say' && typeof (value as { id?: unknown }).id === 'string';

const done = (state: ChatState): Result => [state, Effect.none()];

const notify = (state: ChatState, source: Notice['source'], code: string, message: string): ChatState => ({
  ...state,
  notices: [...state.notices, { id: state.nextNoticeId, source, code, message }].slice(-MAX_NOTICES),
  nextNoticeId: state.nextNoticeId + 1,
});

/** Applies `change` to the open room's message `id`, if there is one. */
const updateEntry = (state: ChatState, id: string, change: (entry: ChatEntry) => ChatEntry): ChatState => {
  const room = state.room;
  const at = room ? room.messages.findIndex((entry) => entry.id === id) : -1;
  if (!room || at < 0) return state;
  const messages = [...room.messages];
  messages[at] = change(messages[at]!);
  return { ...state, room: { ...room, messages } };
};

/** Adds server lines to the room's messages: new ids at the end, known ids updated in place (each id shows once). */
const mergeLines = (messages: readonly ChatEntry[], lines: readonly ChatLine[], name: string | null): ChatEntry[] => {
  const merged = [...messages];
  const index = new Map(merged.map((entry, at) => [entry.id, at]));
  for (const { id, channel, user, text, timestamp } of lines) {
    const at = index.get(id);
    if (at === undefined) {
      index.set(id, merged.length);
      merged.push({ id, channel, user, text, timestamp, own: user === name, status: 'delivered', error: null });
    } else {
      // Ours, seen back from the server: its time; the status changes with the `ack`.
      merged[at] = { ...merged[at]!, user, text, timestamp };
    }
  }
  return merged;
};

const connect = (deps: ChatDependencies, name: string): Effect<ChatAction> =>
  Effect.websocket.connect(
    deps.client,
    EFFECT_IDS.connection,
    // Called before every attempt: the server knows the user as soon as a reconnection opens.
    () => `${typeof deps.url === 'string' ? deps.url : deps.url()}?name=${encodeURIComponent(name)}`,
    undefined,
    (event) => ({ type: 'connectionEvent', event }),
  );

const say = (deps: ChatDependencies, entry: ChatEntry): Effect<ChatAction> =>
  Effect.websocket.send(
    deps.client,
    { type: 'say', id: entry.id, channel: entry.channel, text: entry.text },
    () => ({ type: 'messageAccepted', id: entry.id }),
    (error) => ({ type: 'messageFailed', id: entry.id, error: error.message }),
  );

/**
 * Opens `channel`: the router listener joins it (now, or once connected, and after every
 * reconnect) and replaces the previous room's, which leaves it. A `create` still awaiting its
 * answer is forgotten: the user has moved on.
 */
const openRoom = (state: ChatState, deps: ChatDependencies, channel: string): Result => {
  if (state.room?.channel === channel) return done({ ...state, roomError: null, creating: null });
  return [
    { ...state, roomError: null, creating: null, room: { channel, members: [], messages: [], loaded: false } },
    Effect.subscription(EFFECT_IDS.room, () => deps.router.subscribe(channel, () => undefined)),
  ];
};

/** A client `error` event: connection failures go to the indicator, the rest worth telling to the notices. */
const clientError = (state: ChatState, error: WebSocketError): ChatState => {
  switch (error.code) {
    case WS_ERROR_CODES.MAX_RECONNECTS:
      // The indicator says why, from the client's `lastError`.
      return { ...state, connection: 'failed' };
    case WS_ERROR_CODES.CONNECTION_FAILED:
    case WS_ERROR_CODES.CONNECTION_TIMEOUT:
      // Retried by the client and shown by the indicator; one that retrying cannot fix is told.
      return error.recoverable ? state : notify(state, 'client', error.code, error.message);
    case WS_ERROR_CODES.HEARTBEAT_TIMEOUT:
      // The `disconnected` event that follows says it, and the client reconnects.
      return state;
    case WS_ERROR_CODES.SEND_FAILED:
      // The queue dropped a message (full): the message says so. Other send failures only
      // matter while connected: during a loss the queue keeps what could not go out.
      if (isSay(error.cause)) {
        const failed = updateEntry(state, error.cause.id, (entry) => ({ ...entry, status: 'failed', error: 'Dropped from the offline queue (full)' }));
        return notify(failed, 'client', error.code, 'A message written offline was dropped: the queue was full.');
      }
      return state.connection === 'connected' ? notify(state, 'client', error.code, error.message) : state;
    case WS_ERROR_CODES.REQUEST_TIMEOUT:
    case WS_ERROR_CODES.REQUEST_FAILED:
      // The request layer's only events: a reply after its request settled (`Late reply`).
      // The failure was told where the request was made (`roomError`), and a room created
      // late shows in the room list anyway.
      return state;
    case WS_ERROR_CODES.INVALID_MESSAGE:
    case WS_ERROR_CODES.PROTOCOL_ERROR:
    case WS_ERROR_CODES.CALLBACK_FAILED:
      return notify(state, 'client', error.code, error.message);
  }
};

const connectionEvent = (state: ChatState, event: WebSocketEvent): ChatState => {
  switch (event.type) {
    case 'connected':
      return { ...state, connection: 'connected' };
    case 'reconnected':
      return state;
    case 'disconnected':
      // A loss is followed at once by `reconnecting` when the client tries again (online).
      if (state.connection === 'failed' || state.connection === 'idle') return state;
      return { ...state, connection: 'disconnected' };
    case 'reconnecting':
      return { ...state, connection: 'reconnecting' };
    case 'network':
      // Offline, a loss is followed by a wait for the network instead of `reconnecting`: the
      // client is reconnecting all the same (the indicator tells the two apart).
      return event.waiting ? { ...state, connection: 'reconnecting' } : state;
    case 'error':
      return clientError(state, event.error);
  }
};

const frameReceived = (state: ChatState, frame: ServerFrame, deps: ChatDependencies): Result => {
  const room = state.room;
  switch (frame.type) {
    case 'welcome':
      return done({ ...state, name: frame.name, rooms: frame.rooms });
    case 'rooms':
      return done({ ...state, rooms: frame.rooms });
    case 'history':
      if (room?.channel !== frame.channel) return done(state);
      return done({ ...state, room: { ...room, loaded: true, messages: mergeLines(room.messages, frame.messages, state.name) } });
    case 'presence':
      if (room?.channel !== frame.channel) return done(state);
      return done({ ...state, room: { ...room, members: frame.members } });
    case 'message':
      if (room?.channel !== frame.channel) return done(state);
      return done({ ...state, room: { ...room, messages: mergeLines(room.messages, [frame], state.name) } });
    case 'ack':
      return done(updateEntry(state, frame.id, (entry) => ({ ...entry, status: 'delivered', error: null })));
    case 'error': {
      if (frame.code === 'stale-offset') {
        // The server lost the room's log (a restarted single server): the router's offset points
        // past its end. Opening the room again forgets it (the router's last listener goes, then
        // a first join): the server sends its history afresh. Nothing to tell the user.
        if (!room || room.channel !== frame.channel) return done(state);
        const channel = room.channel;
        return [
          state,
          Effect.subscription(EFFECT_IDS.room, () => {
            // Every listener of the room goes (the store also ends the previous subscription,
            // whose unsubscribe is then a no-op), so the router forgets the offset and sends `leave`.
            deps.router.unsubscribe(channel);
            return deps.router.subscribe(channel, () => undefined);
          }),
        ];
      }
      const told = notify(state, 'server', frame.code, frame.message);
      if (frame.code === 'bad-name') {
        // The server will not take this name: back to the name screen, disconnected.
        return [
          { ...initialState, nameError: frame.message, notices: told.notices, nextNoticeId: told.nextNoticeId },
          Effect.batch(Effect.cancel(EFFECT_IDS.room), Effect.cancel(EFFECT_IDS.frames), Effect.cancel(EFFECT_IDS.connection)),
        ];
      }
      if (frame.id === undefined) return done(told);
      return done(updateEntry(told, frame.id, (entry) => (entry.status === 'delivered' ? entry : { ...entry, status: 'failed', error: frame.message })));
    }
    case 'pong':
    case 'created':
      // Pongs stop at the heartbeat, replies at the request layer.
      return done(state);
  }
};

/** The chat's reducer. */
export function chatReducer(state: ChatState, action: ChatAction, deps: ChatDependencies): Result {
  switch (action.type) {
    case 'nameSubmitted': {
      if (state.name !== null) return done(state);
      const problem = nameProblem(action.name);
      if (problem !== null) return done({ ...state, nameError: problem });
      const name = action.name.trim();
      return [
        { ...state, name, nameError: null, connection: 'connecting' },
        Effect.batch(
          Effect.websocket.subscribe(deps.client, EFFECT_IDS.frames, (message) => ({ type: 'frameReceived', frame: message.data })),
          connect(deps, name),
        ),
      ];
    }

    case 'connectionEvent':
      return done(connectionEvent(state, action.event));

    case 'frameReceived':
      return frameReceived(state, action.frame, deps);

    case 'gapReported': {
      // Told for the open room only: another room's gap would be a notice about nothing on screen.
      if (state.room?.channel !== action.channel) return done(state);
      const missing = action.to - action.from + 1;
      return done(
        notify(state, 'client', 'gap', `Some messages are no longer available: ${missing} earlier message${missing === 1 ? '' : 's'} of ${action.channel} could not be recovered.`),
      );
    }

    case 'retryClicked':
      if (state.name === null || state.connection === 'connected' || state.connection === 'connecting') return done(state);
      // Running the connect effect again under its id: the store ends the old one (which
      // disconnects), then connects afresh, attempt counter reset.
      return [{ ...state, connection: 'connecting' }, connect(deps, state.name)];

    case 'roomOpened':
      if (!ROOM_PATTERN.test(action.channel)) return done(state);
      return openRoom(state, deps, action.channel);

    case 'roomCreateSubmitted': {
      if (state.creating !== null) return done(state);
      const name = roomInput(action.name);
      // Cheap checks that save a round trip; the server validates the name.
      if (name === '') return done({ ...state, roomError: 'Type a room name.' });
      // In the list already (rooms are never removed): open it, as a click on it would.
      if (state.rooms.some((room) => room.channel === `room:${name}`)) return openRoom(state, deps, `room:${name}`);
      const id = deps.newId();
      return [
        { ...state, roomError: null, creating: { id, name } },
        Effect.websocket.request(
          () => deps.requests.request({ type: 'create', id, name }, { timeout: CREATE_TIMEOUT }),
          (reply) => ({ type: 'roomCreated', id, room: reply.room }),
          (error) => ({ type: 'roomCreateFailed', id, code: error.code, message: createProblem(error) }),
        ),
      ];
    }

    case 'roomCreated':
      // An answer to a request since forgotten (another room was opened meanwhile) changes nothing.
      if (state.creating?.id !== action.id) return done(state);
      return openRoom(state, deps, action.room.channel);

    case 'roomCreateFailed':
      if (state.creating?.id !== action.id) return done(state);
      return done({ ...state, creating: null, roomError: action.message });

    case 'roomClosed':
      if (!state.room) return done(state);
      return [{ ...state, room: null }, Effect.cancel(EFFECT_IDS.room)];

    case 'messageSubmitted': {
      const { room, name } = state;
      const text = action.text.trim();
      if (!room || name === null || text.length === 0 || text.length > LIMITS.text) return done(state);
      // Shown at once, pending: the queue sends it now or once the connection is back.
      const entry: ChatEntry = { id: deps.newId(), channel: room.channel, user: name, text, timestamp: deps.now(), own: true, status: 'pending', error: null };
      return [{ ...state, room: { ...room, messages: [...room.messages, entry] } }, say(deps, entry)];
    }

    case 'messageAccepted':
      // Queued or on the wire: it stays pending until the server's `ack`.
      return done(state);

    case 'messageFailed':
      return done(updateEntry(state, action.id, (entry) => (entry.status === 'delivered' ? entry : { ...entry, status: 'failed', error: action.error })));

    case 'messageRetried': {
      const entry = state.room?.messages.find((candidate) => candidate.id === action.id);
      if (!entry?.own || entry.status !== 'failed') return done(state);
      const retried: ChatEntry = { ...entry, status: 'pending', error: null };
      return [updateEntry(state, entry.id, () => retried), say(deps, retried)];
    }

    case 'noticeDismissed':
      return done({ ...state, notices: state.notices.filter((notice) => notice.id !== action.id) });
  }
}
