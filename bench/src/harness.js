// The tiny shared harness: rounds with alternating order, statistics, ratios, tables.

/**
 * Runs `measure(id, round)` for every id in every round. Round r starts at id number r (mod
 * the count), so no implementation always runs first or right after the same neighbour. A
 * warm-up pass (not recorded) runs first when `warmup` is given.
 *
 * @template R
 * @param {string[]} ids
 * @param {number} rounds
 * @param {(id: string, round: number) => Promise<R>} measure
 * @param {{ warmup?: (id: string) => Promise<unknown>, log?: (line: string) => void }} [options]
 * @returns {Promise<Record<string, R[]>>} the results of each id, by round
 */
export async function alternate(ids, rounds, measure, options = {}) {
  if (options.warmup) for (const id of ids) await options.warmup(id);
  /** @type {Record<string, R[]>} */
  const results = Object.fromEntries(ids.map((id) => [id, []]));
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < ids.length; k++) {
      const id = /** @type {string} */ (ids[(round + k) % ids.length]);
      collectGarbage();
      /** @type {R[]} */ (results[id])[round] = await measure(id, round);
    }
    options.log?.(`round ${round + 1}/${rounds}`);
  }
  return results;
}

/** Full collections, when the process runs with --expose-gc (a no-op otherwise). */
export function collectGarbage(times = 2) {
  const gc = /** @type {(() => void) | undefined} */ (globalThis.gc);
  if (gc) for (let i = 0; i < times; i++) gc();
}

/** @param {number[]} values */
export function median(values) {
  return percentile(values, 50);
}

/**
 * The p-th percentile (nearest rank on the sorted values).
 *
 * @param {number[]} values
 * @param {number} p 0..100
 */
export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  if (p === 50 && sorted.length % 2 === 0) {
    const upper = sorted.length / 2;
    return (/** @type {number} */ (sorted[upper - 1]) + /** @type {number} */ (sorted[upper])) / 2;
  }
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return /** @type {number} */ (sorted[rank]);
}

/**
 * @typedef {object} Summary
 * @property {number} median
 * @property {number} min
 * @property {number} max
 * @property {number[]} values one per round
 */

/** @param {number[]} values @returns {Summary} */
export function summarize(values) {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), values };
}

/**
 * Summary of one metric of every id, plus its ratio to the baseline's, computed round by
 * round (both ran in the same round, minutes apart at most) and then summarized.
 *
 * @param {Record<string, Record<string, unknown>[]>} results per id, per round, metric values
 * @param {string} metric
 * @param {string} [baseline]
 * @returns {Record<string, Summary & { ratio?: Summary }>}
 */
export function compare(results, metric, baseline) {
  /** @type {Record<string, Summary & { ratio?: Summary }>} */
  const out = {};
  for (const [id, rounds] of Object.entries(results)) {
    const values = rounds.map((round) => /** @type {number} */ (round[metric]));
    const base = baseline === undefined ? undefined : results[baseline];
    const ratio = base && summarize(values.map((value, r) => value / /** @type {number} */ (base[r]?.[metric])));
    out[id] = { ...summarize(values), ...(ratio ? { ratio } : {}) };
  }
  return out;
}

/**
 * Formats a number with a sensible number of digits for a table.
 *
 * @param {number} value
 * @param {number} [digits] significant digits for small values
 */
export function fmt(value, digits = 3) {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  if (abs >= 100) return value.toFixed(0);
  return Number(value.toPrecision(digits)).toString();
}

/** `median (min–max)` of a summary. @param {Summary} s @param {number} [digits] */
export function fmtRange(s, digits) {
  return `${fmt(s.median, digits)} (${fmt(s.min, digits)}–${fmt(s.max, digits)})`;
}

/** A ratio cell: `0.97 (0.95–0.99)`. @param {Summary | undefined} s */
export function fmtRatio(s) {
  if (!s) return '';
  return `${s.median.toFixed(2)} (${s.min.toFixed(2)}–${s.max.toFixed(2)})`;
}

/**
 * A Markdown table.
 *
 * @param {string[]} header
 * @param {string[][]} rows
 * @param {('l' | 'r')[]} [align]
 */
export function table(header, rows, align = header.map((_, i) => (i === 0 ? 'l' : 'r'))) {
  const line = (/** @type {string[]} */ cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(align.map((a) => (a === 'r' ? '---:' : '---'))), ...rows.map(line)].join('\n');
}

/**
 * Waits until `condition()` holds, polling every `every` ms; rejects after `timeout` ms.
 *
 * @param {() => boolean | Promise<boolean>} condition
 * @param {string} what for the error message
 * @param {number} [timeout]
 * @param {number} [every]
 */
export async function waitFor(condition, what, timeout = 30_000, every = 5) {
  const end = performance.now() + timeout;
  while (!(await condition())) {
    if (performance.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await sleep(every);
  }
}

/** @param {number} ms */
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A promise with its resolve function outside, and a timeout so that a lost message fails the
 * run instead of hanging it.
 *
 * @param {number} timeout ms
 * @param {string} what
 */
export function deferred(timeout, what) {
  /** @type {() => void} */
  let resolve = () => undefined;
  /** @type {Promise<void>} */
  const promise = new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`Timed out: ${what}`)), timeout);
    // A failed run must not keep the process alive for the timeout.
    timer.unref();
    resolve = () => {
      clearTimeout(timer);
      res();
    };
  });
  // Whoever awaits it sees the rejection; one nobody awaits any more (its run failed) is no crash.
  promise.catch(() => undefined);
  return { promise, resolve };
}

/**
 * A JSON chat-like message of about `size` bytes once serialized, with the given channel.
 *
 * @param {string} channel
 * @param {number} id
 * @param {number} size
 */
export function makeMessage(channel, id, size) {
  const length = Math.max(0, size - 64 - channel.length - String(id).length);
  const text = (pads[length] ??= 'x'.repeat(length));
  return { channel, type: 'chat', id, user: 'bench-user', text };
}

/** @type {string[]} */
const pads = [];
