/**
 * The guide's Heartbeat examples, as written except for imports (each snippet in its own
 * function, so that top-level `await`s and repeated names compile). Type-checked by vitest's
 * typecheck mode; the behaviour is tested in src/heartbeat.test.ts (the same configurations)
 * and test/integration.test.ts (the manual start/stop pattern over ws-core).
 */
import { createLiveWebSocket } from '@composable-svelte/ws-core';
import type { WebSocketClient } from '@composable-svelte/ws-types';
import { describe, expectTypeOf, it } from 'vitest';
import { createHeartbeat, type HeartbeatWebSocket } from '../src/index.js';

describe('the guide compiles against ws-heartbeat', () => {
  it('Enable Heartbeat', async () => {
    const websocket = createLiveWebSocket();
    const heartbeat = createHeartbeat(websocket, {
      enabled: true,
      interval: 30000,    // Ping every 30 seconds
      timeout: 5000,      // Expect pong within 5 seconds
      pingMessage: 'PING',
      pongMessage: 'PONG'
    });

    // Start heartbeat on connection
    websocket.subscribeToEvents((event) => {
      if (event.type === 'connected') {
        heartbeat.start();
      } else if (event.type === 'disconnected') {
        heartbeat.stop();
      }
    });

    await websocket.connect('wss://api.example.com');
  });

  it('Custom Ping/Pong', () => {
    const websocket = createLiveWebSocket();
    const heartbeat = createHeartbeat(websocket, {
      enabled: true,
      interval: 30000,
      timeout: 5000,
      pingMessage: { type: 'ping', timestamp: Date.now() },
      pongMessage: { type: 'pong', timestamp: Date.now() }
    });
    expectTypeOf(heartbeat).toHaveProperty('start');
  });

  it('Heartbeat Timeout', () => {
    const websocket = createLiveWebSocket();
    websocket.subscribeToEvents((event) => {
      if (event.type === 'disconnected') {
        if (event.reason === 'Heartbeat timeout') {
          console.log('Server not responding - reconnecting...');
        }
      }
    });
  });

  it('Best Practices 3: Use Heartbeat for Long-Lived Connections', () => {
    const websocket = createLiveWebSocket();
    const heartbeat = createHeartbeat(websocket, {
      enabled: true,
      interval: 30000,
      timeout: 5000
    });

    websocket.subscribeToEvents((event) => {
      if (event.type === 'connected') heartbeat.start();
      if (event.type === 'disconnected') heartbeat.stop();
    });
  });
});

describe('types of createHeartbeat', () => {
  it('returns a client of the same message type, plus its controls', () => {
    const typed = createLiveWebSocket<{ type: 'chat'; text: string }>();
    const heartbeat = createHeartbeat(typed, { autoStart: true });
    expectTypeOf(heartbeat).toExtend<WebSocketClient<{ type: 'chat'; text: string }>>();
    expectTypeOf(heartbeat).toEqualTypeOf<HeartbeatWebSocket<{ type: 'chat'; text: string }>>();
    expectTypeOf(heartbeat.isRunning).toBeBoolean();
    expectTypeOf(heartbeat.rtt).toEqualTypeOf<{ readonly latest: number | null; readonly smoothed: number | null }>();
    // @ts-expect-error a typed client sends only its messages
    void heartbeat.send({ type: 'other' });
    // @ts-expect-error isRunning is read-only
    heartbeat.isRunning = true;
  });

  it('rejects options of the wrong type', () => {
    const websocket = createLiveWebSocket();
    // @ts-expect-error interval is a number
    createHeartbeat(websocket, { interval: '30s' });
    // @ts-expect-error autoStart is a boolean
    createHeartbeat(websocket, { autoStart: 'yes' });
    // @ts-expect-error no such option
    createHeartbeat(websocket, { intervall: 1000 });
  });
});
