import type { RandomSource } from '@composable-svelte/ws-types';
import type { ReconnectOptions } from './config.js';

/**
 * The delay before reconnect attempt `attempt` (from 1), in ms:
 * `min(initialDelay * backoffMultiplier^(attempt-1), maxDelay)`, times a uniform factor in
 * [0.7, 1.3] when `jitter` is on. Rounded to whole milliseconds.
 */
export function backoffDelay(attempt: number, options: ReconnectOptions, random: RandomSource): number {
  const nominal = Math.min(options.initialDelay * options.backoffMultiplier ** (attempt - 1), options.maxDelay);
  return Math.round(options.jitter ? nominal * (0.7 + 0.6 * random()) : nominal);
}
