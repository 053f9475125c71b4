// The fan-in scenario's heap reading, in a process of its own: `node --expose-gc heap-probe.js
// <implementation id> <broadcast URL> <clients>` connects that many clients of one
// implementation and prints `{"heapPerClient": bytes}`.
//
// Why a process per reading: in the benchmark's own process, the same clients read up to a
// third heavier or lighter depending on what ran before (V8's object layouts, its compiled
// code and its heap's state all carry over from earlier scenarios and implementations), so the
// ratios measured there depend on the order of the scenarios. A fresh process gives every
// implementation the same start.
import { implementations } from './clients.js';
import { collectGarbage, sleep } from './harness.js';

const [id, address, count] = process.argv.slice(2);
const found = implementations.find((candidate) => candidate.id === id);
const clients = Number(count);
if (!found || !address || !(clients > 0)) throw new Error(`usage: heap-probe.js <implementation id> <url> <clients>, got ${process.argv.slice(2).join(' ')}`);
const impl = found;
const url = address;
if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');

const BATCH = 50;
/** @type {import('./clients.js').BenchClient[]} */
const connected = [];
/** @param {number} n */
async function connect(n) {
  for (let i = 0; i < n; i += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, n - i) }, () => impl.connect(url, () => undefined, { channel: 'news' }));
    connected.push(...(await Promise.all(batch)));
  }
}

// A first batch compiles the code every client runs, which is not per client: read from there.
await connect(BATCH * 2);
collectGarbage(4);
const before = process.memoryUsage().heapUsed;
await connect(clients);
// Let each connection's own events (the server's greeting, timers set on open) settle.
await sleep(50);
collectGarbage(4);
const after = process.memoryUsage().heapUsed;
await Promise.all(connected.map((client) => client.close()));
process.stdout.write(`${JSON.stringify({ heapPerClient: (after - before) / clients })}\n`);
// Sockets closing in the background need not be waited for: the process ends here.
process.exit(0);
