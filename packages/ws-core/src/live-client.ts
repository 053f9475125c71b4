import {
  JSONSerializer,
  WebSocketError,
  WS_ERROR_CODES,
  type BrowserEnvironment,
  type CloseInfo,
  type ConnectionState,
  type ConnectionStats,
  type ConnectionStatus,
  type EventListener,
  type MessageListener,
  type MessageSerializer,
  type SerializedData,
  type SymbolDisposable,
  type TimerHandle,
  type Timers,
  type Unsubscribe,
  type UrlProvider,
  type WebSocketClient,
  type WebSocketConstructor,
  type WebSocketErrorCode,
  type WebSocketEvent,
  type WebSocketLike,
  type WebSocketMessage,
} from '@composable-svelte/ws-types';
import {
  HeartbeatEngine,
  byteLength,
  callbackFailed,
  checkFunction,
  checkNumber,
  closeError,
  deferred,
  superseded,
  type Deferred,
  handled,
  ListenerSet,
  resolveHeartbeat,
  STATUS,
  systemTimers,
  withDefaults,
} from '@composable-svelte/ws-types/internal';
import type { LiveWebSocketConfig, ReconnectOptions } from './config.js';
import type { LifecycleListener, NetworkState } from './environment.js';
import { backoffDelay } from './backoff.js';
import {
  CLOSE_TIMEOUT,
  DEFAULT_CONNECTION_TIMEOUT,
  DEFAULT_QUEUE_SIZE,
  DEFAULT_RECONNECT,
  FROZEN_CLOSE_CODE,
  FROZEN_CLOSE_REASON,
} from './defaults.js';

const OPEN = 1;
const ABNORMAL = 1006;
/** How a connection refused before it opened closes (`1006`, no reason). */
const REFUSED: CloseInfo = { code: ABNORMAL, reason: '', wasClean: false };

const ignore = (): void => undefined;

/** What every send written at once returns: one settled promise shared by all, not one per message. */
let written: Promise<void> | undefined;

/** A send held while reconnecting, settled once it is written or dropped. */
interface Held {
  frame: SerializedData;
  resolve: () => void;
  reject: (error: WebSocketError) => void;
}

const sendFailed = (message: string, cause?: unknown): WebSocketError =>
  new WebSocketError(message, WS_ERROR_CODES.SEND_FAILED, true, cause);

function resolveReconnect(config: LiveWebSocketConfig['reconnect']): ReconnectOptions {
  const options = withDefaults({ ...DEFAULT_RECONNECT, enabled: config !== undefined }, config);
  checkFunction('reconnect.shouldReconnect', options.shouldReconnect);
  checkNumber('reconnect.maxAttempts', options.maxAttempts, 0, true);
  checkNumber('reconnect.initialDelay', options.initialDelay, 0);
  checkNumber('reconnect.maxDelay', options.maxDelay, options.initialDelay);
  checkNumber('reconnect.backoffMultiplier', options.backoffMultiplier, 1);
  checkNumber('reconnect.minUptime', options.minUptime, 0);
  return options;
}

/**
 * The client returned by `createLiveWebSocket`: a {@link WebSocketClient} plus what only the
 * live client knows (the network, the next attempt) and `dispose()`.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped clients take any message, as WebSocketClient does
export interface LiveWebSocketClient<In = any, Out = In> extends WebSocketClient<In, Out>, SymbolDisposable {
  /**
   * The network as the client sees it (a fresh object per read). While `waiting`, status is
   * `reconnecting` but no attempt is scheduled and none counts toward `maxAttempts`; the
   * next attempt comes when the environment says `online`. A `network` event says when
   * waiting starts and ends.
   */
  readonly network: NetworkState;
  /** When the scheduled reconnect attempt will start (epoch ms of `timers.now()`), `null` when none is scheduled. */
  readonly nextRetryAt: number | null;
  /**
   * `disconnect()`, then lets go of everything at once: the browser listeners, the event and
   * message listeners (they receive nothing more, not even this close), and the client
   * itself, whose `connect()` rejects with `CONNECTION_FAILED` from now on. Calling it again
   * does nothing. `[Symbol.dispose]()` does the same, for `using`.
   */
  dispose(): void;
}

