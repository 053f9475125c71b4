export type { LiveWebSocketConfig, ReconnectConfig, ReconnectOptions } from './config.js';
export { createLiveWebSocket } from './live-client.js';
export { backoffDelay } from './backoff.js';
export { CLOSE_TIMEOUT, DEFAULT_CONNECTION_TIMEOUT, DEFAULT_QUEUE_SIZE, DEFAULT_RECONNECT } from './defaults.js';
export { DEFAULT_HEARTBEAT, HEARTBEAT_TIMEOUT_REASON } from '@composable-svelte/ws-types';
