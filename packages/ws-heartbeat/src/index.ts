export type { HeartbeatWebSocket } from './heartbeat.js';
export type { HeartbeatConfig, HeartbeatOptions, HeartbeatWebSocketConfig } from '@composable-svelte/ws-types';
export type { RoundTripTime } from '@composable-svelte/ws-types/shared';

export { createHeartbeat, DEFAULT_AUTO_START, HEARTBEAT_TIMEOUT_REASON } from './heartbeat.js';
export { DEFAULT_HEARTBEAT } from '@composable-svelte/ws-types/shared';
