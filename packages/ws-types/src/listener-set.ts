import type { Unsubscribe } from './client.js';

/** A set of listeners that all receive each emitted value; one throwing never stops the rest. */
export interface ListenerSet<V> {
  /**
   * Adds a listener; the returned function removes it (calling it again does nothing). Adding
   * the same function twice makes two independent subscriptions.
   */
  add(listener: (value: V) => void): Unsubscribe;
  /**
   * Calls every listener with `value`, in the order they were added, without copying the set.
   * A listener that throws does not stop the others: its exception is re-thrown from a
   * microtask, the way `EventTarget` reports one, so it reaches `window.onerror`,
   * `process.on('uncaughtException')` or the test runner instead of being swallowed.
   */
  emit(value: V): void;
  /** Removes every listener. */
  clear(): void;
  /** How many listeners there are. */
  readonly size: number;
}

/** Creates a {@link ListenerSet}. */
export function createListenerSet<V>(): ListenerSet<V> {
  const listeners = new Set<(value: V) => void>();
  return {
    add(listener) {
      // A fresh wrapper per call keeps repeated subscriptions of one function independent.
      const entry = (value: V): void => {
        listener(value);
      };
      listeners.add(entry);
      return () => void listeners.delete(entry);
    },
    emit(value) {
      for (const listener of listeners) {
        try {
          listener(value);
        } catch (error) {
          queueMicrotask(() => {
            throw error;
          });
        }
      }
    },
    clear() {
      listeners.clear();
    },
    get size() {
      return listeners.size;
    },
  };
}
