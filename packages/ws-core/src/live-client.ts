import {
  JSONSerializer,
  WebSocketError,
  WS_ERROR_CODES,
  type CloseInfo,
  type ConnectionStatus,
  type SerializedData,
  type SymbolDisposable,
  type TimerHandle,
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

const ignore = (): void => undefined;

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
  const serializer = config.serializer ?? JSONSerializer;
  const timers = config.timers ?? systemTimers;
  const random = config.random ?? Math.random;
  const reconnect = resolveReconnect(config.reconnect);
  const connectionTimeout = checkNumber('connectionTimeout', config.connectionTimeout ?? DEFAULT_CONNECTION_TIMEOUT, 1);
  const queueSize = checkNumber('queueSize', config.queueSize ?? DEFAULT_QUEUE_SIZE, 0, true);
  const heartbeatOptions = resolveHeartbeat(config.heartbeat);

  // A listener that throws is reported like any other failure; one that throws while handling
  // an error event is re-thrown from a microtask instead, so that errors cannot loop.
  const messages = new ListenerSet<WebSocketMessage<In>>((cause) => report(callbackFailed('A message listener', cause)));
  const events = new ListenerSet<WebSocketEvent>((cause, event) => {
    if (event.type === 'error') throw cause;
    report(callbackFailed('An event listener', cause));
  });

  let status: ConnectionStatus = 'disconnected';
  let socket: WebSocketLike | null = null;
  let target: UrlProvider | null = null;
  let url: string | null = null;
  let protocols: string[] = [];
  let attempts = 0;
  let totalDelay = 0;
  let lastError: WebSocketError | null = null;
  let connectedAt: number | null = null;
  let failure: unknown;
  let waiter: Deferred | null = null;
  let held: Held[] = [];
  // Bumped whenever the current attempt is abandoned, so a URL that resolves late is dropped.
  let generation = 0;
  let attemptTimer: TimerHandle;
  let stableTimer: TimerHandle;
  // When the pending reconnect attempt starts; null while none is scheduled.
  let retryAt: number | null = null;
  let disposed = false;
  // The browser's lifecycle, subscribed from connect() until the client stops for good.
  const environment = config.environment ?? null;
  let detach: Unsubscribe | null = null;
  // Closed by the client itself for a frozen page: connect again on resume.
  let frozen = false;
  // When the page was hidden, -1 while visible.
  let hiddenAt = -1;
  // Whether the last `network` event said the client waits for the network.
  let waiting = false;

  let messagesSent = 0;
  let messagesReceived = 0;
  let bytesSent = 0;
  let bytesReceived = 0;
  let reconnects = 0;
  let errors = 0;

  /** The injected randomness, checked: one that throws or leaves [0, 1) is reported and replaced by 0.5 (no jitter). */
  const jitter = (): number => {
    try {
      const value = random();
      if (typeof value === 'number' && value >= 0 && value < 1) return value;
      throw new TypeError(`random() gave ${String(value)}, not a number in [0, 1)`);
    } catch (cause) {
      report(callbackFailed('random', cause));
      return 0.5;
    }
  };

  const emit = (event: WebSocketEvent): void => {
    events.emit(event);
  };

  /** Says that waiting for the network started or ended, if it did since it was last said. */
  const syncWaiting = (): void => {
    if (waiting === (status === 'reconnecting' && retryAt === null)) return;
    waiting = !waiting;
    emit({ type: 'network', waiting, online: online(), timestamp: timers.now() });
  };

  const report = (error: WebSocketError): void => {
    lastError = error;
    errors++;
    emit({ type: 'error', error, timestamp: timers.now() });
  };

  // Pings take the path of every send, so a failed ping is reported as any failed send is.
  const heartbeat =
    heartbeatOptions &&
    new HeartbeatEngine(heartbeatOptions, timers, {
      connected: () => status === 'connected',
      send: (ping) => client.send(ping as Out),
      report,
      markDead: (reason) => client.markDead(reason),
    });

  const write = (target: WebSocketLike, frame: SerializedData): void => {
    target.send(frame);
    messagesSent++;
    bytesSent += byteLength(frame);
  };

  const clearTimers = (): void => {
    retryAt = null;
    timers.clearTimeout(attemptTimer);
    timers.clearTimeout(stableTimer);
    heartbeat?.stop();
  };

  /** Stops listening to a socket: at once when closed, otherwise once its close event arrives. */
  const release = (old: WebSocketLike): void => {
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
  };

  /** Drops a socket without waiting for the server: `ws` can terminate; others get a close frame. */
  const kill = (old: WebSocketLike, reason: string): void => {
    release(old);
    const terminate = (old as { terminate?: () => void }).terminate;
    if (terminate) terminate.call(old);
    else old.close(4000, reason.slice(0, 30));
  };

  const settle = (error?: WebSocketError): void => {
    const pending = waiter;
    waiter = null;
    if (error) pending?.reject(error);
    else pending?.resolve();
  };

  const dropHeld = (reason: string): void => {
    const dropped = held;
    held = [];
    for (const item of dropped) {
      const error = sendFailed(reason);
      report(error);
      item.reject(error);
    }
  };

  /** A loss or a failed attempt: schedule the next attempt, or give up. */
  const afterLoss = (close: CloseInfo, error?: WebSocketError): void => {
    socket = null;
    connectedAt = null;
    clearTimers();
    if (error) {
      const seen = generation;
      report(error);
      // A listener that called connect() or disconnect() meanwhile has decided what comes next.
      if (seen !== generation) return;
    }
    let wanted = false;
    if (reconnect.enabled) {
      try {
        wanted = reconnect.shouldReconnect(pick(close)) === true;
      } catch (cause) {
        // A policy that throws cannot say yes: stay down, and say why.
        report(callbackFailed('reconnect.shouldReconnect', cause));
      }
    }
    if (wanted && !online()) {
      // Waiting for the network: no attempt, none counted, until `online`.
      status = 'reconnecting';
      if (error) settle(error);
      syncWaiting();
      return;
    }
    if (!wanted || (reconnect.maxAttempts > 0 && attempts >= reconnect.maxAttempts)) {
      status = wanted ? 'failed' : 'disconnected';
      // Stopped for good: nothing to react to until the next connect().
      unsubscribe();
      // A connect() made by a listener of the error above joined this attempt: it failed.
      if (error) settle(error);
      if (wanted) {
        report(
          new WebSocketError(`Gave up after ${attempts} attempts`, WS_ERROR_CODES.MAX_RECONNECTS, false, lastError),
        );
      } else if (error) {
        emit({ type: 'disconnected', ...pick(close), timestamp: timers.now() });
      }
      dropHeld(wanted ? 'Reconnection failed' : 'Connection closed');
      return;
    }
    attempts++;
    const delay = backoffDelay(attempts, reconnect, jitter);
    totalDelay += delay;
    status = 'reconnecting';
    // Scheduled before the event, so that a listener calling connect() or disconnect() cancels it.
    retryAt = timers.now() + delay;
    attemptTimer = timers.setTimeout(() => void open(), delay);
    emit({ type: 'reconnecting', attempt: attempts, delay, maxAttempts: reconnect.maxAttempts, timestamp: timers.now() });
  };

  const fail = (code: WebSocketErrorCode, message: string, recoverable: boolean, cause: unknown, close?: CloseInfo): void => {
    const error = new WebSocketError(message, code, recoverable, cause);
    settle(error);
    afterLoss(close ?? { code: ABNORMAL, reason: message, wasClean: false }, error);
  };

  const open = async (): Promise<void> => {
    const attempt = ++generation;
    status = 'connecting';
    retryAt = null;
    // An attempt ends a wait for the network; a listener of that event may call connect() or disconnect().
    syncWaiting();
    if (attempt !== generation) return;
    // The timeout covers the URL provider too, so a provider that never settles cannot hang connect().
    attemptTimer = timers.setTimeout(() => {
      generation++;
      if (socket) {
        release(socket);
        socket.close();
      }
      fail(WS_ERROR_CODES.CONNECTION_TIMEOUT, `Not open after ${connectionTimeout} ms`, true, undefined);
    }, connectionTimeout);
    let address: string;
    try {
      address = typeof target === 'function' ? await target() : target!;
      if (typeof address !== 'string') throw new TypeError('URL provider gave no string');
    } catch (cause) {
      if (attempt === generation) fail(WS_ERROR_CODES.CONNECTION_FAILED, 'URL provider failed', true, cause);
      return;
    }
    if (attempt !== generation) return;
    const Ctor = config.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!Ctor) {
      fail(WS_ERROR_CODES.CONNECTION_FAILED, 'No WebSocket: pass createLiveWebSocket({ WebSocket })', false, undefined);
      return;
    }
    let next: WebSocketLike;
    try {
      next = new Ctor(address, protocols);
    } catch (cause) {
      fail(WS_ERROR_CODES.CONNECTION_FAILED, `Bad URL ${address}`, false, cause);
      return;
    }
    url = address;
    socket = next;
    failure = undefined;
    next.binaryType = 'arraybuffer';
    next.onopen = () => {
      opened(next);
    };
    next.onmessage = (event: { data: SerializedData }) => {
      received(next, event.data);
    };
    next.onerror = (event: unknown) => {
      failure = event;
    };
    next.onclose = (event: CloseInfo) => {
      closed(next, event);
    };
  };

  const opened = (current: WebSocketLike): void => {
    if (current !== socket) return;
    timers.clearTimeout(attemptTimer);
    status = 'connected';
    connectedAt = timers.now();
    // Settled before the events: a listener may already start another attempt, with its own promise.
    settle();
    // Held sends go out before any listener of `connected` can send something newer.
    const pending = held;
    held = [];
    for (const item of pending) {
      try {
        write(current, item.frame);
        item.resolve();
      } catch (cause) {
        const error = sendFailed('Send failed', cause);
        report(error);
        item.reject(error);
      }
    }
    emit({ type: 'connected', url: url!, protocols: [...protocols], timestamp: connectedAt });
    // A listener may have closed the connection already (markDead, disconnect, connect elsewhere).
    if (socket !== current) return;
    if (attempts > 0) {
      reconnects++;
      emit({ type: 'reconnected', attempts, totalDelay, timestamp: timers.now() });
      if (socket !== current) return;
    }
    stableTimer = timers.setTimeout(() => {
      attempts = totalDelay = 0;
    }, reconnect.minUptime);
    heartbeat?.start();
  };

  const received = (current: WebSocketLike, raw: SerializedData): void => {
    if (current !== socket) return;
    messagesReceived++;
    bytesReceived += byteLength(raw);
    let data: In;
    try {
      data = serializer.deserialize<In>(raw as ArrayBuffer);
    } catch (cause) {
      report(
        cause instanceof WebSocketError ? cause : new WebSocketError('Bad frame', WS_ERROR_CODES.INVALID_MESSAGE, true, cause),
      );
      return;
    }
    if (heartbeat?.receive(data)) return;
    messages.emit({ data, timestamp: timers.now(), raw: raw as ArrayBuffer });
  };

  const closed = (current: WebSocketLike, event: CloseInfo): void => {
    if (current !== socket) return;
    release(current);
    if (status === 'connected') {
      status = 'disconnected';
      connectedAt = null;
      socket = null;
      const seen = generation;
      emit({ type: 'disconnected', ...pick(event), timestamp: timers.now() });
      // A listener that called connect() or disconnect() meanwhile has decided what comes next.
      if (seen === generation) afterLoss(event);
    } else {
      fail(WS_ERROR_CODES.CONNECTION_FAILED, 'Closed before open', true, failure ?? event, event);
    }
  };

  /** Stops listening to the page's lifecycle. */
  const unsubscribe = (): void => {
    detach?.();
    detach = null;
  };

  /** What the environment says of the network. */
  const online = (): boolean => environment?.online() !== false;

  /** What each lifecycle event means (README, "Browsers"); made only for a client given an environment. */
  const lifecycle = (): LifecycleListener => {
    // While waiting to reconnect, attempts now. After a wait for the network, or when `reset`,
    // the backoff starts afresh: this attempt is attempt 1. Otherwise it is the attempt that
    // was scheduled, made earlier: only the time actually waited counts in `totalDelay`.
    const retry = (reset?: boolean): void => {
      if (status !== 'reconnecting' || !online()) return;
      if (reset || retryAt === null) {
        attempts = 1;
        totalDelay = 0;
      } else {
        totalDelay -= Math.max(0, retryAt - timers.now());
      }
      timers.clearTimeout(attemptTimer);
      void open();
    };
    return {
      online: () => {
        retry(true);
      },
      offline: () => {
        // A pending attempt waits for the network instead; a working socket is checked, not closed.
        if (status !== 'reconnecting') return heartbeat?.check();
        clearTimers();
        syncWaiting();
      },
      hidden: () => {
        if (hiddenAt < 0) hiddenAt = timers.now();
      },
      visible: () => {
        const hidden = hiddenAt < 0 ? 0 : timers.now() - hiddenAt;
        hiddenAt = -1;
        retry();
        heartbeat?.check(hidden);
      },
      freeze: () => {
        if (status === 'disconnected' || status === 'failed') return;
        frozen = true;
        void shut(FROZEN_CLOSE_CODE, FROZEN_CLOSE_REASON, true);
      },
      resume: () => {
        if (!frozen) return retry();
        frozen = false;
        void client.connect(target!, protocols);
      },
    };
  };

  /** Closes because the application asked to (`disconnect()`), or because the page is frozen. */
  const shut = async (code: number, reason: string, freezing?: boolean): Promise<void> => {
    const invalid = closeError(code, reason);
    if (invalid) throw invalid;
    if (!freezing) {
      frozen = false;
      unsubscribe();
    }
    const why = freezing ? reason : 'disconnect() was called';
    generation++;
    clearTimers();
    settle(new WebSocketError(`${why} before the connection opened`, WS_ERROR_CODES.CONNECTION_FAILED, false));
    dropHeld(why);
    const current = socket;
    const was = status;
    socket = null;
    connectedAt = null;
    status = 'disconnected';
    if (was === 'disconnected') return;
    let close: CloseInfo = { code, reason, wasClean: true };
    if (current) {
      // A frozen page cannot wait for the server's answer: the event goes out now.
      if (current.readyState === OPEN && !freezing) {
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
    emit({ type: 'disconnected', ...pick(close), timestamp: timers.now() });
    // Unless a listener of that event connected again (which ended the wait).
    syncWaiting();
  };

  const client: LiveWebSocketClient<In, Out> = {
    connect(provider, requested = []) {
      if (typeof provider !== 'string' && typeof provider !== 'function') {
        return Promise.reject(new TypeError('URL must be a string or a function'));
      }
      const list = [...requested];
      if (list.some((p) => typeof p !== 'string')) return Promise.reject(new TypeError('Protocols must be strings'));
      if (disposed) return handled(Promise.reject(new WebSocketError('This client was disposed', WS_ERROR_CODES.CONNECTION_FAILED, false)));
      const idle = status === 'disconnected' || status === 'failed';
      const same = provider === target && list.join() === protocols.join();
      if (status === 'connected' && same) return Promise.resolve();
      // The latest call wins: another target replaces the current connection.
      if (!same && !idle) {
        // disconnect() counts one generation; any other call from now on (a listener of its
        // `disconnected` event included) counts more.
        const seen = generation + 1;
        const closing = client.disconnect(1000, 'Connecting elsewhere');
        // Unless another connect() or disconnect() came meanwhile: then that one wins.
        return handled(closing.then(() => (seen === generation ? client.connect(provider, list) : Promise.reject(superseded()))));
      }
      target = provider;
      protocols = list;
      if (!detach && environment) {
        hiddenAt = -1;
        detach = environment.subscribe(lifecycle());
      }
      waiter ??= deferred();
      const { promise } = waiter;
      if (idle) attempts = totalDelay = 0;
      if (status !== 'connecting') {
        // Idle, or waiting to reconnect: try now.
        timers.clearTimeout(attemptTimer);
        void open();
      }
      return promise;
    },

    disconnect: (code = 1000, reason = '') => shut(code, reason),

    send(message) {
      let frame: SerializedData;
      try {
        frame = serializer.serialize(message);
        if (typeof frame !== 'string' && !(frame instanceof ArrayBuffer) && !ArrayBuffer.isView(frame)) {
          throw new TypeError(`serialize() gave ${typeof frame}, not a string, ArrayBuffer or typed array`);
        }
      } catch (cause) {
        const error =
          cause instanceof WebSocketError ? cause : new WebSocketError('Cannot serialize', WS_ERROR_CODES.INVALID_MESSAGE, false, cause);
        report(error);
        return handled(Promise.reject(error));
      }
      const current = socket;
      if (status === 'connected' && current) {
        try {
          write(current, frame);
          return Promise.resolve();
        } catch (cause) {
          const error = sendFailed('Send failed', cause);
          report(error);
          return handled(Promise.reject(error));
        }
      }
      if ((status === 'connecting' || status === 'reconnecting') && held.length < queueSize) {
        return handled(new Promise<void>((resolve, reject) => held.push({ frame, resolve, reject })));
      }
      const error = sendFailed(
        queueSize > 0 && (status === 'connecting' || status === 'reconnecting') ? `Send queue is full (${queueSize})` : `Not connected (${status})`,
      );
      report(error);
      return handled(Promise.reject(error));
    },

    subscribe: (listener) => messages.add(listener),
    subscribeToEvents: (listener) => events.add(listener),

    markDead(reason) {
      const current = socket;
      if (status !== 'connected' || !current) return;
      kill(current, reason);
      const close = { code: ABNORMAL, reason, wasClean: false };
      status = 'disconnected';
      connectedAt = null;
      socket = null;
      const seen = generation;
      emit({ type: 'disconnected', ...close, timestamp: timers.now() });
      if (seen === generation) afterLoss(close);
    },

    get state() {
      return {
        status,
        url,
        protocols: [...protocols],
        reconnectAttempts: attempts,
        lastError,
        connectedAt: connectedAt === null ? null : new Date(connectedAt),
      };
    },

    get network() {
      return { online: online(), waiting: status === 'reconnecting' && retryAt === null };
    },

    get nextRetryAt() {
      return retryAt;
    },

    dispose() {
      if (disposed) return;
      disposed = true;
      messages.clear();
      events.clear();
      void shut(1000, '');
    },

    [Symbol.dispose]() {
      client.dispose();
    },

    get stats() {
      return {
        messagesSent,
        messagesReceived,
        bytesSent,
        bytesReceived,
        reconnects,
        errors,
        uptime: connectedAt === null ? 0 : timers.now() - connectedAt,
      };
    },
  };
  return client;
}

function pick({ code, reason, wasClean }: CloseInfo): CloseInfo {
  return { code, reason, wasClean };
}
