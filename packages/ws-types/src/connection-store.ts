import type { Unsubscribe, WebSocketClient } from './client.js';
import type { ConnectionStatus, RoundTripTime } from './connection.js';
import type { WebSocketError } from './errors.js';
import type { TimerHandle, Timers } from './platform.js';
import { ListenerSet } from './listener-set.js';
import { checkFunction, checkNumber } from './options.js';
import { systemTimers } from './timers.js';

/**
 * What {@link connectionStore} shows of a connection: a frozen plain object, replaced by a new
 * one only when one of its fields changed (so `===` tells whether anything changed).
 */
export interface ConnectionView {
  /** Where the client is in its life cycle (`state.status`). */
  readonly status: ConnectionStatus;
  /** The URL of the current or last connection (`state.url`), `null` before the first `connect()`. */
  readonly url: string | null;
  /** Reconnect attempts made since the connection was lost (`state.reconnectAttempts`); `0` while connected. */
  readonly attempt: number;
  /**
   * When the next reconnect attempt is due, in epoch ms of the client's clock; `null` when none
   * is scheduled (or when it is not known, see {@link connectionStore}). Read from the
   * client's own `nextRetryAt` when it has one (ws-core's live client), else the `timestamp`
   * plus `delay` of the last `reconnecting` event, while the status is `reconnecting`.
   */
  readonly nextRetryAt: number | null;
  /**
   * Whether reconnection is paused until the network is back: the client's own
   * `network.waiting` when it has one (ws-core's live client), else what the last `network`
   * event seen said, while the status is `reconnecting`.
   */
  readonly waitingForNetwork: boolean;
  /** The last error reported (`state.lastError`), `null` if none yet. */
  readonly lastError: WebSocketError | null;
  /**
   * The smoothed round-trip time in ms, from the `heartbeat` option's `rtt` or the client's own
   * `rtt`; `null` without a heartbeat or before its first pong.
   */
  readonly rtt: number | null;
  /** When the current connection opened (`state.connectedAt`), `null` when not connected. */
  readonly connectedAt: Date | null;
}

/**
 * Svelte's store contract (`Readable<ConnectionView>` of `svelte/store`), written out so that
 * nothing here imports svelte: `$connection` works in Svelte 4 and 5 components, and so do
 * `get()`, `derived()` and Svelte 5's `fromStore()`.
 */
export interface ConnectionStore {
  /**
   * Calls `run` at once, synchronously, with the current view, then with each new view until
   * the returned function is called (calling it again does nothing). Works unbound
   * (`const { subscribe } = store`), as the contract's `this: void` requires.
   *
   * The first subscription subscribes to the client's events; the last unsubscription releases
   * them and the `refresh` timer. A `run` that throws during this first call makes `subscribe`
   * throw (and holds nothing); one that throws later is re-thrown from a microtask and the other
   * subscribers still receive the view.
   *
   * @param invalidate - accepted for the contract and not called (Svelte's own stores use it
   * to order updates through their internal queue, which no other store can join).
   */
  subscribe(this: void, run: (value: ConnectionView) => void, invalidate?: () => void): Unsubscribe;
}

/** Settings of {@link connectionStore}; every field is optional. */
export interface ConnectionStoreOptions {
  /**
   * A heartbeat whose round-trip time the view shows as `rtt`: ws-heartbeat's
   * `createHeartbeat()` result, or anything with an `rtt` of that shape. Without it, the
   * client's own `rtt` is read when it has one. @defaultValue none
   */
  readonly heartbeat?: { readonly rtt: RoundTripTime } | undefined;
  /**
   * Also re-read the client every `refresh` ms while the store has subscribers, for what changes
   * without an event: `rtt` after each pong, `connecting` after a reconnect delay. `0` or none: re-read on events only. @defaultValue none
   */
  readonly refresh?: number | undefined;
  /** The timers of the `refresh` polling. @defaultValue the platform's timers */
  readonly timers?: Timers | undefined;
}

/** What a client may expose beyond {@link WebSocketClient}: read when present, never required. */
interface Extras {
  readonly nextRetryAt?: unknown;
  readonly network?: { readonly waiting?: unknown } | null;
  readonly rtt?: { readonly smoothed?: unknown } | null;
}

