import { createStore } from '@composable-svelte/core';
import { TestStore } from '@composable-svelte/core/test';
import { createMockWebSocket, type MockWebSocket } from '@composable-svelte/ws-testing';
import { WebSocketError, WS_ERROR_CODES, type Timers } from '@composable-svelte/ws-types';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ChatLine, ClientFrame, RoomSummary, ServerFrame } from '../../server/protocol.js';
import {
  CREATE_TIMEOUT,
  chatReducer,
  createMessageId,
  createProblem,
  initialState,
  nameProblem,
  roomInput,
  type ChatAction,
  type ChatDependencies,
  type ChatState,
} from './chat.js';
import { createChatStack, NodeRotation, type ChatConnection } from './connection.js';

const URL = 'ws://chat.test/ws';
const ROOMS: RoomSummary[] = [
  { channel: 'room:lobby', count: 1 },
  { channel: 'room:general', count: 0 },
];

// The heartbeat's timers never fire here: these tests are about the reducer and the stack's order.
const stillTimers: Timers = { setTimeout: () => 0, clearTimeout: () => undefined, now: () => Date.now() };

interface Harness {
  mock: MockWebSocket<ServerFrame, ClientFrame>;
  /** The stack's queue: what is held until acknowledged. */
  queue: ChatConnection['client']['queue'];
  deps: ChatDependencies;
  store: TestStore<ChatState, ChatAction, ChatDependencies>;
  /** Frames the app sent, in order, pings aside. */
  sent(): ClientFrame[];
  /** A frame from the server. */
  server(frame: ServerFrame): void;
}

/** The app's stack over ws-testing's mock (connections complete when the test says), under a TestStore. */
function harness(state: ChatState = initialState): Harness {
  const mock = createMockWebSocket<ServerFrame, ClientFrame>({ connect: 'manual', reconnect: true });
  // Request timeouts run on the platform's timers: the timeout test fakes them.
  const { client, requests, router } = createChatStack(mock, { heartbeatTimers: stillTimers });
  let ids = 0;
  const deps: ChatDependencies = { client, requests, router, url: URL, newId: () => `m${++ids}`, now: () => 1000 };
  const store = new TestStore({ initialState: state, reducer: chatReducer, dependencies: deps });
  return {
    mock,
    queue: client.queue,
    deps,
    store,
    sent: () => mock.sentMessages.filter((frame) => frame.type !== 'ping'),
    server: (frame) => mock.simulateMessage(frame),
  };
}

/** Named as Alice, connected and welcomed. */
async function connected(): Promise<Harness> {
  const h = harness();
  await h.store.send({ type: 'nameSubmitted', name: 'Alice' });
  await Promise.resolve();
  h.mock.open();
  await h.store.receive({ type: 'connectionEvent' });
  h.server({ type: 'welcome', name: 'Alice', rooms: ROOMS });
  await h.store.receive({ type: 'frameReceived' });
  return h;
}

/** Connected, in the lobby, with its (empty) history. */
async function inLobby(): Promise<Harness> {
  const h = await connected();
  await h.store.send({ type: 'roomOpened', channel: 'room:lobby' });
  h.server({ type: 'history', channel: 'room:lobby', seq: 0, messages: [] });
  await h.store.receive({ type: 'frameReceived' });
  return h;
}

/** No action left unasserted once pending work has run. (`TestStore.finish` needs fake timers, which these tests do not use.) */
async function settled(store: TestStore<ChatState, ChatAction, ChatDependencies>): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  store.assertNoPendingActions();
}

/** A message of the lobby; `seq` is its place in the room (the router recovers by it). */
const line = (id: string, user: string, text: string, timestamp = 5000, seq = 1): ChatLine => ({ id, channel: 'room:lobby', seq, user, text, timestamp });

