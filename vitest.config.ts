import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

/** Packages resolve each other to their sources through this export condition: no build needed. */
const SOURCE_CONDITION = '@composable-svelte/source';

const resolve = { conditions: [SOURCE_CONDITION, ...defaultClientConditions] };
const ssr = { resolve: { conditions: [SOURCE_CONDITION, ...defaultServerConditions] } };

/** One project per package folder, so a new package is tested without editing this file. */
const packageProjects: TestProjectInlineConfiguration[] = readdirSync(join(import.meta.dirname, 'packages'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map(({ name }) => ({
    resolve,
    ssr,
    test: {
      name,
      root: join(import.meta.dirname, 'packages', name),
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      typecheck: {
        enabled: true,
        include: ['src/**/*.test-d.ts', 'test/**/*.test-d.ts'],
        tsconfig: 'tsconfig.json',
      },
    },
  }));

export default defineConfig({
  test: {
    projects: [
      ...packageProjects,
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
    reporters: process.env.CI ? ['default', ['json', { outputFile: join(import.meta.dirname, 'reports/vitest.json') }]] : ['default'],
  },
});
