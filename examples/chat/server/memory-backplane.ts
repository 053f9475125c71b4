import type { Backplane, BackplaneListener, NewLine } from './backplane.js';
import { DEFAULT_ROOMS, type ChatLine, type RoomSummary } from './protocol.js';

/** Options of {@link createMemoryBackplane}. */
export interface MemoryBackplaneOptions {
  /** Most rooms that may exist. */
  maxRooms: number;
  /** Messages kept per room, for history and replay. */
  retention: number;
  /** Message ids remembered per user for deduplication. */
  dedupSize: number;
}

interface MemoryRoom {
  seq: number;
  lines: ChatLine[];
  names: readonly string[];
}

const MAX_USERS_REMEMBERED = 10_000;

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The backplane of a single process: everything in memory, gone when it stops. Its promises
 * resolve at once, and a message reaches the listener before `append` resolves.
 */
export function createMemoryBackplane(listener: BackplaneListener, options: MemoryBackplaneOptions): Backplane {
  const rooms = new Map<string, MemoryRoom>(DEFAULT_ROOMS.map((channel) => [channel, { seq: 0, lines: [], names: [] }]));
  // Ids already delivered, per user name, oldest first (a Map keeps insertion order).
  const seen = new Map<string, Map<string, true>>();

  const room = (channel: string): MemoryRoom | undefined => rooms.get(channel);

  return {
    ensureRoom(channel) {
      if (rooms.has(channel)) return Promise.resolve(true);
      if (rooms.size >= options.maxRooms) return Promise.resolve(false);
      rooms.set(channel, { seq: 0, lines: [], names: [] });
      listener.rooms();
      return Promise.resolve(true);
    },
    summaries() {
      const list: RoomSummary[] = [...rooms].map(([channel, entry]) => ({ channel, count: entry.names.length }));
      return Promise.resolve(list);
    },
    append(line: NewLine) {
      const target = room(line.channel);
      if (!target) return Promise.reject(new Error(`No room ${line.channel}`));
      let ids = seen.get(line.user);
      if (!ids) {
        seen.set(line.user, (ids = new Map<string, true>()));
        // Bounded memory: forget the users seen longest ago.
        if (seen.size > MAX_USERS_REMEMBERED) seen.delete(seen.keys().next().value!);
      }
      if (ids.has(line.id)) return Promise.resolve(null);
      ids.set(line.id, true);
      if (ids.size > options.dedupSize) ids.delete(ids.keys().next().value!);
      const stored: ChatLine = { id: line.id, channel: line.channel, seq: ++target.seq, user: line.user, text: line.text, timestamp: line.timestamp };
      target.lines.push(stored);
      if (target.lines.length > options.retention) target.lines.shift();
      listener.line(stored);
      return Promise.resolve(stored);
    },
    head: (channel) => Promise.resolve(room(channel)?.seq ?? 0),
    range(channel, after, upto) {
      const lines = room(channel)?.lines ?? [];
      // Seqs are consecutive: the line with `seq` s sits at s minus the first one's seq.
      const first = lines[0]?.seq ?? 1;
      return Promise.resolve(lines.slice(Math.max(0, after + 1 - first), Math.max(0, upto + 1 - first)));
    },
    latest(channel, count, upto) {
      const lines = room(channel)?.lines ?? [];
      const first = lines[0]?.seq ?? 1;
      const end = Math.max(0, upto + 1 - first);
      return Promise.resolve(lines.slice(Math.max(0, end - count), end));
    },
    watch: () => Promise.resolve(),
    unwatch: () => Promise.resolve(),
    setMembers(channel, names) {
      const target = room(channel);
      if (target) target.names = [...names];
      listener.presence(channel);
      return Promise.resolve();
    },
    members: (channel) => Promise.resolve([...(room(channel)?.names ?? [])].sort(byName)),
    close: () => Promise.resolve(),
  };
}
