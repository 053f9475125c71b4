import type { Timers } from './platform.js';

/**
 * The platform's timers and clock, the one default of every package's `timers` option. Each
 * is looked up at call time, so fake timers installed after import still apply.
 */
export const systemTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
  now: () => Date.now(),
};
