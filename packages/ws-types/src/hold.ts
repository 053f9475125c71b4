import type { Unsubscribe } from './client.js';

/**
 * Holds a subscription exactly while it is `wanted`: subscribes when wanted and not held,
 * unsubscribes when held and no longer wanted. Returns the subscription now held, or `null`.
 * How every decorator subscribes lazily to the client it wraps.
 */
export function hold(held: Unsubscribe | null, wanted: boolean, subscribe: () => Unsubscribe): Unsubscribe | null {
  if (wanted) return held ?? subscribe();
  held?.();
  return null;
}
