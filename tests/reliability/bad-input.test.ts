/**
 * Bad input, from the network and from the application.
 *
 * Incoming frames: fast-check generates invalid JSON, valid JSON of the wrong shape, binary
 * frames (valid and invalid UTF-8), huge frames and deep nesting, delivered through ws-testing's
 * fake WebSocket to ws-core alone and under each decorator. No exception escapes, each bad
 * frame gives exactly one `INVALID_MESSAGE` error event, subscribers see only valid messages,
 * and the connection stays up.
 *
 * API input: bad URLs, close codes, unserializable messages, negative/NaN/infinite delays and
 * sizes in every package's options, calls after `disconnect()`: each call works or fails with a
 * `WebSocketError` or `TypeError` whose message names what was wrong.
 */
import { createLiveWebSocket } from '@composable-svelte/ws-core';
import { createHeartbeat } from '@composable-svelte/ws-heartbeat';
import { createQueuedWebSocket } from '@composable-svelte/ws-queue';
import { createChannelWebSocket } from '@composable-svelte/ws-router';
import { createFakeWebSocket, type FakeWebSocketControls } from '@composable-svelte/ws-testing';
import { WebSocketError, type WebSocketClient, type WebSocketEvent } from '@composable-svelte/ws-types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

/** A frame as the server sends it: text, or bytes. */
type Frame = string | Uint8Array;

const decoder = new TextDecoder('utf-8', { fatal: true });

/** The oracle, independent of the serializer: a frame is valid when it is UTF-8 text holding JSON. */
function parse(frame: Frame): { ok: true; value: unknown } | { ok: false } {
  let text: string;
  try {
    text = typeof frame === 'string' ? frame : decoder.decode(frame);
  } catch {
    return { ok: false };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/** A frame as text for comparison: binary is shown as hex, so a binary frame never equals a text one. */
const text = (raw: unknown): string =>
  typeof raw === 'string' ? `text:${raw}` : `binary:${Buffer.from(raw instanceof ArrayBuffer ? new Uint8Array(raw) : (raw as Uint8Array)).toString('hex')}`;

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

const nest = (depth: number, open: string, close: string): string => open.repeat(depth) + close.repeat(depth);

/** Every kind of frame a broken or hostile server could send. */
const frameArb: fc.Arbitrary<Frame> = fc.oneof(
  // Valid JSON (text and binary): must reach subscribers.
  { weight: 3, arbitrary: fc.jsonValue().map((value) => JSON.stringify(value)) },
  { weight: 1, arbitrary: fc.jsonValue().map((value) => encode(JSON.stringify(value))) },
  // Objects of the app's shape, so routed delivery is exercised.
  { weight: 2, arbitrary: fc.record({ channel: fc.constantFrom('a', 'b', 'c'), text: fc.string() }).map((value) => JSON.stringify(value)) },
  // Invalid JSON: random text, truncated JSON, lone surrogates.
  { weight: 3, arbitrary: fc.string() },
  { weight: 2, arbitrary: fc.jsonValue().map((value) => JSON.stringify(value)).filter((text) => text.length > 1).map((text) => text.slice(0, -1)) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary' }) },
  // Binary where text is expected: random bytes (mostly invalid UTF-8), and known-bad sequences.
  { weight: 3, arbitrary: fc.uint8Array({ maxLength: 64 }) },
  { weight: 1, arbitrary: fc.constantFrom(new Uint8Array([0xff]), new Uint8Array([0xc3, 0x28]), new Uint8Array([0xed, 0xa0, 0x80]), new Uint8Array([0x22, 0xe2, 0x82])) },
  // Deep nesting, balanced (valid JSON) or not.
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 20_000 }).map((depth) => nest(depth, '[', ']')) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 20_000 }).map((depth) => nest(depth, '{"a":', '}').replace(/}$/, '')) },
  // Huge frames: about 1 MB, valid and not.
  { weight: 1, arbitrary: fc.constantFrom(JSON.stringify('x'.repeat(1 << 20)), `{"a":"${'y'.repeat(1 << 20)}`, encode(JSON.stringify({ big: 'z'.repeat(1 << 20) }))) },
);

/** What a stack under test exposes: the outer client, and where routed messages land. */
interface Stack {
  name: string;
  client: WebSocketClient<unknown>;
  /** Channel subscribers' deliveries, when the stack has a router. */
  routed?: { channel: string; raw: string }[];
  /** Whether a valid-JSON value is also rejected by this stack (the router's strict extractor). */
  rejects(value: unknown): boolean;
  /** Whether a value never reaches subscribers though valid (the heartbeat's pong). */
  consumes(value: unknown): boolean;
}

