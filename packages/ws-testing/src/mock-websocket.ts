import {
  JSONSerializer,
  WebSocketError,
  WS_ERROR_CODES,
  type CloseInfo,
  type ConnectionState,
  type ConnectionStats,
  type ConnectionStatus,
  type EventListener,
  type MessageListener,
  type MessageSerializer,
  type RawData,
  type Unsubscribe,
  type UrlProvider,
  type WebSocketClient,
  type WebSocketEvent,
  type WebSocketMessage,
} from '@composable-svelte/ws-types';
import { ListenerSet, byteLength, callbackFailed, closeError, deferred, handled, superseded, type Deferred } from '@composable-svelte/ws-types/internal';

/** Options of {@link createMockWebSocket}. */
export interface MockWebSocketOptions {
  /**
   * What a connection attempt does: `'open'` connects at once; `'manual'` waits until the test
   * calls `open()` or `fail()`; `'fail'` fails it with `CONNECTION_FAILED`.
   * @defaultValue `'open'`
   */
  connect?: 'open' | 'manual' | 'fail' | undefined;
  /**
   * Reconnection, as the live client's `reconnect` option: after a loss the application did not
   * ask for (`simulateDisconnect`, `markDead`) or a failed attempt, the mock goes to
   * `reconnecting` with a `reconnecting` event and waits for the test: `retry()` starts the
   * attempt (`connecting`), `open()` completes it (`connected`, `reconnected`), `fail()` fails
   * it (the next `reconnecting`, or `failed` with `MAX_RECONNECTS` once `maxAttempts` attempts
   * have failed). `true` means no limit; `false` stays `disconnected` after a loss. Each
   * `simulateDisconnect` call may override it.
   * @defaultValue `false`
   */
  reconnect?: boolean | { readonly maxAttempts?: number | undefined } | undefined;
  /** Encodes sends and decodes nothing: used to count bytes and to build `raw`, as the live client would. @defaultValue `JSONSerializer` */
  serializer?: MessageSerializer | undefined;
  /** The clock for timestamps and `uptime`; never a timer. @defaultValue `Date.now` */
  now?: (() => number) | undefined;
}

/** A {@link WebSocketClient} driven by the test. */
export interface MockWebSocket<In, Out = In> extends WebSocketClient<In, Out> {
  /** Every message `send()` accepted, in order. */
  readonly sentMessages: Out[];
  /** Delivers a message to subscribers, as if the server sent it (`raw` defaults to its serialization). */
  simulateMessage(data: In, raw?: RawData): void;
  /** Emits an event to event subscribers and updates `state` as the live client would for it. */
  simulateEvent(event: WebSocketEvent): void;
  /** Emits an `error` event with `error` (and records it in `state.lastError` and `stats.errors`). */
  simulateError(error: WebSocketError): void;
  /**
   * The server closes or the network drops the connection: while connected, a `disconnected`
   * event (`wasClean` unless the code is 1006), then `reconnecting` or nothing more, as chosen
   * by `reconnect` (default: the option of the same name). While connecting, the attempt fails
   * as a connection closed before it opened (with reconnection off, the `disconnected` event
   * carries `code` and `reason`). While reconnecting, it gives up: `disconnected`.
   * @param code - @defaultValue `1006`
   * @throws Error when there is no connection to lose (disconnected or failed).
   */
  simulateDisconnect(code?: number, reason?: string, options?: { reconnect?: boolean }): void;
  /** Starts the pending reconnect attempt, as the live client does when its backoff delay ends: `reconnecting` → `connecting`. */
  retry(): void;
  /** Completes a pending connection (manual `connect`, or a reconnection): `connected`, then `reconnected` after a loss. */
  open(): void;
  /**
   * Fails a pending connection attempt as the live client does: its `connect()` rejects with
   * `error`, an `error` event, then the next `reconnecting` (with reconnection on), `failed`
   * (attempts used up) or `disconnected`. Without `error`, the server refused: `disconnected`
   * has code 1006 and no reason; with one, its message is the reason, as for the live client's
   * own failures (a timeout, a URL provider that fails).
   * @param error - @defaultValue a `CONNECTION_FAILED` error; pass a `CONNECTION_TIMEOUT` one for a timeout
   */
  fail(error?: WebSocketError): void;
  /**
   * The network goes down (`false`) or comes back (`true`), as a browser environment reports it
   * to the live client (see ws-core's README, "Browsers"). Offline while reconnecting, the
   * pending attempt is cancelled and the mock waits for the network: a `network` event
   * (`waiting: true`), no attempt and none counted; a loss or a failed attempt while offline
   * waits the same way instead of a `reconnecting` event. Back online while reconnecting (waiting
   * or not), one attempt starts at once with the count reset to 1 (`connecting`; then `open()`
   * or `fail()`), and a `network` event (`waiting: false`) says the wait ended. Offline while
   * connected changes nothing (the live client keeps a working socket). A `connect()` always
   * tries, online or not. @defaultValue online
   */
  setOnline(online: boolean): void;
  /** The network as the live client's `network` reports it: `online` as last set, `waiting` while reconnecting waits for it. */
  readonly network: { readonly online: boolean; readonly waiting: boolean };
  /** Clears `sentMessages`, the counters and the state (back to `disconnected`, online); subscribers stay. */
  reset(): void;
  /** How many message and event subscribers are attached (for leak checks). */
  readonly listenerCount: { readonly messages: number; readonly events: number };
}

