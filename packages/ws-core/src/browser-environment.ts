import type { BrowserEnvironment, LifecycleListener } from './environment.js';

/** The part of an `EventTarget` the environment uses. */
interface Target {
  addEventListener(type: string, listener: (event: { readonly persisted?: boolean }) => void): void;
  removeEventListener(type: string, listener: (event: { readonly persisted?: boolean }) => void): void;
}

/** The globals {@link browserEnvironment} reads: `globalThis` in a browser, fakes in tests. */
export interface BrowserGlobals {
  readonly window?: Target | undefined;
  readonly document?: (Target & { readonly visibilityState?: string | undefined }) | undefined;
  readonly navigator?: { readonly onLine?: boolean | undefined } | undefined;
}

/**
 * The browser's lifecycle from its globals, for `createLiveWebSocket({ environment })`:
 * `navigator.onLine`, and the events `online` and `offline` (on `window`),
 * `visibilitychange`, `freeze` and `resume` (on `document`), `pagehide` and `pageshow` with
 * `persisted` (on `window`). Each `subscribe()` adds those 7 listeners and its unsubscribe
 * removes them all.
 *
 * Returns `null` where there is no `window` or no `document` (Node, workers, SSR): passed as
 * `environment`, that turns the lifecycle off. The globals are read when called, not when
 * imported, so importing this module has no side effects.
 *
 * @param scope - where the globals are. @defaultValue `globalThis`
 *
 * @example
 * ```ts
 * import { createLiveWebSocket } from '@composable-svelte/ws-core';
 * import { browserEnvironment } from '@composable-svelte/ws-core/browser';
 *
 * const websocket = createLiveWebSocket({ reconnect: {}, environment: browserEnvironment() });
 * ```
 */
export function browserEnvironment(scope: BrowserGlobals = globalThis): BrowserEnvironment | null {
  const { window, document } = scope;
  if (!window || !document) return null;
  const hidden = (): boolean => document.visibilityState === 'hidden';
  return {
    online: () => scope.navigator?.onLine !== false,
    subscribe(page: LifecycleListener) {
      const listeners: [Target, string, (event: { readonly persisted?: boolean }) => void][] = [
        [window, 'online', () => page.online()],
        [window, 'offline', () => page.offline()],
        [document, 'visibilitychange', () => (hidden() ? page.hidden() : page.visible())],
        [document, 'freeze', () => page.freeze()],
        [document, 'resume', () => page.resume()],
        // Only a page that goes into (or comes back from) the back/forward cache; a page
        // that unloads for good has nothing to come back to.
        [window, 'pagehide', (event) => event.persisted && page.freeze()],
        [window, 'pageshow', (event) => event.persisted && page.resume()],
      ];
      for (const [target, type, listener] of listeners) target.addEventListener(type, listener);
      if (hidden()) page.hidden();
      return () => {
        for (const [target, type, listener] of listeners) target.removeEventListener(type, listener);
      };
    },
  };
}
