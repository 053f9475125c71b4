import type { CloseInfo, SerializedData, WebSocketLike } from '@composable-svelte/ws-types';

/** `0` connecting, `1` open, `2` closing, `3` closed. */
type ReadyState = 0 | 1 | 2 | 3;

/** How a socket delivers binary messages. */
type BinaryType = 'blob' | 'arraybuffer';

/** The events a socket fires. */
type FakeEventType = 'open' | 'message' | 'error' | 'close';

/** An event fired by a {@link FakeWebSocket}: a plain object, not a DOM `Event`. */
interface FakeEvent<K extends string = FakeEventType> {
  readonly type: K;
  /** The socket that fired it. */
  readonly target: FakeWebSocket;
}

/** The `message` event: `data` is a string, or an `ArrayBuffer` / `Blob` by `binaryType`. */
interface FakeMessageEvent extends FakeEvent<'message'> {
  readonly data: string | ArrayBuffer | Blob;
}

/** The `close` event. */
interface FakeCloseEvent extends FakeEvent<'close'>, CloseInfo {}

/** Event type → event object. */
interface FakeEventMap {
  open: FakeEvent<'open'>;
  message: FakeMessageEvent;
  error: FakeEvent<'error'>;
  close: FakeCloseEvent;
}

/** A listener: a function, or an object with `handleEvent`, as `addEventListener` takes. */
type FakeListener<E> = ((event: E) => void) | { handleEvent(event: E): void };

/** The options `addEventListener` understands; `signal` is not supported. */
interface FakeListenerOptions {
  /** Remove the listener after its first call. @defaultValue `false` */
  once?: boolean;
  /** Part of the listener's identity, as in the DOM; a socket has no capture phase. @defaultValue `false` */
  capture?: boolean;
  /** Accepted for compatibility; means nothing here (events are not cancelable). @defaultValue `false` */
  passive?: boolean;
}

/** The Close frame the client sent, as recorded by {@link FakeWebSocket.closeRequest}. */
interface FakeCloseRequest {
  /** The status code, or `undefined` for a Close frame without one (`close()` with no arguments). */
  readonly code: number | undefined;
  /** The reason, `''` when none was given. */
  readonly reason: string;
}

/**
 * One socket made by a fake constructor: a WHATWG `WebSocket` (client side) plus the
 * server-side controls a test drives it with. Controls act synchronously and throw an `Error`
 * when called in a state where they make no sense.
 */
export interface FakeWebSocket extends WebSocketLike {
  /** `0`, the state before `open()`. */
  readonly CONNECTING: 0;
  /** `1`, the state after `open()`. */
  readonly OPEN: 1;
  /** `2`, the state after `close()` until the close completes. */
  readonly CLOSING: 2;
  /** `3`, the final state. */
  readonly CLOSED: 3;
  /** `0` connecting, `1` open, `2` closing, `3` closed. */
  readonly readyState: ReadyState;
  /** The normalized URL (`http:`/`https:` mapped to `ws:`/`wss:`). */
  readonly url: string;
  /** The subprotocol the server selected with {@link FakeWebSocket.open}; `''` until then. */
  readonly protocol: string;
  /** Always `''`: the fake negotiates no extensions. */
  readonly extensions: string;
  /**
   * Bytes passed to `send()` (UTF-8 length for strings, `byteLength` for binary) since the
   * last {@link FakeWebSocket.drain}. Grows even when sending while closing or closed, as the
   * spec says.
   */
  readonly bufferedAmount: number;
  /** `'blob'` (the default) or `'arraybuffer'`; assigning any other value is ignored. */
  binaryType: BinaryType;
  /** Called with the `open` event; `null` by default. */
  onopen: ((event: FakeEvent<'open'>) => void) | null;
  /** Called with each `message` event; `null` by default. */
  onmessage: ((event: FakeMessageEvent) => void) | null;
  /** Called with the `error` event (it carries no detail, as in browsers); `null` by default. */
  onerror: ((event: FakeEvent<'error'>) => void) | null;
  /** Called with the `close` event; `null` by default. */
  onclose: ((event: FakeCloseEvent) => void) | null;
  /**
   * Adds a listener. Adding the same function (with the same `capture`) twice registers it
   * once. Listeners and the `on…` handlers run in the order they were registered; a handler
   * keeps the place where it was first set to a function until it is set to `null`.
   */
  addEventListener<K extends FakeEventType>(
    type: K,
    listener: FakeListener<FakeEventMap[K]> | null,
    options?: boolean | FakeListenerOptions,
  ): void;
  addEventListener(type: string, listener: FakeListener<never> | null, options?: boolean | FakeListenerOptions): void;
  /** Removes a listener added with `addEventListener` (matched by function and `capture`). */
  removeEventListener<K extends FakeEventType>(
    type: K,
    listener: FakeListener<FakeEventMap[K]> | null,
    options?: boolean | Pick<FakeListenerOptions, 'capture'>,
  ): void;
  removeEventListener(type: string, listener: FakeListener<never> | null, options?: boolean | Pick<FakeListenerOptions, 'capture'>): void;
  /** Calls the listeners and handler for `event.type` with `event`, as given. Returns `true`. */
  dispatchEvent<E extends { readonly type: string }>(event: E): boolean;
  /**
   * How many listeners are attached: non-null `on…` handlers plus `addEventListener`
   * listeners, for one event type or (without `type`) for all. Leak tests expect `0` once a
   * client lets go of a socket.
   */
  listenerCount(type?: string): number;
  /**
   * Sends a frame. Throws an `InvalidStateError` `DOMException` while connecting. While open,
   * records it in {@link FakeWebSocket.sent}; while closing or closed, discards it. Either
   * way `bufferedAmount` grows by its byte length.
   */
  send(data: SerializedData): void;
  /**
   * Closes the socket, validating first: throws an `InvalidAccessError` `DOMException` when
   * `code` (clamped and rounded as WebIDL does) is not 1000 or 3000–4999, a `SyntaxError` one
   * when `reason` is longer than 123 UTF-8 bytes. Then, when closing or closed, does nothing. When connecting, fails the
   * connection: `readyState` is `CLOSING`, then, in a microtask, `error` and `close` (1006,
   * not clean). When open, `readyState` is `CLOSING`, the Close frame is recorded in
   * {@link FakeWebSocket.closeRequest}, and the server answers in a microtask (or, with
   * `closeHandshake: 'manual'`, when the test calls `serverClose()`): `close` with
   * `wasClean: true` and the code sent (1005 if none; a reason without a code sends 1000).
   */
  close(code?: number, reason?: string): void;

