import {
  WebSocketError,
  WS_ERROR_CODES,
  type MessageListener,
  type SymbolDisposable,
  type Unsubscribe,
  type WebSocketClient,
  type WebSocketEvent,
  type WebSocketMessage,
} from '@composable-svelte/ws-types';
import { callbackFailed, checkFunction, hold } from '@composable-svelte/ws-types/internal';
import type { ChannelExtractor, ChannelKey, ChannelMessage, ChannelOf, RouterConfig } from './config.js';

/**
 * A channel's listeners and, with `offset` configured, the highest offset seen in it: one
 * object per `Map` entry, so recovery adds no lookup to a message's dispatch, and the offset
 * is forgotten with the entry when the channel loses its last listener.
 *
 * A dispatch only reads it: with thousands of channels each message reaches memory that is
 * rarely in a cache, and a write would dirty it too. So `l` is the lone listener itself
 * (what a message to it reads is this object and nothing else), or an array of them that a
 * subscription change replaces rather than edits: a dispatch goes through the array of its
 * start, skipping what was removed since.
 */
interface Channel<In> {
  l: MessageListener<In> | readonly MessageListener<In>[];
  last: number | undefined;
}

/** The listeners of `channel`, as an array (none without a channel). */
const listeners = <In>(channel: Channel<In> | undefined): MessageListener<In>[] => [channel?.l ?? []].flat();

/** Routes a client's messages to listeners by channel; see {@link createChannelRouter}. */
/**
 * @typeParam In - the messages routed.
 * @typeParam K - the channel key given instead of an extractor function, which narrows each
 * channel's messages; `undefined` with an extractor function.
 */
export interface ChannelRouter<In, K = undefined> extends SymbolDisposable {
  /**
   * Calls `listener` with every message whose channel is `channel`, until the returned
   * function is called (calling it again does nothing). The first listener of a channel sends
   * the `join` message, if configured; removing the last one sends `leave`.
   *
   * @throws TypeError when `channel` is not a string or `listener` not a function.
   */
  subscribe<C extends ChannelOf<In, K>>(channel: C, listener: MessageListener<ChannelMessage<In, K, C>>): Unsubscribe;
  /**
   * Removes every listener of `channel` at once, sending `leave` when configured (and
   * connected). Does nothing for a channel without listeners.
   */
  unsubscribe(channel: string): void;
  /** The channels that have at least one listener, in the order they got their first. */
  getChannels(): string[];
  /** How many listeners `channel` has; without `channel`, how many the router has in all. */
  getListenerCount(channel?: string): number;
  /**
   * With `offset` configured, the last (highest) offset seen in `channel`, the one its next
   * `join` carries; `undefined` when none was seen yet, the channel has no listeners (a
   * channel's offset is forgotten with its last listener), or without `offset`.
   */
  getOffset(channel: string): number | undefined;
  /** Removes every channel listener (sending `leave` for each channel when configured). The `fallback` stays. */
  clear(): void;
  /**
   * Removes every channel listener as `clear()` does (sending `leave` while connected), drops
   * the `fallback`, and releases every subscription on the client. The router is inert
   * afterwards: `subscribe` throws.
   */
  dispose(): void;
}

/** What a router needs from a client decorator that hands it the events (see `createChannelWebSocket`). */
export interface RouterHost {
  /** Re-evaluates the host's subscriptions after the router's needs changed. */
  sync(): void;
  /**
   * Reports a failure of the router. `reported` is set for a rejected `join`/`leave` send,
   * which the client has already reported as an `error` event of its own.
   */
  fail(error: WebSocketError, reported: boolean): void;
}

/**
 * The router; a class so that its methods are shared, not closures per router. The fields
 * set by the constructor are declared only (`declare`): a definition each would be bundled
 * for nothing.
 */
export class Router<In, Out> implements ChannelRouter<In> {
  private readonly channels = new Map<string, Channel<In>>();
  private declare readonly client: WebSocketClient<In, Out>;
  private declare readonly host: RouterHost | undefined;
  private declare readonly extract: ChannelExtractor<In>;
  private declare readonly fallback: RouterConfig<In, Out>['fallback'];
  private declare readonly join: RouterConfig<In, Out>['join'];
  private declare readonly leave: RouterConfig<In, Out>['leave'];
  private declare readonly offset: RouterConfig<In, Out>['offset'];
  private declare readonly onGap: RouterConfig<In, Out>['onGap'];
  private declare readonly onError: RouterConfig<In, Out>['onError'];
  private offMessages: Unsubscribe | null = null;
  private offEvents: Unsubscribe | null = null;
  private disposed = false;
  // Whether the client's current connection has been announced by a `connected` event (or
  // was open when the router started following events): joins go out only then.
  private live = false;

