// Clients whose sends the test controls, for the unit and property tests.
import type { WebSocketClient, WebSocketError } from '@composable-svelte/ws-types';
import type { MockWebSocket } from '@composable-svelte/ws-testing';
import { ForwardingClient } from '@composable-svelte/ws-types/internal';

/** Forwards everything to `mock`, except `send`, which `send` decides. */
class WithSend<T> extends ForwardingClient<T> {
  constructor(
    mock: MockWebSocket<T>,
    private readonly sender: (message: T) => Promise<void>,
  ) {
    super(mock);
  }

  override send(message: T): Promise<void> {
    return this.sender(message);
  }
}

/** Delegates everything to `mock`, except `send`, which `send` decides. */
export function withSend<T>(mock: MockWebSocket<T>, send: (message: T) => Promise<void>): WebSocketClient<T> {
  return new WithSend(mock, send);
}

/** Sends through `mock`, except that a message for which `failure` returns an error is rejected with it. */
export function failingSends<T>(mock: MockWebSocket<T>, failure: (message: T) => WebSocketError | undefined): WebSocketClient<T> {
  return withSend(mock, (message) => {
    const error = failure(message);
    return error ? Promise.reject(error) : mock.send(message);
  });
}

/** Sends through `mock` only when the test calls `release()`: each send stays pending until then. */
export function slowSends<T>(mock: MockWebSocket<T>): { client: WebSocketClient<T>; pending: number; release(): void } {
  const waiting: (() => void)[] = [];
  return {
    client: withSend(
      mock,
      (message) =>
        new Promise<void>((resolve, reject) => {
          waiting.push(() => {
            mock.send(message).then(resolve, reject);
          });
        }),
    ),
    get pending() {
      return waiting.length;
    },
    release() {
      for (const go of waiting.splice(0)) go();
    },
  };
}
