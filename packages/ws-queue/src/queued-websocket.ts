import {
  WebSocketError,
  WS_ERROR_CODES,
  type SymbolDisposable,
  type UrlProvider,
  type WebSocketClient,
  type WebSocketEvent,
  type WebSocketMessage,
} from '@composable-svelte/ws-types';
import { ForwardingClient, ListenerSet, callbackFailed, checkFunction, checkNumber, handled } from '@composable-svelte/ws-types/internal';
import type { AckOptions, DropReason, DropStrategy, QueueConfig } from './config.js';
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
export interface QueuedWebSocket<In, Out = In> extends WebSocketClient<In, Out>, SymbolDisposable {
  /** The queue: its size, whether it is full, a copy of its messages, and `clear()`. */
  readonly queue: MessageQueue<Out>;
  /**
   * Drops every held message (reason `'disposed'`, reported to `onDrop` and as an `error`
   * event), stops any flush, and releases every subscription on the wrapped client. Afterwards
   * `send()` and `connect()` reject. The wrapped client is left as it is.
   */
  dispose(): void;
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

class Queued<In, Out> extends ForwardingClient<In, Out> implements QueuedWebSocket<In, Out>, MessageQueue<Out> {
  private readonly maxSize: number;
  private readonly ttl: number;
  private readonly strategy: DropStrategy;
  private readonly ack: AckOptions<In, Out> | undefined;
  private readonly drops: ListenerSet<readonly [Out, DropReason]>;
  // The list runs from `head` (oldest) to `tail`. With `ack`, the entries before `next` went
  // out on the current connection and await their acknowledgement; without it, `next === head`.
  private head: Entry<Out> | null = null;
  private tail: Entry<Out> | null = null;
  private next: Entry<Out> | null = null;
  private count = 0;
  private flushing = false;
  private done = Promise.resolve();
  // Counters of what happened while a send was pending, so that its outcome is applied right.
  private connects = 0;
  private losses = 0;
  private clears = 0;

  constructor(client: WebSocketClient<In, Out>, config: QueueConfig<In, Out>) {
    // `Date.now` is looked up at each call, so fake timers apply.
    super(client, config.timers ?? Date);
    this.maxSize = checkNumber('maxSize', config.maxSize ?? DEFAULT_QUEUE.maxSize, 1, true);
    this.ttl = checkNumber('ttl', config.ttl ?? DEFAULT_QUEUE.ttl, 0);
    const strategy = config.dropStrategy ?? DEFAULT_QUEUE.dropStrategy;
    if (strategy !== 'oldest' && strategy !== 'newest' && strategy !== 'reject') {
      throw new TypeError(`dropStrategy must be 'oldest', 'newest' or 'reject', got ${strategy as string}`);
    }
    this.strategy = strategy;
    checkFunction('onDrop', config.onDrop, true);
    if (config.ack) {
      checkFunction('ack.id', config.ack.id);
      checkFunction('ack.ackOf', config.ack.ackOf);
    }
    this.ack = config.ack;
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called on this queue (the owner)
    this.drops = new ListenerSet(Queued.dropListenerThrew, this);
    const onDrop = config.onDrop;
    if (onDrop) this.drops.add(([message, reason]) => onDrop(message, reason));
  }

  /** An `onDrop` that throws is the queue's own error (called on the queue by its drops set). */
  private static dropListenerThrew(this: Queued<unknown, unknown>, cause: unknown): void {
    this.report(callbackFailed('onDrop', cause));
  }

  get queue(): MessageQueue<Out> {
    return this;
  }

  get size(): number {
    return this.count - this.stale();
  }

  get isFull(): boolean {
    return this.size >= this.maxSize;
  }

  peek(): Out[] {
    const messages: Out[] = [];
    let skip = this.stale();
    for (let x = this.head; x; x = x.n) if (skip-- <= 0) messages.push(x.m);
    return messages;
  }

  clear(): void {
    this.purge();
    this.clears++;
    this.dropAll('cleared');
  }

  override connect(url: UrlProvider, protocols?: readonly string[]): Promise<void> {
    return handled(super.connect(url, protocols).then(() => this.done));
  }