  constructor(client: WebSocketClient<In, Out>, extract: ChannelExtractor<In> | string, config: RouterConfig<In, Out>, host?: RouterHost) {
    this.client = client;
    this.host = host;
    if (typeof extract === 'string') {
      const key = extract;
      this.extract = (message) => (message as Record<string, string | null | undefined> | null | undefined)?.[key];
    } else {
      checkFunction('extract', extract);
      this.extract = extract;
    }
    checkFunction('fallback', config.fallback, true);
    checkFunction('join', config.join, true);
    checkFunction('leave', config.leave, true);
    checkFunction('onError', config.onError, true);
    checkFunction('onGap', config.onGap, true);
    // Required with `onGap`, which would never be called without offsets: refused rather than ignored.
    checkFunction('offset', config.offset, !config.onGap);
    ({ fallback: this.fallback, join: this.join, leave: this.leave, offset: this.offset, onGap: this.onGap, onError: this.onError } = config);
    this.sync();
  }

  /**
   * Where the router's failures go: to the host, or `onError` (default: `console.error`).
   * `onError` handles errors: when it throws, the throw is re-thrown from a microtask, as an
   * `error` event listener's is, so that errors cannot loop and no caller (`subscribe()`, a
   * join's rejected send, the client's listener loop) receives it.
   */
  private fail(error: WebSocketError, reported = false): void {
    try {
      if (this.host) this.host.fail(error, reported);
      else if (this.onError) this.onError(error);
      else console.error(error);
    } catch (thrown) {
      queueMicrotask(() => {
        throw thrown;
      });
    }
  }

  subscribe(channel: string, listener: MessageListener<In>): Unsubscribe {
    if (typeof channel !== 'string') throw new TypeError('channel must be a string');
    checkFunction('listener', listener);
    if (this.disposed) throw new Error('This router was disposed');
    let set = this.channels.get(channel);
    let f = listener;
    if (set) {
      // Each subscription is its own function among the channel's listeners, so that it alone
      // is removed: the same function subscribed again goes in as a wrapper.
      if (listeners(set).includes(f)) f = (message) => listener(message);
      set.l = [...listeners(set), f];
    } else {
      // What a new channel makes is kept to this object: garbage made beside it (an empty array
      // replaced at once, the closures of a needless sync()) spreads the channels in memory,
      // which made dispatching to 10,000 of them up to a fifth slower in the benchmark.
      this.channels.set(channel, (set = { l: f, last: undefined }));
      // Only the first channel changes what the router needs from the client.
      if (this.channels.size < 2) this.sync();
      this.hook(this.join, channel);
    }
    return () => {
      const rest = listeners(set).filter((other) => other !== f);
      // Ended already, or by clear() or unsubscribe(channel) (the channel may have a new entry since).
      if (this.channels.get(channel) !== set || rest.length === listeners(set).length) return;
      if (rest.length) set.l = rest[1] ? rest : rest[0]!;
      else this.remove(channel, true);
    };
  }

  unsubscribe(channel: string): void {
    this.remove(channel, false);
  }

  getChannels(): string[] {
    return [...this.channels.keys()];
  }

  getListenerCount(channel?: string): number {
    return (channel === undefined ? [...this.channels.values()].flatMap(listeners) : listeners(this.channels.get(channel))).length;
  }

  getOffset(channel: string): number | undefined {
    return this.channels.get(channel)?.last;
  }

  clear(): void {
    for (const channel of this.getChannels()) this.remove(channel, true);
  }

