import type { WebSocketClient } from '@composable-svelte/ws-types';
import { describe, expectTypeOf, it } from 'vitest';
import { createRequestWebSocket, DEFAULT_REQUEST, type RequestConfig, type RequestWebSocket } from './index.js';

interface Value {
  type: 'value';
  replyTo: string;
  value: number;
}
interface Ok {
  type: 'ok';
  replyTo: string;
}
type Msg =
  | { type: 'get'; id: string; key: string }
  | { type: 'set'; id: string; key: string; value: number }
  | { type: 'chat'; text: string }
  | Value
  | Ok;

/** The request-to-reply map: an interface works as well as a type alias. */
interface Replies {
  get: Value;
  set: Ok;
}

declare const client: WebSocketClient<Msg>;

describe('request() types', () => {
  it('without a reply map: any message of the client, resolving with a message of the client', () => {
    const rpc = createRequestWebSocket(client);
    expectTypeOf(rpc).toEqualTypeOf<RequestWebSocket<Msg>>();
    expectTypeOf(rpc.request({ type: 'get', id: '1', key: 'k' })).toEqualTypeOf<Promise<Msg>>();
    // @ts-expect-error not a message of this client
    void rpc.request({ type: 'unknown', id: '1' });
    // @ts-expect-error a message needs its fields
    void rpc.request({ type: 'get', id: '1' });
  });

  it('with a reply map: the reply type follows from the request type', () => {
    const rpc = createRequestWebSocket<Msg, Msg, Replies>(client);
    expectTypeOf(rpc.request({ type: 'get', id: '1', key: 'k' })).toEqualTypeOf<Promise<Value>>();
    expectTypeOf(rpc.request({ type: 'set', id: '2', key: 'k', value: 1 }, { timeout: 500 })).toEqualTypeOf<Promise<Ok>>();
    const either = { type: 'get', id: '3', key: 'k' } as Extract<Msg, { type: 'get' | 'set' }>;
    expectTypeOf(rpc.request(either)).toEqualTypeOf<Promise<Value | Ok>>();
  });

  it('with a reply map: only messages whose type has a reply are requests', () => {
    const rpc = createRequestWebSocket<Msg, Msg, Replies>(client);
    // @ts-expect-error 'chat' has no entry in the map
    void rpc.request({ type: 'chat', text: 'hi' });
    // @ts-expect-error 'value' is a reply, not a request
    void rpc.request({ type: 'value', replyTo: '1', value: 1 });
    // @ts-expect-error a 'get' needs its key
    void rpc.request({ type: 'get', id: '1' });
    // @ts-expect-error ids are strings here
    void rpc.request({ type: 'get', id: 1, key: 'k' });
    // Plain sends are unchanged: any message.
    expectTypeOf<Parameters<typeof rpc.send>[0]>().toEqualTypeOf<Msg>();
  });

  it('an untyped client gives untyped requests, as in the guide', () => {
    const rpc = createRequestWebSocket(client as WebSocketClient);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- what the guide's untyped client gives
    expectTypeOf(rpc.request({ id: '1', method: 'sum', params: [1, 2] })).toEqualTypeOf<Promise<any>>();
  });

  it('checks the options', () => {
    const rpc = createRequestWebSocket(client);
    const message: Msg = { type: 'get', id: '1', key: 'k' };
    void rpc.request(message, { timeout: 100, signal: new AbortController().signal });
    // @ts-expect-error timeout is a number
    void rpc.request(message, { timeout: '100' });
    // @ts-expect-error signal is an AbortSignal
    void rpc.request(message, { signal: true });
  });
});

describe('the decorator', () => {
  it('is a client of the same message type, with dispose()', () => {
    const rpc = createRequestWebSocket(client);
    expectTypeOf(rpc).toExtend<WebSocketClient<Msg>>();
    expectTypeOf<ReturnType<typeof rpc.dispose>>().toEqualTypeOf<void>();
    // Decorators compose: a request client wraps another one.
    expectTypeOf(createRequestWebSocket(rpc)).toEqualTypeOf<RequestWebSocket<Msg>>();
  });

  it('types the callbacks of its config with the message type', () => {
    createRequestWebSocket(client, {
      id: (message) => {
        expectTypeOf(message).toEqualTypeOf<Msg>();
        return 'id' in message ? message.id : '';
      },
      replyTo: (data) => ('replyTo' in data ? data.replyTo : undefined),
      isError: (data) => data.type === 'ok',
      timeout: 0,
      keepOnReconnect: true,
      timers: { setTimeout: (callback, ms) => setTimeout(callback, ms), clearTimeout: () => undefined, now: () => 0 },
    });
    // @ts-expect-error an id is a string
    createRequestWebSocket(client, { id: () => 1 });
    // @ts-expect-error isError answers with a boolean
    createRequestWebSocket(client, { isError: () => 'yes' });
    expectTypeOf<RequestConfig<Msg>['timeout']>().toEqualTypeOf<number | undefined>();
  });

  it('exports its defaults', () => {
    expectTypeOf(DEFAULT_REQUEST.timeout).toEqualTypeOf<number>();
    expectTypeOf(DEFAULT_REQUEST.keepOnReconnect).toEqualTypeOf<boolean>();
    expectTypeOf(DEFAULT_REQUEST.isError).toEqualTypeOf<(data: unknown) => boolean>();
  });
});