describe('chat reducer: name and connection', () => {
  it('refuses a bad name without connecting', async () => {
    const h = harness();
    await h.store.send({ type: 'nameSubmitted', name: '   ' }, (state) => {
      expect(state.name).toBeNull();
      expect(state.nameError).toBe('Type a name.');
      expect(state.connection).toBe('idle');
    });
    await h.store.send({ type: 'nameSubmitted', name: 'x'.repeat(33) }, (state) => {
      expect(state.nameError).toMatch(/at most 32/);
    });
    await Promise.resolve();
    expect(h.mock.state.status).toBe('disconnected');
    await settled(h.store);
  });

  it('connects under the name, the name in the URL, and shows connected on the event', async () => {
    const h = harness();
    await h.store.send({ type: 'nameSubmitted', name: ' Ada L ' }, (state) => {
      expect(state.name).toBe('Ada L');
      expect(state.connection).toBe('connecting');
    });
    // ws-effects connects a microtask after the store ran the effect.
    await Promise.resolve();
    expect(h.mock.state).toMatchObject({ status: 'connecting', url: `${URL}?name=Ada%20L` });
    h.mock.open();
    await h.store.receive({ type: 'connectionEvent' }, (state) => {
      expect(state.connection).toBe('connected');
    });
    await settled(h.store);
  });

  it('takes the room list from welcome and rooms frames', async () => {
    const h = await connected();
    expect(h.store.getState().rooms).toEqual(ROOMS);
    const rooms = [...ROOMS, { channel: 'room:new', count: 2 }];
    h.server({ type: 'rooms', rooms });
    await h.store.receive({ type: 'frameReceived' }, (state) => {
      expect(state.rooms).toEqual(rooms);
    });
    await settled(h.store);
  });
});

describe('chat reducer: rooms', () => {
  it('joins a room through the router, then shows its history, presence and live messages', async () => {
    const h = await connected();
    await h.store.send({ type: 'roomOpened', channel: 'room:lobby' }, (state) => {
      expect(state.room).toEqual({ channel: 'room:lobby', members: [], messages: [], loaded: false });
    });
    expect(h.sent()).toEqual([{ type: 'join', channel: 'room:lobby' }]);

    h.server({ type: 'history', channel: 'room:lobby', seq: 1, messages: [line('b1', 'Bob', 'Earlier')] });
    await h.store.receive({ type: 'frameReceived' });
    h.server({ type: 'presence', channel: 'room:lobby', members: ['Alice', 'Bob'] });
    await h.store.receive({ type: 'frameReceived' });
    h.server({ type: 'message', ...line('b2', 'Bob', 'Hi Alice', 6000, 2) });
    await h.store.receive({ type: 'frameReceived' });
    // Frames of another room are not this room's.
    h.server({ type: 'message', ...line('x1', 'Eve', 'Elsewhere'), channel: 'room:general' });
    await h.store.receive({ type: 'frameReceived' });

    const room = h.store.getState().room!;
    expect(room.loaded).toBe(true);
    expect(room.members).toEqual(['Alice', 'Bob']);
    expect(room.messages.map(({ id, user, text, status, own }) => ({ id, user, text, status, own }))).toEqual([
      { id: 'b1', user: 'Bob', text: 'Earlier', status: 'delivered', own: false },
      { id: 'b2', user: 'Bob', text: 'Hi Alice', status: 'delivered', own: false },
    ]);
    await settled(h.store);
  });

  it('keeps each message once when history repeats what was already shown', async () => {
    const h = await inLobby();
    h.server({ type: 'message', ...line('b1', 'Bob', 'One') });
    await h.store.receive({ type: 'frameReceived' });
    h.server({ type: 'history', channel: 'room:lobby', seq: 2, messages: [line('b1', 'Bob', 'One'), line('b2', 'Bob', 'Two', 5000, 2)] });
    await h.store.receive({ type: 'frameReceived' });
    expect(h.store.getState().room!.messages.map((entry) => entry.id)).toEqual(['b1', 'b2']);
    await settled(h.store);
  });
});

