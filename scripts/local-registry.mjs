#!/usr/bin/env node
// A throw-away npm registry (Verdaccio) on 127.0.0.1, on a port the system picks, for release
// rehearsals. Usage:
//
//   node scripts/local-registry.mjs --dir DIR [--scope @composable-svelte] [--uplink URL|none]
//
//   --dir     (required) a folder for the registry's config, storage and log (created if missing).
//   --scope   the scope whose packages live only here: anyone may publish them, and they are
//             never fetched from (nor published to) any other registry. Default: @composable-svelte.
//   --uplink  where every other package comes from: a registry URL, or `none` for no other
//             package at all. Default: the registry of the environment's npm config at run time
//             (`npm config get registry`), so no host is written in this repository.
//
// Once listening it prints one JSON line on stdout, {"url":"http://127.0.0.1:PORT/","pid":N},
// and runs until SIGTERM or SIGINT, or until its standard input closes (the parent that started
// it with a pipe is gone), so a crashed test leaves no registry behind. Verdaccio's own log goes
// to DIR/verdaccio.log.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const USAGE = 'usage: node scripts/local-registry.mjs --dir DIR [--scope @scope] [--uplink URL|none]';

function fail(message) {
  process.stderr.write(`local-registry: ${message}\n${USAGE}\n`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      dir: { type: 'string' },
      scope: { type: 'string', default: '@composable-svelte' },
      uplink: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  }));
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}

if (!values.dir) fail('--dir is required');
if (!/^@[a-z0-9][a-z0-9._~-]*$/.test(values.scope)) fail(`--scope must look like @name, got ${JSON.stringify(values.scope)}`);

const dir = resolve(values.dir);
const uplink = values.uplink ?? execFileSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' }).trim();
if (uplink !== 'none') {
  let parsed;
  try {
    parsed = new URL(uplink);
  } catch {
    fail(`--uplink must be a URL or none, got ${JSON.stringify(uplink)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') fail(`--uplink must be an http(s) URL, got ${JSON.stringify(uplink)}`);
}

mkdirSync(join(dir, 'storage'), { recursive: true });

const config = {
  self_path: join(dir, 'config.yaml'),
  storage: join(dir, 'storage'),
  auth: { htpasswd: { file: join(dir, 'htpasswd'), max_users: -1 } },
  uplinks: uplink === 'none' ? {} : { upstream: { url: uplink } },
  packages: {
    // No `proxy`: the scope is never looked up elsewhere, so what a test reads is what it published.
    [`${values.scope}/*`]: { access: '$all', publish: '$all', unpublish: '$all' },
    // Everything else is read-only here: fetched through the uplink (if any), never published.
    '**': uplink === 'none' ? { access: '$all' } : { access: '$all', proxy: 'upstream' },
  },
  web: { enable: false },
  log: { type: 'file', path: join(dir, 'verdaccio.log'), format: 'json', level: 'http' },
};

// Resolved from the workspace root, where verdaccio is a devDependency.
const require = createRequire(join(import.meta.dirname, '..', 'package.json'));
const { runServer } = require('verdaccio');

const server = await runServer(config);
await new Promise((done, reject) => {
  server.once('error', reject);
  server.listen(0, '127.0.0.1', done);
});
const { port } = server.address();
process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}/`, pid: process.pid })}\n`);

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  server.closeAllConnections?.();
  server.close(() => process.exit(0));
  // Open keep-alive sockets must not hold the process: leave after a second whatever happens.
  setTimeout(() => process.exit(0), 1000).unref();
}
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
