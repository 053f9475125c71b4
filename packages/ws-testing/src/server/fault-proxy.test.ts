import { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import { startTestServer, type TestServer, type TestServerOptions } from './test-server.js';

const cleanup: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function server(options?: TestServerOptions): Promise<TestServer> {
  const started = await startTestServer(options);
  cleanup.push(() => started.stop());
  return started;
}

async function proxy(target: string | number): Promise<FaultProxy> {
  const started = await startFaultProxy({ target });
  cleanup.push(() => started.stop());
  return started;
}

/** A plain `ws` client that records what it receives, terminated after the test. */
function socket(url: string): WebSocket & { frames: string[] } {
  const client = Object.assign(new WebSocket(url), { frames: [] as string[] });
  client.on('error', () => undefined);
  client.on('message', (data: Buffer) => client.frames.push(data.toString('utf8')));
  cleanup.push(() => {
    client.terminate();
  });
  return client;
}

async function open(url: string): Promise<WebSocket & { frames: string[] }> {
  const client = socket(url);
  await new Promise<void>((resolve, reject) => {
    client.once('open', () => resolve());
    client.once('error', reject);
  });
  return client;
}

/**
 * Lets the event loop go round a few times: enough for the proxy to read what the kernel
 * already delivered on loopback (a FIN, a reset), when there is nothing to wait on because the
 * point is that nothing happens.
 */
async function turns(count = 5): Promise<void> {
  for (let i = 0; i < count; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

function closeOf(client: WebSocket): Promise<number> {
  return new Promise((resolve) => client.once('close', (code) => resolve(code)));
}

function errorOf(client: WebSocket): Promise<Error> {
  return new Promise((resolve) => client.once('error', resolve));
}

describe('startFaultProxy', () => {
  it('forwards both ways on 127.0.0.1 and keeps the path of the target URL', async () => {
    const echo = await server();
    const faults = await proxy(`${echo.url}/room?id=1`);
    expect(faults.url).toBe(`ws://127.0.0.1:${faults.port}/room?id=1`);
    expect(faults.port).not.toBe(echo.port);
    const request = echo.nextConnection();
    const client = await open(faults.url);
    await request;
    expect(faults.connections).toBe(1);
    client.send('hello');
    await expect.poll(() => client.frames).toEqual(['hello']);
    expect(echo.broadcast('from the server')).toBe(1);
    await expect.poll(() => client.frames).toEqual(['hello', 'from the server']);
  });

  it('takes a port as target, and rejects a target that is neither a port nor a ws:// URL', async () => {
    const echo = await server();
    const byPort = await proxy(echo.port);
    expect(byPort.url).toBe(`ws://127.0.0.1:${byPort.port}`);
    await open(byPort.url);
    await expect(startFaultProxy({ target: 'wss://127.0.0.1:1' })).rejects.toThrow(TypeError);
    await expect(startFaultProxy({ target: 70_000 })).rejects.toThrow(RangeError);
  });

  it('passes clean closes through both ways', async () => {
    const echo = await server();
    const faults = await proxy(echo.url);
    const client = await open(faults.url);
    const closed = closeOf(client);
    await echo.closeAll(4001, 'bye');
    expect(await closed).toBe(4001);
    await expect.poll(() => faults.connections).toBe(0);
    const again = await open(faults.url);
    await expect.poll(() => echo.clients.size).toBe(1);
    again.close(4002);
    await expect.poll(() => echo.clients.size).toBe(0);
    await expect.poll(() => faults.connections).toBe(0);
  });

  it('drop destroys both sides abruptly: 1006 for the client, gone from the server', async () => {
    const echo = await server();
    const faults = await proxy(echo.url);
    const client = await open(faults.url);
    await expect.poll(() => echo.clients.size).toBe(1);
    const closed = closeOf(client);
    faults.drop();
    expect(faults.connections).toBe(0);
    expect(await closed).toBe(1006);
    await expect.poll(() => echo.clients.size).toBe(0);
    await open(faults.url); // new connections are proxied as before
  });

  it('destroys the client side when the target refuses the TCP connection', async () => {
    const echo = await server();
    const faults = await proxy(echo.url);
    await echo.stop();
    const client = socket(faults.url);
    expect((await errorOf(client)).message).toBe('socket hang up');
    await expect.poll(() => faults.connections).toBe(0);
  });

  it('blackhole: nothing gets through either way and the connection stays open', async () => {
    const echo = await server({ reply: () => undefined });
    const faults = await proxy(echo.url);
    const client = await open(faults.url);
    await expect.poll(() => echo.clients.size).toBe(1);
    faults.blackhole();
    client.send('lost on the way up');
    await expect.poll(() => faults.discarded).toBe(2 + 4 + 'lost on the way up'.length); // masked frame
    echo.broadcast('lost on the way down');
    await expect.poll(() => faults.discarded).toBe(24 + 2 + 'lost on the way down'.length);
    expect(echo.received).toEqual([]);
    expect(client.frames).toEqual([]);
    expect(client.readyState).toBe(WebSocket.OPEN);
    expect(faults.connections).toBe(1);
  });

  it('blackhole hides a close: the other side stays open until restore destroys it', async () => {
    const echo = await server();
    const faults = await proxy(echo.url);
    const client = await open(faults.url);
    await expect.poll(() => echo.clients.size).toBe(1);
    faults.blackhole();
    const closed = closeOf(client);
    await echo.terminateAll(); // the server side is gone, and the client cannot know
    await turns();
    expect(echo.clients.size).toBe(0);
    expect(client.readyState).toBe(WebSocket.OPEN);
    expect(faults.connections).toBe(1);
    faults.restore();
    expect(await closed).toBe(1006);
    await expect.poll(() => faults.connections).toBe(0);
  });

  it('blackholes new connections too: they never open, and restore destroys them', async () => {
    const echo = await server();
    const faults = await proxy(echo.url);
    faults.blackhole();
    const client = socket(faults.url);
    const events: string[] = [];
    client.on('open', () => events.push('open'));
    await expect.poll(() => faults.discarded).toBeGreaterThan(0); // the upgrade request was eaten
    expect(faults.connections).toBe(1);
    expect(echo.clients.size).toBe(0);
    const failed = errorOf(client);
    faults.restore();
    expect((await failed).message).toBe('socket hang up');
    expect(events).toEqual([]);
    await open(faults.url);
  });

  it('restore forwards again and never delivers the bytes of the blackhole late', async () => {
    const echo = await server();
    const faults = await proxy(echo.url);
    const client = await open(faults.url);
    faults.blackhole();
    client.send('lost');
    await expect.poll(() => faults.discarded).toBeGreaterThan(0);
    faults.restore();
    client.send('after');
    await expect.poll(() => client.frames).toEqual(['after']);
    expect(echo.received.map((frame) => frame.data)).toEqual(['after']);
    expect(faults.connections).toBe(1);
  });

  it('delay holds every chunk, in order, and delay(0) lets newer chunks wait behind held ones', async () => {
    const echo = await server();
    const faults = await proxy(echo.url);
    const client = await open(faults.url);
    faults.delay(300);
    client.send('one');
    client.send('two');
    await expect.poll(() => faults.pending, { interval: 5 }).toBeGreaterThan(0);
    // Held on the way up: the server cannot have echoed anything yet.
    expect(echo.received).toEqual([]);
    expect(client.frames).toEqual([]);
    faults.delay(0);
    client.send('three');
    await expect.poll(() => client.frames, { timeout: 3000 }).toEqual(['one', 'two', 'three']);
    expect(echo.received.map((frame) => frame.data)).toEqual(['one', 'two', 'three']);
    expect(faults.pending).toBe(0);
    expect(() => faults.delay(-1)).toThrow(RangeError);
    expect(() => faults.delay(Number.NaN)).toThrow(RangeError);
  });

  it('blackhole discards the bytes delay was holding', async () => {
    const echo = await server();
    const faults = await proxy(echo.url);
    const client = await open(faults.url);
    faults.delay(60_000);
    client.send('held');
    await expect.poll(() => faults.pending).toBe(1);
    faults.blackhole();
    expect(faults.pending).toBe(0);
    expect(faults.discarded).toBeGreaterThan(0);
    faults.delay(0);
    faults.restore();
    client.send('after');
    await expect.poll(() => client.frames).toEqual(['after']);
  });

  it('cut refuses new connections and drops the open ones; restoreListener listens again on the same port', async () => {
    const echo = await server();
    const faults = await proxy(echo.url);
    const client = await open(faults.url);
    const closed = closeOf(client);
    await faults.cut();
    expect(faults.listening).toBe(false);
    expect(await closed).toBe(1006);
    expect((await errorOf(socket(faults.url))).message).toMatch(/ECONNREFUSED/);
    await faults.restoreListener();
    await faults.restoreListener(); // already listening: nothing to do
    expect(faults.listening).toBe(true);
    const again = await open(faults.url);
    again.send('back');
    await expect.poll(() => again.frames).toEqual(['back']);
  });

  it('stop drops everything, clears held chunks and timers, and can be called twice', async () => {
    const echo = await server();
    const faults = await proxy(echo.url);
    const client = await open(faults.url);
    faults.delay(60_000);
    client.send('held');
    await expect.poll(() => faults.pending).toBe(1);
    const closed = closeOf(client);
    await faults.stop();
    expect(faults.pending).toBe(0);
    expect(faults.connections).toBe(0);
    expect(faults.listening).toBe(false);
    expect(await closed).toBe(1006);
    await faults.stop();
    expect(echo.received).toEqual([]);
  });
});
