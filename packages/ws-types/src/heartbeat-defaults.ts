import type { HeartbeatOptions } from './config.js';

/** Defaults of {@link HeartbeatOptions} (the heartbeat itself is off until configured). */
export const DEFAULT_HEARTBEAT: Readonly<HeartbeatOptions> = {
  enabled: false,
  interval: 30_000,
  timeout: 5000,
  pingMessage: 'PING',
  pongMessage: 'PONG',
  isPong: null,
};

/** The reason a heartbeat gives to `markDead` when a pong is late, carried by the `disconnected` event. */
export const HEARTBEAT_TIMEOUT_REASON = 'Heartbeat timeout';
