/**
 * The packaging gate: every published package passes publint and attw, and installs alone
 * from its tarball (with only the tarballs of the workspace packages it depends on) into a
 * fresh project where it imports from ESM, from CJS, and type-checks with tsc.
 *
 * Optional peer dependencies (`ws` for ws-testing's `/server`) are what a user installs to use
 * the entry that needs them: they are linked from the workspace's own install (with their
 * `@types/` package when there is one), since `npm install --offline` cannot fetch them.
 *
 * Needs the packages built (`pnpm test` builds them first).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
const bin = (name: string): string => join(root, 'node_modules/.bin', name);

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  exports: Record<string, unknown>;
}

const packages = readdirSync(join(root, 'packages'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(root, 'packages', entry.name, 'package.json')))
  .map((entry) => {
    const dir = join(root, 'packages', entry.name);
    return { dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest };
  })
  .filter(({ manifest }) => manifest.private !== true);

const byName = new Map(packages.map((pkg) => [pkg.manifest.name, pkg]));

/** The package and every workspace package it depends on at run time, transitively. */
function closure(name: string, seen = new Set<string>()): Set<string> {
  seen.add(name);
  for (const dep of Object.keys(byName.get(name)?.manifest.dependencies ?? {})) {
    if (byName.has(dep) && !seen.has(dep)) closure(dep, seen);
  }
  return seen;
}

/** Subpaths of the exports map that are code entries (`.`, `./internal`, ...). */
function entries(manifest: Manifest): string[] {
  return Object.keys(manifest.exports)
    .filter((key) => key !== './package.json')
    .map((key) => (key === '.' ? manifest.name : `${manifest.name}/${key.slice(2)}`));
}

/** The source file of an entry: its `@composable-svelte/source` export condition. */
function sourceOf(dir: string, manifest: Manifest, entry: string): string {
  const key = entry === manifest.name ? '.' : `./${entry.slice(manifest.name.length + 1)}`;
  return join(dir, (manifest.exports[key] as Record<string, string>)['@composable-svelte/source']!);
}

/**
 * The optional peer dependencies of a package, and their `@types/` packages, as found in the
 * workspace's install: name to real folder.
 */
function optionalPeers(dir: string, manifest: Manifest): Map<string, string> {
  const found = new Map<string, string>();
  const from = createRequire(join(dir, 'package.json'));
  for (const peer of Object.keys(manifest.peerDependencies ?? {})) {
    if (manifest.peerDependenciesMeta?.[peer]?.optional !== true) continue;
    for (const name of [peer, `@types/${peer.replace(/^@(.*)\//, '$1__')}`]) {
      try {
        found.set(name, realpathSync(dirname(from.resolve(`${name}/package.json`))));
      } catch {
        // No @types package: the peer has its own types, or none.
      }
    }
  }
  return found;
}

/** Runs a command, failing with its output when it exits non-zero. */
async function checkCommand(command: string, args: string[], cwd: string): Promise<void> {
  await run(command, args, { cwd }).catch((error: { stdout?: string; stderr?: string }) => {
    throw new Error(`${command} ${args.join(' ')} failed:\n${error.stdout ?? ''}${error.stderr ?? ''}`);
  });
}

