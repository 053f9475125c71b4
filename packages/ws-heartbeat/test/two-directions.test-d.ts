import { createMockWebSocket } from '@composable-svelte/ws-testing';
import { describe, expectTypeOf, it } from 'vitest';
import { createHeartbeat, type HeartbeatWebSocket } from '../src/index.js';

type ServerMessage = { type: 'pong' } | { type: 'message'; text: string };
type ClientMessage = { type: 'ping' } | { type: 'say'; text: string };

describe('the heartbeat keeps both directions', () => {
  it('wraps a client typed both ways', () => {
    const heartbeat = createHeartbeat(createMockWebSocket<ServerMessage, ClientMessage>(), { pingMessage: { type: 'ping' }, pongMessage: { type: 'pong' } });
    expectTypeOf(heartbeat).toEqualTypeOf<HeartbeatWebSocket<ServerMessage, ClientMessage>>();
    // @ts-expect-error a pong is the server's
    void heartbeat.send({ type: 'pong' });
  });
});
