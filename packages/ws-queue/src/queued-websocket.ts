import {
  WebSocketError,
  WS_ERROR_CODES,
  type DropReason,
  type QueueConfig,
  type WebSocketClient,
  type WebSocketEvent,
} from '@composable-svelte/ws-types';
import { checkNumber, createListenerSet } from '@composable-svelte/ws-types/shared';
import { DEFAULT_QUEUE } from './defaults.js';

/** The messages a queued client holds; see {@link createQueuedWebSocket}. */
export interface MessageQueue<T> {
  /**
   * How many messages are held: those waiting to go out plus, with `ack`, those sent and not
   * yet acknowledged. Expired messages are not counted.
   */
  readonly size: number;
  /** Whether `size` has reached `maxSize`, so that the next send meets the `dropStrategy`. */
  readonly isFull: boolean;
  /** A copy of the held messages, oldest first: the order in which they will be (re)sent. */
  peek(): T[];
  /** Drops every held message, each reported to `onDrop` and as an `error` event with reason `'cleared'`. */
  clear(): void;
}

/** A client whose sends are queued while it is not connected; see {@link createQueuedWebSocket}. */
export interface QueuedWebSocket<T> extends WebSocketClient<T> {
  /** The queue: its size, whether it is full, a copy of its messages, and `clear()`. */
  readonly queue: MessageQueue<T>;
}

/** A held message: a node of a singly linked list, so that enqueue and dequeue are O(1). */
interface Entry<T> {
  /** The message. */
  m: T;
  /** When `send()` was called, for `ttl` (0 without it). */
  t: number;
  /** The next newer entry. */
  n: Entry<T> | null;
  /** Its `ack` id. */
  i: string | undefined;
  /** Gone from the list (sent, acknowledged, dropped), so that a send settling late leaves it alone. */
  g: boolean;
}

const ignore = (): void => undefined;

/** Marks a promise handled: the caller still sees the rejection, which is also an `error` event. */
const handled = <P extends Promise<unknown>>(promise: P): P => {
  promise.catch(ignore);
  return promise;
};

/**
 * Wraps any client (live, mock, spy, another decorator) so that messages sent while it is not
 * connected are queued, then sent in order, before anything newer, once it connects.
 *
 * - `send()` while the wrapped client's `state.status` is not `'connected'`, or while queued
 *   messages are still waiting or being flushed: queues the message and resolves once queued.
 *   When the queue is full, the `dropStrategy` applies: `'oldest'` drops the oldest held
 *   message, `'newest'` drops this one (the promise still resolves), `'reject'` rejects with
 *   `SEND_FAILED`.
 * - `send()` while connected with nothing queued: the wrapped client's `send()`, same promise.
 * - On every `connected` event of the wrapped client the queue is flushed, one message at a
 *   time in FIFO order, before the event reaches this client's listeners. A send rejected
 *   with a recoverable error stops the flush: that message and the rest stay queued until the
 *   next `connected`. One rejected for good (not recoverable, such as `INVALID_MESSAGE`) is
 *   dropped with reason `'invalid'` and the flush goes on.
 * - `connect()` resolves once the wrapped client is connected and the flush has ended.
 * - Every drop calls `onDrop(message, reason)` and emits an `error` event (`SEND_FAILED`,
 *   recoverable, `cause`: the message) to this client's event listeners, which also receive
 *   every event of the wrapped client.
 * - `disconnect()` keeps the queue: its messages go out after the next connection.
 * - With `ttl`, a message not delivered within `ttl` ms of its `send()` is dropped with reason
 *   `'expired'`. No timer is used: `size`, `isFull` and `peek()` leave expired messages out at
 *   once, and they are dropped and reported at the next `send()`, flush or `clear()`.
 * - With `ack`, each message that went out stays held (and counts toward `maxSize`) until a
 *   received message acknowledges its id; after a loss, held messages are sent again first,
 *   in their order, then the queue (at-least-once: the server deduplicates by id).
 *
 * @param client - the client to wrap; `connect`, `disconnect`, `subscribe`, `markDead`,
 * `state` and `stats` are its own.
 * @param options - {@link QueueConfig}, or a number meaning `maxSize`. Defaults: {@link DEFAULT_QUEUE}.
 * @throws TypeError naming the option when `maxSize` is not a positive integer, `ttl` not a
 * finite number >= 0, or `dropStrategy` unknown.
 * @example
 * ```ts
 * const websocket = createQueuedWebSocket(createLiveWebSocket({ reconnect: {} }), { maxSize: 100 });
 * await websocket.send({ type: 'chat', text: 'Hello!' }); // queued
 * await websocket.connect('wss://api.example.com'); // sent, then resolves
 * websocket.queue.size; // 0
 * ```
 */
