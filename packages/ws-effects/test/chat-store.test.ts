/**
 * The guide's full chat reducer (test/chat.ts) in `@composable-svelte/core`'s real store,
 * driving ws-core's live client against a real `ws` server.
 *
 * Vitest runs these in Node, where the core's store counts as "the server" and skips effects
 * unless created with `ssr: { deferEffects: false }`.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createStore, type Store } from '@composable-svelte/core';
import { createLiveWebSocket, type LiveWebSocketConfig } from '@composable-svelte/ws-core';
import type { EventListener, MessageListener, Unsubscribe, UrlProvider, WebSocketClient } from '@composable-svelte/ws-types';
import { ForwardingClient } from '@composable-svelte/ws-types/internal';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer, type WebSocket as ServerSocket } from 'ws';
import { chatReducer, Effect, initialChatState, type ChatAction, type ChatMessage, type ChatState } from './chat.js';

/**
 * The client as the reducer sees it: the live client, reached at the test server whatever URL
 * the reducer gives, counting the listeners attached through it.
 */
class Probe<T> extends ForwardingClient<T> {
  readonly urls: UrlProvider[] = [];
  /** Every `disconnect()` made through it, to wait for their events. */
  readonly disconnects: Promise<void>[] = [];
  listeners = 0;

  constructor(
    readonly client: WebSocketClient<T>,
    private readonly url: string,
  ) {
    super(client);
  }

  override connect(given: UrlProvider, protocols?: readonly string[]): Promise<void> {
    this.urls.push(given);
    return super.connect(this.url, protocols);
  }

  override disconnect(code?: number, reason?: string): Promise<void> {
    const done = super.disconnect(code, reason);
    this.disconnects.push(done.catch(() => undefined));
    return done;
  }

  override subscribe(listener: MessageListener<T>): Unsubscribe {
    return this.counted(super.subscribe(listener));
  }

  override subscribeToEvents(listener: EventListener): Unsubscribe {
    return this.counted(super.subscribeToEvents(listener));
  }

  private counted(off: Unsubscribe): Unsubscribe {
    this.listeners++;
    let attached = true;
    return () => {
      if (attached) this.listeners--;
      attached = false;
      off();
    };
  }
}

const probe = <T>(client: WebSocketClient<T>, url: string): Probe<T> => new Probe(client, url);

/** The guide's reducer plus one action that cancels its two subscriptions. */
type TestAction = ChatAction | { type: 'cancelSubscriptions' };

const reducer = (state: ChatState, action: TestAction, deps: { websocket: WebSocketClient<ChatMessage> }): [ChatState, Effect<TestAction>] =>
  action.type === 'cancelSubscriptions'
    ? [state, Effect.batch(Effect.cancel('websocket-connection'), Effect.cancel('websocket-messages'))]
    : chatReducer(state, action, deps);

/** Resolves with the state once `predicate` holds (at once if it already does). No timer: the test timeout bounds it. */
function until<S>(store: Store<S, unknown>, predicate: (state: S) => boolean): Promise<S> {
  return new Promise((resolve) => {
    let done = false;
    let off: (() => void) | undefined = undefined;
    off = store.subscribe((state) => {
      if (done || !predicate(state)) return;
      done = true;
      off?.(); // undefined during the call `subscribe` makes at once
      resolve(state);
    });
    if (done) off();
  });
}

/** The `event.type` of every `websocketEvent` action the store reduced. */
const eventTypes = (store: Store<ChatState, TestAction>): string[] =>
  store.history.flatMap((action) => (action.type === 'websocketEvent' ? [action.event.type] : []));

let server: WebSocketServer;
let url: string;
let sockets: ServerSocket[];
let websocket: Probe<ChatMessage>;
let store: Store<ChatState, TestAction>;

function start(config: LiveWebSocketConfig = { reconnect: { enabled: true, maxAttempts: 5 } }): void {
  websocket = probe(createLiveWebSocket<ChatMessage>({ WebSocket, ...config }), url);
  store = createStore({
    initialState: initialChatState,
    reducer,
    dependencies: { websocket },
    ssr: { deferEffects: false },
  });
}

/** Lets every pending promise callback run (a macrotask after them, no timer). */
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The next connection the server accepts. */
const nextSocket = (): Promise<ServerSocket> => once(server, 'connection').then(([socket]) => socket as ServerSocket);

beforeEach(async () => {
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  sockets = [];
  server.on('connection', (socket) => sockets.push(socket));
  await once(server, 'listening');
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  store.destroy();
  await websocket.client.disconnect();
  for (const socket of server.clients) socket.terminate();
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
});

