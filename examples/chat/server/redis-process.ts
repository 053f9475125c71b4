// A redis-server of our own, on a free port of 127.0.0.1 with its own temporary folder: for
// `pnpm chat:cluster`, the tests and the load run. Never the system's service.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** Where redis-server is: `REDIS_SERVER` if set, else the first on `PATH`; `null` when there is none. */
export function findRedisServer(): string | null {
  const given = process.env.REDIS_SERVER;
  const candidates = given ? [given] : (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, 'redis-server'));
  for (const file of candidates) {
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not there: the next one
    }
  }
  return null;
}

/** What to tell a person who has no redis-server. */
export const INSTALL_REDIS = 'Install it (Debian/Ubuntu: apt-get install -y redis-server; macOS: brew install redis) or set REDIS_SERVER to its path.';

/** A free TCP port on 127.0.0.1 (free when asked: a race with other programs is possible, so callers retry). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** Options of {@link startRedis}. */
export interface StartRedisOptions {
  /** The redis-server binary. @defaultValue {@link findRedisServer} */
  binary?: string;
  /**
   * Keep the data on disk (append-only file in the temporary folder), so a restart of this
   * Redis keeps the rooms. @defaultValue `false`: in memory only (`--save '' --appendonly no`)
   */
  persist?: boolean;
  /** Time allowed to start, in ms. @defaultValue `10000` */
  timeout?: number;
}

/** A running redis-server. */
export interface RedisProcess {
  /** `redis://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  /** Its temporary folder (removed by `stop()`). */
  readonly dir: string;
  readonly child: ChildProcess;
  /** Stops it (SIGTERM, then SIGKILL after 5 s) and removes its folder. */
  stop(): Promise<void>;
}

const once = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });

/**
 * Starts redis-server on a free port of 127.0.0.1, in a new temporary folder. Resolves once it
 * accepts connections; rejects with a clear message when there is no redis-server or it does
 * not start (after trying three ports).
 */
export async function startRedis(options: StartRedisOptions = {}): Promise<RedisProcess> {
  const binary = options.binary ?? findRedisServer();
  if (binary === null) throw new Error(`redis-server was not found. ${INSTALL_REDIS}`);
  let last: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'chat-redis-'));
    const persistence = options.persist ? ['--appendonly', 'yes', '--save', ''] : ['--save', '', '--appendonly', 'no'];
    const child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, ...persistence, '--protected-mode', 'yes'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        let output = '';
        const timer = setTimeout(() => reject(new Error(`redis-server did not start within ${options.timeout ?? 10_000} ms:\n${output}`)), options.timeout ?? 10_000);
        const read = (chunk: Buffer): void => {
          output += chunk.toString();
          if (output.includes('Ready to accept connections')) {
            clearTimeout(timer);
            resolve();
          }
        };
        child.stdout?.on('data', read);
        child.stderr?.on('data', read);
        child.once('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
        child.once('exit', (code, signal) => {
          clearTimeout(timer);
          reject(new Error(`redis-server exited (${signal ?? code}) before it was ready:\n${output}`));
        });
      });
    } catch (error) {
      last = error;
      child.kill('SIGKILL');
      await once(child);
      rmSync(dir, { recursive: true, force: true });
      continue;
    }
    // Its log is not needed once ready; reading it keeps the pipe from filling up.
    child.stdout?.resume();
    child.stderr?.resume();
    return {
      url: `redis://127.0.0.1:${port}`,
      port,
      dir,
      child,
      async stop() {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
          await once(child);
          clearTimeout(timer);
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  throw last instanceof Error ? last : new Error(String(last));
}
