// The docs' own tests: the code samples compile, the bench figures parse, and the built site
// works in Chromium. Joined to the root run by the root vitest.config.ts.
import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'docs',
    root: import.meta.dirname,
    include: ['test/**/*.test.ts'],
    // The extracted samples (some are tests themselves) are run by samples.test.ts, not here.
    exclude: ['test/.samples/**', '**/node_modules/**'],
    // Compiling every sample in one TypeScript program and driving Chromium take a while on 2 cores.
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
