import { describe, expect, it, vi } from 'vitest';
import * as internal from './internal.js';
import { WebSocketError, WS_ERROR_CODES } from './errors.js';

describe('the ./internal entry', () => {
  it('exports the shared plumbing, and nothing left over from ./shared', () => {
    expect(Object.keys(internal).sort()).toEqual(
      [
        'ListenerSet',
        'createListenerSet',
        'ForwardingClient',
        'HeartbeatEngine',
        'matchesPong',
        'resolveHeartbeat',
        'callbackFailed',
        'checkFunction',
        'checkNumber',
        'handled',
        'withDefaults',
        'systemTimers',
        'hold',
        'deferred',
        'superseded',
        'byteLength',
        'closeError',
        'STATUS',
      ].sort(),
    );
    expect(internal).not.toHaveProperty('createHeartbeatEngine');
    expect(internal).not.toHaveProperty('disposeSymbol');
  });
});

describe('callbackFailed', () => {
  it('is a recoverable CALLBACK_FAILED naming the callback, with what it threw as cause', () => {
    const thrown = new RangeError('bad');
    const error = internal.callbackFailed('reconnect.shouldReconnect', thrown);
    expect(error).toBeInstanceOf(WebSocketError);
    expect(error.code).toBe(WS_ERROR_CODES.CALLBACK_FAILED);
    expect(error.recoverable).toBe(true);
    expect(error.cause).toBe(thrown);
    expect(error.message).toBe('reconnect.shouldReconnect threw or returned an unusable value');
    expect(internal.callbackFailed('x', undefined).cause).toBeUndefined();
  });
});

describe('checkFunction', () => {
  it('accepts functions, and undefined only when optional', () => {
    expect(() => {
      internal.checkFunction('onDrop', () => undefined);
    }).not.toThrow();
    expect(() => {
      internal.checkFunction('onDrop', undefined, true);
    }).not.toThrow();
    expect(() => {
      internal.checkFunction('onDrop', undefined);
    }).toThrow(new TypeError('onDrop must be a function, got undefined'));
    expect(() => {
      internal.checkFunction('onDrop', 'f', true);
    }).toThrow(new TypeError('onDrop must be a function, got string'));
    expect(() => {
      internal.checkFunction('onDrop', null, true);
    }).toThrow(/got object/);
  });
});

describe('withDefaults', () => {
  it('lays the given fields over the defaults, skipping undefined ones, without touching either', () => {
    const defaults: Readonly<{ a: number; b: string; c: boolean }> = Object.freeze({ a: 1, b: 'x', c: true });
    const config = { a: 2, b: undefined };
    const options = internal.withDefaults(defaults, config);
    expect(options).toEqual({ a: 2, b: 'x', c: true });
    expect(options).not.toBe(defaults);
    expect(defaults).toEqual({ a: 1, b: 'x', c: true });
    expect(config).toEqual({ a: 2, b: undefined });
    expect(internal.withDefaults(defaults, undefined)).toEqual(defaults);
    expect(internal.withDefaults(defaults, { c: false })).toEqual({ a: 1, b: 'x', c: false });
  });

  it('ignores inherited fields', () => {
    const config: { a?: number } = Object.create({ a: 5 });
    expect(internal.withDefaults({ a: 1 }, config)).toEqual({ a: 1 });
  });
});

describe('handled', () => {
  it('returns the same promise, whose rejection the caller still sees, and which crashes nothing left alone', async () => {
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const failure = new Error('x');
      const promise = Promise.reject(failure);
      expect(internal.handled(promise)).toBe(promise);
      await expect(promise).rejects.toBe(failure);
      void internal.handled(Promise.reject(new Error('left alone')));
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });
});

describe('systemTimers', () => {
  it('uses the timers installed at call time, fake ones included', () => {
    vi.useFakeTimers({ now: 1000 });
    try {
      const callback = vi.fn();
      expect(internal.systemTimers.now()).toBe(1000);
      internal.systemTimers.setTimeout(callback, 50);
      const cancelled = internal.systemTimers.setTimeout(callback, 60);
      internal.systemTimers.clearTimeout(cancelled);
      expect(vi.getTimerCount()).toBe(1);
      vi.advanceTimersByTime(100);
      expect(callback).toHaveBeenCalledOnce();
      expect(internal.systemTimers.now()).toBe(1100);
    } finally {
      vi.useRealTimers();
    }
  });
});