describe('chat reducer: creating a room (a request)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  const BAD_ROOM = 'A room name is 1 to 32 of a-z, 0-9 and -';

  it('sends create, and on the created reply joins the room', async () => {
    const h = await connected();
    await h.store.send({ type: 'roomCreateSubmitted', name: ' Book Club ' }, (state) => {
      expect(state.creating).toEqual({ id: 'm1', name: 'book-club' });
      expect(state.room).toBeNull();
    });
    expect(h.sent()).toEqual([{ type: 'create', id: 'm1', name: 'book-club' }]);
    // Not through the queue: nothing is held there.
    expect(h.queue.size).toBe(0);

    h.server({ type: 'created', replyTo: 'm1', room: { channel: 'room:book-club', count: 0 } });
    await h.store.receive({ type: 'roomCreated', id: 'm1' }, (state) => {
      expect(state.creating).toBeNull();
      expect(state.roomError).toBeNull();
      expect(state.room).toEqual({ channel: 'room:book-club', members: [], messages: [], loaded: false });
    });
    expect(h.sent().at(-1)).toEqual({ type: 'join', channel: 'room:book-club' });
    // The reply was the request's: no `frameReceived` for it.
    await settled(h.store);
  });

  it('shows the server\'s message from an error reply, and no notice', async () => {
    const h = await connected();
    await h.store.send({ type: 'roomCreateSubmitted', name: 'no/slashes' });
    expect(h.sent()).toEqual([{ type: 'create', id: 'm1', name: 'no/slashes' }]);
    h.server({ type: 'error', code: 'bad-room', message: BAD_ROOM, replyTo: 'm1' });
    await h.store.receive({ type: 'roomCreateFailed', id: 'm1', code: 'REQUEST_FAILED', message: BAD_ROOM }, (state) => {
      expect(state.roomError).toBe(BAD_ROOM);
      expect(state.creating).toBeNull();
      expect(state.room).toBeNull();
      expect(state.notices).toEqual([]);
    });
    // A new attempt clears the message while it waits.
    await h.store.send({ type: 'roomCreateSubmitted', name: 'fine' }, (state) => {
      expect(state.roomError).toBeNull();
      expect(state.creating).toEqual({ id: 'm2', name: 'fine' });
    });
    h.server({ type: 'created', replyTo: 'm2', room: { channel: 'room:fine', count: 0 } });
    await h.store.receive({ type: 'roomCreated', id: 'm2' });
    expect(h.store.getState().room?.channel).toBe('room:fine');
    await settled(h.store);
  });

  it('times out when the server does not answer', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const h = await connected();
    await h.store.send({ type: 'roomCreateSubmitted', name: 'silence' });
    vi.advanceTimersByTime(CREATE_TIMEOUT - 1);
    await Promise.resolve();
    expect(h.store.getState().creating).toEqual({ id: 'm1', name: 'silence' });
    vi.advanceTimersByTime(1);
    await h.store.receive({ type: 'roomCreateFailed', id: 'm1', code: 'REQUEST_TIMEOUT' }, (state) => {
      expect(state.roomError).toBe('The server did not answer in time. Try again.');
      expect(state.creating).toBeNull();
    });
    // A reply after the timeout is dropped by the request layer (a `Late reply` event, not told).
    h.server({ type: 'created', replyTo: 'm1', room: { channel: 'room:silence', count: 0 } });
    await h.store.receive({ type: 'connectionEvent' }, (state) => {
      expect(state.room).toBeNull();
      expect(state.notices).toEqual([]);
    });
    await settled(h.store);
  });

  it('fails at once while offline, without queuing the request', async () => {
    const h = await connected();
    h.mock.simulateDisconnect(1006, '');
    await h.store.receive({ type: 'connectionEvent' });
    await h.store.receive({ type: 'connectionEvent' }, (state) => {
      expect(state.connection).toBe('reconnecting');
    });
    const before = h.sent().length;
    await h.store.send({ type: 'roomCreateSubmitted', name: 'later' });
    await h.store.receive({ type: 'roomCreateFailed', id: 'm1', code: 'SEND_FAILED' }, (state) => {
      expect(state.roomError).toBe('Not connected: rooms can be created once the connection is back.');
      expect(state.creating).toBeNull();
    });
    // The client's own `error` event for the failed send: not told while not connected.
    await h.store.receive({ type: 'connectionEvent' }, (state) => {
      expect(state.notices).toEqual([]);
    });
    expect(h.queue.size).toBe(0);
    h.mock.open();
    await h.store.receive({ type: 'connectionEvent' });
    await h.store.receive({ type: 'connectionEvent' });
    // Nothing is sent again after the reconnection.
    expect(h.sent().slice(before).filter((frame) => frame.type === 'create')).toEqual([]);
    await settled(h.store);
  });

  it('fails when the connection is lost before the answer', async () => {
    const h = await connected();
    await h.store.send({ type: 'roomCreateSubmitted', name: 'lost' });
    h.mock.simulateDisconnect(1006, '');
    await h.store.receive({ type: 'roomCreateFailed', id: 'm1', code: 'CONNECTION_FAILED' }, (state) => {
      expect(state.roomError).toMatch(/connection was lost/);
    });
    await h.store.receive({ type: 'connectionEvent' });
    await h.store.receive({ type: 'connectionEvent' });
    await settled(h.store);
  });

  it('saves a round trip for an empty name and for a room in the list', async () => {
    const h = await connected();
    await h.store.send({ type: 'roomCreateSubmitted', name: '   ' }, (state) => {
      expect(state.roomError).toBe('Type a room name.');
    });
    await h.store.send({ type: 'roomCreateSubmitted', name: 'Room:Lobby' }, (state) => {
      expect(state.roomError).toBeNull();
      expect(state.creating).toBeNull();
      expect(state.room?.channel).toBe('room:lobby');
    });
    expect(h.sent()).toEqual([{ type: 'join', channel: 'room:lobby' }]);
    await settled(h.store);
  });

  it('ignores the answer once another room was opened meanwhile, and a second submit while waiting', async () => {
    const h = await connected();
    await h.store.send({ type: 'roomCreateSubmitted', name: 'slow' });
    await h.store.send({ type: 'roomCreateSubmitted', name: 'other' }, (state) => {
      expect(state.creating).toEqual({ id: 'm1', name: 'slow' });
    });
    await h.store.send({ type: 'roomOpened', channel: 'room:general' }, (state) => {
      expect(state.creating).toBeNull();
    });
    h.server({ type: 'created', replyTo: 'm1', room: { channel: 'room:slow', count: 0 } });
    await h.store.receive({ type: 'roomCreated', id: 'm1' }, (state) => {
      expect(state.room?.channel).toBe('room:general');
    });
    expect(h.sent().filter((frame) => frame.type === 'create')).toHaveLength(1);
    await settled(h.store);
  });
});

