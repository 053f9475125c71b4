/**
 * The packaging gate: every published package is packed with pnpm (which swaps `exports` for
 * `publishConfig.exports`, as `pnpm publish` and `changeset publish` do), and the tarball is
 * what gets checked: publint --strict and attw pass on it; it ships the root LICENSE, lists
 * CHANGELOG.md in `files`, has `homepage` and `bugs`, keeps the workspace's source condition
 * out of its `exports`, and declares the optional peers its entries need; it installs alone
 * (with only the tarballs of the workspace packages it depends on) into a fresh project where
 * it imports from ESM, from CJS, and type-checks with the oldest TypeScript the READMEs promise
 * and with the workspace's.
 *
 * Optional peer dependencies (`ws` for ws-testing's `/server`) are what a user installs to use
 * the entry that needs them: they are linked from the workspace's own install (with their
 * `@types/` package when there is one), since `npm install --offline` cannot fetch them.
 *
 * Needs the packages built (`pnpm test` builds them first).
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
const bin = (name: string): string => join(root, 'node_modules/.bin', name);

/** The workspace's own export condition: points at ./src, which no tarball holds. */
const SOURCE_CONDITION = '@composable-svelte/source';

/**
 * The root devDependency (an alias pinned in the catalog) holding the oldest TypeScript the
 * published `.d.ts` support: 5.4 for `NoInfer` (ws-router, ws-effects).
 */
const OLDEST_TYPESCRIPT = 'typescript-5.4';

/**
 * Optional peers a package must declare although no import in its build names them: what the
 * user brings. The peers its build does import are checked from the tarball's files.
 */
const BROUGHT_BY_THE_USER: Record<string, string[]> = {
  // Node 20 has no global WebSocket: users pass ws's to `createLiveWebSocket({ WebSocket })`.
  '@composable-svelte/ws-core': ['ws'],
  // `/server` runs ws servers, and its types name ws's and Node's.
  '@composable-svelte/ws-testing': ['ws', '@types/ws', '@types/node'],
  // The effects are run by the core's store (typed structurally, never imported).
  '@composable-svelte/ws-effects': ['@composable-svelte/core'],
};

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  license?: string;
  homepage?: string;
  bugs?: string | { url?: string };
  repository?: { url: string; directory?: string };
  files?: string[];
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  exports: Record<string, unknown>;
  publishConfig?: { exports?: Record<string, unknown> };
}

const readJson = <T,>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

const packages = readdirSync(join(root, 'packages'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(root, 'packages', entry.name, 'package.json')))
  .map((entry) => {
    const dir = join(root, 'packages', entry.name);
    return { dir, manifest: readJson<Manifest>(join(dir, 'package.json')) };
  })
  .filter(({ manifest }) => manifest.private !== true);

const byName = new Map(packages.map((pkg) => [pkg.manifest.name, pkg]));

/** The TypeScript compilers every consumer project is checked with: the oldest supported, the workspace's. */
const compilers = ['typescript', OLDEST_TYPESCRIPT].map((name) => {
  const folder = join(root, 'node_modules', name);
  return { tsc: join(folder, 'bin/tsc'), version: readJson<{ version: string }>(join(folder, 'package.json')).version };
});
const oldest = compilers[1]!;
/** `5.4` for 5.4.5: the minimum the READMEs state. */
const minimumTypeScript = oldest.version.split('.').slice(0, 2).join('.');

/** A version pinned in the workspace catalog. */
function catalogVersion(name: string): string {
  const catalog = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8');
  const version = new RegExp(`^\\s+"?${name.replace(/[.]/g, '\\.')}"?:\\s*(\\S+)\\s*$`, 'm').exec(catalog)?.[1];
  if (version === undefined) throw new Error(`${name} is not in the catalog of pnpm-workspace.yaml`);
  return version;
}

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
  return join(dir, (manifest.exports[key] as Record<string, string>)[SOURCE_CONDITION]!);
}

/** Every condition name used anywhere in an exports map, and every target path. */
function walkExports(value: unknown, conditions = new Set<string>(), targets = new Set<string>()): { conditions: Set<string>; targets: Set<string> } {
  if (typeof value === 'string') targets.add(value);
  else if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (!key.startsWith('.')) conditions.add(key);
      walkExports(inner, conditions, targets);
    }
  }
  return { conditions, targets };
}

/** An exports map without the source condition: what the tarball must carry. */
function withoutSource(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => key !== SOURCE_CONDITION).map(([key, inner]) => [key, withoutSource(inner)]));
}

