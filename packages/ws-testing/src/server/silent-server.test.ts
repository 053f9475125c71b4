import { WebSocket } from 'ws';
import { afterEach, expect, it } from 'vitest';
import { startSilentServer, type SilentServer } from './silent-server.js';

const cleanup: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function silent(): Promise<SilentServer> {
  const started = await startSilentServer();
  cleanup.push(() => started.stop());
  return started;
}

it('accepts TCP connections on 127.0.0.1 and never answers the upgrade', async () => {
  const server = await silent();
  expect(server.url).toBe(`ws://127.0.0.1:${server.port}`);
  const events: string[] = [];
  // ws's own handshake timeout ends the wait without a fixed sleep.
  const client = new WebSocket(server.url, { handshakeTimeout: 100 });
  for (const type of ['open', 'upgrade', 'unexpected-response', 'message'] as const) client.on(type, () => events.push(type));
  await expect.poll(() => server.connections).toBe(1);
  const error = await new Promise<Error>((resolve) => client.once('error', resolve));
  expect(error.message).toBe('Opening handshake has timed out');
  expect(events).toEqual([]);
  await expect.poll(() => server.connections).toBe(0);
});

it('stop destroys held connections, stops listening, and can be called twice', async () => {
  const server = await silent();
  const client = new WebSocket(server.url);
  const failed = new Promise<Error>((resolve) => client.once('error', resolve));
  const closed = new Promise<number>((resolve) => client.once('close', resolve));
  await expect.poll(() => server.connections).toBe(1);
  await server.stop();
  expect(server.connections).toBe(0);
  expect((await failed).message).toBe('socket hang up');
  expect(await closed).toBe(1006);
  const refused = new WebSocket(server.url);
  expect((await new Promise<Error>((resolve) => refused.once('error', resolve))).message).toMatch(/ECONNREFUSED/);
  await server.stop();
});