describe('chat reducer: sending', () => {
  it('shows a message at once as pending, sends it, and marks it delivered on the ack', async () => {
    const h = await inLobby();
    await h.store.send({ type: 'messageSubmitted', text: '  Hello!\nSecond line  ' }, (state) => {
      expect(state.room!.messages).toEqual([
        { id: 'm1', channel: 'room:lobby', user: 'Alice', text: 'Hello!\nSecond line', timestamp: 1000, own: true, status: 'pending', error: null },
      ]);
    });
    await h.store.receive({ type: 'messageAccepted', id: 'm1' });
    expect(h.sent().at(-1)).toEqual({ type: 'say', id: 'm1', channel: 'room:lobby', text: 'Hello!\nSecond line' });

    // The server echoes it to the room (its time), then acknowledges it.
    h.server({ type: 'message', ...line('m1', 'Alice', 'Hello!\nSecond line', 7000) });
    await h.store.receive({ type: 'frameReceived' }, (state) => {
      expect(state.room!.messages[0]).toMatchObject({ status: 'pending', timestamp: 7000 });
    });
    h.server({ type: 'ack', id: 'm1' });
    await h.store.receive({ type: 'frameReceived' }, (state) => {
      expect(state.room!.messages).toHaveLength(1);
      expect(state.room!.messages[0]).toMatchObject({ id: 'm1', status: 'delivered' });
    });
    expect(h.queue.size).toBe(0);
    await settled(h.store);
  });

  it('ignores an empty message', async () => {
    const h = await inLobby();
    await h.store.send({ type: 'messageSubmitted', text: ' \n ' }, (state) => {
      expect(state.room!.messages).toEqual([]);
    });
    await settled(h.store);
  });

  it('holds a message written while reconnecting, and re-sends it after the rejoin once back', async () => {
    const h = await inLobby();
    // `disconnected` (1006), then `reconnecting` at once.
    h.mock.simulateDisconnect(1006, '');
    await h.store.receive({ type: 'connectionEvent' });
    await h.store.receive({ type: 'connectionEvent' }, (state) => {
      expect(state.connection).toBe('reconnecting');
    });

    const before = h.sent().length;
    await h.store.send({ type: 'messageSubmitted', text: 'Written offline' }, (state) => {
      expect(state.room!.messages.at(-1)).toMatchObject({ id: 'm1', status: 'pending', text: 'Written offline' });
    });
    await h.store.receive({ type: 'messageAccepted', id: 'm1' });
    expect(h.sent()).toHaveLength(before);
    expect(h.queue.size).toBe(1);

    h.mock.open();
    await h.store.receive({ type: 'connectionEvent' }, (state) => {
      expect(state.connection).toBe('connected');
    });
    await h.store.receive({ type: 'connectionEvent' });
    // The router's join goes out before the queue's re-send: the server takes the message in the
    // room. It carries the last seq seen (the empty history's 0): the server replays what came after.
    expect(h.sent().slice(before)).toEqual([
      { type: 'join', channel: 'room:lobby', after: 0 },
      { type: 'say', id: 'm1', channel: 'room:lobby', text: 'Written offline' },
    ]);

    h.server({ type: 'message', ...line('m1', 'Alice', 'Written offline') });
    await h.store.receive({ type: 'frameReceived' });
    h.server({ type: 'ack', id: 'm1' });
    await h.store.receive({ type: 'frameReceived' }, (state) => {
      expect(state.room!.messages.filter((entry) => entry.id === 'm1')).toEqual([expect.objectContaining({ status: 'delivered' })]);
    });
    expect(h.queue.size).toBe(0);
    await settled(h.store);
  });

  it('marks a message failed when the client refuses it, and retries it with the same id', async () => {
    const h = await inLobby();
    await h.store.send({ type: 'messageSubmitted', text: 'Hello' });
    await h.store.receive({ type: 'messageAccepted' });
    await h.store.send({ type: 'messageFailed', id: 'm1', error: 'Not connected' }, (state) => {
      expect(state.room!.messages[0]).toMatchObject({ status: 'failed', error: 'Not connected' });
    });
    await h.store.send({ type: 'messageRetried', id: 'm1' }, (state) => {
      expect(state.room!.messages[0]).toMatchObject({ id: 'm1', status: 'pending', error: null });
    });
    await h.store.receive({ type: 'messageAccepted', id: 'm1' });
    expect(h.sent().filter((frame) => frame.type === 'say')).toHaveLength(2);
    await settled(h.store);
  });
});