let work: string;
const tarballs = new Map<string, string>();

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'ws-pack-'));
  for (const { dir, manifest } of packages) {
    expect(existsSync(join(dir, 'dist')), `${manifest.name} is not built`).toBe(true);
    const { stdout } = await run('pnpm', ['pack', '--pack-destination', work], { cwd: dir });
    const file = stdout.trim().split('\n').pop()!.trim();
    tarballs.set(manifest.name, file.startsWith('/') ? file : join(work, file));
  }
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe.each(packages.map((pkg) => [pkg.manifest.name, pkg] as const))('%s', (name, { dir, manifest }) => {
  it('passes publint --strict', async () => {
    await checkCommand(bin('publint'), ['--strict'], dir);
  });

  it('passes attw --pack', async () => {
    await checkCommand(bin('attw'), ['--pack', '.', '--format', 'ascii'], dir);
  });

  it('installs alone and loads from ESM, CJS and TypeScript', async () => {
    const project = mkdtempSync(join(work, 'consumer-'));
    const deps = [...closure(name)];
    const peers = optionalPeers(dir, manifest);
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({
        name: 'consumer',
        private: true,
        dependencies: {
          ...Object.fromEntries(deps.map((dep) => [dep, `file:${tarballs.get(dep)!}`])),
          ...Object.fromEntries([...peers].map(([peer, folder]) => [peer, `file:${folder}`])),
        },
      }),
    );
    await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: project });

    // Nothing but the package, its own workspace dependencies and its optional peers was installed.
    const scoped = readdirSync(join(project, 'node_modules/@composable-svelte')).map((n) => `@composable-svelte/${n}`);
    expect(scoped.sort()).toEqual(deps.sort());
    const topLevel = new Set(['@composable-svelte', ...[...peers.keys()].map((peer) => peer.split('/')[0]!)]);
    expect(readdirSync(join(project, 'node_modules')).filter((n) => !n.startsWith('.')).sort()).toEqual([...topLevel].sort());

    for (const entry of entries(manifest)) {
      const expected = Object.keys(
        (await import(/* @vite-ignore */ sourceOf(dir, manifest, entry))) as Record<string, unknown>,
      ).sort();
      const esm = await run('node', ['--input-type=module', '-e', `const m = await import(${JSON.stringify(entry)}); console.log(JSON.stringify(Object.keys(m).sort()))`], { cwd: project });
      const cjs = await run('node', ['-e', `console.log(JSON.stringify(Object.keys(require(${JSON.stringify(entry)})).filter((k) => k !== '__esModule').sort()))`], { cwd: project });
      expect(JSON.parse(esm.stdout), `${entry} (ESM)`).toEqual(expected);
      expect(JSON.parse(cjs.stdout), `${entry} (CJS)`).toEqual(expected);
    }

    // Every runtime export is visible to TypeScript, from ESM and from CJS, under node16
    // resolution, with the plain ES2022 + DOM lib. The `/internal` plumbing (not for apps) is
    // checked apart: its classes implement `Symbol.dispose`, which needs `esnext.disposable`.
    const check = async (name: string, which: string[], lib: string[]): Promise<void> => {
      if (which.length === 0) return;
      const lines = (ext: string) =>
        which.map((entry, i) => `import * as e${i} from ${JSON.stringify(entry)};\nexport const keys${i}${ext}: (keyof typeof e${i})[] = [];`).join('\n');
      writeFileSync(join(project, `${name}-esm.mts`), lines('m'));
      writeFileSync(join(project, `${name}-cjs.cts`), lines('c'));
      writeFileSync(
        join(project, `tsconfig.${name}.json`),
        JSON.stringify({
          compilerOptions: { module: 'node16', moduleResolution: 'node16', strict: true, noEmit: true, lib, types: [], skipLibCheck: false },
          files: [`${name}-esm.mts`, `${name}-cjs.cts`],
        }),
      );
      await checkCommand(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(project, `tsconfig.${name}.json`)], project);
    };
    const all = entries(manifest);
    await check('public', all.filter((entry) => !entry.endsWith('/internal')), ['ES2022', 'DOM']);
    await check('internal', all.filter((entry) => entry.endsWith('/internal')), ['ES2022', 'DOM', 'ESNext.Disposable']);
  });
});

it('keeps WebSocketError instanceof working between the ESM and the CJS build', async () => {
  const project = mkdtempSync(join(work, 'dual-'));
  const types = '@composable-svelte/ws-types';
  writeFileSync(join(project, 'package.json'), JSON.stringify({ private: true, dependencies: { [types]: `file:${tarballs.get(types)!}` } }));
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: project });
  const script = `
    import { createRequire } from 'node:module';
    const esm = await import('${types}');
    const cjs = createRequire(import.meta.url)('${types}');
    const fromCjs = new cjs.WebSocketError('x', 'SEND_FAILED');
    console.log(JSON.stringify([esm.WebSocketError !== cjs.WebSocketError, fromCjs instanceof esm.WebSocketError,
      new esm.WebSocketError('y', 'SEND_FAILED') instanceof cjs.WebSocketError, new Error('z') instanceof esm.WebSocketError]));`;
  const { stdout } = await run('node', ['--input-type=module', '-e', script], { cwd: project });
  expect(JSON.parse(stdout)).toEqual([true, true, true, false]);
});

it('finds the published packages', () => {
  expect(packages.map((pkg) => pkg.manifest.name)).toContain('@composable-svelte/ws-types');
});