/** How a refused connection closes. */
const REFUSED: CloseInfo = { code: 1006, reason: '', wasClean: false };
const failedBefore = (message: string): WebSocketError => new WebSocketError(message, WS_ERROR_CODES.CONNECTION_FAILED, true);
const notConnected = (status: ConnectionStatus): WebSocketError =>
  new WebSocketError(`Not connected (${status})`, WS_ERROR_CODES.SEND_FAILED, true);

/** The counters of {@link ConnectionStats}, writable. */
type Counters = Record<Exclude<keyof ConnectionStats, 'uptime'>, number>;

const zero = (): Counters => ({
  messagesSent: 0,
  messagesReceived: 0,
  bytesSent: 0,
  bytesReceived: 0,
  reconnects: 0,
  errors: 0,
});

/**
 * The mock: the live client's state machine, with the test playing the socket and the clock.
 * Every transition mirrors ws-core's `createLiveWebSocket` (checked by a model-based test), and
 * each deliberate difference is listed in the README.
 */
class Mock<In, Out> implements MockWebSocket<In, Out> {
  readonly sentMessages: Out[] = [];
  private readonly messages: ListenerSet<WebSocketMessage<In>>;
  private readonly events: ListenerSet<WebSocketEvent>;
  private readonly serializer: MessageSerializer;
  private readonly now: () => number;
  private readonly mode: 'open' | 'manual' | 'fail';
  private readonly reconnect: boolean;
  private readonly maxAttempts: number;
  private status: ConnectionStatus = 'disconnected';
  private target: UrlProvider | null = null;
  private url: string | null = null;
  private protocols: string[] = [];
  private attempts = 0;
  private lastError: WebSocketError | null = null;
  private connectedAt: number | null = null;
  private pending: Deferred | null = null;
  private counters = zero();
  // Bumped whenever an attempt is abandoned, so that a URL provider resolving late is ignored.
  private generation = 0;
  private online = true;
  // Reconnecting with no attempt pending, until the network is back; and what the last
  // `network` event said.
  private offline = false;
  private waiting = false;