describe('the guide\'s chat reducer in the core store, over a live client', () => {
  it('connects, receives, sends, fails to send while disconnected, and disconnects', async () => {
    start();
    const accepted = nextSocket();
    store.dispatch({ type: 'connect' });
    expect(store.state).toMatchObject({ connecting: true, connected: false });

    const socket = await accepted;
    await until(store, (state) => state.connected);
    expect(store.state).toMatchObject({ connecting: false, connected: true });
    expect(websocket.urls).toEqual(['wss://chat.example.com']);
    expect(websocket.listeners).toBe(2);

    // A message the server pushes lands in `messages`.
    const pushed: ChatMessage = { type: 'chat', user: 'Alice', text: 'Hello!', timestamp: 1 };
    socket.send(JSON.stringify(pushed));
    await until(store, (state) => state.messages.length === 1);
    expect(store.state.messages).toEqual([pushed]);

    // A send reaches the server, then `messageSent` is dispatched.
    const frame = once(socket, 'message');
    store.dispatch({ type: 'sendMessage', text: 'Hi!' });
    const [data] = (await frame) as [Buffer];
    expect(JSON.parse(data.toString())).toMatchObject({ type: 'chat', user: 'me', text: 'Hi!' });
    await until(store, (state) => state.lastSent !== null);
    expect(store.history.map((action) => action.type)).toContain('messageSent');

    // `disconnect` leaves `connected` false and closes the socket with 1000.
    const closed = once(socket, 'close');
    store.dispatch({ type: 'disconnect' });
    expect(store.state.connected).toBe(false);
    expect(((await closed) as [number])[0]).toBe(1000);
    await until(store, () => eventTypes(store).includes('disconnected'));
    expect(store.state).toMatchObject({ connected: false, connecting: false });
    expect(websocket.state.status).toBe('disconnected');

    // A send while disconnected dispatches `messageFailed` with the client's error.
    store.dispatch({ type: 'sendMessage', text: 'lost' });
    await until(store, (state) => state.error !== null);
    expect(store.state.error).toBe('Not connected (disconnected)');
    expect(store.history.filter((action) => action.type === 'messageFailed')).toHaveLength(1);
    expect(store.history.filter((action) => action.type === 'messageSent')).toHaveLength(1);
    expect(store.state.messages).toEqual([pushed]);
  });

  it('cancelling the subscription ids removes every listener and closes the connection, dispatching nothing more', async () => {
    start();
    const accepted = nextSocket();
    store.dispatch({ type: 'connect' });
    const socket = await accepted;
    await until(store, (state) => state.connected);
    expect(websocket.listeners).toBe(2);

    const closed = once(socket, 'close');
    const before = store.history.length;
    store.dispatch({ type: 'cancelSubscriptions' });
    expect(websocket.listeners).toBe(0);
    expect(((await closed) as [number])[0]).toBe(1000);
    expect(websocket.state.status).toBe('disconnected');

    // Messages and events no longer reach the store.
    expect(store.history.slice(before).map((action) => action.type)).toEqual(['cancelSubscriptions']);
  });

  it('re-running connect replaces the connection without leaking listeners or replaying the old close', async () => {
    start();
    const first = nextSocket();
    store.dispatch({ type: 'connect' });
    const firstSocket = await first;
    await until(store, (state) => state.connected);

    const second = nextSocket();
    const firstClosed = once(firstSocket, 'close');
    store.dispatch({ type: 'connect' });
    expect(((await firstClosed) as [number])[0]).toBe(1000);
    const secondSocket = await second;
    await until(store, () => eventTypes(store).filter((type) => type === 'connected').length === 2);
    // The live client emits `disconnected` just before its disconnect() resolves.
    expect(websocket.disconnects).toHaveLength(1);
    await Promise.all(websocket.disconnects);
    await flush();

    expect(eventTypes(store)).toEqual(['connected', 'connected']);
    expect(store.state).toMatchObject({ connected: true, connecting: false });
    expect(websocket.listeners).toBe(2);
    expect(sockets).toHaveLength(2);

    // The new connection works end to end.
    const pushed: ChatMessage = { type: 'chat', user: 'Bob', text: 'again', timestamp: 2 };
    secondSocket.send(JSON.stringify(pushed));
    await until(store, (state) => state.messages.length === 1);
    expect(store.state.messages).toEqual([pushed]);
  });

  it('destroying the store removes the listeners and disconnects', async () => {
    start();
    const accepted = nextSocket();
    store.dispatch({ type: 'connect' });
    const socket = await accepted;
    await until(store, (state) => state.connected);

    const closed = once(socket, 'close');
    store.destroy();
    expect(websocket.listeners).toBe(0);
    expect(((await closed) as [number])[0]).toBe(1000);
  });

  it('reports a refused connection once, as an error event, without an unhandled rejection', async () => {
    // `url` keeps the port of a server that is gone; afterEach closes its replacement.
    await new Promise<void>((resolve) => server.close(() => resolve()));
    server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(server, 'listening');
    start({});
    store.dispatch({ type: 'connect' });
    await until(store, () => eventTypes(store).includes('disconnected'));
    // By now the connect() promise has rejected too: that rejection must not add a second error.
    await flush();

    expect(eventTypes(store)).toEqual(['error', 'disconnected']);
    const [failure] = store.history.flatMap((action) =>
      action.type === 'websocketEvent' && action.event.type === 'error' ? [action.event.error] : [],
    );
    expect(failure?.code).toBe('CONNECTION_FAILED');
    expect(store.state).toMatchObject({ connected: false, connecting: false });
  });
});
