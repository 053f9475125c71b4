import type { BrowserEnvironment, HeartbeatConfig, Timers } from '@composable-svelte/ws-types';

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
  /**
   * The page's lifecycle, so that a running heartbeat checks the connection when the browser
   * says it may have died: on `offline`, a ping at once (a working socket stays; one that does
   * not answer within `timeout` is declared dead), and on `visible` after the page was hidden
   * at least `interval` ms, a ping at once, or at once the timeout of a pong overdue by the
   * clock. Give the same `browserEnvironment()` (from `@composable-svelte/ws-core/browser`)
   * as the live client's `environment`; the heartbeat listens only while it runs.
   * @defaultValue none: no lifecycle (Node)
   */
  environment?: BrowserEnvironment | null | undefined;
  /** Timers and clock for pings, timeouts and round-trip times. @defaultValue the platform's `setTimeout`, `clearTimeout` and `Date.now` */
  timers?: Timers | undefined;
}

