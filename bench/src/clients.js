// The implementations compared, behind one small interface. Every one is driven the way its
// README shows, with the same application code around it: messages are plain objects, JSON on
// the wire; libraries that hand over raw frames (raw ws, partysocket, reconnecting-websocket)
// get `JSON.stringify`/`JSON.parse` in the adapter, as an application would write it.
import { WebSocket } from 'ws';
import { createLiveWebSocket } from '@composable-svelte/ws-core';
import { createHeartbeat } from '@composable-svelte/ws-heartbeat';
import { createChannelWebSocket } from '@composable-svelte/ws-router';
import { createQueuedWebSocket } from '@composable-svelte/ws-queue';
import { createLiveWebSocket as createCoreLiveWebSocket } from '@composable-svelte/core/websocket';
import PartySocket from 'partysocket/ws';
import ReconnectingWebSocket from 'reconnecting-websocket';

// @composable-svelte/core 0.5.2 has no constructor option: it uses the global, which Node 20
// lacks. The reconnect scenario swaps in a subclass for its duration.
/** @type {any} */ (globalThis).WebSocket = WebSocket;

/**
 * @typedef {object} BenchClient
 * @property {(message: object) => void} send sends a message (JSON on the wire)
 * @property {() => Promise<void>} close the application's own close
 */

/**
 * @typedef {object} ConnectOptions
 * @property {string} [channel] the channel the full stack's router listens to (default `'echo'`)
 * @property {number} [reconnectDelay] reconnect after a loss with this fixed delay in ms (no
 * growth, no jitter); without it each library keeps its own defaults
 * @property {new (url: string) => WebSocket} [WebSocket] the constructor (default: `ws`'s)
 * @property {() => void} [onConnected] called on every `connected` (or `open`) event
 */

/**
 * @typedef {object} Implementation
 * @property {string} id
 * @property {string} label
 * @property {boolean} [ours] one of this repository's packages
 * @property {(url: string, onMessage: (data: any) => void, options?: ConnectOptions) => Promise<BenchClient>} connect
 * resolves once the connection is open
 */

const noop = () => undefined;

/** @param {import('@composable-svelte/ws-types').WebSocketEvent} event */
const isConnected = (event) => event.type === 'connected';

/**
 * Options of the live client: reconnection on (as the peers have it by default), with a fixed
 * delay when the scenario asks for one.
 *
 * @param {ConnectOptions} options
 */
function liveConfig(options) {
  const delay = options.reconnectDelay;
  return {
    WebSocket: /** @type {any} */ (options.WebSocket ?? WebSocket),
    reconnect:
      delay === undefined ? { maxAttempts: 0 } : { maxAttempts: 0, initialDelay: delay, maxDelay: delay, backoffMultiplier: 1, jitter: false },
  };
}

/**
 * Options of partysocket and reconnecting-websocket (same option names).
 *
 * @param {ConnectOptions} options
 */
function rwsOptions(options) {
  const delay = options.reconnectDelay;
  return {
    WebSocket: options.WebSocket ?? WebSocket,
    ...(delay === undefined ? {} : { minReconnectionDelay: delay, maxReconnectionDelay: delay, reconnectionDelayGrowFactor: 1 }),
  };
}

/** @type {Implementation} */
const rawWs = {
  id: 'ws',
  label: 'raw ws',
  connect(url, onMessage, options = {}) {
    const Ctor = options.WebSocket ?? WebSocket;
    let closing = false;
    /** @type {WebSocket} */
    let socket;
    /** @returns {Promise<void>} */
    const open = () =>
      new Promise((resolve, reject) => {
        socket = new Ctor(url);
        socket.onopen = () => {
          options.onConnected?.();
          resolve();
        };
        socket.onmessage = (event) => onMessage(JSON.parse(/** @type {string} */ (event.data)));
        socket.onerror = (event) => reject(event.error instanceof Error ? event.error : new Error(event.message));
        socket.onclose = () => {
          // The minimal reconnect loop an application would write: a fixed delay, then again.
          if (!closing && options.reconnectDelay !== undefined) setTimeout(() => void open().catch(noop), options.reconnectDelay);
        };
      });
    return open().then(() => ({
      send: (message) => socket.send(JSON.stringify(message)),
      close() {
        closing = true;
        socket.close();
        return Promise.resolve();
      },
    }));
  },
};

/** @type {Implementation} */
const wsCore = {
  id: 'ws-core',
  label: 'ws-core',
  ours: true,
  async connect(url, onMessage, options = {}) {
    const client = createLiveWebSocket(liveConfig(options));
    client.subscribe((message) => onMessage(message.data));
    const { onConnected } = options;
    if (onConnected) client.subscribeToEvents((event) => isConnected(event) && onConnected());
    await client.connect(url);
    return {
      send: (message) => void client.send(message),
      close: () => client.disconnect(),
    };
  },
};

/** @type {Implementation} */
const fullStack = {
  id: 'full-stack',
  label: 'full stack (ws-core + heartbeat + router + queue)',
  ours: true,
  async connect(url, onMessage, options = {}) {
    // The order the READMEs recommend: the router around the heartbeat (pongs never reach
    // it), the queue outermost (the heartbeat's pings are never queued). The heartbeat runs as
    // configured in an application: autoStart with the default 30 s interval and 5 s timeout.
    const live = createLiveWebSocket(liveConfig(options));
    const routed = createChannelWebSocket(createHeartbeat(live, { autoStart: true }), (data) => /** @type {any} */ (data)?.channel);
    const client = createQueuedWebSocket(routed, { maxSize: 1000 });
    routed.router.subscribe(options.channel ?? 'echo', (message) => onMessage(message.data));
    const { onConnected } = options;
    if (onConnected) client.subscribeToEvents((event) => isConnected(event) && onConnected());
    await client.connect(url);
    return {
      send: (message) => void client.send(message),
      close: () => client.disconnect(),
    };
  },
};

