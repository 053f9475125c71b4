import type { WebSocketClient, WebSocketEvent, WebSocketMessage } from '@composable-svelte/ws-types';

/** The event of a given `type`. */
export type EventOfType<K extends WebSocketEvent['type']> = Extract<WebSocketEvent, { type: K }>;

/**
 * Resolves with the next event of `type` (that `matches`, when given) the client emits.
 * Sets no timer: rely on your runner's test timeout, so it works under fake timers too.
 *
 * @example
 * ```ts
 * const reconnected = waitForEvent(client, 'reconnected');
 * server.terminateAll();
 * expect((await reconnected).attempts).toBe(1);
 * ```
 */
export function waitForEvent<K extends WebSocketEvent['type']>(
  client: WebSocketClient<unknown>,
  type: K,
  matches: (event: EventOfType<K>) => boolean = () => true,
): Promise<EventOfType<K>> {
  return new Promise((resolve) => {
    const off = client.subscribeToEvents((event) => {
      if (event.type === type && matches(event as EventOfType<K>)) {
        off();
        resolve(event as EventOfType<K>);
      }
    });
  });
}

/** Resolves with the next message (that `matches`, when given) the client delivers. Sets no timer. */
export function nextMessage<T>(
  client: WebSocketClient<T, never>,
  matches: (message: WebSocketMessage<T>) => boolean = () => true,
): Promise<WebSocketMessage<T>> {
  return new Promise((resolve) => {
    const off = client.subscribe((message) => {
      if (matches(message)) {
        off();
        resolve(message);
      }
    });
  });
}

/** Records every event a client emits until `stop()` is called. */
export function recordEvents(client: WebSocketClient<unknown>): { readonly events: WebSocketEvent[]; stop(): void } {
  const events: WebSocketEvent[] = [];
  const stop = client.subscribeToEvents((event) => events.push(event));
  return { events, stop };
}
