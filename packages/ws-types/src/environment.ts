/**
 * The page's lifecycle, as an environment reports it to a client: ws-core's live client, or
 * ws-heartbeat's heartbeat. The client decides what each event means (see ws-core's README,
 * "Browsers"); the environment only says when.
 */
export interface LifecycleListener {
  /** The network is back (`online` on `window`). */
  online(): void;
  /** The network is gone (`offline` on `window`). */
  offline(): void;
  /** The page is hidden (`visibilitychange` to `hidden`), or already was when listening began. */
  hidden(): void;
  /** The page is visible again (`visibilitychange` to `visible`). */
  visible(): void;
  /** The page is frozen (`freeze` on `document`) or goes into the back/forward cache (`pagehide` with `persisted`). */
  freeze(): void;
  /** The page runs again (`resume` on `document`, or `pageshow` with `persisted`). */
  resume(): void;
}

/**
 * Where a client learns about the browser: whether the network is up, and the page's
 * lifecycle events. Injectable like `timers`, so tests (and unusual hosts) drive it;
 * `browserEnvironment()` from `@composable-svelte/ws-core/browser` builds one from the
 * globals. Its functions are used as given, like `timers`.
 *
 * @example
 * ```ts
 * // A fake for tests: flip `up`, then report the change.
 * let up = true;
 * let page: LifecycleListener | null = null;
 * const environment: BrowserEnvironment = {
 *   online: () => up,
 *   subscribe: (listener) => {
 *     page = listener;
 *     return () => (page = null);
 *   },
 * };
 * up = false;
 * page?.offline();
 * ```
 */
export interface BrowserEnvironment {
  /** Whether the network is up now (`navigator.onLine`): reconnection waits while it says `false`. */
  online(): boolean;
  /**
   * Starts reporting the page's lifecycle to `listener` (calling `listener.hidden()` at once
   * when the page is hidden now), and returns the function that stops, removing every global
   * listener it added. The live client subscribes on `connect()` and unsubscribes on
   * `disconnect()`, on `dispose()`, and when it stops for good by itself; a heartbeat
   * subscribes while it runs.
   */
  subscribe(listener: LifecycleListener): () => void;
}
