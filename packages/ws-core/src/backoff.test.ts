import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';
import { DEFAULT_RECONNECT } from './defaults.js';

const options = { ...DEFAULT_RECONNECT, enabled: true, jitter: false };

describe('backoffDelay', () => {
  it('follows the guide\'s sequence without jitter', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7].map((attempt) => backoffDelay(attempt, options, () => 0.5));
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
  });

  it('uses the multiplier and the cap as configured', () => {
    const custom = { ...options, initialDelay: 100, backoffMultiplier: 1.5, maxDelay: 400 };
    expect([1, 2, 3, 4, 5].map((a) => backoffDelay(a, custom, Math.random))).toEqual([100, 150, 225, 338, 400]);
  });

  it('keeps jittered delays within [0.7, 1.3] of the nominal delay', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.double({ min: 1, max: 4, noNaN: true }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, initialDelay, backoffMultiplier, r) => {
          const config = { ...options, jitter: true, initialDelay, backoffMultiplier, maxDelay: 60_000 };
          const nominal = Math.min(initialDelay * backoffMultiplier ** (attempt - 1), 60_000);
          const delay = backoffDelay(attempt, config, () => r);
          expect(delay).toBeGreaterThanOrEqual(Math.floor(nominal * 0.7));
          expect(delay).toBeLessThanOrEqual(Math.ceil(nominal * 1.3));
        },
      ),
    );
  });

  it('spreads jitter over the whole range', () => {
    const jittered = { ...options, jitter: true };
    expect(backoffDelay(1, jittered, () => 0)).toBe(700);
    expect(backoffDelay(1, jittered, () => 0.5)).toBe(1000);
    expect(backoffDelay(1, jittered, () => 0.999_999)).toBe(1300);
  });
});
