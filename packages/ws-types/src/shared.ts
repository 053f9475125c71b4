// `@composable-svelte/ws-types/shared`: small runtime helpers the toolkit's packages share.
// Kept apart from the main entry so that code importing only the contract does not pay for them.
export type { ListenerSet } from './listener-set.js';
export { createListenerSet } from './listener-set.js';
