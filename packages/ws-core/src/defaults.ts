import type { ReconnectOptions } from './config.js';

/** Defaults of the `reconnect` option (reconnection itself is off until configured). */
export const DEFAULT_RECONNECT: Readonly<ReconnectOptions> = {
  enabled: false,
  maxAttempts: 5,
  initialDelay: 1000,
  maxDelay: 30_000,
  backoffMultiplier: 2,
  jitter: true,
  shouldReconnect: () => true,
  minUptime: 5000,
};

/** Default `connectionTimeout`, in ms. */
export const DEFAULT_CONNECTION_TIMEOUT = 10_000;

/** Default `queueSize`: sends made while not connected are rejected. */
export const DEFAULT_QUEUE_SIZE = 0;

/** How long `disconnect()` waits for the server's close frame before letting go of the socket, in ms. */
export const CLOSE_TIMEOUT = 5000;

/**
 * The close code the client uses when it closes the socket itself because the page is frozen
 * or goes into the back/forward cache: in the 4000–4999 range that applications may use and
 * that a browser's `close()` accepts. Not counted as a loss: the client connects again when
 * the page resumes.
 */
export const FROZEN_CLOSE_CODE = 4001;

/** The close reason that goes with {@link FROZEN_CLOSE_CODE}. */
export const FROZEN_CLOSE_REASON = 'Page frozen';