  constructor(options: MockWebSocketOptions) {
    this.serializer = options.serializer ?? JSONSerializer;
    this.now = options.now ?? (() => Date.now());
    this.mode = options.connect ?? 'open';
    const reconnect = options.reconnect ?? false;
    this.reconnect = reconnect !== false;
    this.maxAttempts = typeof reconnect === 'object' ? (reconnect.maxAttempts ?? 0) : 0;
    this.messages = new ListenerSet((cause) => this.report(callbackFailed('A message listener', cause)));
    this.events = new ListenerSet((cause, event) => {
      if (event.type === 'error') throw cause;
      this.report(callbackFailed('An event listener', cause));
    });
  }

  connect(provider: UrlProvider, requested: readonly string[] = []): Promise<void> {
    if (typeof provider !== 'string' && typeof provider !== 'function') {
      return Promise.reject(new TypeError('URL must be a string or a function'));
    }
    const list = [...requested];
    if (list.some((p) => typeof p !== 'string')) return Promise.reject(new TypeError('Protocols must be strings'));
    const idle = this.status === 'disconnected' || this.status === 'failed';
    const same = provider === this.target && list.join() === this.protocols.join();
    if (this.status === 'connected' && same) return Promise.resolve();
    // The latest call wins: another target replaces the current connection, as in the live client.
    if (!same && !idle) {
      // disconnect() counts one generation; any other call from now on (a listener of its
      // `disconnected` event included) counts more.
      const seen = this.generation + 1;
      const closing = this.disconnect(1000, 'Connecting elsewhere');
      // Unless another connect() or disconnect() came meanwhile: then that one wins.
      return handled(closing.then(() => (seen === this.generation ? this.connect(provider, list) : Promise.reject(superseded()))));
    }
    this.target = provider;
    this.protocols = list;
    this.pending ??= deferred();
    const { promise } = this.pending;
    if (idle) this.attempts = 0;
    if (this.status !== 'connecting') this.attempt();
    return promise;
  }

  disconnect(code = 1000, reason = ''): Promise<void> {
    const invalid = closeError(code, reason);
    if (invalid) return Promise.reject(invalid);
    this.generation++;
    this.settle(failedBefore('disconnect() was called before the connection opened'));
    const was = this.status;
    this.status = 'disconnected';
    this.connectedAt = null;
    if (was === 'connected') {
      // As the live client: an open connection is closed once the server answers the Close
      // frame, so the status changes at once and `disconnected` comes later: two microtasks
      // later here, as with ws-testing's fake WebSocket.
      return Promise.resolve()
        .then(() => undefined)
        .then(() => {
          this.events.emit({ type: 'disconnected', code, reason, wasClean: true, timestamp: this.now() });
        });
    }
    if (was !== 'disconnected') this.emit({ type: 'disconnected', code, reason, wasClean: true, timestamp: this.now() });
    // Unless a listener of that event connected again (which ended the wait).
    this.syncWaiting();
    return Promise.resolve();
  }

  send(message: Out): Promise<void> {
    let frame;
    try {
      frame = this.serializer.serialize(message);
      if (typeof frame !== 'string' && !(frame instanceof ArrayBuffer) && !ArrayBuffer.isView(frame)) {
        throw new TypeError(`serialize() gave ${typeof frame}, not a string, ArrayBuffer or typed array`);
      }
    } catch (cause) {
      return this.rejected(
        cause instanceof WebSocketError ? cause : new WebSocketError('Cannot serialize', WS_ERROR_CODES.INVALID_MESSAGE, false, cause),
      );
    }
    if (this.status !== 'connected') return this.rejected(notConnected(this.status));
    this.sentMessages.push(message);
    this.counters.messagesSent++;
    this.counters.bytesSent += byteLength(frame);
    return Promise.resolve();
  }

  subscribe(listener: MessageListener<In>): Unsubscribe {
    return this.messages.add(listener);
  }

  subscribeToEvents(listener: EventListener): Unsubscribe {
    return this.events.add(listener);
  }

  markDead(reason: string): void {
    if (this.status === 'connected') this.lose(1006, reason, false, this.reconnect);
  }

