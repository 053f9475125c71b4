import { derived, fromStore, get } from 'svelte/store';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EventListener, MessageListener, Unsubscribe, WebSocketClient } from './client.js';
import type { ConnectionState, ConnectionStats, ConnectionStatus, RoundTripTime } from './connection.js';
import { WebSocketError, WS_ERROR_CODES } from './errors.js';
import type { WebSocketEvent } from './events.js';
import { ForwardingClient } from './forwarding-client.js';
import type { Timers } from './platform.js';
import { connectionStore } from './store.js';
import type { ConnectionView } from './store.js';

/**
 * A client driven by hand: the tests set its state and emit its events. Its `state` is a fresh
 * object (with a fresh `Date`) on every read, as real clients give snapshots.
 */
class FakeClient implements WebSocketClient {
  status: ConnectionStatus = 'disconnected';
  url: string | null = null;
  attempts = 0;
  lastError: WebSocketError | null = null;
  openedAt: number | null = null;
  readonly listeners = new Set<EventListener>();
  subscriptions = 0;

  connect(url: string): Promise<void> {
    this.url = url;
    this.status = 'connected';
    this.openedAt = 1_000;
    this.emit({ type: 'connected', url, protocols: [], timestamp: 1_000 });
    return Promise.resolve();
  }

  disconnect(code = 1000, reason = ''): Promise<void> {
    this.status = 'disconnected';
    this.openedAt = null;
    this.emit({ type: 'disconnected', code, reason, wasClean: true, timestamp: 2_000 });
    return Promise.resolve();
  }

  send(): Promise<void> {
    return Promise.resolve();
  }

  subscribe(_listener: MessageListener<unknown>): Unsubscribe {
    return () => undefined;
  }

  subscribeToEvents(listener: EventListener): Unsubscribe {
    this.subscriptions++;
    const wrapped: EventListener = (event) => listener(event);
    this.listeners.add(wrapped);
    return () => void this.listeners.delete(wrapped);
  }

  markDead(): void {
    // Not used here.
  }

  get state(): ConnectionState {
    return {
      status: this.status,
      url: this.url,
      protocols: [],
      reconnectAttempts: this.attempts,
      lastError: this.lastError,
      connectedAt: this.openedAt === null ? null : new Date(this.openedAt),
    };
  }

  get stats(): ConnectionStats {
    return { messagesSent: 0, messagesReceived: 0, bytesSent: 0, bytesReceived: 0, reconnects: 0, errors: 0, uptime: 0 };
  }