const PONG = '__pong__';
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
/** A strict extractor: anything but an object is the wrong type, and the router reports it. */
const extract = (data: unknown): string | undefined => {
  if (!isObject(data)) throw new TypeError(`not a message object: ${typeof data}`);
  return typeof data.channel === 'string' ? data.channel : undefined;
};

type Layer = 'live' | 'heartbeat' | 'router' | 'queue' | 'all';

function makeStack(layer: Layer, fake: FakeWebSocketControls): Stack {
  const live = createLiveWebSocket<unknown>({ WebSocket: fake.WebSocket });
  const none = (): boolean => false;
  const heartbeat = (client: WebSocketClient<unknown>): WebSocketClient<unknown> =>
    // A long interval: no ping goes out during a property run; pongs are still consumed.
    createHeartbeat(client, { interval: 60_000, timeout: 60_000, pingMessage: 'ping', pongMessage: PONG, autoStart: true });
  const queue = (client: WebSocketClient<unknown>): WebSocketClient<unknown> =>
    createQueuedWebSocket(client, {
      maxSize: 10,
      ack: { id: () => 'x', ackOf: (data) => (isObject(data) && data.type === 'ack' ? String(data.id) : undefined) },
    });
  const router = (client: WebSocketClient<unknown>, routed: { channel: string; raw: string }[]): WebSocketClient<unknown> => {
    const channels = createChannelWebSocket(client, extract);
    for (const channel of ['a', 'b', 'c']) channels.router.subscribe(channel, ({ raw }) => routed.push({ channel, raw: text(raw) }));
    return channels;
  };
  switch (layer) {
    case 'live':
      return { name: layer, client: live, rejects: none, consumes: none };
    case 'heartbeat':
      return { name: layer, client: heartbeat(live), rejects: none, consumes: (value) => value === PONG };
    case 'queue':
      return { name: layer, client: queue(live), rejects: none, consumes: none };
    case 'router': {
      const routed: { channel: string; raw: string }[] = [];
      return { name: layer, client: router(live, routed), routed, rejects: (value) => !isObject(value), consumes: none };
    }
    case 'all': {
      const routed: { channel: string; raw: string }[] = [];
      return {
        name: layer,
        client: queue(router(heartbeat(live), routed)),
        routed,
        rejects: (value) => !isObject(value) && value !== PONG,
        consumes: (value) => value === PONG,
      };
    }
  }
}

describe.each(['live', 'heartbeat', 'router', 'queue', 'all'] as const)('incoming frames: %s', (layer) => {
  it('each bad frame gives exactly one INVALID_MESSAGE, subscribers see only valid ones, the connection stays up', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(frameArb, { minLength: 1, maxLength: 12 }), async (frames) => {
        const fake = createFakeWebSocket();
        const stack = makeStack(layer, fake);
        const { client } = stack;
        const events: WebSocketEvent[] = [];
        // Raw frames are compared, not decoded values: deep equality of 20,000-deep arrays would overflow the stack.
        const delivered: string[] = [];
        client.subscribeToEvents((event) => events.push(event));
        client.subscribe(({ raw }) => delivered.push(text(raw)));
        const connecting = client.connect('ws://test.invalid/');
        fake.last().open();
        await connecting;

        const expectedDelivered: string[] = [];
        const expectedRouted: { channel: string; raw: string }[] = [];
        for (const frame of frames) {
          const before = events.length;
          const parsed = parse(frame);
          // The fake delivers strings as text and bytes as an ArrayBuffer (binaryType 'arraybuffer').
          expect(() => fake.last().receive(frame)).not.toThrow();
          const added = events.slice(before);
          const bad = !parsed.ok || stack.rejects(parsed.value);
          if (bad) {
            expect(added.map((event) => (event.type === 'error' ? event.error.code : event.type))).toEqual(['INVALID_MESSAGE']);
            const { error } = added[0] as Extract<WebSocketEvent, { type: 'error' }>;
            expect(error).toBeInstanceOf(WebSocketError);
            expect(error.recoverable).toBe(true);
          } else {
            expect(added).toEqual([]);
          }
          if (parsed.ok && !stack.consumes(parsed.value)) {
            // The client's own subscribers see every decoded message (the router only adds routing).
            expectedDelivered.push(text(frame));
            if (isObject(parsed.value) && typeof parsed.value.channel === 'string' && ['a', 'b', 'c'].includes(parsed.value.channel)) {
              expectedRouted.push({ channel: parsed.value.channel, raw: text(frame) });
            }
          }
        }
        expect(delivered).toEqual(expectedDelivered);
        if (stack.routed) expect(stack.routed).toEqual(expectedRouted);
        expect(client.state.status).toBe('connected');
        expect(fake.sockets).toHaveLength(1);
        expect(fake.last().readyState).toBe(1);
        // Still usable: a send goes out on the same socket.
        await client.send({ ok: true });
        expect(fake.last().sent.at(-1)).toBe('{"ok":true}');
        await client.disconnect();
      }),
      { numRuns: 60 },
    );
  });
});

