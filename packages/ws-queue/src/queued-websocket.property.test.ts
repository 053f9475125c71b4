import type { DropReason, DropStrategy } from './config.js';
import { createMockWebSocket } from '@composable-svelte/ws-testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createQueuedWebSocket } from './queued-websocket.js';

const URL = 'wss://example.com';

type Op =
  | { kind: 'send' }
  /** Connects; listeners of the `connected` event send `extra` messages at once. */
  | { kind: 'connect'; extra: number }
  | { kind: 'drop' }
  | { kind: 'disconnect' }
  | { kind: 'clear' };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.constant({ kind: 'send' as const }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 3 }).map((extra) => ({ kind: 'connect' as const, extra })) },
  { weight: 2, arbitrary: fc.constant({ kind: 'drop' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'disconnect' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'clear' as const }) },
);

/** What the queue should do, written the simplest way: arrays. */
class Model {
  queue: string[] = [];
  delivered: string[] = [];
  drops: [string, DropReason][] = [];
  rejected: string[] = [];
  connected = false;
  flushing = false;

  constructor(
    readonly maxSize: number,
    readonly strategy: DropStrategy,
  ) {}

  send(message: string): void {
    if (this.connected && !this.flushing && this.queue.length === 0) {
      this.delivered.push(message);
      return;
    }
    if (this.queue.length >= this.maxSize) {
      if (this.strategy === 'reject') {
        this.rejected.push(message);
        return;
      }
      if (this.strategy === 'newest') {
        this.drops.push([message, 'overflow']);
        return;
      }
      this.drops.push([this.queue.shift()!, 'overflow']);
    }
    this.queue.push(message);
  }

  /** The flush takes the head before `connected` listeners run; what they send waits behind the rest. */
  connect(listenerSends: string[]): void {
    this.connected = true;
    const first = this.queue.shift();
    if (first !== undefined) {
      this.delivered.push(first);
      this.flushing = true;
    }
    for (const message of listenerSends) this.send(message);
    this.delivered.push(...this.queue.splice(0));
    this.flushing = false;
  }

  clear(): void {
    for (const message of this.queue.splice(0)) this.drops.push([message, 'cleared']);
  }
}

describe('queue order and bounds (property)', () => {
  it.each<DropStrategy>(['oldest', 'newest', 'reject'])(
    "'%s': delivered sequence, drops, rejections and contents are exactly the model's",
    async (strategy) => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: 5 }), fc.array(op, { maxLength: 60 }), async (maxSize, ops) => {
          const mock = createMockWebSocket<string>({ connect: 'manual' });
          const drops: [string, DropReason][] = [];
          const rejected: string[] = [];
          const queued = createQueuedWebSocket(mock, {
            maxSize,
            dropStrategy: strategy,
            onDrop: (message, reason) => drops.push([message, reason]),
          });
          const model = new Model(maxSize, strategy);
          let counter = 0;
          let listenerSends: string[] = [];
          queued.subscribeToEvents((event) => {
            if (event.type !== 'connected') return;
            for (const message of listenerSends) void queued.send(message).catch(() => rejected.push(message));
          });

          for (const step of ops) {
            switch (step.kind) {
              case 'send': {
                const message = `m${counter++}`;
                model.send(message);
                await queued.send(message).catch(() => rejected.push(message));
                break;
              }
              case 'connect': {
                if (model.connected) break;
                listenerSends = Array.from({ length: step.extra }, () => `m${counter++}`);
                model.connect(listenerSends);
                if (mock.state.status === 'reconnecting') mock.open();
                else {
                  const connecting = queued.connect(URL);
                  mock.open();
                  await connecting;
                }
                await queued.connect(URL); // resolves once the flush has ended
                listenerSends = [];
                break;
              }
              case 'drop':
                if (!model.connected) break;
                model.connected = false;
                mock.simulateDisconnect(1006, '', { reconnect: true });
                break;
              case 'disconnect':
                if (!model.connected) break;
                model.connected = false;
                await queued.disconnect();
                break;
              case 'clear':
                model.clear();
                queued.queue.clear();
                break;
            }
            await Promise.resolve();
            expect(queued.queue.size).toBeLessThanOrEqual(maxSize);
            expect(queued.queue.peek()).toEqual(model.queue);
            expect(queued.queue.size).toBe(model.queue.length);
            expect(queued.queue.isFull).toBe(model.queue.length >= maxSize);
            expect(mock.sentMessages).toEqual(model.delivered);
            expect(drops).toEqual(model.drops);
            expect(rejected).toEqual(model.rejected);
          }
        }),
        { numRuns: 150 },
      );
    },
  );
});

