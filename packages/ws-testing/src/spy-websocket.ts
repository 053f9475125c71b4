import type { MessageListener, SymbolDisposable, Unsubscribe, UrlProvider, WebSocketClient, WebSocketMessage } from '@composable-svelte/ws-types';
import { ForwardingClient } from '@composable-svelte/ws-types/internal';

/** A recorded `connect()` call. */
export interface SpyConnection {
  /** The URL (or URL provider) given. */
  readonly url: UrlProvider;
  readonly protocols: string[];
  /** When it was called (`Date.now()`). */
  readonly timestamp: number;
}

/** A recorded `disconnect()` call, with the defaults filled in. */
export interface SpyDisconnection {
  readonly code: number;
  readonly reason: string;
  readonly timestamp: number;
}

/** A client that records what goes through it; see {@link createSpyWebSocket}. */
export interface SpyWebSocket<In, Out = In> extends WebSocketClient<In, Out>, SymbolDisposable {
  /** Every `connect()` call. */
  readonly connections: SpyConnection[];
  /** Every `disconnect()` call (code 1000 and reason `''` when not given). */
  readonly disconnections: SpyDisconnection[];
  /** Every message passed to `send()`, whether or not the client accepted it. */
  readonly sentMessages: Out[];
  /**
   * Every message the wrapped client delivered while the spy was listening (from a `connect()`
   * through the spy until the client is idle again, and whenever the spy has subscribers),
   * once each, however many subscribers there are.
   */
  readonly receivedMessages: WebSocketMessage<In>[];
  /** How many recorded `connect()` calls were given `url` (a string compared as is, or the same provider function). */
  connectionsTo(url: UrlProvider): number;
  /** Forgets everything recorded. */
  reset(): void;
  /** Stops recording and releases the spy's subscriptions on the wrapped client. */
  dispose(): void;
  /** The client it wraps. */
  readonly client: WebSocketClient<In, Out>;
}

class Spy<In, Out> extends ForwardingClient<In, Out> implements SpyWebSocket<In, Out> {
  readonly connections: SpyConnection[] = [];
  readonly disconnections: SpyDisconnection[] = [];
  readonly sentMessages: Out[] = [];
  readonly receivedMessages: WebSocketMessage<In>[] = [];

  get client(): WebSocketClient<In, Out> {
    return this.inner;
  }

  override connect(url: UrlProvider, protocols?: readonly string[]): Promise<void> {
    this.connections.push({ url, protocols: [...(protocols ?? [])], timestamp: Date.now() });
    return super.connect(url, protocols);
  }

  override disconnect(code = 1000, reason = ''): Promise<void> {
    this.disconnections.push({ code, reason, timestamp: Date.now() });
    return super.disconnect(code, reason);
  }

  override send(message: Out): Promise<void> {
    this.sentMessages.push(message);
    return super.send(message);
  }

  override subscribe(listener: MessageListener<In>): Unsubscribe {
    return this.listen(listener);
  }

  connectionsTo(url: UrlProvider): number {
    let count = 0;
    for (const connection of this.connections) if (connection.url === url) count++;
    return count;
  }

  reset(): void {
    this.connections.length = this.disconnections.length = this.sentMessages.length = this.receivedMessages.length = 0;
  }

  protected override onMessage(message: WebSocketMessage<In>): boolean {
    this.receivedMessages.push(message);
    return true;
  }

  protected override needsMessages(): boolean {
    return this.engaged;
  }

  protected override needsEvents(): boolean {
    return this.engaged;
  }
}

/**
 * Wraps any client (live, mock, a decorator) and records its traffic. Every call is passed
 * through unchanged, with the same result. The spy listens to the wrapped client only while it
 * records: from a `connect()` through it until the client is idle again, and while it has
 * subscribers of its own; `dispose()` lets go at once.
 *
 * @example
 * ```ts
 * const spy = createSpyWebSocket(createMockWebSocket());
 * await spy.connect('wss://example.com');
 * await spy.send({ type: 'chat', text: 'Message 1' });
 * spy.connections[0].url; // 'wss://example.com'
 * ```
 */
export function createSpyWebSocket<In, Out = In>(client: WebSocketClient<In, Out>): SpyWebSocket<In, Out> {
  return new Spy(client);
}