/** Runs `call` and checks it either works or fails with a WebSocketError/TypeError whose message matches `mentions`. */
async function worksOrExplains(call: () => unknown, mentions: RegExp): Promise<'ok' | 'failed'> {
  let error: unknown;
  try {
    await call();
    return 'ok';
  } catch (caught) {
    error = caught;
  }
  expect(error instanceof WebSocketError || error instanceof TypeError, `${String(error)} is a WebSocketError or TypeError`).toBe(true);
  expect((error as Error).message).toMatch(mentions);
  return 'failed';
}

/** Whichever way `call` fails (throws or rejects), it fails with this kind of error and message. */
async function failsWith(call: () => unknown, kind: typeof WebSocketError | typeof TypeError, mentions: RegExp): Promise<unknown> {
  let error: unknown;
  try {
    await call();
  } catch (caught) {
    error = caught;
  }
  expect(error, 'the call must fail').toBeInstanceOf(kind);
  expect((error as Error).message).toMatch(mentions);
  return error;
}

const badNumbers = [-1, Number.NaN, Number.POSITIVE_INFINITY, -Number.EPSILON];

describe('bad API input', () => {
  it('options of every package: negative, NaN or infinite numbers fail with a TypeError naming the option and value', async () => {
    const fake = createFakeWebSocket();
    const base = createLiveWebSocket({ WebSocket: fake.WebSocket });
    for (const bad of badNumbers) {
      const shown = new RegExp(String(bad).replace('.', '\\.').replace('+', '\\+'));
      for (const [option, config] of [
        ['reconnect.initialDelay', { reconnect: { initialDelay: bad } }],
        ['reconnect.maxDelay', { reconnect: { maxDelay: bad } }],
        ['reconnect.backoffMultiplier', { reconnect: { backoffMultiplier: bad } }],
        ['reconnect.maxAttempts', { reconnect: { maxAttempts: bad } }],
        ['reconnect.minUptime', { reconnect: { minUptime: bad } }],
        ['connectionTimeout', { connectionTimeout: bad }],
        ['queueSize', { queueSize: bad }],
        ['heartbeat.interval', { heartbeat: { interval: bad } }],
        ['heartbeat.timeout', { heartbeat: { timeout: bad } }],
      ] as const) {
        await failsWith(() => createLiveWebSocket({ WebSocket: fake.WebSocket, ...config }), TypeError, new RegExp(`${option.replace('.', '\\.')}.*${shown.source}`));
      }
      await failsWith(() => createHeartbeat(base, { interval: bad }), TypeError, new RegExp(`interval.*${shown.source}`));
      await failsWith(() => createHeartbeat(base, { timeout: bad }), TypeError, new RegExp(`timeout.*${shown.source}`));
      await failsWith(() => createQueuedWebSocket(base, { maxSize: bad }), TypeError, new RegExp(`maxSize.*${shown.source}`));
      await failsWith(() => createQueuedWebSocket(base, bad), TypeError, new RegExp(`maxSize.*${shown.source}`));
      await failsWith(() => createQueuedWebSocket(base, { ttl: bad }), TypeError, new RegExp(`ttl.*${shown.source}`));
    }
    // Sizes that must be integers, and a maxDelay below initialDelay.
    await failsWith(() => createLiveWebSocket({ queueSize: 1.5 }), TypeError, /queueSize.*1\.5/);
    await failsWith(() => createQueuedWebSocket(base, { maxSize: 0 }), TypeError, /maxSize.*0/);
    await failsWith(() => createLiveWebSocket({ reconnect: { initialDelay: 100, maxDelay: 10 } }), TypeError, /reconnect\.maxDelay.*10/);
    await failsWith(() => createQueuedWebSocket(base, { dropStrategy: 'sideways' as 'oldest' }), TypeError, /dropStrategy.*sideways/);
    await failsWith(() => createChannelWebSocket(base, 42 as unknown as () => string), TypeError, /extract/);
  });

  it('bad URLs and protocols: connect() rejects with a WebSocketError or TypeError that says so, and nothing is left open', async () => {
    const fake = createFakeWebSocket();
    const client = createLiveWebSocket({ WebSocket: fake.WebSocket });
    await failsWith(() => client.connect(42 as unknown as string), TypeError, /URL/);
    await failsWith(() => client.connect('ws://x.invalid/', [1 as unknown as string]), TypeError, /[Pp]rotocol/);
    for (const url of ['', 'not a url', 'ftp://example.com/', 'ws://example.com/#fragment', 'ws://[::1']) {
      const error = await failsWith(() => client.connect(url), WebSocketError, new RegExp(`URL ${url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      expect(error).toMatchObject({ code: 'CONNECTION_FAILED' });
      expect(client.state.status).toBe('disconnected');
    }
    await failsWith(() => client.connect(() => Promise.reject(new Error('no token'))), WebSocketError, /URL provider/);
    expect(fake.sockets).toHaveLength(0);
    // The same client still connects to a good URL afterwards.
    const connecting = client.connect('ws://x.invalid/');
    fake.last().open();
    await connecting;
    expect(client.state.status).toBe('connected');
  });

  it('bad close codes and reasons reject, name the code, and leave the connection as it was', async () => {
    const fake = createFakeWebSocket();
    const stacks: WebSocketClient[] = [createLiveWebSocket({ WebSocket: fake.WebSocket })];
    const base = createLiveWebSocket({ WebSocket: fake.WebSocket });
    stacks.push(createQueuedWebSocket(createChannelWebSocket(createHeartbeat(base, { autoStart: true }), () => undefined), 5));
    for (const client of stacks) {
      const connecting = client.connect('ws://x.invalid/');
      fake.last().open();
      await connecting;
      for (const code of [0, 999, 1001, 1005, 1006, 2999, 5000, -1000, Number.NaN, 1000.5]) {
        await failsWith(() => client.disconnect(code), WebSocketError, new RegExp(String(code)));
        expect(client.state.status).toBe('connected');
      }
      await failsWith(() => client.disconnect(1000, 'é'.repeat(62)), WebSocketError, /123/);
      expect(client.state.status).toBe('connected');
      expect(fake.last().readyState).toBe(1);
      await client.disconnect(4000, 'bye');
      expect(client.state.status).toBe('disconnected');
    }
  });

  it('messages JSON cannot represent: send() rejects with INVALID_MESSAGE, the connection stays up', async () => {
    const fake = createFakeWebSocket();
    const client = createLiveWebSocket<unknown>({ WebSocket: fake.WebSocket });
    const connecting = client.connect('ws://x.invalid/');
    fake.last().open();
    await connecting;
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const [message, mentions] of [
      [undefined, /undefined/],
      [() => 1, /function/],
      [Symbol('s'), /symbol/],
      [10n, /JSON/],
      [cyclic, /JSON/],
    ] as const) {
      const error = await failsWith(() => client.send(message), WebSocketError, mentions);
      expect(error).toMatchObject({ code: 'INVALID_MESSAGE', recoverable: false });
    }
    expect(fake.last().sent).toEqual([]);
    expect(client.state.status).toBe('connected');
    // The queue drops such a message as 'invalid' instead of blocking behind it.
    const dropped: string[] = [];
    const queued = createQueuedWebSocket<unknown>(createLiveWebSocket({ WebSocket: fake.WebSocket }), { onDrop: (_m, reason) => dropped.push(reason) });
    await queued.send(cyclic);
    await queued.send({ fine: true });
    const reconnecting = queued.connect('ws://x.invalid/');
    fake.last().open();
    await reconnecting;
    expect(dropped).toEqual(['invalid']);
    expect(fake.last().sent).toEqual(['{"fine":true}']);
  });

  it('calls after disconnect(): work or fail with a WebSocketError that says why, for every stack', async () => {
    const fake = createFakeWebSocket();
    const live = createLiveWebSocket({ WebSocket: fake.WebSocket });
    const heartbeat = createHeartbeat(createLiveWebSocket({ WebSocket: fake.WebSocket }), { autoStart: true });
    const router = createChannelWebSocket(createLiveWebSocket({ WebSocket: fake.WebSocket }), () => undefined);
    const queue = createQueuedWebSocket(createLiveWebSocket({ WebSocket: fake.WebSocket }), 5);
    for (const client of [live, heartbeat, router, queue] as WebSocketClient<unknown>[]) {
      const connecting = client.connect('ws://x.invalid/');
      fake.last().open();
      await connecting;
      await client.disconnect();
      // Again: already disconnected, nothing to do.
      expect(await worksOrExplains(() => client.disconnect(), /./)).toBe('ok');
      const sent = await worksOrExplains(() => client.send({ late: true }), /Not connected \(disconnected\)/);
      // Only the queue accepts it (it holds it for the next connection).
      expect(sent).toBe(client === queue ? 'ok' : 'failed');
      expect(() => client.markDead('late')).not.toThrow();
      expect(client.state.status).toBe('disconnected');
      const off = client.subscribe(() => undefined);
      off();
      off();
      // And the client can connect again.
      const again = client.connect('ws://x.invalid/');
      fake.last().open();
      await again;
      expect(client.state.status).toBe('connected');
      await client.disconnect();
    }
    expect(fake.sockets.every((socket) => socket.readyState === 3 && socket.listenerCount() === 0)).toBe(true);
  });
});
