/**
 * A release rehearsal on a real registry: a local Verdaccio (scripts/local-registry.mjs, on
 * 127.0.0.1, a port the system picks, no uplink: nothing is fetched from or published to any
 * other registry) and a clean clone of the current commit in a temporary folder, released the
 * way the maintainers release, with `changeset version` and `changeset publish`:
 *
 * 1. The baseline release: the pending changesets of the commit, if any, are versioned (the
 *    release they prepare), the packages are built and `changeset publish` publishes every
 *    public package at its version, and nothing else.
 * 2. One changeset, a patch for ws-heartbeat: `changeset version` bumps it and the dependents
 *    whose published range no longer admits the new version (computed here from the manifests,
 *    and compared with what changesets did); `changeset publish` then publishes exactly those,
 *    each at its new version, with its CHANGELOG entry, the LICENSE and no `workspace:` range;
 *    every other package keeps only its baseline version.
 * 3. A fresh consumer installs ws-core and ws-testing by name and version range from that
 *    registry (npm, nothing else installed) and runs a `node --test` suite with them.
 *
 * Needs the workspace installed (the clone's `pnpm install --prefer-offline` uses pnpm's store)
 * and git. The registry and the temporary folders are removed afterwards, whatever happens.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');

/** The one package the rehearsal's changeset is about, and its bump. */
const CHANGED = '@composable-svelte/ws-heartbeat';
const BUMP = 'patch';
const SUMMARY = 'Release rehearsal: a patch of ws-heartbeat alone.';

/** What the consumer installs by name. */
const CONSUMED = ['@composable-svelte/ws-core', '@composable-svelte/ws-testing'];

/** Tests in fixtures/registry-consumer/live-client.test.mjs. */
const CONSUMER_TESTS = 4;

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

interface Packument {
  name: string;
  versions: Record<string, Manifest & { dist: { tarball: string } }>;
  'dist-tags': Record<string, string>;
}

const readJson = <T,>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

/**
 * The environment of the commands: the runner's, minus what would make a nested tool think it
 * is a worker of this run, and minus every npm setting from the environment (pnpm sets some when
 * it runs vitest): the registry is named explicitly where it matters.
 */
const baseEnv = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST') && !/^npm_config_/i.test(key) && key !== 'NODE_OPTIONS' && key !== 'TEST'),
);

