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
