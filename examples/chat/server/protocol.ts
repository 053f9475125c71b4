/**
 * The chat's wire protocol: JSON text frames, one object per frame, told apart by `type`.
 * The WebSocket endpoint is `/ws`; `/ws?name=Alice` names the user at connect time (the server
 * answers with `welcome` at once), as a `hello` frame does later.
 * Rooms are channels named `room:<name>`; frames about a room carry it in `channel`, which is
 * what the app's router dispatches on.
 *
 * Recovery: every `message` of a room carries `seq`, its position in the room (consecutive,
 * from 1). A `join` with `after` asks for the messages of the room with a `seq` above it (a
 * re-join after a reconnection); the server sends them as `message` frames, in order, before
 * any newer one. A `join` without `after` gets the room's recent `history` instead.
 *
 * One exchange is a request and its reply: `create` carries an `id` the client chose, and the
 * server answers it once, with `created` or an `error`, each carrying that id in `replyTo`
 * (the app's ws-request layer matches them).
 */

/** Room channel names: `room:` then 1–32 lowercase letters, digits or dashes. */
export const ROOM_PATTERN = /^room:[a-z0-9-]{1,32}$/;

/** The rooms every server starts with. */
export const DEFAULT_ROOMS = ['room:lobby', 'room:general'] as const;

/** Limits the server enforces; the app uses the same numbers to validate before sending. */
export const LIMITS = {
  /** Longest user name, in characters. */
  name: 32,
  /** Longest message text, in characters. */
  text: 2000,
  /** Longest message id, in characters. */
  id: 64,
  /** Largest frame accepted, in bytes (larger frames close the connection with 1009). */
  payload: 16 * 1024,
} as const;

// Client → server
export interface HelloFrame { type: 'hello'; name: string }
/**
 * Joins a room. `after`: the last `seq` the client has of this room; the server replays what came
 * after it (from the oldest it still keeps) as `message` frames. Without it: a `history` frame.
 */
export interface JoinFrame { type: 'join'; channel: string; after?: number }
export interface LeaveFrame { type: 'leave'; channel: string }
export interface SayFrame { type: 'say'; id: string; channel: string; text: string }
export interface PingFrame { type: 'ping' }
/**
 * A request: create the room `room:<name>` (`name` without `room:`), or find it if it exists.
 * Answered with `created` (the room) or `error` (`bad-room`, `rate-limited`, ...), `replyTo: id`.
 */
export interface CreateFrame { type: 'create'; id: string; name: string }
export type ClientFrame = HelloFrame | JoinFrame | LeaveFrame | SayFrame | PingFrame | CreateFrame;

// Server → client
export interface RoomSummary { channel: string; count: number }
/** A message of a room. `seq`: its position in the room, consecutive from 1. */
export interface ChatLine { id: string; channel: string; seq: number; user: string; text: string; timestamp: number }
/**
 * `nodes`: the chat WebSocket URLs of every node of the cluster this server belongs to (this one
 * included), for a client to move to another one when its node goes away; absent for a single server.
 */
export interface WelcomeFrame { type: 'welcome'; name: string; rooms: RoomSummary[]; nodes?: string[] }
export interface RoomsFrame { type: 'rooms'; rooms: RoomSummary[] }
/**
 * The reply to a `join` without `after`: the room's last messages, oldest first, and `seq`, the
 * room's last `seq` when they were read (0 for a room without messages): the client's starting
 * point for recovery, even when `messages` is empty.
 */
export interface HistoryFrame { type: 'history'; channel: string; seq: number; messages: ChatLine[] }
export interface PresenceFrame { type: 'presence'; channel: string; members: string[] }
export interface MessageFrame extends ChatLine { type: 'message' }
export interface AckFrame { type: 'ack'; id: string }
export interface PongFrame { type: 'pong' }
/** The reply to a `create`: the room, new or existing, with its head count. */
export interface CreatedFrame { type: 'created'; replyTo: string; room: RoomSummary }
export type ErrorCode =
  | 'bad-frame'
  | 'bad-name'
  | 'bad-room'
  | 'bad-text'
  | 'not-named'
  | 'not-in-room'
  | 'rate-limited'
  | 'stale-offset'
  | 'unavailable';
/**
 * A refused frame. `id`: the refused frame's id, for a `say`. `replyTo`: the refused request's
 * id, for a `create` (the error is then that request's reply). `channel`: the room, for a refused
 * `join` (`stale-offset`: its `after` is beyond the room's last `seq`, the room's log was lost;
 * the client is in the room but was sent nothing: it forgets its offset, leaves and joins again
 * without one).
 */
export interface ErrorFrame { type: 'error'; code: ErrorCode; message: string; id?: string; replyTo?: string; channel?: string }
export type ServerFrame =
  | WelcomeFrame
  | RoomsFrame
  | HistoryFrame
  | PresenceFrame
  | MessageFrame
  | AckFrame
  | PongFrame
  | CreatedFrame
  | ErrorFrame;

/** The reply to each request type, for ws-request's typed `request()`. */
export interface Replies {
  create: CreatedFrame;
}

/** Close codes the server uses besides the standard ones. */
export const CLOSE_CODES = {
  /** Too many frames over the rate limit: the client is closed (policy violation). */
  abuse: 1008,
  /** A frame over `LIMITS.payload` (set by `ws`). */
  tooBig: 1009,
} as const;
