import { createFakeWebSocket, createMockWebSocket, type FakeWebSocket, type MockWebSocket } from '@composable-svelte/ws-testing';
import {
  WebSocketError,
  WS_ERROR_CODES,
  type ConnectionStatus,
  type TimerHandle,
  type Timers,
  type UrlProvider,
  type WebSocketClient,
  type WebSocketEvent,
} from '@composable-svelte/ws-types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLiveWebSocket, type BrowserEnvironment, type LifecycleListener } from '../src/index.js';

// Model-based parity: ws-testing's mock must behave exactly like the live client running over
// ws-testing's fake WebSocket. Every generated step is applied to both: the application's calls
// (connect, disconnect, send, markDead; also two calls in the same tick, and calls made by an
// event listener), the server's and the network's doings (open, refuse, clean close, drop,
// message) and time passing. After every step the events emitted since the previous one, the
// state, the stats, every promise returned so far, the messages delivered and the frames sent
// must be the same on both sides.
//
// Time is a fake clock injected into both (the live client's `timers`, the mock's `now`): timers
// fire exactly at their time, in order, each followed by the microtasks it causes; nothing
// waits for real. The mock has no timers, so the harness plays the live client's clock for it:
// from the common state (read on the mock, which must equal the live client's anyway) it
// predicts the live client's one pending timer (the connection timeout while connecting, the
// backoff delay while reconnecting) and, when time reaches it, applies the matching mock
// control: `fail(CONNECTION_TIMEOUT)` or `retry()`. The mock is driven only through its public
// test controls, never from what the live client did.
//
// Deliberate differences (see the ws-testing README), kept out of the comparison: the `delay`
// of `reconnecting` and the `totalDelay` of `reconnected` (0 on the mock, which waits for the
// test instead of a clock) and the messages of errors (their codes and `recoverable` are
// compared). Kept out of the generated sequences: `minUptime` other than 0 (the mock restarts
// the attempt count as soon as it is connected), jitter, `queueSize` (the mock holds no sends),
// the heartbeat, `shouldReconnect`, URLs the fake WebSocket refuses (the mock opens no socket),
// a server that never answers a close (the mock's close handshake always completes, two
// microtasks later) and drops with a code other than 1006 (the mock's `wasClean` follows the code).

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const TARGETS = {
  a: 'wss://a.example/',
  b: 'wss://b.example/chat',
  // Providers: the same function object each time, so connecting again is "the same URL".
  provider: () => 'wss://provider.example/',
  asyncProvider: () => Promise.resolve('wss://async.example/'),
  rejectingProvider: () => Promise.reject(new Error('no URL today')),
  // Not a URL at all: connect() rejects with a TypeError.
  number: 42 as unknown as UrlProvider,
} satisfies Record<string, UrlProvider>;
type Target = keyof typeof TARGETS;

interface Setup {
  /** The live client's `reconnect` option; `null`: no `reconnect` key (and `reconnect: false` on the mock). */
  reconnect: { maxAttempts: number; initialDelay: number; maxDelay: number } | null;
  connectionTimeout: number;
}

/** A call of the client API, made by the application. */
type Call =
  | { kind: 'connect'; target: Target; protocols: readonly unknown[] }
  | { kind: 'disconnect'; code: number | undefined; reason: string | undefined }
  | { kind: 'send'; message: unknown }
  | { kind: 'markDead'; reason: string };

type Step =
  | Call
  /** Two calls in the same tick, with no microtask in between. */
  | { kind: 'together'; calls: [Call, Call] }
  /** From now on, the next event of type `event` makes an event listener call `call`. */
  | { kind: 'onEvent'; event: WebSocketEvent['type']; call: Call }
  // What the server, the network and the clock do:
  | { kind: 'open' }
  /** The server refuses the pending connection; on the mock, through `fail()` or `simulateDisconnect()`. */
  | { kind: 'refuse'; mock: 'fail' | 'simulateDisconnect' }
  | { kind: 'serverClose'; code: number; reason: string }
  /** The connection is lost without a Close frame (`drop()`) or with a network error (`fail()`). */
  | { kind: 'drop'; socket: 'drop' | 'fail' }
  | { kind: 'receive'; message: Json }
  /** The network goes down or comes back: the live client's environment reports it; the mock's `setOnline()`. */
  | { kind: 'network'; online: boolean }
  | { kind: 'advance'; ms: number };