describe('chat reducer: errors', () => {
  it('shows server errors until dismissed, and marks the refused message failed', async () => {
    const h = await inLobby();
    await h.store.send({ type: 'messageSubmitted', text: 'Spam' });
    await h.store.receive({ type: 'messageAccepted' });
    h.server({ type: 'error', code: 'rate-limited', message: 'More than 10 frames a second', id: 'm1' });
    await h.store.receive({ type: 'frameReceived' }, (state) => {
      expect(state.room!.messages[0]).toMatchObject({ status: 'failed', error: 'More than 10 frames a second' });
      expect(state.notices).toEqual([{ id: 1, source: 'server', code: 'rate-limited', message: 'More than 10 frames a second' }]);
    });
    h.server({ type: 'error', code: 'bad-room', message: 'A room is room: then ...' });
    await h.store.receive({ type: 'frameReceived' }, (state) => {
      expect(state.notices.map((notice) => notice.code)).toEqual(['rate-limited', 'bad-room']);
    });
    await h.store.send({ type: 'noticeDismissed', id: 1 }, (state) => {
      expect(state.notices.map((notice) => notice.id)).toEqual([2]);
    });
    await settled(h.store);
  });

  it('goes back to the name screen when the server refuses the name', async () => {
    const h = await connected();
    h.server({ type: 'error', code: 'bad-name', message: 'A name is 1 to 32 printable characters' });
    await h.store.receive({ type: 'frameReceived' }, (state) => {
      expect(state.name).toBeNull();
      expect(state.nameError).toBe('A name is 1 to 32 printable characters');
      expect(state.notices).toHaveLength(1);
    });
  });

  it('shows client errors worth telling, and leaves connection failures to the indicator', async () => {
    const h = await connected();
    h.mock.simulateError(new WebSocketError('Bad frame', WS_ERROR_CODES.INVALID_MESSAGE, true));
    await h.store.receive({ type: 'connectionEvent' }, (state) => {
      expect(state.notices).toEqual([{ id: 1, source: 'client', code: 'INVALID_MESSAGE', message: 'Bad frame' }]);
    });
    h.mock.simulateError(new WebSocketError('Closed before open', WS_ERROR_CODES.CONNECTION_FAILED, true));
    await h.store.receive({ type: 'connectionEvent' }, (state) => {
      // Retried by the client: the indicator shows it (from the client's lastError), no notice.
      expect(state.notices).toHaveLength(1);
    });
    await settled(h.store);
  });

  it('marks a message dropped by the full offline queue as failed', async () => {
    const h = await inLobby();
    await h.store.send({ type: 'messageSubmitted', text: 'Lost' });
    await h.store.receive({ type: 'messageAccepted' });
    const say = { type: 'say', id: 'm1', channel: 'room:lobby', text: 'Lost' };
    h.mock.simulateError(new WebSocketError('Queued message dropped: overflow', WS_ERROR_CODES.SEND_FAILED, true, say));
    await h.store.receive({ type: 'connectionEvent' }, (state) => {
      expect(state.room!.messages[0]).toMatchObject({ status: 'failed', error: 'Dropped from the offline queue (full)' });
      expect(state.notices).toHaveLength(1);
    });
    await settled(h.store);
  });
});

