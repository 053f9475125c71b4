// Scenario 5. Queue: N sends while disconnected (enqueue), then connect and time until the
// queue is flushed, for N = 10,000 and 100,000: ws-queue's `createQueuedWebSocket`, and for
// reference a naive queue that an application might write (an array, `Array.prototype.shift`
// on flush). Both flush through the same stub client, awaiting each send, as ws-queue does.
import { createQueuedWebSocket } from '@composable-svelte/ws-queue';
import { compare, fmt, fmtRange, fmtRatio, table } from '../harness.js';

export const id = 5;
export const key = 'queue';
export const title = 'Queue';

/** A client that is disconnected until `connect()`, and whose sends resolve at once. */
function stubClient() {
  let status = 'disconnected';
  let sent = 0;
  /** @type {Set<(event: any) => void>} */
  const listeners = new Set();
  /** @type {any} */
  const client = {
    connect() {
      status = 'connected';
      for (const listener of listeners) listener({ type: 'connected', url: 'ws://stub', protocols: [], timestamp: 0 });
      return Promise.resolve();
    },
    disconnect: () => Promise.resolve(),
    send() {
      if (status !== 'connected') return Promise.reject(new Error('not connected'));
      sent++;
      return Promise.resolve();
    },
    subscribe: () => () => undefined,
    subscribeToEvents(/** @type {(event: any) => void} */ listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    markDead: () => undefined,
    get state() {
      return { status };
    },
    get stats() {
      return { messagesSent: sent };
    },
  };
  return { client, sent: () => sent };
}

/** @param {number} n */
const messages = (n) => Array.from({ length: n }, (_, i) => ({ channel: 'chat', type: 'chat', id: i, text: 'queued while offline' }));

/**
 * @param {number} n
 * @param {object[]} items
 */
async function wsQueue(n, items) {
  const stub = stubClient();
  const queued = createQueuedWebSocket(stub.client, { maxSize: n });
  const start = performance.now();
  for (let i = 0; i < n; i++) void queued.send(items[i]);
  const enqueued = performance.now();
  await queued.connect('ws://stub');
  const end = performance.now();
  if (stub.sent() !== n || queued.queue.size !== 0) throw new Error(`ws-queue flushed ${stub.sent()} of ${n}`);
  return { ms: end - start, enqueueMs: enqueued - start, flushMs: end - enqueued };
}

/**
 * The naive queue: push while offline, shift and await each send on connect.
 *
 * @param {number} n
 * @param {object[]} items
 */
async function naiveQueue(n, items) {
  const stub = stubClient();
  /** @type {object[]} */
  const queue = [];
  const send = (/** @type {object} */ message) => {
    if (stub.client.state.status === 'connected' && queue.length === 0) return stub.client.send(message);
    queue.push(message);
    return Promise.resolve();
  };
  const start = performance.now();
  for (let i = 0; i < n; i++) void send(/** @type {object} */ (items[i]));
  const enqueued = performance.now();
  await stub.client.connect();
  while (queue.length > 0) await stub.client.send(queue.shift());
  const end = performance.now();
  if (stub.sent() !== n) throw new Error(`naive queue flushed ${stub.sent()} of ${n}`);
  return { ms: end - start, enqueueMs: enqueued - start, flushMs: end - enqueued };
}

/** @param {import('../run.js').Context} ctx */
export async function run(ctx) {
  const sizes = ctx.quick ? [1_000, 10_000] : [10_000, 100_000];
  const [small, large] = /** @type {[number, number]} */ (sizes);
  const impls = [
    { id: 'ws-queue', label: 'ws-queue', run: wsQueue },
    { id: 'naive', label: 'naive Array.shift queue (reference)', run: naiveQueue },
  ];
  const items = messages(large);
  // One id per implementation and size, so that every combination is alternated with the others.
  const ids = impls.flatMap((impl) => sizes.map((n) => `${impl.id}@${n}`));
  /** @param {string} key @param {number} [size] */
  const measure = (key, size) => {
    const [implId, n] = key.split('@');
    const impl = /** @type {(typeof impls)[number]} */ (impls.find((candidate) => candidate.id === implId));
    return impl.run(size ?? Number(n), items);
  };
  // The warm-up runs the small size only: the naive queue takes seconds at the large one.
  const results = await ctx.alternate(ids, (key) => measure(key), { warmup: (key) => measure(key, small) });
  const time = compare(results, 'ms');
  // Growth: time at the large size over time at the small one, round by round.
  /** @type {Record<string, import('../harness.js').Summary>} */
  const growth = {};
  for (const impl of impls) {
    const per = /** @type {any[]} */ (results[`${impl.id}@${large}`]);
    const base = /** @type {any[]} */ (results[`${impl.id}@${small}`]);
    const ratios = per.map((round, r) => round.ms / base[r].ms);
    growth[impl.id] = /** @type {import('../harness.js').Summary} */ (compare({ g: ratios.map((value) => ({ value })) }, 'value').g);
  }
  const rows = impls.map((impl) => {
    const a = /** @type {any} */ (time[`${impl.id}@${small}`]);
    const b = /** @type {any} */ (time[`${impl.id}@${large}`]);
    return [impl.label, fmtRange(a), fmtRange(b), fmtRatio(growth[impl.id]), fmt((b.median * 1e6) / large)];
  });
  return {
    id,
    key,
    title,
    method: `${fmt(small)} and ${fmt(large)} sends while disconnected, then \`connect()\` and wait for the flush to end (enqueue + flush timed together), through a stub client whose sends resolve at once; both queues await each send. ${ctx.rounds} rounds, all four combinations alternated. Growth = time at ${fmt(large)} / time at ${fmt(small)} round by round: 10 is linear.`,
    tables: [
      table(
        ['queue', `${fmt(small)} messages ms, median (min–max)`, `${fmt(large)} messages ms`, `growth ×${large / small} (10 = linear)`, `ns/message at ${fmt(large)}`],
        rows,
      ),
    ],
    charts: [
      {
        file: '5-queue.svg',
        title: `Queue: enqueue then flush, ns per message`,
        unit: 'ns/message',
        note: 'lower is better; equal bars = linear growth',
        labels: impls.map((impl) => impl.label),
        series: sizes.map((n) => ({
          name: `${fmt(n)} messages`,
          values: impls.map((impl) => perMessage(/** @type {any} */ (time[`${impl.id}@${n}`]), n)),
        })),
      },
    ],
    data: { sizes, time, growth },
  };
}

/**
 * A summary in ms over n messages, as ns per message.
 *
 * @param {import('../harness.js').Summary} s
 * @param {number} n
 */
function perMessage(s, n) {
  const scale = (/** @type {number} */ ms) => (ms * 1e6) / n;
  return { median: scale(s.median), min: scale(s.min), max: scale(s.max), values: s.values.map(scale) };
}