// 62 × 'é' is 124 UTF-8 bytes but only 62 UTF-16 units; 123 × 'x' is exactly the limit.
const LONG_REASON = 'é'.repeat(62);
const reason = fc.constantFrom('', 'bye', 'x'.repeat(123), LONG_REASON);

const json: fc.Arbitrary<Json> = fc.oneof(
  fc.integer(),
  fc.string({ maxLength: 6 }),
  fc.constant(null),
  fc.boolean(),
  fc.record({ type: fc.constantFrom('chat', 'ping'), n: fc.nat(99) }),
  fc.array(fc.integer({ min: -9, max: 9 }), { maxLength: 3 }),
);

const setup: fc.Arbitrary<Setup> = fc.record({
  reconnect: fc.option(
    fc
      .record({
        maxAttempts: fc.integer({ min: 0, max: 3 }),
        initialDelay: fc.constantFrom(0, 10, 50, 200),
        extra: fc.constantFrom(0, 100, 1000),
      })
      // Without a limit, attempts that fail at once must not come every millisecond: a failing
      // URL provider would otherwise make thousands of attempts per `advance`.
      .map(({ maxAttempts, initialDelay, extra }) => {
        const delay = maxAttempts === 0 ? Math.max(initialDelay, 10) : initialDelay;
        return { maxAttempts, initialDelay: delay, maxDelay: Math.max(delay + extra, maxAttempts === 0 ? 40 : 0) };
      }),
    { nil: null, freq: 3 },
  ),
  connectionTimeout: fc.constantFrom(1, 50, 1000, 10_000),
});

const call: fc.Arbitrary<Call> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('connect' as const),
      target: fc.oneof(
        { weight: 12, arbitrary: fc.constantFrom<Target>('a', 'a', 'b', 'provider', 'asyncProvider', 'rejectingProvider') },
        { weight: 1, arbitrary: fc.constant<Target>('number') },
      ),
      protocols: fc.oneof({ weight: 12, arbitrary: fc.constantFrom([], [], ['v1']) }, { weight: 1, arbitrary: fc.constant([7]) }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('disconnect' as const),
      code: fc.constantFrom(undefined, 1000, 3000, 4999, 1001, 2999, 5000, 1000.5),
      reason: fc.option(reason, { nil: undefined }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('send' as const), message: fc.oneof({ weight: 4, arbitrary: json }, fc.constant(10n)) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('markDead' as const), reason: fc.constantFrom('Heartbeat timeout', '', LONG_REASON) }),
  },
);

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 10, arbitrary: call },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('together' as const), calls: fc.tuple(call, call) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('onEvent' as const),
      event: fc.constantFrom<WebSocketEvent['type']>('connected', 'disconnected', 'reconnecting', 'reconnected', 'error', 'network'),
      call,
    }),
  },
  { weight: 6, arbitrary: fc.constant({ kind: 'open' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('refuse' as const), mock: fc.constantFrom('fail' as const, 'simulateDisconnect' as const) }) },
  {
    weight: 2,
    arbitrary: fc
      .record({
        kind: fc.constant('serverClose' as const),
        code: fc.constantFrom(1000, 1001, 1011, 1005, 3000, 4000, 4999),
        reason: fc.constantFrom('', 'going away'),
      })
      // A Close frame without a code carries no reason.
      .map((s) => (s.code === 1005 ? { ...s, reason: '' } : s)),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('drop' as const), socket: fc.constantFrom('drop' as const, 'fail' as const) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('receive' as const), message: json }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('network' as const), online: fc.boolean() }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('advance' as const),
      ms: fc.oneof(fc.constantFrom(0, 1, 10, 49, 50, 51, 200, 999, 1000, 1001), fc.integer({ min: 0, max: 2500 })),
    }),
  },
);

/** How a promise returned by a client has settled so far. */
type Outcome = { state: 'pending' } | { state: 'resolved' } | { state: 'rejected'; reason: unknown };

