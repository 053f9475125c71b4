import { createServer, type AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_REFUSE_STATUS, startTestServer, type TestServer, type TestServerOptions } from './test-server.js';

const cleanup: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function server(options?: TestServerOptions): Promise<TestServer> {
  const started = await startTestServer(options);
  cleanup.push(() => started.stop());
  return started;
}

/** A plain `ws` client, terminated after the test. */
function socket(url: string, protocols?: string[]): WebSocket {
  const client = new WebSocket(url, protocols);
  client.on('error', () => undefined);
  cleanup.push(() => {
    client.terminate();
  });
  return client;
}

async function open(url: string, protocols?: string[]): Promise<WebSocket> {
  const client = socket(url, protocols);
  await new Promise<void>((resolve, reject) => {
    client.once('open', () => resolve());
    client.once('error', reject);
  });
  return client;
}

/** The next frame a client receives: text as a string, binary as a Buffer. */
function nextFrame(client: WebSocket): Promise<string | Buffer> {
  return new Promise((resolve) => {
    client.once('message', (data: Buffer, isBinary) => resolve(isBinary ? data : data.toString('utf8')));
  });
}

function closeOf(client: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => {
    client.once('close', (code, reason) => resolve({ code, reason: reason.toString() }));
  });
}

/** Why the next connection attempt to `url` fails: the error `ws` reports. */
function failure(url: string): Promise<Error> {
  return new Promise((resolve, reject) => {
    const client = socket(url);
    client.once('open', () => reject(new Error('opened')));
    client.once('error', resolve);
  });
}

