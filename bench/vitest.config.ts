import { defineProject } from 'vitest/config';

/**
 * The bench's own test: the quick mode of the harness, run as `pnpm bench --quick` runs it
 * (a child process on the built dist), so CI notices when the harness breaks.
 */
export default defineProject({
  test: {
    name: 'bench',
    root: import.meta.dirname,
    include: ['test/**/*.test.ts'],
    // The quick mode measures for a few seconds; a loaded 2-core CI machine may take longer.
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
