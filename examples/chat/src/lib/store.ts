import { createStore, type Store } from '@composable-svelte/core';
import type { ConnectionStore } from '@composable-svelte/ws-types/store';
import { chatReducer, createMessageId, initialState, type ChatAction, type ChatState } from './chat.js';
import { chatSocketUrl, createChatConnection, type ChatConnectionOptions } from './connection.js';

/** The app's store. */
export type ChatStore = Store<ChatState, ChatAction>;

/** What the app runs on: the store, and the connection as the indicator shows it. */
export interface Chat {
  readonly store: ChatStore;
  /** The live client's connection, as a Svelte store (see `ChatConnection.connection`). */
  readonly connection: ConnectionStore;
}

/** Options of {@link createChat}. */
export interface ChatOptions extends ChatConnectionOptions {
  /** The chat's WebSocket endpoint. @defaultValue `/ws` on the server that served the page */
  url?: string;
}

/** Creates the client stack and the store that drives it. */
export function createChat(options: ChatOptions = {}): Chat {
  const { client, requests, router, connection } = createChatConnection(options);
  const store = createStore({
    initialState,
    reducer: chatReducer,
    dependencies: {
      client,
      requests,
      router,
      url: options.url ?? chatSocketUrl(window.location),
      newId: createMessageId,
      now: () => Date.now(),
    },
    // Reducer actions are kept for debugging; a long chat should not grow memory without bound.
    maxHistorySize: 100,
  });
  return { store, connection };
}
