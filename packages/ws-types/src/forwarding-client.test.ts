import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocketError, WS_ERROR_CODES } from './errors.js';
import { ForwardingClient } from './forwarding-client.js';
import { ListenerSet } from './listener-set.js';
import { STATUS } from './status.js';
import type { EventListener, MessageListener, Unsubscribe, UrlProvider, WebSocketClient, WebSocketMessage } from './client.js';
import type { ConnectionState, ConnectionStats, ConnectionStatus } from './connection.js';
import type { WebSocketEvent } from './events.js';

// ws-testing is not a dependency of ws-types: a tiny inner client of our own, driven by hand.
class FakeClient<T = unknown> implements WebSocketClient<T> {
  readonly messages = new ListenerSet<WebSocketMessage<T>>();
  readonly events = new ListenerSet<WebSocketEvent>();
  state: ConnectionState = {
    status: 'disconnected',
    url: null,
    protocols: [],
    reconnectAttempts: 0,
    lastError: null,
    connectedAt: null,
  };
  stats: ConnectionStats = {
    messagesSent: 3,
    messagesReceived: 4,
    bytesSent: 30,
    bytesReceived: 40,
    reconnects: 1,
    errors: 0,
    uptime: 0,
  };
  readonly connect = vi.fn<(url: UrlProvider, protocols?: readonly string[]) => Promise<void>>(() => Promise.resolve());
  readonly disconnect = vi.fn<(code?: number, reason?: string) => Promise<void>>(() => Promise.resolve());
  readonly send = vi.fn<(message: T) => Promise<void>>(() => Promise.resolve());
  readonly markDead = vi.fn<(reason: string) => void>();

  subscribe(listener: MessageListener<T>): Unsubscribe {
    return this.messages.add(listener);
  }

  subscribeToEvents(listener: EventListener): Unsubscribe {
    return this.events.add(listener);
  }

  /** Subscriptions currently held on this client. */
  get held(): { messages: number; events: number } {
    return { messages: this.messages.size, events: this.events.size };
  }

  setStatus(status: ConnectionStatus): void {
    this.state = { ...this.state, status };
  }

  emit(event: WebSocketEvent): void {
    this.events.emit(event);
  }

  /** Moves to `status`, then emits the matching event. */
  become(status: 'connected' | 'disconnected' | 'reconnecting'): void {
    this.setStatus(status);
    if (status === 'connected') this.emit({ type: 'connected', url: 'ws://x', protocols: [], timestamp: 1 });
    else if (status === 'disconnected') this.emit({ type: 'disconnected', code: 1006, reason: '', wasClean: false, timestamp: 1 });
    else this.emit({ type: 'reconnecting', attempt: 1, delay: 10, maxAttempts: 0, timestamp: 1 });
  }

  receive(data: T): void {
    this.messages.emit({ data, timestamp: 1, raw: JSON.stringify(data) });
  }

  /** Reports an error of its own, as a client does: counted, remembered, emitted. */
  fail(error: WebSocketError, status?: ConnectionStatus): void {
    this.stats = { ...this.stats, errors: this.stats.errors + 1 };
    this.state = { ...this.state, lastError: error, status: status ?? this.state.status };
    this.emit({ type: 'error', error, timestamp: 1 });
  }
}

/** A decorator that exposes and records what the base class does. */
class Probe<T = unknown> extends ForwardingClient<T> {
  readonly log: string[] = [];
  wantEvents = false;
  wantMessages = false;
  released = 0;
  attachments = 0;
  keep: (message: WebSocketMessage<T>) => boolean = () => true;
  onRelease: (() => void) | undefined;

  constructor(
    inner: WebSocketClient<T>,
    private readonly ownMessages = false,
    clock?: { now(): number },
    private readonly name = 'probe',
  ) {
    super(inner, clock);
  }

  override subscribe(listener: MessageListener<T>): Unsubscribe {
    return this.ownMessages ? this.listen(listener) : super.subscribe(listener);
  }