/**
 * Creates the live WebSocket client.
 *
 * Connects on `connect()`, never before. Reconnects after any close the application did not
 * ask for when `reconnect` is configured, with exponential backoff and jitter, until
 * `maxAttempts`; then status `failed` with a `MAX_RECONNECTS` error event. See the package
 * README for every option, event and rule.
 *
 * @example
 * ```ts
 * import { WebSocket } from 'ws'; // Node 20; browsers use the global
 * const websocket = createLiveWebSocket<Message>({ WebSocket, reconnect: { maxAttempts: 0 } });
 * await websocket.connect('wss://api.example.com');
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped clients take any message, as WebSocketClient does
export function createLiveWebSocket<In = any, Out = In>(config: LiveWebSocketConfig = {}): LiveWebSocketClient<In, Out> {
  return new LiveClient<In, Out>(config);
}

/**
 * The live client: one object per client with its methods on the prototype (private fields,
 * which minify), so that a process with many clients pays for their state only.
 */
class LiveClient<In, Out> implements LiveWebSocketClient<In, Out> {
  readonly #serializer: MessageSerializer;
  readonly #timers: Timers;
  readonly #random: () => number;
  readonly #reconnect: ReconnectOptions;
  readonly #connectionTimeout: number;
  readonly #queueSize: number;
  readonly #Ctor: WebSocketConstructor | undefined;
  // The browser's lifecycle, subscribed from connect() until the client stops for good.
  readonly #environment: BrowserEnvironment | null;
  readonly #heartbeat: HeartbeatEngine | null;
  readonly #messages: ListenerSet<WebSocketMessage<In>>;
  readonly #events: ListenerSet<WebSocketEvent>;

  #status: ConnectionStatus = 'disconnected';
  #socket: WebSocketLike | null = null;
  #target: UrlProvider | null = null;
  #url: string | null = null;
  #protocols: string[] = [];
  #attempts = 0;
  #totalDelay = 0;
  #lastError: WebSocketError | null = null;
  #connectedAt: number | null = null;
  // When the current connection was established, its events told (the `minUptime` clock starts then).
  #upSince = -1;
  #failure: unknown;
  #waiter: Deferred | null = null;
  #held: Held[] = [];
  // Bumped whenever the current attempt is abandoned, so a URL that resolves late is dropped.
  #generation = 0;
  #attemptTimer: TimerHandle;
  // When the pending reconnect attempt starts; null while none is scheduled.
  #retryAt: number | null = null;
  #disposed = false;
  #detach: Unsubscribe | null = null;
  // Closed by the client itself for a frozen page: connect again on resume.
  #frozen = false;
  // Whether the last `network` event said the client waits for the network.
  #waiting = false;

  #messagesSent = 0;
  #messagesReceived = 0;
  #bytesSent = 0;
  #bytesReceived = 0;
  #reconnects = 0;
  #errors = 0;

  constructor(config: LiveWebSocketConfig) {
    this.#serializer = config.serializer ?? JSONSerializer;
    const timers = (this.#timers = config.timers ?? systemTimers);
    this.#random = config.random ?? Math.random;
    this.#reconnect = resolveReconnect(config.reconnect);
    this.#connectionTimeout = checkNumber('connectionTimeout', config.connectionTimeout ?? DEFAULT_CONNECTION_TIMEOUT, 1);
    this.#queueSize = checkNumber('queueSize', config.queueSize ?? DEFAULT_QUEUE_SIZE, 0, true);
    this.#Ctor = config.WebSocket;
    this.#environment = config.environment ?? null;
    const heartbeat = resolveHeartbeat(config.heartbeat);
    this.#messages = new ListenerSet<WebSocketMessage<In>>(LiveClient.#messageThrew, this);
    this.#events = new ListenerSet<WebSocketEvent>(LiveClient.#eventThrew, this);
    // Pings take the path of every send, so a failed ping is reported as any failed send is.
    this.#heartbeat =
      heartbeat &&
      new HeartbeatEngine(heartbeat, timers, {
        connected: () => this.#status === 'connected',
        send: (ping) => this.send(ping as Out),
        report: (error) => this.#report(error),
        markDead: (reason) => this.markDead(reason),
      });
  }

  // A listener that throws is reported like any other failure; one that throws while handling
  // an error event is re-thrown from a microtask instead, so that errors cannot loop. Called on
  // the client by its listener sets: one function for all clients, not closures per client.
  static #messageThrew(this: LiveClient<unknown, unknown>, cause: unknown): void {
    this.#report(callbackFailed('A message listener', cause));
  }

