import { createFakeWebSocket, type FakeWebSocketControls } from '@composable-svelte/ws-testing';
import type { WebSocketEvent } from '@composable-svelte/ws-types';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { browserEnvironment, type BrowserGlobals } from './browser-environment.js';
import type { LiveWebSocketConfig } from './config.js';
import { FROZEN_CLOSE_CODE, FROZEN_CLOSE_REASON } from './defaults.js';
import type { BrowserEnvironment, LifecycleListener } from './environment.js';
import { createLiveWebSocket, type LiveWebSocketClient } from './live-client.js';

const URL = 'wss://api.example.com/';

type Listener = (event: { readonly persisted?: boolean }) => void;

/** An `EventTarget` that counts its listeners. */
class FakeTarget {
  private readonly listeners = new Map<string, Set<Listener>>();

  addEventListener(type: string, listener: Listener): void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(listener);
  }

  removeEventListener(type: string, listener: Listener): void {
    this.listeners.get(type)?.delete(listener);
  }

  dispatch(type: string, event: { persisted?: boolean } = {}): void {
    for (const listener of [...(this.listeners.get(type) ?? [])]) listener(event);
  }

  count(): number {
    let n = 0;
    for (const set of this.listeners.values()) n += set.size;
    return n;
  }
}

/** A page: fake `window`, `document` and `navigator`, driven like a browser would. */
class FakePage implements BrowserGlobals {
  readonly window = new FakeTarget();
  readonly document = Object.assign(new FakeTarget(), { visibilityState: 'visible' });
  readonly navigator = { onLine: true };
  readonly environment = browserEnvironment(this)!;

  offline(): void {
    this.navigator.onLine = false;
    this.window.dispatch('offline');
  }
  online(): void {
    this.navigator.onLine = true;
    this.window.dispatch('online');
  }
  hide(): void {
    this.document.visibilityState = 'hidden';
    this.document.dispatch('visibilitychange');
  }
  show(): void {
    this.document.visibilityState = 'visible';
    this.document.dispatch('visibilitychange');
  }
  /** Listeners on `window` and on `document`. */
  listeners(): [number, number] {
    return [this.window.count(), this.document.count()];
  }
}

let fake: FakeWebSocketControls;
let page: FakePage;
let events: WebSocketEvent[];

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
  fake = createFakeWebSocket();
  page = new FakePage();
});

afterEach(() => {
  vi.useRealTimers();
});

function create(config: LiveWebSocketConfig = {}): LiveWebSocketClient<unknown> {
  const client = createLiveWebSocket<unknown>({ WebSocket: fake.WebSocket, random: () => 0.5, environment: page.environment, ...config });
  events = [];
  client.subscribeToEvents((event) => events.push(event));
  return client;
}

const RECONNECT = { initialDelay: 1000, backoffMultiplier: 2, jitter: false, maxAttempts: 3, minUptime: 0 } as const;

const types = (): string[] => events.map((event) => event.type);

async function connected(client: LiveWebSocketClient<unknown>): Promise<void> {
  const done = client.connect(URL);
  await vi.advanceTimersByTimeAsync(0);
  fake.last().open();
  await done;
}

/** Lets a pending attempt create its socket. */
async function settle(ms = 0): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
}

describe('without an environment (Node)', () => {
  it('subscribes to nothing, is always online, and never waits', async () => {
    const client = createLiveWebSocket({ WebSocket: fake.WebSocket, reconnect: { jitter: false } });
    expect(client.network).toEqual({ online: true, waiting: false });
    expect(client.nextRetryAt).toBeNull();
    await connected(client as LiveWebSocketClient<unknown>);
    fake.last().drop();
    expect(client.state.status).toBe('reconnecting');
    expect(client.network).toEqual({ online: true, waiting: false });
    expect(client.nextRetryAt).toBe(1000);
    await client.disconnect();
  });

  it('browserEnvironment() is null where there is no window or document', () => {
    expect(browserEnvironment()).toBeNull();
    expect(browserEnvironment({})).toBeNull();
    expect(browserEnvironment({ window: new FakeTarget() })).toBeNull();
    expect(browserEnvironment({ document: new FakeTarget() })).toBeNull();
  });

  it('environment: null turns the lifecycle off', async () => {
    const client = create({ environment: null, reconnect: RECONNECT });
    await connected(client);
    expect(page.listeners()).toEqual([0, 0]);
    page.offline();
    fake.last().drop();
    expect(types()).toEqual(['connected', 'disconnected', 'reconnecting']);
    expect(client.network).toEqual({ online: true, waiting: false });
  });
});

