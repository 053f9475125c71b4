import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_HEARTBEAT, checkNumber, createHeartbeatEngine, matchesPong, resolveHeartbeat } from './heartbeat.js';
import type { Timers } from './platform.js';

const timers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
  now: () => Date.now(),
};

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
  });

  it('matches every value against itself', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(matchesPong(value, structuredClone(value))).toBe(true);
      }),
    );
  });
});

describe('checkNumber and resolveHeartbeat', () => {
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
    expect(resolveHeartbeat({ interval: 1000, timeout: undefined })).toEqual({ ...DEFAULT_HEARTBEAT, enabled: true, interval: 1000 });
    expect(() => resolveHeartbeat({ timeout: 0 })).toThrow(/heartbeat.timeout/);
  });
});

describe('createHeartbeatEngine', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const options = { ...DEFAULT_HEARTBEAT, enabled: true, interval: 1000, timeout: 300 };

  it('pings after each interval, measures the round trip and schedules the next ping from the pong', () => {
    const sent: unknown[] = [];
    const onTimeout = vi.fn();
    const engine = createHeartbeatEngine(options, timers, (ping) => sent.push(ping), onTimeout);
    engine.start();
    expect(engine.running).toBe(true);
    vi.advanceTimersByTime(999);
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual(['PING']);
    vi.advanceTimersByTime(80);
    expect(engine.receive('PONG')).toBe(true);
    expect(engine.rtt).toEqual({ latest: 80, smoothed: 80 });
    vi.advanceTimersByTime(1000);
    expect(sent).toEqual(['PING', 'PING']);
    vi.advanceTimersByTime(160);
    engine.receive('PONG');
    expect(engine.rtt).toEqual({ latest: 160, smoothed: 90 });
    expect(onTimeout).not.toHaveBeenCalled();
  });

  it('times out once when the pong is late, and stops', () => {
    const onTimeout = vi.fn();
    const engine = createHeartbeatEngine(options, timers, () => undefined, onTimeout);
    engine.start();
    vi.advanceTimersByTime(1299);
    expect(onTimeout).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onTimeout).toHaveBeenCalledOnce();
    expect(engine.running).toBe(false);
    vi.advanceTimersByTime(10_000);
    expect(onTimeout).toHaveBeenCalledOnce();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('leaves other messages alone and uses isPong when given', () => {
    const engine = createHeartbeatEngine(
      { ...options, isPong: (data) => (data as { t?: string }).t === 'p' },
      timers,
      () => undefined,
      () => undefined,
    );
    expect(engine.receive({ t: 'chat' })).toBe(false);
    expect(engine.receive({ t: 'p' })).toBe(true);
    expect(engine.receive('PONG')).toBe(false);
  });

  it('calls a ping function for every ping', () => {
    let n = 0;
    const sent: unknown[] = [];
    const engine = createHeartbeatEngine({ ...options, pingMessage: () => ({ n: ++n }) }, timers, (p) => sent.push(p), () => undefined);
    engine.start();
    vi.advanceTimersByTime(1000);
    engine.receive('PONG');
    vi.advanceTimersByTime(1000);
    expect(sent).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('stop() cancels everything', () => {
    const send = vi.fn();
    const engine = createHeartbeatEngine(options, timers, send, () => undefined);
    engine.start();
    engine.stop();
    vi.advanceTimersByTime(10_000);
    expect(send).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });
});
