import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const bench = join(import.meta.dirname, '..');

/** The implementation rows of scenarios 1–3 and 6, as the tables label them. */
const IMPLEMENTATIONS = [
  'raw ws',
  'ws-core',
  'full stack (ws-core + heartbeat + router + queue)',
  'partysocket',
  'reconnecting-websocket',
  '@composable-svelte/core 0.5.2',
];
const SCENARIOS = ['1. Echo throughput', '2. Latency', '3. Fan-in', '4. Router dispatch', '5. Queue', '6. Reconnect', '7. Bundle size'];
/**
 * `0.97 (0.95–0.99)`: a ratio, median (min–max). It can dip below 0 where it compares an excess
 * over a nominal time (reconnect: a timer that fires a little early on a noisy machine).
 */
const RATIO = /-?\d+\.\d\d \(-?\d+\.\d\d–-?\d+\.\d\d\)/;

let stdout = '';
let stderr = '';
let code: number | null = 0;

/** The body of a scenario's section: from its heading to the next one. */
function section(title: string): string {
  const start = stdout.indexOf(`## ${title}\n`);
  if (start < 0) return '';
  const next = stdout.indexOf('\n## ', start + 1);
  return stdout.slice(start, next < 0 ? undefined : next);
}

/** The table row whose first cell is `label` (bold or not). */
function row(body: string, label: string): string | undefined {
  return body.split('\n').find((line) => line.startsWith(`| ${label} |`) || line.startsWith(`| **${label}** |`));
}

describe('the benchmark harness in quick mode', () => {
  beforeAll(async () => {
    // What `pnpm bench --quick` runs after the build (CI's `pnpm test` builds first).
    try {
      ({ stdout, stderr } = await promisify(execFile)(process.execPath, ['--expose-gc', 'src/run.js', '--quick'], {
        cwd: bench,
        timeout: 170_000,
        maxBuffer: 16 * 1024 * 1024,
      }));
    } catch (error) {
      const failure = error as { code?: number; stdout?: string; stderr?: string };
      code = failure.code ?? 1;
      stdout = failure.stdout ?? '';
      stderr = failure.stderr ?? String(error);
    }
  });

  it('exits 0', () => {
    expect(code, stderr).toBe(0);
  });

  it.each(SCENARIOS)('prints the table of %s', (title) => {
    const body = section(title);
    expect(body, `no section "## ${title}" in:\n${stdout}\n${stderr}`).not.toBe('');
    expect(body).not.toContain('FAILED');
    expect(body).toMatch(/\| --- \|/);
  });

  it.each(['1. Echo throughput', '2. Latency', '3. Fan-in', '6. Reconnect'])('gives a ratio to raw ws for every implementation in %s', (title) => {
    const body = section(title);
    for (const label of IMPLEMENTATIONS) {
      const line = row(body, label);
      expect(line, `no row "${label}" in ${title}`).toBeDefined();
      expect(line).toMatch(RATIO);
    }
    expect(row(body, 'raw ws')).toContain('1.00 (1.00–1.00)');
  });

  it('gives the router ratio to 1 channel for 1, 100 and 10,000 channels', () => {
    const body = section('4. Router dispatch');
    for (const channels of ['1', '100', '10,000']) expect(row(body, channels)).toMatch(RATIO);
  });

  it('gives the growth of ws-queue and of the naive queue', () => {
    const body = section('5. Queue');
    expect(row(body, 'ws-queue')).toMatch(RATIO);
    expect(row(body, 'naive Array.shift queue (reference)')).toMatch(RATIO);
  });

  it('gives the min+gzip size of our packages and of every peer, with a ratio to phoenix', () => {
    const body = section('7. Bundle size');
    for (const label of ['ws-core', 'ws-core without ws-types', 'ws-core + heartbeat + router + queue', 'partysocket/ws', 'reconnecting-websocket', 'phoenix (whole client)']) {
      expect(row(body, label), `no row "${label}"`).toMatch(/\d[\d,]* B \(\d+\.\d\d kB\) \| \d+\.\d\d \|$/);
    }
  });

  it('writes the results as JSON, every scenario without error', () => {
    const results = JSON.parse(readFileSync(join(bench, 'results/quick.json'), 'utf8')) as {
      meta: { quick: boolean; cpu: string; node: string };
      scenarios: { id: number; error?: string }[];
    };
    expect(results.meta.quick).toBe(true);
    expect(results.meta.node).toBe(process.version);
    expect(results.scenarios.map((s) => s.id)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(results.scenarios.filter((s) => s.error)).toEqual([]);
  });
});