  get isEngaged(): boolean {
    return this.engaged;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  resync(): void {
    this.sync();
  }

  get status(): ConnectionStatus {
    return this.innerStatus();
  }

  fail(error: WebSocketError): void {
    this.report(error);
  }

  protected override onEvent(event: WebSocketEvent): void {
    this.log.push(`${this.name}.onEvent:${event.type}`);
  }

  protected override onMessage(message: WebSocketMessage<T>): boolean {
    this.log.push(`${this.name}.onMessage`);
    return this.keep(message);
  }

  protected override needsEvents(): boolean {
    return this.wantEvents;
  }

  protected override needsMessages(): boolean {
    return this.wantMessages;
  }

  protected override attached(): void {
    this.attachments++;
  }

  protected override release(): void {
    this.released++;
    this.onRelease?.();
  }
}

/** A decorator with pending work while a connection made through it lasts, like the heartbeat's autoStart. */
class Engaged<T = unknown> extends Probe<T> {
  protected override needsEvents(): boolean {
    return this.isEngaged;
  }
}

const connected: WebSocketEvent = { type: 'connected', url: 'ws://x', protocols: [], timestamp: 1 };

/** Lets the microtasks queued so far run. */
const flush = async (): Promise<void> => {
  for (let i = 0; i < 3; i++) await Promise.resolve();
};

/** Records what microtasks throw, still running them as microtasks. */
function captureMicrotaskThrows(): unknown[] {
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
  return thrown;
}

function errorEvents(listener: ReturnType<typeof vi.fn<EventListener>>): WebSocketError[] {
  return listener.mock.calls.map(([event]) => event).flatMap((event) => (event.type === 'error' ? [event.error] : []));
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('ForwardingClient: forwarding', () => {
  it('forwards connect, disconnect, send and markDead with their arguments and results', async () => {
    const inner = new FakeClient<{ n: number }>();
    const client = new ForwardingClient(inner);
    const opened = Promise.resolve();
    inner.connect.mockReturnValueOnce(opened);
    const url = (): string => 'ws://fn';
    expect(client.connect(url, ['a', 'b'])).toBe(opened);
    expect(inner.connect).toHaveBeenCalledWith(url, ['a', 'b']);

    const refused = new WebSocketError('nope', WS_ERROR_CODES.SEND_FAILED);
    inner.send.mockRejectedValueOnce(refused);
    await expect(client.send({ n: 1 })).rejects.toBe(refused);
    expect(inner.send).toHaveBeenCalledWith({ n: 1 });

    await client.disconnect(4000, 'bye');
    expect(inner.disconnect).toHaveBeenCalledWith(4000, 'bye');
    client.markDead('gone');
    expect(inner.markDead).toHaveBeenCalledWith('gone');
  });

  it('shows the inner state and stats as they are while it has no error of its own', () => {
    const inner = new FakeClient();
    const client = new ForwardingClient(inner);
    expect(client.state).toBe(inner.state);
    expect(client.stats).toBe(inner.stats);
    inner.setStatus('connected');
    expect(client.state.status).toBe('connected');
  });

  it('passes message listeners straight to the inner client', () => {
    const inner = new FakeClient<string>();
    const client = new ForwardingClient(inner);
    const listener = vi.fn();
    const off = client.subscribe(listener);
    expect(inner.held).toEqual({ messages: 1, events: 0 });
    inner.receive('hi');
    expect(listener).toHaveBeenCalledWith({ data: 'hi', timestamp: 1, raw: '"hi"' });
    off();
    expect(inner.held).toEqual({ messages: 0, events: 0 });
  });

  it('refuses a listener that is not a function', () => {
    const client = new Probe(new FakeClient(), true);
    expect(() => client.subscribeToEvents(null as unknown as EventListener)).toThrow(new TypeError('listener must be a function'));
    expect(() => client.subscribe('x' as unknown as MessageListener<unknown>)).toThrow(TypeError);
  });
});

describe('ForwardingClient: innerStatus()', () => {
  it("reads the status of a client without STATUS from its state, through every decorator", () => {
    const inner = new FakeClient();
    const outer = new Probe(new Probe(inner));
    inner.setStatus('reconnecting');
    expect(outer.status).toBe('reconnecting');
  });

  it('reads STATUS of the client at the bottom of a stack without building any state snapshot', () => {
    class Bare extends FakeClient {
      reads = 0;
      get [STATUS](): ConnectionStatus {
        this.reads++;
        return this.state.status;
      }
    }
    const inner = new Bare();
    inner.setStatus('connected');
    const outer = new Probe(new Probe(inner));
    const snapshots = [vi.spyOn(outer, 'state', 'get'), vi.spyOn(ForwardingClient.prototype, 'state', 'get')];
    expect(outer.status).toBe('connected');
    for (const snapshot of snapshots) expect(snapshot).not.toHaveBeenCalled();
    expect(inner.reads).toBe(1);
  });
});

describe('ForwardingClient: lazy subscriptions', () => {
  it('holds nothing on the inner client until something is subscribed, even after connect()', () => {
    const inner = new FakeClient();
    const client = new Probe(inner, true);
    expect(inner.held).toEqual({ messages: 0, events: 0 });
    void client.connect('ws://x');
    expect(inner.held).toEqual({ messages: 0, events: 0 });
    expect(client.attachments).toBe(0);
  });

  it('holds one event subscription for any number of listeners, and none once they are gone', () => {
    const inner = new FakeClient();
    const client = new Probe(inner);
    const offA = client.subscribeToEvents(vi.fn());
    expect(inner.held).toEqual({ messages: 0, events: 1 });
    expect(client.attachments).toBe(1);
    const offB = client.subscribeToEvents(vi.fn());
    expect(inner.held).toEqual({ messages: 0, events: 1 });
    offA();
    offA();
    expect(inner.held.events).toBe(1);
    offB();
    expect(inner.held).toEqual({ messages: 0, events: 0 });
    // Subscribing again starts a fresh subscription, and attached() says so.
    const offC = client.subscribeToEvents(vi.fn());
    expect(inner.held.events).toBe(1);
    expect(client.attachments).toBe(2);
    offC();
    expect(inner.held.events).toBe(0);
  });

  it('holds one message subscription for its own message listeners (listen), and none once they are gone', () => {
    const inner = new FakeClient<number>();
    const client = new Probe(inner, true);
    const a = vi.fn();
    const b = vi.fn();
    const offA = client.subscribe(a);
    const offB = client.subscribe(b);
    expect(inner.held).toEqual({ messages: 1, events: 0 });
    inner.receive(7);
    expect(a).toHaveBeenCalledOnce();
    expect(b).toHaveBeenCalledOnce();
    offA();
    expect(inner.held.messages).toBe(1);
    offB();
    expect(inner.held).toEqual({ messages: 0, events: 0 });
    inner.receive(8);
    expect(a).toHaveBeenCalledOnce();
  });

  it('holds subscriptions while needsEvents()/needsMessages() say so, and lets go at the next sync()', () => {
    const inner = new FakeClient();
    const client = new Probe(inner, true);
    client.wantEvents = true;
    client.resync();
    expect(inner.held).toEqual({ messages: 0, events: 1 });
    client.wantMessages = true;
    client.resync();
    expect(inner.held).toEqual({ messages: 1, events: 1 });
    client.resync();
    expect(inner.held).toEqual({ messages: 1, events: 1 });
    expect(client.attachments).toBe(1);

    // Pending work keeps the subscription after the last listener goes.
    const off = client.subscribeToEvents(vi.fn());
    off();
    expect(inner.held.events).toBe(1);

    client.wantEvents = false;
    client.resync();
    expect(inner.held).toEqual({ messages: 1, events: 0 });
    client.wantMessages = false;
    client.resync();
    expect(inner.held).toEqual({ messages: 0, events: 0 });
  });

  it('re-checks after each event, so work finished by an event releases the subscription', () => {
    const inner = new FakeClient();
    class UntilConnected extends Probe {
      protected override onEvent(event: WebSocketEvent): void {
        if (event.type === 'connected') this.wantEvents = false;
      }
    }
    const client = new UntilConnected(inner);
    client.wantEvents = true;
    client.resync();
    expect(inner.held.events).toBe(1);
    inner.emit({ type: 'reconnecting', attempt: 1, delay: 1, maxAttempts: 0, timestamp: 1 });
    expect(inner.held.events).toBe(1);
    inner.emit(connected);
    expect(inner.held.events).toBe(0);
  });

  it('keeps the subscription when a listener unsubscribes itself while others remain', () => {
    const inner = new FakeClient();
    const client = new Probe(inner);
    const second = vi.fn();
    const off = client.subscribeToEvents(() => off());
    client.subscribeToEvents(second);
    inner.emit(connected);
    expect(second).toHaveBeenCalledOnce();
    expect(inner.held.events).toBe(1);
  });
});

describe('ForwardingClient: inside out', () => {
  it('runs onEvent before any of its own listeners, even after a listener subscribed to the inner client earlier', () => {
    const inner = new FakeClient();
    const client = new Probe(inner);
    const log = client.log;
    inner.subscribeToEvents((event) => log.push(`inner listener:${event.type}`));
    client.subscribeToEvents((event) => log.push(`listener 1:${event.type}`));
    client.subscribeToEvents((event) => log.push(`listener 2:${event.type}`));
    inner.emit(connected);
    expect(log).toEqual(['inner listener:connected', 'probe.onEvent:connected', 'listener 1:connected', 'listener 2:connected']);
  });

  it('lets an inner decorator react before an outer one, whatever the order of subscriptions', () => {
    const base = new FakeClient();
    const log: string[] = [];
    const innerDecorator = new Probe(base, false, undefined, 'inner');
    const outerDecorator = new Probe(innerDecorator, false, undefined, 'outer');
    innerDecorator.log.push = (...items) => log.push(...items);
    outerDecorator.log.push = (...items) => log.push(...items);
    // A listener of the inner decorator subscribed before the outer decorator subscribes to it.
    innerDecorator.subscribeToEvents((event) => log.push(`inner listener:${event.type}`));
    outerDecorator.subscribeToEvents((event) => log.push(`outer listener:${event.type}`));
    // And one on the base client, subscribed last.
    base.subscribeToEvents((event) => log.push(`base listener:${event.type}`));
    base.emit(connected);
    expect(log).toEqual([
      'inner.onEvent:connected',
      'inner listener:connected',
      'outer.onEvent:connected',
      'outer listener:connected',
      'base listener:connected',
    ]);
  });

  it('runs onMessage before its own message listeners and withholds what it returns false for', () => {
    const inner = new FakeClient<string>();
    const client = new Probe(inner, true);
    client.keep = (message) => message.data !== 'PONG';
    const listener = vi.fn((message: WebSocketMessage<string>) => client.log.push(`listener:${message.data}`));
    client.subscribe(listener);
    inner.receive('PONG');
    inner.receive('hello');
    expect(client.log).toEqual(['probe.onMessage', 'probe.onMessage', 'listener:hello']);
    expect(listener).toHaveBeenCalledOnce();
  });
});

describe('ForwardingClient: report()', () => {
  it('emits an error event to its own listeners only, timestamped by its clock', () => {
    const inner = new FakeClient();
    const client = new Probe(inner, false, { now: () => 4242 });
    const mine = vi.fn<EventListener>();
    const innerListener = vi.fn<EventListener>();
    client.subscribeToEvents(mine);
    inner.subscribeToEvents(innerListener);
    const error = new WebSocketError('late', WS_ERROR_CODES.HEARTBEAT_TIMEOUT, true);
    client.fail(error);
    expect(mine).toHaveBeenCalledExactlyOnceWith({ type: 'error', error, timestamp: 4242 });
    expect(innerListener).not.toHaveBeenCalled();
  });

  it('timestamps with Date.now() by default', () => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
    try {
      const client = new Probe(new FakeClient());
      const mine = vi.fn<EventListener>();
      client.subscribeToEvents(mine);
      client.fail(new WebSocketError('x', WS_ERROR_CODES.PROTOCOL_ERROR));
      expect(mine.mock.calls[0]![0].timestamp).toBe(1_700_000_000_000);
    } finally {
      vi.useRealTimers();
    }
  });

  it('counts its errors on top of the inner client\'s in stats.errors, other counters untouched', () => {
    const inner = new FakeClient();
    inner.fail(new WebSocketError('a', WS_ERROR_CODES.SEND_FAILED));
    inner.fail(new WebSocketError('b', WS_ERROR_CODES.SEND_FAILED));
    const client = new Probe(inner);
    client.fail(new WebSocketError('mine', WS_ERROR_CODES.CALLBACK_FAILED, true));
    expect(client.stats).toEqual({ ...inner.stats, errors: 3 });
    inner.fail(new WebSocketError('c', WS_ERROR_CODES.SEND_FAILED));
    expect(client.stats.errors).toBe(4);
    client.fail(new WebSocketError('mine again', WS_ERROR_CODES.CALLBACK_FAILED, true));
    expect(client.stats.errors).toBe(5);
    expect(inner.stats.errors).toBe(3);
  });

  it('counts an error reported with no listener at all', () => {
    const inner = new FakeClient();
    const client = new Probe(inner);
    const error = new WebSocketError('alone', WS_ERROR_CODES.CALLBACK_FAILED, true);
    client.fail(error);
    expect(client.stats.errors).toBe(1);
    expect(client.state.lastError).toBe(error);
    expect(inner.held).toEqual({ messages: 0, events: 0 });
  });

  it('makes state.lastError its own error until the inner client reports a newer one', () => {
    const inner = new FakeClient();
    const older = new WebSocketError('inner, older', WS_ERROR_CODES.CONNECTION_FAILED, true);
    inner.fail(older);
    inner.setStatus('connected');
    const client = new Probe(inner);
    expect(client.state.lastError).toBe(older);

    const mine = new WebSocketError('mine', WS_ERROR_CODES.HEARTBEAT_TIMEOUT, true);
    client.fail(mine);
    expect(client.state.lastError).toBe(mine);
    expect(client.state).toEqual({ ...inner.state, lastError: mine });
    expect(inner.state.lastError).toBe(older);

    const newer = new WebSocketError('inner, newer', WS_ERROR_CODES.SEND_FAILED);
    inner.fail(newer);
    expect(client.state.lastError).toBe(newer);
    expect(client.state).toBe(inner.state);

    const latest = new WebSocketError('mine, latest', WS_ERROR_CODES.CALLBACK_FAILED, true);
    client.fail(latest);
    expect(client.state.lastError).toBe(latest);
  });
});

describe('ForwardingClient: throwing listeners', () => {
  it('turns an event listener that throws into a CALLBACK_FAILED error event, the others still called', async () => {
    const rethrown = captureMicrotaskThrows();
    const inner = new FakeClient();
    const client = new Probe(inner);
    const thrown = new Error('listener bug');
    const before = vi.fn<EventListener>();
    const after = vi.fn<EventListener>();
    client.subscribeToEvents(before);
    client.subscribeToEvents((event) => {
      if (event.type === 'connected') throw thrown;
    });
    client.subscribeToEvents(after);
    expect(() => {
      inner.emit(connected);
    }).not.toThrow();

    expect(before).toHaveBeenCalledWith(connected);
    expect(after).toHaveBeenCalledWith(connected);
    for (const listener of [before, after]) {
      const [error] = errorEvents(listener);
      expect(errorEvents(listener)).toHaveLength(1);
      expect(error).toBeInstanceOf(WebSocketError);
      expect(error!.code).toBe(WS_ERROR_CODES.CALLBACK_FAILED);
      expect(error!.cause).toBe(thrown);
      expect(error!.recoverable).toBe(true);
      expect(error!.message).toMatch(/event listener/);
    }
    expect(client.stats.errors).toBe(1);
    expect(client.state.lastError?.cause).toBe(thrown);
    expect(inner.stats.errors).toBe(0);
    await flush();
    expect(rethrown).toEqual([]);
  });

  it('turns a message listener that throws into a CALLBACK_FAILED error event, the others still called', async () => {
    const rethrown = captureMicrotaskThrows();
    const inner = new FakeClient<string>();
    const client = new Probe(inner, true);
    const events = vi.fn<EventListener>();
    client.subscribeToEvents(events);
    const thrown = { reason: 'not even an Error' };
    const after = vi.fn();
    client.subscribe(() => {
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- an application may throw anything
      throw thrown;
    });
    client.subscribe(after);
    inner.receive('hello');
    expect(after).toHaveBeenCalledOnce();
    const errors = errorEvents(events);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.code).toBe(WS_ERROR_CODES.CALLBACK_FAILED);
    expect(errors[0]!.cause).toBe(thrown);
    expect(errors[0]!.message).toMatch(/message listener/);
    expect(client.stats.errors).toBe(1);
    await flush();
    expect(rethrown).toEqual([]);
  });

  it('re-throws from a microtask a listener that throws while handling an error event, without looping', async () => {
    const rethrown = captureMicrotaskThrows();
    const inner = new FakeClient();
    const client = new Probe(inner);
    const thrown = new Error('error handler bug');
    const thrower = vi.fn<EventListener>(() => {
      throw thrown;
    });
    const other = vi.fn<EventListener>();
    client.subscribeToEvents(thrower);
    client.subscribeToEvents(other);
    const innerError = new WebSocketError('inner', WS_ERROR_CODES.SEND_FAILED);
    expect(() => {
      inner.fail(innerError);
    }).not.toThrow();
    expect(thrower).toHaveBeenCalledOnce();
    expect(other).toHaveBeenCalledOnce();
    expect(errorEvents(other)).toEqual([innerError]);
    // No error event of its own for it: it would only make the listener throw again.
    expect(client.stats.errors).toBe(1);
    expect(client.state.lastError).toBe(innerError);
    expect(rethrown).toEqual([]);
    await flush();
    expect(rethrown).toEqual([thrown]);
  });

  it('stops after one round with a listener that throws on every event', async () => {
    const rethrown = captureMicrotaskThrows();
    const inner = new FakeClient();
    const client = new Probe(inner);
    const thrown = new Error('always');
    const thrower = vi.fn<EventListener>(() => {
      throw thrown;
    });
    const other = vi.fn<EventListener>();
    client.subscribeToEvents(thrower);
    client.subscribeToEvents(other);
    inner.emit(connected);
    // connected, then the CALLBACK_FAILED error it caused, and nothing more.
    expect(thrower).toHaveBeenCalledTimes(2);
    expect(other.mock.calls.map(([event]) => event.type).sort()).toEqual(['connected', 'error']);
    expect(errorEvents(other)[0]!.cause).toBe(thrown);
    expect(client.stats.errors).toBe(1);
    await flush();
    expect(rethrown).toEqual([thrown]);
  });

  it('re-throws from a microtask a listener that throws on the decorator\'s own error event', async () => {
    const rethrown = captureMicrotaskThrows();
    const client = new Probe(new FakeClient());
    const thrown = new Error('bug');
    client.subscribeToEvents(() => {
      throw thrown;
    });
    client.fail(new WebSocketError('own', WS_ERROR_CODES.HEARTBEAT_TIMEOUT, true));
    expect(client.stats.errors).toBe(1);
    await flush();
    expect(rethrown).toEqual([thrown]);
  });
});