/**
 * partysocket and reconnecting-websocket share their API (partysocket/ws is a fork of
 * reconnecting-websocket).
 *
 * @param {string} id
 * @param {any} Ctor
 * @returns {Implementation}
 */
function reconnectingPeer(id, Ctor) {
  return {
    id,
    label: id,
    connect(url, onMessage, options = {}) {
      const socket = new Ctor(url, undefined, rwsOptions(options));
      socket.addEventListener('message', (/** @type {MessageEvent} */ event) => onMessage(JSON.parse(event.data)));
      // Errors are reported as events; a listener keeps Node's EventTarget quiet about them.
      socket.addEventListener('error', noop);
      const { onConnected } = options;
      if (onConnected) socket.addEventListener('open', onConnected);
      return new Promise((resolve) => {
        const opened = () => {
          socket.removeEventListener('open', opened);
          resolve({
            send: (message) => void socket.send(JSON.stringify(message)),
            close() {
              socket.close();
              return Promise.resolve();
            },
          });
        };
        socket.addEventListener('open', opened);
      });
    },
  };
}

/** @type {Implementation} */
const core = {
  id: 'core-0.5.2',
  label: '@composable-svelte/core 0.5.2',
  async connect(url, onMessage, options = {}) {
    // It looks the global up at every (re)connect: set it for this client (and reset it for the next).
    /** @type {any} */ (globalThis).WebSocket = options.WebSocket ?? WebSocket;
    const delay = options.reconnectDelay;
    const client = createCoreLiveWebSocket({
      // Its types want every reconnect field; its code takes partial input.
      reconnect: /** @type {any} */ (
        delay === undefined
          ? { enabled: true, maxAttempts: 0 }
          : { enabled: true, maxAttempts: 0, initialDelay: delay, maxDelay: delay, backoffMultiplier: 1, jitter: false }
      ),
    });
    client.subscribe((message) => onMessage(message.data));
    const { onConnected } = options;
    if (onConnected) client.subscribeToEvents((event) => event.type === 'connected' && onConnected());
    await client.connect(url);
    return {
      send: (message) => void client.send(message),
      close: () => client.disconnect(),
    };
  },
};

/** Every implementation, the baseline (raw `ws`) first. */
export const implementations = [rawWs, wsCore, fullStack, reconnectingPeer('partysocket', PartySocket), reconnectingPeer('reconnecting-websocket', ReconnectingWebSocket), core];

export const BASELINE = rawWs.id;

/**
 * Times the close event of every socket it creates, before any library's own handler runs
 * (its listener is the first one added). The reconnect scenario measures from there.
 */
export const closeClock = { at: 0 };
export class TimedWebSocket extends WebSocket {
  /** @param {string} url */
  constructor(url) {
    super(url);
    this.addEventListener('close', () => {
      closeClock.at = performance.now();
    });
  }
}

/**
 * A WebSocket that never touches the network, for the in-process cost of each library: it
 * opens on the next tick, counts what is sent, and delivers what the benchmark hands to
 * `receive()` as `ws` does (the `on…` handler, then the listeners).
 */
export class FakeWebSocket {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSING = 2;
  static CLOSED = 3;
  /** The last one created: the benchmark drives it. @type {FakeWebSocket | undefined} */
  static last;

  CONNECTING = 0;
  OPEN = 1;
  CLOSING = 2;
  CLOSED = 3;
  readyState = 0;
  binaryType = 'blob';
  bufferedAmount = 0;
  extensions = '';
  protocol = '';
  sent = 0;
  /** @type {((event: any) => void) | null} */ onopen = null;
  /** @type {((event: any) => void) | null} */ onmessage = null;
  /** @type {((event: any) => void) | null} */ onclose = null;
  /** @type {((event: any) => void) | null} */ onerror = null;
  /** @type {Record<string, ((event: any) => void)[]>} */
  listeners = { open: [], message: [], close: [], error: [] };

  /** @param {string} url */
  constructor(url) {
    this.url = url;
    FakeWebSocket.last = this;
    setTimeout(() => {
      this.readyState = 1;
      this.dispatch('open', { type: 'open' });
    });
  }

  /** @param {string} type @param {(event: any) => void} listener */
  addEventListener(type, listener) {
    this.listeners[type]?.push(listener);
  }

  /** @param {string} type @param {(event: any) => void} listener */
  removeEventListener(type, listener) {
    const list = this.listeners[type];
    if (list) this.listeners[type] = list.filter((candidate) => candidate !== listener);
  }

  /** @param {string} type @param {any} event */
  dispatch(type, event) {
    /** @type {any} */ (this)[`on${type}`]?.(event);
    for (const listener of this.listeners[type] ?? []) listener(event);
  }

  /** @param {unknown} _data */
  send(_data) {
    this.sent++;
  }

  close() {
    if (this.readyState === 3) return;
    this.readyState = 3;
    setTimeout(() => this.dispatch('close', { type: 'close', code: 1000, reason: '', wasClean: true }));
  }

  /** Delivers a text frame. @param {string} data */
  receive(data) {
    this.dispatch('message', { type: 'message', data });
  }
}
