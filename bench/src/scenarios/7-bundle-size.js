// Scenario 7. Bundle size: each entry bundled the same way (esbuild, ESM, browser platform,
// minified, every export kept), then gzip level 9. Our packages are bundled from their built
// dist (what users install), with the ws-types runtime they import included, since that is
// what an application ships; ws-core is also given without it (its own code).
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { build, version } from 'esbuild';
import { table } from '../harness.js';

export const id = 7;
export const key = 'bundle-size';
export const title = 'Bundle size';
/** esbuild works in a process of its own, which the other-load measure cannot tell from other processes. */
export const spawnsProcesses = true;

const root = fileURLToPath(new URL('../../../', import.meta.url));
const bench = fileURLToPath(new URL('../../', import.meta.url));
const dist = (/** @type {string} */ name) => `${root}packages/${name}/dist/index.js`;
const WS_TYPES = ['@composable-svelte/ws-types', '@composable-svelte/ws-types/internal'];

/**
 * @typedef {object} Entry
 * @property {string} id
 * @property {string} label
 * @property {boolean} [ours]
 * @property {string} code what the bundle exports (`export * from …`)
 * @property {string} resolveDir where the imports resolve from
 * @property {string[]} [external]
 */

/** @type {Entry[]} */
const ENTRIES = [
  { id: 'ws-types', label: 'ws-types (index + shared)', ours: true, code: WS_TYPES.map((name) => `export * from '${name}';`).join('\n'), resolveDir: bench },
  { id: 'ws-core', label: 'ws-core', ours: true, code: `export * from '${dist('ws-core')}';`, resolveDir: root },
  { id: 'ws-core-own', label: 'ws-core without ws-types', ours: true, code: `export * from '${dist('ws-core')}';`, resolveDir: root, external: WS_TYPES },
  { id: 'ws-heartbeat', label: 'ws-heartbeat', ours: true, code: `export * from '${dist('ws-heartbeat')}';`, resolveDir: root },
  { id: 'ws-router', label: 'ws-router', ours: true, code: `export * from '${dist('ws-router')}';`, resolveDir: root },
  { id: 'ws-queue', label: 'ws-queue', ours: true, code: `export * from '${dist('ws-queue')}';`, resolveDir: root },
  { id: 'ws-effects', label: 'ws-effects', ours: true, code: `export * from '${dist('ws-effects')}';`, resolveDir: root },
  {
    id: 'full-stack',
    label: 'ws-core + heartbeat + router + queue',
    ours: true,
    code: ['ws-core', 'ws-heartbeat', 'ws-router', 'ws-queue'].map((name) => `export * from '${dist(name)}';`).join('\n'),
    resolveDir: root,
  },
  { id: 'partysocket', label: 'partysocket (main entry)', code: `export * from 'partysocket';`, resolveDir: bench },
  { id: 'partysocket-ws', label: 'partysocket/ws', code: `export * from 'partysocket/ws'; export { default } from 'partysocket/ws';`, resolveDir: bench },
  { id: 'reconnecting-websocket', label: 'reconnecting-websocket', code: `export { default } from 'reconnecting-websocket';`, resolveDir: bench },
  { id: 'core-0.5.2', label: '@composable-svelte/core 0.5.2 /websocket', code: `export * from '@composable-svelte/core/websocket';`, resolveDir: bench },
  { id: 'phoenix', label: 'phoenix (whole client)', code: `export * from 'phoenix';`, resolveDir: bench },
];

/** @param {Entry} entry */
async function measure(entry) {
  const result = await build({
    stdin: { contents: entry.code, resolveDir: entry.resolveDir, loader: 'js', sourcefile: `${entry.id}.js` },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    legalComments: 'none',
    external: entry.external ?? [],
  });
  const bytes = /** @type {import('esbuild').OutputFile} */ (result.outputFiles[0]).contents;
  return { minified: bytes.byteLength, gzip: gzipSync(bytes, { level: 9 }).byteLength };
}

/** @param {number} bytes */
const kB = (bytes) => `${(bytes / 1000).toFixed(2)} kB`;

/** @param {import('../run.js').Context} _ctx */
export async function run(_ctx) {
  /** @type {Record<string, { minified: number, gzip: number }>} */
  const sizes = {};
  for (const entry of ENTRIES) sizes[entry.id] = await measure(entry);
  const phoenix = /** @type {{ gzip: number }} */ (sizes.phoenix).gzip;
  const rows = ENTRIES.map((entry) => {
    const s = /** @type {{ minified: number, gzip: number }} */ (sizes[entry.id]);
    return [entry.ours ? `**${entry.label}**` : entry.label, `${s.minified.toLocaleString('en-US')} B`, `${s.gzip.toLocaleString('en-US')} B (${kB(s.gzip)})`, (s.gzip / phoenix).toFixed(2)];
  });
  return {
    id,
    key,
    title,
    method:
      'Each entry bundled by esbuild (ESM, browser platform, ES2022, minified, every export kept), then gzip level 9 (node:zlib). Our packages from their built `dist`, with the ws-types runtime they import unless said otherwise; peers from the entry their package.json gives a bundler. 1 kB = 1,000 bytes. Deterministic: one run.',
    tables: [table(['bundle', 'minified', 'min+gzip', 'ratio to phoenix'], rows)],
    charts: [
      {
        file: '7-bundle-size.svg',
        title: 'Bundle size, min+gzip',
        unit: 'bytes',
        note: 'lower is better',
        labels: ENTRIES.map((entry) => entry.label),
        series: [
          {
            name: 'min+gzip',
            values: ENTRIES.map((entry) => {
              const gzip = /** @type {{ gzip: number }} */ (sizes[entry.id]).gzip;
              return { median: gzip, min: gzip, max: gzip, values: [gzip] };
            }),
          },
        ],
        highlight: ENTRIES.map((entry) => !!entry.ours),
      },
    ],
    data: { sizes, esbuild: version },
  };
}