  simulateMessage(data: In, raw?: RawData): void {
    const frame = raw ?? (this.serializer.serialize(data) as RawData);
    this.counters.messagesReceived++;
    this.counters.bytesReceived += byteLength(frame);
    this.messages.emit({ data, timestamp: this.now(), raw: frame });
  }

  simulateEvent(event: WebSocketEvent): void {
    this.emit(event);
  }

  simulateError(error: WebSocketError): void {
    this.report(error);
  }

  simulateDisconnect(code = 1006, reason = '', override: { reconnect?: boolean } = {}): void {
    const reconnect = override.reconnect ?? this.reconnect;
    switch (this.status) {
      case 'connected':
        return this.lose(code, reason, code !== 1006, reconnect);
      case 'connecting':
        // As the live client: the socket's close (code, reason) ends the attempt.
        return this.failAttempt(failedBefore('Closed before open'), { code, reason, wasClean: code !== 1006 }, reconnect);
      case 'reconnecting':
        this.generation++;
        this.status = 'disconnected';
        this.emit({ type: 'disconnected', code, reason, wasClean: code !== 1006, timestamp: this.now() });
        return this.syncWaiting();
      case 'disconnected':
      case 'failed':
        throw new Error(`MockWebSocket simulateDisconnect(): no connection to lose while ${this.status}`);
    }
  }

  retry(): void {
    if (this.status !== 'reconnecting' || this.offline) throw new Error(`MockWebSocket retry(): no reconnect pending while ${this.waitingOr()}`);
    this.attempt();
  }

  setOnline(online: boolean): void {
    if (typeof online !== 'boolean') throw new TypeError('MockWebSocket setOnline(): give true or false');
    this.online = online;
    if (this.status !== 'reconnecting') return;
    if (online) {
      // As the live client: one attempt at once, the backoff reset.
      this.attempts = 1;
      return this.attempt();
    }
    this.offline = true;
    this.syncWaiting();
  }

  get network(): { readonly online: boolean; readonly waiting: boolean } {
    return { online: this.online, waiting: this.status === 'reconnecting' && this.offline };
  }

  open(): void {
    // Waiting to reconnect: start the attempt, which opens once its URL is known (at once for
    // a string; a URL provider that fails fails the attempt instead, as in the live client).
    if (this.status === 'reconnecting') return this.whenPending('open', () => this.attempt(() => this.open()));
    if (this.status !== 'connecting') throw new Error(`MockWebSocket open(): nothing to open while ${this.status}`);
    const seen = ++this.generation;
    this.status = 'connected';
    this.connectedAt = this.now();
    // Settled before the events, as the live client: a listener may already start another attempt.
    this.settle();
    this.emit({ type: 'connected', url: this.url ?? '', protocols: [...this.protocols], timestamp: this.connectedAt });
    // A listener may have closed the connection already (markDead, disconnect, connect elsewhere).
    if (seen !== this.generation) return;
    if (this.attempts > 0) {
      this.counters.reconnects++;
      this.emit({ type: 'reconnected', attempts: this.attempts, totalDelay: 0, timestamp: this.now() });
      if (seen !== this.generation) return;
    }
    // As the live client with `minUptime: 0`: the count starts again once connected.
    this.attempts = 0;
  }

  fail(error?: WebSocketError): void {
    // Waiting to reconnect: the attempt starts, and fails once its URL is known (a URL provider
    // that fails first decides the failure, as in the live client).
    if (this.status === 'reconnecting') return this.whenPending('fail', () => this.attempt(() => this.fail(error)));
    if (this.status !== 'connecting') throw new Error(`MockWebSocket fail(): nothing to fail while ${this.status}`);
    // A refused socket closes with 1006 and no reason; the live client's own failures (timeout,
    // URL provider) close with their message as the reason.
    if (error) this.failAttempt(error, { code: 1006, reason: error.message, wasClean: false });
    else this.failAttempt(failedBefore('Mock connection failed'), REFUSED);
  }

