/**
 * Request/response over ws-core's live client and real `ws` servers on 127.0.0.1 (port 0),
 * with real timers: replies, error replies, a server that never answers, a connection dropped
 * before the reply, and the same drop over ws-queue with `ack` and `keepOnReconnect`.
 */
import { createLiveWebSocket } from '@composable-svelte/ws-core';
import { createQueuedWebSocket } from '@composable-svelte/ws-queue';
import { WebSocketError, WS_ERROR_CODES } from '@composable-svelte/ws-types';
import { nextMessage, waitForEvent } from '@composable-svelte/ws-testing';
import { startTestServer, type TestFrame, type TestServerReply } from '@composable-svelte/ws-testing/server';
import { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { createRequestWebSocket } from '../src/index.js';

interface Msg {
  id?: string;
  op?: string;
  replyTo?: string;
  result?: unknown;
  error?: string;
  event?: string;
}

const cleanup: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

const parse = (frame: TestFrame): Msg => JSON.parse(frame.toString()) as Msg;

/** Answers `{ id, op: 'echo' }` with `{ replyTo: id, result: op }`, `op: 'fail'` with an error reply, `op: 'never'` not at all. */
const answer: TestServerReply = (frame) => {
  const message = parse(frame);
  if (message.op === 'never' || message.id === undefined) return undefined;
  if (message.op === 'fail') return JSON.stringify({ replyTo: message.id, error: 'Refused' });
  return JSON.stringify({ replyTo: message.id, result: message.op });
};

async function server(reply: TestServerReply = answer) {
  const started = await startTestServer({ reply });
  cleanup.push(() => started.stop());
  return started;
}

function liveClient() {
  const client = createLiveWebSocket<Msg>({
    WebSocket,
    reconnect: { enabled: true, initialDelay: 20, maxDelay: 50, jitter: false, maxAttempts: 0, minUptime: 0 },
  });
  cleanup.push(() => client.disconnect());
  return client;
}

async function rejection(promise: Promise<unknown>): Promise<WebSocketError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(WebSocketError);
  return error as WebSocketError;
}

describe('ws-request over ws-core and a real ws server', () => {
  it('resolves replies, rejects error replies, and passes notifications to subscribers', async () => {
    const ws = await server();
    const rpc = createRequestWebSocket(liveClient());
    cleanup.push(() => rpc.dispose());
    await rpc.connect(ws.url);
    const notification = nextMessage(rpc);
    const [a, b] = await Promise.all([rpc.request({ id: 'a', op: 'echo' }), rpc.request({ id: 'b', op: 'other' })]);
    expect(a).toEqual({ replyTo: 'a', result: 'echo' });
    expect(b).toEqual({ replyTo: 'b', result: 'other' });
    const error = await rejection(rpc.request({ id: 'c', op: 'fail' }));
    expect(error).toMatchObject({ code: 'REQUEST_FAILED', cause: { replyTo: 'c', error: 'Refused' } });
    ws.broadcast(JSON.stringify({ event: 'tick' }));
    expect((await notification).data).toEqual({ event: 'tick' });
  });

  it('rejects with REQUEST_TIMEOUT when the server never answers', async () => {
    const ws = await server();
    const rpc = createRequestWebSocket(liveClient(), { timeout: 100 });
    cleanup.push(() => rpc.dispose());
    await rpc.connect(ws.url);
    const started = Date.now();
    const error = await rejection(rpc.request({ id: 'a', op: 'never' }));
    expect(error).toMatchObject({ code: 'REQUEST_TIMEOUT', recoverable: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
    await expect(rpc.request({ id: 'b', op: 'echo' })).resolves.toMatchObject({ result: 'echo' });
  });

  it('rejects with CONNECTION_FAILED when the connection drops before the reply; requests work again after the reconnect', async () => {
    const ws = await server((frame, client) => {
      if (parse(frame).op === 'crash') client.terminate();
      return answer(frame, client);
    });
    const live = liveClient();
    const rpc = createRequestWebSocket(live);
    cleanup.push(() => rpc.dispose());
    await rpc.connect(ws.url);
    const reconnected = waitForEvent(live, 'reconnected');
    const error = await rejection(rpc.request({ id: 'a', op: 'crash' }));
    expect(error).toMatchObject({ code: WS_ERROR_CODES.CONNECTION_FAILED, recoverable: true });
    await reconnected;
    await expect(rpc.request({ id: 'b', op: 'echo' })).resolves.toEqual({ replyTo: 'b', result: 'echo' });
  });

  it('over ws-queue with ack and keepOnReconnect: the request survives the drop and gets the reply to the copy sent again', async () => {
    const copies = new Map<string, number>();
    const ws = await server((frame, client) => {
      const { id } = parse(frame);
      if (id === undefined) return undefined;
      const seen = (copies.get(id) ?? 0) + 1;
      copies.set(id, seen);
      // The first copy is lost with the connection before the server answers it.
      if (seen === 1) {
        client.terminate();
        return undefined;
      }
      return answer(frame, client);
    });
    const queued = createQueuedWebSocket(liveClient(), { ack: { id: (message) => message.id ?? '', ackOf: (data) => data.replyTo } });
    const rpc = createRequestWebSocket(queued, { keepOnReconnect: true, timeout: 5000 });
    cleanup.push(() => rpc.dispose());
    await rpc.connect(ws.url);
    await expect(rpc.request({ id: 'a', op: 'echo' })).resolves.toEqual({ replyTo: 'a', result: 'echo' });
    expect(copies.get('a')).toBe(2);
    expect(queued.queue.size).toBe(0);
  });
});
