/**
 * Model-based property: under random reply orders, delays, dropped, repeated and error replies,
 * aborts, connection losses and reconnections, every request settles exactly once, with its own
 * reply or the error a simple model predicts; late replies are dropped and reported, other
 * messages reach subscribers; no timer is left once everything has settled.
 */
import { WebSocketError } from '@composable-svelte/ws-types';
import { createMockWebSocket } from '@composable-svelte/ws-testing';
import fc from 'fast-check';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { createRequestWebSocket } from './index.js';

interface Msg {
  id?: string;
  replyTo?: string;
  n?: number;
  error?: string;
  noise?: number;
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** What a request ended with, as the model predicts it and as observed. */
type Outcome = 'ok' | 'error reply' | 'timeout' | 'aborted' | 'lost' | 'send failed' | 'disposed';

const requestArb = fc.record({
  start: fc.integer({ min: 0, max: 100 }),
  timeout: fc.option(fc.integer({ min: 0, max: 120 }), { nil: undefined }),
  abortAt: fc.option(fc.integer({ min: 0, max: 200 }), { nil: undefined }),
  // After the request's start: none (dropped), one, or a repeated reply.
  replies: fc.array(fc.record({ after: fc.integer({ min: 0, max: 150 }), error: fc.boolean() }), { maxLength: 2 }),
});

const scenarioArb = fc.record({
  keep: fc.boolean(),
  timeout: fc.integer({ min: 0, max: 120 }),
  requests: fc.array(requestArb, { minLength: 1, maxLength: 8 }),
  losses: fc.array(fc.record({ at: fc.integer({ min: 0, max: 200 }), back: fc.option(fc.integer({ min: 1, max: 60 }), { nil: undefined }) }), { maxLength: 3 }),
  noise: fc.array(fc.integer({ min: 0, max: 250 }), { maxLength: 4 }),
});

type Action =
  | { t: number; kind: 'request' | 'abort'; i: number }
  | { t: number; kind: 'reply'; i: number; error: boolean }
  | { t: number; kind: 'lose' | 'reopen' | 'noise'; i: number };

// At equal times, requests go first (so that a reply never precedes its request), then the rest in order.
const rank = (action: Action): number => (action.kind === 'request' ? 0 : 1);

const replyOf = (i: number, error: boolean): Msg => (error ? { replyTo: `r${i}`, n: i, error: 'nope' } : { replyTo: `r${i}`, n: i });

it('every request settles exactly once, with its own reply or the predicted error, and no timer is left', async () => {
  await fc.assert(
    fc.asyncProperty(scenarioArb, async (scenario) => {
      // A failed run (while shrinking) must not leave its timers to the next one.
      vi.clearAllTimers();
      const actions: Action[] = [];
      scenario.requests.forEach((request, i) => {
        actions.push({ t: request.start, kind: 'request', i });
        if (request.abortAt !== undefined) actions.push({ t: request.abortAt, kind: 'abort', i });
        for (const reply of request.replies) actions.push({ t: request.start + reply.after, kind: 'reply', i, error: reply.error });
      });
      scenario.losses.forEach((loss, i) => {
        actions.push({ t: loss.at, kind: 'lose', i });
        if (loss.back !== undefined) actions.push({ t: loss.at + loss.back, kind: 'reopen', i });
      });
      scenario.noise.forEach((t, i) => actions.push({ t, kind: 'noise', i }));
      actions.sort((a, b) => a.t - b.t || rank(a) - rank(b));

      // --- The model: time-ordered, timeouts due at or before an action fire first. ---
      const predicted = new Map<number, Outcome>();
      const expectedReplies = new Map<number, Msg>();
      let modelLate = 0;
      const modelSeen: Msg[] = [];
      {
        let connected = true;
        const pending = new Map<number, number | null>(); // request → deadline
        const remembered = new Set<number>();
        const aborted = new Set<number>();
        const end = (i: number, outcome: Outcome): void => {
          pending.delete(i);
          remembered.add(i);
          predicted.set(i, outcome);
        };
        const fireTimeouts = (t: number): void => {
          for (const [i, deadline] of pending) if (deadline !== null && deadline <= t) end(i, 'timeout');
        };
        for (const action of actions) {
          fireTimeouts(action.t);
          const { i } = action;
          switch (action.kind) {
            case 'request': {
              const timeout = scenario.requests[i]!.timeout ?? scenario.timeout;
              if (aborted.has(i)) end(i, 'aborted');
              else if (!connected) end(i, 'send failed');
              else pending.set(i, timeout ? action.t + timeout : null);
              break;
            }
            case 'abort':
              aborted.add(i);
              if (pending.has(i)) end(i, 'aborted');
              break;
            case 'reply':
              if (!connected) break; // lost on the way
              if (pending.has(i)) {
                end(i, action.error ? 'error reply' : 'ok');
                expectedReplies.set(i, replyOf(i, action.error));
              } else if (remembered.has(i)) modelLate++;
              else modelSeen.push(replyOf(i, action.error));
              break;
            case 'lose':
              if (!connected) break;
              connected = false;
              if (!scenario.keep) for (const j of [...pending.keys()]) end(j, 'lost');
              break;
            case 'reopen':
              connected = true;
              break;
            case 'noise':
              if (connected) modelSeen.push({ noise: i });
              break;
          }
        }
        fireTimeouts(Number.POSITIVE_INFINITY);
        for (const i of pending.keys()) predicted.set(i, 'disposed');
      }

      // --- The system. ---
      const mock = createMockWebSocket<Msg>({ reconnect: true });
      await mock.connect('wss://example.test');
      const rpc = createRequestWebSocket(mock, { timeout: scenario.timeout, keepOnReconnect: scenario.keep });
      const seen: Msg[] = [];
      const offMessages = rpc.subscribe((message) => seen.push(message.data));
      const late: WebSocketError[] = [];
      const offEvents = rpc.subscribeToEvents((event) => {
        if (event.type === 'error' && event.error.message === 'Late reply') late.push(event.error);
      });
      const controllers = scenario.requests.map(() => new AbortController());
      const reasons = scenario.requests.map((_, i) => new Error(`abort ${i}`));
      const settled = new Map<number, { value: unknown } | { error: unknown }>();
      let settlements = 0;
      const issued = new Set<number>();
      const flush = async (): Promise<void> => {
        for (let k = 0; k < 10; k++) await Promise.resolve();
      };

      let now = 0;
      for (const action of actions) {
        await vi.advanceTimersByTimeAsync(action.t - now);
        now = action.t;
        const { i } = action;
        switch (action.kind) {
          case 'request': {
            issued.add(i);
            const timeout = scenario.requests[i]!.timeout;
            const options = { signal: controllers[i]!.signal, ...(timeout === undefined ? {} : { timeout }) };
            rpc.request({ id: `r${i}`, n: i }, options).then(
              (value) => {
                settlements++;
                settled.set(i, { value });
              },
              (error: unknown) => {
                settlements++;
                settled.set(i, { error });
              },
            );
            break;
          }
          case 'abort':
            controllers[i]!.abort(reasons[i]);
            break;
          case 'reply':
            if (mock.state.status === 'connected') mock.simulateMessage(replyOf(i, action.error));
            break;
          case 'lose':
            if (mock.state.status === 'connected') mock.simulateDisconnect();
            break;
          case 'reopen':
            if (mock.state.status === 'reconnecting') mock.open();
            break;
          case 'noise':
            if (mock.state.status === 'connected') mock.simulateMessage({ noise: i });
            break;
        }
        await flush();
        // A timer runs exactly for each unsettled request that has a timeout: none outlives its request.
        const timed = [...issued].filter((j) => !settled.has(j) && (scenario.requests[j]!.timeout ?? scenario.timeout) > 0);
        expect(vi.getTimerCount()).toBe(timed.length);
      }
      await vi.advanceTimersByTimeAsync(1000);
      await flush();

      // Before dispose: what the model leaves pending is exactly what is pending, and no timer runs.
      const stillPending = [...predicted].filter(([, outcome]) => outcome === 'disposed').map(([i]) => i);
      expect(scenario.requests.map((_, i) => i).filter((i) => !settled.has(i))).toEqual(stillPending);
      expect(vi.getTimerCount()).toBe(0);
      rpc.dispose();
      await flush();

      expect(settlements).toBe(scenario.requests.length);
      for (const [i, outcome] of predicted) {
        const result = settled.get(i)!;
        if (outcome === 'ok') {
          expect(result).toEqual({ value: expectedReplies.get(i) });
          continue;
        }
        expect('error' in result, `request ${i}: ${outcome}`).toBe(true);
        const error = (result as { error: unknown }).error;
        expect(error).toBeInstanceOf(WebSocketError);
        const { code, cause, message } = error as WebSocketError;
        switch (outcome) {
          case 'error reply':
            expect(code).toBe('REQUEST_FAILED');
            expect(cause).toEqual(expectedReplies.get(i));
            break;
          case 'timeout':
            expect(code).toBe('REQUEST_TIMEOUT');
            break;
          case 'aborted':
            expect(code).toBe('REQUEST_FAILED');
            expect(cause).toBe(reasons[i]);
            break;
          case 'lost':
            expect(code).toBe('CONNECTION_FAILED');
            break;
          case 'send failed':
            expect(code).toBe('SEND_FAILED');
            break;
          case 'disposed':
            expect([code, message]).toEqual(['REQUEST_FAILED', 'Disposed']);
            break;
        }
      }
      expect(late).toHaveLength(modelLate);
      expect(seen).toEqual(modelSeen);
      expect(vi.getTimerCount()).toBe(0);
      offMessages();
      offEvents();
      expect(mock.listenerCount).toEqual({ messages: 0, events: 0 });
    }),
    { numRuns: 300 },
  );
});