const describeOutcome = (outcome: Outcome): string => {
  if (outcome.state !== 'rejected') return outcome.state;
  const { reason } = outcome;
  if (reason instanceof WebSocketError) return `rejected ${reason.code}`;
  if (reason instanceof TypeError) return 'rejected TypeError';
  return `rejected ${String(reason)}`;
};

/** An error, as compared: its code and whether it is recoverable (messages differ on purpose). */
const projectError = (error: WebSocketError | null): object | null => error && { code: error.code, recoverable: error.recoverable };

/** The parts of an event both sides must agree on: all but the delays (see above). */
const project = (event: WebSocketEvent): object => {
  switch (event.type) {
    case 'reconnecting':
      return { ...event, delay: 'not compared' };
    case 'reconnected':
      return { ...event, totalDelay: 'not compared' };
    case 'error':
      return { ...event, error: projectError(event.error) };
    case 'connected':
    case 'disconnected':
    case 'network':
      return event;
  }
};

const show = (value: unknown): string => JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));

/** One client and what the harness saw of it. */
class Side {
  readonly events: WebSocketEvent[] = [];
  readonly messages: unknown[] = [];
  readonly outcomes: Outcome[] = [];
  /** Events already compared. */
  private seen = 0;
  private readonly off: (() => void)[];

  constructor(
    readonly client: WebSocketClient,
    private readonly frames: () => unknown[],
  ) {
    this.off = [client.subscribeToEvents((event) => this.events.push(event)), client.subscribe((message) => this.messages.push(message.data))];
  }

  /** Makes `call` and records how its promise settles. */
  call(call: Call): void {
    const { client } = this;
    switch (call.kind) {
      case 'connect':
        return this.track(() => client.connect(TARGETS[call.target], call.protocols as readonly string[]));
      case 'disconnect':
        return this.track(() => client.disconnect(call.code, call.reason));
      case 'send':
        return this.track(() => client.send(call.message));
      case 'markDead':
        return client.markDead(call.reason);
    }
  }

  /** The next event of type `type` makes a listener call `call`. */
  onEvent(type: WebSocketEvent['type'], call: Call): void {
    const off = this.client.subscribeToEvents((event) => {
      if (event.type !== type) return;
      off();
      this.call(call);
    });
    this.off.push(off);
  }

  /** Everything compared, with the events emitted since the last snapshot. */
  snapshot(): object {
    const { lastError, ...state } = this.client.state;
    const events = this.events.slice(this.seen).map(project);
    this.seen = this.events.length;
    return {
      events,
      state: { ...state, lastError: projectError(lastError) },
      network: (this.client as WebSocketClient & { network: unknown }).network,
      stats: this.client.stats,
      outcomes: this.outcomes.map(describeOutcome),
      messages: this.messages,
      frames: this.frames(),
    };
  }

  dispose(): void {
    for (const off of this.off) off();
  }

  private track(call: () => Promise<void>): void {
    const index = this.outcomes.push({ state: 'pending' }) - 1;
    try {
      call().then(
        () => (this.outcomes[index] = { state: 'resolved' }),
        (reason: unknown) => (this.outcomes[index] = { state: 'rejected', reason }),
      );
    } catch (reason) {
      this.outcomes[index] = { state: 'rejected', reason: `threw synchronously: ${String(reason)}` };
    }
  }
}

/** Runs every pending microtask (and what they cause) through one real macrotask: no sleep. */
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A fake clock for the live client's `timers` and the mock's `now`. */
class Clock implements Timers {
  private time = 1_000_000;
  private ids = 0;
  private readonly pending = new Map<number, { at: number; callback: () => void }>();

  readonly now = (): number => this.time;

  readonly setTimeout = (callback: () => void, ms: number): TimerHandle => {
    this.pending.set(++this.ids, { at: this.time + ms, callback });
    return this.ids;
  };

  readonly clearTimeout = (handle: TimerHandle): void => {
    this.pending.delete(handle as number);
  };

