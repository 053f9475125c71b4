// Scenario 2. Latency: N sequential round trips through the echo server (the next message goes
// out when the previous one came back), p50 and p99 in microseconds.
import { BASELINE } from '../clients.js';
import { compare, deferred, fmt, fmtRange, fmtRatio, makeMessage, percentile, table } from '../harness.js';

export const id = 2;
export const key = 'latency';
export const title = 'Latency';

/**
 * @param {import('../clients.js').Implementation} impl
 * @param {string} url
 * @param {number} total
 */
async function pingPong(impl, url, total) {
  const samples = new Float64Array(total);
  let n = 0;
  let sentAt = 0;
  const done = deferred(120_000, `${impl.id}: ${total} round trips`);
  /** @type {import('../clients.js').BenchClient | undefined} */
  let client;
  const next = () => {
    sentAt = performance.now();
    client?.send(makeMessage('echo', n, 128));
  };
  client = await impl.connect(url, () => {
    samples[n++] = performance.now() - sentAt;
    if (n < total) next();
    else done.resolve();
  });
  next();
  await done.promise;
  await client.close();
  const us = Array.from(samples, (ms) => ms * 1000);
  return { p50: percentile(us, 50), p99: percentile(us, 99) };
}

/** @param {import('../run.js').Context} ctx */
export async function run(ctx) {
  const total = ctx.quick ? 200 : 10_000;
  const ids = ctx.impls.map((impl) => impl.id);
  const byId = new Map(ctx.impls.map((impl) => [impl.id, impl]));
  const measure = (/** @type {string} */ implId, /** @type {number} */ count) => pingPong(/** @type {any} */ (byId.get(implId)), ctx.servers.echo, count);
  const results = await ctx.alternate(ids, (implId) => measure(implId, total), { warmup: (implId) => measure(implId, ctx.quick ? 50 : 2_000) });
  const p50 = compare(results, 'p50', BASELINE);
  const p99 = compare(results, 'p99', BASELINE);
  const rows = ctx.impls.map((impl) => {
    const a = /** @type {any} */ (p50[impl.id]);
    const b = /** @type {any} */ (p99[impl.id]);
    return [impl.label, fmtRange(a), fmtRatio(a.ratio), fmtRange(b), fmtRatio(b.ratio)];
  });
  return {
    id,
    key,
    title,
    method: `${fmt(total)} sequential round trips of a 128-byte JSON message through the echo server; p50 and p99 of each round, then the median (min–max) over ${ctx.rounds} rounds. Lower is better; ratio to raw \`ws\` round by round.`,
    tables: [table(['implementation', 'p50 µs, median (min–max)', 'p50 ratio to raw ws', 'p99 µs', 'p99 ratio to raw ws'], rows)],
    charts: [
      {
        file: '2-latency.svg',
        title: `Round-trip latency (${fmt(total)} sequential round trips)`,
        unit: 'µs',
        note: 'lower is better',
        labels: ctx.impls.map((impl) => impl.label),
        highlight: ctx.impls.map((impl) => !!impl.ours),
        baseline: 0,
        series: [
          { name: 'p50', values: ctx.impls.map((impl) => /** @type {any} */ (p50[impl.id])) },
          { name: 'p99', values: ctx.impls.map((impl) => /** @type {any} */ (p99[impl.id])) },
        ],
      },
    ],
    data: { total, p50, p99 },
  };
}
