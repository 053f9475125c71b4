import type { Readable } from 'svelte/store';
import { describe, expectTypeOf, it } from 'vitest';
import type { ConnectionStatus, RoundTripTime, Unsubscribe, WebSocketClient, WebSocketError } from './index.js';
import { connectionStore } from './store.js';
import type { ConnectionStore, ConnectionStoreOptions, ConnectionView } from './store.js';

interface Chat {
  type: 'chat';
  text: string;
}

declare const client: WebSocketClient<Chat>;
declare const twoWay: WebSocketClient<{ type: 'event' }, { type: 'command' }>;
declare const heartbeat: WebSocketClient<Chat> & { readonly rtt: RoundTripTime; start(): void };

describe('connectionStore types', () => {
  it("is a Svelte Readable of the view, for any client", () => {
    expectTypeOf(connectionStore(client)).toEqualTypeOf<ConnectionStore>();
    expectTypeOf(connectionStore(twoWay)).toExtend<Readable<ConnectionView>>();
    expectTypeOf<ConnectionStore>().toExtend<Readable<ConnectionView>>();
    expectTypeOf<ConnectionStore['subscribe']>().returns.toEqualTypeOf<Unsubscribe>();
    connectionStore(client).subscribe((view) => {
      expectTypeOf(view).toEqualTypeOf<ConnectionView>();
    });
  });

  it('describes the view', () => {
    expectTypeOf<ConnectionView>().toEqualTypeOf<{
      readonly status: ConnectionStatus;
      readonly url: string | null;
      readonly attempt: number;
      readonly nextRetryAt: number | null;
      readonly waitingForNetwork: boolean;
      readonly lastError: WebSocketError | null;
      readonly rtt: number | null;
      readonly connectedAt: Date | null;
    }>();
    connectionStore(client).subscribe((view) => {
      // @ts-expect-error the view is read-only
      view.status = 'connected';
    });
  });

  it('takes a heartbeat (anything with an rtt), a refresh period and timers', () => {
    connectionStore(client, { heartbeat, refresh: 1000 });
    connectionStore(heartbeat, { refresh: undefined, heartbeat: undefined });
    expectTypeOf<ConnectionStoreOptions['refresh']>().toEqualTypeOf<number | undefined>();
    // @ts-expect-error a heartbeat must have an rtt
    connectionStore(client, { heartbeat: client });
    // @ts-expect-error refresh is in ms
    connectionStore(client, { refresh: '1s' });
    // @ts-expect-error not a client
    connectionStore({ subscribeToEvents: () => () => undefined });
  });
});
