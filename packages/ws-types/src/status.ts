import type { ConnectionStatus } from './connection.js';

/**
 * The key under which a client exposes its bare status, so that the decorators around it can
 * read it on every send without building a `state` snapshot (an object, a copy of
 * `protocols`, a `Date`) in each layer (see `ForwardingClient`). A registered symbol, so that
 * two copies of ws-types in one application still agree on it.
 */
export const STATUS: unique symbol = /* @__PURE__ */ Symbol.for('@composable-svelte/ws-types/status') as never;

/** A client that exposes its status under {@link STATUS}. */
export interface StatusSource {
  readonly [STATUS]?: ConnectionStatus;
}
