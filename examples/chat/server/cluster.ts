// `pnpm chat:cluster`: a redis-server of its own and two chat nodes over it, on 127.0.0.1.
// Prints both URLs; Ctrl+C stops everything it started.
//
// Environment: CHAT_PORTS="8787,8788" to choose the nodes' ports (default: two free ones),
// REDIS_SERVER to point at a redis-server that is not on PATH.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { findRedisServer, freePort, INSTALL_REDIS, startRedis, type RedisProcess } from './redis-process.js';

const NODE_NAMES = ['a', 'b'] as const;

async function ports(): Promise<number[]> {
  const given = process.env.CHAT_PORTS;
  if (!given) return [await freePort(), await freePort()];
  const list = given.split(',').map(Number);
  if (list.length !== NODE_NAMES.length || !list.every((port) => Number.isInteger(port) && port > 0 && port < 65_536)) {
    console.error(`CHAT_PORTS=${given}: expected two ports, as "8787,8788".`);
    process.exit(2);
  }
  return list;
}

if (findRedisServer() === null) {
  console.error(`pnpm chat:cluster needs redis-server, and it was not found. ${INSTALL_REDIS}`);
  process.exit(1);
}

const main = fileURLToPath(new URL('./main.js', import.meta.url));
let redis: RedisProcess | undefined;
const nodes: { name: string; url: string; child: ChildProcess }[] = [];
let stopping = false;

async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  await Promise.all(
    nodes.map(
      ({ child }) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) {
            resolve();
            return;
          }
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 5000).unref();
        }),
    ),
  );
  await redis?.stop();
  process.exit(code);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop(0));

try {
  redis = await startRedis();
} catch (error) {
  console.error(`redis-server did not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

const chosen = await ports();
const urls = chosen.map((port) => `http://127.0.0.1:${port}/`);
for (const [at, name] of NODE_NAMES.entries()) {
  const child = spawn(process.execPath, [main], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, PORT: String(chosen[at]), REDIS_URL: redis.url, CHAT_NODES: urls.join(','), CHAT_NODE_ID: name },
  });
  nodes.push({ name, url: urls[at]!, child });
  child.on('exit', (code, signal) => {
    if (!stopping) console.log(`Node ${name} (pid ${child.pid}) stopped (${signal ?? `exit ${code}`}); the other one serves its clients.`);
  });
}
// Each node says it runs (or why not) on its first line.
const started = await Promise.all(
  nodes.map(
    ({ child }) =>
      new Promise<boolean>((resolve) => {
        let output = '';
        child.stdout?.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('running at')) resolve(true);
        });
        child.once('exit', () => resolve(false));
      }),
  ),
);
if (!started.every(Boolean)) {
  console.error('A chat node did not start (see above). Is `pnpm --filter @composable-svelte/example-chat build` done?');
  await stop(1);
}

console.log(`Redis (its own, in memory, ${redis.dir}) at ${redis.url}`);
for (const { name, url, child } of nodes) console.log(`Chat node ${name}: ${url} (pid ${child.pid})`);
console.log(
  'Open a tab on each node and chat. Kill a node (kill -9 PID) to watch its tabs move to the other one ' +
    'and catch up on what they missed. Ctrl+C stops the nodes and Redis.',
);