describe('startTestServer', () => {
  it('listens on 127.0.0.1 on a free port and echoes text as text and binary as binary', async () => {
    const echo = await server();
    expect(echo.url).toBe(`ws://127.0.0.1:${echo.port}`);
    expect(echo.port).toBeGreaterThan(0);
    const client = await open(echo.url);
    const text = nextFrame(client);
    client.send('héllo');
    expect(await text).toBe('héllo');
    const binary = nextFrame(client);
    client.send(Buffer.from([1, 2, 255]));
    expect(await binary).toEqual(Buffer.from([1, 2, 255]));
    expect(echo.received.map((frame) => frame.data)).toEqual(['héllo', Buffer.from([1, 2, 255])]);
    expect(echo.received[0]!.client).toBe([...echo.clients][0]);
  });

  it('listens on the port asked for', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const chosen = await server({ port });
    expect(chosen.port).toBe(port);
    expect(chosen.url).toBe(`ws://127.0.0.1:${port}`);
    await open(chosen.url);
  });

  it('rejects when the port asked for is taken', async () => {
    const first = await server();
    await expect(startTestServer({ port: first.port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });

  it('answers with the reply script: text stays text, arrays send several frames, undefined sends none', async () => {
    const scripted = await server({
      reply: (data) => {
        if (data === 'twice') return ['one', Buffer.from('two')];
        if (data === 'quiet') return undefined;
        return typeof data === 'string' ? data.toUpperCase() : Buffer.from([data.length]);
      },
    });
    const client = await open(scripted.url);
    const frames: (string | Buffer)[] = [];
    client.on('message', (data: Buffer, isBinary) => frames.push(isBinary ? data : data.toString('utf8')));
    client.send('quiet');
    client.send('twice');
    client.send('abc');
    client.send(Buffer.from([9, 9, 9, 9]));
    await expect.poll(() => frames.length).toBe(4);
    expect(frames).toEqual(['one', Buffer.from('two'), 'ABC', Buffer.from([4])]);
    expect(scripted.received.map((frame) => frame.data)).toEqual(['quiet', 'twice', 'abc', Buffer.from([9, 9, 9, 9])]);
  });

  it('gives the reply script the client that sent the frame', async () => {
    const seen: WebSocket[] = [];
    const scripted = await server({
      reply: (_data, client) => {
        seen.push(client);
        return 'ok';
      },
    });
    const connection = scripted.nextConnection();
    const client = await open(scripted.url);
    const answer = nextFrame(client);
    client.send('x');
    expect(await answer).toBe('ok');
    expect(seen).toEqual([await connection]);
  });

  it('picks the first subprotocol by default, and uses handleProtocols when given', async () => {
    const byDefault = await server();
    expect((await open(byDefault.url, ['chat', 'v1'])).protocol).toBe('chat');
    const picky = await server({ handleProtocols: (protocols) => (protocols.has('v1') ? 'v1' : false) });
    expect((await open(picky.url, ['chat', 'v1'])).protocol).toBe('v1');
  });

  it('calls onConnection with the server-side socket and the upgrade request', async () => {
    const calls: [WebSocket, string | undefined][] = [];
    const hooked = await server({ onConnection: (client, request) => calls.push([client, request.url]) });
    const connection = hooked.nextConnection();
    await open(`${hooked.url}/room?token=1`);
    expect(calls).toEqual([[await connection, '/room?token=1']]);
  });

  it('tracks open clients and forgets closed ones', async () => {
    const echo = await server();
    const first = await open(echo.url);
    await open(echo.url);
    await expect.poll(() => echo.clients.size).toBe(2);
    first.close();
    await expect.poll(() => echo.clients.size).toBe(1);
  });

  it('broadcasts to every client and says how many it reached', async () => {
    const echo = await server();
    const clients = [await open(echo.url), await open(echo.url)];
    await expect.poll(() => echo.clients.size).toBe(2);
    const frames = clients.map(nextFrame);
    expect(echo.broadcast('news')).toBe(2);
    expect(await Promise.all(frames)).toEqual(['news', 'news']);
    const binary = clients.map(nextFrame);
    expect(echo.broadcast(Buffer.from([7]))).toBe(2);
    expect(await Promise.all(binary)).toEqual([Buffer.from([7]), Buffer.from([7])]);
  });

  it('closes every client cleanly with the code and reason of closeAll', async () => {
    const echo = await server();
    const clients = [await open(echo.url), await open(echo.url)];
    await expect.poll(() => echo.clients.size).toBe(2);
    const closes = clients.map(closeOf);
    await echo.closeAll(4000, 'bye');
    expect(await Promise.all(closes)).toEqual([
      { code: 4000, reason: 'bye' },
      { code: 4000, reason: 'bye' },
    ]);
    expect(echo.clients.size).toBe(0);
  });

  it('closes with 1000 by default, and rejects a code a server may not send without closing anything', async () => {
    const echo = await server();
    const client = await open(echo.url);
    await expect.poll(() => echo.clients.size).toBe(1);
    await expect(echo.closeAll(1006)).rejects.toThrow();
    expect(client.readyState).toBe(WebSocket.OPEN);
    const closed = closeOf(client);
    await echo.closeAll();
    expect(await closed).toEqual({ code: 1000, reason: '' });
  });

  it('drops every client without a close frame on terminateAll: code 1006', async () => {
    const echo = await server();
    const client = await open(echo.url);
    await expect.poll(() => echo.clients.size).toBe(1);
    const closed = closeOf(client);
    await echo.terminateAll();
    expect((await closed).code).toBe(1006);
    expect(echo.clients.size).toBe(0);
  });

  it('answers upgrades with an HTTP status while refusing, and accepts again after acceptUpgrades', async () => {
    const echo = await server();
    const kept = await open(echo.url);
    echo.refuseUpgrades();
    expect((await failure(echo.url)).message).toBe(`Unexpected server response: ${DEFAULT_REFUSE_STATUS}`);
    echo.refuseUpgrades(401);
    expect((await failure(echo.url)).message).toBe('Unexpected server response: 401');
    expect(kept.readyState).toBe(WebSocket.OPEN);
    expect(() => echo.refuseUpgrades(101)).toThrow(RangeError);
    echo.acceptUpgrades();
    await open(echo.url);
  });

  it('answers plain HTTP requests with 426 Upgrade Required', async () => {
    const echo = await server();
    const response = await fetch(`http://127.0.0.1:${echo.port}/`);
    expect(response.status).toBe(426);
    expect(response.headers.get('upgrade')).toBe('websocket');
  });

  it('resolves nextConnection and nextMessage with what happens after the call', async () => {
    const echo = await server();
    const connections = [echo.nextConnection(), echo.nextConnection()];
    const client = await open(echo.url);
    const [first, second] = await Promise.all(connections);
    expect(first).toBe(second);
    expect(echo.clients.has(first!)).toBe(true);
    const message = echo.nextMessage();
    client.send('one');
    expect(await message).toEqual({ data: 'one', client: first });
    const next = echo.nextMessage();
    client.send(Buffer.from([1]));
    expect((await next).data).toEqual(Buffer.from([1]));
  });

  it('records errors of server-side sockets instead of crashing', async () => {
    const echo = await server();
    const client = await open(echo.url);
    await expect.poll(() => echo.clients.size).toBe(1);
    // A text frame that is not UTF-8: the server fails the connection with 1007.
    const closed = closeOf(client);
    client.send(Buffer.from([0xff, 0xfe]), { binary: false });
    expect((await closed).code).toBe(1007);
    expect(echo.errors).toHaveLength(1);
    expect(echo.errors[0]!.message).toMatch(/UTF-8/);
    expect(echo.received).toEqual([]);
  });

  it('stops: drops clients, stops listening, and a second stop resolves', async () => {
    const echo = await server();
    const client = await open(echo.url);
    const closed = closeOf(client);
    await echo.stop();
    expect((await closed).code).toBe(1006);
    expect((await failure(echo.url)).message).toMatch(/ECONNREFUSED/);
    await echo.stop();
  });

  it('restarts on the same port with the same behaviour and the same records', async () => {
    const scripted = await server({ reply: (data) => `re:${String(data)}` });
    const before = await open(scripted.url);
    const first = nextFrame(before);
    before.send('a');
    expect(await first).toBe('re:a');
    await scripted.stop();
    const reconnection = scripted.nextConnection();
    await scripted.restart();
    const after = await open(scripted.url);
    await reconnection;
    const second = nextFrame(after);
    after.send('b');
    expect(await second).toBe('re:b');
    expect(scripted.received.map((frame) => frame.data)).toEqual(['a', 'b']);
  });

  it('restart stops a running server first, dropping its clients', async () => {
    const echo = await server();
    const client = await open(echo.url);
    const closed = closeOf(client);
    await echo.restart();
    expect((await closed).code).toBe(1006);
    await open(echo.url);
  });

  it('keeps refusing upgrades across restart until acceptUpgrades', async () => {
    const echo = await server();
    echo.refuseUpgrades(503);
    await echo.restart();
    expect((await failure(echo.url)).message).toBe('Unexpected server response: 503');
    echo.acceptUpgrades();
    await open(echo.url);
  });
});
