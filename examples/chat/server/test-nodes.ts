// Chat nodes as real child processes, for the failover tests (a SIGKILL needs a process of its
// own): the server is built once with tsup, then each node is `node main.js`.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const root = join(import.meta.dirname, '..');
const run = promisify(execFile);

/**
 * Builds the server (server/main.ts) into node_modules/.cache (beside the package's own
 * dependencies, which the build imports; `dist-server` of `pnpm chat` is left alone) and
 * returns the entry file.
 */
export async function buildServer(): Promise<string> {
  const out = join(root, 'node_modules/.cache/chat-test-server');
  await run(process.execPath, [join(root, 'node_modules/tsup/dist/cli-default.js'), 'server/main.ts', '--format', 'esm', '--target', 'node20', '--out-dir', out, '--clean', '--silent'], {
    cwd: root,
  });
  return join(out, 'main.js');
}

/** A chat node in a child process. */
export interface NodeProcess {
  readonly url: string;
  readonly wsUrl: string;
  readonly child: ChildProcess;
  /** Kills it with `signal` (default SIGKILL) and resolves once it exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts `node entry` with `env` on `port` (0: a free one); resolves once it listens. */
export async function startNode(entry: string, env: Record<string, string>, port = 0): Promise<NodeProcess> {
  const child = spawn(process.execPath, [entry], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env, PORT: String(port) } });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`The chat node did not start within 15 s:\n${output}`)), 15_000);
    const read = (chunk: Buffer): void => {
      output += chunk.toString();
      const found = /running at (http:\/\/\S+\/)/.exec(output);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]!);
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`The chat node exited (${signal ?? code}) before it listened:\n${output}`));
    });
  });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return {
    url,
    wsUrl: `${url.replace(/^http/, 'ws')}ws`,
    child,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
