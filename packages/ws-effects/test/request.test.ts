/**
 * `Effect.websocket.request` in the core's `TestStore`: a reply becomes one action, a failure
 * (an error reply, a timeout) another, over ws-request and ws-testing's mock.
 */
import { Effect as CoreEffect } from '@composable-svelte/core';
import { TestStore } from '@composable-svelte/core/test';
import { createRequestWebSocket, type RequestWebSocket } from '@composable-svelte/ws-request';
import { createMockWebSocket, type MockWebSocket } from '@composable-svelte/ws-testing';
import type { WebSocketError } from '@composable-svelte/ws-types';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { withWebSocketEffects } from '../src/index.js';

const Effect = withWebSocketEffects(CoreEffect);

interface ClientMessage { type: 'createRoom'; id: string; name: string }
interface Room { type: 'room'; replyTo: string; channel: string }
interface Refused { type: 'refused'; replyTo: string; error: string }
type ServerMessage = Room | Refused;
interface Replies {
  createRoom: Room | Refused;
}

interface State {
  creating: string | null;
  rooms: string[];
  problem: { code: string; cause: unknown } | null;
}
type Action =
  | { type: 'create'; name: string }
  | { type: 'created'; channel: string }
  | { type: 'createFailed'; error: WebSocketError };
interface Deps {
  rpc: RequestWebSocket<ServerMessage, ClientMessage, Replies>;
}

const reducer = (state: State, action: Action, deps: Deps): [State, ReturnType<typeof Effect.none<Action>>] => {
  switch (action.type) {
    case 'create':
      return [
        { ...state, creating: action.name, problem: null },
        Effect.websocket.request(
          () => deps.rpc.request({ type: 'createRoom', id: `create:${action.name}`, name: action.name }, { timeout: 1000 }),
          (reply): Action => (reply.type === 'room' ? { type: 'created', channel: reply.channel } : { type: 'createFailed', error: new Error(reply.error) as WebSocketError }),
          (error): Action => ({ type: 'createFailed', error }),
        ),
      ];
    case 'created':
      return [{ ...state, creating: null, rooms: [...state.rooms, action.channel] }, Effect.none()];
    case 'createFailed':
      return [{ ...state, creating: null, problem: { code: action.error.code, cause: action.error.cause } }, Effect.none()];
  }
};

let mock: MockWebSocket<ServerMessage, ClientMessage>;
let store: TestStore<State, Action, Deps>;

beforeEach(async () => {
  vi.useFakeTimers();
  mock = createMockWebSocket<ServerMessage, ClientMessage>();
  await mock.connect('wss://chat.example');
  // The server marks an error reply with `error`: a refusal rejects the request with REQUEST_FAILED.
  const rpc = createRequestWebSocket<ServerMessage, ClientMessage, Replies>(mock);
  store = new TestStore({ initialState: { creating: null, rooms: [], problem: null }, reducer, dependencies: { rpc } });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Effect.websocket.request', () => {
  it('maps the reply to an action', async () => {
    await store.send({ type: 'create', name: 'lobby' }, (state) => {
      expect(state.creating).toBe('lobby');
    });
    expect(mock.sentMessages).toEqual([{ type: 'createRoom', id: 'create:lobby', name: 'lobby' }]);
    mock.simulateMessage({ type: 'room', replyTo: 'create:lobby', channel: 'room:lobby' });
    await store.receive({ type: 'created' }, (state) => {
      expect(state).toEqual({ creating: null, rooms: ['room:lobby'], problem: null });
    });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('maps an error reply to the failure action, with the server error as cause', async () => {
    await store.send({ type: 'create', name: 'taken' });
    const refusal: Refused = { type: 'refused', replyTo: 'create:taken', error: 'A room with that name exists' };
    mock.simulateMessage(refusal);
    await store.receive({ type: 'createFailed' }, (state) => {
      expect(state.problem).toEqual({ code: 'REQUEST_FAILED', cause: refusal });
    });
  });

  it('maps a timeout to the failure action', async () => {
    await store.send({ type: 'create', name: 'slow' });
    await vi.advanceTimersByTimeAsync(1000);
    await store.receive({ type: 'createFailed' }, (state) => {
      expect(state.problem).toEqual({ code: 'REQUEST_TIMEOUT', cause: undefined });
    });
    // The reply that comes too late reaches no action: it is dropped and reported by the requester.
    mock.simulateMessage({ type: 'room', replyTo: 'create:slow', channel: 'room:slow' });
    await vi.advanceTimersByTimeAsync(0);
    store.assertNoPendingActions();
    expect(store.getState().rooms).toEqual([]);
  });

  it('wraps a rejection that is not a WebSocketError as REQUEST_FAILED, and never rejects itself', async () => {
    const failures: WebSocketError[] = [];
    const effect = Effect.websocket.request<never, string>(
      () => Promise.reject(new Error('not a websocket error')),
      () => 'never',
      (error) => {
        failures.push(error);
        return 'failed';
      },
    );
    const dispatched: string[] = [];
    await effect.execute((action: string) => dispatched.push(action));
    expect(dispatched).toEqual(['failed']);
    expect(failures[0]).toMatchObject({ code: 'REQUEST_FAILED', cause: new Error('not a websocket error') });
  });
});