describe('acknowledged delivery (property)', () => {
  type AckOp =
    | { kind: 'send' }
    | { kind: 'connect' }
    /** The connection drops; with `lose`, what was sent since the last step never arrives. */
    | { kind: 'drop'; lose: boolean }
    | { kind: 'disconnect' }
    | { kind: 'ack'; pick: number };
  const ackOp: fc.Arbitrary<AckOp> = fc.oneof(
    { weight: 4, arbitrary: fc.constant({ kind: 'send' as const }) },
    { weight: 2, arbitrary: fc.constant({ kind: 'connect' as const }) },
    { weight: 2, arbitrary: fc.boolean().map((lose) => ({ kind: 'drop' as const, lose })) },
    { weight: 1, arbitrary: fc.constant({ kind: 'disconnect' as const }) },
    { weight: 3, arbitrary: fc.nat().map((pick) => ({ kind: 'ack' as const, pick })) },
  );

  it('loses nothing across lossy drops, keeps order, and the server ends with each message once after dedup', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(ackOp, { maxLength: 60 }), async (ops) => {
        const mock = createMockWebSocket<string>({ connect: 'manual' });
        const queued = createQueuedWebSocket(mock, {
          maxSize: 1000,
          ack: { id: (message) => message, ackOf: (data) => (data.startsWith('ack:') ? data.slice(4) : undefined) },
        });
        const sent: string[] = [];
        const acked = new Set<string>();
        // What reached the server: the mock's sends, less those lost in a drop.
        const server: string[] = [];
        let wire = 0;
        const arrive = (lose = false): void => {
          if (!lose) server.push(...mock.sentMessages.slice(wire));
          wire = mock.sentMessages.length;
        };
        const connect = async (): Promise<void> => {
          if (mock.state.status === 'connected') return;
          if (mock.state.status === 'reconnecting') mock.open();
          else {
            const connecting = queued.connect(URL);
            mock.open();
            await connecting;
          }
          await queued.connect(URL);
        };

        for (const step of ops) {
          switch (step.kind) {
            case 'send': {
              const message = `m${sent.length}`;
              sent.push(message);
              await queued.send(message);
              break;
            }
            case 'connect':
              await connect();
              break;
            case 'drop':
              arrive(step.lose);
              if (mock.state.status === 'connected') mock.simulateDisconnect(1006, '', { reconnect: true });
              break;
            case 'disconnect':
              arrive();
              await queued.disconnect();
              break;
            case 'ack': {
              arrive();
              if (mock.state.status !== 'connected' || server.length === 0) break;
              const id = server[step.pick % server.length]!;
              acked.add(id);
              mock.simulateMessage(`ack:${id}`);
              break;
            }
          }
          await Promise.resolve();
          // Nothing lost: every message is acknowledged or still held, in send order.
          expect(queued.queue.peek()).toEqual(sent.filter((message) => !acked.has(message)));
        }

        // Finally the connection holds, and the server acknowledges everything that arrives.
        await connect();
        arrive();
        for (const id of new Set(server)) mock.simulateMessage(`ack:${id}`);
        expect(queued.queue.size).toBe(0);
        // Each message arrived at least once; keeping the first copy of each id gives the send order.
        expect([...new Set(server)]).toEqual(sent);
      }),
      { numRuns: 200 },
    );
  });
});