describe('chat reducer: reconnecting and failed', () => {
  it('follows the phase of the connection from the client\'s events', async () => {
    const h = await connected();
    h.mock.simulateEvent({ type: 'disconnected', code: 1001, reason: 'Server shutting down', wasClean: true, timestamp: 1 });
    await h.store.receive({ type: 'connectionEvent' }, (state) => {
      expect(state.connection).toBe('disconnected');
    });
    h.mock.simulateEvent({ type: 'reconnecting', attempt: 3, delay: 2000, maxAttempts: 8, timestamp: 50_000 });
    await h.store.receive({ type: 'connectionEvent' }, (state) => {
      expect(state.connection).toBe('reconnecting');
    });
    h.mock.simulateError(new WebSocketError('Closed before open', WS_ERROR_CODES.CONNECTION_FAILED, true));
    await h.store.receive({ type: 'connectionEvent' }, (state) => {
      expect(state.connection).toBe('reconnecting');
      expect(state.notices).toEqual([]);
    });
    h.mock.simulateError(new WebSocketError('Gave up after 8 attempts', WS_ERROR_CODES.MAX_RECONNECTS));
    await h.store.receive({ type: 'connectionEvent' }, (state) => {
      expect(state.connection).toBe('failed');
    });
    // Reconnection gave up: a close that follows changes nothing.
    h.mock.simulateEvent({ type: 'disconnected', code: 1006, reason: '', wasClean: false, timestamp: 2 });
    await h.store.receive({ type: 'connectionEvent' }, (state) => {
      expect(state.connection).toBe('failed');
    });
    await settled(h.store);
  });

  it('shows failed when reconnection gives up, and connects again on retry', async () => {
    const h = await connected();
    h.mock.simulateError(new WebSocketError('Gave up after 8 attempts', WS_ERROR_CODES.MAX_RECONNECTS));
    await h.store.receive({ type: 'connectionEvent' }, (state) => {
      expect(state.connection).toBe('failed');
    });
    expect(h.mock.state.status).toBe('failed');

    await h.store.send({ type: 'retryClicked' }, (state) => {
      expect(state.connection).toBe('connecting');
    });
    await Promise.resolve();
    expect(h.mock.state).toMatchObject({ status: 'connecting', url: `${URL}?name=Alice` });
    // TestStore never ends the first connect effect (the real store does: see below), so both report the open.
    h.store.exhaustivity = 'off';
    h.mock.open();
    await h.store.receive({ type: 'connectionEvent' }, (state) => {
      expect(state.connection).toBe('connected');
    });
  });

  it('ignores retry while connected', async () => {
    const h = await connected();
    await h.store.send({ type: 'retryClicked' }, (state) => {
      expect(state.connection).toBe('connected');
    });
    await settled(h.store);
  });
});

