import type { WebSocketClient } from '@composable-svelte/ws-types';
import { WebSocketError } from '@composable-svelte/ws-types';
import { WebSocket } from 'ws';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLiveWebSocket } from '../src/index.js';
import { freePort, nextEvent, recordEvents, runtimeWebSocket, startServer, startSilentServer, type TestServer } from './helpers.js';

/**
 * `WS_CORE_TEST_WEBSOCKET=global` (Node 22 and later): the clients get no `WebSocket` option and
 * use the runtime's own global one, as users on those versions do; otherwise they are given ws's.
 */
const useGlobal = runtimeWebSocket() === 'global';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function server(onConnection?: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const started = await startServer(onConnection);
  cleanup.push(() => started.stop());
  return started;
}

function client<T = unknown>(config: Parameters<typeof createLiveWebSocket>[0] = {}): WebSocketClient<T> {
  const created = createLiveWebSocket<T>(useGlobal ? config : { WebSocket, ...config });
  cleanup.push(() => created.disconnect().catch(() => undefined));
  return created;
}

describe('against a real ws server on 127.0.0.1', () => {
  it.runIf(useGlobal)("connects through the runtime's global WebSocket when none is injected", async () => {
    const Runtime = globalThis.WebSocket;
    const constructed: string[] = [];
    // A subclass stands in for the global: the client must look it up at connect time.
    vi.stubGlobal(
      'WebSocket',
      class extends Runtime {
        constructor(url: string | URL, protocols?: string | string[]) {
          super(url, protocols);
          constructed.push(String(url));
        }
      },
    );
    cleanup.push(() => Promise.resolve(vi.unstubAllGlobals()));
    const echo = await server();
    const ws = client<string>();
    await ws.connect(echo.url);
    expect(constructed).toEqual([echo.url]);
    const echoed = new Promise((resolve) => ws.subscribe((message) => resolve(message.data)));
    await ws.send('through the global');
    expect(await echoed).toBe('through the global');
  });

  it('echoes typed messages and counts real bytes', async () => {
    const echo = await server();
    const ws = client<{ text: string }>();
    await ws.connect(echo.url);
    expect(ws.state.status).toBe('connected');
    expect(ws.state.url).toBe(echo.url);
    const received = new Promise((resolve) => ws.subscribe((message) => resolve(message)));
    await ws.send({ text: 'héllo' });
    const message = (await received) as { data: unknown; raw: unknown; timestamp: number };
    expect(message.data).toEqual({ text: 'héllo' });
    expect(message.raw).toBe('{"text":"héllo"}');
    const bytes = Buffer.byteLength('{"text":"héllo"}');
    expect(ws.stats).toMatchObject({ messagesSent: 1, messagesReceived: 1, bytesSent: bytes, bytesReceived: bytes });
  });

  it('negotiates subprotocols and reports them in the state and the connected event', async () => {
    let chosen = '';
    const echo = await server((_socket, protocol) => {
      chosen = protocol;
    });
    const ws = client();
    const connected = nextEvent(ws, 'connected');
    await ws.connect(echo.url, ['chat', 'v1']);
    expect(chosen).toBe('chat');
    expect(ws.state.protocols).toEqual(['chat', 'v1']);
    expect((await connected).protocols).toEqual(['chat', 'v1']);
  });

  it('sends the close code and reason given to disconnect()', async () => {
    const closes: [number, string][] = [];
    const echo = await server((socket) => socket.on('close', (code, reason) => closes.push([code, reason.toString()])));
    const ws = client();
    await ws.connect(echo.url);
    const disconnected = nextEvent(ws, 'disconnected');
    await ws.disconnect(4001, 'User logged out');
    expect(await disconnected).toMatchObject({ code: 4001, reason: 'User logged out', wasClean: true });
    await expect.poll(() => closes).toEqual([[4001, 'User logged out']]);
    expect(ws.state.status).toBe('disconnected');
  });

  it('reconnects when the server drops and comes back on the same port', async () => {
    const echo = await server();
    const ws = client({ reconnect: { initialDelay: 20, jitter: false, maxAttempts: 50, maxDelay: 100 } });
    await ws.connect(echo.url);
    const events = recordEvents(ws);
    await echo.stop();
    await nextEvent(ws, 'reconnecting');
    await nextEvent(ws, 'error'); // at least one attempt is refused while the server is down
    await echo.restart();
    const reconnected = await nextEvent(ws, 'reconnected');
    expect(reconnected.attempts).toBeGreaterThanOrEqual(2);
    expect(ws.state.status).toBe('connected');
    expect(ws.stats.reconnects).toBe(1);
    const types = events.map((event) => event.type);
    expect(types[0]).toBe('disconnected');
    expect(types.slice(-2)).toEqual(['connected', 'reconnected']);
    expect(events[0]).toMatchObject({ type: 'disconnected', wasClean: false });
    // The connection works again.
    const echoed = new Promise((resolve) => ws.subscribe((m) => resolve(m.data)));
    await ws.send('again');
    expect(await echoed).toBe('again');
  });

  it('ends failed with a MAX_RECONNECTS error when the server stays away', async () => {
    const echo = await server();
    const ws = client({ reconnect: { initialDelay: 5, maxDelay: 10, jitter: false, maxAttempts: 3 } });
    await ws.connect(echo.url);
    const events = recordEvents(ws);
    await echo.stop();
    const gaveUp = await new Promise<WebSocketError>((resolve) =>
      ws.subscribeToEvents((event) => {
        if (event.type === 'error' && event.error.code === 'MAX_RECONNECTS') resolve(event.error);
      }),
    );
    expect(gaveUp.recoverable).toBe(false);
    expect(ws.state.status).toBe('failed');
    expect(events.filter((e) => e.type === 'reconnecting').map((e) => e.type === 'reconnecting' && e.attempt)).toEqual([1, 2, 3]);
    expect(events.filter((e) => e.type === 'error' && e.error.code === 'CONNECTION_FAILED')).toHaveLength(3);
  });

  it('times out with CONNECTION_TIMEOUT when the server never answers the upgrade', async () => {
    const silent = await startSilentServer();
    cleanup.push(() => silent.stop());
    const ws = client({ connectionTimeout: 150 });
    const error = await ws.connect(silent.url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebSocketError);
    expect(error).toMatchObject({ code: 'CONNECTION_TIMEOUT', recoverable: true });
    expect(ws.state.status).toBe('disconnected');
  });

  it('fails with CONNECTION_FAILED when nothing listens', async () => {
    const port = await freePort();
    const ws = client();
    const events = recordEvents(ws);
    const error = await ws.connect(`ws://127.0.0.1:${port}`).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CONNECTION_FAILED', recoverable: true });
    expect(events.map((e) => e.type)).toEqual(['error', 'disconnected']);
    expect(ws.state.lastError).toBe(error);
  });

  it('reconnects after markDead() as after a network drop', async () => {
    const echo = await server();
    const ws = client({ reconnect: { initialDelay: 10, jitter: false } });
    await ws.connect(echo.url);
    const disconnected = nextEvent(ws, 'disconnected');
    const reconnected = nextEvent(ws, 'reconnected');
    ws.markDead('Heartbeat timeout');
    expect(await disconnected).toMatchObject({ reason: 'Heartbeat timeout', wasClean: false });
    expect(await reconnected).toMatchObject({ attempts: 1, totalDelay: 10 });
  });

  it('answers its own heartbeat pings through a real server', async () => {
    const echo = await server((socket) =>
      socket.on('message', (data) => {
        if ((data as Buffer).toString('utf8') === '"PING"') socket.send('"PONG"');
        else socket.send(data);
      }),
    );
    const ws = client({ heartbeat: { interval: 20, timeout: 1000 } });
    const seen: unknown[] = [];
    ws.subscribe((message) => seen.push(message.data));
    await ws.connect(echo.url);
    await expect.poll(() => ws.stats.messagesReceived, { timeout: 2000 }).toBeGreaterThanOrEqual(3);
    expect(seen).toEqual([]); // pongs are consumed by the heartbeat
    expect(ws.state.status).toBe('connected');
  });

  it('sends and receives binary frames through a binary serializer', async () => {
    const echo = await server();
    const bytes = {
      serialize: (message: unknown) => new Uint8Array(message as number[]).buffer,
      deserialize: <T>(data: string | ArrayBuffer | Blob) => [...new Uint8Array(data as ArrayBuffer)] as T,
    };
    const ws = client<number[]>({ serializer: bytes });
    await ws.connect(echo.url);
    const received = new Promise<{ data: number[]; raw: unknown }>((resolve) => ws.subscribe(resolve));
    await ws.send([1, 2, 255]);
    const message = await received;
    expect(message.data).toEqual([1, 2, 255]);
    expect(message.raw).toBeInstanceOf(ArrayBuffer);
    expect(ws.stats.bytesReceived).toBe(3);
  });

  it('gets a fresh URL from the provider before every attempt', async () => {
    const seen: string[] = [];
    const echo = await server((socket) => socket.on('message', () => undefined));
    echo.wss.on('connection', (_socket, request) => seen.push(request.url ?? ''));
    let token = 0;
    const ws = client({ reconnect: { initialDelay: 10, jitter: false } });
    await ws.connect(() => Promise.resolve(`${echo.url}/?token=${++token}`));
    const reconnected = nextEvent(ws, 'reconnected');
    for (const socket of echo.sockets) socket.terminate();
    await reconnected;
    expect(seen).toEqual(['/?token=1', '/?token=2']);
    expect(ws.state.url).toBe(`${echo.url}/?token=2`);
  });
});
