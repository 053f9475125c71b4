// End to end, the page's lifecycle in Debian's Chromium: offline (no attempt while the network
// is gone, reconnected the moment it is back, the message written meanwhile delivered once),
// and a frozen page (closed with 4001, connected again as soon as it resumes).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createChatServer, type ChatServer } from '../server/chat-server.js';
import {
  artifacts,
  buildApp,
  CHROMIUM_ARGS,
  chromiumPath,
  hasChromium,
  indicator,
  messages,
  noChromium,
  record,
  required,
  shoot,
  signIn,
  warnIfNoChromium,
  write,
  type ServerRecord,
} from './harness.js';

warnIfNoChromium('The end-to-end test of the page lifecycle');

/** The most a reconnection may take once the network is back or the page resumes, in ms. */
const AT_ONCE = 1000;

/**
 * Starts Chromium with a DevTools endpoint, for a page that can be hidden. Playwright's own
 * launch keeps its pages visible (each in a window of its own, with focus emulation on), and a
 * visible page is never frozen: `Page.setWebLifecycleState({ state: 'frozen' })` answers `{}`
 * and no `freeze` event comes. Here the page shares the first window with a tab opened after
 * it, and `connectOverCDP(…, { noDefaults: true })` leaves focus emulation off.
 */
async function launchWithDevTools(profileDir: string): Promise<{ child: ChildProcess; endpoint: string }> {
  const child = spawn(chromiumPath, ['--headless', '--remote-debugging-port=0', `--user-data-dir=${profileDir}`, ...CHROMIUM_ARGS, 'about:blank'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`No DevTools endpoint from Chromium after 20 s:\n${output}`)), 20_000);
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const found = /DevTools listening on (ws:\/\/\S+)/.exec(output);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Chromium exited (${code}) before its DevTools endpoint:\n${output}`));
    });
  });
  // Chromium's later output is not needed; keep the pipe drained.
  child.stderr.resume();
  return { child, endpoint };
}

/**
 * Removes a Chromium profile. Chromium's network service may outlive the browser process for a
 * moment and write a last file meanwhile (`Default/.org.chromium.Chromium.Network Persistent
 * State.XXXXXX`), which `rmSync`'s own retries do not see: the whole removal is tried again.
 */
async function removeProfile(dir: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      rmSync(dir, { recursive: true, force: true });
      return;
    } catch (error) {
      if (attempt === 30) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

describe.skipIf(!hasChromium && !required)('chat in Chromium: the page lifecycle', () => {
  let staticDir = '';
  let server: ChatServer | undefined;
  let seen: ServerRecord;
  const pageErrors: string[] = [];
  /** What each test started, stopped after it. */
  const cleanups: (() => Promise<void> | void)[] = [];

  beforeAll(async () => {
    // Only in CI without a browser: the tests below fail, and say why.
    if (!hasChromium) return;
    mkdirSync(artifacts, { recursive: true });
    staticDir = await buildApp();
    server = await createChatServer({ port: 0, staticDir });
    seen = record(server);
  }, 120_000);

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    expect(pageErrors.splice(0)).toEqual([]);
  });

  afterAll(async () => {
    await server?.close();
    if (staticDir) rmSync(staticDir, { recursive: true, force: true });
  });

  /** Creates and opens room `name`: the page signed in and on the room list. */
  async function openRoom(page: Page, name: string): Promise<void> {
    const field = page.getByLabel('New room');
    await field.fill(name);
    await field.press('Enter');
    await page.getByRole('heading', { name }).waitFor();
  }

  it('offline: waits without an attempt, holds the message written meanwhile, reconnects within a second of the network, delivers it once', async () => {
    if (!hasChromium) throw noChromium();
    const browser: Browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: CHROMIUM_ARGS });
    cleanups.push(() => browser.close());
    // Two contexts: only Alice's goes offline.
    const aliceContext = await browser.newContext({ viewport: { width: 900, height: 600 } });
    const bobContext = await browser.newContext({ viewport: { width: 900, height: 600 } });
    for (const context of [aliceContext, bobContext]) context.setDefaultTimeout(10_000);
    const alice = await aliceContext.newPage();
    const bob = await bobContext.newPage();
    // Every WebSocket the page creates, even one the browser fails itself without a request.
    let aliceSockets = 0;
    alice.on('websocket', () => aliceSockets++);

    await signIn(alice, server!.url, 'Alice', pageErrors);
    await signIn(bob, server!.url, 'Bob', pageErrors);
    await openRoom(alice, 'offline-room');
    await bob.getByRole('button', { name: /offline-room\s+1 person/ }).click();
    await bob.getByRole('heading', { name: 'offline-room' }).waitFor();
    await alice.getByRole('heading', { name: 'Here now (2)' }).waitFor();

    // The server becomes unreachable and Alice's connection is lost: she counts down to her next
    // attempt. Then the network goes: the attempt is cancelled, and she waits for the network.
    // (In that order: Chromium's emulated offline keeps an open WebSocket open and stops
    // reading it, so a connection lost after going offline may never be noticed, as on a real
    // network; only a heartbeat would tell, 10 to 14 s later.)
    const [first] = seen.of('Alice');
    expect(seen.of('Alice')).toHaveLength(1);
    seen.unreachable = true;
    first!.socket.terminate();
    await alice.getByText(/Reconnecting (in \d+ s|now…)/).waitFor();
    await aliceContext.setOffline(true);
    expect(await alice.evaluate(() => navigator.onLine)).toBe(false);
    await indicator(alice, 'waiting').getByText('Offline, waiting for the network').waitFor();
    const upgrades = seen.upgrades.length;
    const created = aliceSockets;
    seen.unreachable = false;
    await indicator(bob, 'connected').waitFor();
    // Written offline: shown at once, pending, held by the queue.
    await write(alice, 'Written while offline');
    await messages(alice, 'Written while offline', 'pending').waitFor();
    await alice.getByText('Pending: sent when back online').waitFor();
    await shoot(alice, '10-alice-offline-waiting');

    // Longer than the first two reconnect delays (0.5 s and 1 s, with jitter): nothing is tried,
    // neither towards the server nor in the page (the browser would fail it without a request).
    await alice.waitForTimeout(1600);
    expect(seen.upgrades.length).toBe(upgrades);
    expect(aliceSockets).toBe(created);
    await indicator(alice, 'waiting').waitFor();
    expect(await alice.getByRole('button', { name: 'Retry now' }).count()).toBe(1);

    // Back online: one attempt, at once.
    const online = Date.now();
    await aliceContext.setOffline(false);
    await expect.poll(() => seen.of('Alice').length, { timeout: 3000, interval: 10 }).toBe(2);
    const delay = seen.of('Alice')[1]!.openedAt - online;
    console.info(`[chat e2e] back online → connected on the server in ${delay} ms`);
    expect(delay).toBeLessThanOrEqual(AT_ONCE);
    expect(seen.upgrades.length).toBe(upgrades + 1);
    await indicator(alice, 'connected').waitFor();
    // The page's report of its WebSocket reaches the test later than the server does.
    await expect.poll(() => aliceSockets, { timeout: 3000 }).toBe(created + 1);

    // Delivered once, to Bob and back to Alice (acknowledged).
    await messages(alice, 'Written while offline', 'delivered').waitFor();
    await messages(bob, 'Written while offline').waitFor();
    // Sent after the re-send: once Bob has it, everything before it has reached him.
    await write(alice, 'Back online');
    await messages(bob, 'Back online').waitFor();
    expect(await messages(bob, 'Written while offline').count()).toBe(1);
    expect(await messages(alice, 'Written while offline').count()).toBe(1);
    await shoot(alice, '11-alice-back-online');
  }, 60_000);

  it('frozen: closes with 4001, tries nothing while frozen, connects again within a second of the resume', async () => {
    if (!hasChromium) throw noChromium();
    const profileDir = mkdtempSync(join(tmpdir(), 'chat-e2e-lifecycle-'));
    cleanups.push(() => removeProfile(profileDir));
    const { child, endpoint } = await launchWithDevTools(profileDir);
    cleanups.push(async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill();
      await exited;
    });
    // `noDefaults`: no focus emulation, which would keep the page visible (and so not freezable).
    const browser = await chromium.connectOverCDP(endpoint, { noDefaults: true });
    cleanups.push(() => browser.close());
    const context = browser.contexts()[0]!;
    context.setDefaultTimeout(10_000);
    const carol = context.pages()[0] ?? (await context.waitForEvent('page'));
    await carol.setViewportSize({ width: 900, height: 600 });

    await signIn(carol, server!.url, 'Carol', pageErrors);
    await openRoom(carol, 'frozen-room');
    expect(seen.of('Carol')).toHaveLength(1);

    // Hidden: another tab in the same window comes to the front.
    const browserSession = await browser.newBrowserCDPSession();
    await browserSession.send('Target.createTarget', { url: 'about:blank', newWindow: false });
    await expect.poll(() => carol.evaluate(() => document.visibilityState), { timeout: 3000 }).toBe('hidden');

    // Frozen: the page closes its socket itself, with 4001, before it stops running.
    const lifecycle = await context.newCDPSession(carol);
    await lifecycle.send('Page.setWebLifecycleState', { state: 'frozen' });
    const [first] = seen.of('Carol');
    await expect.poll(() => first!.close, { timeout: 3000, interval: 10 }).toMatchObject({ code: 4001, reason: 'Page frozen' });
    // Not a loss: nothing is scheduled (and a frozen page could not run it anyway).
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(seen.of('Carol')).toHaveLength(1);

    // Resumed: a new connection, at once.
    const resumed = Date.now();
    await lifecycle.send('Page.setWebLifecycleState', { state: 'active' });
    await expect.poll(() => seen.of('Carol').length, { timeout: 3000, interval: 10 }).toBe(2);
    const delay = seen.of('Carol')[1]!.openedAt - resumed;
    console.info(`[chat e2e] resumed → connected on the server in ${delay} ms`);
    expect(delay).toBeLessThanOrEqual(AT_ONCE);

    // In front again: connected, back in the room (the router re-joined), and chatting works.
    await carol.bringToFront();
    await indicator(carol, 'connected').waitFor();
    await expect.poll(() => server!.members('room:frozen-room'), { timeout: 3000 }).toEqual(['Carol']);
    await write(carol, 'After the freeze');
    await messages(carol, 'After the freeze', 'delivered').waitFor();
    await shoot(carol, '12-carol-resumed');
  }, 60_000);
});
