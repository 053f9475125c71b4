// What the end-to-end tests share: where Chromium is, its flags, the skip/fail rule, the
// build of the app, and the server-side record of WebSocket handshakes and sockets.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import type { WebSocket } from 'ws';
import type { ChatServer } from '../server/chat-server.js';
import type { IndicatorStatus } from '../src/lib/indicator.js';

const root = join(import.meta.dirname, '..');

/** Where the screenshots go (ignored by git). */
export const artifacts = join(import.meta.dirname, 'artifacts');

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = existsSync(chromiumPath);
/** In CI a missing browser is a failure, not a skip. */
export const required = Boolean(process.env.CI);

/** Says, once per test file, that the file is skipped (or fails in CI) for want of a Chromium. */
export function warnIfNoChromium(what: string): void {
  if (hasChromium) return;
  console.warn(
    `[chat e2e] ${what} ${required ? 'FAILS (CI is set)' : 'is SKIPPED'}: no Chromium at ${chromiumPath}. ` +
      'Install one (Debian: apt-get install -y chromium) or set CHROMIUM_PATH.',
  );
}

/** The error a test throws in CI when there is no Chromium. */
export const noChromium = (): Error => new Error(`CI is set and there is no Chromium at ${chromiumPath}: install it or set CHROMIUM_PATH`);

/** Flags for a headless Chromium in a container: no sandbox, no GPU, no background traffic, no throttled timers. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Pages in the background keep their timers unthrottled.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

const run = promisify(execFile);

/** Builds the app into a new temporary folder (the `dist` of `pnpm chat` is left alone) and returns it. */
/** A headless Chromium on its own profile folder, as every e2e test drives it: 900×700, 20 s timeouts. */
export async function launchBrowser(profileDir: string): Promise<BrowserContext> {
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: chromiumPath,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 900, height: 700 },
  });
  context.setDefaultTimeout(20_000);
  return context;
}

export async function buildApp(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'chat-e2e-app-'));
  await run(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', dir, '--emptyOutDir', '--logLevel', 'warn'], {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'production' },
  });
  return dir;
}

/** The page's connection indicator in a given state. */
export const indicator = (page: Page, status: IndicatorStatus): Locator => page.locator(`[data-testid="connection"][data-status="${status}"]`);

/** The messages of the open room whose text contains `text`; `status` narrows to own messages in that state. */
export const messages = (page: Page, text: string, status?: 'pending' | 'delivered' | 'failed'): Locator =>
  page.locator(status ? `li[data-id][data-status="${status}"]` : 'li[data-id]', { hasText: text });

/** Types into the composer and sends with Enter. */
export async function write(page: Page, text: string): Promise<void> {
  const composer = page.getByLabel(/^Message to/);
  await composer.fill(text);
  await composer.press('Enter');
}

/** A WebSocket the server accepted, and how it ended. */
export interface ServerSocket {
  /** The `name` of its URL. */
  readonly name: string | null;
  readonly socket: WebSocket;
  /** When it was accepted (`Date.now()`). */
  readonly openedAt: number;
  /** Its close code and reason, once closed. */
  close: { code: number; reason: string; at: number } | null;
}

/** What reaches a chat server: every WebSocket handshake (refused ones included) and every socket accepted. */
export interface ServerRecord {
  /** The URL of each upgrade request, in order. */
  readonly upgrades: string[];
  readonly sockets: ServerSocket[];
  /** The sockets of user `name`, oldest first. */
  of(name: string): ServerSocket[];
  /** While `true`, every handshake is dropped (its TCP connection destroyed), as by a network that lost the server. */
  unreachable: boolean;
}

/** Starts recording what reaches `server`. */
export function record(server: ChatServer): ServerRecord {
  const upgrades: string[] = [];
  const sockets: ServerSocket[] = [];
  const seen: ServerRecord = { upgrades, sockets, of: (name) => sockets.filter((entry) => entry.name === name), unreachable: false };
  // Before the chat's own listener, which then finds the connection destroyed and lets it be.
  server.http.prependListener('upgrade', (request: { url?: string }, socket: { destroy(): void }) => {
    upgrades.push(request.url ?? '');
    if (seen.unreachable) socket.destroy();
  });
  server.wss.on('connection', (socket, request) => {
    const entry: ServerSocket = {
      name: new URL(request.url ?? '/', 'http://x').searchParams.get('name'),
      socket,
      openedAt: Date.now(),
      close: null,
    };
    sockets.push(entry);
    socket.on('close', (code, reason) => {
      entry.close = { code, reason: reason.toString(), at: Date.now() };
    });
  });
  return seen;
}

/** Saves a screenshot of `page` in the artifacts folder. */
export const shoot = (page: Page, name: string): Promise<Buffer> => page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });

/** Opens the app at `url` and signs in as `name` with the keyboard only; the page's errors go to `errors`. */
export async function signIn(page: Page, url: string, name: string, errors: string[]): Promise<void> {
  page.on('pageerror', (error) => errors.push(`${name}: ${error.message}`));
  await page.goto(url);
  const field = page.getByLabel('Your name');
  await field.fill(name);
  await field.press('Enter');
  await page.getByRole('heading', { name: 'Rooms' }).waitFor();
  await indicator(page, 'connected').waitFor();
}
