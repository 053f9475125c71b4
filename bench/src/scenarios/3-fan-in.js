// Scenario 3. Fan-in: C clients in this one process, each receiving a broadcast of M messages
// of about 128 bytes; total time from the broadcast request to the last message received. And
// JS heap bytes per connected client (after full collections, --expose-gc), read in a fresh
// process for each reading (heap-probe.js says why).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { BASELINE } from '../clients.js';
import { collectGarbage, compare, deferred, fmt, fmtRange, fmtRatio, sleep, table, waitFor } from '../harness.js';

export const id = 3;
export const key = 'fan-in';
export const title = 'Fan-in';

const BATCH = 50;
const PROBE = fileURLToPath(new URL('../heap-probe.js', import.meta.url));
const execute = promisify(execFile);

/**
 * Heap bytes per connected client of one implementation, over `clients` clients connected
 * by a process of its own (see heap-probe.js); waits until the server has let them all go.
 *
 * @param {string} implId
 * @param {import('../servers.js').Servers} servers
 * @param {number} clients
 * @returns {Promise<number>}
 */
async function heapPerClient(implId, servers, clients) {
  const { stdout } = await execute(process.execPath, ['--expose-gc', PROBE, implId, servers.broadcast, String(clients)], { timeout: 120_000 });
  await waitFor(async () => (await servers.request('clients')).broadcast === 0, 'the heap probe\'s clients gone at the server');
  return JSON.parse(stdout).heapPerClient;
}

/**
 * @param {import('../clients.js').Implementation} impl
 * @param {import('../servers.js').Servers} servers
 * @param {number} clients
 * @param {number} messages
 * @param {number} heapClients clients of the heap reading (none for a warm-up)
 */
async function fanIn(impl, servers, clients, messages, heapClients) {
  const expected = clients * messages;
  let received = 0;
  const done = deferred(120_000, `${impl.id}: ${expected} broadcast messages`);
  const onMessage = () => {
    if (++received === expected) done.resolve();
  };

  collectGarbage();
  /** @type {import('../clients.js').BenchClient[]} */
  const connected = [];
  for (let i = 0; i < clients; i += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, clients - i) }, () => impl.connect(servers.broadcast, onMessage, { channel: 'news' }));
    connected.push(...(await Promise.all(batch)));
  }
  await waitFor(async () => (await servers.request('clients')).broadcast === clients, `${clients} clients at the server`);

  const cpu = process.cpuUsage();
  const start = performance.now();
  const { clients: reached } = await servers.request('broadcast', { count: messages, size: 128 });
  if (reached !== clients) throw new Error(`broadcast reached ${reached} of ${clients} clients`);
  await done.promise;
  const ms = performance.now() - start;
  const { user, system } = process.cpuUsage(cpu);

  await Promise.all(connected.map((client) => client.close()));
  await waitFor(async () => (await servers.request('clients')).broadcast === 0, 'every client closed at the server');
  // Let the clients' own close events run before the next run.
  await sleep(10);
  return { ms, heapPerClient: heapClients ? await heapPerClient(impl.id, servers, heapClients) : NaN, cpuUsPerMsg: (user + system) / expected };
}

/** @param {import('../run.js').Context} ctx */
export async function run(ctx) {
  const clients = ctx.quick ? 20 : 1_000;
  const messages = ctx.quick ? 10 : 100;
  const ids = ctx.impls.map((impl) => impl.id);
  const byId = new Map(ctx.impls.map((impl) => [impl.id, impl]));
  const heapClients = ctx.quick ? 20 : 500;
  const measure = (/** @type {string} */ implId, /** @type {number} */ count, /** @type {number} */ heapOf) =>
    fanIn(/** @type {any} */ (byId.get(implId)), ctx.servers, count, messages, heapOf);
  const results = await ctx.alternate(ids, (implId) => measure(implId, clients, heapClients), { warmup: (implId) => measure(implId, ctx.quick ? 5 : 100, 0) });
  const time = compare(results, 'ms', BASELINE);
  const heap = compare(results, 'heapPerClient', BASELINE);
  const cpu = compare(results, 'cpuUsPerMsg', BASELINE);
  const rows = ctx.impls.map((impl) => {
    const t = /** @type {any} */ (time[impl.id]);
    const h = /** @type {any} */ (heap[impl.id]);
    const c = /** @type {any} */ (cpu[impl.id]);
    return [impl.label, fmtRange(t), fmtRatio(t.ratio), fmtRange(h), fmtRatio(h.ratio), fmtRange(c), fmtRatio(c.ratio)];
  });
  const labels = ctx.impls.map((impl) => impl.label);
  return {
    id,
    key,
    title,
    method: `${fmt(clients)} clients connected from this one process to the broadcast server, which sends each of them ${messages} messages of about 128 bytes (framed once, written in one go, so the server is not what is timed). Time from the broadcast request to the last message received; heap = \`process.memoryUsage().heapUsed\` after full collections with ${fmt(heapClients)} more clients connected, minus before, divided by them (it includes the benchmark's own handle per client, the same for all), read in a fresh process for each implementation and round, after a first ${fmt(BATCH * 2)} clients that compile the code they run: in one long-lived process the same clients read up to a third heavier or lighter depending on what ran before. Lower is better; ratios to raw \`ws\` round by round.`,
    tables: [
      table(
        ['implementation', 'time ms, median (min–max)', 'time ratio to raw ws', 'heap bytes/client', 'heap ratio to raw ws', 'client CPU µs/message', 'CPU ratio'],
        rows,
      ),
    ],
    charts: [
      {
        file: '3-fan-in-time.svg',
        title: `Fan-in: ${fmt(clients)} clients × ${messages} broadcast messages, total time`,
        unit: 'ms',
        note: 'lower is better',
        labels,
        highlight: ctx.impls.map((impl) => !!impl.ours),
        baseline: 0,
        series: [{ name: 'time', values: ctx.impls.map((impl) => /** @type {any} */ (time[impl.id])) }],
      },
      {
        file: '3-fan-in-heap.svg',
        title: 'Fan-in: heap bytes per connected client',
        unit: 'bytes',
        note: 'lower is better',
        labels,
        highlight: ctx.impls.map((impl) => !!impl.ours),
        baseline: 0,
        series: [{ name: 'heap/client', values: ctx.impls.map((impl) => /** @type {any} */ (heap[impl.id])) }],
      },
    ],
    data: { clients, messages, time, heap, cpu },
  };
}