/** The `@types/` package of a package name: `@types/ws`, `@types/scope__name`. */
const typesOf = (name: string): string => `@types/${name.replace(/^@(.*)\//, '$1__')}`;

/** The folder of a package as the workspace's install finds it from `dir`, whatever its exports map allows. */
function installed(dir: string, name: string): string | undefined {
  for (const base of createRequire(join(dir, 'package.json')).resolve.paths(name) ?? []) {
    if (existsSync(join(base, name, 'package.json'))) return realpathSync(join(base, name));
  }
  return undefined;
}

/**
 * The optional peer dependencies of a package, and their `@types/` packages, as found in the
 * workspace's install: name to real folder. A declared peer the workspace lacks is an error
 * (the consumer could not be given it), a missing `@types/` package is not (the peer has its
 * own types, or none).
 */
function optionalPeers(dir: string, manifest: Manifest): Map<string, string> {
  const found = new Map<string, string>();
  for (const peer of Object.keys(manifest.peerDependencies ?? {})) {
    if (manifest.peerDependenciesMeta?.[peer]?.optional !== true) continue;
    const folder = installed(dir, peer);
    if (folder === undefined) throw new Error(`${manifest.name}: its optional peer ${peer} is not installed in the workspace`);
    found.set(peer, folder);
    const types = peer.startsWith('@types/') ? undefined : installed(dir, typesOf(peer));
    if (types !== undefined) found.set(typesOf(peer), types);
  }
  return found;
}

/** Whether an installed package carries its own type declarations. */
function hasOwnTypes(folder: string): boolean {
  const manifest = readJson<{ types?: string; typings?: string; exports?: unknown }>(join(folder, 'package.json'));
  return manifest.types !== undefined || manifest.typings !== undefined || existsSync(join(folder, 'index.d.ts')) || walkExports(manifest.exports).conditions.has('types');
}

/** The packages a built file imports (ESM `import`/`export ... from`, `import()`, `require()`), comments left out. */
function importedPackages(code: string): Set<string> {
  const text = code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found = new Set<string>();
  const patterns = [/^\s*(?:import|export)\b[^;'"]*?\bfrom\s*(['"])([^'"]+)\1/gm, /^\s*import\s*(['"])([^'"]+)\1/gm, /\b(?:import|require)\s*\(\s*(['"])([^'"]+)\1\s*\)/g];
  for (const pattern of patterns) {
    for (const match of text.matchAll(pattern)) {
      const specifier = match[2]!;
      if (specifier.startsWith('.') || specifier.startsWith('/')) continue;
      found.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!);
    }
  }
  return found;
}

const isBuiltin = (name: string): boolean => name.startsWith('node:') || builtinModules.includes(name);

/** Every file under a folder, as paths relative to it. */
function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(dir, join(prefix, entry.name)) : [join(prefix, entry.name)],
  );
}

/** Runs a command, failing with its output when it exits non-zero. */
async function checkCommand(command: string, args: string[], cwd: string): Promise<void> {
  await run(command, args, { cwd }).catch((error: { stdout?: string; stderr?: string }) => {
    throw new Error(`${command} ${args.join(' ')} failed:\n${error.stdout ?? ''}${error.stderr ?? ''}`);
  });
}

