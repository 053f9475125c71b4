import { createStore, type Store } from '@composable-svelte/core';
import { chatReducer, createMessageId, initialState, type ChatAction, type ChatState } from './chat.js';
import { chatSocketUrl, createChatConnection, type ChatConnectionOptions } from './connection.js';

/** The app's store. */
export type ChatStore = Store<ChatState, ChatAction>;

/** Options of {@link createChatStore}. */
export interface ChatStoreOptions extends ChatConnectionOptions {
  /** The chat's WebSocket endpoint. @defaultValue `/ws` on the server that served the page */
  url?: string;
}

/** Creates the client stack and the store that drives it. */
export function createChatStore(options: ChatStoreOptions = {}): ChatStore {
  const { client, requests, router } = createChatConnection(options);
  return createStore({
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
}
