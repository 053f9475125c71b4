/**
 * The README's examples, as written (each in a function), so that they keep compiling. The
 * error-handling snippet compares with `WS_ERROR_CODES.REQUEST_TIMEOUT`, which ws-types adds
 * with this package; it is checked once that code is there.
 */
import { createLiveWebSocket } from '@composable-svelte/ws-core';
import { createQueuedWebSocket } from '@composable-svelte/ws-queue';
import { describe, expectTypeOf, it } from 'vitest';
import { createRequestWebSocket } from '../src/index.js';

describe('the README compiles', () => {
  it('the smallest example', async () => {
    const websocket = createRequestWebSocket(createLiveWebSocket({ reconnect: {} }));
    await websocket.connect('wss://api.example.com');

    // Sent as {"id":"…","method":"sum","params":[1,2]}; the server answers {"replyTo":"…","result":3}.
    const reply = await websocket.request({ id: crypto.randomUUID(), method: 'sum', params: [1, 2] });
    expectTypeOf(reply.result).toBeAny();
  });

  it('typed replies', async () => {
    type Message =
      | { type: 'get'; id: string; key: string }
      | { type: 'set'; id: string; key: string; value: number }
      | { type: 'value'; replyTo: string; value: number }
      | { type: 'ok'; replyTo: string }
      | { type: 'chat'; text: string };

    interface Replies {
      get: Extract<Message, { type: 'value' }>;
      set: Extract<Message, { type: 'ok' }>;
    }

    const store = createRequestWebSocket<Message, Message, Replies>(createLiveWebSocket<Message>());
    const { value } = await store.request({ type: 'get', id: crypto.randomUUID(), key: 'answer' }); // value: number
    const ok = await store.request({ type: 'set', id: crypto.randomUUID(), key: 'answer', value: 42 }); // Promise<{ type: 'ok'; … }>
    // @ts-expect-error 'chat' has no reply
    void store.request({ type: 'chat', text: 'hi' });
    expectTypeOf(value).toEqualTypeOf<number>();
    expectTypeOf(ok).toEqualTypeOf<{ type: 'ok'; replyTo: string }>();
  });

  it('JSON-RPC options', () => {
    interface JsonRpc {
      jsonrpc: '2.0';
      id?: number | string | null;
      method?: string;
      params?: unknown;
      result?: unknown;
      error?: { code: number; message: string; data?: unknown };
    }

    const rpc = createRequestWebSocket(createLiveWebSocket<JsonRpc>(), {
      id: (message) => String(message.id),
      replyTo: (data) => (data.method === undefined && data.id != null ? String(data.id) : undefined),
      isError: (data) => data.error !== undefined,
      timeout: 5000,
    });
    expectTypeOf(rpc.request({ jsonrpc: '2.0', id: 1, method: 'sum', params: [1, 2] })).toEqualTypeOf<Promise<JsonRpc>>();
  });

  it('over ws-queue with ack', () => {
    interface Message {
      id?: string;
      replyTo?: string;
      method?: string;
      result?: unknown;
    }

    const websocket = createRequestWebSocket(
      createQueuedWebSocket(createLiveWebSocket<Message>({ reconnect: { maxAttempts: 0 } }), {
        ack: {
          id: (message) => message.id ?? '', // the request's id
          ackOf: (data) => data.replyTo, // a reply acknowledges its request
        },
      }),
      { keepOnReconnect: true, timeout: 30_000 },
    );
    expectTypeOf(websocket.request({ id: '1', method: 'me' })).toEqualTypeOf<Promise<Message>>();
  });

  it('using', async () => {
    const live = createLiveWebSocket({ reconnect: {} });
    await live.connect('wss://api.example.com');
    {
      using api = createRequestWebSocket(live);
      const user: unknown = await api.request({ id: crypto.randomUUID(), method: 'me' });
      // ...
      expectTypeOf(user).toBeUnknown();
    } // disposed here: pending requests rejected, timers cleared; `live` stays connected
  });
});
