import { createStore, type Store } from '@composable-svelte/core';
import type { ConnectionStore } from '@composable-svelte/ws-types/store';
import { chatReducer, createMessageId, initialState, type ChatAction, type ChatState } from './chat.js';
import { chatSocketUrl, createChatConnection, NodeRotation, type ChatConnectionOptions } from './connection.js';

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
  /**
   * The chat's WebSocket endpoint. @defaultValue `/ws` on the server that served the page, then
   * the other nodes of its cluster after a loss (see `NodeRotation`)
   */
  url?: string;
}

/** Creates the client stack and the store that drives it. */
export function createChat(options: ChatOptions = {}): Chat {
  // The router's gaps become actions once the store exists (the stack is made first).
  const gaps: { report?: ChatStore['dispatch'] } = {};
  const { client, requests, router, connection } = createChatConnection({
    ...options,
    onGap: (gap) => gaps.report?.({ type: 'gapReported', ...gap }),
  });
  const nodes = new NodeRotation(options.url ?? chatSocketUrl(window.location));
  // The cluster's nodes come with every `welcome`; a single server sends none.
  client.subscribe((message) => {
    if (message.data.type === 'welcome' && message.data.nodes) nodes.learn(message.data.nodes);
  });
  const store = createStore({
    initialState,
    reducer: chatReducer,
    dependencies: {
      client,
      requests,
      router,
      url: nodes.url,
      newId: createMessageId,
      now: () => Date.now(),
    },
    // Reducer actions are kept for debugging; a long chat should not grow memory without bound.
    maxHistorySize: 100,
  });
  gaps.report = (action) => store.dispatch(action);
  return { store, connection };
}
