/**
 * The guide's "Full Example: Chat Application", as written except for imports, plus the
 * `messageSent` case of the guide's `Effect.websocket.send()` snippet (and the `lastSent`
 * field it sets). The guide's `Effect` is both the core's namespace with `.websocket` added and
 * the core's `Effect<A>` type: an app declares the two once, as here, and imports `Effect`.
 */
import { Effect as CoreEffect, type EffectType } from '@composable-svelte/core';
import type { WebSocketClient, WebSocketEvent } from '@composable-svelte/ws-types';
import { withWebSocketEffects } from '../src/index.js';

export const Effect = withWebSocketEffects(CoreEffect);
export type Effect<A> = EffectType<A>;

// The guide's "Custom Message Types".
export interface ChatMessage {
  type: 'chat';
  user: string;
  text: string;
  timestamp: number;
}

// State
export interface ChatState {
  connected: boolean;
  connecting: boolean;
  messages: ChatMessage[];
  draft: string;
  error: string | null;
  lastSent: number | null;
}

// Actions
export type ChatAction =
  | { type: 'connect' }
  | { type: 'disconnect' }
  | { type: 'websocketEvent'; event: WebSocketEvent }
  | { type: 'sendMessage'; text: string }
  | { type: 'messageSent' }
  | { type: 'messageReceived'; message: ChatMessage }
  | { type: 'messageFailed'; error: string };

// Dependencies
export interface ChatDependencies {
  websocket: WebSocketClient<ChatMessage>;
}

export const initialChatState: ChatState = {
  connected: false,
  connecting: false,
  messages: [],
  draft: '',
  error: null,
  lastSent: null,
};

// Reducer
export const chatReducer = (
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
        return [
          { ...state, connecting: false, connected: true },
          Effect.none()
        ];
      } else if (action.event.type === 'disconnected') {
        return [
          { ...state, connected: false, connecting: false },
          Effect.none()
        ];
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
      return [
        { ...state, lastSent: Date.now() },
        Effect.none()
      ];

    case 'messageReceived':
      return [
        { ...state, messages: [...state.messages, action.message] },
        Effect.none()
      ];

    case 'messageFailed':
      return [
        { ...state, error: action.error },
        Effect.none()
      ];

    case 'disconnect':
      return [
        { ...state, connected: false },
        Effect.websocket.disconnect(deps.websocket)
      ];
  }
};