let work: string;
const tarballs = new Map<string, string>();
/** Each tarball, unpacked: name to its `package/` folder. */
const unpacked = new Map<string, string>();
const rootLicense = readFileSync(join(root, 'LICENSE'), 'utf8');

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'ws-pack-'));
  for (const { dir, manifest } of packages) {
    expect(existsSync(join(dir, 'dist')), `${manifest.name} is not built`).toBe(true);
    const { stdout } = await run('pnpm', ['pack', '--pack-destination', work], { cwd: dir });
    const file = stdout.trim().split('\n').pop()!.trim();
    const tarball = file.startsWith('/') ? file : join(work, file);
    tarballs.set(manifest.name, tarball);
    const into = join(work, 'unpacked', manifest.name);
    mkdirSync(into, { recursive: true });
    await run('tar', ['-xzf', tarball, '-C', into]);
    unpacked.set(manifest.name, join(into, 'package'));
  }
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe.each(packages.map((pkg) => [pkg.manifest.name, pkg] as const))('%s', (name, { dir, manifest }) => {
  const packed = (): Manifest => readJson<Manifest>(join(unpacked.get(name)!, 'package.json'));

  it('passes publint --strict on its tarball', async () => {
    await checkCommand(bin('publint'), ['run', tarballs.get(name)!, '--strict'], dir);
  });

  // On the pnpm tarball, not `attw --pack` (npm pack), which would check the workspace's exports.
  it('passes attw on its tarball', async () => {
    await checkCommand(bin('attw'), [tarballs.get(name)!, '--format', 'ascii'], dir);
  });

  // pnpm pack falls back to the workspace root's LICENSE when a package folder has none; the
  // folder copies (checked at the end of this file) are what npm pack and readers of the folder see.
  it('ships the root LICENSE (MIT)', () => {
    const license = join(unpacked.get(name)!, 'LICENSE');
    expect(existsSync(license), `${name}: no LICENSE in the tarball (packages/*/LICENSE is a copy of the root one)`).toBe(true);
    expect(readFileSync(license, 'utf8'), `${name}: its LICENSE differs from the root one`).toBe(rootLicense);
    expect(rootLicense).toMatch(/^MIT License\n\nCopyright \(c\) 2026 Composable Svelte contributors\n/);
    expect(packed().license).toBe('MIT');
  });

  it('lists CHANGELOG.md in files (npm packs it only when listed)', () => {
    expect(packed().files, `${name}: CHANGELOG.md (written by changesets) is not in files`).toContain('CHANGELOG.md');
    if (existsSync(join(dir, 'CHANGELOG.md'))) expect(existsSync(join(unpacked.get(name)!, 'CHANGELOG.md'))).toBe(true);
  });

  it('has homepage and bugs on the repository', () => {
    const { homepage, bugs, repository } = packed();
    const repo = /^(?:git\+)?(https:\/\/github\.com\/[^/]+\/[^/.]+)(?:\.git)?$/.exec(repository?.url ?? '')?.[1];
    expect(repo, `${name}: repository.url is not a GitHub URL`).toBeDefined();
    expect(homepage).toBe(`${repo!}/tree/main/${repository!.directory!}#readme`);
    expect(typeof bugs === 'string' ? bugs : bugs?.url).toBe(`${repo!}/issues`);
  });

  it('publishes its exports without the source condition', () => {
    // The workspace keeps the condition on every code entry (tests and type-checks need no build)...
    for (const key of Object.keys(manifest.exports).filter((k) => k !== './package.json')) {
      expect(walkExports(manifest.exports[key]).conditions, `${name} ${key} (workspace)`).toContain(SOURCE_CONDITION);
    }
    // ...and the tarball has none of it: the same map, minus that condition.
    const { exports } = packed();
    const { conditions, targets } = walkExports(exports);
    expect([...conditions]).not.toContain(SOURCE_CONDITION);
    expect([...targets].filter((target) => target.startsWith('./src/'))).toEqual([]);
    for (const target of targets) expect(existsSync(join(unpacked.get(name)!, target)), `${name}: ${target} is not in the tarball`).toBe(true);
    expect(exports).toEqual(withoutSource(manifest.exports));
  });

  it('declares the optional peers its entries need', () => {
    const { dependencies = {}, peerDependencies = {}, peerDependenciesMeta = {} } = packed();
    const needed = new Set(BROUGHT_BY_THE_USER[name] ?? []);
    const folder = unpacked.get(name)!;
    for (const file of filesUnder(folder).filter((f) => /\.(?:c?js|d\.c?ts)$/.test(f))) {
      const declarations = /\.d\.c?ts$/.test(file);
      for (const imported of importedPackages(readFileSync(join(folder, file), 'utf8'))) {
        if (isBuiltin(imported)) {
          // Node's modules need nothing to run, but their types come from @types/node.
          if (declarations) needed.add('@types/node');
          continue;
        }
        if (imported in dependencies) continue;
        expect(Object.keys(peerDependencies), `${name}: ${file} imports ${imported}, which is neither a dependency nor a peer`).toContain(imported);
        const own = installed(dir, imported);
        if (declarations && own !== undefined && !hasOwnTypes(own)) needed.add(typesOf(imported));
      }
    }
    for (const peer of needed) {
      expect(peerDependencies[peer], `${name}: ${peer} is not a peer dependency`).toBeDefined();
      expect(peerDependenciesMeta[peer]?.optional, `${name}: ${peer} is a peer but not optional`).toBe(true);
    }
  });

  it(`states the TypeScript minimum (>= ${minimumTypeScript}) in its README's install section`, () => {
    // From the install line to the next heading.
    const section = /^pnpm add [^\n]*\n[\s\S]*?(?=^#|$(?![\s\S]))/m.exec(readFileSync(join(dir, 'README.md'), 'utf8'))?.[0];
    expect(section, `${name}: README has no install line`).toBeDefined();
    expect(section).toContain(`TypeScript >= ${minimumTypeScript}`);
  });

  it(`installs alone and loads from ESM, CJS and TypeScript (${compilers.map((c) => c.version).join(' and ')})`, async () => {
    const project = mkdtempSync(join(work, 'consumer-'));
    const deps = [...closure(name)];
    const peers = optionalPeers(dir, manifest);
    for (const peer of BROUGHT_BY_THE_USER[name] ?? []) expect([...peers.keys()]).toContain(peer);
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
    await checkCommand('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], project);

    // Nothing but the package, its own workspace dependencies and its optional peers was installed.
    const scoped = readdirSync(join(project, 'node_modules/@composable-svelte')).map((n) => `@composable-svelte/${n}`);
    expect(scoped.sort()).toEqual([...deps, ...[...peers.keys()].filter((peer) => peer.startsWith('@composable-svelte/'))].sort());
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
    // resolution, with the plain ES2022 + DOM lib, the libraries' own .d.ts checked too
    // (`skipLibCheck: false`), with the oldest supported TypeScript and the workspace's. The
    // `/internal` plumbing (not for apps) is checked apart: its classes implement
    // `Symbol.dispose`, which needs `esnext.disposable`. A fixture in tests/packaging/fixtures
    // named after the package folder joins the public check.
    const fixture = join(import.meta.dirname, 'fixtures', `${dir.split('/').pop()!}.mts`);
    if (existsSync(fixture)) copyFileSync(fixture, join(project, 'fixture.mts'));
    const check = async (group: string, which: string[], lib: string[], extra: string[] = []): Promise<void> => {
      if (which.length === 0) return;
      const lines = (ext: string) =>
        which.map((entry, i) => `import * as e${i} from ${JSON.stringify(entry)};\nexport const keys${i}${ext}: (keyof typeof e${i})[] = [];`).join('\n');
      writeFileSync(join(project, `${group}-esm.mts`), lines('m'));
      writeFileSync(join(project, `${group}-cjs.cts`), lines('c'));
      writeFileSync(
        join(project, `tsconfig.${group}.json`),
        JSON.stringify({
          compilerOptions: { module: 'node16', moduleResolution: 'node16', strict: true, noEmit: true, lib, types: [], skipLibCheck: false },
          files: [`${group}-esm.mts`, `${group}-cjs.cts`, ...extra],
        }),
      );
      for (const { tsc, version } of compilers) {
        await checkCommand(process.execPath, [tsc, '-p', join(project, `tsconfig.${group}.json`)], project).catch((error: Error) => {
          throw new Error(`TypeScript ${version}: ${error.message}`);
        });
      }
    };
    const all = entries(manifest);
    await check('public', all.filter((entry) => !entry.endsWith('/internal')), ['ES2022', 'DOM'], existsSync(fixture) ? ['fixture.mts'] : []);
    await check('internal', all.filter((entry) => entry.endsWith('/internal')), ['ES2022', 'DOM', 'ESNext.Disposable']);
  });
});

it('type-checks consumers with the oldest TypeScript the READMEs state and with the workspace\'s', async () => {
  expect(compilers.map((c) => c.version)).toEqual([catalogVersion('typescript'), catalogVersion(OLDEST_TYPESCRIPT).replace(/^npm:typescript@/, '')]);
  for (const { tsc, version } of compilers) {
    const { stdout } = await run(process.execPath, [tsc, '--version']);
    expect(stdout.trim()).toBe(`Version ${version}`);
  }
  // The alias must not take over the workspace's `tsc`.
  const { stdout } = await run(bin('tsc'), ['--version']);
  expect(stdout.trim()).toBe(`Version ${catalogVersion('typescript')}`);
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

it('keeps every package folder\'s LICENSE identical to the root one', () => {
  for (const { dir, manifest } of packages) {
    expect(existsSync(join(dir, 'LICENSE')), `${manifest.name}: no LICENSE`).toBe(true);
    expect(readFileSync(join(dir, 'LICENSE'), 'utf8'), `${manifest.name}: LICENSE differs from the root one`).toBe(rootLicense);
  }
});