  static #eventThrew(this: LiveClient<unknown, unknown>, cause: unknown, event: WebSocketEvent): void {
    if (event.type === 'error') throw cause;
    this.#report(callbackFailed('An event listener', cause));
  }

  connect(provider: UrlProvider, requested: readonly string[] = []): Promise<void> {
    if (typeof provider !== 'string' && typeof provider !== 'function') {
      return Promise.reject(new TypeError('URL must be a string or a function'));
    }
    const list = [...requested];
    if (list.some((p) => typeof p !== 'string')) return Promise.reject(new TypeError('Protocols must be strings'));
    if (this.#disposed) return handled(Promise.reject(new WebSocketError('This client was disposed', WS_ERROR_CODES.CONNECTION_FAILED, false)));
    const status = this.#status;
    const idle = status === 'disconnected' || status === 'failed';
    const same = provider === this.#target && list.join() === this.#protocols.join();
    if (status === 'connected' && same) return Promise.resolve();
    // The latest call wins: another target replaces the current connection.
    if (!same && !idle) {
      // disconnect() counts one generation; any other call from now on (a listener of its
      // `disconnected` event included) counts more.
      const seen = this.#generation + 1;
      const closing = this.disconnect(1000, 'Connecting elsewhere');
      // Unless another connect() or disconnect() came meanwhile: then that one wins.
      return handled(closing.then(() => (seen === this.#generation ? this.connect(provider, list) : Promise.reject(superseded()))));
    }
    this.#target = provider;
    this.#protocols = list;
    if (!this.#detach && this.#environment) {
      this.#detach = this.#environment.subscribe(this.#lifecycle());
    }
    const { promise } = (this.#waiter ??= deferred());
    if (idle) this.#attempts = this.#totalDelay = 0;
    if (status !== 'connecting') {
      // Idle, or waiting to reconnect: try now.
      this.#clearAttemptTimer();
      void this.#open();
    }
    return promise;
  }

  disconnect(code = 1000, reason = ''): Promise<void> {
    return this.#shut(code, reason);
  }

  send(message: Out): Promise<void> {
    let frame: SerializedData;
    try {
      frame = this.#serializer.serialize(message);
      if (typeof frame !== 'string' && !(frame instanceof ArrayBuffer) && !ArrayBuffer.isView(frame)) {
        throw new TypeError(`serialize() gave ${typeof frame}, not a string, ArrayBuffer or typed array`);
      }
    } catch (cause) {
      return this.#rejected(
        cause instanceof WebSocketError ? cause : new WebSocketError('Cannot serialize', WS_ERROR_CODES.INVALID_MESSAGE, false, cause),
      );
    }
    const current = this.#socket;
    const status = this.#status;
    if (status === 'connected' && current) {
      try {
        this.#write(current, frame);
        return (written ??= Promise.resolve());
      } catch (cause) {
        return this.#rejected(sendFailed('Send failed', cause));
      }
    }
    const waiting = status === 'connecting' || status === 'reconnecting';
    if (waiting && this.#held.length < this.#queueSize) {
      return handled(new Promise<void>((resolve, reject) => this.#held.push({ frame, resolve, reject })));
    }
    return this.#rejected(sendFailed(waiting && this.#queueSize > 0 ? `Send queue is full (${this.#queueSize})` : `Not connected (${status})`));
  }

  subscribe(listener: MessageListener<In>): Unsubscribe {
    return this.#messages.add(listener);
  }

  subscribeToEvents(listener: EventListener): Unsubscribe {
    return this.#events.add(listener);
  }

  markDead(reason: string): void {
    const current = this.#socket;
    if (this.#status !== 'connected' || !current) return;
    kill(current, reason);
    this.#lost({ code: ABNORMAL, reason, wasClean: false });
  }

  get state(): ConnectionState {
    const at = this.#connectedAt;
    return {
      status: this.#status,
      url: this.#url,
      protocols: [...this.#protocols],
      // The clock is read only when there are attempts to forget (`state` is read per send by ws-queue).
      reconnectAttempts: this.#attempts > 0 && !this.#stable() ? this.#attempts : 0,
      lastError: this.#lastError,
      connectedAt: at === null ? null : new Date(at),
    };
  }

  /** The status alone, for the decorators around this client, which read it on every send (`STATUS` in ws-types/internal). */
  get [STATUS](): ConnectionStatus {
    return this.#status;
  }

  get network(): NetworkState {
    return { online: this.#online(), waiting: this.#status === 'reconnecting' && this.#retryAt === null };
  }

  get nextRetryAt(): number | null {
    return this.#retryAt;
  }

  get stats(): ConnectionStats {
    const at = this.#connectedAt;
    return {
      messagesSent: this.#messagesSent,
      messagesReceived: this.#messagesReceived,
      bytesSent: this.#bytesSent,
      bytesReceived: this.#bytesReceived,
      reconnects: this.#reconnects,
      errors: this.#errors,
      uptime: at === null ? 0 : this.#timers.now() - at,
    };
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#messages.clear();
    this.#events.clear();
    void this.#shut(1000, '');
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /**
   * Whether the current connection has been up `minUptime` ms since its `connected` (and
   * `reconnected`) events: the attempt count starts again then. Read when needed, no timer.
   */
  #stable(): boolean {
    return this.#status === 'connected' && this.#upSince >= 0 && this.#timers.now() - this.#upSince >= this.#reconnect.minUptime;
  }

  /** The injected randomness, checked: one that throws or leaves [0, 1) is reported and replaced by 0.5 (no jitter). */
  #jitter(): number {
    try {
      const value = this.#random();
      if (typeof value === 'number' && value >= 0 && value < 1) return value;
      throw new TypeError(`random() gave ${String(value)}, not a number in [0, 1)`);
    } catch (cause) {
      this.#report(callbackFailed('random', cause));
      return 0.5;
    }
  }

  #emit(event: WebSocketEvent): void {
    this.#events.emit(event);
  }

  /** Says that waiting for the network started or ended, if it did since it was last said. */
  #syncWaiting(): void {
    if (this.#waiting === (this.#status === 'reconnecting' && this.#retryAt === null)) return;
    this.#waiting = !this.#waiting;
    this.#emit({ type: 'network', waiting: this.#waiting, online: this.#online(), timestamp: this.#timers.now() });
  }

  #report(error: WebSocketError): void {
    this.#lastError = error;
    this.#errors++;
    this.#emit({ type: 'error', error, timestamp: this.#timers.now() });
  }

  /** Reports `error` and returns it as a rejection, marked handled. */
  #rejected(error: WebSocketError): Promise<never> {
    this.#report(error);
    return handled(Promise.reject(error));
  }

  #write(target: WebSocketLike, frame: SerializedData): void {
    target.send(frame);
    this.#messagesSent++;
    this.#bytesSent += byteLength(frame);
  }

  /** Clears the connection timer or backoff delay, keeping no reference to it. */
  #clearAttemptTimer(): void {
    this.#timers.clearTimeout(this.#attemptTimer);
    this.#attemptTimer = undefined;
  }

  #clearTimers(): void {
    this.#retryAt = null;
    this.#clearAttemptTimer();
    this.#heartbeat?.stop();
  }

  #settle(error?: WebSocketError): void {
    const pending = this.#waiter;
    this.#waiter = null;
    if (error) pending?.reject(error);
    else pending?.resolve();
  }

  #dropHeld(reason: string): void {
    const dropped = this.#held;
    this.#held = [];
    for (const item of dropped) {
      const error = sendFailed(reason);
      this.#report(error);
      item.reject(error);
    }
  }

  /** Leaving `connected`: a connection that stayed up `minUptime` ms starts the attempt count again. */
  #down(): void {
    if (this.#attempts > 0 && this.#stable()) this.#attempts = this.#totalDelay = 0;
  }

  /** An open connection is gone (the socket closed, or `markDead`): tell, then reconnect or not. */
  #lost(close: CloseInfo): void {
    this.#down();
    this.#status = 'disconnected';
    this.#connectedAt = null;
    this.#socket = null;
    const seen = this.#generation;
    this.#emit({ type: 'disconnected', ...pick(close), timestamp: this.#timers.now() });
    // A listener that called connect() or disconnect() meanwhile has decided what comes next.
    if (seen === this.#generation) this.#afterLoss(close);
  }

  /** A loss or a failed attempt: schedule the next attempt, or give up. */
  #afterLoss(close: CloseInfo, error?: WebSocketError): void {
    const reconnect = this.#reconnect;
    this.#socket = null;
    this.#connectedAt = null;
    this.#clearTimers();
    if (error) {
      const seen = this.#generation;
      this.#report(error);
      // A listener that called connect() or disconnect() meanwhile has decided what comes next.
      if (seen !== this.#generation) return;
    }
    let wanted = false;
    if (reconnect.enabled) {
      try {
        wanted = reconnect.shouldReconnect(pick(close)) === true;
      } catch (cause) {
        // A policy that throws cannot say yes: stay down, and say why.
        this.#report(callbackFailed('reconnect.shouldReconnect', cause));
      }
    }
    if (wanted && !this.#online()) {
      // Waiting for the network: no attempt, none counted, until `online`.
      this.#status = 'reconnecting';
      if (error) this.#settle(error);
      this.#syncWaiting();
      return;
    }
    const attempts = this.#attempts;
    if (!wanted || (reconnect.maxAttempts > 0 && attempts >= reconnect.maxAttempts)) {
      this.#status = wanted ? 'failed' : 'disconnected';
      // Stopped for good: nothing to react to until the next connect().
      this.#unsubscribe();
      // A connect() made by a listener of the error above joined this attempt: it failed.
      if (error) this.#settle(error);
      if (wanted) {
        this.#report(new WebSocketError(`Gave up after ${attempts} attempts`, WS_ERROR_CODES.MAX_RECONNECTS, false, this.#lastError));
      } else if (error) {
        this.#emit({ type: 'disconnected', ...pick(close), timestamp: this.#timers.now() });
      }
      this.#dropHeld(wanted ? 'Reconnection failed' : 'Connection closed');
      return;
    }
    const attempt = ++this.#attempts;
    const delay = backoffDelay(attempt, reconnect, () => this.#jitter());
    this.#totalDelay += delay;
    this.#status = 'reconnecting';
    // Scheduled before the event, so that a listener calling connect() or disconnect() cancels it.
    const now = this.#timers.now();
    this.#retryAt = now + delay;
    this.#attemptTimer = this.#timers.setTimeout(() => void this.#open(), delay);
    this.#emit({ type: 'reconnecting', attempt, delay, maxAttempts: reconnect.maxAttempts, timestamp: now });
  }

  #fail(code: WebSocketErrorCode, message: string, recoverable: boolean, cause: unknown, close?: CloseInfo): void {
    const error = new WebSocketError(message, code, recoverable, cause);
    this.#settle(error);
    this.#afterLoss(close ?? { code: ABNORMAL, reason: message, wasClean: false }, error);
  }

  async #open(): Promise<void> {
    const attempt = ++this.#generation;
    this.#status = 'connecting';
    this.#retryAt = null;
    // An attempt ends a wait for the network; a listener of that event may call connect() or disconnect().
    this.#syncWaiting();
    if (attempt !== this.#generation) return;
    // The timeout covers the URL provider too, so a provider that never settles cannot hang connect().
    this.#attemptTimer = this.#timers.setTimeout(() => {
      this.#attemptTimer = undefined;
      this.#generation++;
      const socket = this.#socket;
      if (socket) {
        release(socket);
        socket.close();
      }
      this.#fail(WS_ERROR_CODES.CONNECTION_TIMEOUT, `Not open after ${this.#connectionTimeout} ms`, true, undefined);
    }, this.#connectionTimeout);
    let address: string;
    try {
      const target = this.#target;
      address = typeof target === 'function' ? await target() : target!;
      if (typeof address !== 'string') throw new TypeError('URL provider gave no string');
    } catch (cause) {
      if (attempt === this.#generation) this.#fail(WS_ERROR_CODES.CONNECTION_FAILED, 'URL provider failed', true, cause);
      return;
    }
    if (attempt !== this.#generation) return;
    const Ctor = this.#Ctor ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!Ctor) {
      this.#fail(WS_ERROR_CODES.CONNECTION_FAILED, 'No WebSocket: pass createLiveWebSocket({ WebSocket })', false, undefined);
      return;
    }
    let next: WebSocketLike;
    try {
      next = new Ctor(address, this.#protocols);
    } catch (cause) {
      this.#fail(WS_ERROR_CODES.CONNECTION_FAILED, `Bad URL ${address}`, false, cause);
      return;
    }
    this.#url = address;
    this.#socket = next;
    this.#failure = undefined;
    next.binaryType = 'arraybuffer';
    next.onopen = () => {
      this.#opened(next);
    };
    next.onmessage = (event: { data: SerializedData }) => {
      this.#received(next, event.data);
    };
    next.onerror = (event: unknown) => {
      this.#failure = event;
      // Before open, an error is a refused connection. Browsers and `ws` follow it with a close
      // event, but Node 22's global WebSocket may not: fail the attempt now, as that close would.
      if (this.#status === 'connecting' && next === this.#socket) this.#closed(next, REFUSED);
    };
    next.onclose = (event: CloseInfo) => {
      this.#closed(next, event);
    };
  }

  #opened(current: WebSocketLike): void {
    if (current !== this.#socket) return;
    this.#clearAttemptTimer();
    this.#status = 'connected';
    this.#upSince = -1;
    const at = (this.#connectedAt = this.#timers.now());
    // Settled before the events: a listener may already start another attempt, with its own promise.
    this.#settle();
    // Held sends go out before any listener of `connected` can send something newer.
    const pending = this.#held;
    this.#held = [];
    for (const item of pending) {
      try {
        this.#write(current, item.frame);
        item.resolve();
      } catch (cause) {
        const error = sendFailed('Send failed', cause);
        this.#report(error);
        item.reject(error);
      }
    }
    this.#emit({ type: 'connected', url: this.#url!, protocols: [...this.#protocols], timestamp: at });
    // A listener may have closed the connection already (markDead, disconnect, connect elsewhere).
    if (this.#socket !== current) return;
    if (this.#attempts > 0) {
      this.#reconnects++;
      this.#emit({ type: 'reconnected', attempts: this.#attempts, totalDelay: this.#totalDelay, timestamp: this.#timers.now() });
      if (this.#socket !== current) return;
    }
    this.#upSince = at;
    this.#heartbeat?.start();
  }

  #received(current: WebSocketLike, raw: SerializedData): void {
    if (current !== this.#socket) return;
    this.#messagesReceived++;
    this.#bytesReceived += byteLength(raw);
    let data: In;
    try {
      data = this.#serializer.deserialize<In>(raw as ArrayBuffer);
    } catch (cause) {
      this.#report(cause instanceof WebSocketError ? cause : new WebSocketError('Bad frame', WS_ERROR_CODES.INVALID_MESSAGE, true, cause));
      return;
    }
    if (this.#heartbeat?.receive(data)) return;
    this.#messages.emit({ data, timestamp: this.#timers.now(), raw: raw as ArrayBuffer });
  }

  #closed(current: WebSocketLike, event: CloseInfo): void {
    if (current !== this.#socket) return;
    release(current);
    if (this.#status === 'connected') this.#lost(event);
    else this.#fail(WS_ERROR_CODES.CONNECTION_FAILED, 'Closed before open', true, this.#failure ?? event, event);
  }

  /** Stops listening to the page's lifecycle. */
  #unsubscribe(): void {
    this.#detach?.();
    this.#detach = null;
  }

  /** What the environment says of the network. */
  #online(): boolean {
    return this.#environment?.online() !== false;
  }

  /**
   * While waiting to reconnect, attempts now. After a wait for the network, or when `reset`,
   * the backoff starts afresh: this attempt is attempt 1. Otherwise it is the attempt that was
   * scheduled, made earlier: only the time actually waited counts in `totalDelay`.
   */
  #retry(reset?: boolean): void {
    if (this.#status !== 'reconnecting' || !this.#online()) return;
    const retryAt = this.#retryAt;
    if (reset || retryAt === null) {
      this.#attempts = 1;
      this.#totalDelay = 0;
    } else {
      this.#totalDelay -= Math.max(0, retryAt - this.#timers.now());
    }
    this.#clearAttemptTimer();
    void this.#open();
  }

  /** What each lifecycle event means (README, "Browsers"); made only for a client given an environment. */
  #lifecycle(): LifecycleListener {
    return {
      online: () => {
        this.#retry(true);
      },
      offline: () => {
        // A pending attempt waits for the network instead; a working socket is checked, not closed.
        if (this.#status !== 'reconnecting') return this.#heartbeat?.check();
        this.#clearTimers();
        this.#syncWaiting();
      },
      hidden: () => this.#heartbeat?.hidden(),
      visible: () => {
        this.#retry();
        this.#heartbeat?.visible();
      },
      freeze: () => {
        if (this.#status === 'disconnected' || this.#status === 'failed') return;
        this.#frozen = true;
        void this.#shut(FROZEN_CLOSE_CODE, FROZEN_CLOSE_REASON, true);
      },
      resume: () => {
        if (!this.#frozen) return this.#retry();
        this.#frozen = false;
        void this.connect(this.#target!, this.#protocols);
      },
    };
  }

  /** Closes because the application asked to (`disconnect()`), or because the page is frozen. */
  async #shut(code: number, reason: string, freezing?: boolean): Promise<void> {
    const invalid = closeError(code, reason);
    if (invalid) throw invalid;
    if (!freezing) {
      this.#frozen = false;
      this.#unsubscribe();
    }
    const why = freezing ? reason : 'disconnect() was called';
    this.#generation++;
    this.#clearTimers();
    this.#settle(new WebSocketError(`${why} before the connection opened`, WS_ERROR_CODES.CONNECTION_FAILED, false));
    this.#dropHeld(why);
    const current = this.#socket;
    const was = this.#status;
    this.#down();
    this.#socket = null;
    this.#connectedAt = null;
    this.#status = 'disconnected';
    if (was === 'disconnected') return;
    let close: CloseInfo = { code, reason, wasClean: true };
    if (current) {
      // A frozen page cannot wait for the server's answer: the event goes out now.
      if (current.readyState === OPEN && !freezing) {
        const timers = this.#timers;
        close = await new Promise<CloseInfo>((resolve) => {
          const timer = timers.setTimeout(() => {
            kill(current, reason);
            resolve({ code: ABNORMAL, reason, wasClean: false });
          }, CLOSE_TIMEOUT);
          current.onmessage = current.onopen = null;
          current.onclose = (event: CloseInfo) => {
            timers.clearTimeout(timer);
            current.onerror = current.onclose = null;
            resolve(event);
          };
          current.onerror = ignore;
          current.close(code, reason);
        });
      } else {
        release(current);
        current.close(code, reason);
      }
    }
    this.#emit({ type: 'disconnected', ...pick(close), timestamp: this.#timers.now() });
    // Unless a listener of that event connected again (which ended the wait).
    this.#syncWaiting();
  }
}

/** Stops listening to a socket: at once when closed, otherwise once its close event arrives. */
function release(old: WebSocketLike): void {
  old.onopen = old.onmessage = null;
  if (old.readyState === 3) {
    old.onerror = old.onclose = null;
    return;
  }
  // `ws` throws an 'error' that nobody listens to: keep a sink until the close event.
  old.onerror = ignore;
  old.onclose = () => {
    old.onerror = old.onclose = null;
  };
}

/** Drops a socket without waiting for the server: `ws` can terminate; others get a close frame. */
function kill(old: WebSocketLike, reason: string): void {
  release(old);
  const terminate = (old as { terminate?: () => void }).terminate;
  if (terminate) terminate.call(old);
  else old.close(4000, reason.slice(0, 30));
}

function pick({ code, reason, wasClean }: CloseInfo): CloseInfo {
  return { code, reason, wasClean };
}