  reset(): void {
    this.sentMessages.length = 0;
    this.counters = zero();
    this.status = 'disconnected';
    this.target = this.url = this.lastError = this.connectedAt = this.pending = null;
    this.protocols = [];
    this.attempts = 0;
    this.online = true;
    this.offline = this.waiting = false;
    this.generation++;
  }

  get listenerCount(): { readonly messages: number; readonly events: number } {
    return { messages: this.messages.size, events: this.events.size };
  }

  get state(): ConnectionState {
    const { status, url, attempts, lastError, connectedAt } = this;
    return { status, url, protocols: [...this.protocols], reconnectAttempts: attempts, lastError, connectedAt: connectedAt === null ? null : new Date(connectedAt) };
  }

  get stats(): ConnectionStats {
    return { ...this.counters, uptime: this.connectedAt === null ? 0 : this.now() - this.connectedAt };
  }

  /** Runs `control` of a pending reconnect attempt; while waiting for the network there is none. */
  private whenPending(control: string, run: () => void): void {
    if (this.offline) throw new Error(`MockWebSocket ${control}(): no attempt while ${this.waitingOr()}; setOnline(true) starts one`);
    run();
  }

  private waitingOr(): string {
    return this.status === 'reconnecting' && this.offline ? 'waiting for the network' : this.status;
  }

  /** Emits a `network` event when waiting for the network started or ended since the last one, as the live client. */
  private syncWaiting(): void {
    if (this.waiting === (this.status === 'reconnecting' && this.offline)) return;
    this.waiting = !this.waiting;
    this.emit({ type: 'network', waiting: this.waiting, online: this.online, timestamp: this.now() });
  }

  /** Starts an attempt: resolves the URL, then opens or fails it by `connect` mode (unless `manual` or `quiet`). */
  private attempt(then: 'by mode' | (() => void) = 'by mode'): void {
    const attempt = ++this.generation;
    this.status = 'connecting';
    this.offline = false;
    // An attempt ends a wait for the network; a listener of that event may call connect() or disconnect().
    this.syncWaiting();
    if (attempt !== this.generation) return;
    const provider = this.target;
    const go = (address: string): void => {
      if (attempt !== this.generation) return;
      this.url = address;
      if (then !== 'by mode') return then();
      if (this.mode === 'manual') return;
      if (this.mode === 'fail') this.failAttempt(failedBefore(`Mock refused ${address}`), REFUSED);
      else this.open();
    };
    if (typeof provider !== 'function') return go(provider ?? '');
    let result: string | Promise<string>;
    try {
      result = provider();
    } catch (cause) {
      return this.fail(new WebSocketError('URL provider failed', WS_ERROR_CODES.CONNECTION_FAILED, true, cause));
    }
    void Promise.resolve(result).then(
      (address) => {
        if (attempt !== this.generation) return;
        if (typeof address === 'string') go(address);
        else this.fail(new WebSocketError('URL provider failed', WS_ERROR_CODES.CONNECTION_FAILED, true, new TypeError('URL provider gave no string')));
      },
      (cause: unknown) => {
        if (attempt === this.generation) this.fail(new WebSocketError('URL provider failed', WS_ERROR_CODES.CONNECTION_FAILED, true, cause));
      },
    );
  }

  /** The current attempt failed with `error`; `close` is what the socket's close said. */
  private failAttempt(error: WebSocketError, close: CloseInfo, reconnect = this.reconnect): void {
    this.generation++;
    this.settle(error);
    this.afterLoss(error, reconnect, close);
  }

  /** A connection the application did not close is gone. */
  private lose(code: number, reason: string, wasClean: boolean, reconnect: boolean): void {
    this.connectedAt = null;
    const seen = ++this.generation;
    this.emit({ type: 'disconnected', code, reason, wasClean, timestamp: this.now() });
    // A listener that called connect() or disconnect() meanwhile has decided what comes next.
    if (seen === this.generation) this.afterLoss(undefined, reconnect);
  }

