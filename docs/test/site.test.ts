// The built site (docs/dist, from `pnpm docs:build`): served by a tiny static server on
// 127.0.0.1, port 0, and visited in headless Chromium: the home page, a package page, an API
// page, and the live demo reacting to clicks. Screenshots go to test/artifacts/ (ignored by git).
// Without a Chromium the browser part is skipped with a notice, unless CI is set: then it fails.
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const dist = resolve(import.meta.dirname, '../dist');
const artifacts = join(import.meta.dirname, 'artifacts');

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(chromiumPath);
const required = Boolean(process.env.CI);
if (!hasChromium) {
  console.warn(
    `[docs site] the Chromium smoke test ${required ? 'FAILS (CI is set)' : 'is SKIPPED'}: no Chromium at ${chromiumPath}. ` +
      'Install one (Debian: apt-get install -y chromium) or set CHROMIUM_PATH.',
  );
}
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain',
  '.xml': 'application/xml',
  '.wasm': 'application/wasm',
};

/** Serves `root` as a static site: `/path/` is `/path/index.html`; anything missing gets 404.html. */
function serve(root: string): Server {
  return createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    let file = normalize(join(root, path));
    if (!file.startsWith(root + sep) && file !== root) {
      response.writeHead(403).end();
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    const found = existsSync(file);
    const body = readFileSync(found ? file : join(root, '404.html'));
    response.writeHead(found ? 200 : 404, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    response.end(body);
  });
}

function htmlFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.html'));
}

describe('the built site', () => {
  it('exists: run `pnpm docs:build` first', () => {
    expect(existsSync(join(dist, 'index.html')), `no ${join(dist, 'index.html')}: run \`pnpm docs:build\``).toBe(true);
    expect(existsSync(join(dist, 'api/composable-svelte/ws-core/functions/createlivewebsocket/index.html'))).toBe(true);
    expect(existsSync(join(dist, 'demo/index.html'))).toBe(true);
  });

  it('links nowhere outside the repository (no absolute http(s) URLs in any page)', () => {
    const files = htmlFiles(dist);
    expect(files.length).toBeGreaterThan(50);
    const external = files.flatMap((file) =>
      [...readFileSync(join(dist, file), 'utf8').matchAll(/\b(?:href|src)="((?:https?:)?\/\/[^"]*)"/g)].map((match) => `${file}: ${match[1]}`),
    );
    expect(external).toEqual([]);
  });

  it('has no sample set-up lines left in its pages', () => {
    const leaked = htmlFiles(dist).filter((file) => readFileSync(join(dist, file), 'utf8').includes('---cut'));
    expect(leaked).toEqual([]);
  });
});

