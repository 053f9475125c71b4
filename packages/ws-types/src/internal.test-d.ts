import { describe, expectTypeOf, it } from 'vitest';
import type { RoundTripTime, WebSocketClient, WebSocketError } from './index.js';
import { ListenerSet } from './internal.js';
import type { ForwardingClient, HeartbeatEngine, HeartbeatHost } from './internal.js';

describe('internal types', () => {
  it('makes every ForwardingClient a WebSocketClient of the same message type, and Disposable', () => {
    expectTypeOf<ForwardingClient<{ n: number }>>().toExtend<WebSocketClient<{ n: number }>>();
    expectTypeOf<ForwardingClient<{ n: number }>>().toExtend<Disposable>();
    expectTypeOf<ForwardingClient<string>['send']>().parameters.toEqualTypeOf<[message: string]>();
    expectTypeOf<ForwardingClient<string>['dispose']>().toEqualTypeOf<() => void>();
    // The hooks are for subclasses only.
    expectTypeOf<ForwardingClient<string>>().not.toHaveProperty('report');
    expectTypeOf<ForwardingClient<string>>().not.toHaveProperty('sync');
  });

  it('describes the heartbeat host and engine', () => {
    expectTypeOf<ConstructorParameters<typeof HeartbeatEngine>[2]>().toEqualTypeOf<HeartbeatHost>();
    expectTypeOf<HeartbeatHost['report']>().parameters.toEqualTypeOf<[error: WebSocketError]>();
    expectTypeOf<HeartbeatHost['send']>().returns.toEqualTypeOf<Promise<void> | void>();
    expectTypeOf<HeartbeatEngine['rtt']>().toEqualTypeOf<RoundTripTime>();
    expectTypeOf<HeartbeatEngine['running']>().toBeBoolean();
    expectTypeOf<HeartbeatEngine['receive']>().returns.toBeBoolean();
    const host: HeartbeatHost = { connected: () => true, send: () => undefined, report: () => undefined, markDead: () => undefined };
    void host;
  });

  it('types the values handed to onThrow', () => {
    new ListenerSet<number>((error, value) => {
      expectTypeOf(error).toBeUnknown();
      expectTypeOf(value).toBeNumber();
    });
  });
});