export function createQueuedWebSocket<T>(client: WebSocketClient<T>, options: QueueConfig<T> | number = {}): QueuedWebSocket<T> {
  const config = typeof options === 'number' ? { maxSize: options } : options;
  const maxSize = checkNumber('maxSize', config.maxSize ?? DEFAULT_QUEUE.maxSize, 1, true);
  const ttl = checkNumber('ttl', config.ttl ?? DEFAULT_QUEUE.ttl, 0);
  const strategy = config.dropStrategy ?? DEFAULT_QUEUE.dropStrategy;
  if (strategy !== 'oldest' && strategy !== 'newest' && strategy !== 'reject') {
    throw new TypeError(`dropStrategy must be 'oldest', 'newest' or 'reject', got ${strategy as string}`);
  }
  const { onDrop, ack } = config;
  // `Date.now` is looked up at each call, so fake timers apply.
  const clock = config.timers ?? Date;
  const events = createListenerSet<WebSocketEvent>();
  const drops = createListenerSet<readonly [T, DropReason]>();
  if (onDrop) drops.add(([message, reason]) => onDrop(message, reason));

  // The list runs from `head` (oldest) to `tail`. With `ack`, the entries before `next` went
  // out on the current connection and await their acknowledgement; without it, `next === head`.
  let head: Entry<T> | null = null;
  let tail: Entry<T> | null = null;
  let next: Entry<T> | null = null;
  let count = 0;
  let flushing = false;
  let done = Promise.resolve();
  // Counters of what happened while a send was pending, so that its outcome is applied right.
  let connects = 0;
  let losses = 0;
  let clears = 0;

  const connected = (): boolean => client.state.status === 'connected';

  const report = (error: WebSocketError): void => {
    events.emit({ type: 'error', error, timestamp: clock.now() });
  };

  const drop = (message: T, reason: DropReason): void => {
    drops.emit([message, reason]);
    report(new WebSocketError(`Queued message dropped: ${reason}`, WS_ERROR_CODES.SEND_FAILED, true, message));
  };

  /** Takes `entry` out of the list: O(1) for the head, the usual case. */
  const unlink = (entry: Entry<T>): void => {
    for (let x = head, prev: Entry<T> | null = null; x; prev = x, x = x.n) {
      if (x !== entry) continue;
      if (prev) prev.n = x.n;
      else head = x.n;
      if (tail === x) tail = prev;
      if (next === x) next = x.n;
      x.g = true;
      count--;
      return;
    }
  };

  const expired = (entry: Entry<T>, now: number): boolean => now - entry.t >= ttl;

  /** How many entries from the head have expired and wait to be dropped (at the next send, flush or clear). */
  const stale = (): number => {
    let found = 0;
    if (ttl) for (let x = head, now = clock.now(); x && expired(x, now); x = x.n) found++;
    return found;
  };

  const purge = (): void => {
    if (!ttl) return;
    const now = clock.now();
    while (head && expired(head, now)) {
      const oldest = head;
      unlink(oldest);
      drop(oldest.m, 'expired');
    }
  };

  const push = (message: T): Entry<T> => {
    const entry: Entry<T> = { m: message, t: ttl && clock.now(), n: null, i: ack?.id(message), g: false };
    if (tail) tail.n = entry;
    else head = entry;
    tail = entry;
    next ??= entry;
    count++;
    return entry;
  };

  /** Puts back at the head a message whose send failed (without `ack`, where `next === head`). */
  const restore = (entry: Entry<T>): void => {
    entry.n = head;
    entry.g = false;
    head = next = entry;
    tail ??= entry;
    count++;
  };

  const run = async (): Promise<void> => {
    try {
      while (connected()) {
        purge();
        const entry = next;
        if (!entry) return;
        const seen = connects;
        const lost = losses;
        const wiped = clears;
        if (ack) next = entry.n;
        else unlink(entry);
        try {
          await client.send(entry.m);
        } catch (error) {
          const fatal = error instanceof WebSocketError && !error.recoverable;
          if (ack) {
            if (!entry.g && fatal) {
              unlink(entry);
              drop(entry.m, 'invalid');
            } else if (!entry.g && lost === losses) next = entry;
          } else if (wiped !== clears || fatal) drop(entry.m, fatal ? 'invalid' : 'cleared');
          else restore(entry);
          // Stop until the next connection, unless one came while this send was pending.
          if (!fatal && seen === connects) return;
        }
      }
    } finally {
      flushing = false;
    }
  };

  const flush = (): Promise<void> => {
    if (!flushing) {
      flushing = true;
      done = run();
    }
    return done;
  };

  client.subscribeToEvents((event) => {
    if (event.type === 'connected') {
      connects++;
      // Starts sending before this client's listeners hear of the connection.
      void flush();
    } else if (event.type === 'disconnected') {
      losses++;
      // What went out on the lost connection may not have arrived: send it again.
      if (ack) next = head;
    }
    events.emit(event);
  });

  if (ack) {
    client.subscribe(({ data }) => {
      const id = ack.ackOf(data);
      if (id === undefined) return;
      for (let x = head; x; x = x.n) {
        if (x.i === id) {
          unlink(x);
          return;
        }
      }
    });
  }

  return {
    connect: (url, protocols) => handled(client.connect(url, protocols).then(() => done)),
    disconnect: (code, reason) => client.disconnect(code, reason),

    send(message) {
      const direct = !flushing && !next && connected();
      if (direct && !ack) return client.send(message);
      purge();
      if (count >= maxSize) {
        if (strategy === 'reject') {
          const error = new WebSocketError(`Queue is full (${maxSize})`, WS_ERROR_CODES.SEND_FAILED, true, message);
          report(error);
          return handled(Promise.reject(error));
        }
        if (strategy === 'newest') {
          drop(message, 'overflow');
          return Promise.resolve();
        }
        while (head && count >= maxSize) {
          const oldest = head;
          unlink(oldest);
          drop(oldest.m, 'overflow');
        }
      }
      const entry = push(message);
      if (!direct) return Promise.resolve();
      // Connected with nothing waiting: it goes out now and stays held until acknowledged.
      next = null;
      const sent = client.send(message);
      void sent.catch(() => {
        // It did not go out, and the caller hears so: hold it no longer.
        if (!entry.g) unlink(entry);
      });
      return sent;
    },

    subscribe: (listener) => client.subscribe(listener),
    subscribeToEvents: (listener) => events.add(listener),
    markDead: (reason) => client.markDead(reason),

    get state() {
      return client.state;
    },
    get stats() {
      return client.stats;
    },

    queue: {
      get size() {
        return count - stale();
      },
      get isFull() {
        return count - stale() >= maxSize;
      },
      peek() {
        const messages: T[] = [];
        let skip = stale();
        for (let x = head; x; x = x.n) if (skip-- <= 0) messages.push(x.m);
        return messages;
      },
      clear() {
        purge();
        let x = head;
        head = tail = next = null;
        count = 0;
        clears++;
        for (; x; x = x.n) {
          x.g = true;
          drop(x.m, 'cleared');
        }
      },
    },
  };
}