/** Runs a command, failing with the step's name and the command's output when it exits non-zero. */
async function step(what: string, command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = baseEnv): Promise<string> {
  try {
    const { stdout } = await run(command, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${what}: ${command} ${args.join(' ')} failed:\n${stdout}${stderr}`, { cause: error });
  }
}

/** The public packages of a checkout: name to manifest. */
function publicPackages(checkout: string): Map<string, Manifest> {
  const found = new Map<string, Manifest>();
  for (const entry of readdirSync(join(checkout, 'packages'), { withFileTypes: true })) {
    const file = join(checkout, 'packages', entry.name, 'package.json');
    if (!entry.isDirectory() || !existsSync(file)) continue;
    const manifest = readJson<Manifest>(file);
    if (manifest.private !== true) found.set(manifest.name, manifest);
  }
  return found;
}

const versionsOf = (packages: Map<string, Manifest>): Map<string, string> => new Map([...packages].map(([name, m]) => [name, m.version]));

/** `1.2.3` as numbers; prerelease versions are not part of this rehearsal. */
function parse(version: string): [number, number, number] {
  const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
  if (!match) throw new Error(`unsupported version ${version} (plain x.y.z only)`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

function bumped(version: string, bump: 'patch' | 'minor' | 'major'): string {
  const [major, minor, patch] = parse(version);
  if (bump === 'major') return `${major + 1}.0.0`;
  if (bump === 'minor') return `${major}.${minor + 1}.0`;
  return `${major}.${minor}.${patch + 1}`;
}

/**
 * Whether the range a `workspace:` specifier is published as (pnpm writes `workspace:^` as
 * `^<version>`, `workspace:~` as `~<version>`, `workspace:*` as the exact version) admits a
 * newer version. Other specifiers are not used between our packages: an error says so.
 */
function admits(specifier: string, published: string, next: string): boolean {
  const [a, b, c] = parse(published);
  const [x, y, z] = parse(next);
  switch (specifier) {
    case 'workspace:^':
      return a > 0 ? x === a : b > 0 ? x === 0 && y === b : x === 0 && y === 0 && z === c;
    case 'workspace:~':
      return x === a && y === b;
    case 'workspace:*':
      return next === published;
    default:
      throw new Error(`unsupported specifier ${specifier} between workspace packages (workspace:^, workspace:~ or workspace:* expected)`);
  }
}

/**
 * The packages a release of `changed` (with `bump`) must publish: itself, and every package
 * whose dependency on a bumped one no longer admits the new version (a patch for it), until
 * nothing changes. Internal peer or optional dependencies would follow other rules: none exist.
 */
function expectedBumps(packages: Map<string, Manifest>, changed: string, bump: 'patch' | 'minor' | 'major'): Map<string, string> {
  for (const manifest of packages.values()) {
    for (const field of ['peerDependencies', 'optionalDependencies'] as const) {
      const internal = Object.keys(manifest[field] ?? {}).filter((dep) => packages.has(dep));
      if (internal.length > 0) throw new Error(`${manifest.name} has ${field} on ${internal.join(', ')}: this rehearsal does not model them`);
    }
  }
  const target = packages.get(changed);
  if (target === undefined) throw new Error(`${changed} is not a public package of the workspace (${[...packages.keys()].join(', ')})`);
  const next = new Map([[changed, bumped(target.version, bump)]]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [name, manifest] of packages) {
      if (next.has(name)) continue;
      const outOfRange = Object.entries(manifest.dependencies ?? {}).some(
        ([dep, specifier]) => next.has(dep) && !admits(specifier, packages.get(dep)!.version, next.get(dep)!),
      );
      if (outOfRange) {
        next.set(name, bumped(manifest.version, 'patch'));
        grew = true;
      }
    }
  }
  return next;
}

/** Reads the registry's document of a package; `undefined` for a 404. */
async function packument(name: string): Promise<Packument | undefined> {
  const response = await fetch(new URL(name.replace('/', '%2f'), registryUrl));
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`GET ${name}: ${response.status} ${await response.text()}`);
  return (await response.json()) as Packument;
}

/** The packages Verdaccio holds as published to it (its local database), sorted. */
function publishedNames(): string[] {
  return [...readJson<{ list: string[] }>(join(registryDir, 'storage/.verdaccio-db.json')).list].sort();
}

/** The versions on the registry of each package, sorted. */
async function registryVersions(names: Iterable<string>): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>();
  for (const name of names) found.set(name, Object.keys((await packument(name))?.versions ?? {}).sort());
  return found;
}

let work: string;
let clone: string;
let registryDir: string;
let registryUrl: string;
let registry: ChildProcess | undefined;
let registryExited: Promise<void>;
/** The environment for publishing: the registry named explicitly (changesets reads `npm_config_registry`). */
let publishEnv: NodeJS.ProcessEnv;

/** Everything the rehearsal saw, for the tests below. */
const seen = {
  privateNames: [] as string[],
  baseline: new Map<string, string>(),
  afterBaseline: { published: [] as string[], versions: new Map<string, string[]>() },
  expected: new Map<string, string>(),
  versioned: new Map<string, string>(),
  afterRelease: { published: [] as string[], versions: new Map<string, string[]>(), latest: new Map<string, string>() },
  tags: [] as string[],
};

/** Starts the registry and resolves with its URL once it listens. */
async function startRegistry(): Promise<string> {
  registryDir = join(work, 'registry');
  mkdirSync(registryDir);
  const child = spawn(process.execPath, [join(root, 'scripts/local-registry.mjs'), '--dir', registryDir, '--uplink', 'none'], {
    cwd: work,
    env: baseEnv,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  registry = child;
  registryExited = new Promise((done) => child.once('exit', () => done()));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((done, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`the registry did not start within 60 s:\n${stderr}`)), 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n')[0]!;
      if (!stdout.includes('\n')) return;
      clearTimeout(timer);
      try {
        done((JSON.parse(line) as { url: string }).url);
      } catch {
        reject(new Error(`the registry said ${line}\n${stderr}`));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the registry exited (${code}) before listening:\n${stderr}`));
    });
  });
}

async function commitAll(message: string): Promise<void> {
  await step('git add', 'git', ['add', '-A'], clone);
  await step('git commit', 'git', ['commit', '-q', '--no-verify', '-m', message], clone);
}

