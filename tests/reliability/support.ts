/** Helpers shared by the reliability tests: a seeded PRNG, counting timers, phase timeouts. */
import type { TimerHandle, Timers } from '@composable-svelte/ws-types';

/** mulberry32: a tiny seeded PRNG with uniform output in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The platform's timers, wrapped so that the handles still pending can be counted. */
export interface CountingTimers extends Timers {
  /** Timeouts set and neither fired nor cleared. */
  readonly pending: number;
  /** Timeouts set since creation. */
  readonly created: number;
}

export function countingTimers(): CountingTimers {
  const live = new Set<ReturnType<typeof setTimeout>>();
  let created = 0;
  return {
    setTimeout(callback, ms) {
      created++;
      const handle = setTimeout(() => {
        live.delete(handle);
        callback();
      }, ms);
      live.add(handle);
      return handle;
    },
    clearTimeout(handle: TimerHandle) {
      const timer = handle as ReturnType<typeof setTimeout> | undefined;
      if (timer === undefined) return;
      live.delete(timer);
      clearTimeout(timer);
    },
    now: () => Date.now(),
    get pending() {
      return live.size;
    },
    get created() {
      return created;
    },
  };
}

/** Resolves or rejects as `promise` does, or rejects after `ms` with a message naming the phase. */
export async function within<T>(promise: Promise<T>, ms: number, phase: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms: ${phase}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A number from the environment, or `fallback`; throws on anything that is not a non-negative integer. */
export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new TypeError(`${name} must be a non-negative integer, got ${raw}`);
  return value;
}

/** Runs the garbage collector; fails (never skips) when node was not started with --expose-gc. */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') throw new Error('global.gc is not exposed: run node with --expose-gc (see vitest.config.ts)');
  gc();
  gc();
}