  emit(event: WebSocketEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  /** The connection drops and a reconnect is scheduled `delay` ms after `at`. */
  lose(attempt: number, delay: number, at: number): void {
    this.status = 'reconnecting';
    this.openedAt = null;
    this.attempts = attempt;
    this.emit({ type: 'disconnected', code: 1006, reason: '', wasClean: false, timestamp: at });
    this.emit({ type: 'reconnecting', attempt, delay, maxAttempts: 0, timestamp: at });
  }
}

/** A client with the extra properties ws-core's live client exposes. */
class LiveLikeClient extends FakeClient {
  network = { online: true, waiting: false };
  nextRetryAt: number | null = null;
}

/** A heartbeat stand-in: its `rtt` changes without any event, as after a pong. */
class FakeHeartbeat {
  smoothed: number | null = null;
  get rtt(): RoundTripTime {
    return { latest: this.smoothed, smoothed: this.smoothed };
  }
}

/** Subscribes and records every view received. */
function record(store: ReturnType<typeof connectionStore>) {
  const views: ConnectionView[] = [];
  const off = store.subscribe((view) => views.push(view));
  return { views, off, last: () => views[views.length - 1]! };
}

/** Records what tasks queued with `queueMicrotask` throw, while still running them. */
function captureMicrotaskThrows() {
  const thrown: unknown[] = [];
  const original = globalThis.queueMicrotask;
  vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((task) => {
    original(() => {
      try {
        task();
      } catch (error) {
        thrown.push(error);
      }
    });
  });
  const settled = (): Promise<void> => new Promise<void>((resolve) => original(resolve));
  return { thrown, settled };
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe('connectionStore: the store contract', () => {
  it('calls a subscriber at once, synchronously, with a frozen view of the connection', () => {
    const client = new FakeClient();
    const { views } = record(connectionStore(client));
    expect(views).toEqual([
      {
        status: 'disconnected',
        url: null,
        attempt: 0,
        nextRetryAt: null,
        waitingForNetwork: false,
        lastError: null,
        rtt: null,
        connectedAt: null,
      },
    ]);
    expect(Object.isFrozen(views[0])).toBe(true);
  });

  it('calls it again on each change, and not for an event that changes nothing', async () => {
    const client = new FakeClient();
    const { views, last } = record(connectionStore(client));
    await client.connect('ws://a');
    expect(views).toHaveLength(2);
    expect(last()).toMatchObject({ status: 'connected', url: 'ws://a', connectedAt: new Date(1_000) });

    // Same state (and a fresh but equal `connectedAt` Date): no call, same object.
    const before = last();
    client.emit({ type: 'reconnected', attempts: 1, totalDelay: 0, timestamp: 1_500 });
    client.emit({ type: 'connected', url: 'ws://a', protocols: [], timestamp: 1_500 });
    expect(views).toHaveLength(2);
    expect(last()).toBe(before);

    const error = new WebSocketError('x', WS_ERROR_CODES.SEND_FAILED);
    client.lastError = error;
    client.emit({ type: 'error', error, timestamp: 1_600 });
    expect(views).toHaveLength(3);
    expect(last().lastError).toBe(error);
    expect(last()).not.toBe(before);
  });

  it('stops calling a subscriber once it unsubscribes; unsubscribing again does nothing', async () => {
    const client = new FakeClient();
    const store = connectionStore(client);
    const a = record(store);
    const b = record(store);
    a.off();
    a.off();
    await client.connect('ws://a');
    expect(a.views).toHaveLength(1);
    expect(b.views).toHaveLength(2);
    expect(client.listeners.size).toBe(1);
  });

  it('holds no subscription on the client while nobody subscribes, one while anybody does', async () => {
    const client = new FakeClient();
    const store = connectionStore(client);
    expect(client.listeners.size).toBe(0);

    const a = record(store);
    const b = record(store);
    expect(client.listeners.size).toBe(1);
    expect(client.subscriptions).toBe(1);
    a.off();
    expect(client.listeners.size).toBe(1);
    b.off();
    expect(client.listeners.size).toBe(0);

    // What changed meanwhile is there for the next subscriber at once.
    await client.connect('ws://b');
    const c = record(store);
    expect(c.views.map((v) => v.status)).toEqual(['connected']);
    expect(client.listeners.size).toBe(1);
    c.off();
    expect(client.listeners.size).toBe(0);
  });

  it('works unbound, as the contract (`this: void`) allows', () => {
    const client = new FakeClient();
    const { subscribe } = connectionStore(client);
    const run = vi.fn();
    subscribe(run)();
    expect(run).toHaveBeenCalledTimes(1);
    expect(client.listeners.size).toBe(0);
  });

  it('keeps delivering to the others when a subscriber throws, and re-throws from a microtask', async () => {
    const { thrown, settled } = captureMicrotaskThrows();
    const client = new FakeClient();
    const store = connectionStore(client);
    const boom = new Error('subscriber failed');
    let calls = 0;
    store.subscribe(() => {
      if (calls++ > 0) throw boom;
    });
    const other = record(store);
    await client.connect('ws://a');
    expect(other.last().status).toBe('connected');
    await settled();
    expect(thrown).toEqual([boom]);
  });

  it('throws from subscribe when the first call throws, holding nothing', () => {
    const client = new FakeClient();
    const store = connectionStore(client);
    const boom = new Error('first call');
    expect(() =>
      store.subscribe(() => {
        throw boom;
      }),
    ).toThrow(boom);
    expect(client.listeners.size).toBe(0);
  });

  it('gives every subscriber the latest view when one of them changes the client meanwhile', async () => {
    const client = new FakeClient();
    const store = connectionStore(client);
    const first = vi.fn((view: ConnectionView) => {
      if (view.status === 'connected') void client.disconnect();
    });
    store.subscribe(first);
    const second = record(store);
    await client.connect('ws://a');
    // `second` never receives `connected` after `disconnected`: it skips the superseded view.
    expect(second.views.map((v) => v.status)).toEqual(['disconnected', 'disconnected']);
    expect(second.views[0]).not.toBe(second.views[1]);
    expect(first.mock.calls.map(([v]) => v.status)).toEqual(['disconnected', 'connected', 'disconnected']);
  });

  it('rejects what is not a client or not an option', () => {
    expect(() => connectionStore({} as WebSocketClient)).toThrow(TypeError);
    expect(() => connectionStore(new FakeClient(), { refresh: -1 })).toThrow(/refresh must be a finite number >= 1/);
    expect(() => connectionStore(new FakeClient(), { refresh: Number.NaN })).toThrow(TypeError);
    expect(() => connectionStore(new FakeClient(), { refresh: 0 })).not.toThrow();
    expect(() => connectionStore(new FakeClient()).subscribe(42 as never)).toThrow(TypeError);
  });
});

describe('connectionStore: what the view shows', () => {
  it('gives nextRetryAt from the reconnecting event, while reconnecting', async () => {
    const client = new FakeClient();
    const { last } = record(connectionStore(client));
    await client.connect('ws://a');
    client.lose(1, 1_500, 10_000);
    expect(last()).toMatchObject({ status: 'reconnecting', attempt: 1, nextRetryAt: 11_500, connectedAt: null });

    client.lose(2, 3_000, 12_000);
    expect(last()).toMatchObject({ attempt: 2, nextRetryAt: 15_000 });

    await client.connect('ws://a');
    client.attempts = 0;
    client.emit({ type: 'reconnected', attempts: 2, totalDelay: 4_500, timestamp: 15_000 });
    expect(last()).toMatchObject({ status: 'connected', attempt: 0, nextRetryAt: null });
  });

  it('reads nextRetryAt and network.waiting from a client that has them', async () => {
    const client = new LiveLikeClient();
    const { last } = record(connectionStore(client));
    await client.connect('ws://a');
    // Offline: reconnection waits for the network, with no retry time even though an event said one.
    client.network = { online: false, waiting: true };
    client.nextRetryAt = null;
    client.lose(1, 1_000, 5_000);
    expect(last()).toMatchObject({ status: 'reconnecting', waitingForNetwork: true, nextRetryAt: null });

    client.network = { online: true, waiting: false };
    client.nextRetryAt = 7_777;
    client.emit({ type: 'reconnecting', attempt: 1, delay: 1_000, maxAttempts: 0, timestamp: 6_000 });
    expect(last()).toMatchObject({ waitingForNetwork: false, nextRetryAt: 7_777 });
  });

  it('follows network events through a decorator, which forwards them but not network', async () => {
    const inner = new FakeClient();
    const decorated = new ForwardingClient<unknown>(inner);
    const { last, views } = record(connectionStore(decorated));
    await decorated.connect('ws://a');
    inner.status = 'reconnecting';
    inner.openedAt = null;
    inner.emit({ type: 'disconnected', code: 1006, reason: '', wasClean: false, timestamp: 3_000 });
    inner.emit({ type: 'network', waiting: true, online: false, timestamp: 3_000 });
    expect(last()).toMatchObject({ status: 'reconnecting', waitingForNetwork: true, nextRetryAt: null });
    // The wait ends as the attempt starts.
    inner.status = 'connecting';
    inner.emit({ type: 'network', waiting: false, online: true, timestamp: 9_000 });
    expect(last()).toMatchObject({ status: 'connecting', waitingForNetwork: false });
    expect(views.filter((view) => view.waitingForNetwork)).toHaveLength(1);
  });

  it('forgets a wait once the status is no longer reconnecting, and while nobody subscribes', async () => {
    const client = new FakeClient();
    const store = connectionStore(client);
    const first = record(store);
    await client.connect('ws://a');
    client.status = 'reconnecting';
    client.emit({ type: 'network', waiting: true, online: false, timestamp: 1 });
    expect(first.last().waitingForNetwork).toBe(true);
    // disconnect() while waiting: its disconnected event comes before the end of the wait.
    await client.disconnect();
    expect(first.last()).toMatchObject({ status: 'disconnected', waitingForNetwork: false });
    client.status = 'reconnecting';
    client.emit({ type: 'network', waiting: true, online: false, timestamp: 2 });
    first.off();
    // Not followed meanwhile: the next subscriber does not know of a wait that began before it.
    expect(record(store).last().waitingForNetwork).toBe(false);
  });

  it('shows the smoothed rtt of the heartbeat option, and of a client that has its own', async () => {
    const heartbeat = new FakeHeartbeat();
    const client = new FakeClient();
    const { last } = record(connectionStore(client, { heartbeat }));
    await client.connect('ws://a');
    expect(last().rtt).toBeNull();
    heartbeat.smoothed = 42;
    client.emit({ type: 'reconnected', attempts: 1, totalDelay: 0, timestamp: 3_000 });
    expect(last().rtt).toBe(42);

    // A decorator with its own `rtt` (as ws-heartbeat's is).
    class WithRtt extends ForwardingClient<unknown> {
      get rtt(): RoundTripTime {
        return heartbeat.rtt;
      }
    }
    const decorated = new WithRtt(new FakeClient());
    const own = record(connectionStore(decorated));
    expect(own.last().rtt).toBe(42);
  });

  it('re-reads every `refresh` ms while subscribed, with the injected timers, and stops when released', async () => {
    vi.useFakeTimers();
    const heartbeat = new FakeHeartbeat();
    const client = new FakeClient();
    const store = connectionStore(client, { heartbeat, refresh: 1_000 });
    expect(vi.getTimerCount()).toBe(0);
    const { views, off, last } = record(store);
    expect(vi.getTimerCount()).toBe(1);

    heartbeat.smoothed = 20;
    await vi.advanceTimersByTimeAsync(999);
    expect(last().rtt).toBeNull();
    await vi.advanceTimersByTimeAsync(1);
    expect(last().rtt).toBe(20);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(views).toHaveLength(2);

    off();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('polls through the timers it is given', () => {
    const pending: (() => void)[] = [];
    const timers: Timers = {
      setTimeout: (callback) => pending.push(callback),
      clearTimeout: () => undefined,
      now: () => 0,
    };
    const heartbeat = new FakeHeartbeat();
    const { last } = record(connectionStore(new FakeClient(), { heartbeat, refresh: 250, timers }));
    heartbeat.smoothed = 7;
    expect(pending).toHaveLength(1);
    pending.shift()!();
    expect(last().rtt).toBe(7);
    expect(pending).toHaveLength(1);
  });
});

describe('connectionStore: with svelte/store', () => {
  it('is read by get(), which leaves no subscription behind', async () => {
    const client = new FakeClient();
    const store = connectionStore(client);
    expect(get(store).status).toBe('disconnected');
    await client.connect('ws://a');
    expect(get(store)).toMatchObject({ status: 'connected', url: 'ws://a' });
    expect(client.listeners.size).toBe(0);
  });

  it("is read by Svelte 5's fromStore()", async () => {
    const client = new FakeClient();
    const connection = fromStore(connectionStore(client));
    expect(connection.current.status).toBe('disconnected');
    await client.connect('ws://a');
    expect(connection.current.status).toBe('connected');
    expect(client.listeners.size).toBe(0);
  });

  it('feeds derived()', async () => {
    const client = new FakeClient();
    const online = derived(connectionStore(client), (view) => view.status === 'connected');
    const seen: boolean[] = [];
    const off = online.subscribe((value) => seen.push(value));
    await client.connect('ws://a');
    await client.disconnect();
    off();
    expect(seen).toEqual([false, true, false]);
    expect(client.listeners.size).toBe(0);
  });
});
