import { afterEach, describe, expect, it, vi } from 'vitest';
import { createListenerSet } from './listener-set.js';

describe('createListenerSet', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('calls every listener in order with the value', () => {
    const set = createListenerSet<number>();
    const calls: string[] = [];
    set.add((v) => calls.push(`a${v}`));
    set.add((v) => calls.push(`b${v}`));
    set.emit(1);
    expect(calls).toEqual(['a1', 'b1']);
    expect(set.size).toBe(2);
  });

  it('treats the same function added twice as two subscriptions', () => {
    const set = createListenerSet<number>();
    const listener = vi.fn();
    const off1 = set.add(listener);
    set.add(listener);
    off1();
    off1();
    set.emit(7);
    expect(listener).toHaveBeenCalledTimes(1);
    expect(set.size).toBe(1);
  });

  it('lets a listener unsubscribe another during an emit', () => {
    const set = createListenerSet<number>();
    const second = vi.fn();
    let offSecond = (): void => undefined;
    set.add(() => offSecond());
    offSecond = set.add(second);
    set.emit(1);
    expect(second).not.toHaveBeenCalled();
  });

  it('keeps calling the others when one throws, and reports the error asynchronously', async () => {
    const set = createListenerSet<number>();
    const boom = new Error('listener failed');
    const after = vi.fn();
    set.add(() => {
      throw boom;
    });
    set.add(after);
    const reported = new Promise<unknown>((resolve) => {
      const original = globalThis.queueMicrotask;
      vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((task) => {
        original(() => {
          try {
            task();
          } catch (error) {
            resolve(error);
          }
        });
      });
    });
    expect(() => {
      set.emit(1);
    }).not.toThrow();
    expect(after).toHaveBeenCalledWith(1);
    await expect(reported).resolves.toBe(boom);
  });

  it('clear removes every listener', () => {
    const set = createListenerSet<number>();
    const listener = vi.fn();
    set.add(listener);
    set.clear();
    set.emit(1);
    expect(listener).not.toHaveBeenCalled();
    expect(set.size).toBe(0);
  });
});
