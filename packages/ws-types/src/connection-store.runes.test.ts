// @vitest-environment jsdom
// A DOM environment makes `svelte` and `svelte/store` resolve to their browser builds, where
// `fromStore()` subscribes from inside effects as it does in a component.
import { flushSync } from 'svelte';
import { fromStore } from 'svelte/store';
import { describe, expect, it } from 'vitest';
import type { EventListener, Unsubscribe, WebSocketClient } from './client.js';
import type { ConnectionState, ConnectionStats, ConnectionStatus } from './connection.js';
import { connectionStore } from './store.js';

/**
 * What the Svelte compiler emits for `$effect.root(() => { $effect(fn) })` in a `.svelte.ts`
 * module (checked with `compileModule`). The entry ships no types: they are declared here.
 */
interface Runes {
  effect_root(fn: () => void): () => void;
  user_effect(fn: () => void): void;
}
const internal = 'svelte/internal/client';
const runes = (await import(/* @vite-ignore */ internal)) as Runes;

/** Just enough of a client: a status set by hand, announced by a `connected`/`disconnected` event. */
class StatusClient implements WebSocketClient {
  status: ConnectionStatus = 'disconnected';
  readonly listeners = new Set<EventListener>();
  connect = (): Promise<void> => Promise.resolve();
  disconnect = (): Promise<void> => Promise.resolve();
  send = (): Promise<void> => Promise.resolve();
  subscribe = (): Unsubscribe => () => undefined;
  markDead = (): void => undefined;

  subscribeToEvents(listener: EventListener): Unsubscribe {
    const wrapped: EventListener = (event) => listener(event);
    this.listeners.add(wrapped);
    return () => void this.listeners.delete(wrapped);
  }

  get state(): ConnectionState {
    return { status: this.status, url: 'ws://a', protocols: [], reconnectAttempts: 0, lastError: null, connectedAt: null };
  }

  get stats(): ConnectionStats {
    return { messagesSent: 0, messagesReceived: 0, bytesSent: 0, bytesReceived: 0, reconnects: 0, errors: 0, uptime: 0 };
  }

  set(status: 'connected' | 'disconnected'): void {
    this.status = status;
    for (const listener of this.listeners) {
      listener(
        status === 'connected'
          ? { type: 'connected', url: 'ws://a', protocols: [], timestamp: 0 }
          : { type: 'disconnected', code: 1000, reason: '', wasClean: true, timestamp: 0 },
      );
    }
  }
}

describe("connectionStore with Svelte 5's fromStore() in an effect", () => {
  it('re-runs the effect on each change, and releases the client when the effect is destroyed', () => {
    const client = new StatusClient();
    const connection = fromStore(connectionStore(client));
    const seen: string[] = [];

    const destroy = runes.effect_root(() => {
      runes.user_effect(() => {
        seen.push(connection.current.status);
      });
    });
    flushSync();
    expect(seen).toEqual(['disconnected']);
    expect(client.listeners.size).toBe(1);

    client.set('connected');
    flushSync();
    expect(seen).toEqual(['disconnected', 'connected']);

    // An event that changes nothing does not re-run the effect.
    client.set('connected');
    flushSync();
    expect(seen).toEqual(['disconnected', 'connected']);

    destroy();
    flushSync();
    expect(client.listeners.size).toBe(0);
    client.set('disconnected');
    flushSync();
    expect(seen).toEqual(['disconnected', 'connected']);
  });
});
