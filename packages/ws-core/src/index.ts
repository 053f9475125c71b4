export { createLiveWebSocket } from './live-client.js';
export { backoffDelay } from './backoff.js';
export { CLOSE_TIMEOUT, DEFAULT_CONNECTION_TIMEOUT, DEFAULT_QUEUE_SIZE, DEFAULT_RECONNECT } from './defaults.js';
export { DEFAULT_HEARTBEAT } from '@composable-svelte/ws-types/shared';
