import { createFakeWebSocket, createSpyWebSocket } from '@composable-svelte/ws-testing';
import { afterEach, expect, it, vi } from 'vitest';
import { createLiveWebSocket } from '../src/index.js';

// ws-testing's spy over the live client (kept here: ws-testing must not depend on ws-core).
afterEach(() => {
  vi.useRealTimers();
});

it.each([
  ['real timers', false],
  ['fake timers', true],
])('the spy records the live client\'s traffic under %s', async (_name, fake) => {
  if (fake) vi.useFakeTimers();
  const sockets = createFakeWebSocket();
  const spy = createSpyWebSocket(createLiveWebSocket<{ n: number }>({ WebSocket: sockets.WebSocket }));
  const connected = spy.connect('wss://live.example.com');
  await Promise.resolve();
  sockets.last().open();
  await connected;
  await spy.send({ n: 1 });
  sockets.last().receive('{"n":2}');
  expect(sockets.last().sent).toEqual(['{"n":1}']);
  expect(spy.receivedMessages.map((m) => m.data)).toEqual([{ n: 2 }]);
  await spy.disconnect(4000, 'done');
  expect(spy.disconnections[0]).toMatchObject({ code: 4000, reason: 'done' });
});