async function build(names: Iterable<string>): Promise<void> {
  const filters = [...names].flatMap((name) => ['--filter', name]);
  await step('build', 'pnpm', [...filters, '--workspace-concurrency=2', 'run', 'build'], clone);
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'ws-release-'));
  clone = join(work, 'repo');
  registryUrl = await startRegistry();

  // A clean clone of the current commit, installed from pnpm's store.
  await step('clone', 'git', ['clone', '-q', root, clone], work);
  await step('git config', 'git', ['config', 'user.email', 'rehearsal@localhost'], clone);
  await step('git config', 'git', ['config', 'user.name', 'Release rehearsal'], clone);
  await step('install', 'pnpm', ['install', '--frozen-lockfile', '--prefer-offline'], clone);

  // Publishing goes to the rehearsal's registry only: the clone's .npmrc (read by pnpm publish)
  // and npm_config_registry (read by changesets for its `npm info` checks) both name it, with a
  // dummy token (the registry lets anyone publish the scope). Kept out of git.
  const host = registryUrl.replace(/^https?:/, '');
  const npmrc = `registry=${registryUrl}\n${host}:_authToken=rehearsal-dummy-token\n`;
  writeFileSync(join(clone, '.npmrc'), npmrc);
  writeFileSync(join(work, 'user.npmrc'), npmrc);
  writeFileSync(join(clone, '.git/info/exclude'), '.npmrc\n', { flag: 'a' });
  publishEnv = { ...baseEnv, npm_config_registry: registryUrl, npm_config_userconfig: join(work, 'user.npmrc'), npm_config_fetch_retries: '0' };

  // The workspace's private packages (pnpm-workspace.yaml: packages/*, examples/*, bench, docs, and the root).
  const folders = ['.', 'bench', 'docs', ...['packages', 'examples'].flatMap((dir) => readdirSync(join(clone, dir)).map((name) => `${dir}/${name}`))];
  seen.privateNames = folders
    .map((folder) => join(clone, folder, 'package.json'))
    .filter((file) => existsSync(file))
    .map((file) => readJson<Manifest>(file))
    .filter((manifest) => manifest.private === true)
    .map((manifest) => manifest.name);
  const tagsBefore = new Set((await step('git tag', 'git', ['tag', '--list'], clone)).split('\n').filter(Boolean));

  // 1. The baseline release: what the pending changesets prepare (or the current versions).
  const pending = readdirSync(join(clone, '.changeset')).filter((file) => file.endsWith('.md') && file !== 'README.md');
  if (pending.length > 0) {
    await step('changeset version (baseline)', 'pnpm', ['exec', 'changeset', 'version'], clone);
    await commitAll('Version packages (baseline of the rehearsal)');
  }
  const baselinePackages = publicPackages(clone);
  seen.baseline = versionsOf(baselinePackages);
  await build(baselinePackages.keys());
  await step('changeset publish (baseline)', 'pnpm', ['exec', 'changeset', 'publish'], clone, publishEnv);
  seen.afterBaseline = { published: publishedNames(), versions: await registryVersions(baselinePackages.keys()) };

  // 2. One changeset for one package, versioned and published as the maintainers do.
  seen.expected = expectedBumps(baselinePackages, CHANGED, BUMP);
  writeFileSync(join(clone, '.changeset/release-rehearsal.md'), `---\n'${CHANGED}': ${BUMP}\n---\n\n${SUMMARY}\n`);
  await commitAll('Changeset for the rehearsal');
  await step('changeset version', 'pnpm', ['exec', 'changeset', 'version'], clone);
  const released = versionsOf(publicPackages(clone));
  seen.versioned = new Map([...released].filter(([name, version]) => seen.baseline.get(name) !== version));
  await commitAll('Version packages (rehearsal)');
  await build(seen.versioned.keys());
  await step('changeset publish', 'pnpm', ['exec', 'changeset', 'publish'], clone, publishEnv);
  const after = await registryVersions(released.keys());
  const latest = new Map<string, string>();
  for (const name of released.keys()) latest.set(name, (await packument(name))!['dist-tags'].latest!);
  seen.afterRelease = { published: publishedNames(), versions: after, latest };
  seen.tags = (await step('git tag', 'git', ['tag', '--list'], clone))
    .split('\n')
    .filter((tag) => tag !== '' && !tagsBefore.has(tag))
    .sort();
}, 600_000);

afterAll(async () => {
  if (registry?.exitCode === null) {
    registry.kill('SIGTERM');
    const killer = setTimeout(() => registry?.kill('SIGKILL'), 5000);
    await registryExited;
    clearTimeout(killer);
  }
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the baseline release', () => {
  it('publishes every public package at its version, and nothing else', () => {
    expect(seen.baseline.size).toBeGreaterThan(1);
    expect(seen.afterBaseline.published).toEqual([...seen.baseline.keys()].sort());
    expect(Object.fromEntries(seen.afterBaseline.versions)).toEqual(Object.fromEntries([...seen.baseline].map(([name, version]) => [name, [version]])));
  });

  it('publishes none of the private workspace packages', async () => {
    expect(seen.privateNames).toContain('@composable-svelte/example-chat');
    for (const name of seen.privateNames) expect(await packument(name), `${name} is private`).toBeUndefined();
  });
});

