// The app's one `Effect`: the core's builders plus `Effect.websocket` (ws-effects).
import { Effect as CoreEffect, type EffectType } from '@composable-svelte/core';
import { withWebSocketEffects } from '@composable-svelte/ws-effects';

/** The core's effect builders plus `websocket` (`connect`, `send`, `subscribe`, `disconnect`, ...). */
export const Effect = withWebSocketEffects(CoreEffect);

/** An effect that may dispatch actions of type `A`. */
export type Effect<A> = EffectType<A>;
