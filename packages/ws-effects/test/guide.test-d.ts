/* eslint-disable @typescript-eslint/switch-exhaustiveness-check -- the guide's snippets are cases of larger reducers */
/**
 * The guide's examples for this package, type-checked as written except for imports, each
 * wrapped in a function: the Quick Start's reducer step, every snippet of "Effect
 * Integration", and the store of the "Full Example" (whose reducer is test/chat.ts).
 */
import { createStore, Effect as CoreEffect, type EffectType } from '@composable-svelte/core';
import { createLiveWebSocket } from '@composable-svelte/ws-core';
import type { WebSocketClient, WebSocketEvent } from '@composable-svelte/ws-types';
import { expectTypeOf, test } from 'vitest';
import { withWebSocketEffects } from '../src/index.js';
import { chatReducer, type ChatAction, type ChatState } from './chat.js';

const Effect = withWebSocketEffects(CoreEffect);
type Effect<A> = EffectType<A>;

// The state and actions the snippets use; the guide's deps hold an untyped client.
interface State {
  connected: boolean;
  connecting: boolean;
  messages: unknown[];
  lastSent: number;
}
type Action =
  | { type: 'connect' }
  | { type: 'disconnect' }
  | { type: 'websocketEvent'; event: WebSocketEvent }
  | { type: 'sendMessage'; text: string }
  | { type: 'messageSent' }
  | { type: 'messageFailed'; error: string }
  | { type: 'subscribeToMessages' }
  | { type: 'messageReceived'; message: unknown };
declare const deps: { websocket: WebSocketClient };

test('Quick Start, step 5: use in reducers', () => {
  function reducer(state: State, action: Action): [State, Effect<Action>] {
    switch (action.type) {
      // 5. Use in reducers
      case 'connect':
        return [
          { ...state, connecting: true },
          Effect.websocket.connect(
            deps.websocket,
            'websocket-connection',
            'wss://api.example.com',
            undefined,
            (event) => ({ type: 'websocketEvent', event })
          )
        ];
      default:
        return [state, Effect.none()];
    }
  }
  expectTypeOf(reducer).returns.toEqualTypeOf<[State, Effect<Action>]>();
});

test('Effect Integration', () => {
  function reducer(state: State, action: Action): [State, Effect<Action>] {
    switch (action.type) {
      // Effect.websocket.connect()
      case 'connect':
        return [
          { ...state, connecting: true },
          Effect.websocket.connect(
            deps.websocket,
            'websocket-connection',
            'wss://chat.example.com',
            undefined,
            (event) => ({ type: 'websocketEvent', event })
          )
        ];

      case 'websocketEvent':
        if (action.event.type === 'connected') {
          return [
            { ...state, connecting: false, connected: true },
            Effect.none()
          ];
        } else if (action.event.type === 'disconnected') {
          return [
            { ...state, connected: false },
            Effect.none()
          ];
        }
        return [state, Effect.none()];

      // Effect.websocket.disconnect()
      case 'disconnect':
        return [
          { ...state, connected: false },
          Effect.websocket.disconnect(deps.websocket)
        ];

      // Effect.websocket.send()
      case 'sendMessage':
        return [
          state,
          Effect.websocket.send(
            deps.websocket,
            { type: 'chat', text: action.text },
            () => ({ type: 'messageSent' }),
            (error) => ({ type: 'messageFailed', error: error.message })
          )
        ];

      case 'messageSent':
        return [
          { ...state, lastSent: Date.now() },
          Effect.none()
        ];

      // Effect.websocket.subscribe()
      case 'subscribeToMessages':
        return [
          state,
          Effect.websocket.subscribe(
            deps.websocket,
            'websocket-messages',
            (message) => ({ type: 'messageReceived', message: message.data })
          )
        ];

      case 'messageReceived':
        return [
          { ...state, messages: [...state.messages, action.message] },
          Effect.none()
        ];

      default:
        return [state, Effect.none()];
    }
  }
  expectTypeOf(reducer).returns.toEqualTypeOf<[State, Effect<Action>]>();
});

test('Full Example: the store', () => {
  // Store
  const store = createStore({
    initialState: {
      connected: false,
      connecting: false,
      messages: [],
      draft: '',
      error: null,
      lastSent: null
    },
    reducer: chatReducer,
    dependencies: {
      websocket: createLiveWebSocket({
        reconnect: { enabled: true, maxAttempts: 5 }
      })
    }
  });
  expectTypeOf(store.state).toEqualTypeOf<ChatState>();
  expectTypeOf<Parameters<typeof store.dispatch>[0]>().toEqualTypeOf<ChatAction>();
});
