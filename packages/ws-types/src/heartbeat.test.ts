import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WebSocketError, WS_ERROR_CODES } from './errors.js';
import { DEFAULT_HEARTBEAT, HEARTBEAT_TIMEOUT_REASON } from './heartbeat-defaults.js';
import { HeartbeatEngine, matchesPong, resolveHeartbeat } from './heartbeat.js';
import type { HeartbeatHost } from './heartbeat.js';
import type { HeartbeatOptions } from './config.js';
import { checkNumber } from './options.js';
import { systemTimers } from './timers.js';

// Captured before any fake timers are installed: one macrotask turn lets Node report unhandled rejections.
const realSetImmediate = globalThis.setImmediate;
const nextMacrotask = (): Promise<void> => new Promise((resolve) => realSetImmediate(resolve));

describe('matchesPong', () => {
  it('matches primitives by equality', () => {
    expect(matchesPong('PONG', 'PONG')).toBe(true);
    expect(matchesPong('PONG', 'PING')).toBe(false);
    expect(matchesPong(1, 1)).toBe(true);
    expect(matchesPong('PONG', { type: 'PONG' })).toBe(false);
  });

  it('matches objects structurally, with any number where the pattern has one', () => {
    const pattern = { type: 'pong', timestamp: 0, meta: { ok: true, at: 1 } };
    expect(matchesPong(pattern, { type: 'pong', timestamp: 123, meta: { ok: true, at: 5 }, extra: 'x' })).toBe(true);
    expect(matchesPong(pattern, { type: 'pong', timestamp: '123', meta: { ok: true, at: 5 } })).toBe(false);
    expect(matchesPong(pattern, { type: 'ping', timestamp: 1, meta: { ok: true, at: 5 } })).toBe(false);
    expect(matchesPong(pattern, { type: 'pong', timestamp: 1 })).toBe(false);
    expect(matchesPong({ type: 'pong' }, null)).toBe(false);
    expect(matchesPong({ type: 'pong' }, 'pong')).toBe(false);
    expect(matchesPong({ ok: null }, { ok: null })).toBe(true);
    expect(matchesPong({ ok: null }, { ok: false })).toBe(false);
  });

  it('matches every value against itself', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(matchesPong(value, structuredClone(value))).toBe(true);
      }),
    );
  });
});

describe('checkNumber (options.ts) and resolveHeartbeat', () => {
  it('accepts finite numbers in range and names the option otherwise', () => {
    expect(checkNumber('x', 0, 0)).toBe(0);
    expect(checkNumber('x', 2.5, 1)).toBe(2.5);
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, '3' as unknown as number]) {
      expect(() => checkNumber('opt.name', bad, 0)).toThrow(new TypeError(`opt.name must be a finite number >= 0, got ${String(bad)}`));
    }
    expect(() => checkNumber('count', 1.5, 0, true)).toThrow(/count must be an integer >= 0/);
  });

  it('is off without a config or with enabled: false, and fills in the defaults otherwise', () => {
    expect(resolveHeartbeat(undefined)).toBeNull();
    expect(resolveHeartbeat({ enabled: false, interval: 5 })).toBeNull();
    expect(resolveHeartbeat({})).toEqual({ ...DEFAULT_HEARTBEAT, enabled: true });
    expect(resolveHeartbeat({ interval: 1000, timeout: undefined })).toEqual({ ...DEFAULT_HEARTBEAT, enabled: true, interval: 1000 });
    expect(() => resolveHeartbeat({ timeout: 0 })).toThrow(/heartbeat.timeout/);
    expect(() => resolveHeartbeat({ interval: Number.NaN })).toThrow(/heartbeat.interval/);
  });

  it('refuses an isPong that is not a function', () => {
    expect(() => resolveHeartbeat({ isPong: 'PONG' as unknown as null })).toThrow(new TypeError('heartbeat.isPong must be a function'));
    const isPong = (): boolean => true;
    expect(resolveHeartbeat({ isPong })?.isPong).toBe(isPong);
  });

  it('does not share or change DEFAULT_HEARTBEAT', () => {
    const before = { ...DEFAULT_HEARTBEAT };
    const options = resolveHeartbeat({ pingMessage: 'ping?' });
    expect(options).not.toBe(DEFAULT_HEARTBEAT);
    expect(DEFAULT_HEARTBEAT).toEqual(before);
    expect(DEFAULT_HEARTBEAT.enabled).toBe(false);
  });
});

