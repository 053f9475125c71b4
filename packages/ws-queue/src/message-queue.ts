import { checkNumber } from '@composable-svelte/ws-types/internal';
import { DEFAULT_QUEUE } from './defaults.js';

/** A bounded FIFO of messages; see {@link createMessageQueue}. */
export interface BoundedQueue<T> {
  /** Appends a message; when the queue is full, the oldest message is dropped first. */
  enqueue(message: T): void;
  /** Takes every message out, oldest first: returns them and leaves the queue empty. */
  flush(): T[];
  /** Drops every message. */
  clear(): void;
  /** How many messages are held. */
  readonly size: number;
  /** The most messages held, as given. */
  readonly maxSize: number;
}

class Bounded<T> implements BoundedQueue<T> {
  private items: T[] = [];
  // Index of the oldest item in `items`: dropping the oldest is O(1), not `shift()`'s O(n).
  private start = 0;

  constructor(readonly maxSize: number) {}

  get size(): number {
    return this.items.length - this.start;
  }

  enqueue(message: T): void {
    if (this.size >= this.maxSize) {
      this.start++;
      // Compact once the dropped prefix is as long as what is held: amortized O(1).
      if (this.start * 2 >= this.items.length) {
        this.items = this.items.slice(this.start);
        this.start = 0;
      }
    }
    this.items.push(message);
  }

  flush(): T[] {
    const messages = this.start ? this.items.slice(this.start) : this.items;
    this.items = [];
    this.start = 0;
    return messages;
  }

  clear(): void {
    this.items = [];
    this.start = 0;
  }
}

/**
 * A standalone bounded FIFO for code that buffers messages itself (the standalone queue of
 * `@composable-svelte/core`'s websocket module, with the same API): `enqueue` drops the oldest
 * message when full, `flush` hands back everything in order. Unlike `createQueuedWebSocket`,
 * it wraps no client and reports nothing.
 *
 * @param maxSize - the most messages held, a positive integer. @defaultValue `100`
 * @throws TypeError when `maxSize` is not a positive integer.
 * @example
 * ```ts
 * const pending = createMessageQueue<Message>(2);
 * pending.enqueue(a); pending.enqueue(b); pending.enqueue(c); // a is dropped
 * for (const message of pending.flush()) await websocket.send(message); // b, then c
 * ```
 */
export function createMessageQueue<T = unknown>(maxSize: number = DEFAULT_QUEUE.maxSize): BoundedQueue<T> {
  return new Bounded<T>(checkNumber('maxSize', maxSize, 1, true));
}
