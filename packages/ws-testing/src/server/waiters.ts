/** Promises waiting for the next occurrence of something (a connection, a message). */
export interface Waiters<T> {
  /** A promise that resolves with the next value passed to `resolve`; it never rejects. */
  next(): Promise<T>;
  /** Resolves every promise handed out by `next` so far with `value`. */
  resolve(value: T): void;
}

/** Creates an empty set of waiters. */
export function createWaiters<T>(): Waiters<T> {
  let pending: ((value: T) => void)[] = [];
  return {
    next: () => new Promise<T>((resolve) => pending.push(resolve)),
    resolve(value) {
      if (pending.length === 0) return;
      const waiting = pending;
      pending = [];
      for (const resolve of waiting) resolve(value);
    },
  };
}