  /** The subprotocols asked for in the constructor, in order. */
  readonly requestedProtocols: readonly string[];
  /** The frames sent while open, as passed to `send()` (not copied). */
  readonly sent: SerializedData[];
  /** The Close frame the client sent with `close()` while open; `null` before that. */
  readonly closeRequest: FakeCloseRequest | null;
  /** Sets `bufferedAmount` back to `0`, as if everything had been transmitted. */
  drain(): void;
  /**
   * The server accepts the connection: `CONNECTING` → `OPEN`, then `open` fires.
   *
   * @param protocol - the subprotocol the server selects; `''` or one of
   * `requestedProtocols` (anything else throws). @defaultValue `''`
   */
  open(protocol?: string): void;
  /**
   * The server sends a message; `message` fires. Binary data is copied and delivered as an
   * `ArrayBuffer` or a `Blob`, following `binaryType`. Only while open.
   */
  receive(data: string | ArrayBuffer | ArrayBufferView): void;
  /**
   * The connection fails (refused, network error): `readyState` `CLOSED`, then `error`, then
   * `close` with 1006 and `wasClean: false`. From any state but closed.
   */
  fail(): void;
  /**
   * The server closes cleanly: `readyState` passes `CLOSING` to `CLOSED`, then `close` fires
   * with `wasClean: true`. From open (server-initiated close), or from closing after the
   * client's `close()` (the server's answer, for `closeHandshake: 'manual'`).
   *
   * @param code - the server's close code: 1000–1003, 1007–1014, 3000–4999, or 1005 for a
   * Close frame without a code. @defaultValue `1000` when open; when answering the client's
   * `close()`, the client's code (1005 if it sent none)
   * @param reason - at most 123 UTF-8 bytes. @defaultValue `''`, or the client's reason when
   * answering its `close()`
   */
  serverClose(code?: number, reason?: string): void;
  /**
   * The connection is lost without a Close frame: `readyState` `CLOSED`, then `close` with
   * `wasClean: false` and no `error`. From open, or from closing after the client's `close()`
   * (a server that never answers).
   *
   * @param code - the code the `close` event reports. @defaultValue `1006`
   */
  drop(code?: number): void;
}

