// Scenario 1. Echo throughput: N JSON messages of about 128 bytes through the echo server,
// 64 in flight (each echo received sends the next), messages per second. The client's CPU
// time per message is reported too: it is what the library adds, even when the server or the
// other core is the bottleneck.
//
// A second table gives the same exchange in process, over a fake socket (no network, no
// framing): one send and one receive per message, so the library's own cost per message is
// measured apart from the network's noise.
import { BASELINE, FakeWebSocket } from '../clients.js';
import { compare, deferred, fmt, fmtRange, fmtRatio, makeMessage, summarize, table } from '../harness.js';

export const id = 1;
export const key = 'throughput';
export const title = 'Echo throughput';

/**
 * One run: connect, send `total` messages with `inflight` outstanding, close.
 *
 * @param {import('../clients.js').Implementation} impl
 * @param {string} url
 * @param {number} total
 * @param {number} inflight
 */
export async function echoRun(impl, url, total, inflight) {
  let sent = 0;
  let received = 0;
  const done = deferred(120_000, `${impl.id}: ${total} echoes`);
  /** @type {import('../clients.js').BenchClient | undefined} */
  let client;
  client = await impl.connect(url, () => {
    received++;
    if (sent < total) client?.send(makeMessage('echo', sent++, 128));
    else if (received === total) done.resolve();
  });
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < inflight && sent < total; i++) client.send(makeMessage('echo', sent++, 128));
  await done.promise;
  const ms = performance.now() - start;
  const { user, system } = process.cpuUsage(cpu);
  await client.close();
  return { msgsPerSec: (total / ms) * 1000, cpuUsPerMsg: (user + system) / total, ms };
}

/**
 * The in-process exchange: `total` messages sent and `total` frames received over a fake
 * socket, alternately.
 *
 * @param {import('../clients.js').Implementation} impl
 * @param {number} total
 */
export async function inProcess(impl, total) {
  const frames = Array.from({ length: 1000 }, (_, i) => JSON.stringify(makeMessage('echo', i, 128)));
  let received = 0;
  const client = await impl.connect('ws://fake', () => {
    received++;
  }, { WebSocket: /** @type {any} */ (FakeWebSocket) });
  const socket = /** @type {FakeWebSocket} */ (FakeWebSocket.last);
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    client.send(makeMessage('echo', i, 128));
    socket.receive(/** @type {string} */ (frames[i % 1000]));
  }
  const ns = ((performance.now() - start) * 1e6) / total;
  if (received !== total || socket.sent !== total) throw new Error(`${impl.id}: ${socket.sent} sent, ${received} received of ${total}`);
  await client.close();
  return { ns };
}

/** @param {import('../run.js').Context} ctx */
export async function run(ctx) {
  const total = ctx.quick ? 1_000 : 100_000;
  const inflight = 64;
  // The most variable scenario on a 2-core machine (client and server each need a core): more rounds.
  const rounds = ctx.quick ? ctx.rounds : Math.max(ctx.rounds, 7);
  const ids = ctx.impls.map((impl) => impl.id);
  const byId = new Map(ctx.impls.map((impl) => [impl.id, impl]));
  const impl = (/** @type {string} */ implId) => /** @type {import('../clients.js').Implementation} */ (byId.get(implId));
  const results = await ctx.alternate(ids, (implId) => echoRun(impl(implId), ctx.servers.echo, total, inflight), {
    rounds,
    warmup: (implId) => echoRun(impl(implId), ctx.servers.echo, Math.min(total, ctx.quick ? 200 : 10_000), inflight),
  });
  const rate = compare(results, 'msgsPerSec', BASELINE);
  const cpu = compare(results, 'cpuUsPerMsg', BASELINE);
  const rows = ctx.impls.map((impl) => {
    const r = /** @type {any} */ (rate[impl.id]);
    const c = /** @type {any} */ (cpu[impl.id]);
    return [impl.label, fmtRange(r), fmtRatio(r.ratio), fmtRange(c), fmtRatio(c.ratio)];
  });

  const fakeTotal = ctx.quick ? 10_000 : 200_000;
  const fakeResults = await ctx.alternate(ids, (implId) => inProcess(impl(implId), fakeTotal), {
    rounds,
    warmup: (implId) => inProcess(impl(implId), fakeTotal / 4),
  });
  const fake = compare(fakeResults, 'ns', BASELINE);
  // What each adds to raw ws, round by round (both ran in the same round).
  const base = /** @type {{ ns: number }[]} */ (fakeResults[BASELINE]);
  const added = Object.fromEntries(ids.map((implId) => [implId, summarize(/** @type {{ ns: number }[]} */ (fakeResults[implId]).map((run, r) => run.ns - /** @type {{ ns: number }} */ (base[r]).ns))]));
  const fakeRows = ctx.impls.map((impl) => {
    const f = /** @type {any} */ (fake[impl.id]);
    const a = /** @type {import('../harness.js').Summary} */ (added[impl.id]);
    return [impl.label, fmtRange(f), impl.id === BASELINE ? '' : fmtRange(a), fmtRatio(f.ratio)];
  });
  return {
    id,
    key,
    title,
    method: `${fmt(total)} JSON messages of about 128 bytes through the echo server, ${inflight} in flight; ${rounds} rounds (the most variable scenario here), implementations alternated. Ratio to raw \`ws\` computed round by round (higher is better for throughput, lower for CPU). The second table is the library's own cost: the same messages sent and received in process over a fake socket (no network, no framing), ${fmt(fakeTotal)} of each per run, ${rounds} rounds; "added" is the difference to raw \`ws\` + \`JSON\` in the same round. Even these pure JavaScript loops vary by ±30 % from run to run on this machine: read them as magnitudes.`,
    tables: [
      table(['implementation', 'messages/s, median (min–max)', 'ratio to raw ws', 'client CPU µs/message', 'CPU ratio to raw ws'], rows),
      table(['implementation (in process, fake socket)', 'ns per message sent + received', 'added to raw ws, ns', 'ratio to raw ws'], fakeRows),
    ],
    charts: [
      {
        file: '1-throughput.svg',
        title: `Echo throughput (${fmt(total)} messages, ${inflight} in flight)`,
        unit: 'messages/s',
        note: 'higher is better',
        labels: ctx.impls.map((impl) => impl.label),
        highlight: ctx.impls.map((impl) => !!impl.ours),
        baseline: 0,
        series: [{ name: 'messages/s', values: ctx.impls.map((impl) => /** @type {any} */ (rate[impl.id])) }],
      },
      {
        file: '1-in-process.svg',
        title: 'Library cost per message in process (fake socket: send + receive)',
        unit: 'ns',
        note: 'lower is better',
        labels: ctx.impls.map((impl) => impl.label),
        highlight: ctx.impls.map((impl) => !!impl.ours),
        baseline: 0,
        series: [{ name: 'ns/message', values: ctx.impls.map((impl) => /** @type {any} */ (fake[impl.id])) }],
      },
    ],
    data: { total, inflight, rounds, rate, cpu, fakeTotal, fake, added },
  };
}
