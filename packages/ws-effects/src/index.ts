export type { Dispatch, RunEffect, SubscriptionCleanup, SubscriptionEffect, WebSocketEffect } from './effect.js';
export type { WebSocketEffects } from './websocket-effects.js';
export type { WithWebSocketEffects } from './with-websocket-effects.js';

export { websocketEffects } from './websocket-effects.js';
export { withWebSocketEffects } from './with-websocket-effects.js';