/** A fake `WebSocket` constructor; assignable to ws-types' `WebSocketConstructor`. */
export interface FakeWebSocketClass {
  /**
   * Creates a socket in the `CONNECTING` state and records it in `sockets`.
   *
   * Throws a `SyntaxError` `DOMException` when `url` does not parse, its scheme is not `ws:`,
   * `wss:`, `http:` or `https:` (the last two are mapped to `ws:`/`wss:`), it has a fragment,
   * or `protocols` holds a duplicate or a value that is not a valid subprotocol token.
   */
  new (url: string | URL, protocols?: string | readonly string[]): FakeWebSocket;
  readonly prototype: FakeWebSocket;
  /** `0`, as on every socket. */
  readonly CONNECTING: 0;
  /** `1`, as on every socket. */
  readonly OPEN: 1;
  /** `2`, as on every socket. */
  readonly CLOSING: 2;
  /** `3`, as on every socket. */
  readonly CLOSED: 3;
}

/** Options of {@link createFakeWebSocket}. */
export interface FakeWebSocketOptions {
  /**
   * How the server answers a `close()` made while open: `'auto'` completes the handshake in
   * a microtask; `'manual'` waits for the test to call `serverClose()` (clean) or `drop()`
   * (a server that never answers).
   *
   * @defaultValue `'auto'`
   */
  closeHandshake?: 'auto' | 'manual';
}

/** What {@link createFakeWebSocket} returns. */
export interface FakeWebSocketControls {
  /** The constructor to inject; a fresh class per `createFakeWebSocket()` call. */
  readonly WebSocket: FakeWebSocketClass;
  /** Every socket constructed, oldest first. */
  readonly sockets: readonly FakeWebSocket[];
  /** The newest socket. Throws an `Error` when none was constructed (since the last `reset()`). */
  last(): FakeWebSocket;
  /** Forgets the sockets constructed so far (`sockets` becomes empty). */
  reset(): void;
}

interface Entry {
  type: string;
  callback: FakeListener<never>;
  /** `null` for the listener of an `on…` handler. */
  capture: boolean | null;
  once?: boolean;
}