describe('offline', () => {
  it('pauses reconnection: no attempt, none counted, a network event instead of reconnecting, however long it lasts', async () => {
    const client = create({ reconnect: RECONNECT });
    await connected(client);
    vi.setSystemTime(700);
    page.offline();
    // A working socket is not closed for an offline event, and no wait begins.
    expect(fake.last().readyState).toBe(1);
    expect(client.state.status).toBe('connected');
    expect(types()).toEqual(['connected']);
    fake.last().drop();
    expect(types()).toEqual(['connected', 'disconnected', 'network']);
    expect(events.at(-1)).toEqual({ type: 'network', waiting: true, online: false, timestamp: 700 });
    expect(client.state).toMatchObject({ status: 'reconnecting', reconnectAttempts: 0 });
    expect(client.network).toEqual({ online: false, waiting: true });
    expect(client.nextRetryAt).toBeNull();
    await settle(3_600_000);
    expect(fake.sockets).toHaveLength(1);
    expect(client.state).toMatchObject({ status: 'reconnecting', reconnectAttempts: 0 });
    expect(types()).toEqual(['connected', 'disconnected', 'network']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('cancels a scheduled attempt, which then waits for the network', async () => {
    const client = create({ reconnect: RECONNECT });
    await connected(client);
    vi.setSystemTime(500);
    fake.last().drop();
    expect(client.nextRetryAt).toBe(1500);
    expect(client.network.waiting).toBe(false);
    page.offline();
    expect(client.nextRetryAt).toBeNull();
    expect(client.network).toEqual({ online: false, waiting: true });
    expect(types()).toEqual(['connected', 'disconnected', 'reconnecting', 'network']);
    expect(events.at(-1)).toMatchObject({ waiting: true, online: false });
    await settle(60_000);
    expect(fake.sockets).toHaveLength(1);
    expect(client.state.status).toBe('reconnecting');
  });

  it('does not spend attempts: failures while the network is gone never reach maxAttempts', async () => {
    const client = create({ reconnect: { ...RECONNECT, maxAttempts: 1 } });
    await connected(client);
    page.offline();
    fake.last().drop();
    // The application insists: each attempt fails, none is counted, the client keeps waiting.
    for (let i = 0; i < 5; i++) {
      void client.connect(URL).catch(() => undefined);
      await settle(0);
      fake.last().fail();
      await settle(0);
    }
    expect(client.state).toMatchObject({ status: 'reconnecting', reconnectAttempts: 0 });
    expect(client.network.waiting).toBe(true);
    expect(events.some((event) => event.type === 'error' && event.error.code === 'MAX_RECONNECTS')).toBe(false);
  });

  it('settles a connect() that fails while offline, instead of leaving it pending', async () => {
    const client = create({ reconnect: RECONNECT });
    page.navigator.onLine = false;
    const done = client.connect(URL);
    await settle(0);
    fake.last().fail();
    await expect(done).rejects.toMatchObject({ code: 'CONNECTION_FAILED' });
    expect(client.network.waiting).toBe(true);
    expect(types()).toEqual(['error', 'network']);
  });

  it('with a heartbeat, checks a connected socket at once: a ping now, and its pong timeout', async () => {
    const client = create({ reconnect: RECONNECT, heartbeat: { interval: 30_000, timeout: 2000 } });
    await connected(client);
    await settle(1000);
    page.offline();
    expect(fake.last().sent).toEqual(['"PING"']);
    expect(client.state.status).toBe('connected');
    // The socket answers: it stays, and the next ping comes an interval after the pong.
    await settle(100);
    fake.last().receive('"PONG"');
    await settle(29_999);
    expect(fake.last().sent).toEqual(['"PING"']);
    await settle(1);
    expect(fake.last().sent).toEqual(['"PING"', '"PING"']);
    // No pong this time: dead after the timeout, and the reconnection waits for the network.
    page.offline();
    expect(fake.last().sent).toHaveLength(2);
    await settle(2000);
    expect(events.filter((event) => event.type === 'disconnected')).toMatchObject([{ reason: 'Heartbeat timeout', code: 1006 }]);
    expect(client.network.waiting).toBe(true);
    expect(types().includes('reconnecting')).toBe(false);
  });

  it('without a heartbeat, leaves a connected socket alone', async () => {
    const client = create({ reconnect: RECONNECT });
    await connected(client);
    page.offline();
    await settle(60_000);
    expect(fake.last().sent).toEqual([]);
    expect(fake.last().readyState).toBe(1);
    expect(client.state.status).toBe('connected');
  });
});

describe('online', () => {
  it('makes one attempt at once, with the backoff reset', async () => {
    const client = create({ reconnect: { ...RECONNECT, maxAttempts: 5 } });
    await connected(client);
    fake.last().drop();
    // Two failed attempts: the next one would wait 4000 ms.
    await settle(1000);
    fake.last().fail();
    await settle(2000);
    fake.last().fail();
    expect(client.state.reconnectAttempts).toBe(3);
    page.offline();
    page.online();
    expect(client.network).toEqual({ online: true, waiting: false });
    await settle(0);
    expect(fake.sockets).toHaveLength(4);
    expect(client.state).toMatchObject({ status: 'connecting', reconnectAttempts: 1 });
    // It failed: the next delay is the second of a fresh backoff.
    fake.last().fail();
    await settle(0);
    expect(events.at(-1)).toMatchObject({ type: 'reconnecting', attempt: 2, delay: 2000 });
    await settle(2000);
    fake.last().open();
    expect(events.slice(-2)).toMatchObject([{ type: 'connected' }, { type: 'reconnected', attempts: 2 }]);
  });

  it('ends a wait for the network: the attempt is attempt 1 and a success is a reconnection', async () => {
    const client = create({ reconnect: RECONNECT });
    await connected(client);
    page.offline();
    fake.last().drop();
    await settle(10_000);
    page.online();
    await settle(0);
    expect(fake.sockets).toHaveLength(2);
    fake.last().open();
    expect(types()).toEqual(['connected', 'disconnected', 'network', 'network', 'connected', 'reconnected']);
    expect(events[3]).toMatchObject({ type: 'network', waiting: false, online: true });
    expect(events.at(-1)).toMatchObject({ attempts: 1, totalDelay: 0 });
    expect(client.network).toEqual({ online: true, waiting: false });
  });

  it('also cuts a scheduled backoff short, starting it afresh', async () => {
    const client = create({ reconnect: { ...RECONNECT, maxAttempts: 5 } });
    await connected(client);
    fake.last().drop();
    await settle(1000);
    fake.last().fail();
    expect(client.state.reconnectAttempts).toBe(2);
    expect(client.nextRetryAt).toBe(3000);
    page.online();
    await settle(0);
    expect(fake.sockets).toHaveLength(3);
    expect(client.state).toMatchObject({ status: 'connecting', reconnectAttempts: 1 });
    expect(client.nextRetryAt).toBeNull();
  });

  it('says when waiting ends: as the attempt starts, so the state then reads connecting', async () => {
    const client = create({ reconnect: RECONNECT });
    await connected(client);
    page.offline();
    fake.last().drop();
    const seen: string[] = [];
    client.subscribeToEvents((event) => {
      if (event.type === 'network') seen.push(`${String(event.waiting)} ${client.state.status} ${String(client.network.waiting)}`);
    });
    page.online();
    expect(seen).toEqual(['false connecting false']);
    // One event per change: a second online event while connecting says nothing.
    page.online();
    expect(seen).toHaveLength(1);
  });

  it('ends the wait after the disconnected event of a disconnect(), and on a connect() made offline', async () => {
    const client = create({ reconnect: RECONNECT });
    await connected(client);
    page.offline();
    fake.last().drop();
    await client.disconnect(1000, 'bye');
    expect(types()).toEqual(['connected', 'disconnected', 'network', 'disconnected', 'network']);
    expect(events.at(-1)).toMatchObject({ waiting: false, online: false });
    expect(client.network).toEqual({ online: false, waiting: false });
    // Offline, a connect() tries anyway; its failure waits again, and a later connect() ends that wait.
    void client.connect(URL).catch(() => undefined);
    await settle(0);
    fake.last().fail();
    await settle(0);
    expect(types().slice(5)).toEqual(['error', 'network']);
    const again = client.connect(URL);
    expect(types().slice(7)).toEqual(['network']);
    expect(events.at(-1)).toMatchObject({ waiting: false, online: false });
    await settle(0);
    fake.last().open();
    await again;
    expect(client.state.status).toBe('connected');
  });

  it('a listener of the network event may disconnect: no attempt is left behind', async () => {
    const client = create({ reconnect: RECONNECT });
    await connected(client);
    page.offline();
    fake.last().drop();
    client.subscribeToEvents((event) => {
      if (event.type === 'network' && !event.waiting) void client.disconnect();
    });
    page.online();
    await settle(60_000);
    expect(fake.sockets).toHaveLength(1);
    expect(client.state.status).toBe('disconnected');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('changes nothing while connected, connecting or disconnected', async () => {
    const client = create({ reconnect: RECONNECT });
    const done = client.connect(URL);
    page.online();
    await settle(0);
    expect(fake.sockets).toHaveLength(1);
    fake.last().open();
    await done;
    page.online();
    await settle(0);
    expect(fake.sockets).toHaveLength(1);
    expect(types()).toEqual(['connected']);
  });
});

describe('visibility', () => {
  it('after being hidden longer than the heartbeat interval, checks the connection at once', async () => {
    const client = create({ heartbeat: { interval: 30_000, timeout: 5000 } });
    await connected(client);
    page.hide();
    // Timers of a background tab are throttled: the clock moves, the ping timer does not fire.
    vi.setSystemTime(Date.now() + 45_000);
    page.show();
    expect(fake.last().sent).toEqual(['"PING"']);
    // And without a pong, the connection is declared dead when its timeout ends.
    await settle(5000);
    expect(events.at(-1)).toMatchObject({ type: 'disconnected', reason: 'Heartbeat timeout' });
  });

  it('after being hidden briefly, lets the heartbeat run its course', async () => {
    const client = create({ heartbeat: { interval: 30_000, timeout: 5000 } });
    await connected(client);
    page.hide();
    vi.setSystemTime(Date.now() + 10_000);
    page.show();
    expect(fake.last().sent).toEqual([]);
    expect(client.state.status).toBe('connected');
  });

  it('declares the connection dead at once when its pong is overdue by the clock: a throttled timer cannot hide a timeout', async () => {
    const client = create({ heartbeat: { interval: 1000, timeout: 500 }, reconnect: RECONNECT });
    await connected(client);
    await settle(1000);
    expect(fake.last().sent).toEqual(['"PING"']);
    page.hide();
    vi.setSystemTime(Date.now() + 600);
    expect(client.state.status).toBe('connected');
    page.show();
    expect(events.filter((event) => event.type === 'error').map((event) => event.type === 'error' && event.error.code)).toEqual(['HEARTBEAT_TIMEOUT']);
    expect(events.find((event) => event.type === 'disconnected')).toMatchObject({ reason: 'Heartbeat timeout', wasClean: false });
    expect(client.state.status).toBe('reconnecting');
  });

  it('while reconnecting, attempts at once instead of waiting for the throttled timer', async () => {
    const client = create({ reconnect: { ...RECONNECT, initialDelay: 30_000, maxDelay: 60_000 } });
    await connected(client);
    page.hide();
    fake.last().drop();
    expect(client.nextRetryAt).toBe(30_000);
    await settle(5000);
    expect(fake.sockets).toHaveLength(1);
    page.show();
    await settle(0);
    expect(fake.sockets).toHaveLength(2);
    expect(client.nextRetryAt).toBeNull();
    // It is the attempt that was scheduled, made earlier: no new attempt counted.
    expect(client.state).toMatchObject({ status: 'connecting', reconnectAttempts: 1 });
    fake.last().open();
    // Of the 30 s planned, 5 s were waited.
    expect(events.at(-1)).toMatchObject({ type: 'reconnected', attempts: 1, totalDelay: 5000 });
    await settle(60_000);
    expect(fake.sockets).toHaveLength(2);
  });

  it('knows the page was hidden when listening began', async () => {
    page.document.visibilityState = 'hidden';
    const client = create({ heartbeat: { interval: 30_000, timeout: 5000 } });
    await connected(client);
    vi.setSystemTime(Date.now() + 40_000);
    page.show();
    expect(fake.last().sent).toEqual(['"PING"']);
  });
});

describe('frozen pages and the back/forward cache', () => {
  for (const [name, freeze, resume] of [
    ['freeze / resume', (): void => page.document.dispatch('freeze'), (): void => page.document.dispatch('resume')],
    [
      'pagehide / pageshow (persisted)',
      (): void => page.window.dispatch('pagehide', { persisted: true }),
      (): void => page.window.dispatch('pageshow', { persisted: true }),
    ],
  ] as const) {
    it(`${name}: closes cleanly with ${FROZEN_CLOSE_CODE}, counts no loss, and connects again on resume`, async () => {
      const client = create({ reconnect: RECONNECT, heartbeat: { interval: 1000 } });
      await connected(client);
      const socket = fake.last();
      freeze();
      expect(socket.closeRequest).toEqual({ code: FROZEN_CLOSE_CODE, reason: FROZEN_CLOSE_REASON });
      expect(FROZEN_CLOSE_REASON).toBe('Page frozen');
      // The event goes out at once: a frozen page cannot wait for the server's answer.
      expect(events.at(-1)).toEqual({ type: 'disconnected', code: 4001, reason: 'Page frozen', wasClean: true, timestamp: 0 });
      expect(client.state).toMatchObject({ status: 'disconnected', reconnectAttempts: 0 });
      expect(client.nextRetryAt).toBeNull();
      await settle(60_000);
      expect(fake.sockets).toHaveLength(1);
      expect(types()).toEqual(['connected', 'disconnected']);
      // Still listening, to come back.
      expect(page.listeners()).toEqual([4, 3]);
      resume();
      expect(client.state.status).toBe('connecting');
      await settle(0);
      expect(fake.sockets).toHaveLength(2);
      expect(fake.last().url).toBe(URL);
      fake.last().open();
      expect(types()).toEqual(['connected', 'disconnected', 'connected']);
      expect(client.state).toMatchObject({ status: 'connected', reconnectAttempts: 0 });
    });
  }

  it('ignores pagehide and pageshow of a page that is not cached', async () => {
    const client = create({ reconnect: RECONNECT });
    await connected(client);
    page.window.dispatch('pagehide', { persisted: false });
    page.window.dispatch('pagehide', {});
    expect(client.state.status).toBe('connected');
    expect(fake.last().readyState).toBe(1);
    page.window.dispatch('pageshow', { persisted: false });
    await settle(0);
    expect(fake.sockets).toHaveLength(1);
  });

  it('freezes once when both pagehide and freeze fire, and resumes once', async () => {
    const client = create({ reconnect: RECONNECT });
    await connected(client);
    page.window.dispatch('pagehide', { persisted: true });
    page.document.dispatch('freeze');
    expect(types()).toEqual(['connected', 'disconnected']);
    page.document.dispatch('resume');
    page.window.dispatch('pageshow', { persisted: true });
    await settle(0);
    expect(fake.sockets).toHaveLength(2);
  });

  it('while reconnecting, cancels the attempt; resume connects at once with the attempts reset', async () => {
    const client = create({ reconnect: RECONNECT });
    await connected(client);
    fake.last().drop();
    expect(client.state.reconnectAttempts).toBe(1);
    page.document.dispatch('freeze');
    expect(events.at(-1)).toMatchObject({ type: 'disconnected', code: FROZEN_CLOSE_CODE, wasClean: true });
    await settle(60_000);
    expect(fake.sockets).toHaveLength(1);
    page.document.dispatch('resume');
    await settle(0);
    expect(fake.sockets).toHaveLength(2);
    expect(client.state.reconnectAttempts).toBe(0);
  });

  it('while connecting, rejects that connect() and closes the pending socket', async () => {
    const client = create({ reconnect: RECONNECT });
    const done = client.connect(URL);
    await settle(0);
    page.document.dispatch('freeze');
    await expect(done).rejects.toMatchObject({ code: 'CONNECTION_FAILED', message: 'Page frozen before the connection opened' });
    expect(events.at(-1)).toMatchObject({ type: 'disconnected', code: FROZEN_CLOSE_CODE });
    await settle(0);
    expect(fake.sockets[0]!.readyState).toBe(3);
    page.document.dispatch('resume');
    await settle(0);
    expect(fake.sockets).toHaveLength(2);
  });

  it('does nothing for an idle client, and disconnect() while frozen means stay down', async () => {
    const client = create({ reconnect: RECONNECT });
    await connected(client);
    await client.disconnect();
    page.document.dispatch('freeze');
    page.document.dispatch('resume');
    await settle(0);
    expect(fake.sockets).toHaveLength(1);

    await connected(client);
    page.document.dispatch('freeze');
    await client.disconnect();
    expect(page.listeners()).toEqual([0, 0]);
    page.document.dispatch('resume');
    await settle(0);
    expect(fake.sockets).toHaveLength(2);
    expect(client.state.status).toBe('disconnected');
  });
});

describe('global listeners', () => {
  it('are added on connect(), not at creation, once however many connects', async () => {
    const client = create({ reconnect: RECONNECT });
    expect(page.listeners()).toEqual([0, 0]);
    await connected(client);
    expect(page.listeners()).toEqual([4, 3]);
    await client.connect(URL);
    fake.last().drop();
    const again = client.connect(URL);
    await settle(0);
    fake.last().open();
    await again;
    expect(page.listeners()).toEqual([4, 3]);
  });

  it('are all removed by disconnect(), in any state', async () => {
    const client = create({ reconnect: RECONNECT });
    await connected(client);
    await client.disconnect();
    expect(page.listeners()).toEqual([0, 0]);
    // While reconnecting, and while waiting for the network.
    await connected(client);
    fake.last().drop();
    await client.disconnect();
    expect(page.listeners()).toEqual([0, 0]);
    await connected(client);
    page.offline();
    fake.last().drop();
    await client.disconnect();
    expect(page.listeners()).toEqual([0, 0]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('are removed when the client stops for good by itself', async () => {
    const client = create();
    await connected(client);
    fake.last().serverClose(1001);
    expect(client.state.status).toBe('disconnected');
    expect(page.listeners()).toEqual([0, 0]);
    const failing = create({ reconnect: { ...RECONNECT, maxAttempts: 1 } });
    await connected(failing);
    fake.last().drop();
    await settle(1000);
    fake.last().fail();
    expect(failing.state.status).toBe('failed');
    expect(page.listeners()).toEqual([0, 0]);
  });

  it('are moved along when connect() names another URL', async () => {
    const client = create();
    await connected(client);
    const moving = client.connect('wss://other.example.com/');
    await settle(0);
    fake.last().open();
    await moving;
    expect(page.listeners()).toEqual([4, 3]);
  });
});

describe('dispose()', () => {
  it('disconnects, removes every listener, and leaves the client inert', async () => {
    const client = create({ reconnect: RECONNECT, heartbeat: { interval: 1000 } });
    await connected(client);
    const socket = fake.last();
    const seen = events.length;
    client.dispose();
    expect(page.listeners()).toEqual([0, 0]);
    expect(client.state.status).toBe('disconnected');
    expect(socket.closeRequest).toEqual({ code: 1000, reason: '' });
    await settle(60_000);
    expect(vi.getTimerCount()).toBe(0);
    // Listeners hear nothing more, this close included.
    expect(events).toHaveLength(seen);
    await expect(client.connect(URL)).rejects.toMatchObject({ code: 'CONNECTION_FAILED', message: 'This client was disposed' });
    expect(fake.sockets).toHaveLength(1);
    expect(page.listeners()).toEqual([0, 0]);
    page.online();
    page.document.dispatch('resume');
    await settle(0);
    expect(fake.sockets).toHaveLength(1);
    client.dispose();
  });

  it('works with using, through Symbol.dispose', async () => {
    const client = create();
    await connected(client);
    client[Symbol.dispose]();
    expect(page.listeners()).toEqual([0, 0]);
    expect(client.state.status).toBe('disconnected');
  });

  it('1,000 clients created, connected and disposed leave no listener on window and document', async () => {
    const clients = Array.from({ length: 1000 }, () =>
      createLiveWebSocket({ WebSocket: fake.WebSocket, environment: page.environment, reconnect: {}, heartbeat: {} }),
    );
    expect(page.listeners()).toEqual([0, 0]);
    const connecting = clients.map((client) => client.connect(URL));
    await settle(0);
    for (const socket of fake.sockets) socket.open();
    await Promise.all(connecting);
    expect(page.listeners()).toEqual([4000, 3000]);
    for (const client of clients) client.dispose();
    expect(page.listeners()).toEqual([0, 0]);
    await settle(0);
    expect(fake.sockets.every((socket) => socket.readyState === 3 && socket.listenerCount() === 0)).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('a custom environment', () => {
  it('is subscribed on connect() and unsubscribed on disconnect(), and drives the same rules', async () => {
    let up = true;
    let listener: LifecycleListener | null = null;
    const unsubscribe = vi.fn(() => {
      listener = null;
    });
    const subscribe = vi.fn((given: LifecycleListener) => {
      listener = given;
      return unsubscribe;
    });
    const environment: BrowserEnvironment = { online: () => up, subscribe };
    const client = create({ environment, reconnect: RECONNECT });
    expect(subscribe).not.toHaveBeenCalled();
    await connected(client);
    expect(subscribe).toHaveBeenCalledOnce();
    up = false;
    listener!.offline();
    fake.last().drop();
    expect(client.network).toEqual({ online: false, waiting: true });
    up = true;
    listener!.online();
    await settle(0);
    expect(fake.sockets).toHaveLength(2);
    await client.disconnect();
    expect(unsubscribe).toHaveBeenCalledOnce();
    expect(listener).toBeNull();
  });
});
