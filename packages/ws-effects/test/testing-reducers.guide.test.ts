/**
 * The guide's "Testing Reducers" example, as written except for imports, run with ws-testing's
 * mock and the core's `TestStore`. Type-checked by tsconfig.guide.json, which keeps
 * TypeScript's default indexing (the guide reads `state.messages[0].text` without a check).
 *
 * The guide does not define the `chatReducer` it tests; it is the guide's full chat reducer
 * (with the `messageSent` case), except that the state fields the example's
 * `initialState: { connected: false, messages: [] }` leaves out are optional.
 */
import { Effect as CoreEffect, type EffectType } from '@composable-svelte/core';
import { TestStore } from '@composable-svelte/core/test';
import { createMockWebSocket } from '@composable-svelte/ws-testing';
import type { WebSocketClient, WebSocketEvent } from '@composable-svelte/ws-types';
import { describe, expect, it } from 'vitest';
import { withWebSocketEffects } from '../src/index.js';

const Effect = withWebSocketEffects(CoreEffect);
type Effect<A> = EffectType<A>;

interface ChatMessage {
  type: 'chat';
  user: string;
  text: string;
  timestamp: number;
}

interface ChatState {
  connected: boolean;
  connecting?: boolean;
  messages: ChatMessage[];
  draft?: string;
  error?: string | null;
  lastSent?: number;
}

type ChatAction =
  | { type: 'connect' }
  | { type: 'disconnect' }
  | { type: 'websocketEvent'; event: WebSocketEvent }
  | { type: 'sendMessage'; text: string }
  | { type: 'messageSent' }
  | { type: 'messageReceived'; message: ChatMessage }
  | { type: 'messageFailed'; error: string };

interface ChatDependencies {
  websocket: WebSocketClient<ChatMessage>;
}

const chatReducer = (
  state: ChatState,
  action: ChatAction,
  deps: ChatDependencies
): [ChatState, Effect<ChatAction>] => {
  switch (action.type) {
    case 'connect':
      return [
        { ...state, connecting: true },
        Effect.batch(
          Effect.websocket.connect(
            deps.websocket,
            'websocket-connection',
            'wss://chat.example.com',
            undefined,
            (event) => ({ type: 'websocketEvent', event })
          ),
          Effect.websocket.subscribe(
            deps.websocket,
            'websocket-messages',
            (message) => ({ type: 'messageReceived', message: message.data })
          )
        )
      ];
    case 'websocketEvent':
      if (action.event.type === 'connected') {
        return [{ ...state, connecting: false, connected: true }, Effect.none()];
      } else if (action.event.type === 'disconnected') {
        return [{ ...state, connected: false, connecting: false }, Effect.none()];
      }
      return [state, Effect.none()];
    case 'sendMessage':
      return [
        state,
        Effect.websocket.send(
          deps.websocket,
          { type: 'chat', text: action.text, user: 'me', timestamp: Date.now() },
          () => ({ type: 'messageSent' }),
          (error) => ({ type: 'messageFailed', error: error.message })
        )
      ];
    case 'messageSent':
      return [{ ...state, lastSent: Date.now() }, Effect.none()];
    case 'messageReceived':
      return [{ ...state, messages: [...state.messages, action.message] }, Effect.none()];
    case 'messageFailed':
      return [{ ...state, error: action.error }, Effect.none()];
    case 'disconnect':
      return [{ ...state, connected: false }, Effect.websocket.disconnect(deps.websocket)];
  }
};

