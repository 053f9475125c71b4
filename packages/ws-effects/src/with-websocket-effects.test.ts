import { Effect as CoreEffect } from '@composable-svelte/core';
import { createMockWebSocket } from '@composable-svelte/ws-testing';
import { describe, expect, it } from 'vitest';
import { websocketEffects } from './websocket-effects.js';
import { withWebSocketEffects } from './with-websocket-effects.js';

describe('withWebSocketEffects', () => {
  it('returns a new namespace with every builder of the argument plus websocket, mutating nothing', () => {
    const none = (): { _tag: 'None' } => ({ _tag: 'None' });
    const namespace = Object.freeze({ none });
    const Effect = withWebSocketEffects(namespace);
    expect(Effect).not.toBe(namespace);
    expect(Effect.none).toBe(none);
    expect(Effect.websocket).toBe(websocketEffects);
    expect(Object.keys(namespace)).toEqual(['none']);
  });

  it('replaces a websocket the namespace already has', () => {
    const namespace = { websocket: 'theirs' };
    expect(withWebSocketEffects(namespace).websocket).toBe(websocketEffects);
    expect(namespace.websocket).toBe('theirs');
  });

  it('extends the core\'s Effect, whose builders keep working, and leaves the core\'s own Effect.websocket alone', () => {
    const before = (CoreEffect as { websocket?: unknown }).websocket;
    const Effect = withWebSocketEffects(CoreEffect);
    expect(Effect.websocket).toBe(websocketEffects);
    expect((CoreEffect as { websocket?: unknown }).websocket).toBe(before);
    expect(before).not.toBe(websocketEffects);

    const mock = createMockWebSocket();
    const connect = Effect.websocket.connect(mock, 'c', 'wss://example.com');
    const subscribe = Effect.websocket.subscribe<unknown, { type: 'message' }>(mock, 's', () => ({ type: 'message' }));
    expect(Effect.batch(Effect.none(), connect)).toBe(connect);
    expect(Effect.batch(connect, subscribe)).toEqual({ _tag: 'Batch', effects: [connect, subscribe] });
    expect(Effect.cancel('c')).toMatchObject({ _tag: 'Cancellable', id: 'c' });
  });
});
