// The cluster end to end, in Chromium: a redis-server and two chat nodes (child processes of
// the built server). Alice's page comes from node A, Bob's from node B; they chat in a room
// Alice created. Node A is killed (SIGKILL): Alice's page says it is reconnecting, moves to
// node B by itself, and shows what Bob wrote meanwhile, once.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startRedis, type RedisProcess } from '../server/redis-process.js';
import { buildServer, startNode, type NodeProcess } from '../server/test-nodes.js';
import { hasRedis, noRedis, warnIfNoRedis } from '../server/test-peer.js';
import {
  artifacts,
  buildApp,
  hasChromium,
  launchBrowser,
  indicator,
  messages,
  noChromium,
  required,
  shoot,
  signIn,
  warnIfNoChromium,
  write,
} from './harness.js';

warnIfNoChromium('The end-to-end test of the cluster');
warnIfNoRedis('The end-to-end test of the cluster');

describe.skipIf((!hasChromium || !hasRedis) && !required)('the cluster in Chromium', () => {
  let staticDir = '';
  let profileDir = '';
  let redis: RedisProcess | undefined;
  const nodes: NodeProcess[] = [];
  let context: BrowserContext | undefined;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    // Only in CI without a browser or Redis: the test below fails, and says why.
    if (!hasChromium || !hasRedis) return;
    mkdirSync(artifacts, { recursive: true });
    profileDir = mkdtempSync(join(tmpdir(), 'chat-e2e-profile-'));
    let entry: string;
    [staticDir, entry, redis] = await Promise.all([buildApp(), buildServer(), startRedis()]);
    const ports = [await freePort(), await freePort()];
    const env = {
      REDIS_URL: redis.url,
      CHAT_NODES: ports.map((port) => `http://127.0.0.1:${port}/`).join(','),
      CHAT_STATIC_DIR: staticDir,
      CHAT_NODE_TTL: '1500',
    };
    nodes.push(...(await Promise.all(ports.map((port) => startNode(entry, env, port)))));
    context = await launchBrowser(profileDir);
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await Promise.all(nodes.map((node) => node.kill()));
    await redis?.stop();
    for (const dir of [staticDir, profileDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('two pages on different nodes chat; node A is killed; its page reconnects to node B and shows what it missed, once', async () => {
    if (!hasChromium) throw noChromium();
    if (!hasRedis) throw noRedis();
    const [a, b] = nodes as [NodeProcess, NodeProcess];
    const alice = context!.pages()[0] ?? (await context!.newPage());
    const bob: Page = await context!.newPage();
    // Alice's WebSockets, as Chromium saw them: each one's URL and the frames it sent.
    const sockets: { url: string; sent: unknown[] }[] = [];
    alice.on('websocket', (socket) => {
      const entry = { url: socket.url(), sent: [] as unknown[] };
      sockets.push(entry);
      socket.on('framesent', ({ payload }) => entry.sent.push(JSON.parse(String(payload))));
    });
    await signIn(alice, a.url, 'Alice', pageErrors);
    await signIn(bob, b.url, 'Bob', pageErrors);

    // Alice creates a room on A; it appears in Bob's list on B, with her in it.
    const newRoom = alice.getByLabel('New room');
    await newRoom.fill('cluster');
    await newRoom.press('Enter');
    await alice.getByRole('heading', { name: 'cluster' }).waitFor();
    await bob.getByRole('button', { name: /cluster\s+1 person/ }).click();
    await bob.getByRole('heading', { name: 'cluster' }).waitFor();
    for (const page of [alice, bob]) await page.getByRole('heading', { name: 'Here now (2)' }).waitFor();

    await write(alice, 'Hello from node A');
    await messages(bob, 'Hello from node A').waitFor();
    await write(bob, 'Hello from node B');
    await messages(alice, 'Hello from node B').waitFor();
    await shoot(alice, '20-alice-on-node-a');
    await shoot(bob, '20-bob-on-node-b');

    // Node A dies. Alice's page says it is reconnecting; Bob, on B, writes on.
    await a.kill('SIGKILL');
    await indicator(alice, 'reconnecting').waitFor();
    await shoot(alice, '21-alice-reconnecting');
    await write(bob, 'Written while A was down (1)');
    await write(bob, 'Written while A was down (2)');
    await messages(bob, 'Written while A was down (2)', 'delivered').waitFor();

    // Alice is back, on B (A is dead), and has what she missed: each message once, in order.
    await indicator(alice, 'connected').waitFor();
    await messages(alice, 'Written while A was down (2)').waitFor();
    await shoot(alice, '22-alice-back-on-node-b');
    for (const text of ['Hello from node A', 'Hello from node B', 'Written while A was down (1)', 'Written while A was down (2)']) {
      expect(await messages(alice, text).count()).toBe(1);
    }
    const texts = await alice.locator('li[data-id] .text').allInnerTexts();
    expect(texts).toEqual(['Hello from node A', 'Hello from node B', 'Written while A was down (1)', 'Written while A was down (2)']);
    // Her page moved to node B and re-joined with the last seq it had (2): B sent what came after.
    expect(sockets.map((socket) => socket.url.replace(/\?.*/, ''))).toEqual([`${a.url}ws`.replace('http', 'ws'), `${b.url}ws`.replace('http', 'ws')]);
    expect(sockets[1]!.sent).toContainEqual({ type: 'join', channel: 'room:cluster', after: 2 });
    // Nothing was beyond the log's reach: no gap notice.
    expect(await alice.locator('.notice').count()).toBe(0);

    // And the chat goes on, both ways.
    await write(alice, 'Back, through node B');
    await messages(bob, 'Back, through node B').waitFor();
    await messages(alice, 'Back, through node B', 'delivered').waitFor();
    for (const page of [alice, bob]) await page.getByRole('heading', { name: 'Here now (2)' }).waitFor();
    await shoot(bob, '23-bob-after-failover');

    expect(pageErrors).toEqual([]);
  }, 120_000);
});
