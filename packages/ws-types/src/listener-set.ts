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
  // Made on the first add: most decorators of a stack never get a listener of their own.
  private l: Set<Entry<V>> | null = null;

  /** @param onThrow - receives what a listener threw, and the value it was given. */
  constructor(private readonly onThrow?: (error: unknown, value: V) => void) {}

  /** Adds a listener; the returned function removes it (calling it again does nothing). */
  add(listener: (value: V) => void): Unsubscribe {
    const entry: Entry<V> = { f: listener };
    const set = (this.l ??= new Set());
    set.add(entry);
    return () => void set.delete(entry);
  }

  /** Calls every listener with `value` without copying the set (a listener removed meanwhile is skipped). */
  emit(value: V): void {
    const set = this.l;
    if (!set) return;
    for (const entry of set) {
      try {
        entry.f(value);
      } catch (error) {
        this.thrown(error, value);
      }
    }
  }

  /** Removes every listener. */
  clear(): void {
    this.l?.clear();
  }

  /** How many listeners there are. */
  get size(): number {
    return this.l ? this.l.size : 0;
  }

  private thrown(error: unknown, value: V): void {
    try {
      if (this.onThrow) return this.onThrow(error, value);
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
