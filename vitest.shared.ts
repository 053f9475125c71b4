import { join } from 'node:path';
import { defaultClientConditions, defaultServerConditions } from 'vite';
import type { TestProjectInlineConfiguration } from 'vitest/config';

/** Packages resolve each other to their sources through this export condition: no build needed. */
export const SOURCE_CONDITION = '@composable-svelte/source';

/**
 * The vitest project of one package folder: unit tests in src/ and test/, type tests
 * (`*.test-d.ts`) checked with the package's tsconfig. A package that needs more (plugins)
 * has a vitest.config.ts of its own that spreads this.
 */
export function packageProject(name: string): TestProjectInlineConfiguration {
  return {
    resolve: { conditions: [SOURCE_CONDITION, ...defaultClientConditions] },
    ssr: { resolve: { conditions: [SOURCE_CONDITION, ...defaultServerConditions] } },
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
  };
}
