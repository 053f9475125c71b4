// Scenario 6. Reconnect: the drop server terminates the connection on request (no close frame,
// as a network drop) and accepts again at once. Each implementation is configured with the
// same fixed backoff delay (no growth, no jitter); what is measured is the time from the
// socket's close event (seen by a listener added before the library's own) to the library's
// `connected` (or `open`) event, minus that delay: the timer's lateness, the new handshake and
// the library's own work.
import { BASELINE, TimedWebSocket, closeClock } from '../clients.js';
import { compare, deferred, fmt, fmtRange, fmtRatio, median, percentile, sleep, table } from '../harness.js';

export const id = 6;
export const key = 'reconnect';
export const title = 'Reconnect';

/**
 * @param {import('../clients.js').Implementation} impl
 * @param {string} url
 * @param {number} drops
 * @param {number} delay
 */
async function reconnects(impl, url, drops, delay) {
  /** @type {((at: number) => void) | undefined} */
  let onReconnected;
  const client = await impl.connect(url, () => undefined, {
    reconnectDelay: delay,
    WebSocket: TimedWebSocket,
    onConnected() {
      onReconnected?.(performance.now());
    },
  });
  /** @type {number[]} */
  const excess = [];
  for (let i = 0; i < drops; i++) {
    await sleep(5);
    const wait = deferred(delay + 10_000, `${impl.id}: reconnect ${i + 1}`);
    let connectedAt = 0;
    onReconnected = (at) => {
      connectedAt = at;
      wait.resolve();
    };
    closeClock.at = 0;
    client.send({ type: 'drop' });
    await wait.promise;
    onReconnected = undefined;
    if (closeClock.at === 0) throw new Error(`${impl.id}: connected again without a close`);
    excess.push(connectedAt - closeClock.at - delay);
  }
  await client.close();
  return { excessMs: median(excess), samples: excess };
}

/** @param {import('../run.js').Context} ctx */
export async function run(ctx) {
  const drops = ctx.quick ? 1 : 10;
  const delay = ctx.quick ? 10 : 100;
  const ids = ctx.impls.map((impl) => impl.id);
  const byId = new Map(ctx.impls.map((impl) => [impl.id, impl]));
  const measure = (/** @type {string} */ implId, /** @type {number} */ count) => reconnects(/** @type {any} */ (byId.get(implId)), ctx.servers.drop, count, delay);
  const results = await ctx.alternate(ids, (implId) => measure(implId, drops), { warmup: (implId) => measure(implId, 1) });
  const excess = compare(results, 'excessMs', BASELINE);
  /** @type {Record<string, { p50: number, p99: number, max: number, count: number }>} */
  const all = {};
  for (const [implId, rounds] of Object.entries(results)) {
    const samples = rounds.flatMap((round) => round.samples);
    all[implId] = { p50: percentile(samples, 50), p99: percentile(samples, 99), max: Math.max(...samples), count: samples.length };
  }
  const rows = ctx.impls.map((impl) => {
    const e = /** @type {any} */ (excess[impl.id]);
    const a = /** @type {any} */ (all[impl.id]);
    return [impl.label, fmtRange(e), fmtRatio(e.ratio), `${fmt(a.p50)} / ${fmt(a.max)}`];
  });
  return {
    id,
    key,
    title,
    method: `${drops} drops per round × ${ctx.rounds} rounds = ${drops * ctx.rounds} drops per implementation. The server terminates the TCP connection on request and accepts again at once; every client is configured with a fixed ${delay} ms reconnect delay (ws-core and core 0.5.2: \`initialDelay\` = \`maxDelay\` = ${delay}, multiplier 1, no jitter; partysocket and reconnecting-websocket: \`minReconnectionDelay\` = \`maxReconnectionDelay\` = ${delay}, grow factor 1; raw ws: \`setTimeout(reconnect, ${delay})\` in \`onclose\`). Excess = time from the socket's close event to the \`connected\`/\`open\` event, minus ${delay} ms. The median of each round, then median (min–max) over rounds; lower is better.`,
    tables: [table(['implementation', 'excess ms, median (min–max)', 'ratio to raw ws', `all ${drops * ctx.rounds} drops: p50 / max ms`], rows)],
    charts: [
      {
        file: '6-reconnect.svg',
        title: `Reconnect: time beyond the ${delay} ms backoff delay`,
        unit: 'ms',
        note: 'lower is better',
        labels: ctx.impls.map((impl) => impl.label),
        highlight: ctx.impls.map((impl) => !!impl.ours),
        baseline: 0,
        series: [{ name: 'excess', values: ctx.impls.map((impl) => /** @type {any} */ (excess[impl.id])) }],
      },
    ],
    data: { drops, delay, excess, all },
  };
}
