// `@composable-svelte/ws-types/internal`: the toolkit's own plumbing, shared by its packages so
// that each piece is written once. Not part of the public contract and not covered by semver:
// it changes whenever the packages need it to. Kept apart from the main entry so that code
// importing only the contract does not pay for it.
export type { HeartbeatHost } from './heartbeat.js';
export { ListenerSet, createListenerSet } from './listener-set.js';
export { ForwardingClient } from './forwarding-client.js';
export { HeartbeatEngine, matchesPong, resolveHeartbeat } from './heartbeat.js';
export { callbackFailed } from './callbacks.js';
export { checkFunction, checkNumber, handled, withDefaults } from './options.js';
export { systemTimers } from './timers.js';
export { hold } from './hold.js';
export type { Deferred } from './deferred.js';
export { deferred, superseded } from './deferred.js';
export { byteLength, closeError } from './bytes.js';
export type { StatusSource } from './status.js';
export { STATUS } from './status.js';
