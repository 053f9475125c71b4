export type { HeartbeatWebSocket } from './heartbeat.js';
export type { HeartbeatWebSocketConfig } from './config.js';
export type { HeartbeatConfig, HeartbeatOptions } from '@composable-svelte/ws-types';
export type { RoundTripTime } from '@composable-svelte/ws-types';

export { createHeartbeat, DEFAULT_AUTO_START } from './heartbeat.js';
export { DEFAULT_HEARTBEAT, HEARTBEAT_TIMEOUT_REASON } from '@composable-svelte/ws-types';
