import type { Unsubscribe } from './client.js';

/** One subscription; an object of its own so that adding the same function twice makes two. */
interface Entry<V> {
  readonly f: (value: V) => void;
}

/**
 * A set of listeners that all receive each emitted value, in the order they were added; one
 * throwing never stops the rest.
 *
 * A listener that throws is handed to `onThrow` (clients turn it into an `error` event with
 * the thrown value as `cause`). Without `onThrow`, or when `onThrow` itself throws, the
 * exception is re-thrown from a microtask, the way `EventTarget` reports one, so it reaches
 * `window.onerror`, `process.on('uncaughtException')` or the test runner instead of being lost.
 */
export class ListenerSet<V> {
  // Most sets never have more than one listener (a decorator's set, a router channel): that one
  // is kept alone, and a `Set` is made only for a second one (or one added while emitting).
  private one: Entry<V> | null = null;
  private l: Set<Entry<V>> | null = null;
  private emitting = 0;

  /**
   * @param onThrow - receives what a listener threw, and the value it was given.
   * @param owner - what `onThrow` is called on (its `this`): clients pass themselves and a
   * function shared by all of them, rather than a closure per set.
   */
  constructor(
    private readonly onThrow?: (error: unknown, value: V) => void,
    private readonly owner?: unknown,
  ) {}

  /** Adds a listener; the returned function removes it (calling it again does nothing). */
  add(listener: (value: V) => void): Unsubscribe {
    const entry: Entry<V> = { f: listener };
    if (!this.l && !this.one && !this.emitting) {
      this.one = entry;
    } else {
      const set = (this.l ??= new Set());
      if (this.one) set.add(this.one);
      this.one = null;
      set.add(entry);
    }
    return () => {
      if (this.one === entry) this.one = null;
      else this.l?.delete(entry);
    };
  }

  /**
   * Calls every listener with `value` without copying the set: a listener removed meanwhile is
   * skipped, and one added meanwhile is called too.
   */
  emit(value: V): void {
    const one = this.one;
    this.emitting++;
    try {
      if (one) this.call(one, value);
      // Listeners added while emitting make a set, which holds the one called above first.
      const set = this.l;
      if (set) for (const entry of set) if (entry !== one) this.call(entry, value);
    } finally {
      this.emitting--;
    }
  }

  /** Removes every listener. */
  clear(): void {
    this.one = null;
    this.l?.clear();
  }

  /** How many listeners there are. */
  get size(): number {
    return this.l ? this.l.size : this.one ? 1 : 0;
  }

  private call(entry: Entry<V>, value: V): void {
    try {
      entry.f(value);
    } catch (error) {
      this.thrown(error, value);
    }
  }

  private thrown(error: unknown, value: V): void {
    try {
      if (this.onThrow) return this.onThrow.call(this.owner, error, value);
    } catch (again) {
      error = again;
    }
    queueMicrotask(() => {
      throw error;
    });
  }
}

/** Creates a {@link ListenerSet}. */
export const createListenerSet = <V>(onThrow?: (error: unknown, value: V) => void): ListenerSet<V> => new ListenerSet(onThrow);
