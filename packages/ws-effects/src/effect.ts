/**
 * The members of Composable Svelte's `Effect` union that the builders produce, declared
 * structurally: they are assignable to `Effect<A>` of `@composable-svelte/core` (a type test
 * checks it against the real package), which this package never imports.
 */

/** Sends an action to the store; the store's `Dispatch<A>`. */
export type Dispatch<A> = (action: A) => void;

/**
 * Releases what a subscription set up. Never throws synchronously; a promise it returns
 * never rejects (failures are reported, see the package README).
 */
export type SubscriptionCleanup = () => void | Promise<void>;

/**
 * `{ _tag: 'Run', execute }`: the store calls `execute` once with its `dispatch`.
 *
 * @typeParam A - the actions it may dispatch.
 */
export interface RunEffect<A> {
  readonly _tag: 'Run';
  /** Does the work; resolves when done. Rejects only if a callback or `dispatch` throws. */
  readonly execute: (dispatch: Dispatch<A>) => Promise<void>;
}

/**
 * `{ _tag: 'Subscription', id, setup }`: the store calls `setup` with its `dispatch` and keeps
 * the cleanup it returns, keyed by `id`; cancelling the id, running another subscription with
 * the same id, or destroying the store calls the cleanup.
 *
 * @typeParam A - the actions it may dispatch.
 */
export interface SubscriptionEffect<A> {
  readonly _tag: 'Subscription';
  /** The key the store cancels it by. */
  readonly id: string;
  /** Starts the subscription; returns its cleanup. */
  readonly setup: (dispatch: Dispatch<A>) => SubscriptionCleanup;
}

/** Any effect a builder of `websocketEffects` returns. */
export type WebSocketEffect<A> = RunEffect<A> | SubscriptionEffect<A>;
