import type { BrowserEnvironment, LifecycleListener } from '@composable-svelte/ws-core';
import { createFakeWebSocket } from '@composable-svelte/ws-testing';
import type { ConnectionView } from '@composable-svelte/ws-types/store';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ClientFrame } from '../../server/protocol.js';
import { createChatConnection, type ChatConnection } from './connection.js';
import { describeConnection } from './indicator.js';

const URL = 'ws://chat.test/ws?name=Alice';

/**
 * The page as a test drives it: `up` is `navigator.onLine`; the live client and the heartbeat
 * each listen (the heartbeat while it runs), and `page()` reports to every listener, as the
 * browser does.
 */
function fakePage(): { environment: BrowserEnvironment; listeners(): number; setOnline(up: boolean): void; page(): LifecycleListener } {
  let up = true;
  const listeners = new Set<LifecycleListener>();
  const all = (event: keyof LifecycleListener) => (): void => {
    for (const listener of [...listeners]) listener[event]();
  };
  const page: LifecycleListener = {
    online: all('online'),
    offline: all('offline'),
    hidden: all('hidden'),
    visible: all('visible'),
    freeze: all('freeze'),
    resume: all('resume'),
  };
  return {
    environment: {
      online: () => up,
      subscribe: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
    listeners: () => listeners.size,
    setOnline(value) {
      up = value;
      if (value) page.online();
      else page.offline();
    },
    page() {
      if (listeners.size === 0) throw new Error('Nothing is listening to the page');
      return page;
    },
  };
}

describe('the chat connection in a browser (live client, fake page and socket)', () => {
  let chat: ChatConnection;
  let stop: () => void = () => undefined;

  beforeEach(() => {
    // The store's refresh and the backoff run on the platform's timers: faked, the test moves them.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });

  afterEach(async () => {
    stop();
    await chat.client.disconnect();
    vi.useRealTimers();
  });

  /** Connected, with the connection store followed: `view()` is its latest value. */
  async function connected(): Promise<{ sockets: ReturnType<typeof createFakeWebSocket>; network: ReturnType<typeof fakePage>; view: () => ConnectionView }> {
    const sockets = createFakeWebSocket();
    const network = fakePage();
    chat = createChatConnection({ WebSocket: sockets.WebSocket, environment: network.environment });
    let latest: ConnectionView | undefined;
    stop = chat.connection.subscribe((value) => {
      latest = value;
    });
    const connecting = chat.client.connect(URL);
    sockets.last().open();
    await connecting;
    expect(latest).toMatchObject({ status: 'connected', url: URL, waitingForNetwork: false });
    return { sockets, network, view: () => latest! };
  }

  it('waits for the network without an attempt, keeps what is written, and reconnects the moment it is back', async () => {
    const { sockets, network, view } = await connected();
    network.setOnline(false);
    // The socket may still work: kept until it is lost.
    expect(sockets.sockets).toHaveLength(1);
    sockets.last().drop(1006);
    // The client's network event tells the store at once.
    expect(view()).toMatchObject({ status: 'reconnecting', waitingForNetwork: true, nextRetryAt: null });
    expect(describeConnection(view(), Date.now())).toMatchObject({ status: 'waiting', label: 'Offline, waiting for the network' });

    // Written offline: held by the queue.
    const say: ClientFrame = { type: 'say', id: 'm1', channel: 'room:lobby', text: 'Written offline' };
    await chat.client.send(say);
    expect(chat.client.queue.size).toBe(1);

    // However long it lasts, no attempt is made.
    vi.advanceTimersByTime(60_000);
    expect(sockets.sockets).toHaveLength(1);
    expect(view()).toMatchObject({ status: 'reconnecting', waitingForNetwork: true });

    // Online: one attempt at once, not after a backoff delay.
    network.setOnline(true);
    expect(sockets.sockets).toHaveLength(2);
    sockets.last().open();
    expect(view()).toMatchObject({ status: 'connected', waitingForNetwork: false });
    // The queue sends what was written offline (and keeps it until the server's ack).
    expect(sockets.last().sent).toContain(JSON.stringify(say));
  });

  it("offline while connected: the socket stays, and the heartbeat checks it at once, through the page's lifecycle", async () => {
    const { sockets, network, view } = await connected();
    // The live client and the running heartbeat both listen to the page.
    expect(network.listeners()).toBe(2);
    network.setOnline(false);
    expect(sockets.last().sent).toContain(JSON.stringify({ type: 'ping' }));
    expect(view().status).toBe('connected');
    // No pong within the heartbeat's timeout: declared dead, and reconnection waits for the network.
    vi.advanceTimersByTime(10_000);
    expect(view()).toMatchObject({ status: 'reconnecting', waitingForNetwork: true });
  });

  it('closes with 4001 when the page is frozen and connects again as soon as it resumes', async () => {
    const { sockets, network, view } = await connected();
    network.page().freeze();
    expect(sockets.sockets[0]!.closeRequest).toEqual({ code: 4001, reason: 'Page frozen' });
    expect(view().status).toBe('disconnected');
    // A freeze is not a loss: nothing is scheduled.
    vi.advanceTimersByTime(60_000);
    expect(sockets.sockets).toHaveLength(1);

    network.page().resume();
    expect(sockets.sockets).toHaveLength(2);
    expect(sockets.last().url).toBe(URL);
    sockets.last().open();
    await Promise.resolve();
    expect(view()).toMatchObject({ status: 'connected', attempt: 0 });
  });

  it('counts down to the next attempt after a loss while online', async () => {
    const { sockets, view } = await connected();
    sockets.last().drop(1006);
    const at = view().nextRetryAt;
    expect(view()).toMatchObject({ status: 'reconnecting', attempt: 1, waitingForNetwork: false });
    expect(at).toBeGreaterThan(Date.now());
    expect(describeConnection(view(), Date.now()).suffix).toMatch(/^ in [1-9] s$/);
  });
});
