/** A token bucket: `perSecond` tokens a second, up to `burst` saved. */
export interface RateLimiter {
  /** Takes a token; `false` when none is left. */
  take(): boolean;
}

export function createRateLimiter(perSecond: number, burst: number, now: () => number = Date.now): RateLimiter {
  let tokens = burst;
  let last = now();
  return {
    take() {
      const at = now();
      tokens = Math.min(burst, tokens + ((at - last) / 1000) * perSecond);
      last = at;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}