/**
 * A reactive view of any client's connection, as a Svelte store: `$connection.status` in a
 * component, `fromStore(connection).current` in Svelte 5 runes, `get(connection)` anywhere. It
 * works on every client of the toolkit (live, mock, any stack of decorators), since all of them
 * are a {@link WebSocketClient}, and imports nothing from svelte.
 *
 * - **Lazy.** It holds no subscription on the client while nobody subscribes to it: the first
 *   subscriber subscribes to the client's events, the last one leaving releases them.
 * - **When it updates.** The client is re-read on each of its events, and every `refresh` ms
 *   while subscribed when that option is set. What changes without an event (`rtt` after a
 *   pong, `reconnecting` becoming `connecting` when a backoff delay ends) shows at the next
 *   event or tick.
 * - **Any stack.** `nextRetryAt` and `network.waiting` are read from the client given when it
 *   has them (ws-core's live client does); otherwise (a decorator, which forwards events but
 *   not these properties) from the last `reconnecting` and `network` events seen while
 *   subscribed, so they are unknown (`null`, `false`) for a reconnect or a wait that began
 *   before the first subscription. `rtt` comes from `options.heartbeat` or the client's own `rtt`.
 *
 * @param client - the client to follow.
 * @param options - see {@link ConnectionStoreOptions}.
 * @returns a store; it throws a `TypeError` when `client` has no `subscribeToEvents` or an
 * option is invalid (`refresh` not a finite number >= 1, or 0).
 *
 * @example
 * ```ts
 * import { connectionStore } from '@composable-svelte/ws-types/store';
 * export const connection = connectionStore(client, { heartbeat, refresh: 1000 });
 * // in a component: {#if $connection.status === 'reconnecting'} Retrying… {/if}
 * ```
 */
export function connectionStore(client: WebSocketClient, options: ConnectionStoreOptions = {}): ConnectionStore {
  checkFunction('client.subscribeToEvents', (client as Partial<WebSocketClient> | null)?.subscribeToEvents);
  const { heartbeat, refresh = 0, timers = systemTimers } = options;
  if (refresh !== 0) checkNumber('refresh', refresh, 1);
  // Closures rather than a class with methods on a prototype (STYLE): there is one store per
  // client at most, never one per message, and local names minify where property names do not.
  const extras = client as Extras;
  const runs = new ListenerSet<ConnectionView>();
  let off: Unsubscribe | null = null;
  let timer: TimerHandle;
  /** `timestamp + delay` of the last `reconnecting` event seen. */
  let retryAt: number | null = null;
  /** What the last `network` event seen said. */
  let waiting = false;

  /** The view of the client now: `prev` itself when nothing changed. */
  const read = (prev?: ConnectionView): ConnectionView => {
    const state = client.state;
    const own = extras.nextRetryAt;
    const smoothed = (heartbeat ?? extras).rtt?.smoothed;
    const network = extras.network;
    const reconnecting = state.status === 'reconnecting';
    const at = state.connectedAt;
    const next: ConnectionView = {
      status: state.status,
      url: state.url,
      attempt: state.reconnectAttempts,
      nextRetryAt: typeof own === 'number' || own === null ? own : reconnecting ? retryAt : null,
      waitingForNetwork: network ? network.waiting === true : reconnecting && waiting,
      lastError: state.lastError,
      rtt: typeof smoothed === 'number' ? smoothed : null,
      // Clients give a fresh Date per read: the same instant keeps the Date already shown.
      connectedAt: at && prev?.connectedAt?.getTime() === at.getTime() ? prev.connectedAt : at,
    };
    if (prev) {
      for (const key in next) {
        if (next[key as keyof ConnectionView] !== prev[key as keyof ConnectionView]) return Object.freeze(next);
      }
      return prev;
    }
    return Object.freeze(next);
  };

  let view = read();

  const update = (): void => {
    const next = read(view);
    if (next !== view) runs.emit((view = next));
  };

  const tick = (): void => {
    timer = timers.setTimeout(() => {
      timer = undefined;
      update();
      // Unless the last subscriber left meanwhile, or a new first one already scheduled a tick.
      if (off && timer === undefined) tick();
    }, refresh);
  };

  const stop = (): void => {
    const release = off;
    off = null;
    if (timer !== undefined) timers.clearTimeout(timer);
    timer = undefined;
    // Events are not followed from now on, so this would go stale.
    retryAt = null;
    waiting = false;
    release?.();
  };

  return {
    subscribe(run) {
      if (!off) {
        off = client.subscribeToEvents((event) => {
          if (event.type === 'reconnecting') retryAt = event.timestamp + event.delay;
          else if (event.type === 'network') waiting = event.waiting;
          update();
        });
        // Nobody was subscribed: nothing to notify, and the client was not followed meanwhile.
        view = read(view);
        if (refresh) tick();
      }
      let seen = view;
      // Each subscriber receives the latest view, and only a view it has not seen: a view
      // superseded while being delivered (a subscriber reacting by calling the client) is skipped.
      const remove = runs.add(() => {
        if (view !== seen) run((seen = view));
      });
      // Idempotent: removing twice does nothing, and stopping twice neither.
      const unsubscribe = (): void => {
        remove();
        if (runs.size === 0) stop();
      };
      try {
        // Not a function: the TypeError thrown here says so.
        run(seen);
      } catch (error) {
        unsubscribe();
        throw error;
      }
      return unsubscribe;
    },
  };
}
