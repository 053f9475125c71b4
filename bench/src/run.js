// Entry point: `node --expose-gc src/run.js [--quick] [--only 1,3] [--rounds N]`.
//
// Runs every scenario (servers in a child process), prints one Markdown table per scenario to
// stdout (progress goes to stderr), writes results/latest.json and results/latest.md (or
// quick.json and quick.md with --quick), and after a full run of every scenario also writes
// RESULTS.md and charts/*.svg. Exits non-zero if any scenario failed.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BASELINE, implementations } from './clients.js';
import { alternate } from './harness.js';
import { startServers } from './servers.js';
import { renderResults, writeReport } from './report.js';
import * as throughput from './scenarios/1-throughput.js';
import * as latency from './scenarios/2-latency.js';
import * as fanIn from './scenarios/3-fan-in.js';
import * as router from './scenarios/4-router.js';
import * as queue from './scenarios/5-queue.js';
import * as reconnect from './scenarios/6-reconnect.js';
import * as bundleSize from './scenarios/7-bundle-size.js';

/**
 * @typedef {object} Context
 * @property {boolean} quick
 * @property {number} rounds
 * @property {import('./servers.js').Servers} servers
 * @property {import('./clients.js').Implementation[]} impls
 * @property {<R>(ids: string[], measure: (id: string, round: number) => Promise<R>, options?: { warmup?: (id: string) => Promise<unknown>, rounds?: number }) => Promise<Record<string, R[]>>} alternate
 * runs `measure` for every id over `ctx.rounds` rounds (or `options.rounds`), alternating the order
 * @property {(line: string) => void} log
 */

/**
 * @typedef {object} ScenarioResult
 * @property {number} id
 * @property {string} key
 * @property {string} title
 * @property {string} [method]
 * @property {string[]} [tables]
 * @property {import('./charts.js').ChartSpec[]} [charts]
 * @property {any} [data]
 * @property {string} [error]
 * @property {number} seconds
 * @property {number | null} otherLoad cores busy with other processes meanwhile
 */

const SCENARIOS = [throughput, latency, fanIn, router, queue, reconnect, bundleSize];
const benchDir = fileURLToPath(new URL('../', import.meta.url));
const rootDir = fileURLToPath(new URL('../../', import.meta.url));

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    rounds: { type: 'string' },
  },
});
const quick = !!args.quick;
const rounds = args.rounds ? Number(args.rounds) : 5;
const only = args.only ? new Set(args.only.split(',').map(Number)) : null;
const log = (/** @type {string} */ line) => process.stderr.write(`${line}\n`);

if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a positive integer, got ${args.rounds}`);
if (typeof globalThis.gc !== 'function') {
  throw new Error('Run with node --expose-gc (pnpm bench does): the fan-in scenario measures the heap after full collections.');
}
for (const name of ['ws-types', 'ws-core', 'ws-heartbeat', 'ws-router', 'ws-queue', 'ws-effects']) {
  if (!existsSync(`${rootDir}packages/${name}/dist/index.js`)) {
    throw new Error(`packages/${name}/dist is missing: run \`pnpm build\` first (\`pnpm bench\` does).`);
  }
}

/** Busy and total CPU time of the whole machine, in seconds (Linux; null elsewhere). */
function machineCpu() {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
    const hz = 100;
    const total = fields.slice(0, 8).reduce((a, b) => a + b, 0) / hz;
    const idle = ((fields[3] ?? 0) + (fields[4] ?? 0)) / hz;
    return { busy: total - idle };
  } catch {
    return null;
  }
}

/**
 * CPU time of this process's finished child processes (the fan-in scenario's heap probes), in
 * seconds: `cutime` + `cstime` of /proc/self/stat (Linux; 0 elsewhere).
 */
function childrenCpu() {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // The fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
    return ((fields[13] ?? 0) + (fields[14] ?? 0)) / 100;
  } catch {
    return 0;
  }
}

/** @param {NodeJS.CpuUsage} usage */
const seconds = (usage) => (usage.user + usage.system) / 1e6;

