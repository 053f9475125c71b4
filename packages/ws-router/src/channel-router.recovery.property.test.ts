/**
 * Recovery as a property: a server model that numbers each channel's messages, keeps a trimmed
 * history, forgets its subscriptions when the connection drops, and replays from the offset a
 * join carries. Over random publishes, drops and reconnections, every offset reaches the
 * listener exactly once and in order, and gaps are reported exactly where the trimmed history
 * skipped offsets (the model computes them on its own, from what it replayed).
 */
import { createMockWebSocket } from '@composable-svelte/ws-testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createChannelRouter, type ChannelGap } from './index.js';

type Msg =
  | { type: 'message'; channel: string; seq: number }
  | { type: 'presence'; channel: string }
  | { type: 'join'; channel: string; since: number | undefined };

const CHANNELS = ['a', 'b'] as const;
const name = fc.constantFrom(...CHANNELS);

const step = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant('publish' as const), channel: name }), weight: 8 },
  { arbitrary: fc.record({ op: fc.constant('presence' as const), channel: name }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('drop' as const) }), weight: 2 },
  // How many already-seen offsets a sloppy server sends again before the missed ones.
  { arbitrary: fc.record({ op: fc.constant('reconnect' as const), overlap: fc.nat({ max: 3 }) }), weight: 2 },
);

/** One channel on the server: the last offset issued and the offsets its history still holds. */
interface ServerChannel {
  head: number;
  history: number[];
}

describe('recovery (property)', () => {
  it('delivers each offset once and in order across disconnections; gaps exactly where history was trimmed', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { maxLength: 120 }),
        fc.integer({ min: 1, max: 6 }), // history kept per channel
        fc.tuple(fc.nat({ max: 10 }), fc.nat({ max: 10 })), // offsets published before the client came
        async (steps, capacity, before) => {
          const mock = createMockWebSocket<Msg>({ reconnect: true });
          await mock.connect('wss://example.test');

          const server = new Map<string, ServerChannel>();
          CHANNELS.forEach((channel, i) => {
            const head = before[i]!;
            server.set(channel, { head, history: Array.from({ length: Math.min(head, capacity) }, (_, k) => head - Math.min(head, capacity) + 1 + k) });
          });
          let joined = new Set<string>(); // the server's subscriptions on the current connection
          let connected = true;

          const received = new Map<string, number[]>(CHANNELS.map((c) => [c, []]));
          const presences = new Map<string, number>(CHANNELS.map((c) => [c, 0]));
          const gaps: ChannelGap[] = [];
          const errors: unknown[] = [];
          const expectedGaps: ChannelGap[] = [];
          const expectedPresences = new Map<string, number>(CHANNELS.map((c) => [c, 0]));
          // What the client must have received: the model's own account, offset by offset.
          const owed = new Map<string, number[]>(CHANNELS.map((c) => [c, []]));
          const lastOf = (channel: string): number | undefined => owed.get(channel)!.at(-1);

          const router = createChannelRouter(mock, 'channel', {
            offset: (msg) => (msg.type === 'message' ? msg.seq : undefined),
            onGap: (gap) => gaps.push(gap),
            onError: (error) => errors.push(error),
            join: (channel, since) => ({ type: 'join', channel, since }),
          });

          /** The server answers the joins sent since `from`: subscribe, then replay after `since`. */
          const serve = (from: number, overlap: number): void => {
            for (const msg of mock.sentMessages.slice(from)) {
              if (msg.type !== 'join') continue;
              // The join carries exactly the last offset the listener got.
              expect(msg.since).toBe(lastOf(msg.channel));
              joined.add(msg.channel);
              if (msg.since === undefined) continue; // a first join: no replay, as today
              const { history } = server.get(msg.channel)!;
              const missed = history.filter((seq) => seq > msg.since!);
              if (missed.length > 0 && missed[0]! > msg.since + 1) {
                expectedGaps.push({ channel: msg.channel, from: msg.since + 1, to: missed[0]! - 1 });
              }
              owed.get(msg.channel)!.push(...missed);
              const resent = history.filter((seq) => seq > msg.since! - overlap);
              for (const seq of resent) mock.simulateMessage({ type: 'message', channel: msg.channel, seq });
            }
          };

          for (const channel of CHANNELS) {
            router.subscribe(channel, (message) => {
              if (message.data.type === 'message') received.get(channel)!.push(message.data.seq);
              else presences.set(channel, presences.get(channel)! + 1);
            });
          }
          serve(0, 0);

          for (const s of steps) {
            if (s.op === 'publish') {
              const state = server.get(s.channel)!;
              const seq = ++state.head;
              state.history.push(seq);
              if (state.history.length > capacity) state.history.shift();
              if (connected && joined.has(s.channel)) {
                owed.get(s.channel)!.push(seq);
                mock.simulateMessage({ type: 'message', channel: s.channel, seq });
              }
            } else if (s.op === 'presence') {
              if (connected && joined.has(s.channel)) {
                expectedPresences.set(s.channel, expectedPresences.get(s.channel)! + 1);
                mock.simulateMessage({ type: 'presence', channel: s.channel });
              }
            } else if (s.op === 'drop') {
              if (!connected) continue;
              mock.simulateDisconnect();
              connected = false;
              joined = new Set();
            } else {
              if (connected) continue;
              const from = mock.sentMessages.length;
              mock.open();
              connected = true;
              serve(from, s.overlap);
            }
          }

          for (const channel of CHANNELS) {
            const got = received.get(channel)!;
            // Exactly once, in order: strictly increasing.
            for (let i = 1; i < got.length; i++) expect(got[i]!).toBeGreaterThan(got[i - 1]!);
            expect(got).toEqual(owed.get(channel));
            // Between the first and the last offset received, each one was received or reported missing, once.
            const covered = [...got, ...gaps.filter((gap) => gap.channel === channel).flatMap((gap) => range(gap.from, gap.to))].sort((x, y) => x - y);
            if (got.length > 0) expect(covered).toEqual(range(got[0]!, got.at(-1)!));
            expect(router.getOffset(channel)).toBe(got.at(-1));
            expect(presences.get(channel)).toBe(expectedPresences.get(channel));
          }
          expect(gaps).toEqual(expectedGaps);
          expect(errors).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });
});

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
