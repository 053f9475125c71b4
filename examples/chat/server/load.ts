// `pnpm --filter @composable-svelte/example-chat load`: a bounded load run, not part of the
// tests. It starts its own redis-server and chat nodes (child processes of the built server),
// connects LOAD_CLIENTS WebSocket clients (from this one process) spread over the nodes, in
// rooms of LOAD_ROOM_SIZE, and runs two phases in which every client writes LOAD_MESSAGES
// messages: paced (one every LOAD_INTERVAL ms, starts spread over the interval: latency at a
// load the setup can carry) and burst (all at once: throughput at saturation, and latency under
// it). It measures the messages delivered to clients per second and the delivery latency (write
// to receipt, one clock: every client is in this process), for: one process in memory, one node
// over Redis, two nodes over Redis.
// The results go into LOAD.md (between its result markers) and to the console; with
// LOAD_DRY=1 to the console only (a trial run).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import type { ServerFrame } from './protocol.js';
import { findRedisServer, INSTALL_REDIS, startRedis, type RedisProcess } from './redis-process.js';

function setting(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) {
    console.error(`${name}=${raw} is not a whole number above 0.`);
    process.exit(2);
  }
  return value;
}

const CLIENTS = setting('LOAD_CLIENTS', 1000);
const ROOM_SIZE = setting('LOAD_ROOM_SIZE', 20);
const MESSAGES = setting('LOAD_MESSAGES', 10);
const INTERVAL = setting('LOAD_INTERVAL', 1000);
/** Time allowed for the deliveries after the last write, in ms. */
const DRAIN_TIMEOUT = 60_000;

const main = fileURLToPath(new URL('./main.js', import.meta.url));
const loadFile = fileURLToPath(new URL('../LOAD.md', import.meta.url));

interface Node {
  url: string;
  child: ChildProcess;
}

async function startNode(env: Record<string, string>): Promise<Node> {
  const child = spawn(process.execPath, [main], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env, PORT: '0' } });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const found = /running at (http:\/\/\S+\/)/.exec(output);
      if (found) resolve(found[1]!);
    });
    child.once('exit', (code) => reject(new Error(`A chat node exited (${code}) before it listened`)));
  });
  return { url: `${url.replace(/^http/, 'ws')}ws`, child };
}

function stopNode(node: Node): Promise<void> {
  return new Promise((resolve) => {
    if (node.child.exitCode !== null || node.child.signalCode !== null) {
      resolve();
      return;
    }
    node.child.once('exit', () => resolve());
    node.child.kill('SIGTERM');
  });
}

interface Result {
  setup: string;
  phase: 'paced' | 'burst';
  nodes: number;
  written: number;
  delivered: number;
  expected: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
  load: number;
}