/** A host whose calls are recorded; `connected` is switched by the test. */
function makeHost(connected = true) {
  const link = { connected };
  const host = {
    connected: vi.fn(() => link.connected),
    send: vi.fn<(ping: unknown) => Promise<void> | void>(() => undefined),
    report: vi.fn<(error: WebSocketError) => void>(),
    markDead: vi.fn<(reason: string) => void>(),
    stopped: vi.fn<() => void>(),
  } satisfies HeartbeatHost;
  return { host, link };
}

/** The single error reported so far. */
function reportedError(host: ReturnType<typeof makeHost>['host']): WebSocketError {
  expect(host.report).toHaveBeenCalledOnce();
  const error = host.report.mock.calls[0]![0];
  expect(error).toBeInstanceOf(WebSocketError);
  return error;
}

describe('HeartbeatEngine', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const options: HeartbeatOptions = { ...DEFAULT_HEARTBEAT, enabled: true, interval: 1000, timeout: 300 };

  it('is idle until started', () => {
    const { host } = makeHost();
    const engine = new HeartbeatEngine(options, systemTimers, host);
    expect(engine.running).toBe(false);
    expect(engine.rtt).toEqual({ latest: null, smoothed: null });
    vi.advanceTimersByTime(10_000);
    expect(host.send).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('pings after each interval, measures the round trip and schedules the next ping from the pong', () => {
    const { host } = makeHost();
    const engine = new HeartbeatEngine(options, systemTimers, host);
    engine.start();
    expect(engine.running).toBe(true);
    vi.advanceTimersByTime(999);
    expect(host.send).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(host.send.mock.calls).toEqual([['PING']]);
    vi.advanceTimersByTime(80);
    expect(engine.receive('PONG')).toBe(true);
    expect(engine.rtt).toEqual({ latest: 80, smoothed: 80 });
    // The next ping is `interval` after the pong, not after the previous ping.
    vi.advanceTimersByTime(999);
    expect(host.send).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1);
    expect(host.send.mock.calls).toEqual([['PING'], ['PING']]);
    vi.advanceTimersByTime(160);
    expect(engine.receive('PONG')).toBe(true);
    expect(engine.rtt).toEqual({ latest: 160, smoothed: 90 });
    expect(host.report).not.toHaveBeenCalled();
    expect(host.markDead).not.toHaveBeenCalled();
    expect(engine.running).toBe(true);
  });

  it('returns a fresh rtt object on every read', () => {
    const engine = new HeartbeatEngine(options, systemTimers, makeHost().host);
    expect(engine.rtt).not.toBe(engine.rtt);
  });

  it('times out once when the pong is late: HEARTBEAT_TIMEOUT, then markDead(HEARTBEAT_TIMEOUT_REASON), and stops', () => {
    const { host } = makeHost();
    const engine = new HeartbeatEngine(options, systemTimers, host);
    engine.start();
    vi.advanceTimersByTime(1299);
    expect(host.report).not.toHaveBeenCalled();
    expect(host.markDead).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);

    const error = reportedError(host);
    expect(error.code).toBe(WS_ERROR_CODES.HEARTBEAT_TIMEOUT);
    expect(error.message).toBe('No pong within 300 ms');
    expect(error.recoverable).toBe(true);
    expect(host.markDead.mock.calls).toEqual([[HEARTBEAT_TIMEOUT_REASON]]);
    expect(HEARTBEAT_TIMEOUT_REASON).toBe('Heartbeat timeout');
    // The error is reported before the connection is declared dead, and the host is told first that the loop stopped.
    expect(host.stopped.mock.invocationCallOrder[0]!).toBeLessThan(host.report.mock.invocationCallOrder[0]!);
    expect(host.report.mock.invocationCallOrder[0]!).toBeLessThan(host.markDead.mock.invocationCallOrder[0]!);
    expect(engine.running).toBe(false);
    expect(vi.getTimerCount()).toBe(0);

    vi.advanceTimersByTime(10_000);
    expect(host.report).toHaveBeenCalledOnce();
    expect(host.markDead).toHaveBeenCalledOnce();
    expect(host.send).toHaveBeenCalledOnce();
    // A pong arriving after the timeout is still recognised but restarts nothing.
    expect(engine.receive('PONG')).toBe(true);
    expect(engine.rtt).toEqual({ latest: null, smoothed: null });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('uses the configured timeout in the message', () => {
    const { host } = makeHost();
    new HeartbeatEngine({ ...options, timeout: 1234 }, systemTimers, host).start();
    vi.advanceTimersByTime(1000 + 1234);
    expect(reportedError(host).message).toBe('No pong within 1234 ms');
  });

  it('neither pings nor reports when not connected: the loop stops at the ping', () => {
    const { host } = makeHost(false);
    const engine = new HeartbeatEngine(options, systemTimers, host);
    engine.start();
    vi.advanceTimersByTime(1000);
    expect(host.send).not.toHaveBeenCalled();
    expect(engine.running).toBe(false);
    vi.advanceTimersByTime(300);
    expect(host.report).not.toHaveBeenCalled();
    expect(host.markDead).not.toHaveBeenCalled();
    expect(host.stopped).toHaveBeenCalledOnce();
    expect(engine.running).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('does not report a timeout when the connection dropped while the pong was awaited', () => {
    const { host, link } = makeHost();
    const engine = new HeartbeatEngine(options, systemTimers, host);
    engine.start();
    vi.advanceTimersByTime(1000);
    expect(host.send).toHaveBeenCalledOnce();
    link.connected = false;
    vi.advanceTimersByTime(300);
    expect(host.report).not.toHaveBeenCalled();
    expect(host.markDead).not.toHaveBeenCalled();
    expect(engine.running).toBe(false);
  });

  it('leaves other messages alone, and a pong before any ping measures nothing', () => {
    const { host } = makeHost();
    const engine = new HeartbeatEngine(options, systemTimers, host);
    engine.start();
    expect(engine.receive('hello')).toBe(false);
    expect(engine.receive({ type: 'PONG' })).toBe(false);
    expect(engine.receive('PONG')).toBe(true);
    expect(engine.rtt).toEqual({ latest: null, smoothed: null });
    // The first ping is still due `interval` after start().
    vi.advanceTimersByTime(1000);
    expect(host.send).toHaveBeenCalledOnce();
  });

  it('matches pongs structurally against an object pongMessage', () => {
    const { host } = makeHost();
    const engine = new HeartbeatEngine({ ...options, pongMessage: { type: 'pong', at: 0 } }, systemTimers, host);
    engine.start();
    vi.advanceTimersByTime(1000);
    expect(engine.receive({ type: 'pong', at: 'x' })).toBe(false);
    vi.advanceTimersByTime(20);
    expect(engine.receive({ type: 'pong', at: 99 })).toBe(true);
    expect(engine.rtt.latest).toBe(20);
  });

  it('uses isPong when given, and only an exact `true` makes a pong', () => {
    const { host } = makeHost();
    const engine = new HeartbeatEngine(
      { ...options, isPong: (data) => (data as { t?: string }).t === 'p' },
      systemTimers,
      host,
    );
    expect(engine.receive({ t: 'chat' })).toBe(false);
    expect(engine.receive({ t: 'p' })).toBe(true);
    expect(engine.receive('PONG')).toBe(false);
    const truthy = new HeartbeatEngine({ ...options, isPong: () => 1 as unknown as boolean }, systemTimers, host);
    expect(truthy.receive('anything')).toBe(false);
    expect(host.report).not.toHaveBeenCalled();
  });

  it('reports an isPong that throws as CALLBACK_FAILED with the thrown value as cause, and counts it as not the pong', () => {
    const { host } = makeHost();
    const thrown = new Error('bad predicate');
    const engine = new HeartbeatEngine(
      {
        ...options,
        isPong: (data) => {
          if (data === 'explode') throw thrown;
          return data === 'pong';
        },
      },
      systemTimers,
      host,
    );
    engine.start();
    vi.advanceTimersByTime(1000);
    expect(engine.receive('explode')).toBe(false);
    const error = reportedError(host);
    expect(error.code).toBe(WS_ERROR_CODES.CALLBACK_FAILED);
    expect(error.cause).toBe(thrown);
    expect(error.recoverable).toBe(true);
    expect(error.message).toMatch(/heartbeat\.isPong/);
    // Not a pong: the timeout still runs its course.
    vi.advanceTimersByTime(300);
    expect(host.report).toHaveBeenCalledTimes(2);
    expect(host.report.mock.calls[1]![0].code).toBe(WS_ERROR_CODES.HEARTBEAT_TIMEOUT);
    expect(host.markDead).toHaveBeenCalledWith(HEARTBEAT_TIMEOUT_REASON);
  });

  it('keeps any thrown value, not only errors, as the cause', () => {
    const { host } = makeHost();
    const engine = new HeartbeatEngine(
      {
        ...options,
        isPong: () => {
          // eslint-disable-next-line @typescript-eslint/only-throw-error -- what an application may throw
          throw 'nope';
        },
      },
      systemTimers,
      host,
    );
    expect(engine.receive('x')).toBe(false);
    expect(reportedError(host).cause).toBe('nope');
  });

  it('calls a ping function for every ping', () => {
    let n = 0;
    const { host } = makeHost();
    const engine = new HeartbeatEngine({ ...options, pingMessage: () => ({ n: ++n }) }, systemTimers, host);
    engine.start();
    vi.advanceTimersByTime(1000);
    engine.receive('PONG');
    vi.advanceTimersByTime(1000);
    expect(host.send.mock.calls).toEqual([[{ n: 1 }], [{ n: 2 }]]);
  });

  it('reports a pingMessage function that throws as CALLBACK_FAILED and skips that ping: no timeout, next ping scheduled', () => {
    const { host } = makeHost();
    const thrown = new Error('no ping today');
    let calls = 0;
    const engine = new HeartbeatEngine(
      {
        ...options,
        pingMessage: () => {
          calls++;
          if (calls === 1) throw thrown;
          return { ping: calls };
        },
      },
      systemTimers,
      host,
    );
    engine.start();
    vi.advanceTimersByTime(1000);
    expect(calls).toBe(1);
    expect(host.send).not.toHaveBeenCalled();
    const error = reportedError(host);
    expect(error.code).toBe(WS_ERROR_CODES.CALLBACK_FAILED);
    expect(error.cause).toBe(thrown);
    expect(error.message).toMatch(/heartbeat\.pingMessage/);
    expect(engine.running).toBe(true);
    // Only the next ping is pending, no pong timeout.
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(300);
    expect(host.report).toHaveBeenCalledOnce();
    expect(host.markDead).not.toHaveBeenCalled();
    // The next ping goes out `interval` after the failed one.
    vi.advanceTimersByTime(699);
    expect(host.send).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(host.send.mock.calls).toEqual([[{ ping: 2 }]]);
    vi.advanceTimersByTime(10);
    expect(engine.receive('PONG')).toBe(true);
    expect(engine.rtt.latest).toBe(10);
    expect(host.report).toHaveBeenCalledOnce();
  });

  it('ignores a send that rejects (no unhandled rejection), and the pong timeout then fires', async () => {
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const { host } = makeHost();
      // Not a vi.fn(): a mock attaches handlers to the promises it returns, which would hide an unhandled rejection.
      const sent: unknown[] = [];
      const send = (ping: unknown): Promise<void> => {
        sent.push(ping);
        return Promise.reject(new WebSocketError('not open', WS_ERROR_CODES.SEND_FAILED));
      };
      const engine = new HeartbeatEngine(options, systemTimers, { ...host, send });
      engine.start();
      vi.advanceTimersByTime(1000);
      expect(sent).toEqual(['PING']);
      await nextMacrotask();
      expect(unhandled).not.toHaveBeenCalled();
      // The failed send is the client's to report, not the engine's.
      expect(host.report).not.toHaveBeenCalled();
      vi.advanceTimersByTime(300);
      expect(reportedError(host).code).toBe(WS_ERROR_CODES.HEARTBEAT_TIMEOUT);
      expect(host.markDead).toHaveBeenCalledWith(HEARTBEAT_TIMEOUT_REASON);
      await nextMacrotask();
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  it('ignores a send that throws synchronously, and the pong timeout then fires', () => {
    const { host } = makeHost();
    host.send.mockImplementation(() => {
      throw new Error('socket gone');
    });
    const engine = new HeartbeatEngine(options, systemTimers, host);
    engine.start();
    expect(() => vi.advanceTimersByTime(1000)).not.toThrow();
    expect(host.send).toHaveBeenCalledOnce();
    expect(host.report).not.toHaveBeenCalled();
    vi.advanceTimersByTime(300);
    expect(reportedError(host).code).toBe(WS_ERROR_CODES.HEARTBEAT_TIMEOUT);
    expect(host.markDead).toHaveBeenCalledOnce();
  });

  it('accepts a send that returns nothing', () => {
    const { host } = makeHost();
    host.send.mockReturnValue(undefined);
    new HeartbeatEngine(options, systemTimers, host).start();
    expect(() => vi.advanceTimersByTime(1000)).not.toThrow();
    expect(host.send).toHaveBeenCalledOnce();
  });

  it('stop() cancels everything, while waiting to ping and while awaiting the pong', () => {
    const { host } = makeHost();
    const engine = new HeartbeatEngine(options, systemTimers, host);
    engine.start();
    expect(vi.getTimerCount()).toBe(1);
    engine.stop();
    expect(engine.running).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(10_000);
    expect(host.send).not.toHaveBeenCalled();

    engine.start();
    vi.advanceTimersByTime(1000);
    expect(host.send).toHaveBeenCalledOnce();
    expect(vi.getTimerCount()).toBe(1);
    engine.stop();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(10_000);
    expect(host.report).not.toHaveBeenCalled();
    expect(host.markDead).not.toHaveBeenCalled();
    expect(host.stopped).not.toHaveBeenCalled();
    // A pong after stop() changes nothing.
    expect(engine.receive('PONG')).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    engine.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('start() while running restarts the loop with a single pending timer', () => {
    const { host } = makeHost();
    const engine = new HeartbeatEngine(options, systemTimers, host);
    engine.start();
    vi.advanceTimersByTime(600);
    engine.start();
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(999);
    expect(host.send).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(host.send).toHaveBeenCalledOnce();
    // Restarting while a pong is awaited drops that timeout.
    engine.start();
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(999);
    expect(host.report).not.toHaveBeenCalled();
    engine.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('works through an injected Timers object', () => {
    const pending = new Map<number, { callback: () => void; ms: number }>();
    let next = 0;
    let now = 0;
    const timers = {
      setTimeout: (callback: () => void, ms: number) => {
        pending.set(++next, { callback, ms });
        return next;
      },
      clearTimeout: vi.fn((handle: unknown) => {
        pending.delete(handle as number);
      }),
      now: () => now,
    };
    const { host } = makeHost();
    const engine = new HeartbeatEngine(options, timers, host);
    engine.start();
    expect([...pending.values()].map((t) => t.ms)).toEqual([1000]);
    const fire = (): void => {
      const [handle, timer] = [...pending.entries()][0]!;
      pending.delete(handle);
      now += timer.ms;
      timer.callback();
    };
    fire();
    expect(host.send).toHaveBeenCalledWith('PING');
    expect([...pending.values()].map((t) => t.ms)).toEqual([300]);
    now += 42;
    engine.receive('PONG');
    expect(engine.rtt).toEqual({ latest: 42, smoothed: 42 });
    expect([...pending.values()].map((t) => t.ms)).toEqual([1000]);
    engine.stop();
    expect(pending.size).toBe(0);
  });

  // A host whose report() stops the heartbeat (an `error` listener calling `stop()` on
  // CALLBACK_FAILED) stops it: ping() does not re-schedule after report() returns.
  it('stop() from inside report() of a throwing pingMessage leaves no timer pending', () => {
    const { host } = makeHost();
    let engine: HeartbeatEngine | undefined = undefined;
    host.report.mockImplementation(() => engine?.stop());
    engine = new HeartbeatEngine(
      {
        ...options,
        pingMessage: () => {
          throw new Error('boom');
        },
      },
      systemTimers,
      host,
    );
    engine.start();
    vi.advanceTimersByTime(1000);
    expect(engine.running).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a heartbeat stopped from inside report() never declares the connection dead', () => {
    const { host } = makeHost();
    let calls = 0;
    let engine: HeartbeatEngine | undefined = undefined;
    host.report.mockImplementation((error) => {
      if (error.code === WS_ERROR_CODES.CALLBACK_FAILED) engine?.stop();
    });
    engine = new HeartbeatEngine(
      {
        ...options,
        pingMessage: () => {
          if (++calls === 1) throw new Error('first ping fails');
          return 'PING';
        },
      },
      systemTimers,
      host,
    );
    engine.start();
    vi.advanceTimersByTime(10_000);
    expect(host.send).not.toHaveBeenCalled();
    expect(host.markDead).not.toHaveBeenCalled();
  });
});

/**
 * Timers driven by hand, with a clock that moves only when the test says: a throttled
 * background tab (timers late), a suspended laptop (clock far ahead), or a timer that fires
 * before its time by the clock.
 */
function manualTimers() {
  const pending = new Map<number, { callback: () => void; ms: number }>();
  let next = 0;
  const timers = {
    now: 0,
    setTimeout: (callback: () => void, ms: number) => {
      pending.set(++next, { callback, ms });
      return next;
    },
    clearTimeout: (handle: unknown) => {
      pending.delete(handle as number);
    },
  };
  return {
    timers: { setTimeout: timers.setTimeout, clearTimeout: timers.clearTimeout, now: () => timers.now },
    /** Moves the clock only. */
    tick(ms: number) {
      timers.now += ms;
    },
    /** The delays of the pending timers. */
    delays: () => [...pending.values()].map((timer) => timer.ms),
    /** Fires the oldest pending timer now, whatever the clock says. */
    fire() {
      const [handle, timer] = [...pending.entries()][0]!;
      pending.delete(handle);
      timer.callback();
    },
  };
}

describe('HeartbeatEngine against the clock', () => {
  const options: HeartbeatOptions = { ...DEFAULT_HEARTBEAT, enabled: true, interval: 1000, timeout: 300 };

  it('a pong timer that fires before the timeout has passed on the clock waits for the rest: late timers cannot fake a timeout', () => {
    const clock = manualTimers();
    const { host } = makeHost();
    const engine = new HeartbeatEngine(options, clock.timers, host);
    engine.start();
    clock.tick(1000);
    clock.fire();
    expect(host.send).toHaveBeenCalledOnce();
    expect(clock.delays()).toEqual([300]);
    // The timer fires when only 100 ms have passed by the clock (timers fired in a burst).
    clock.tick(100);
    clock.fire();
    expect(host.report).not.toHaveBeenCalled();
    expect(host.markDead).not.toHaveBeenCalled();
    expect(clock.delays()).toEqual([200]);
    // Still early: it waits again, for what is left.
    clock.tick(150);
    clock.fire();
    expect(clock.delays()).toEqual([50]);
    // The pong within the timeout counts.
    clock.tick(40);
    expect(engine.receive('PONG')).toBe(true);
    expect(engine.rtt.latest).toBe(290);
    expect(clock.delays()).toEqual([1000]);
    expect(host.markDead).not.toHaveBeenCalled();
  });

  it('times out when the clock says so, however late the timer fires', () => {
    const clock = manualTimers();
    const { host } = makeHost();
    const engine = new HeartbeatEngine(options, clock.timers, host);
    engine.start();
    clock.tick(1000);
    clock.fire();
    clock.tick(100);
    clock.fire();
    clock.tick(60_000);
    clock.fire();
    expect(reportedError(host).code).toBe(WS_ERROR_CODES.HEARTBEAT_TIMEOUT);
    expect(host.markDead).toHaveBeenCalledWith(HEARTBEAT_TIMEOUT_REASON);
    expect(clock.delays()).toEqual([]);
  });

  it('trusts the timer over a clock that stands still or goes back', () => {
    for (const drift of [0, -5000]) {
      const clock = manualTimers();
      const { host } = makeHost();
      new HeartbeatEngine(options, clock.timers, host).start();
      clock.tick(1000);
      clock.fire();
      clock.tick(drift);
      clock.fire();
      expect(host.markDead).toHaveBeenCalledOnce();
    }
    // A clock that moved a little, then stood still: one wait for the rest, then the timer wins.
    const clock = manualTimers();
    const { host } = makeHost();
    new HeartbeatEngine(options, clock.timers, host).start();
    clock.tick(1000);
    clock.fire();
    clock.tick(100);
    clock.fire();
    expect(clock.delays()).toEqual([200]);
    clock.fire();
    expect(host.markDead).toHaveBeenCalledOnce();
  });

  it('counts the pong deadline from the ping actually sent, so a late ping timer fakes nothing', () => {
    const clock = manualTimers();
    const { host } = makeHost();
    const engine = new HeartbeatEngine(options, clock.timers, host);
    engine.start();
    // The ping timer fires a minute late (a throttled tab).
    clock.tick(61_000);
    clock.fire();
    expect(host.send).toHaveBeenCalledOnce();
    clock.tick(299);
    expect(engine.receive('PONG')).toBe(true);
    expect(host.markDead).not.toHaveBeenCalled();
    expect(engine.rtt.latest).toBe(299);
  });
});

describe('HeartbeatEngine.hidden() and visible()', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const options: HeartbeatOptions = { ...DEFAULT_HEARTBEAT, enabled: true, interval: 1000, timeout: 300 };

  it('pings when the page shows after being hidden an interval or more, from the first hidden() on', () => {
    const { host } = makeHost();
    const engine = new HeartbeatEngine(options, systemTimers, host);
    engine.start();
    engine.hidden();
    vi.setSystemTime(500);
    // A second hidden() (an environment reporting at subscription) keeps the first time.
    engine.hidden();
    vi.setSystemTime(999);
    engine.visible();
    expect(host.send).not.toHaveBeenCalled();
    engine.hidden();
    vi.setSystemTime(1999);
    engine.visible();
    expect(host.send).toHaveBeenCalledOnce();
    // Visible again without having been hidden: nothing.
    engine.visible();
    expect(host.send).toHaveBeenCalledOnce();
  });

  it('declares a connection dead at once when the page shows with its pong overdue by the clock', () => {
    const { host } = makeHost();
    const engine = new HeartbeatEngine(options, systemTimers, host);
    engine.start();
    vi.advanceTimersByTime(1000);
    expect(host.send).toHaveBeenCalledOnce();
    engine.hidden();
    vi.setSystemTime(Date.now() + 5000);
    engine.visible();
    expect(host.markDead).toHaveBeenCalledOnce();
  });
});

describe('HeartbeatEngine.check()', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const options: HeartbeatOptions = { ...DEFAULT_HEARTBEAT, enabled: true, interval: 1000, timeout: 300 };

  it('pings now and arms the pong timeout; the loop goes on from the pong', () => {
    const { host } = makeHost();
    const engine = new HeartbeatEngine(options, systemTimers, host);
    engine.start();
    vi.advanceTimersByTime(400);
    engine.check();
    expect(host.send).toHaveBeenCalledOnce();
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(50);
    expect(engine.receive('PONG')).toBe(true);
    expect(engine.rtt.latest).toBe(50);
    vi.advanceTimersByTime(999);
    expect(host.send).toHaveBeenCalledOnce();
    vi.advanceTimersByTime(1);
    expect(host.send).toHaveBeenCalledTimes(2);
  });

  it('times out as any ping does when no pong follows', () => {
    const { host } = makeHost();
    const engine = new HeartbeatEngine(options, systemTimers, host);
    engine.start();
    engine.check();
    vi.advanceTimersByTime(299);
    expect(host.markDead).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(reportedError(host).code).toBe(WS_ERROR_CODES.HEARTBEAT_TIMEOUT);
    expect(host.markDead).toHaveBeenCalledWith(HEARTBEAT_TIMEOUT_REASON);
  });

  it('pings only when idle for at least interval ms', () => {
    const { host } = makeHost();
    const engine = new HeartbeatEngine(options, systemTimers, host);
    engine.start();
    engine.check(999);
    expect(host.send).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(1);
    engine.check(1000);
    expect(host.send).toHaveBeenCalledOnce();
  });

  it('keeps an awaited pong within its timeout, and declares an overdue one dead at once: late timers cannot hide a timeout', () => {
    const { host } = makeHost();
    const engine = new HeartbeatEngine(options, systemTimers, host);
    engine.start();
    vi.advanceTimersByTime(1000);
    expect(host.send).toHaveBeenCalledOnce();
    // Not a second ping while one is awaited, whatever `idle` says.
    vi.setSystemTime(Date.now() + 299);
    engine.check();
    expect(host.send).toHaveBeenCalledOnce();
    expect(host.markDead).not.toHaveBeenCalled();
    // The clock passes the deadline while the timer has not fired (throttled).
    vi.setSystemTime(Date.now() + 1);
    engine.check(0);
    expect(reportedError(host).code).toBe(WS_ERROR_CODES.HEARTBEAT_TIMEOUT);
    expect(host.markDead).toHaveBeenCalledWith(HEARTBEAT_TIMEOUT_REASON);
    expect(engine.running).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('does nothing when stopped, and pings nothing when not connected', () => {
    const { host, link } = makeHost();
    const engine = new HeartbeatEngine(options, systemTimers, host);
    engine.check();
    expect(host.send).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
    engine.start();
    link.connected = false;
    engine.check();
    expect(host.send).not.toHaveBeenCalled();
    expect(engine.running).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });
});
