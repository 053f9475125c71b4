import type { HeartbeatConfig, Timers } from '@composable-svelte/ws-types';

/**
 * Configuration of `createHeartbeat` (ws-heartbeat): the {@link HeartbeatConfig} fields plus
 * what only a decorator needs. Every field is optional; giving the object turns the heartbeat
 * on unless it says `enabled: false` (then `start()` does nothing).
 */
export interface HeartbeatWebSocketConfig extends HeartbeatConfig {
  /**
   * Start on every `connected` event of the wrapped client (and at once if it is already
   * connected), stop when it reports the connection gone (`disconnected`, `reconnecting`, or
   * the `MAX_RECONNECTS` error of a client that gave up). Off, the application calls
   * `start()` and `stop()` itself, as the guide does. @defaultValue `false`
   */
  autoStart?: boolean | undefined;
  /** Timers and clock for pings, timeouts and round-trip times. @defaultValue the platform's `setTimeout`, `clearTimeout` and `Date.now` */
  timers?: Timers | undefined;
}