const STATES = ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'] as const;
// RFC 7230 token: what a Sec-WebSocket-Protocol value may be.
const TOKEN = /^[\w!#$%&'*+.^`|~-]+$/;

let encoder: TextEncoder | undefined;
const utf8Length = (text: string): number => (encoder ??= new TextEncoder()).encode(text).byteLength;

// WebIDL `[Clamp] unsigned short`: close(1000.4) is close(1000), as in browsers; halves go to even.
const clamp = (value: number): number => {
  const x = Math.min(Math.max(+value || 0, 0), 65535);
  const rounded = Math.round(x);
  return rounded - x === 0.5 && rounded % 2 ? rounded - 1 : rounded;
};

const domError = (message: string, name = 'SyntaxError'): DOMException => new DOMException(message, name);

const captureOf = (options: boolean | FakeListenerOptions | undefined): boolean =>
  typeof options === 'object' ? !!options.capture : !!options;

const REASON_TOO_LONG = 'Close reason over 123 UTF-8 bytes';

/**
 * Creates a spec-faithful fake `WebSocket` constructor for tests: inject `WebSocket` where
 * code expects a `WebSocketConstructor`, then drive each socket from the server side with
 * `open()`, `receive()`, `fail()`, `serverClose()` and `drop()`. Asynchronous steps use
 * `queueMicrotask`, never timers, so everything works under `vi.useFakeTimers()`.
 *
 * @param options - see {@link FakeWebSocketOptions}.
 * @returns the constructor, the sockets it made, `last()` and `reset()`.
 *
 * @example
 * ```ts
 * const fake = createFakeWebSocket();
 * const received: unknown[] = [];
 * const socket = new fake.WebSocket('wss://example.test'); // what the code under test does
 * socket.onmessage = (event) => received.push(event.data);
 * fake.last().open();
 * fake.last().receive('hello'); // received: ['hello']
 * socket.close(1000);
 * await Promise.resolve(); // the close handshake completes in a microtask
 * ```
 */
export function createFakeWebSocket(options: FakeWebSocketOptions = {}): FakeWebSocketControls {
  const manual = options.closeHandshake === 'manual';
  const sockets: FakeWebSocket[] = [];

  class WebSocket implements FakeWebSocket {
    // Set in the static block: on the class and on the prototype, as the DOM has them.
    declare static readonly CONNECTING: 0;
    declare static readonly OPEN: 1;
    declare static readonly CLOSING: 2;
    declare static readonly CLOSED: 3;
    declare readonly CONNECTING: 0;
    declare readonly OPEN: 1;
    declare readonly CLOSING: 2;
    declare readonly CLOSED: 3;

    readonly url: string;
    readonly requestedProtocols: readonly string[];
    readonly extensions = '';
    readonly sent: SerializedData[] = [];
    #state: ReadyState = 0;
    #protocol = '';
    #buffered = 0;
    #binaryType: BinaryType = 'blob';
    #closeRequest: FakeCloseRequest | null = null;
    #listeners: Entry[] = [];
    declare onopen: FakeWebSocket['onopen'];
    declare onmessage: FakeWebSocket['onmessage'];
    declare onerror: FakeWebSocket['onerror'];
    declare onclose: FakeWebSocket['onclose'];

    constructor(url: string | URL, protocols: string | readonly string[] = []) {
      let href = '';
      try {
        const parsed = new URL(url);
        if (/^(ws|http)s?:$/.test(parsed.protocol)) {
          parsed.protocol = parsed.protocol.replace('http', 'ws');
          href = parsed.href;
        }
      } catch {
        // Refused below, with the other URLs a browser refuses.
      }
      // href holds a '#' exactly when there is a fragment, even an empty one.
      if (!href || href.includes('#')) throw domError(`Invalid WebSocket URL: ${String(url)}`);
      const list = typeof protocols === 'string' ? [protocols] : [...protocols];
      for (const [i, protocol] of list.entries()) {
        if (!TOKEN.test(protocol) || list.indexOf(protocol) !== i) throw domError(`Invalid or duplicate subprotocol: ${protocol}`);
      }
      this.url = href;
      this.requestedProtocols = list;
      sockets.push(this);
    }

    get readyState(): ReadyState {
      return this.#state;
    }
    get protocol(): string {
      return this.#protocol;
    }
    get bufferedAmount(): number {
      return this.#buffered;
    }
    get binaryType(): BinaryType {
      return this.#binaryType;
    }
    set binaryType(value: BinaryType) {
      if (value === 'blob' || value === 'arraybuffer') this.#binaryType = value;
    }
    get closeRequest(): FakeCloseRequest | null {
      return this.#closeRequest;
    }

    static {
      STATES.forEach((name, value) => {
        (this as unknown as Record<string, number>)[name] = (this.prototype as unknown as Record<string, number>)[name] = value;
      });
      // The four on… handler properties, as accessors on the prototype like the DOM's.
      for (const type of ['open', 'message', 'error', 'close'] as const) {
        Object.defineProperty(this.prototype, `on${type}`, {
          configurable: true,
          get(this: WebSocket) {
            return this.#find(type, null)?.callback ?? null;
          },
          set(this: WebSocket, value: unknown) {
            this.#setHandler(type, value);
          },
        });
      }
    }

    addEventListener(type: string, callback: FakeListener<never> | null, options?: boolean | FakeListenerOptions): void {
      const capture = captureOf(options);
      if (callback && !this.#find(type, capture, callback)) {
        this.#listeners.push({ type, callback, capture, once: typeof options === 'object' && !!options.once });
      }
    }

    removeEventListener(type: string, callback: FakeListener<never> | null, options?: boolean | FakeListenerOptions): void {
      this.#remove(this.#find(type, captureOf(options), callback));
    }

    dispatchEvent<E extends { readonly type: string }>(event: E): boolean {
      // Listeners added during the dispatch wait for the next one; removed ones are skipped.
      for (const entry of [...this.#listeners]) {
        if (entry.type !== event.type || !this.#listeners.includes(entry)) continue;
        if (entry.once) this.#remove(entry);
        const { callback } = entry;
        try {
          if (typeof callback === 'function') callback.call(this, event as never);
          else callback.handleEvent(event as never);
        } catch (error) {
          // As EventTarget does: the other listeners still run, the error is reported, not lost.
          queueMicrotask(() => {
            throw error;
          });
        }
      }
      return true;
    }

    listenerCount(type?: string): number {
      return this.#listeners.filter((entry) => type === undefined || entry.type === type).length;
    }

    send(data: SerializedData): void {
      if (this.#state === 0) throw domError('Still in CONNECTING state', 'InvalidStateError');
      if (this.#state === 1) this.sent.push(data);
      this.#buffered += typeof data === 'string' ? utf8Length(data) : data.byteLength;
    }

    close(code?: number, reason?: string): void {
      if (code !== undefined) {
        code = clamp(code);
        if (code !== 1000 && (code < 3000 || code > 4999)) {
          throw domError(`Invalid close code: ${code}`, 'InvalidAccessError');
        }
      }
      if (reason !== undefined) {
        if (utf8Length(reason) > 123) throw domError(REASON_TOO_LONG);
        code ??= 1000;
      }
      if (this.#state > 1) return;
      // Closing before the connection is established fails it; no Close frame is sent.
      const open = this.#state === 1;
      const request = open ? (this.#closeRequest = { code, reason: reason ?? '' }) : null;
      this.#state = 2;
      if (!request || !manual) {
        queueMicrotask(() => {
          if (request) this.#closed(request.code ?? 1005, request.reason, true);
          else this.#closed(1006, '', false, true);
        });
      }
    }

    drain(): void {
      this.#buffered = 0;
    }

    open(protocol = ''): void {
      this.#expect('open', this.#state === 0, 'CONNECTING');
      if (protocol && !this.requestedProtocols.includes(protocol)) {
        throw new Error(`FakeWebSocket open(): '${protocol}' was not requested`);
      }
      this.#protocol = protocol;
      this.#state = 1;
      this.dispatchEvent({ type: 'open', target: this });
    }

    receive(data: string | ArrayBuffer | ArrayBufferView): void {
      this.#expect('receive', this.#state === 1, 'OPEN');
      let delivered: string | ArrayBuffer | Blob;
      if (typeof data === 'string') delivered = data;
      else {
        // A copy: the test may reuse its buffer, and a real socket hands over fresh memory.
        const view = ArrayBuffer.isView(data);
        const bytes = new Uint8Array(view ? data.buffer : data, view ? data.byteOffset : 0, data.byteLength).slice();
        delivered = this.#binaryType === 'blob' ? new Blob([bytes]) : bytes.buffer;
      }
      this.dispatchEvent({ type: 'message', target: this, data: delivered });
    }

    fail(): void {
      this.#expect('fail', this.#state < 3, 'not CLOSED');
      this.#closed(1006, '', false, true);
    }

    serverClose(code?: number, reason?: string): void {
      this.#expectConnection('serverClose');
      const request = this.#state === 2 ? this.#closeRequest : null;
      code ??= request ? (request.code ?? 1005) : 1000;
      reason ??= request?.reason ?? '';
      const invalid =
        !Number.isInteger(code) || code < 1000 || code > 4999 || (code > 1014 && code < 3000) || code === 1004 || code === 1006 || (code === 1005 && reason !== '');
      if (invalid) throw new Error(`FakeWebSocket serverClose(): invalid code ${code}`);
      if (utf8Length(reason) > 123) throw new Error(`FakeWebSocket serverClose(): ${REASON_TOO_LONG}`);
      this.#state = 2;
      this.#closed(code, reason, true);
    }

    drop(code = 1006): void {
      this.#expectConnection('drop');
      this.#closed(code, '', false);
    }

    #expect(control: string, ok: boolean, wanted: string): void {
      if (!ok) throw new Error(`FakeWebSocket ${control}(): socket is ${STATES[this.#state]}, expected ${wanted} (${this.url})`);
    }

    // An established connection: open, or closing after the client's close().
    #expectConnection(control: string): void {
      this.#expect(control, this.#state === 1 || (this.#state === 2 && this.#closeRequest !== null), 'OPEN, or CLOSING after close()');
    }

    #closed(code: number, reason: string, wasClean: boolean, error?: boolean): void {
      if (this.#state === 3) return;
      this.#state = 3;
      if (error) this.dispatchEvent({ type: 'error', target: this });
      this.dispatchEvent({ type: 'close', target: this, code, reason, wasClean });
    }

    // capture `null` finds the on… handler's listener; otherwise the listener with that callback.
    #find(type: string, capture: boolean | null, callback?: FakeListener<never> | null): Entry | undefined {
      return this.#listeners.find((entry) => entry.type === type && entry.capture === capture && (capture === null || entry.callback === callback));
    }

    #remove(entry: Entry | undefined): void {
      this.#listeners = this.#listeners.filter((other) => other !== entry);
    }

    // An `on…` handler keeps the listener slot it got when first set, until set to null.
    #setHandler(type: FakeEventType, value: unknown): void {
      const entry = this.#find(type, null);
      if (typeof value !== 'function') this.#remove(entry);
      else if (entry) entry.callback = value as FakeListener<never>;
      else this.#listeners.push({ type, callback: value as FakeListener<never>, capture: null });
    }
  }

  return {
    WebSocket,
    sockets,
    last() {
      const socket = sockets[sockets.length - 1];
      if (!socket) throw new Error('createFakeWebSocket: no socket yet');
      return socket;
    },
    reset() {
      sockets.length = 0;
    },
  };
}