  override send(message: Out): Promise<void> {
    if (this.disposed) return super.send(message);
    const direct = !this.flushing && !this.next && this.connected();
    if (direct && !this.ack) return this.inner.send(message);
    let id: string | undefined;
    if (this.ack) {
      try {
        id = this.ack.id(message);
        if (typeof id !== 'string') throw new TypeError(`ack.id gave ${typeof id}, not a string`);
      } catch (cause) {
        const error = callbackFailed('ack.id', cause);
        this.report(error);
        return handled(Promise.reject(error));
      }
    }
    this.purge();
    if (this.count >= this.maxSize) {
      if (this.strategy === 'reject') {
        const error = new WebSocketError(`Queue is full (${this.maxSize})`, WS_ERROR_CODES.SEND_FAILED, true, message);
        this.report(error);
        return handled(Promise.reject(error));
      }
      if (this.strategy === 'newest') {
        this.drop(message, 'overflow');
        return Promise.resolve();
      }
      while (this.head && this.count >= this.maxSize) {
        const oldest = this.head;
        this.unlink(oldest);
        this.drop(oldest.m, 'overflow');
      }
    }
    const entry = this.push(message, id);
    if (!direct) return Promise.resolve();
    // Connected with nothing waiting: it goes out now and stays held until acknowledged.
    this.next = null;
    const sent = this.inner.send(message);
    void sent.catch(() => {
      // It did not go out, and the caller hears so: hold it no longer.
      if (!entry.g) this.unlink(entry);
    });
    return sent;
  }

  protected override onMessage(message: WebSocketMessage<In>): boolean {
    let id: unknown;
    try {
      id = this.ack?.ackOf(message.data);
    } catch (cause) {
      this.report(callbackFailed('ack.ackOf', cause));
      return true;
    }
    if (id == null) return true;
    if (typeof id !== 'string') {
      this.report(callbackFailed('ack.ackOf', new TypeError(`ack.ackOf gave ${typeof id}, not a string`)));
      return true;
    }
    for (let x = this.head; x; x = x.n) {
      if (x.i === id) {
        this.unlink(x);
        break;
      }
    }
    return true;
  }

  protected override onEvent(event: WebSocketEvent): void {
    if (event.type === 'connected') {
      this.connects++;
      // Starts sending before this client's listeners hear of the connection.
      void this.flush();
    } else if (event.type === 'disconnected') {
      this.losses++;
      // What went out on the lost connection may not have arrived: send it again.
      if (this.ack) this.next = this.head;
    }
  }

  protected override needsEvents(): boolean {
    return this.count > 0 || this.flushing;
  }

  protected override needsMessages(): boolean {
    return this.ack !== undefined && this.count > 0;
  }

  protected override release(): void {
    this.clears++;
    this.dropAll('disposed');
  }

  private connected(): boolean {
    return this.innerStatus() === 'connected';
  }

  private drop(message: Out, reason: DropReason): void {
    this.drops.emit([message, reason]);
    this.report(new WebSocketError(`Queued message dropped: ${reason}`, WS_ERROR_CODES.SEND_FAILED, true, message));
  }

  private dropAll(reason: DropReason): void {
    let x = this.head;
    this.head = this.tail = this.next = null;
    this.count = 0;
    for (; x; x = x.n) {
      x.g = true;
      this.drop(x.m, reason);
    }
    this.sync();
  }

  /** Takes `entry` out of the list: O(1) for the head, the usual case. */
  private unlink(entry: Entry<Out>): void {
    for (let x = this.head, prev: Entry<Out> | null = null; x; prev = x, x = x.n) {
      if (x !== entry) continue;
      if (prev) prev.n = x.n;
      else this.head = x.n;
      if (this.tail === x) this.tail = prev;
      if (this.next === x) this.next = x.n;
      x.g = true;
      this.count--;
      if (this.count === 0) this.sync();
      return;
    }
  }

  private expired(entry: Entry<Out>, now: number): boolean {
    return now - entry.t >= this.ttl;
  }

  /** How many entries from the head have expired and wait to be dropped (at the next send, flush or clear). */
  private stale(): number {
    let found = 0;
    if (this.ttl) for (let x = this.head, now = this.clock.now(); x && this.expired(x, now); x = x.n) found++;
    return found;
  }

