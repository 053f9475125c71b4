import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';
import { packageProject } from './vitest.shared.js';

const packages = join(import.meta.dirname, 'packages');

/** One project per package folder, so a new package is tested without editing this file. */
const packageProjects = readdirSync(packages, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(packages, entry.name, 'package.json')))
  .map(({ name }) =>
    existsSync(join(packages, name, 'vitest.config.ts')) ? join(packages, name, 'vitest.config.ts') : packageProject(name),
  );

/** Examples join the run through a vitest.config.ts of their own. */
const examples = join(import.meta.dirname, 'examples');
const exampleProjects = existsSync(examples)
  ? readdirSync(examples)
      .map((name) => join(examples, name, 'vitest.config.ts'))
      .filter((config) => existsSync(config))
  : [];

export default defineConfig({
  test: {
    projects: [
      ...packageProjects,
      ...exampleProjects,
      join(import.meta.dirname, 'bench/vitest.config.ts'),
      join(import.meta.dirname, 'docs/vitest.config.ts'),
      {
        ...packageProject('ws-types'),
        test: { name: 'composition', root: join(import.meta.dirname, 'tests/composition'), include: ['**/*.test.ts'] },
      },
      {
        ...packageProject('ws-types'),
        test: {
          name: 'reliability',
          root: join(import.meta.dirname, 'tests/reliability'),
          include: ['**/*.test.ts'],
          // Real sockets, real timers and thousands of cycles: generous, each phase has its own clear timeout.
          testTimeout: 300_000,
          hookTimeout: 60_000,
          // The leak test measures the heap after global.gc(); one file at a time keeps the 2 cores for the run.
          execArgv: ['--expose-gc'],
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'packaging',
          root: import.meta.dirname,
          include: ['tests/packaging/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          // Packing and installing are heavy on a 2-core machine: one file at a time.
          fileParallelism: false,
        },
      },
    ],
    reporters: process.env.CI ? ['default', ['json', { outputFile: join(import.meta.dirname, `reports/vitest-${process.env.VITEST_REPORT ?? 'test'}.json`) }]] : ['default'],
  },
});
