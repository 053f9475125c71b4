import { afterEach, describe, expect, it, vi } from 'vitest';
import { ListenerSet, createListenerSet } from './listener-set.js';

/**
 * Records what tasks queued with `queueMicrotask` throw, while still running them as microtasks.
 * `settled` resolves once the microtasks queued so far have run.
 */
function captureMicrotaskThrows() {
  const thrown: unknown[] = [];
  const original = globalThis.queueMicrotask;
  const spy = vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((task) => {
    original(() => {
      try {
        task();
      } catch (error) {
        thrown.push(error);
      }
    });
  });
  const settled = async (): Promise<void> => {
    await new Promise<void>((resolve) => {
      original(resolve);
    });
  };
  return { thrown, spy, settled };
}

describe('ListenerSet', () => {
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

  it('calls a listener added during an emit in that emit, as a Set iteration does, with one or more listeners', () => {
    for (const before of [1, 2]) {
      const set = createListenerSet<number>();
      const calls: string[] = [];
      let added = false;
      for (let i = 0; i < before; i++) {
        set.add((n) => {
          calls.push(`l${i}:${n}`);
          if (!added) {
            added = true;
            set.add((m) => calls.push(`new:${m}`));
          }
        });
      }
      set.emit(1);
      set.emit(2);
      const expected = before === 1 ? ['l0:1', 'new:1', 'l0:2', 'new:2'] : ['l0:1', 'l1:1', 'new:1', 'l0:2', 'l1:2', 'new:2'];
      expect(calls, `${before} listener(s) before`).toEqual(expected);
      expect(set.size).toBe(before + 1);
    }
  });

  it('lets the only listener replace itself during an emit: the new one is called too, and only it afterwards', () => {
    const set = createListenerSet<number>();
    const calls: string[] = [];
    const off = set.add((n) => {
      calls.push(`old:${n}`);
      off();
      set.add((m) => calls.push(`new:${m}`));
    });
    set.emit(1);
    set.emit(2);
    expect(calls).toEqual(['old:1', 'new:1', 'new:2']);
    expect(set.size).toBe(1);
  });

  it('keeps the order of the first listener when a second one comes, and counts through every change', () => {
    const set = createListenerSet<string>();
    const calls: string[] = [];
    expect(set.size).toBe(0);
    const offA = set.add((v) => calls.push(`a${v}`));
    expect(set.size).toBe(1);
    const offB = set.add((v) => calls.push(`b${v}`));
    set.emit('1');
    offA();
    offA();
    expect(set.size).toBe(1);
    set.emit('2');
    offB();
    expect(set.size).toBe(0);
    set.emit('3');
    set.add((v) => calls.push(`c${v}`));
    set.emit('4');
    expect(calls).toEqual(['a1', 'b1', 'b2', 'c4']);
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

  it('is made by new ListenerSet() as well as by createListenerSet()', () => {
    expect(createListenerSet<number>()).toBeInstanceOf(ListenerSet);
    const set = new ListenerSet<string>();
    const listener = vi.fn();
    const off = set.add(listener);
    set.emit('x');
    off();
    set.emit('y');
    expect(listener.mock.calls).toEqual([['x']]);
    expect(set.size).toBe(0);
  });

  it('hands a throwing listener to onThrow with the thrown value and the emitted value, and re-throws nothing', async () => {
    const { thrown, spy, settled } = captureMicrotaskThrows();
    const onThrow = vi.fn();
    const set = new ListenerSet<number>(onThrow);
    const boom = new Error('listener failed');
    const before = vi.fn();
    const after = vi.fn();
    set.add(before);
    set.add(() => {
      throw boom;
    });
    set.add(() => {
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- any value can be thrown
      throw 'not an error';
    });
    set.add(after);
    expect(() => {
      set.emit(5);
    }).not.toThrow();
    expect(before).toHaveBeenCalledWith(5);
    expect(after).toHaveBeenCalledWith(5);
    expect(onThrow.mock.calls).toEqual([
      [boom, 5],
      ['not an error', 5],
    ]);
    // onThrow is called synchronously, in the order of the listeners.
    expect(onThrow.mock.invocationCallOrder[1]!).toBeLessThan(after.mock.invocationCallOrder[0]!);
    expect(spy).not.toHaveBeenCalled();
    await settled();
    expect(thrown).toEqual([]);
  });

  it('re-throws from a microtask what onThrow itself throws, and still calls the other listeners', async () => {
    const { thrown, settled } = captureMicrotaskThrows();
    const original = new Error('listener failed');
    const again = new Error('onThrow failed');
    const onThrow = vi.fn(() => {
      throw again;
    });
    const set = createListenerSet<number>(onThrow);
    const after = vi.fn();
    set.add(() => {
      throw original;
    });
    set.add(after);
    expect(() => {
      set.emit(1);
    }).not.toThrow();
    expect(onThrow).toHaveBeenCalledWith(original, 1);
    expect(after).toHaveBeenCalledWith(1);
    // Nothing is thrown synchronously: only once the microtask runs.
    expect(thrown).toEqual([]);
    await settled();
    expect(thrown).toEqual([again]);
  });

  it('lets onThrow re-throw the original error, which then surfaces from a microtask', async () => {
    const { thrown, settled } = captureMicrotaskThrows();
    const boom = new Error('listener failed');
    const set = new ListenerSet<number>((error) => {
      throw error;
    });
    set.add(() => {
      throw boom;
    });
    set.emit(1);
    await settled();
    expect(thrown).toEqual([boom]);
  });

  it('re-throws each throwing listener separately without onThrow', async () => {
    const { thrown, settled } = captureMicrotaskThrows();
    const set = createListenerSet<number>();
    const a = new Error('a');
    const b = new Error('b');
    set.add(() => {
      throw a;
    });
    set.add(() => {
      throw b;
    });
    set.emit(1);
    await settled();
    expect(thrown).toEqual([a, b]);
  });
});
