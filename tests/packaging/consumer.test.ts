/**
 * The downstream-consumer gate: a project outside the workspace (tests/consumer) installs the
 * packed tarballs of ws-types and ws-testing, with vitest and ws from the npm registry, and its
 * suites pass under Vitest and under `node --test`, using the mock client from the main entry
 * and the loopback server from `/server`.
 *
 * Needs the packages built (`pnpm test` builds them first) and the npm registry (or npm's cache).
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');

/** Tests each suite of the fixture holds: both suites hold the same three. */
const EXPECTED_TESTS = 3;

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
  for (const name of ['ws-types', 'ws-testing']) {
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

it('passes its Vitest suite', async () => {
  await check('npx', ['vitest', 'run', '--reporter=json', '--outputFile=vitest-report.json'], project);
  const report = JSON.parse(readFileSync(join(project, 'vitest-report.json'), 'utf8')) as {
    success: boolean;
    numPassedTests: number;
    numTotalTests: number;
  };
  expect(report).toMatchObject({ success: true, numPassedTests: EXPECTED_TESTS, numTotalTests: EXPECTED_TESTS });
});

it('passes its node --test suite', async () => {
  const { stdout } = await check(process.execPath, ['--test', '--test-reporter=tap'], project);
  expect(stdout).toMatch(new RegExp(`^# tests ${EXPECTED_TESTS}$`, 'm'));
  expect(stdout).toMatch(new RegExp(`^# pass ${EXPECTED_TESTS}$`, 'm'));
  expect(stdout).toMatch(/^# fail 0$/m);
});