const percentile = (sorted: Float64Array, p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

async function measure(setup: string, nodes: Node[]): Promise<Result[]> {
  const rooms = Math.ceil(CLIENTS / ROOM_SIZE);
  const sockets: WebSocket[] = [];
  const latencies = new Float64Array(CLIENTS * MESSAGES * ROOM_SIZE);
  let delivered = 0;
  let lastDelivery: number;
  let joined = 0;
  // Connect and join, a few at a time.
  const connect = (at: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const socket = new WebSocket(`${nodes[at % nodes.length]!.url}?name=u${at}`);
      sockets[at] = socket;
      socket.once('error', reject);
      socket.on('message', (data) => {
        const frame = JSON.parse((data as Buffer).toString('utf8')) as ServerFrame;
        if (frame.type === 'message') {
          const now = performance.now();
          if (delivered < latencies.length) latencies[delivered] = now - Number(frame.text);
          delivered++;
          lastDelivery = now;
        } else if (frame.type === 'history') {
          joined++;
          resolve();
        }
      });
      socket.once('open', () => socket.send(JSON.stringify({ type: 'join', channel: `room:load-${at % rooms}` })));
    });
  for (let at = 0; at < CLIENTS; at += 50) await Promise.all(Array.from({ length: Math.min(50, CLIENTS - at) }, (_, k) => connect(at + k)));
  if (joined !== CLIENTS) throw new Error(`Only ${joined} of ${CLIENTS} clients joined`);
  const members = Array.from({ length: rooms }, (_, room) => Math.floor(CLIENTS / rooms) + (room < CLIENTS % rooms ? 1 : 0));
  const expected = Array.from({ length: CLIENTS }, (_, at) => members[at % rooms]!).reduce((sum, size) => sum + size, 0) * MESSAGES;

  const results: Result[] = [];
  for (const phase of ['paced', 'burst'] as const) {
    // Let the bursts of the joins (presence, room lists) or of the previous phase pass.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const load = loadavg()[0]!;
    delivered = 0;
    lastDelivery = 0;
    const interval = phase === 'paced' ? INTERVAL : 0;
    const start = performance.now();
    let written = 0;
    await Promise.all(
      sockets.map(
        (socket, at) =>
          new Promise<void>((resolve) => {
            let sent = 0;
            const write = (): void => {
              socket.send(JSON.stringify({ type: 'say', id: `${phase}${++sent}`, channel: `room:load-${at % rooms}`, text: String(performance.now()) }));
              written++;
              if (sent >= MESSAGES) resolve();
              else if (interval > 0) setTimeout(write, interval);
              else write();
            };
            if (interval > 0) setTimeout(write, (at / CLIENTS) * interval);
            else write();
          }),
      ),
    );
    const deadline = performance.now() + DRAIN_TIMEOUT;
    while (delivered < expected && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    const seconds = ((delivered >= expected ? lastDelivery : performance.now()) - start) / 1000;
    const sorted = latencies.slice(0, Math.min(delivered, latencies.length)).sort();
    const result: Result = {
      setup,
      phase,
      nodes: nodes.length,
      written,
      delivered,
      expected,
      seconds,
      perSecond: delivered / seconds,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      max: sorted.at(-1) ?? NaN,
      load,
    };
    console.log(
      `${setup}, ${phase}: ${delivered}/${expected} delivered in ${seconds.toFixed(2)} s = ${Math.round(result.perSecond)}/s, ` +
        `latency p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms, max ${result.max.toFixed(1)} ms (load average before: ${load.toFixed(2)})`,
    );
    results.push(result);
  }
  for (const socket of sockets) socket.terminate();
  return results;
}

function machine(): string {
  let nproc = String(cpus().length);
  try {
    nproc = execFileSync('nproc').toString().trim();
  } catch {
    // os.cpus() is the fallback
  }
  const [one, five, fifteen] = loadavg();
  return [
    `- \`nproc\`: ${nproc}; CPU: ${cpus()[0]?.model ?? 'unknown'}`,
    `- load average when the run started: ${one!.toFixed(2)}, ${five!.toFixed(2)}, ${fifteen!.toFixed(2)} (1, 5, 15 min)`,
    `- Node ${process.version}; ${findRedisServer() ?? 'redis-server'}: ${execFileSync(findRedisServer()!, ['--version']).toString().trim().split(' ').slice(0, 3).join(' ')}`,
    `- run on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
  ].join('\n');
}

if (findRedisServer() === null) {
  console.error(`The load run needs redis-server, and it was not found. ${INSTALL_REDIS}`);
  process.exit(1);
}
if (!existsSync(main)) {
  console.error(`${main} is missing: run pnpm run build:server first.`);
  process.exit(1);
}

const machineText = machine();
console.log(
  `${CLIENTS} clients in rooms of ${ROOM_SIZE}, ${MESSAGES} messages each per phase, paced at one every ${INTERVAL} ms, then in a burst\n${machineText}`,
);
const results: Result[] = [];
const rate = { CHAT_RATE_LIMIT: '100,200' };
let redis: RedisProcess | undefined;
try {
  {
    const node = await startNode(rate);
    results.push(...(await measure('one process, in memory', [node])));
    await stopNode(node);
  }
  for (const count of [1, 2]) {
    redis = await startRedis();
    const nodes = await Promise.all(Array.from({ length: count }, () => startNode({ ...rate, REDIS_URL: redis!.url })));
    results.push(...(await measure(count === 1 ? 'one node over Redis' : 'two nodes over Redis', nodes)));
    await Promise.all(nodes.map(stopNode));
    await redis.stop();
    redis = undefined;
  }
} finally {
  await redis?.stop();
}

const table = [
  '| setup | phase | written | delivered / expected | time (s) | delivered / s | p50 (ms) | p99 (ms) | max (ms) | load avg before |',
  '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...results.map(
    (r) =>
      `| ${r.setup} | ${r.phase} | ${r.written} | ${r.delivered} / ${r.expected} | ${r.seconds.toFixed(2)} | ${Math.round(r.perSecond)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.max.toFixed(1)} | ${r.load.toFixed(2)} |`,
  ),
].join('\n');
const block = [
  '<!-- results:start (written by server/load.ts) -->',
  `${CLIENTS} clients in rooms of ${ROOM_SIZE}; per phase ${MESSAGES} messages from each client, each delivered to every member of its room (the sender included). Paced: one message every ${INTERVAL} ms per client; burst: all at once.`,
  '',
  machineText,
  '',
  table,
  '<!-- results:end -->',
].join('\n');
if (process.env.LOAD_DRY) console.log(`\n${table}\n\n(LOAD_DRY: LOAD.md left as it was)`);
else if (existsSync(loadFile)) {
  const text = readFileSync(loadFile, 'utf8');
  const replaced = text.replace(/<!-- results:start[\s\S]*?<!-- results:end -->/, block);
  writeFileSync(loadFile, replaced === text && !text.includes('<!-- results:start') ? `${text}\n${block}\n` : replaced);
  console.log(`\n${table}\n\nWritten to ${loadFile}`);
} else {
  writeFileSync(loadFile, `# Load\n\n${block}\n`);
  console.log(`\n${table}\n\nWritten to ${loadFile}`);
}