describe.skipIf(!hasChromium && !required)('the built site in Chromium', () => {
  let server: Server | undefined;
  let base = '';
  let context: BrowserContext | undefined;
  let profile = '';
  const errors: string[] = [];

  beforeAll(async () => {
    if (!hasChromium) throw new Error(`CI is set and there is no Chromium at ${chromiumPath}: install it or set CHROMIUM_PATH`);
    if (!existsSync(join(dist, 'index.html'))) throw new Error(`no built site in ${dist}: run \`pnpm docs:build\``);
    mkdirSync(artifacts, { recursive: true });
    server = serve(dist);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    profile = mkdtempSync(join(tmpdir(), 'docs-chromium-'));
    context = await chromium.launchPersistentContext(profile, { executablePath: chromiumPath, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 900 } });
  });

  afterAll(async () => {
    await context?.close();
    if (server) {
      server.closeAllConnections();
      server.close();
    }
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  async function open(path: string): Promise<Page> {
    const page = await context!.newPage();
    page.on('pageerror', (error) => errors.push(`${path}: ${error.message}`));
    const response = await page.goto(`${base}${path}`);
    expect(response?.status(), path).toBe(200);
    return page;
  }

  const shoot = (page: Page, name: string): Promise<Buffer> => page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });

  it('home page', async () => {
    const page = await open('/');
    await expect(page.locator('h1').first().textContent()).resolves.toContain('Composable Svelte WebSocket toolkit');
    await expect(page.getByRole('link', { name: 'Get started' }).getAttribute('href')).resolves.toBe('/getting-started/node/');
    await expect(page.getByText('Node.js >= 20').count()).resolves.toBeGreaterThan(0);
    await shoot(page, '01-home');
    await page.close();
  });

  it('a package page', async () => {
    const page = await open('/packages/ws-core/');
    await expect(page.locator('h1').first().textContent()).resolves.toBe('@composable-svelte/ws-core');
    await expect(page.getByRole('heading', { name: 'Options' }).count()).resolves.toBe(1);
    // The options table, with its defaults.
    await expect(page.locator('table').filter({ hasText: 'reconnect.maxAttempts' }).count()).resolves.toBeGreaterThan(0);
    await shoot(page, '02-package-ws-core');
    await page.close();
  });

  it('an API page, generated from the TSDoc', async () => {
    const page = await open('/api/composable-svelte/ws-core/functions/createlivewebsocket/');
    await expect(page.locator('h1').first().textContent()).resolves.toBe('createLiveWebSocket');
    await expect(page.locator('main').textContent()).resolves.toContain('LiveWebSocketConfig');
    await shoot(page, '03-api-createlivewebsocket');
    await page.close();
  });

  it('the comparison shows the figures of bench/RESULTS.md and its charts', async () => {
    const page = await open('/comparison/');
    const results = readFileSync(resolve(import.meta.dirname, '../../bench/RESULTS.md'), 'utf8');
    const date = /\| date \| ([^|]+) \|/.exec(results)?.[1]?.trim();
    expect(date).toBeDefined();
    await expect(page.locator('main').textContent()).resolves.toContain(date!);
    const charts = page.locator('main img[src$=".svg"]');
    expect(await charts.count()).toBeGreaterThan(3);
    // Every chart is served (most load lazily, so fetch them).
    for (const src of await charts.evaluateAll((images) => images.map((image) => image.getAttribute('src') ?? ''))) {
      const chart = await page.request.get(`${base}${src}`);
      expect(chart.status(), src).toBe(200);
      expect(await chart.text(), src).toContain('<svg');
    }
    await shoot(page, '04-comparison');
    await page.close();
  });

  it('the live demo reacts to a click', async () => {
    const page = await open('/demo/');
    const status = page.getByTestId('demo-status');
    await expect(status.getAttribute('data-status')).resolves.not.toBeNull();
    await page.locator('[data-testid="demo-status"][data-status="connected"]').waitFor({ timeout: 10_000 });
    await shoot(page, '05-demo-connected');

    // Drop: the client loses the connection and counts down to its next attempt.
    await page.getByRole('button', { name: 'Drop the connection' }).click();
    await page.getByTestId('demo-countdown').waitFor({ timeout: 5000 });
    await expect(status.getAttribute('data-status')).resolves.toBe('reconnecting');
    await shoot(page, '06-demo-reconnecting');
    await page.locator('[data-testid="demo-status"][data-status="connected"]').waitFor({ timeout: 10_000 });
    await expect(page.getByTestId('demo-log').textContent()).resolves.toMatch(/reconnected after 1 attempt/);

    // Server down: a message waits in the queue, and goes out once the server is back.
    await page.getByRole('button', { name: 'Take the server down' }).click();
    await page.locator('[data-testid="demo-status"][data-status="reconnecting"]').waitFor({ timeout: 5000 });
    await page.getByRole('button', { name: 'Send a message' }).click();
    await expect(page.getByTestId('demo-queue').locator('li').count()).resolves.toBe(1);
    await shoot(page, '07-demo-queued');
    await page.getByRole('button', { name: 'Bring the server back' }).click();
    await page.getByRole('button', { name: 'Retry now' }).click();
    await page.locator('[data-testid="demo-status"][data-status="connected"]').waitFor({ timeout: 10_000 });
    await expect.poll(() => page.getByTestId('demo-queue').locator('li').count(), { timeout: 5000 }).toBe(0);
    await expect.poll(() => page.locator('.demo').textContent(), { timeout: 5000 }).toContain('message 1');
    await shoot(page, '08-demo-delivered');
    await page.close();
  });

  it('raised no error in any page', () => {
    expect(errors).toEqual([]);
  });
});