function versionOf(/** @type {string} */ name) {
  try {
    return JSON.parse(readFileSync(`${benchDir}node_modules/${name}/package.json`, 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

function gitRevision() {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: rootDir, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'packages'], { cwd: rootDir, encoding: 'utf8' }).trim() !== '';
    return `${head}${dirty ? ' (packages/ modified)' : ''}`;
  } catch {
    return 'unknown';
  }
}

const started = new Date();
const startLoad = os.loadavg();
const servers = await startServers();
/** @type {Context} */
const ctx = {
  quick,
  rounds,
  servers,
  impls: implementations,
  alternate: (ids, measure, options = {}) => alternate(ids, options.rounds ?? rounds, measure, { ...options, log: (line) => log(`  ${line}`) }),
  log,
};

/** @type {ScenarioResult[]} */
const scenarios = [];
let failed = 0;
const runStart = performance.now();
try {
  for (const scenario of SCENARIOS) {
    if (only && !only.has(scenario.id)) continue;
    log(`${scenario.id}. ${scenario.title}${quick ? ' (quick)' : ''}…`);
    const t0 = performance.now();
    const machine0 = machineCpu();
    const mine0 = process.cpuUsage();
    const children0 = childrenCpu();
    const server0 = await servers.cpu();
    /** @type {ScenarioResult} */
    let result;
    try {
      result = { ...(await scenario.run(ctx)), seconds: 0, otherLoad: null };
    } catch (error) {
      failed++;
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      log(`  FAILED: ${message}`);
      result = { id: scenario.id, key: scenario.key, title: scenario.title, error: message, seconds: 0, otherLoad: null };
    }
    const wall = (performance.now() - t0) / 1000;
    const machine1 = machineCpu();
    const server1 = await servers.cpu();
    const ours = seconds(process.cpuUsage(mine0)) + childrenCpu() - children0 + seconds(server1) - seconds(server0);
    result.seconds = wall;
    // Cores kept busy by anything but this run (the other engineer's tests, say) meanwhile.
    result.otherLoad =
      machine0 && machine1 && !('spawnsProcesses' in scenario) ? Math.max(0, (machine1.busy - machine0.busy - ours) / wall) : null;
    scenarios.push(result);
    const heading = `## ${result.id}. ${result.title}`;
    const body = result.error ? `FAILED: ${result.error.split('\n')[0]}` : (result.tables ?? []).join('\n\n');
    process.stdout.write(`\n${heading}\n\n${body}\n`);
    log(`  ${wall.toFixed(1)} s${result.otherLoad === null ? '' : `, other load ${result.otherLoad.toFixed(2)} cores`}`);
  }
} finally {
  await servers.close();
}

const cpus = os.cpus();
const results = {
  meta: {
    date: started.toISOString(),
    quick,
    rounds,
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    git: gitRevision(),
    baseline: BASELINE,
    versions: Object.fromEntries(['ws', 'partysocket', 'reconnecting-websocket', '@composable-svelte/core', 'phoenix', 'esbuild'].map((name) => [name, versionOf(name)])),
    loadavg: { start: startLoad, end: os.loadavg() },
    seconds: (performance.now() - runStart) / 1000,
  },
  scenarios,
};

const resultsDir = `${benchDir}results/`;
mkdirSync(resultsDir, { recursive: true });
const name = quick ? 'quick' : only ? 'partial' : 'latest';
writeFileSync(`${resultsDir}${name}.json`, `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(`${resultsDir}${name}.md`, renderResults(results, { chartsDir: null }));
const stamp = started.toISOString().replace(/[:.]/g, '-');
if (!quick) writeFileSync(`${resultsDir}${stamp}.json`, `${JSON.stringify(results, null, 2)}\n`);
log(`\nwrote results/${name}.json and results/${name}.md`);

// The committed report and charts come from full runs of every scenario only.
if (!quick && !only && failed === 0) {
  writeReport(results);
  log('wrote RESULTS.md and charts/*.svg');
}
log(`done in ${results.meta.seconds.toFixed(0)} s${failed ? `, ${failed} scenario(s) FAILED` : ''}`);
process.exitCode = failed ? 1 : 0;
