/**
 * ws-core's `heartbeat` option and ws-heartbeat's decorator are one behaviour: the same
 * errors, the same reason, the same reporting of a ping that cannot go out.
 */
import { createLiveWebSocket, HEARTBEAT_TIMEOUT_REASON as CORE_REASON } from '@composable-svelte/ws-core';
import { createHeartbeat, HEARTBEAT_TIMEOUT_REASON } from '@composable-svelte/ws-heartbeat';
import { createFakeWebSocket, recordEvents } from '@composable-svelte/ws-testing';
import { JSONSerializer, type HeartbeatConfig, type MessageSerializer, type WebSocketClient, type WebSocketEvent } from '@composable-svelte/ws-types';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

type Variant = 'ws-core option' | 'ws-heartbeat';

/** A connected client with the heartbeat `config`, built either way; returns what its listeners heard. */
async function connected(variant: Variant, config: HeartbeatConfig, serializer: MessageSerializer = JSONSerializer) {
  const fake = createFakeWebSocket();
  let client: WebSocketClient;
  if (variant === 'ws-core option') {
    client = createLiveWebSocket({ WebSocket: fake.WebSocket, serializer, heartbeat: config });
  } else {
    client = createHeartbeat(createLiveWebSocket({ WebSocket: fake.WebSocket, serializer }), { ...config, autoStart: true });
  }
  const { events } = recordEvents(client);
  const opening = client.connect('wss://x');
  fake.last().open();
  await opening;
  return { client, fake, events };
}

/** The events as plain data, timestamps left out. */
const shape = (events: WebSocketEvent[]): unknown[] =>
  events.map((event) => {
    if (event.type === 'error') return { type: 'error', code: event.error.code, message: event.error.message, cause: event.error.cause };
    return Object.fromEntries(Object.entries(event).filter(([key]) => key !== 'timestamp'));
  });

async function both(config: HeartbeatConfig, run: (c: Awaited<ReturnType<typeof connected>>) => Promise<void>, serializer?: MessageSerializer) {
  const results: unknown[][] = [];
  for (const variant of ['ws-core option', 'ws-heartbeat'] as const) {
    const context = await connected(variant, config, serializer);
    await run(context);
    results.push(shape(context.events));
    await context.client.disconnect();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(vi.getTimerCount()).toBe(0);
  }
  expect(results[1]).toEqual(results[0]);
  return results[0]!;
}

describe('one heartbeat behaviour', () => {
  it('exports one timeout reason', () => {
    expect(CORE_REASON).toBe(HEARTBEAT_TIMEOUT_REASON);
    expect(HEARTBEAT_TIMEOUT_REASON).toBe('Heartbeat timeout');
  });

  it('times out with the same error and reason', async () => {
    const events = await both({ interval: 100, timeout: 50 }, async () => {
      await vi.advanceTimersByTimeAsync(150);
    });
    expect(events).toEqual([
      { type: 'connected', url: 'wss://x', protocols: [] },
      { type: 'error', code: 'HEARTBEAT_TIMEOUT', message: 'No pong within 50 ms', cause: undefined },
      { type: 'disconnected', code: 1006, reason: HEARTBEAT_TIMEOUT_REASON, wasClean: false },
    ]);
  });

  it('reports a ping the serializer cannot encode once, as any failed send', async () => {
    const picky: MessageSerializer = {
      serialize: (message) => {
        if (message === 'PING') throw new Error('no pings here');
        return JSONSerializer.serialize(message);
      },
      deserialize: (data) => JSONSerializer.deserialize(data),
    };
    const events = await both(
      { interval: 100, timeout: 50 },
      async () => {
        await vi.advanceTimersByTimeAsync(100);
      },
      picky,
    );
    expect(events.slice(1)).toEqual([{ type: 'error', code: 'INVALID_MESSAGE', message: 'Cannot serialize', cause: new Error('no pings here') }]);
  });

  it('reports a pingMessage or isPong that throws as CALLBACK_FAILED, and carries on', async () => {
    const boom = new Error('bad ping');
    const events = await both(
      {
        interval: 100,
        timeout: 50,
        pingMessage: () => {
          throw boom;
        },
        isPong: (data) => {
          if (data === 'weird') throw boom;
          return data === 'PONG';
        },
      },
      async ({ fake }) => {
        await vi.advanceTimersByTimeAsync(100);
        fake.last().receive(JSON.stringify('weird'));
      },
    );
    expect(events.slice(1)).toEqual([
      { type: 'error', code: 'CALLBACK_FAILED', message: 'heartbeat.pingMessage threw or returned an unusable value', cause: boom },
      { type: 'error', code: 'CALLBACK_FAILED', message: 'heartbeat.isPong threw or returned an unusable value', cause: boom },
    ]);
  });
});