// The guide's example, as written.
describe('Chat Reducer', () => {
  it('should connect and receive messages', async () => {
    const mockWS = createMockWebSocket<ChatMessage>();

    const store = new TestStore({
      initialState: { connected: false, messages: [] },
      reducer: chatReducer,
      dependencies: { websocket: mockWS }
    });

    // Test connect
    await store.send({ type: 'connect' }, (state) => {
      expect(state.connecting).toBe(true);
    });

    // Simulate connection
    mockWS.simulateEvent({
      type: 'connected',
      url: 'wss://example.com',
      protocols: [],
      timestamp: Date.now()
    });

    await store.receive({ type: 'websocketEvent' }, (state) => {
      expect(state.connected).toBe(true);
      expect(state.connecting).toBe(false);
    });

    // Simulate incoming message
    mockWS.simulateMessage({
      type: 'chat',
      user: 'Alice',
      text: 'Hello!',
      timestamp: Date.now()
    });

    await store.receive({ type: 'messageReceived' }, (state) => {
      expect(state.messages).toHaveLength(1);
      expect(state.messages[0].text).toBe('Hello!');
    });
  });
});

// What the example relies on, made explicit: the steps the README lists as depending on the
// core's TestStore.
describe('the example, step by step', () => {
  it('sees the state before the connection: the effect connects in a microtask', async () => {
    const mockWS = createMockWebSocket<ChatMessage>();
    const store = new TestStore({ initialState: { connected: false, messages: [] }, reducer: chatReducer, dependencies: { websocket: mockWS } });

    let during: ChatState | undefined;
    await store.send({ type: 'connect' }, (state) => {
      during = state;
    });
    expect(during).toMatchObject({ connecting: true, connected: false });
    // TestStore ran the subscriptions synchronously inside send(): both listeners are attached.
    expect(mockWS.listenerCount).toEqual({ messages: 1, events: 1 });
    // The mock, connecting by default, has emitted its own `connected` by now.
    expect(mockWS.state.status).toBe('connected');
    expect(store.getState()).toMatchObject({ connected: true, connecting: false });

    // The event the example simulates is a second `websocketEvent`; `receive` matches by type and
    // takes the first, and the example never calls assertNoPendingActions(), which would report the other one.
    mockWS.simulateEvent({ type: 'connected', url: 'wss://example.com', protocols: [], timestamp: Date.now() });
    await store.receive({ type: 'websocketEvent' });
    await store.receive({ type: 'websocketEvent' });
    store.assertNoPendingActions();
  });

  it('with a manual mock, opening the connection gives exactly one websocketEvent', async () => {
    const mockWS = createMockWebSocket<ChatMessage>({ connect: 'manual' });
    const store = new TestStore({ initialState: { connected: false, messages: [] }, reducer: chatReducer, dependencies: { websocket: mockWS } });

    await store.send({ type: 'connect' }, (state) => {
      expect(state.connecting).toBe(true);
    });
    expect(mockWS.state.status).toBe('connecting');
    mockWS.open();
    await store.receive({ type: 'websocketEvent' }, (state) => {
      expect(state).toMatchObject({ connected: true, connecting: false });
    });
    store.assertNoPendingActions();
  });

  it('sends and reports a failed send through the reducer', async () => {
    const mockWS = createMockWebSocket<ChatMessage>();
    const store = new TestStore({ initialState: { connected: false, messages: [] }, reducer: chatReducer, dependencies: { websocket: mockWS } });

    await store.send({ type: 'sendMessage', text: 'too early' });
    // The mock reports the failed send as an `error` event too, but nothing listens yet.
    await store.receive({ type: 'messageFailed' }, (state) => {
      expect(state.error).toBe('Not connected (disconnected)');
    });

    await store.send({ type: 'connect' });
    await store.receive({ type: 'websocketEvent' });
    await store.send({ type: 'sendMessage', text: 'Hi!' });
    await store.receive({ type: 'messageSent' }, (state) => {
      expect(state.lastSent).toEqual(expect.any(Number));
    });
    expect(mockWS.sentMessages.map((message) => message.text)).toEqual(['Hi!']);

    await store.send({ type: 'disconnect' }, (state) => {
      expect(state.connected).toBe(false);
    });
    // The mock closes at once and emits `disconnected`, which the connect effect dispatches.
    await store.receive({ type: 'websocketEvent' }, (state) => {
      expect(state).toMatchObject({ connected: false, connecting: false });
    });
    expect(mockWS.state.status).toBe('disconnected');
    store.assertNoPendingActions();
  });
});