  dispose(): void {
    if (this.disposed) return;
    this.clear();
    this.disposed = true;
    this.sync();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /**
   * Removes a channel and its listeners. `unsubscribe(channel)` lets a message being
   * dispatched reach the listeners still due for it, as the router it replaces did; `clear()`
   * stops it there (`stop`).
   */
  private remove(channel: string, stop: boolean): void {
    const set = this.channels.get(channel);
    if (!set) return;
    this.channels.delete(channel);
    if (stop) set.l = [];
    this.hook(this.leave, channel);
    this.sync();
  }

  /** Whether the router needs the client's events: to re-join its channels after a reconnect. */
  needsEvents(): boolean {
    return !this.disposed && this.channels.size > 0 && !!(this.join ?? this.leave);
  }

  /** The host started following the client's events. */
  attached(): void {
    this.live = this.client.state.status === 'connected';
  }

  /** An event of the client, before anyone outside the router hears it. */
  changed(event: WebSocketEvent): void {
    if (event.type === 'connected') {
      // Already live: a channel subscribed during this very event has sent its join.
      if (this.live) return;
      this.live = true;
      for (const [channel, set] of [...this.channels]) this.hook(this.join, channel, set.last);
    } else if (event.type === 'disconnected' || event.type === 'reconnecting') {
      this.live = false;
    }
  }

  private received(message: WebSocketMessage<In>): void {
    let channel: string | null | undefined;
    try {
      channel = this.extract(message.data);
    } catch (cause) {
      this.fail(new WebSocketError('The channel extractor threw', WS_ERROR_CODES.INVALID_MESSAGE, true, cause));
      return;
    }
    if (channel != null && typeof channel !== 'string') {
      this.fail(callbackFailed('The channel extractor', new TypeError(`Channel must be a string, got ${typeof channel}`)));
      return;
    }
    // Only strings are keys: no channel finds no entry.
    const entry = this.channels.get(channel!);
    if (entry) {
      // The one check recovery costs when `offset` is not configured.
      if (this.offset && !this.fresh(entry, channel!, message.data)) return;
      const l = entry.l;
      if (typeof l === 'function') this.call(l, channel!, message);
      // A listener removed meanwhile is skipped (clear() removes them all); one added meanwhile
      // gets the next message.
      else for (const f of l) if (entry.l === l || listeners(entry).includes(f)) this.call(f, channel!, message);
    } else if (this.fallback) {
      try {
        this.fallback(message, channel ?? undefined);
      } catch (cause) {
        this.fail(callbackFailed('The router fallback', cause));
      }
    }
  }

  /** Calls a listener of `channel`; a throw is reported, and the next listener called all the same. */
  private call(listener: MessageListener<In>, channel: string, message: WebSocketMessage<In>): void {
    try {
      listener(message);
    } catch (cause) {
      this.fail(callbackFailed(`A listener of channel ${channel}`, cause));
    }
  }

  /**
   * Recovery: whether a message of a channel with listeners is to be delivered. Records its
   * offset as the channel's last and reports a gap before it; a duplicate (an offset not above
   * the last) or a bad offset is not delivered.
   */
  private fresh(channel: Channel<In>, name: string, data: In): boolean {
    let offset: number | null | undefined;
    try {
      offset = this.offset!(data);
      // A bad value takes the path of a throw, with the value as `cause`.
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      if (offset != null && !Number.isSafeInteger(offset)) throw offset;
    } catch (cause) {
      this.fail(new WebSocketError('The offset function threw or gave no safe integer', WS_ERROR_CODES.INVALID_MESSAGE, true, cause));
      return false;
    }
    if (offset == null) return true;
    // NaN before the first offset: no comparison with it holds.
    const last = channel.last ?? NaN;
    if (offset <= last) return false;
    // Recorded first: a listener or `onGap` that makes the client deliver again sees it.
    channel.last = offset;
    if (offset > last + 1 && this.onGap) {
      try {
        this.onGap({ channel: name, from: last + 1, to: offset - 1 });
      } catch (cause) {
        this.fail(callbackFailed('onGap', cause));
      }
    }
    return true;
  }

  /** Sends a join or leave message; failures are reported, never left as unhandled rejections. */
  private hook(make: ((channel: string, offset: number | undefined) => Out) | undefined, channel: string, offset?: number): void {
    if (!make || !this.live) return;
    let message: Out;
    try {
      message = make(channel, offset);
    } catch (cause) {
      this.fail(callbackFailed(`The join/leave message of channel ${channel}`, cause));
      return;
    }
    // A client reports its own failed sends (as an `error` event, with a `WebSocketError`);
    // anything else it rejected or threw is news.
    const failed = (cause: unknown): void => {
      const reported = cause instanceof WebSocketError;
      this.fail(reported ? cause : new WebSocketError(`Cannot send the join/leave message of channel ${channel}`, WS_ERROR_CODES.SEND_FAILED, true, cause), reported);
    };
    try {
      this.client.send(message).catch(failed);
    } catch (cause) {
      failed(cause);
    }
  }

  /** Listens to the client only while a listener or the fallback needs its messages. */
  private sync(): void {
    const messages = !this.disposed && (this.channels.size > 0 || !!this.fallback);
    this.offMessages = hold(this.offMessages, messages, () => this.client.subscribe((message) => this.received(message)));
    if (this.host) return this.host.sync();
    const following = this.offEvents;
    this.offEvents = hold(following, this.needsEvents(), () => this.client.subscribeToEvents((event) => this.changed(event)));
    if (!following && this.offEvents) this.attached();
  }
}

/**
 * Routes the messages of any client to listeners by channel: `extract` gives the channel of
 * each message, and only that channel's listeners are called (one map lookup per message,
 * whatever the number of channels).
 *
 * The router subscribes to the client only while it has a listener (or a `fallback`), and
 * to its events only while it has channels to re-join; `dispose()` releases everything.
 * Messages without a channel, or for a channel without listeners, go to `fallback` when
 * given. No function handed to the router can break it: a listener, `fallback`, `join` or
 * `leave` that throws, and an extractor that throws or gives something other than a string,
 * `undefined` or `null`, is reported to `onError` (default: `console.error`) and the router
 * carries on; the other listeners still get the message.
 *
 * With `offset`, the router recovers missed messages: it keeps the last offset seen per
 * channel, hands it to `join` on every re-join (the server replays what came after it), drops
 * a message it has already seen before any listener gets it, and reports offsets the server
 * skipped to `onGap` (see the README's "Recovery").
 *
 * With `join`/`leave`, the router sends a message when a channel gains its first listener and
 * loses its last one, and sends `join` again for every active channel after each `connected`
 * event, so that server-side subscriptions survive reconnection. Joins for channels subscribed
 * while disconnected wait for the next `connected` event; leaves are only sent while
 * connected, since a lost connection has ended the server's subscriptions already.
 *
 * @param client - the client whose messages are routed (live, mock, spy or a decorator).
 * @param extract - gives a message's channel, or `undefined`/`null` when it has none; or the
 * name of the property holding it (`'channel'`), which also narrows each channel's messages by
 * type: `router.subscribe('chat', ...)` receives only the message types whose `channel` can be
 * `'chat'`, and a channel no message type can have does not compile.
 * @param config - optional `fallback`, `join`, `leave`, `offset`, `onGap` and `onError`; see
 * {@link RouterConfig}.
 * @throws TypeError when `extract` is neither a function nor a string, a given `fallback`,
 * `join`, `leave`, `offset`, `onGap` or `onError` is not a function, or `onGap` comes without
 * `offset`.
 * @example
 * ```ts
 * const router = createChannelRouter(websocket, (msg) => msg.channel, {
 *   join: (channel) => ({ type: 'join', channel }),
 *   leave: (channel) => ({ type: 'leave', channel }),
 * });
 * const unsubscribe = router.subscribe('chat', (message) => console.log(message.data));
 * ```
 */
// `const` keeps literal types in `join`/`leave` results (`type: 'join'`) when the types come from the client.
export function createChannelRouter<const In, const Out = In, const K extends ChannelKey<In> = ChannelKey<In>>(
  client: WebSocketClient<In, Out>,
  key: K,
  config?: RouterConfig<NoInfer<In>, NoInfer<Out>>,
): ChannelRouter<In, K>;
export function createChannelRouter<const In, const Out = In>(
  client: WebSocketClient<In, Out>,
  extract: ChannelExtractor<NoInfer<In>>,
  config?: RouterConfig<NoInfer<In>, NoInfer<Out>>,
): ChannelRouter<In>;
export function createChannelRouter<In, Out>(
  client: WebSocketClient<In, Out>,
  extract: ChannelExtractor<In> | string,
  config: RouterConfig<In, Out> = {},
): ChannelRouter<In> {
  return new Router(client, extract, config);
}
