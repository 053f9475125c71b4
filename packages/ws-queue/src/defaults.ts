import type { DropStrategy } from './config.js';

/** The defaults of `createQueuedWebSocket`'s options (`onDrop`, `ack` and `timers` have none: off, off, the platform's). */
export const DEFAULT_QUEUE: Readonly<{
  /** The most messages held. */
  maxSize: number;
  /** Drop the oldest message when full. */
  dropStrategy: DropStrategy;
  /** Messages never expire. */
  ttl: number;
}> = {
  maxSize: 100,
  dropStrategy: 'oldest',
  ttl: 0,
};