  private purge(): void {
    if (!this.ttl) return;
    const now = this.clock.now();
    while (this.head && this.expired(this.head, now)) {
      const oldest = this.head;
      this.unlink(oldest);
      this.drop(oldest.m, 'expired');
    }
  }

  private push(message: Out, id: string | undefined): Entry<Out> {
    const entry: Entry<Out> = { m: message, t: this.ttl && this.clock.now(), n: null, i: id, g: false };
    if (this.tail) this.tail.n = entry;
    else this.head = entry;
    this.tail = entry;
    this.next ??= entry;
    if (this.count++ === 0) this.sync();
    return entry;
  }

  /** Puts back at the head a message whose send failed (without `ack`, where `next === head`). */
  private restore(entry: Entry<Out>): void {
    entry.n = this.head;
    entry.g = false;
    this.head = this.next = entry;
    this.tail ??= entry;
    if (this.count++ === 0) this.sync();
  }

  private async run(): Promise<void> {
    try {
      while (!this.disposed && this.connected()) {
        this.purge();
        const entry = this.next;
        if (!entry) return;
        const seen = this.connects;
        const lost = this.losses;
        const wiped = this.clears;
        if (this.ack) this.next = entry.n;
        else this.unlink(entry);
        try {
          await this.inner.send(entry.m);
        } catch (error) {
          const fatal = error instanceof WebSocketError && !error.recoverable;
          if (this.ack) {
            if (!entry.g && fatal) {
              this.unlink(entry);
              this.drop(entry.m, 'invalid');
            } else if (!entry.g && lost === this.losses) this.next = entry;
          } else if (wiped !== this.clears || fatal) this.drop(entry.m, fatal ? 'invalid' : wiped !== this.clears && this.disposed ? 'disposed' : 'cleared');
          else this.restore(entry);
          // Stop until the next connection, unless one came while this send was pending.
          if (!fatal && seen === this.connects) return;
        }
      }
    } finally {
      this.flushing = false;
      this.sync();
    }
  }

  private flush(): Promise<void> {
    if (!this.flushing) {
      this.flushing = true;
      this.done = this.run();
    }
    return this.done;
  }
}

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
 *   every event of the wrapped client; these errors count in `state.lastError` and `stats.errors`.
 * - `disconnect()` keeps the queue: its messages go out after the next connection.
 * - With `ttl`, a message not delivered within `ttl` ms of its `send()` is dropped with reason
 *   `'expired'`. No timer is used: `size`, `isFull` and `peek()` leave expired messages out at
 *   once, and they are dropped and reported at the next `send()`, flush or `clear()`.
 * - With `ack`, each message that went out stays held (and counts toward `maxSize`) until a
 *   received message acknowledges its id; after a loss, held messages are sent again first,
 *   in their order, then the queue (at-least-once: the server deduplicates by id). An `ack.id`
 *   that throws or gives no string rejects that send with `CALLBACK_FAILED`; an `ack.ackOf`
 *   that throws is reported as `CALLBACK_FAILED` and the message is not taken as an ack.
 * - The queue subscribes to the wrapped client only while it holds messages, flushes, or has
 *   event listeners; `dispose()` drops what it holds and lets go.
 *
 * @param client - the client to wrap; `disconnect`, `subscribe`, `markDead` and `state` are
 * its own.
 * @param options - {@link QueueConfig}, or a number meaning `maxSize`. Defaults: {@link DEFAULT_QUEUE}.
 * @throws TypeError naming the option when `maxSize` is not a positive integer, `ttl` not a
 * finite number >= 0, `dropStrategy` unknown, or `onDrop`, `ack.id`, `ack.ackOf` not functions.
 * @example
 * ```ts
 * const websocket = createQueuedWebSocket(createLiveWebSocket({ reconnect: {} }), { maxSize: 100 });
 * await websocket.send({ type: 'chat', text: 'Hello!' }); // queued
 * await websocket.connect('wss://api.example.com'); // sent, then resolves
 * websocket.queue.size; // 0
 * ```
 */
export function createQueuedWebSocket<In, Out = In>(
  client: WebSocketClient<In, Out>,
  options: QueueConfig<In, Out> | number = {},
): QueuedWebSocket<In, Out> {
  return new Queued(client, typeof options === 'number' ? { maxSize: options } : options);
}
