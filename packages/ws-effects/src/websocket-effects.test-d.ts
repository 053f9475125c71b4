import { Effect as CoreEffect, type EffectType, type Reducer } from '@composable-svelte/core';
import type { WebSocketClient, WebSocketError, WebSocketEvent, WebSocketMessage } from '@composable-svelte/ws-types';
import { describe, expectTypeOf, it } from 'vitest';
import type { RunEffect, SubscriptionEffect, WebSocketEffect } from './effect.js';
import { websocketEffects } from './websocket-effects.js';
import { withWebSocketEffects, type WithWebSocketEffects } from './with-websocket-effects.js';

interface ChatMessage {
  type: 'chat';
  text: string;
}

type Action =
  | { type: 'websocketEvent'; event: WebSocketEvent }
  | { type: 'messageReceived'; message: ChatMessage }
  | { type: 'messageSent' }
  | { type: 'messageFailed'; error: string };

declare const client: WebSocketClient<ChatMessage>;
declare const untyped: WebSocketClient;

const Effect = withWebSocketEffects(CoreEffect);

describe('withWebSocketEffects(Effect)', () => {
  it('keeps every builder of the core\'s Effect, typed, and adds websocket', () => {
    expectTypeOf(Effect).toEqualTypeOf<WithWebSocketEffects<typeof CoreEffect>>();
    expectTypeOf<(typeof Effect)['batch']>().toEqualTypeOf<(typeof CoreEffect)['batch']>();
    expectTypeOf(Effect.none<Action>()).toEqualTypeOf<EffectType<Action>>();
    expectTypeOf(Effect.websocket).toEqualTypeOf(websocketEffects);
  });

  it('gives effects assignable to the core\'s Effect<Action>', () => {
    const connect = Effect.websocket.connect<Action>(client, 'c', 'wss://x', undefined, (event) => ({ type: 'websocketEvent', event }));
    expectTypeOf(connect).toEqualTypeOf<SubscriptionEffect<Action>>();
    expectTypeOf(connect).toExtend<EffectType<Action>>();

    const effects: EffectType<Action>[] = [
      Effect.websocket.connect(client, 'c', 'wss://x', ['v1'], (event) => ({ type: 'websocketEvent', event })),
      Effect.websocket.connect(client, 'c', () => Promise.resolve('wss://x')),
      Effect.websocket.disconnect(client),
      Effect.websocket.disconnect(client, 4000, 'bye'),
      Effect.websocket.send(client, { type: 'chat', text: 'hi' }),
      Effect.websocket.send(client, { type: 'chat', text: 'hi' }, () => ({ type: 'messageSent' }), (error) => ({ type: 'messageFailed', error: error.message })),
      Effect.websocket.subscribe(client, 'm', (message) => ({ type: 'messageReceived', message: message.data })),
      Effect.websocket.subscribeToEvents(client, 'e', (event) => ({ type: 'websocketEvent', event })),
    ];
    expectTypeOf(effects).items.toExtend<EffectType<Action>>();
  });

  it('types the callbacks\' arguments from the client', () => {
    Effect.websocket.subscribe<ChatMessage, Action>(client, 'm', (message) => {
      expectTypeOf(message).toEqualTypeOf<WebSocketMessage<ChatMessage>>();
      return { type: 'messageReceived', message: message.data };
    });
    Effect.websocket.send<ChatMessage, Action>(client, { type: 'chat', text: 'hi' }, undefined, (error) => {
      expectTypeOf(error).toEqualTypeOf<WebSocketError>();
      return { type: 'messageFailed', error: error.message };
    });
  });

  it('infers the action type inside a reducer, Effect.batch included', () => {
    const reducer: Reducer<{ n: number }, Action, { websocket: WebSocketClient<ChatMessage> }> = (state, action, deps) =>
      action.type === 'messageSent'
        ? [
            state,
            Effect.batch(
              Effect.websocket.connect(deps.websocket, 'c', 'wss://x', undefined, (event) => ({ type: 'websocketEvent', event })),
              Effect.websocket.subscribe(deps.websocket, 'm', (message) => ({ type: 'messageReceived', message: message.data })),
            ),
          ]
        : [state, Effect.websocket.disconnect(deps.websocket)];
    expectTypeOf(reducer).toBeFunction();
  });

  it('rejects a callback returning an action of the wrong type', () => {
    const effects: EffectType<Action>[] = [
      // @ts-expect-error 'websocketEvnt' is not an action
      Effect.websocket.connect(client, 'c', 'wss://x', undefined, (event) => ({ type: 'websocketEvnt', event })),
      // @ts-expect-error a messageFailed needs its error
      Effect.websocket.send(client, { type: 'chat', text: 'hi' }, () => ({ type: 'messageSent' }), () => ({ type: 'messageFailed' })),
      // @ts-expect-error message is the envelope, not the ChatMessage
      Effect.websocket.subscribe(client, 'm', (message) => ({ type: 'messageReceived', message })),
      // @ts-expect-error events are not messages
      Effect.websocket.subscribeToEvents(client, 'e', (event) => ({ type: 'messageReceived', message: event })),
    ];
    const reducer = (): [number, EffectType<Action>] => [
      0,
      // @ts-expect-error the wrong action inside Effect.batch, in a reducer
      Effect.batch(Effect.websocket.subscribeToEvents(client, 'e', () => ({ type: 'nope' }))),
    ];
    expectTypeOf(effects).toBeArray();
    expectTypeOf(reducer).toBeFunction();
  });

  it('checks the message against the client\'s message type', () => {
    // @ts-expect-error a ChatMessage has no `body`
    Effect.websocket.send(client, { type: 'chat', body: 'hi' });
    // An untyped client, as in the guide's untyped examples, takes anything.
    Effect.websocket.send(untyped, { anything: true });
  });

  it('needs the action type where nothing gives it', () => {
    // @ts-expect-error without a declared type, the action type is `never`
    websocketEffects.subscribeToEvents(client, 'e', (event) => ({ type: 'websocketEvent', event }));
    expectTypeOf(websocketEffects.subscribeToEvents<Action>(client, 'e', (event) => ({ type: 'websocketEvent', event }))).toEqualTypeOf<
      SubscriptionEffect<Action>
    >();
    // Effects without callbacks fit any action type.
    expectTypeOf(websocketEffects.disconnect(client)).toEqualTypeOf<RunEffect<never>>();
    expectTypeOf(websocketEffects.disconnect(client)).toExtend<EffectType<Action>>();
    expectTypeOf<WebSocketEffect<Action>>().toExtend<EffectType<Action>>();
  });

  it('does not mutate the type of its argument', () => {
    // @ts-expect-error the core's Effect has no typed websocket
    void CoreEffect.websocket;
  });
});