describe('chat reducer in the real store', () => {
  it('retries after failed: the old connect effect is ended, one connection is made', async () => {
    const mock = createMockWebSocket<ServerFrame, ClientFrame>({ connect: 'manual' });
    const { client, requests, router } = createChatStack(mock, { heartbeatTimers: stillTimers });
    const store = createStore({
      initialState,
      reducer: chatReducer,
      dependencies: { client, requests, router, url: URL, newId: () => 'id', now: () => 0 },
      // Node has no DOM: without this the store skips effects.
      ssr: { deferEffects: false },
    });
    const types = (): string[] =>
      store.history.flatMap((action) => (action.type === 'connectionEvent' ? [action.event.type] : []));

    store.dispatch({ type: 'nameSubmitted', name: 'Alice' });
    await expect.poll(() => mock.state.status).toBe('connecting');
    mock.open();
    expect(store.state.connection).toBe('connected');

    mock.simulateError(new WebSocketError('Gave up', WS_ERROR_CODES.MAX_RECONNECTS));
    expect(store.state.connection).toBe('failed');

    store.dispatch({ type: 'retryClicked' });
    await expect.poll(() => mock.state.status).toBe('connecting');
    mock.open();
    expect(store.state.connection).toBe('connected');
    // One `connected` per connection: the first effect was ended (its disconnect unheard) before the second connected.
    expect(types()).toEqual(['connected', 'error', 'connected']);
    store.destroy();
  });
});

describe('validation and ids', () => {
  it('checks names by the server\'s rule', () => {
    expect(nameProblem('Alice')).toBeNull();
    expect(nameProblem('  ')).not.toBeNull();
    expect(nameProblem('a\u0007b')).toMatch(/control/);
    expect(nameProblem('x'.repeat(32))).toBeNull();
  });

  it('tidies typed room names, and leaves validating them to the server', () => {
    expect(roomInput(' Book  Club ')).toBe('book-club');
    expect(roomInput('room:Lobby')).toBe('lobby');
    expect(roomInput('   ')).toBe('');
    expect(roomInput('café')).toBe('café');
  });

  it('tells why a create failed: the server\'s message for an error reply', () => {
    const reply: ServerFrame = { type: 'error', code: 'bad-room', message: 'No such name', replyTo: 'c1' };
    expect(createProblem(new WebSocketError('Error reply', WS_ERROR_CODES.REQUEST_FAILED, false, reply))).toBe('No such name');
    expect(createProblem(new WebSocketError('Aborted', WS_ERROR_CODES.REQUEST_FAILED, false, 'why'))).toBe('Aborted');
    expect(createProblem(new WebSocketError('No reply within 5000 ms', WS_ERROR_CODES.REQUEST_TIMEOUT, true))).toMatch(/did not answer/);
    expect(createProblem(new WebSocketError('Not connected', WS_ERROR_CODES.SEND_FAILED, true))).toMatch(/Not connected/);
  });

  it('makes short unique message ids', () => {
    const ids = new Set(Array.from({ length: 1000 }, createMessageId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]{1,64}$/);
  });
});

