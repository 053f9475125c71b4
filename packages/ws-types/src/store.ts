// `@composable-svelte/ws-types/store`: the connection of any client as a Svelte store. Kept apart
// from the main entry so that code importing only the contract does not pay for it.
export type { ConnectionStore, ConnectionStoreOptions, ConnectionView } from './connection-store.js';
export { connectionStore } from './connection-store.js';