describe('ForwardingClient: dispose()', () => {
  it('calls release(), drops every subscription on the inner client, and stops delivering', () => {
    const inner = new FakeClient<string>();
    const client = new Probe(inner, true);
    const events = vi.fn<EventListener>();
    const messages = vi.fn();
    client.subscribeToEvents(events);
    client.subscribe(messages);
    client.wantEvents = true;
    client.wantMessages = true;
    expect(inner.held).toEqual({ messages: 1, events: 1 });

    client.dispose();
    expect(client.released).toBe(1);
    expect(client.isDisposed).toBe(true);
    // Even with pending work claimed by needsEvents()/needsMessages().
    expect(inner.held).toEqual({ messages: 0, events: 0 });
    inner.emit(connected);
    inner.receive('late');
    expect(events).not.toHaveBeenCalled();
    expect(messages).not.toHaveBeenCalled();
  });

  it('lets release() report the work it drops to the listeners, before they are cleared', () => {
    const client = new Probe(new FakeClient());
    const events = vi.fn<EventListener>();
    client.subscribeToEvents(events);
    const dropped = new WebSocketError('dropped', WS_ERROR_CODES.SEND_FAILED);
    client.onRelease = () => {
      client.fail(dropped);
    };
    client.dispose();
    expect(errorEvents(events)).toEqual([dropped]);
  });

  it('rejects connect() and send() afterwards with WebSocketErrors that are not recoverable', async () => {
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const inner = new FakeClient();
      const client = new Probe(inner);
      client.dispose();

      const connecting = client.connect('ws://x');
      await expect(connecting).rejects.toBeInstanceOf(WebSocketError);
      await expect(connecting).rejects.toMatchObject({ code: WS_ERROR_CODES.CONNECTION_FAILED, recoverable: false });
      const sending = client.send('hi');
      await expect(sending).rejects.toBeInstanceOf(WebSocketError);
      await expect(sending).rejects.toMatchObject({ code: WS_ERROR_CODES.SEND_FAILED, recoverable: false });
      expect(inner.connect).not.toHaveBeenCalled();
      expect(inner.send).not.toHaveBeenCalled();
      expect(client.isEngaged).toBe(false);

      // Left unawaited, the rejections do not crash anything.
      void client.connect('ws://x');
      void client.send('x');
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  it('returns a no-op from every subscribe afterwards', () => {
    for (const ownMessages of [false, true]) {
      const inner = new FakeClient<string>();
      const client = new Probe(inner, ownMessages);
      client.dispose();
      const messages = vi.fn();
      const events = vi.fn<EventListener>();
      const offMessages = client.subscribe(messages);
      const offEvents = client.subscribeToEvents(events);
      expect(inner.held).toEqual({ messages: 0, events: 0 });
      inner.receive('x');
      inner.emit(connected);
      expect(messages).not.toHaveBeenCalled();
      expect(events).not.toHaveBeenCalled();
      expect(() => {
        offMessages();
        offEvents();
      }).not.toThrow();
      expect(inner.held).toEqual({ messages: 0, events: 0 });
    }
  });

  it('still forwards disconnect()', async () => {
    const inner = new FakeClient();
    const client = new Probe(inner);
    client.dispose();
    await client.disconnect(1000, 'done');
    expect(inner.disconnect).toHaveBeenCalledWith(1000, 'done');
  });

  it('is harmless when called twice, and an unsubscribe kept from before is harmless too', () => {
    const inner = new FakeClient();
    const client = new Probe(inner, true);
    const offEvents = client.subscribeToEvents(vi.fn());
    const offMessages = client.subscribe(vi.fn());
    client.dispose();
    client.dispose();
    expect(client.released).toBe(1);
    offEvents();
    offMessages();
    expect(inner.held).toEqual({ messages: 0, events: 0 });
  });

  it('is what [Symbol.dispose] does, so `using` disposes it', () => {
    const inner = new FakeClient();
    {
      using client = new Probe(inner);
      client.subscribeToEvents(vi.fn());
      expect(inner.held.events).toBe(1);
    }
    expect(inner.held.events).toBe(0);

    const client = new Probe(inner);
    client.subscribeToEvents(vi.fn());
    client[Symbol.dispose]();
    expect(client.released).toBe(1);
    expect(inner.held.events).toBe(0);
    client[Symbol.dispose]();
    expect(client.released).toBe(1);
  });

  it('does not close or change the inner client', () => {
    const inner = new FakeClient();
    inner.setStatus('connected');
    const client = new Probe(inner);
    client.subscribeToEvents(vi.fn());
    client.dispose();
    expect(inner.disconnect).not.toHaveBeenCalled();
    expect(inner.markDead).not.toHaveBeenCalled();
    expect(client.state.status).toBe('connected');
  });

  // Anything that calls sync() after dispose() (an unsubscribe kept from before, a
  // subclass's own stop()) must not subscribe to the inner client again.
  it('holds no subscription after dispose(), whatever is called afterwards', () => {
    const inner = new FakeClient();
    const client = new Engaged(inner);
    const off = client.subscribeToEvents(vi.fn());
    void client.connect('ws://x');
    client.dispose();
    expect(inner.held.events).toBe(0);
    off();
    expect(inner.held.events).toBe(0);
  });
});

describe('ForwardingClient: engaged', () => {
  it('is set by connect() through the decorator and holds the events it needs', async () => {
    const inner = new FakeClient();
    const client = new Engaged(inner);
    expect(client.isEngaged).toBe(false);
    expect(inner.held.events).toBe(0);
    const opening = client.connect('ws://x', ['chat']);
    expect(client.isEngaged).toBe(true);
    expect(inner.held.events).toBe(1);
    expect(inner.connect).toHaveBeenCalledWith('ws://x', ['chat']);
    await opening;
    inner.become('connected');
    await flush();
    expect(client.isEngaged).toBe(true);
  });

  it('is not set by a connect() made on the inner client directly', async () => {
    const inner = new FakeClient();
    const client = new Engaged(inner);
    client.subscribeToEvents(vi.fn());
    await inner.connect('ws://x');
    inner.become('connected');
    expect(client.isEngaged).toBe(false);
  });

  it('lasts through errors and reconnects while the inner client is still active', async () => {
    const inner = new FakeClient();
    const client = new Engaged(inner);
    void client.connect('ws://x');
    inner.become('connected');
    inner.fail(new WebSocketError('send failed', WS_ERROR_CODES.SEND_FAILED));
    await flush();
    expect(client.isEngaged).toBe(true);
    inner.become('reconnecting');
    inner.emit({ type: 'disconnected', code: 1006, reason: '', wasClean: false, timestamp: 1 });
    await flush();
    expect(client.isEngaged).toBe(true);
    inner.setStatus('connecting');
    inner.become('connected');
    await flush();
    expect(client.isEngaged).toBe(true);
    expect(inner.held.events).toBe(1);
  });

  it('ends when the inner client becomes disconnected, and the subscription it needed goes', async () => {
    const inner = new FakeClient();
    const client = new Engaged(inner);
    void client.connect('ws://x');
    inner.become('connected');
    inner.become('disconnected');
    await flush();
    expect(client.isEngaged).toBe(false);
    expect(inner.held.events).toBe(0);
  });

  it('ends when the inner client fails for good', async () => {
    const inner = new FakeClient();
    const client = new Engaged(inner);
    void client.connect('ws://x');
    inner.become('connected');
    inner.fail(new WebSocketError('gave up', WS_ERROR_CODES.MAX_RECONNECTS), 'failed');
    await flush();
    expect(client.isEngaged).toBe(false);
    expect(inner.held.events).toBe(0);
  });

  it('looks at the inner status once the inner client has finished reacting to the event', async () => {
    const inner = new FakeClient();
    const client = new Engaged(inner);
    void client.connect('ws://x');
    inner.become('connected');
    // The event arrives while the status still says connected; the client settles right after.
    inner.emit({ type: 'disconnected', code: 1000, reason: '', wasClean: true, timestamp: 1 });
    inner.setStatus('disconnected');
    expect(client.isEngaged).toBe(true);
    await flush();
    expect(client.isEngaged).toBe(false);
    expect(inner.held.events).toBe(0);
  });

  it('keeps the event subscription for remaining listeners when it ends', async () => {
    const inner = new FakeClient();
    const client = new Engaged(inner);
    const listener = vi.fn<EventListener>();
    client.subscribeToEvents(listener);
    void client.connect('ws://x');
    inner.become('connected');
    inner.become('disconnected');
    await flush();
    expect(client.isEngaged).toBe(false);
    expect(inner.held.events).toBe(1);
    expect(listener.mock.calls.map(([event]) => event.type)).toEqual(['connected', 'disconnected']);
  });

  it('is set again by the next connect()', async () => {
    const inner = new FakeClient();
    const client = new Engaged(inner);
    void client.connect('ws://x');
    inner.become('disconnected');
    await flush();
    expect(client.isEngaged).toBe(false);
    void client.connect('ws://x');
    expect(client.isEngaged).toBe(true);
    expect(inner.held.events).toBe(1);
  });
});
