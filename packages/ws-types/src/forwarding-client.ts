import { WebSocketError, WS_ERROR_CODES } from './errors.js';
import { callbackFailed } from './callbacks.js';
import { ListenerSet } from './listener-set.js';
import { handled } from './options.js';
import { hold } from './hold.js';
import { STATUS, type StatusSource } from './status.js';
import type { EventListener, MessageListener, Unsubscribe, UrlProvider, WebSocketClient, WebSocketMessage } from './client.js';
import type { ConnectionState, ConnectionStats, ConnectionStatus } from './connection.js';
import type { WebSocketEvent } from './events.js';
import type { Timers } from './platform.js';

const noop = (): void => undefined;

/**
 * The base of every decorator: a client that forwards everything to the client it wraps, so
 * that a decorator states only what it changes.
 *
 * - **Lazy subscriptions.** It subscribes to the wrapped client only while it needs to: while
 *   it has event listeners (or message listeners, for a decorator that handles messages), or
 *   while {@link needsEvents} / {@link needsMessages} say it has pending work.
 * - **Inside out.** Events of the wrapped client reach {@link onEvent} (and messages
 *   {@link onMessage}) before any listener of this client, so in a stack an inner layer always
 *   reacts before an outer one, whatever the order of subscriptions.
 * - **One account.** Errors it reports itself ({@link report}) are `error` events to its
 *   listeners and count in its `state.lastError` and `stats.errors`, on top of the wrapped
 *   client's.
 * - **Callbacks cannot break it.** A listener that throws becomes an `error` event
 *   (`CALLBACK_FAILED`, the thrown value as `cause`); one that throws while handling an `error`
 *   event is re-thrown from a microtask instead, so errors cannot loop.
 * - **`dispose()`** releases every subscription and timer ({@link release}) and leaves the
 *   decorator inert: `connect()` and `send()` reject, new subscriptions receive nothing.
 */
export class ForwardingClient<In, Out = In> implements WebSocketClient<In, Out> {
  // Own listeners, each set made when first needed: in a stack, most layers never have any.
  private messageSet: ListenerSet<WebSocketMessage<In>> | null = null;
  private eventSet: ListenerSet<WebSocketEvent> | null = null;
  /** Set by `connect()` through this decorator, cleared when the wrapped client becomes idle again. */
  protected engaged = false;
  protected disposed = false;
  private offMessages: Unsubscribe | null = null;
  private offEvents: Unsubscribe | null = null;
  private ownErrors = 0;
  private ownLastError: WebSocketError | null = null;
  private innerErrors = 0;

  /**
   * @param inner - the client wrapped.
   * @param clock - timestamps this decorator's own `error` events.
   */
  constructor(
    protected readonly inner: WebSocketClient<In, Out>,
    protected readonly clock: Pick<Timers, 'now'> = Date,
  ) {}

  /** Own message listeners, for decorators that filter or react to messages (see {@link listen}). */
  protected get messageListeners(): ListenerSet<WebSocketMessage<In>> {
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called on this decorator (the owner)
    return (this.messageSet ??= new ListenerSet(ForwardingClient.messageThrew, this));
  }

  /** Own event listeners: every event of the wrapped client, then this decorator's own `error` events. */
  protected get eventListeners(): ListenerSet<WebSocketEvent> {
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called on this decorator (the owner)
    return (this.eventSet ??= new ListenerSet(ForwardingClient.eventThrew, this));
  }

  // What a listener threw becomes an error event of the decorator; one that throws while handling
  // an error event is re-thrown from a microtask instead, so that errors cannot loop. Shared by
  // every decorator (called on it by its listener sets) rather than closures per decorator.
  private static messageThrew(this: ForwardingClient<unknown>, error: unknown): void {
    this.report(callbackFailed('A message listener', error));
  }

  private static eventThrew(this: ForwardingClient<unknown>, error: unknown, event: WebSocketEvent): void {
    if (event.type === 'error') throw error;
    this.report(callbackFailed('An event listener', error));
  }

  connect(url: UrlProvider, protocols?: readonly string[]): Promise<void> {
    if (this.disposed) return this.rejectDisposed(WS_ERROR_CODES.CONNECTION_FAILED);
    this.engaged = true;
    this.sync();
    return this.inner.connect(url, protocols);
  }

  disconnect(code?: number, reason?: string): Promise<void> {
    return this.inner.disconnect(code, reason);
  }

  send(message: Out): Promise<void> {
    if (this.disposed) return this.rejectDisposed(WS_ERROR_CODES.SEND_FAILED);
    return this.inner.send(message);
  }

  /** Passes the listener straight to the wrapped client; decorators that filter messages use {@link listen}. */
  subscribe(listener: MessageListener<In>): Unsubscribe {
    return this.disposed ? noop : this.inner.subscribe(listener);
  }