  /** After a loss or a failed attempt: the next attempt, or giving up. */
  private afterLoss(error?: WebSocketError, reconnect = this.reconnect, close?: CloseInfo): void {
    this.connectedAt = null;
    if (error) {
      const seen = this.generation;
      this.report(error);
      // As the live client: a listener that called connect() or disconnect() has decided what comes next.
      if (seen !== this.generation) return;
      // A connect() made by that listener joined this attempt: it fails with it, unless another one follows.
      if (!reconnect || (this.maxAttempts > 0 && this.attempts >= this.maxAttempts)) this.settle(error);
    }
    if (reconnect && !this.online) {
      // As the live client: waiting for the network, no attempt and none counted, until `online`.
      this.status = 'reconnecting';
      this.offline = true;
      if (error) this.settle(error);
      return this.syncWaiting();
    }
    if (!reconnect) {
      this.status = 'disconnected';
      if (error) {
        const { code, reason, wasClean } = close ?? { code: 1006, reason: error.message, wasClean: false };
        this.emit({ type: 'disconnected', code, reason, wasClean, timestamp: this.now() });
      }
      return;
    }
    if (this.maxAttempts > 0 && this.attempts >= this.maxAttempts) {
      this.status = 'failed';
      this.report(new WebSocketError(`Gave up after ${this.attempts} attempts`, WS_ERROR_CODES.MAX_RECONNECTS, false, this.lastError));
      return;
    }
    this.attempts++;
    this.status = 'reconnecting';
    this.emit({ type: 'reconnecting', attempt: this.attempts, delay: 0, maxAttempts: this.maxAttempts, timestamp: this.now() });
  }

  /** Updates the state as the live client does when it emits `event`, then emits it. */
  private emit(event: WebSocketEvent): void {
    switch (event.type) {
      case 'connected':
        this.status = 'connected';
        this.url = event.url;
        this.protocols = [...event.protocols];
        this.connectedAt = event.timestamp;
        break;
      case 'disconnected':
        this.status = 'disconnected';
        this.connectedAt = null;
        this.offline = false;
        break;
      case 'reconnecting':
        this.offline = false;
        this.status = 'reconnecting';
        this.attempts = event.attempt;
        this.connectedAt = null;
        break;
      case 'reconnected':
      case 'network':
        break;
      case 'error':
        this.lastError = event.error;
        this.counters.errors++;
        if (event.error.code === WS_ERROR_CODES.MAX_RECONNECTS) this.status = 'failed';
    }
    this.events.emit(event);
  }

  private report(error: WebSocketError): void {
    this.emit({ type: 'error', error, timestamp: this.now() });
  }

  /** As the live client does: report the failure as an event too, and mark the promise handled. */
  private rejected(error: WebSocketError): Promise<never> {
    this.report(error);
    return handled(Promise.reject(error));
  }

  private settle(error?: WebSocketError): void {
    const waiting = this.pending;
    this.pending = null;
    if (error) waiting?.reject(error);
    else waiting?.resolve();
  }
}

/**
 * Creates a mock client for tests: the live client's behaviour, driven by the test instead of
 * a socket and a clock. It uses no timer at all, so it works under any fake-timer
 * implementation, and with any test runner.
 *
 * @example
 * ```ts
 * const mock = createMockWebSocket<ChatMessage>();
 * await mock.connect('wss://example.com');
 * mock.simulateMessage({ type: 'chat', user: 'Alice', text: 'Hello!', timestamp: 1 });
 * await mock.send({ type: 'chat', user: 'Bob', text: 'Hi!', timestamp: 2 });
 * mock.sentMessages; // [{ type: 'chat', user: 'Bob', ... }]
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped like the clients it stands in for
export function createMockWebSocket<In = any, Out = In>(options: MockWebSocketOptions = {}): MockWebSocket<In, Out> {
  return new Mock<In, Out>(options);
}
