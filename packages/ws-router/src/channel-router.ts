import {
  WebSocketError,
  WS_ERROR_CODES,
  type ChannelExtractor,
  type MessageListener,
  type RouterConfig,
  type Unsubscribe,
  type WebSocketClient,
  type WebSocketEvent,
  type WebSocketMessage,
} from '@composable-svelte/ws-types';
import { createListenerSet, type ListenerSet } from '@composable-svelte/ws-types/shared';

/** Routes a client's messages to listeners by channel; see {@link createChannelRouter}. */
export interface ChannelRouter<T> {
  /**
   * Calls `listener` with every message whose channel is `channel`, until the returned
   * function is called (calling it again does nothing). The first listener of a channel sends
   * the `join` message, if configured; removing the last one sends `leave`.
   *
   * @throws TypeError when `channel` is not a string or `listener` not a function.
   */
  subscribe(channel: string, listener: MessageListener<T>): Unsubscribe;
  /** The channels that have at least one listener, in the order they got their first. */
  getChannels(): string[];
  /** How many listeners `channel` has; without `channel`, how many the router has in all. */
  getListenerCount(channel?: string): number;
  /** Removes every channel listener (sending `leave` for each channel when configured). The `fallback` stays. */
  clear(): void;
}


/**
 * Routes the messages of any client to listeners by channel: `extract` gives the channel of
 * each message, and only that channel's listeners are called (one map lookup per message,
 * whatever the number of channels).
 *
 * The router subscribes to the client only while it has a listener (or a `fallback`).
 * Messages without a channel, or for a channel without listeners, go to `fallback` when
 * given. A listener that throws does not stop the others (its exception is re-thrown from a
 * microtask, as the clients do); an extractor that throws drops that message and is reported
 * to `onError` as an `INVALID_MESSAGE` `WebSocketError` (default: `console.error`), and the
 * router carries on.
 *
 * With `join`/`leave`, the router sends a message when a channel gains its first listener and
 * loses its last one, and sends `join` again for every active channel after each `connected`
 * event, so that server-side subscriptions survive reconnection. Joins for channels subscribed
 * while disconnected wait for the next `connected` event; leaves are only sent while
 * connected, since a lost connection has ended the server's subscriptions already.
 *
 * @param client - the client whose messages are routed (live, mock, spy or a decorator).
 * @param extract - gives a message's channel, or `undefined`/`null` when it has none.
 * @param config - optional `fallback`, `join`, `leave` and `onError`; see {@link RouterConfig}.
 * @throws TypeError when `extract` is not a function.
 * @example
 * ```ts
 * const router = createChannelRouter(websocket, (msg) => msg.channel, {
 *   join: (channel) => ({ type: 'join', channel }),
 *   leave: (channel) => ({ type: 'leave', channel }),
 * });
 * const unsubscribe = router.subscribe('chat', (message) => console.log(message.data));
 * ```
 */
// `const` keeps literal types in `join`/`leave` results (`type: 'join'`) when T comes from the client.
export function createChannelRouter<const T>(
  client: WebSocketClient<T>,
  extract: ChannelExtractor<T>,
  config: RouterConfig<T> = {},
): ChannelRouter<T> {
  if (typeof extract !== 'function') throw new TypeError('extract must be a function');
  const { fallback, join, leave } = config;
  const report = config.onError ?? ((error: WebSocketError) => console.error(error));
  const channels = new Map<string, ListenerSet<WebSocketMessage<T>>>();
  let total = 0;
  let detach: Unsubscribe | null = null;
  let detachEvents: Unsubscribe | null = null;
  // Whether the client's current connection has been announced by a `connected` event (or
  // was open when the router started listening): joins go out only then.
  let live = false;

  /** Sends a join or leave message; failures are reported, never left as unhandled rejections. */
  const hook = (make: ((channel: string) => T) | undefined, channel: string): void => {
    if (!make || !live) return;
    const fail = (cause: unknown): void => {
      report(
        cause instanceof WebSocketError
          ? cause
          : new WebSocketError(`Cannot send the join/leave message of channel ${channel}`, WS_ERROR_CODES.SEND_FAILED, true, cause),
      );
    };
    try {
      client.send(make(channel)).catch(fail);
    } catch (cause) {
      fail(cause);
    }
  };

  const received = (message: WebSocketMessage<T>): void => {
    let channel: string | null | undefined;
    try {
      channel = extract(message.data);
    } catch (cause) {
      report(new WebSocketError('The channel extractor threw', WS_ERROR_CODES.INVALID_MESSAGE, true, cause));
      return;
    }
    const listeners = channel == null ? undefined : channels.get(channel);
    if (listeners) listeners.emit(message);
    else fallback?.(message, channel ?? undefined);
  };

  const changed = (event: WebSocketEvent): void => {
    if (event.type === 'connected') {
      // Already live: a channel subscribed during this very event has sent its join.
      if (live) return;
      live = true;
      for (const channel of [...channels.keys()]) hook(join, channel);
    } else if (event.type === 'disconnected' || event.type === 'reconnecting') {
      live = false;
    }
  };

  /** Listens to the client only while a listener or the fallback needs its messages. */
  const sync = (): void => {
    const wanted = total > 0 || fallback !== undefined;
    if (wanted && !detach) {
      detach = client.subscribe(received);
      if (join || leave) {
        live = client.state.status === 'connected';
        detachEvents = client.subscribeToEvents(changed);
      }
    } else if (!wanted && detach) {
      detach();
      detachEvents?.();
      detach = detachEvents = null;
    }
  };

  sync();

  return {
    subscribe(channel, listener) {
      if (typeof channel !== 'string') throw new TypeError('channel must be a string');
      if (typeof listener !== 'function') throw new TypeError('listener must be a function');
      let listeners = channels.get(channel);
      const first = !listeners;
      if (!listeners) channels.set(channel, (listeners = createListenerSet()));
      const set = listeners;
      const off = set.add(listener);
      total++;
      sync();
      if (first) hook(join, channel);
      let active = true;
      return () => {
        // After clear(), the channel may have a new set: this subscription is gone already.
        if (!active || channels.get(channel) !== set) return;
        active = false;
        off();
        total--;
        if (set.size === 0) {
          channels.delete(channel);
          hook(leave, channel);
        }
        sync();
      };
    },
    getChannels: () => [...channels.keys()],
    getListenerCount: (channel) => (channel === undefined ? total : (channels.get(channel)?.size ?? 0)),
    clear() {
      const active = [...channels];
      channels.clear();
      total = 0;
      for (const [channel, set] of active) {
        // Listeners still due for a message being dispatched right now do not get it either.
        set.clear();
        hook(leave, channel);
      }
      sync();
    },
  };
}

