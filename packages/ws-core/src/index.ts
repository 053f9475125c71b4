export type { LiveWebSocketConfig, ReconnectConfig, ReconnectOptions } from './config.js';
export type { LiveWebSocketClient } from './live-client.js';
export type { BrowserEnvironment, LifecycleListener, NetworkState } from './environment.js';
export { createLiveWebSocket } from './live-client.js';
export { backoffDelay } from './backoff.js';
export {
  CLOSE_TIMEOUT,
  DEFAULT_CONNECTION_TIMEOUT,
  DEFAULT_QUEUE_SIZE,
  DEFAULT_RECONNECT,
  FROZEN_CLOSE_CODE,
  FROZEN_CLOSE_REASON,
} from './defaults.js';
export { DEFAULT_HEARTBEAT, HEARTBEAT_TIMEOUT_REASON } from '@composable-svelte/ws-types';