  subscribeToEvents(listener: EventListener): Unsubscribe {
    return this.track(this.eventListeners, listener);
  }

  markDead(reason: string): void {
    this.inner.markDead(reason);
  }

  get state(): ConnectionState {
    const state = this.inner.state;
    // The wrapped client's own error, if newer than ours, is the last one.
    if (!this.ownLastError || this.inner.stats.errors > this.innerErrors) return state;
    return { ...state, lastError: this.ownLastError };
  }

  get stats(): ConnectionStats {
    const stats = this.inner.stats;
    return this.ownErrors ? { ...stats, errors: stats.errors + this.ownErrors } : stats;
  }

  /**
   * Stops the decorator's timers, releases every subscription it holds on the wrapped client,
   * and drops its pending work with a clear error. It does not close the wrapped client.
   * Calling it again does nothing.
   */
  dispose(): void {
    if (this.disposed) return;
    this.release();
    this.disposed = true;
    this.engaged = false;
    this.messageSet?.clear();
    this.eventSet?.clear();
    this.sync(true);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /**
   * The wrapped client's `state.status`, read for every send without building snapshots:
   * through the decorators inside, whose status is the one of the client at the bottom, to
   * that client's {@link STATUS} when it offers one (the live client does).
   */
  protected innerStatus(): ConnectionStatus {
    let client: { readonly state: ConnectionState } = this.inner;
    while (client instanceof ForwardingClient) client = client.inner;
    return (client as StatusSource)[STATUS] ?? client.state.status;
  }

  /** Adds a listener of this decorator's own messages (after {@link onMessage}). */
  protected listen(listener: MessageListener<In>): Unsubscribe {
    return this.track(this.messageListeners, listener);
  }

  /** Reacts to a message of the wrapped client; returns `false` to keep it from this client's listeners. */
  protected onMessage(_message: WebSocketMessage<In>): boolean {
    return true;
  }

  /** Reacts to an event of the wrapped client, before this client's listeners receive it. */
  protected onEvent(_event: WebSocketEvent): void {
    // Nothing by default.
  }

  /** Whether pending work needs the wrapped client's messages even with no listener here. */
  protected needsMessages(): boolean {
    return false;
  }

  /** Whether pending work needs the wrapped client's events even with no listener here. */
  protected needsEvents(): boolean {
    return false;
  }

  /** Subscribes to the wrapped client's events (called when a subscription starts). */
  protected attached(): void {
    // Nothing by default.
  }

  /** Stops timers and drops pending work, for {@link dispose}. */
  protected release(): void {
    // Nothing by default.
  }

  /** Emits an `error` event of this decorator's own and counts it in `state` and `stats`. */
  protected report(error: WebSocketError): void {
    this.ownErrors++;
    this.ownLastError = error;
    this.innerErrors = this.inner.stats.errors;
    this.eventSet?.emit({ type: 'error', error, timestamp: this.clock.now() });
  }

  /** Holds or releases the subscriptions on the wrapped client to match what is needed now. */
  protected sync(off = this.disposed): void {
    const messages = !off && (!!this.messageSet?.size || this.needsMessages());
    const events = !off && (!!this.eventSet?.size || this.needsEvents());
    const following = this.offEvents;
    this.offEvents = hold(following, events, () => this.inner.subscribeToEvents((event) => this.dispatch(event)));
    if (!following && this.offEvents) this.attached();
    this.offMessages = hold(this.offMessages, messages, () =>
      this.inner.subscribe((message) => {
        if (this.onMessage(message)) this.messageSet?.emit(message);
      }),
    );
  }

  private dispatch(event: WebSocketEvent): void {
    this.onEvent(event);
    // Whether a loss ends the connection or a reconnect follows is known only once the
    // wrapped client has finished reacting to it: look again after the current task.
    if (this.engaged && (event.type === 'disconnected' || event.type === 'error')) queueMicrotask(() => this.settle());
    this.eventSet?.emit(event);
    this.sync();
  }

  private settle(): void {
    const status = this.innerStatus();
    if (this.engaged && (status === 'disconnected' || status === 'failed')) {
      this.engaged = false;
      this.sync();
    }
  }

  private track<V>(set: ListenerSet<V>, listener: (value: V) => void): Unsubscribe {
    if (typeof listener !== 'function') throw new TypeError('listener must be a function');
    if (this.disposed) return noop;
    const off = set.add(listener);
    this.sync();
    return () => {
      off();
      this.sync();
    };
  }

  private rejectDisposed(code: typeof WS_ERROR_CODES.SEND_FAILED | typeof WS_ERROR_CODES.CONNECTION_FAILED): Promise<never> {
    return handled(Promise.reject(new WebSocketError('This decorator was disposed', code, false)));
  }
}