describe('recovery over the stack (the router\'s offsets)', () => {
  it('re-joins with the last seq seen, and keeps a replayed copy once', async () => {
    const h = await inLobby();
    h.server({ type: 'message', ...line('b1', 'Bob', 'One', 5000, 1) });
    await h.store.receive({ type: 'frameReceived' });
    h.server({ type: 'message', ...line('b2', 'Bob', 'Two', 5000, 2) });
    await h.store.receive({ type: 'frameReceived' });
    h.mock.simulateDisconnect(1006, '');
    await h.store.receive({ type: 'connectionEvent' });
    await h.store.receive({ type: 'connectionEvent' });
    const before = h.sent().length;
    h.mock.open();
    await h.store.receive({ type: 'connectionEvent' });
    await h.store.receive({ type: 'connectionEvent' });
    expect(h.sent().slice(before)).toEqual([{ type: 'join', channel: 'room:lobby', after: 2 }]);
    // What the new node replays: a copy of seq 2 (harmless) and the missed seq 3.
    h.server({ type: 'message', ...line('b2', 'Bob', 'Two', 5000, 2) });
    await h.store.receive({ type: 'frameReceived' });
    h.server({ type: 'message', ...line('b3', 'Bob', 'Three', 5000, 3) });
    await h.store.receive({ type: 'frameReceived' });
    expect(h.store.getState().room!.messages.map((entry) => entry.id)).toEqual(['b1', 'b2', 'b3']);
    await settled(h.store);
  });

  it('reports a gap the server could not fill to onGap, for the open room', async () => {
    const gaps: unknown[] = [];
    const mock = createMockWebSocket<ServerFrame, ClientFrame>({ connect: 'manual', reconnect: true });
    const { router } = createChatStack(mock, { heartbeatTimers: stillTimers, onGap: (gap) => gaps.push(gap) });
    const connecting = mock.connect(URL);
    mock.open();
    await connecting;
    router.subscribe('room:lobby', () => undefined);
    mock.simulateMessage({ type: 'history', channel: 'room:lobby', seq: 3, messages: [] });
    mock.simulateMessage({ type: 'message', ...line('b4', 'Bob', 'Four', 5000, 4) });
    mock.simulateMessage({ type: 'message', ...line('b9', 'Bob', 'Nine', 5000, 9) });
    expect(gaps).toEqual([{ channel: 'room:lobby', from: 5, to: 8 }]);
  });

  it('tells a gap of the open room as a notice, and ignores one of another room', async () => {
    const h = await inLobby();
    await h.store.send({ type: 'gapReported', channel: 'room:general', from: 1, to: 2 });
    await h.store.send({ type: 'gapReported', channel: 'room:lobby', from: 5, to: 8 }, (state) => {
      expect(state.notices).toEqual([
        expect.objectContaining({
          source: 'client',
          code: 'gap',
          message: 'Some messages are no longer available: 4 earlier messages of room:lobby could not be recovered.',
        }),
      ]);
    });
    await settled(h.store);
  });

  it('opens the room afresh when the server lost its log (stale-offset): leave, then a first join', async () => {
    const h = await inLobby();
    const before = h.sent().length;
    h.server({ type: 'error', code: 'stale-offset', channel: 'room:lobby', message: 'room:lobby has no message 7' });
    await h.store.receive({ type: 'frameReceived' }, (state) => {
      expect(state.notices).toEqual([]);
    });
    expect(h.sent().slice(before)).toEqual([
      { type: 'leave', channel: 'room:lobby' },
      { type: 'join', channel: 'room:lobby' },
    ]);
    await settled(h.store);
  });
});

describe('NodeRotation', () => {
  it('gives its own node first, then the next node of the cluster on every further attempt', () => {
    const nodes = new NodeRotation('ws://a/ws');
    expect(nodes.url()).toBe('ws://a/ws');
    // Alone, every attempt goes to the same server.
    expect(nodes.url()).toBe('ws://a/ws');
    nodes.learn(['ws://c/ws', 'ws://a/ws', 'ws://b/ws']);
    expect(nodes.nodes).toEqual(['ws://a/ws', 'ws://b/ws', 'ws://c/ws']);
    expect([nodes.url(), nodes.url(), nodes.url(), nodes.url()]).toEqual(['ws://b/ws', 'ws://c/ws', 'ws://a/ws', 'ws://b/ws']);
  });

  it('keeps its node when the list leaves it out, and ignores what is not a WebSocket URL', () => {
    const nodes = new NodeRotation('ws://localhost/ws');
    nodes.learn(['http://x/', 42 as unknown as string]);
    expect(nodes.nodes).toEqual(['ws://localhost/ws']);
    nodes.learn(['ws://a/ws', 'ws://b/ws']);
    expect(nodes.nodes).toEqual(['ws://localhost/ws', 'ws://a/ws', 'ws://b/ws']);
    expect(nodes.url()).toBe('ws://localhost/ws');
    expect(nodes.url()).toBe('ws://a/ws');
  });
});
