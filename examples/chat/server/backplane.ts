import type { ChatLine, RoomSummary } from './protocol.js';

/** A message before the log has given it its place in the room. */
export type NewLine = Omit<ChatLine, 'seq'>;

/** What a backplane tells the chat server it runs under. */
export interface BackplaneListener {
  /**
   * A new message of a room this node watches, in `seq` order per room. After a lost connection
   * to the backplane some may be missing: the server fills a jump in `seq` from `range()`.
   */
  line(line: ChatLine): void;
  /** The members of `channel` changed on some node (and so did the room list's counts). */
  presence(channel: string): void;
  /** A room was created on some node. */
  rooms(): void;
  /** The connection to the backplane came back: lines may have been missed, presence may be stale. */
  resync(): void;
}

/**
 * Where the chat's shared state lives: the rooms, each room's log of messages with their `seq`,
 * the ids already delivered, who is in which room on which node, and the fan-out of new
 * messages to the nodes that have members in the room. In memory for one process
 * (`createMemoryBackplane`), in Redis for a cluster (`createRedisBackplane`).
 *
 * Every method may reject (a backplane that is unreachable); the server answers the client
 * with an `unavailable` error then.
 */
export interface Backplane {
  /** Creates `channel` if it is new; `false` when it is new and `maxRooms` rooms exist. */
  ensureRoom(channel: string): Promise<boolean>;
  /** Every room with its head count on all live nodes, the default rooms first, then by creation. */
  summaries(): Promise<RoomSummary[]>;
  /**
   * Appends a message to its room's log and fans it out, unless its user already sent a
   * message with this id (a resend): then `null`, and nothing is delivered.
   */
  append(line: NewLine): Promise<ChatLine | null>;
  /** The room's last `seq`, 0 when it has none. */
  head(channel: string): Promise<number>;
  /** The messages with `after < seq <= upto` that the log still keeps, oldest first. */
  range(channel: string, after: number, upto: number): Promise<ChatLine[]>;
  /** The last `count` messages with `seq <= upto`, oldest first. */
  latest(channel: string, count: number, upto: number): Promise<ChatLine[]>;
  /** Starts delivering the room's new messages to the listener; resolves once they will be. */
  watch(channel: string): Promise<void>;
  /** Stops delivering the room's new messages. */
  unwatch(channel: string): Promise<void>;
  /** Sets the names of this node's members of `channel` (one per connection; empty when none). */
  setMembers(channel: string, names: readonly string[]): Promise<void>;
  /** The names of the members of `channel` on every live node, sorted. */
  members(channel: string): Promise<string[]>;
  /** Releases what the backplane holds (this node's members, connections, timers). */
  close(): Promise<void>;
}
