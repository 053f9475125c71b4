/**
 * The downstream-consumer gate: a project outside the workspace (tests/consumer) installs the
 * packed tarballs of ws-types, ws-core and ws-testing, with vitest and ws from the npm registry,
 * and its suites pass under Vitest and under `node --test`, using the mock client from the main
 * entry, the loopback server from `/server`, and the live client with the runtime's own
 * `WebSocket` (nothing injected). They run on the workspace's Node and on Node 22 and 24 (what
 * users run; see node-runtimes.ts for the binaries): where there is no global `WebSocket`
 * (Node 20), that one test is skipped, and must be; elsewhere every test runs.
 *
 * Needs the packages built (`pnpm test` builds them first) and the npm registry (or npm's cache).
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binaryOf, nodeRuntimes, runsOn, warnIfMissing } from './node-runtimes.js';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');

/** Tests each suite of the fixture holds: both suites hold the same four. */
const EXPECTED_TESTS = 4;
/** Of those, the ones that need a global `WebSocket` (skipped on Node 20). */
const NEED_GLOBAL_WEBSOCKET = 1;

/** A version pinned in the workspace catalog, so the consumer runs what the workspace runs. */
function catalogVersion(name: string): string {
  const catalog = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8');
  const version = new RegExp(`^\\s+"?${name}"?:\\s*(\\S+)\\s*$`, 'm').exec(catalog)?.[1];
  if (version === undefined) throw new Error(`${name} is not in the catalog of pnpm-workspace.yaml`);
  return version;
}

/** The environment of the test runner, minus what would make the consumer's own runs think they are workers of this one. */
const env = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST') && key !== 'NODE_OPTIONS' && key !== 'TEST'),
);

/** Runs a command in the consumer project, failing with its output when it exits non-zero. */
async function check(command: string, args: string[], cwd: string): Promise<{ stdout: string; stderr: string }> {
  return run(command, args, { cwd, env, maxBuffer: 16 * 1024 * 1024 }).catch((error: { stdout?: string; stderr?: string }) => {
    throw new Error(`${command} ${args.join(' ')} failed:\n${error.stdout ?? ''}${error.stderr ?? ''}`);
  });
}

let work: string;
let project: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'ws-consumer-'));
  const tarballs: string[] = [];
  for (const name of ['ws-types', 'ws-core', 'ws-testing']) {
    const dir = join(root, 'packages', name);
    expect(existsSync(join(dir, 'dist')), `${name} is not built`).toBe(true);
    const { stdout } = await run('pnpm', ['pack', '--pack-destination', work], { cwd: dir });
    const file = stdout.trim().split('\n').pop()!.trim();
    tarballs.push(file.startsWith('/') ? file : join(work, file));
  }
  project = join(work, 'consumer');
  cpSync(join(root, 'tests/consumer'), project, { recursive: true, filter: (path) => !path.includes('node_modules') });
  await check(
    'npm',
    [
      'install',
      '--save-dev',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      ...tarballs,
      `vitest@${catalogVersion('vitest')}`,
      `ws@${catalogVersion('ws')}`,
    ],
    project,
  );
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

warnIfMissing('the consumer fixture');

/** The runtimes the fixture runs on: this runner's Node, then Node 22 and 24. */
const runtimes = [
  { label: `this runner (Node ${process.versions.node})`, bin: (): string => process.execPath, globalWebSocket: typeof globalThis.WebSocket === 'function' },
  ...nodeRuntimes.filter(runsOn).map((runtime) => ({ label: `Node ${runtime.major}`, bin: () => binaryOf(runtime), globalWebSocket: true })),
];

describe.each(runtimes.map((runtime) => [runtime.label, runtime] as const))('on %s', (label, runtime) => {
  const skipped = runtime.globalWebSocket ? 0 : NEED_GLOBAL_WEBSOCKET;
  const passed = EXPECTED_TESTS - skipped;
  const tag = label.replace(/\W+/g, '-');

  it(`passes its Vitest suite (${passed} passed, ${skipped} skipped)`, async () => {
    const output = `vitest-report-${tag}.json`;
    await check(runtime.bin(), [join(project, 'node_modules/vitest/vitest.mjs'), 'run', '--reporter=json', `--outputFile=${output}`], project);
    const report = JSON.parse(readFileSync(join(project, output), 'utf8')) as {
      success: boolean;
      numPassedTests: number;
      numPendingTests: number;
      numTotalTests: number;
    };
    expect(report).toMatchObject({ success: true, numPassedTests: passed, numPendingTests: skipped, numTotalTests: EXPECTED_TESTS });
  });

  it(`passes its node --test suite (${passed} passed, ${skipped} skipped)`, async () => {
    const { stdout } = await check(runtime.bin(), ['--test', '--test-reporter=tap'], project);
    expect(stdout).toMatch(new RegExp(`^# tests ${EXPECTED_TESTS}$`, 'm'));
    expect(stdout).toMatch(new RegExp(`^# pass ${passed}$`, 'm'));
    expect(stdout).toMatch(new RegExp(`^# skipped ${skipped}$`, 'm'));
    expect(stdout).toMatch(/^# fail 0$/m);
  });
});
