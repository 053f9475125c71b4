import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMessageQueue } from './message-queue.js';

describe('createMessageQueue', () => {
  it('keeps the newest maxSize messages in order, as a model array does', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(fc.oneof(fc.integer(), fc.constant('flush'), fc.constant('clear')), { maxLength: 60 }), (max, ops) => {
        const queue = createMessageQueue<number>(max);
        let model: number[] = [];
        for (const op of ops) {
          if (op === 'flush') {
            expect(queue.flush()).toEqual(model);
            model = [];
          } else if (op === 'clear') {
            queue.clear();
            model = [];
          } else {
            queue.enqueue(op);
            model.push(op);
            if (model.length > max) model.shift();
          }
          expect(queue.size).toBe(model.length);
        }
        expect(queue.flush()).toEqual(model);
        expect(queue.size).toBe(0);
      }),
    );
  });

  it('defaults to 100 and reports maxSize as given', () => {
    const queue = createMessageQueue();
    expect(queue.maxSize).toBe(100);
    for (let i = 0; i < 150; i++) queue.enqueue(i);
    expect(queue.size).toBe(100);
    expect(queue.flush()[0]).toBe(50);
  });

  it('rejects a maxSize that is not a positive integer', () => {
    for (const bad of [0, -1, 2.5, Number.NaN, Infinity]) expect(() => createMessageQueue(bad)).toThrow(TypeError);
  });

  it('drops the oldest in constant time, whatever the size', () => {
    const queue = createMessageQueue<number>(100_000);
    for (let i = 0; i < 300_000; i++) queue.enqueue(i);
    const all = queue.flush();
    expect(all).toHaveLength(100_000);
    expect(all[0]).toBe(200_000);
    expect(all.at(-1)).toBe(299_999);
  });
});
