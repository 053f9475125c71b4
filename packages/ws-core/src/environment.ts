export type { BrowserEnvironment, LifecycleListener } from '@composable-svelte/ws-types';

/** The live client's view of the network, see `LiveWebSocketClient.network`. */
export interface NetworkState {
  /** What the environment says (`navigator.onLine`); always `true` without an environment (Node). */
  readonly online: boolean;
  /**
   * Whether the client is waiting for the network before its next reconnect attempt: status
   * `reconnecting`, no attempt scheduled, none counted toward `maxAttempts`.
   */
  readonly waiting: boolean;
}
