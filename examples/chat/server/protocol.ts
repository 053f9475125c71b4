/**
 * The chat's wire protocol: JSON text frames, one object per frame, told apart by `type`.
 * The WebSocket endpoint is `/ws`; `/ws?name=Alice` names the user at connect time (the server
 * answers with `welcome` at once), as a `hello` frame does later.
 * Rooms are channels named `room:<name>`; frames about a room carry it in `channel`, which is
 * what the app's router dispatches on.
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
export interface JoinFrame { type: 'join'; channel: string }
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
export interface ChatLine { id: string; channel: string; user: string; text: string; timestamp: number }
export interface WelcomeFrame { type: 'welcome'; name: string; rooms: RoomSummary[] }
export interface RoomsFrame { type: 'rooms'; rooms: RoomSummary[] }
export interface HistoryFrame { type: 'history'; channel: string; messages: ChatLine[] }
export interface PresenceFrame { type: 'presence'; channel: string; members: string[] }
export interface MessageFrame extends ChatLine { type: 'message' }
export interface AckFrame { type: 'ack'; id: string }
export interface PongFrame { type: 'pong' }
/** The reply to a `create`: the room, new or existing, with its head count. */
export interface CreatedFrame { type: 'created'; replyTo: string; room: RoomSummary }
export type ErrorCode = 'bad-frame' | 'bad-name' | 'bad-room' | 'bad-text' | 'not-named' | 'not-in-room' | 'rate-limited';
/**
 * A refused frame. `id`: the refused frame's id, for a `say`. `replyTo`: the refused request's
 * id, for a `create` (the error is then that request's reply).
 */
export interface ErrorFrame { type: 'error'; code: ErrorCode; message: string; id?: string; replyTo?: string }
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
