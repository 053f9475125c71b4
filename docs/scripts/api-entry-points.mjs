// The entry points of the API reference, read from the packages' own `exports` (the
// `@composable-svelte/source` condition points at each entry's source file): every public
// entry of every package, so a new package or subpath is documented without editing this file.
// `/internal` is left out: it is the toolkit's plumbing, not covered by semver.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const packages = resolve(import.meta.dirname, '../../packages');
const SOURCE_CONDITION = '@composable-svelte/source';
const PRIVATE_ENTRIES = new Set(['./internal', './package.json']);

/** `{ name, file }` per public entry: `@composable-svelte/ws-core/browser` and its source file. */
export const apiEntryPoints = readdirSync(packages, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(packages, entry.name, 'package.json')))
  .flatMap(({ name: folder }) => {
    const manifest = JSON.parse(readFileSync(join(packages, folder, 'package.json'), 'utf8'));
    return Object.entries(manifest.exports ?? {})
      .filter(([subpath]) => !PRIVATE_ENTRIES.has(subpath))
      .map(([subpath, conditions]) => {
        const source = typeof conditions === 'object' && conditions !== null ? conditions[SOURCE_CONDITION] : undefined;
        if (typeof source !== 'string') throw new Error(`${manifest.name}: export "${subpath}" has no "${SOURCE_CONDITION}" condition`);
        return { name: subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`, file: join(packages, folder, source) };
      });
  })
  .sort((a, b) => a.name.localeCompare(b.name));
