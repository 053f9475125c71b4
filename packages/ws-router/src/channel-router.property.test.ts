import { createMockWebSocket } from '@composable-svelte/ws-testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createChannelRouter } from './index.js';

interface Msg {
  id: number;
  channel?: string;
  type?: 'join' | 'leave';
}

const channel = fc.constantFrom('a', 'b', 'c', 'room:lobby', '', 'constructor', '__proto__');

const operation = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant('subscribe' as const), channel }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant('unsubscribe' as const), pick: fc.nat() }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constant('message' as const), channel: fc.option(channel, { nil: undefined }) }), weight: 6 },
  { arbitrary: fc.record({ op: fc.constant('clear' as const) }), weight: 1 },
);

describe('router dispatch (property)', () => {
  it('delivers each message exactly to the listeners of its channel, in order, and the rest to the fallback', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { maxLength: 80 }), async (operations) => {
        const mock = createMockWebSocket<Msg>();
        await mock.connect('wss://example.test');
        const unrouted: number[] = [];
        const router = createChannelRouter(mock, (msg) => msg.channel, {
          fallback: (message) => unrouted.push(message.data.id),
          join: (name) => ({ id: -1, type: 'join', channel: name }),
          leave: (name) => ({ id: -1, type: 'leave', channel: name }),
        });

        // The model: active subscriptions in subscription order, what each must have received.
        interface Sub {
          channel: string;
          off: () => void;
          got: number[];
          expected: number[];
        }
        let active: Sub[] = [];
        const all: Sub[] = [];
        const expectedUnrouted: number[] = [];
        const expectedHooks: string[] = [];
        let nextId = 0;

        for (const step of operations) {
          if (step.op === 'subscribe') {
            if (!active.some((sub) => sub.channel === step.channel)) expectedHooks.push(`join ${step.channel}`);
            const sub: Sub = { channel: step.channel, off: () => undefined, got: [], expected: [] };
            sub.off = router.subscribe(step.channel, (message) => sub.got.push(message.data.id));
            active.push(sub);
            all.push(sub);
          } else if (step.op === 'unsubscribe') {
            if (all.length === 0) continue;
            const sub = all[step.pick % all.length]!;
            sub.off(); // possibly again, or after clear(): must change nothing then
            if (active.includes(sub)) {
              active = active.filter((other) => other !== sub);
              if (!active.some((other) => other.channel === sub.channel)) expectedHooks.push(`leave ${sub.channel}`);
            }
          } else if (step.op === 'clear') {
            for (const name of new Set(active.map((sub) => sub.channel))) expectedHooks.push(`leave ${name}`);
            router.clear();
            active = [];
          } else {
            const id = nextId++;
            const receivers = active.filter((sub) => step.channel !== undefined && sub.channel === step.channel);
            for (const sub of receivers) sub.expected.push(id);
            if (receivers.length === 0) expectedUnrouted.push(id);
            mock.simulateMessage(step.channel === undefined ? { id } : { id, channel: step.channel });
          }
          expect(router.getListenerCount()).toBe(active.length);
          expect(router.getChannels().sort()).toEqual([...new Set(active.map((sub) => sub.channel))].sort());
        }

        for (const sub of all) expect(sub.got).toEqual(sub.expected);
        expect(unrouted).toEqual(expectedUnrouted);
        expect(mock.sentMessages.map((msg) => `${msg.type} ${msg.channel}`)).toEqual(expectedHooks);
        for (const name of ['a', 'b', '__proto__']) {
          expect(router.getListenerCount(name)).toBe(active.filter((sub) => sub.channel === name).length);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('listens to the client exactly while it has a listener (no fallback)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.boolean(), channel, fc.nat()), { maxLength: 50 }), async (steps) => {
        const mock = createMockWebSocket<Msg>();
        await mock.connect('wss://example.test');
        const router = createChannelRouter(mock, (msg) => msg.channel);
        const offs: (() => void)[] = [];
        for (const [add, name, pick] of steps) {
          if (add) offs.push(router.subscribe(name, () => undefined));
          else if (offs.length > 0) offs.splice(pick % offs.length, 1)[0]!();
          expect(mock.listenerCount.messages).toBe(router.getListenerCount() > 0 ? 1 : 0);
        }
      }),
    );
  });
});