describe(`one changeset (${BUMP} of ${CHANGED})`, () => {
  it('makes changesets bump the package and the dependents whose range it leaves, as computed from the manifests', () => {
    expect(seen.expected.get(CHANGED)).toBe(bumped(seen.baseline.get(CHANGED)!, BUMP));
    expect(Object.fromEntries(seen.versioned)).toEqual(Object.fromEntries(seen.expected));
  });

  it('publishes exactly the bumped packages at their new versions; the others keep only their baseline', () => {
    const expectedVersions = Object.fromEntries(
      [...seen.baseline].map(([name, version]) => [name, seen.versioned.has(name) ? [version, seen.versioned.get(name)!].sort() : [version]]),
    );
    expect(Object.fromEntries(seen.afterRelease.versions)).toEqual(expectedVersions);
    expect(Object.fromEntries(seen.afterRelease.latest)).toEqual(Object.fromEntries([...seen.baseline].map(([name, version]) => [name, seen.versioned.get(name) ?? version])));
    // No new package appeared on the registry either.
    expect(seen.afterRelease.published).toEqual(seen.afterBaseline.published);
  });

  it('tags every release in git (and nothing else)', () => {
    const tags = [...[...seen.baseline].map(([name, version]) => `${name}@${version}`), ...[...seen.versioned].map(([name, version]) => `${name}@${version}`)];
    expect(seen.tags).toEqual(tags.sort());
  });

  it('publishes tarballs with the CHANGELOG entry, the LICENSE and resolved internal ranges', async () => {
    const license = readFileSync(join(root, 'LICENSE'), 'utf8');
    for (const [name, version] of seen.versioned) {
      const document = (await packument(name))!;
      const published = document.versions[version]!;
      const response = await fetch(published.dist.tarball);
      expect(response.ok, `${name}@${version}: GET ${published.dist.tarball} gave ${response.status}`).toBe(true);
      const into = mkdtempSync(join(work, 'tarball-'));
      writeFileSync(join(into, 'package.tgz'), Buffer.from(await response.arrayBuffer()));
      await step('untar', 'tar', ['-xzf', 'package.tgz'], into);
      const unpacked = join(into, 'package');
      expect(readJson<Manifest>(join(unpacked, 'package.json')).version).toBe(version);
      expect(readFileSync(join(unpacked, 'LICENSE'), 'utf8'), `${name}: LICENSE`).toBe(license);
      const changelog = readFileSync(join(unpacked, 'CHANGELOG.md'), 'utf8');
      expect(changelog, `${name}: CHANGELOG.md`).toMatch(new RegExp(`^## ${version.replace(/\./g, '\\.')}$`, 'm'));
      if (name === CHANGED) expect(changelog).toContain(SUMMARY);
      for (const [dep, range] of Object.entries(published.dependencies ?? {})) {
        expect(range, `${name}: ${dep}`).not.toMatch(/^workspace:/);
        if (seen.baseline.has(dep)) expect(range, `${name}: ${dep} must admit its latest release`).toBe(`^${seen.afterRelease.latest.get(dep)!}`);
      }
    }
  });
});

describe('a fresh consumer of the registry', () => {
  it(`installs ${CONSUMED.join(' and ')} by name and runs a test with them`, async () => {
    const project = join(work, 'consumer');
    mkdirSync(project);
    const dependencies = Object.fromEntries(CONSUMED.map((name) => [name, `^${seen.baseline.get(name)!}`]));
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'registry-consumer', private: true, type: 'module', dependencies }, null, 2));
    // The whole registry is the rehearsal's: it has no uplink, so the install proves nothing else is needed.
    writeFileSync(join(project, '.npmrc'), `registry=${registryUrl}\n`);
    copyFileSync(join(import.meta.dirname, 'fixtures/registry-consumer/live-client.test.mjs'), join(project, 'live-client.test.mjs'));
    const env = { ...publishEnv, npm_config_cache: join(work, 'npm-cache') };
    await step('npm install', 'npm', ['install', '--no-audit', '--no-fund'], project, env);

    // What got installed: the two packages and ws-types, at the registry's latest versions, nothing else.
    const installed = readdirSync(join(project, 'node_modules')).filter((name) => !name.startsWith('.'));
    expect(installed).toEqual(['@composable-svelte']);
    const scoped = readdirSync(join(project, 'node_modules/@composable-svelte')).map((name) => `@composable-svelte/${name}`).sort();
    expect(scoped).toEqual([...CONSUMED, '@composable-svelte/ws-types'].sort());
    for (const name of scoped) {
      expect(readJson<Manifest>(join(project, 'node_modules', name, 'package.json')).version, name).toBe(seen.afterRelease.latest.get(name));
    }

    const stdout = await step('node --test', process.execPath, ['--test', '--test-reporter=tap', 'live-client.test.mjs'], project, env);
    expect(stdout).toMatch(new RegExp(`^# tests ${CONSUMER_TESTS}$`, 'm'));
    expect(stdout).toMatch(new RegExp(`^# pass ${CONSUMER_TESTS}$`, 'm'));
    expect(stdout).toMatch(/^# fail 0$/m);
  });
});
