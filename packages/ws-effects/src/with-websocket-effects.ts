import { websocketEffects, type WebSocketEffects } from './websocket-effects.js';

/** An `Effect` namespace `E` with `websocket` added (replacing any `websocket` it had). */
export type WithWebSocketEffects<E> = Omit<E, 'websocket'> & {
  /** The WebSocket effect builders: see {@link WebSocketEffects}. */
  readonly websocket: WebSocketEffects;
};

/**
 * Returns a copy of an `Effect` namespace (Composable Svelte's, or any object of effect
 * builders) with `websocket` added, so the guide's spelling `Effect.websocket.connect(...)`
 * type-checks. The argument is not mutated: its own enumerable properties are copied (as for
 * the core's `Effect`, a plain object whose builders do not use `this`).
 *
 * @example
 * ```ts
 * import { Effect as CoreEffect } from '@composable-svelte/core';
 * import { withWebSocketEffects } from '@composable-svelte/ws-effects';
 *
 * export const Effect = withWebSocketEffects(CoreEffect);
 * // Effect.websocket.connect(deps.websocket, 'websocket-connection', url, undefined, toAction)
 * ```
 */
export function withWebSocketEffects<E extends object>(Effect: E): WithWebSocketEffects<E> {
  return { ...Effect, websocket: websocketEffects };
}
