/**
 * ws-core's integration tests (packages/ws-core/test/integration.test.ts: real `ws` servers on
 * 127.0.0.1) on Node 22 and 24, with the runtime's global `WebSocket` and no `ws` injected, as
 * users on those versions run the client. The workspace's vitest runs under each binary, on the
 * sources (no build needed), with `WS_CORE_TEST_WEBSOCKET=global`; its JSON report must show
 * every test of the file run and passed, none skipped, the global-only one included.
 *
 * The binaries: see node-runtimes.ts (skipped with a notice when missing, failing in CI).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { binaryOf, nestedEnv, nodeRuntimes, runsOn, warnIfMissing } from './node-runtimes.js';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
const testFile = 'packages/ws-core/test/integration.test.ts';

/** The test that only runs with the global `WebSocket`: it proves the client looked the global up. */
const GLOBAL_ONLY = "connects through the runtime's global WebSocket when none is injected";

/** Tests the file declares (`it(` and `it.runIf(...)(` at the start of a line): all must run. */
const declared = readFileSync(join(root, testFile), 'utf8').match(/^\s*it(?:\.runIf\([^)]*\))?\(/gm)?.length ?? 0;

interface Report {
  success: boolean;
  numTotalTests: number;
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  testResults: {
    name: string;
    status: string;
    message: string;
    assertionResults: { title: string; status: string; duration?: number; failureMessages: string[] }[];
  }[];
}

const work = mkdtempSync(join(tmpdir(), 'ws-core-runtimes-'));
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

warnIfMissing("ws-core's integration tests with the global WebSocket");

it('counts the tests of the integration file', () => {
  expect(declared, `no test found in ${testFile}`).toBeGreaterThan(1);
  expect(readFileSync(join(root, testFile), 'utf8')).toContain(GLOBAL_ONLY);
});

describe.each(nodeRuntimes.filter(runsOn).map((runtime) => [runtime.major, runtime] as const))('on Node %i', (major, runtime) => {
  it(`passes every test of ${testFile} with the global WebSocket, no ws injected`, async () => {
    const bin = binaryOf(runtime);
    const output = join(work, `node${major}.json`);
    const args = [join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--project', 'ws-core', testFile, '--reporter=json', `--outputFile=${output}`];
    const result = await run(bin, args, { cwd: root, env: nestedEnv({ WS_CORE_TEST_WEBSOCKET: 'global' }), maxBuffer: 16 * 1024 * 1024 }).catch(
      (error: { stdout?: string; stderr?: string }) => error,
    );
    let report: Report;
    try {
      report = JSON.parse(readFileSync(output, 'utf8')) as Report;
    } catch {
      throw new Error(`vitest on Node ${runtime.version ?? major} wrote no report:\n${result.stdout ?? ''}${result.stderr ?? ''}`);
    }
    const tests = report.testResults.flatMap((file) => file.assertionResults);
    // The JSON report gives a timeout as a bare stack: the duration says what happened.
    const failed = tests
      .filter((test) => test.status !== 'passed')
      .map((test) => `${test.title}: ${test.status} after ${Math.round(test.duration ?? 0)} ms; ${test.failureMessages.join('\n').split('\n')[0] ?? ''}`);
    const loadErrors = report.testResults.filter((file) => file.status === 'failed' && file.assertionResults.length === 0).map((file) => file.message);
    expect(loadErrors, `Node ${runtime.version ?? major}: the file failed to load`).toEqual([]);
    expect(failed, `Node ${runtime.version ?? major}: tests that did not pass`).toEqual([]);
    expect(report).toMatchObject({ success: true, numFailedTests: 0, numPendingTests: 0, numTodoTests: 0, numTotalTests: declared, numPassedTests: declared });
    expect(tests.find((test) => test.title === GLOBAL_ONLY)?.status).toBe('passed');
  });
});
