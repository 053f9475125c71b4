// Scenario 4. Router dispatch: ns per routed message with 1, 100 and 10,000 channels, one
// listener each (ws-router only). The router is driven through a stub client that hands it
// prebuilt envelopes, so only the dispatch is timed: the extractor, one map lookup, the
// listener call. Must stay flat as channels grow. For reference, the same dispatch written by
// hand (a Map of channel to Set of listeners) shows what the memory hierarchy alone costs as
// the channels stop fitting in the caches.
import { createChannelRouter } from '@composable-svelte/ws-router';
import { compare, fmt, fmtRange, fmtRatio, table } from '../harness.js';

export const id = 4;
export const key = 'router';
export const title = 'Router dispatch';

const CHANNEL_COUNTS = [1, 100, 10_000];
/** Distinct envelopes, cycled through; the same count whatever the number of channels. */
const DISTINCT = 10_000;

/**
 * Envelopes as a client makes them: data parsed from JSON (fresh strings), a timestamp, the
 * raw text; spread evenly over the channels.
 *
 * @param {number} channels
 */
function envelopes(channels) {
  return Array.from({ length: DISTINCT }, (_, i) => {
    const raw = JSON.stringify({ channel: `room:${i % channels}`, type: 'chat', id: i, text: 'hello' });
    return { data: JSON.parse(raw), timestamp: 0, raw };
  });
}

/**
 * ws-router: `createChannelRouter` over a stub client; returns the function the client would
 * call with each message.
 *
 * @param {number} channels
 * @param {() => void} listener
 * @returns {(message: any) => void}
 */
function wsRouter(channels, listener) {
  /** @type {((message: any) => void) | undefined} */
  let deliver;
  /** @type {any} */
  const stub = {
    subscribe(/** @type {(message: any) => void} */ callback) {
      deliver = callback;
      return () => {
        deliver = undefined;
      };
    },
    subscribeToEvents: () => () => undefined,
    state: { status: 'connected' },
  };
  const router = createChannelRouter(stub, (/** @type {any} */ data) => data.channel);
  for (let c = 0; c < channels; c++) router.subscribe(`room:${c}`, listener);
  return /** @type {(message: any) => void} */ (deliver);
}

/**
 * The reference: a Map of channel to a Set of listeners, no error handling.
 *
 * @param {number} channels
 * @param {() => void} listener
 * @returns {(message: any) => void}
 */
function plainMap(channels, listener) {
  /** @type {Map<string, Set<(message: any) => void>>} */
  const map = new Map();
  for (let c = 0; c < channels; c++) map.set(`room:${c}`, new Set([() => listener()]));
  return (message) => {
    const listeners = map.get(message.data.channel);
    if (listeners) for (const call of listeners) call(message);
  };
}

const IMPLS = [
  { id: 'ws-router', label: 'ws-router', make: wsRouter },
  { id: 'map', label: 'plain Map + Set (reference)', make: plainMap },
];

/**
 * @param {(channels: number, listener: () => void) => (message: any) => void} make
 * @param {number} channels
 * @param {number} total messages dispatched
 */
function dispatch(make, channels, total) {
  let calls = 0;
  const send = make(channels, () => {
    calls++;
  });
  const messages = envelopes(channels);
  const start = performance.now();
  for (let i = 0; i < total; i++) send(messages[i % DISTINCT]);
  const ms = performance.now() - start;
  if (calls !== total) throw new Error(`delivered ${calls} of ${total}`);
  return { nsPerMessage: (ms * 1e6) / total };
}

/** @param {import('../run.js').Context} ctx */
export async function run(ctx) {
  const total = ctx.quick ? 50_000 : 2_000_000;
  const ids = IMPLS.flatMap((impl) => CHANNEL_COUNTS.map((channels) => `${impl.id}@${channels}`));
  const measure = (/** @type {string} */ key, /** @type {number} */ count) => {
    const [implId, channels] = key.split('@');
    const impl = /** @type {(typeof IMPLS)[number]} */ (IMPLS.find((candidate) => candidate.id === implId));
    return Promise.resolve(dispatch(impl.make, Number(channels), count));
  };
  const results = await ctx.alternate(ids, (key) => measure(key, total), { warmup: (key) => measure(key, ctx.quick ? 10_000 : 200_000) });
  /** @type {Record<string, Record<string, any>>} */
  const ns = {};
  for (const impl of IMPLS) {
    const own = Object.fromEntries(CHANNEL_COUNTS.map((channels) => [String(channels), /** @type {any[]} */ (results[`${impl.id}@${channels}`])]));
    ns[impl.id] = compare(own, 'nsPerMessage', '1');
  }
  const router = /** @type {Record<string, any>} */ (ns['ws-router']);
  const map = /** @type {Record<string, any>} */ (ns.map);
  const rows = CHANNEL_COUNTS.map((channels) => {
    const r = router[String(channels)];
    const m = map[String(channels)];
    return [fmt(channels), fmtRange(r), fmtRatio(r.ratio), fmtRange(m), fmtRatio(m.ratio)];
  });
  return {
    id,
    key,
    title,
    method: `ws-router's \`createChannelRouter\` over a stub client; ${fmt(total)} envelopes per run, cycling over ${fmt(DISTINCT)} prebuilt ones (data parsed from JSON) spread evenly over the channels, one listener per channel; ${ctx.rounds} rounds, every channel count of both rows alternated. Ratio to 1 channel round by round (lower is better). The reference is the same dispatch written by hand, a \`Map\` of channel to a \`Set\` of listeners: its growth is what the caches alone cost.`,
    tables: [table(['channels', 'ws-router ns/message, median (min–max)', 'ratio to 1 channel', 'plain Map + Set (reference) ns/message', 'ratio to 1 channel'], rows)],
    charts: [
      {
        file: '4-router.svg',
        title: 'Router dispatch time per message',
        unit: 'ns',
        note: 'lower is better; flat is the goal',
        labels: CHANNEL_COUNTS.map((channels) => `${fmt(channels)} channel${channels === 1 ? '' : 's'}`),
        series: IMPLS.map((impl) => ({
          name: impl.label,
          values: CHANNEL_COUNTS.map((channels) => /** @type {any} */ (ns[impl.id])[String(channels)]),
        })),
      },
    ],
    data: { total, ns: router, reference: map },
  };
}