  /** Moves time on by `ms`, firing every timer due on the way (earliest first, then oldest first). */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    await flush();
    for (let fired = 0; ; fired++) {
      if (fired > 10_000) throw new Error('Clock: more than 10,000 timers in one advance');
      let next: [number, { at: number; callback: () => void }] | undefined;
      for (const entry of this.pending) if (entry[1].at <= target && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.pending.delete(next[0]);
      this.time = next[1].at;
      next[1].callback();
      await flush();
    }
    this.time = target;
  }
}

/** The backoff delay of attempt `attempt`, as ws-core computes it without jitter. */
const backoff = (reconnect: NonNullable<Setup['reconnect']>, attempt: number): number =>
  Math.round(Math.min(reconnect.initialDelay * 2 ** (attempt - 1), reconnect.maxDelay));

async function run(config: Setup, steps: readonly Step[]): Promise<void> {
  const fake = createFakeWebSocket();
  const clock = new Clock();
  // The live client's environment: the network flag, and the lifecycle listener while subscribed.
  let up = true;
  let page: LifecycleListener | null = null;
  const environment: BrowserEnvironment = {
    online: () => up,
    subscribe: (listener) => {
      page = listener;
      return () => (page = null);
    },
  };
  const live = createLiveWebSocket({
    WebSocket: fake.WebSocket,
    timers: clock,
    environment,
    connectionTimeout: config.connectionTimeout,
    ...(config.reconnect && {
      reconnect: {
        maxAttempts: config.reconnect.maxAttempts,
        initialDelay: config.reconnect.initialDelay,
        maxDelay: config.reconnect.maxDelay,
        jitter: false,
        minUptime: 0,
      },
    }),
  });
  const mock: MockWebSocket<unknown> = createMockWebSocket({
    connect: 'manual',
    now: clock.now,
    reconnect: config.reconnect ? { maxAttempts: config.reconnect.maxAttempts } : false,
  });
  const liveSide = new Side(live, () => fake.sockets.flatMap((socket) => socket.sent));
  const mockSide = new Side(mock, () => mock.sentMessages.map((message) => JSON.stringify(message)));
  const history: string[] = [];

  /** The live client's pending timer, as predicted from the common state. */
  type Timer = { kind: 'timeout' | 'backoff'; at: number } | null;
  // (Typed by a cast: it changes inside closures, where TypeScript does not look.)
  let timer = null as Timer;

  // Runs microtasks and the timers due now (the live client's 0 ms `minUptime` timer among them).
  const settle = (): Promise<void> => clock.advance(0);

  /** Applies `action` (to the mock, and maybe the live client), settles, and predicts the live client's next timer. */
  const act = async (action: () => void): Promise<void> => {
    const before = mock.state.status;
    const from = mockSide.events.length;
    action();
    await settle();
    const events = mockSide.events.slice(from);
    const after: ConnectionStatus = mock.state.status;
    if (after === 'connecting') {
      // A new attempt: entering `connecting`, or coming back to it after leaving it, which always
      // says something (connecting elsewhere: `disconnected`; a failed attempt: an error that a
      // listener answers with connect()). Errors that leave the attempt alone do not count.
      const left = events.some((event) => event.type !== 'error' || !['SEND_FAILED', 'INVALID_MESSAGE', 'PROTOCOL_ERROR'].includes(event.error.code));
      if (before !== 'connecting' || left) {
        timer = { kind: 'timeout', at: clock.now() + config.connectionTimeout };
      }
    } else if (after === 'reconnecting') {
      const scheduled = events.filter((event) => event.type === 'reconnecting').pop();
      if (mock.network.waiting) timer = null;
      else if (scheduled && config.reconnect) timer = { kind: 'backoff', at: clock.now() + backoff(config.reconnect, scheduled.attempt) };
    } else {
      timer = null;
    }
  };

  /** What the live client's timers did up to now, applied to the mock. */
  const catchUp = async (): Promise<void> => {
    while (timer && timer.at <= clock.now()) {
      const due = timer;
      history.push(`  (live ${due.kind === 'timeout' ? 'connection timeout' : 'backoff delay ends'}: mock.${due.kind === 'timeout' ? 'fail(CONNECTION_TIMEOUT)' : 'retry()'})`);
      await act(() => {
        if (due.kind === 'timeout') {
          mock.fail(new WebSocketError(`Not open after ${config.connectionTimeout} ms`, WS_ERROR_CODES.CONNECTION_TIMEOUT, true));
        } else {
          mock.retry();
        }
      });
    }
  };

  const compare = (label: string): void => {
    history.push(label);
    const expected = liveSide.snapshot();
    const actual = mockSide.snapshot();
    expect(actual, `the mock differs from the live client after:\n${history.join('\n')}\n`).toEqual(expected);
  };

  const socket = (): FakeWebSocket | undefined => fake.sockets[fake.sockets.length - 1];

  /** Runs a server-side control where it is possible, on each side; both must agree that it is. */
  const server = (liveCan: boolean, mockCan: boolean, onLive: () => void, onMock: () => void): void => {
    expect(mockCan, `the mock ${mockCan ? 'allows' : 'refuses'} a server step the live client ${liveCan ? 'allows' : 'refuses'}`).toBe(liveCan);
    if (liveCan) onLive();
    if (mockCan) onMock();
  };

  try {
    for (const current of steps) {
      const label = show(current);
      if (current.kind === 'advance') {
        const target = clock.now() + current.ms;
        while (timer && timer.at <= target) {
          await clock.advance(timer.at - clock.now());
          await catchUp();
          compare(`${label} (at +${current.ms - (target - clock.now())} ms)`);
        }
        await clock.advance(target - clock.now());
        await catchUp();
        compare(label);
        continue;
      }
      const isOpen = socket()?.readyState === 1;
      const isConnecting = socket()?.readyState === 0;
      await act(() => {
        switch (current.kind) {
          case 'connect':
          case 'disconnect':
          case 'send':
          case 'markDead':
            liveSide.call(current);
            mockSide.call(current);
            break;
          case 'together':
            for (const side of [liveSide, mockSide]) for (const made of current.calls) side.call(made);
            break;
          case 'onEvent':
            liveSide.onEvent(current.event, current.call);
            mockSide.onEvent(current.event, current.call);
            break;
          case 'open':
            server(isConnecting, mock.state.status === 'connecting', () => socket()!.open(), () => mock.open());
            break;
          case 'refuse':
            server(
              isConnecting,
              mock.state.status === 'connecting',
              () => socket()!.fail(),
              () => (current.mock === 'fail' ? mock.fail() : mock.simulateDisconnect(1006)),
            );
            break;
          case 'serverClose':
            server(
              isOpen,
              mock.state.status === 'connected',
              () => socket()!.serverClose(current.code, current.reason),
              () => mock.simulateDisconnect(current.code, current.reason),
            );
            break;
          case 'drop':
            server(isOpen, mock.state.status === 'connected', () => socket()![current.socket](), () => mock.simulateDisconnect(1006));
            break;
          case 'network':
            up = current.online;
            if (current.online) page?.online();
            else page?.offline();
            mock.setOnline(current.online);
            break;
          case 'receive': {
            const frame = JSON.stringify(current.message);
            server(isOpen, mock.state.status === 'connected', () => socket()!.receive(frame), () => mock.simulateMessage(JSON.parse(frame)));
            break;
          }
        }
      });
      await catchUp();
      compare(label);
    }
  } finally {
    liveSide.dispose();
    mockSide.dispose();
    await Promise.allSettled([live.disconnect(), mock.disconnect()]);
    await settle();
  }
}

describe('the mock behaves exactly like the live client over the fake WebSocket (model-based)', () => {
  it('agrees on events, state, stats, promises, messages and frames after every step', async () => {
    await fc.assert(
      fc.asyncProperty(setup, fc.array(step, { minLength: 1, maxLength: 25, size: 'max' }), async (config, steps) => {
        await run(config, steps);
      }),
      // PARITY_RUNS=100000 for a long search; PARITY_SEED to replay one.
      { numRuns: Number(process.env.PARITY_RUNS ?? 2000), ...(process.env.PARITY_SEED && { seed: Number(process.env.PARITY_SEED) }) },
    );
  }, 60_000);
});
