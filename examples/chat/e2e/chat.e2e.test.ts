// End to end, in Debian's Chromium driven by playwright-core: a room name is refused by the
// server and a room is created (a request and its reply), two people chat, the server goes
// away and comes back on the same port, and a message written meanwhile arrives exactly once.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatServer, type ChatServer } from '../server/chat-server.js';
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
  signIn as harnessSignIn,
  warnIfNoChromium,
  write,
} from './harness.js';

warnIfNoChromium('The end-to-end test of chatting');

describe.skipIf(!hasChromium && !required)('chat in Chromium', () => {
  let staticDir = '';
  let profileDir = '';
  let server: ChatServer | undefined;
  let context: BrowserContext | undefined;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    // Only in CI without a browser: the test below fails, and says why.
    if (!hasChromium) return;
    mkdirSync(artifacts, { recursive: true });
    profileDir = mkdtempSync(join(tmpdir(), 'chat-e2e-profile-'));
    // The app is built once, into a folder of its own (the `dist` of `pnpm chat` is left alone).
    staticDir = await buildApp();
    server = await createChatServer({ port: 0, staticDir });
    context = await launchBrowser(profileDir);
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await server?.close();
    for (const dir of [staticDir, profileDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const signIn = (page: Page, name: string): Promise<void> => harnessSignIn(page, server!.url, name, pageErrors);

  it('a refused room name shows the server\'s message, a created room is joined, two people chat, the server restarts, and a message written offline is delivered exactly once', async () => {
    if (!hasChromium) throw noChromium();
    const alice = context!.pages()[0] ?? (await context!.newPage());
    const bob = await context!.newPage();
    // Bob is on a phone-width screen.
    await bob.setViewportSize({ width: 360, height: 740 });

    await signIn(alice, 'Alice');
    await signIn(bob, 'Bob');
    await shoot(bob, '01-bob-room-list');

    // Alice asks for a room the server refuses: its message is shown at the field, not as a notice.
    const newRoom = alice.getByLabel('New room');
    await newRoom.fill('Bad Name!');
    await newRoom.press('Enter');
    const refusal = alice.locator('#new-room-error');
    await refusal.getByText('A room name is 1 to 32 of a-z, 0-9 and -').waitFor();
    expect(await newRoom.getAttribute('aria-invalid')).toBe('true');
    expect(await alice.locator('.notice').count()).toBe(0);
    await shoot(alice, '01-alice-room-refused');

    // Alice creates a room (the server answers `created`, and she joins it); Bob sees it in his list and joins it.
    await newRoom.fill('e2e-room');
    await newRoom.press('Enter');
    await alice.getByRole('heading', { name: 'e2e-room' }).waitFor();
    await bob.getByRole('button', { name: /e2e-room\s+1 person/ }).click();
    await bob.getByRole('heading', { name: 'e2e-room' }).waitFor();

    // Presence: each sees both.
    for (const page of [alice, bob]) {
      await page.getByRole('heading', { name: 'Here now (2)' }).waitFor();
      for (const name of ['Alice', 'Bob']) await page.getByRole('list', { name: /Here now/ }).getByText(name, { exact: true }).waitFor();
    }

    // Messages both ways; Shift+Enter makes a new line, Enter sends.
    await write(alice, 'Hello from Alice');
    await messages(bob, 'Hello from Alice').waitFor();
    await messages(alice, 'Hello from Alice', 'delivered').waitFor();
    const composer = bob.getByLabel(/^Message to/);
    await composer.pressSequentially('Hi Alice,');
    await composer.press('Shift+Enter');
    await composer.pressSequentially('two lines from Bob');
    await composer.press('Enter');
    await messages(alice, 'two lines from Bob').waitFor();
    expect(await messages(alice, 'two lines from Bob').locator('.text').innerText()).toBe('Hi Alice,\ntwo lines from Bob');
    await shoot(alice, '02-alice-chatting');
    await shoot(bob, '02-bob-chatting');

    // The server goes away: both pages say so and count down to the next attempt.
    const port = server!.port;
    await server!.close();
    server = undefined;
    await indicator(alice, 'reconnecting').waitFor();
    await indicator(bob, 'reconnecting').waitFor();
    await bob.getByText(/Reconnecting (in \d+ s|now…)/).waitFor();

    // Written while offline: shown at once, pending.
    await write(alice, 'Sent while offline');
    await messages(alice, 'Sent while offline', 'pending').waitFor();
    await alice.getByText('Pending: sent when back online').waitFor();
    await shoot(alice, '03-alice-offline-pending');
    await shoot(bob, '03-bob-reconnecting');

    // Back on the same port: the clients reconnect by themselves, rejoin the room, and the
    // queue re-sends the message, which is delivered once and acknowledged.
    server = await createChatServer({ port, staticDir });
    await indicator(alice, 'connected').waitFor();
    await indicator(bob, 'connected').waitFor();
    await messages(alice, 'Sent while offline', 'delivered').waitFor();
    await messages(bob, 'Sent while offline').waitFor();
    // Both are in the restarted server's room again.
    await expect.poll(() => server!.members('room:e2e-room'), { timeout: 20_000 }).toEqual(['Alice', 'Bob']);
    // Something sent after the rejoin is seen by Bob after the resent message, so everything
    // of the outage has reached him by then.
    await write(alice, 'After the restart');
    await messages(bob, 'After the restart').waitFor();

    expect(await messages(bob, 'Sent while offline').count()).toBe(1);
    expect(await messages(alice, 'Sent while offline').count()).toBe(1);
    expect(await messages(bob, 'Hello from Alice').count()).toBe(1);
    await shoot(alice, '04-alice-delivered');
    await shoot(bob, '04-bob-received-once');

    expect(pageErrors).toEqual([]);
  }, 90_000);
});
