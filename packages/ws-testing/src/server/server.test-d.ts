import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { describe, expectTypeOf, it } from 'vitest';
import {
  startFaultProxy,
  startSilentServer,
  startTestServer,
  type FaultProxy,
  type ReceivedFrame,
  type SilentServer,
  type TestServer,
  type TestServerOptions,
} from './index.js';

describe('the /server entry', () => {
  it('resolves with the helpers', () => {
    expectTypeOf(startTestServer).returns.resolves.toEqualTypeOf<TestServer>();
    expectTypeOf(startSilentServer).returns.resolves.toEqualTypeOf<SilentServer>();
    expectTypeOf(startFaultProxy).returns.resolves.toEqualTypeOf<FaultProxy>();
  });

  it('hands out ws sockets and frames as strings or Buffers', () => {
    expectTypeOf<ReceivedFrame['data']>().toEqualTypeOf<string | Buffer>();
    expectTypeOf<ReceivedFrame['client']>().toEqualTypeOf<WebSocket>();
    expectTypeOf<TestServer['clients']>().toEqualTypeOf<ReadonlySet<WebSocket>>();
    expectTypeOf<TestServer['nextConnection']>().returns.resolves.toEqualTypeOf<WebSocket>();
    expectTypeOf<TestServer['nextMessage']>().returns.resolves.toEqualTypeOf<ReceivedFrame>();
    expectTypeOf<NonNullable<TestServerOptions['onConnection']>>().parameters.toEqualTypeOf<[WebSocket, IncomingMessage]>();
  });

  it('accepts replies that are frames, lists of frames or nothing', () => {
    expectTypeOf<{ reply: (data: string | Buffer) => string }>().toExtend<TestServerOptions>();
    expectTypeOf<{ reply: () => readonly Buffer[] }>().toExtend<TestServerOptions>();
    expectTypeOf<{ reply: () => undefined }>().toExtend<TestServerOptions>();
    // @ts-expect-error a number is not a frame
    expectTypeOf<{ reply: () => number }>().toExtend<TestServerOptions>();
  });

  it('keeps the state read-only', () => {
    const server = {} as TestServer;
    const proxy = {} as FaultProxy;
    // @ts-expect-error the url is fixed
    server.url = 'ws://elsewhere';
    // @ts-expect-error the records are the server's
    server.received = [];
    // @ts-expect-error connections is counted by the proxy
    proxy.connections = 0;
    // @ts-expect-error the target is a URL or a port
    void startFaultProxy({ target: { port: 1 } });
  });
});
