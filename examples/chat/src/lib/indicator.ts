// What the connection indicator shows, from ws-types' connection view. Pure, so the wording of
// every state is tested without a browser (indicator.test.ts).
import { WS_ERROR_CODES, WebSocketError } from '@composable-svelte/ws-types';
import type { ConnectionView } from '@composable-svelte/ws-types/store';
import { RECONNECT } from './connection.js';

/**
 * The indicator's state, its `data-status` (the dot's colour, and what the end-to-end tests wait
 * for): `idle` before the first connection, `waiting` while offline, `reconnecting` both while
 * counting down and while a reconnect attempt is being made.
 */
export type IndicatorStatus = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'waiting' | 'failed' | 'disconnected';

/** What the indicator shows. */
export interface IndicatorView {
  readonly status: IndicatorStatus;
  /** The state in words, announced to screen readers when it changes (`role="status"`). */
  readonly label: string;
  /**
   * Shown right after the label and not announced, since it changes on its own: the countdown
   * (`in 3 s`, once a second) or the round-trip time (`· 42 ms`, after each pong). `''` when none.
   */
  readonly suffix: string;
  /** A second line: the attempt, why the last one failed, why reconnection gave up. `null` when none. */
  readonly detail: string | null;
  /** Whether "Retry now" makes sense (it connects again at once, attempts reset). */
  readonly retry: boolean;
}

/** A reconnect attempt's number, with the limit when there is one. */
const attemptOf = (attempt: number, maxAttempts: number): string =>
  maxAttempts > 0 ? `attempt ${attempt} of ${maxAttempts}` : `attempt ${attempt}`;

/** Why the attempt before this one failed, when it was a connection failure (an older error would be stale). */
const lastTry = (view: ConnectionView): string | null => {
  const error = view.lastError;
  if (view.attempt <= 1 || !error) return null;
  return error.code === WS_ERROR_CODES.CONNECTION_FAILED || error.code === WS_ERROR_CODES.CONNECTION_TIMEOUT ? error.message : null;
};

/** Why reconnection gave up: `Gave up after 8 attempts (last: Closed before open)`. */
const failure = (error: WebSocketError | null): string => {
  if (error?.code !== WS_ERROR_CODES.MAX_RECONNECTS) return 'Gave up reconnecting';
  return error.cause instanceof WebSocketError ? `${error.message} (last: ${error.cause.message})` : error.message;
};

/**
 * The indicator for the connection `view` at time `now` (epoch ms, the clock of the client's
 * `nextRetryAt`).
 *
 * - `connected`: "Connected", with the heartbeat's round-trip time once known.
 * - `connecting`: "Connecting…"; a reconnect attempt being made shows as "Reconnecting now…".
 * - `reconnecting` with an attempt scheduled: "Reconnecting in N s", counting down to `nextRetryAt`.
 * - `reconnecting` waiting for the network: "Offline, waiting for the network" (no attempt is
 *   made until the browser says the network is back; none is spent meanwhile).
 * - `failed`: "Connection failed", and why.
 * - `disconnected`: "Not connected" before the first connection, "Disconnected" after one.
 *
 * @param maxAttempts - the reconnect limit shown with the attempt (`0`: none). @defaultValue `RECONNECT.maxAttempts`
 */
export function describeConnection(view: ConnectionView, now: number, maxAttempts: number = RECONNECT.maxAttempts): IndicatorView {
  switch (view.status) {
    case 'connected':
      return {
        status: 'connected',
        label: 'Connected',
        suffix: view.rtt === null ? '' : ` · ${Math.round(view.rtt)} ms`,
        detail: null,
        retry: false,
      };
    case 'connecting':
      // An attempt after a loss (its counter is reset by a connect() of the app or a resume).
      if (view.attempt > 0) {
        const why = lastTry(view);
        return {
          status: 'reconnecting',
          label: 'Reconnecting',
          suffix: ' now…',
          detail: attemptOf(view.attempt, maxAttempts) + (why === null ? '' : ` (last try: ${why})`),
          retry: false,
        };
      }
      return { status: 'connecting', label: 'Connecting…', suffix: '', detail: null, retry: false };
    case 'reconnecting': {
      if (view.waitingForNetwork) {
        return { status: 'waiting', label: 'Offline, waiting for the network', suffix: '', detail: 'Reconnects as soon as it is back', retry: true };
      }
      const why = lastTry(view);
      const seconds = view.nextRetryAt === null ? 0 : Math.max(0, Math.ceil((view.nextRetryAt - now) / 1000));
      return {
        status: 'reconnecting',
        label: 'Reconnecting',
        suffix: seconds > 0 ? ` in ${seconds} s` : ' now…',
        detail: attemptOf(view.attempt, maxAttempts) + (why === null ? '' : ` (last try: ${why})`),
        retry: true,
      };
    }
    case 'failed':
      return { status: 'failed', label: 'Connection failed', suffix: '', detail: failure(view.lastError), retry: true };
    case 'disconnected':
      return view.url === null
        ? { status: 'idle', label: 'Not connected', suffix: '', detail: null, retry: false }
        : { status: 'disconnected', label: 'Disconnected', suffix: '', detail: null, retry: true };
  }
}

/**
 * When the countdown to `nextRetryAt` next changes its number, in ms from `now` (at most 1000);
 * `null` once the time has come.
 */
export function nextCountdownTick(nextRetryAt: number, now: number): number | null {
  const left = nextRetryAt - now;
  return left > 0 ? left % 1000 || 1000 : null;
}
