// Hand-written SVG bar charts: horizontal bars (median) with a min–max whisker, one group of
// bars per label, one bar per series. No dependencies.

/**
 * @typedef {object} ChartSpec
 * @property {string} file file name in charts/
 * @property {string} title
 * @property {string} unit
 * @property {string} [note] e.g. "lower is better"
 * @property {string[]} labels one per group (implementation, channel count, …)
 * @property {{ name: string, values: import('./harness.js').Summary[] }[]} series
 * @property {boolean[]} [highlight] per label: one of ours (coloured apart when there is one series)
 * @property {number} [baseline] index of the baseline label (grey when there is one series)
 */

const SERIES_COLOURS = ['#3b6fb6', '#e08a2c', '#5a9e4b', '#a3508f'];
const OURS = '#3b6fb6';
const PEER = '#e08a2c';
const BASE = '#8a8a8a';

/** @param {string} text */
const escape = (text) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** @param {number} value */
function label(value) {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  return value.toPrecision(2);
}

/** A "nice" step for about `count` ticks up to `max`. @param {number} max @param {number} count */
function niceStep(max, count) {
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10) * power;
}

/**
 * @param {ChartSpec} spec
 * @returns {string} the SVG document
 */
export function barChart(spec) {
  // Room for the longest label (about 7.5 px per character at 12 px, more in bold).
  const labelWidth = Math.max(120, ...spec.labels.map((text, i) => Math.ceil(text.length * (spec.highlight?.[i] ? 7.6 : 7)) + 10));
  const plotLeft = labelWidth + 10;
  const plotRight = plotLeft + 440;
  const width = plotRight + 90;
  const barHeight = 16;
  const barGap = 3;
  const groupGap = 12;
  const top = 48;
  const series = spec.series;
  const groupHeight = series.length * barHeight + (series.length - 1) * barGap;
  const plotHeight = spec.labels.length * (groupHeight + groupGap) - groupGap;
  /** @type {[string, string][]} */
  const legend =
    series.length > 1
      ? series.map((s, k) => [/** @type {string} */ (SERIES_COLOURS[k % SERIES_COLOURS.length]), s.name])
      : spec.highlight
        ? [...(spec.baseline === undefined ? [] : /** @type {[string, string][]} */ ([[BASE, 'baseline']])), [OURS, 'our packages'], [PEER, 'peers']]
        : [];
  const legendHeight = legend.length ? 22 : 0;
  const height = top + plotHeight + 40 + legendHeight;

  const all = series.flatMap((s) => s.values.flatMap((v) => [v.max, v.median]));
  const max = Math.max(...all.filter(Number.isFinite), 0) || 1;
  const step = niceStep(max, 5);
  const axisMax = Math.ceil((max * 1.02) / step) * step;
  const x = (/** @type {number} */ value) => plotLeft + (Math.max(0, value) / axisMax) * (plotRight - plotLeft);

  /** @type {string[]} */
  const out = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif" font-size="12">`,
  );
  out.push(`<title>${escape(spec.title)}</title>`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="600" fill="#222">${escape(spec.title)}</text>`);
  out.push(
    `<text x="${width / 2}" y="38" text-anchor="middle" font-size="11" fill="#666">${escape(`${spec.unit}${spec.note ? ` · ${spec.note}` : ''} · bar = median, whisker = min–max`)}</text>`,
  );

  // Grid and axis.
  for (let tick = 0; tick <= axisMax + step / 2; tick += step) {
    const tx = x(tick);
    out.push(`<line x1="${tx.toFixed(1)}" y1="${top - 4}" x2="${tx.toFixed(1)}" y2="${top + plotHeight + 4}" stroke="#e4e4e4"/>`);
    out.push(`<text x="${tx.toFixed(1)}" y="${top + plotHeight + 18}" text-anchor="middle" font-size="10" fill="#666">${label(tick)}</text>`);
  }

  spec.labels.forEach((name, g) => {
    const groupTop = top + g * (groupHeight + groupGap);
    out.push(
      `<text x="${labelWidth}" y="${(groupTop + groupHeight / 2 + 4).toFixed(1)}" text-anchor="end" fill="#222"${spec.highlight?.[g] ? ' font-weight="600"' : ''}>${escape(name)}</text>`,
    );
    series.forEach((s, k) => {
      const value = /** @type {import('./harness.js').Summary} */ (s.values[g]);
      const y = groupTop + k * (barHeight + barGap);
      const colour =
        series.length > 1
          ? SERIES_COLOURS[k % SERIES_COLOURS.length]
          : g === spec.baseline
            ? BASE
            : spec.highlight
              ? spec.highlight[g]
                ? OURS
                : PEER
              : SERIES_COLOURS[0];
      const bar = Math.max(1, x(value.median) - plotLeft);
      out.push(`<rect x="${plotLeft}" y="${y}" width="${bar.toFixed(1)}" height="${barHeight}" fill="${colour}" rx="2"/>`);
      if (value.max > value.min) {
        const cy = y + barHeight / 2;
        const [x1, x2] = [x(value.min), x(value.max)];
        out.push(
          `<path d="M${x1.toFixed(1)} ${cy}H${x2.toFixed(1)}M${x1.toFixed(1)} ${cy - 4}V${cy + 4}M${x2.toFixed(1)} ${cy - 4}V${cy + 4}" stroke="#222" stroke-width="1.2" fill="none"/>`,
        );
      }
      const textX = Math.max(x(value.median), x(value.max)) + 6;
      out.push(`<text x="${textX.toFixed(1)}" y="${y + barHeight - 4}" font-size="11" fill="#222">${label(value.median)}</text>`);
    });
  });

  let lx = plotLeft;
  const ly = top + plotHeight + 34;
  for (const [colour, name] of legend) {
    out.push(`<rect x="${lx}" y="${ly - 9}" width="12" height="12" fill="${colour}" rx="2"/>`);
    out.push(`<text x="${lx + 17}" y="${ly + 1}" fill="#222">${escape(name)}</text>`);
    lx += 30 + name.length * 7;
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
