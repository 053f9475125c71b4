// `@composable-svelte/ws-types/shared`: small runtime pieces the toolkit's packages share.
// Kept apart from the main entry so that code importing only the contract does not pay for them.
export type { ListenerSet } from './listener-set.js';
export type { HeartbeatEngine, RoundTripTime } from './heartbeat.js';
export { createListenerSet } from './listener-set.js';
export {
  DEFAULT_HEARTBEAT,
  checkNumber,
  createHeartbeatEngine,
  matchesPong,
  resolveHeartbeat,
} from './heartbeat.js';
export { byteLength, closeError } from './bytes.js';
