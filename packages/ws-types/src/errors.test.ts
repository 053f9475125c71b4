import { describe, expect, it, vi } from 'vitest';
import type * as errors from './errors.js';
import { WebSocketError, WS_ERROR_CODES } from './errors.js';

describe('WebSocketError', () => {
  it('carries message, code, recoverable and cause', () => {
    const cause = new Error('ECONNREFUSED');
    const error = new WebSocketError('Connection failed', WS_ERROR_CODES.CONNECTION_FAILED, true, cause);
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(WebSocketError);
    expect(error.name).toBe('WebSocketError');
    expect(error.message).toBe('Connection failed');
    expect(error.code).toBe('CONNECTION_FAILED');
    expect(error.recoverable).toBe(true);
    expect(error.cause).toBe(cause);
    expect(error.stack).toContain('WebSocketError');
  });

  it('defaults to not recoverable and no cause', () => {
    const error = new WebSocketError('Bad code', WS_ERROR_CODES.PROTOCOL_ERROR);
    expect(error.recoverable).toBe(false);
    expect(error.cause).toBeUndefined();
  });

  it('is recognised by instanceof across separate copies of the module', async () => {
    vi.resetModules();
    const copyPath = './errors.js?copy';
    const copy = (await import(/* @vite-ignore */ copyPath)) as typeof errors;
    const Other = copy.WebSocketError;
    expect(Other).not.toBe(WebSocketError);
    expect(new Other('x', 'SEND_FAILED')).toBeInstanceOf(WebSocketError);
    expect(new WebSocketError('x', 'SEND_FAILED')).toBeInstanceOf(Other);
  });

  it('does not claim unrelated values', () => {
    expect(new Error('x')).not.toBeInstanceOf(WebSocketError);
    expect({ code: 'SEND_FAILED', message: 'x' }).not.toBeInstanceOf(WebSocketError);
    expect(null).not.toBeInstanceOf(WebSocketError);
  });

  it('has the seven codes of the guide plus CALLBACK_FAILED and the two of requests, each its own name', () => {
    expect(Object.keys(WS_ERROR_CODES).sort()).toEqual([
      'CALLBACK_FAILED',
      'CONNECTION_FAILED',
      'CONNECTION_TIMEOUT',
      'HEARTBEAT_TIMEOUT',
      'INVALID_MESSAGE',
      'MAX_RECONNECTS',
      'PROTOCOL_ERROR',
      'REQUEST_FAILED',
      'REQUEST_TIMEOUT',
      'SEND_FAILED',
    ]);
    expect(Object.keys(WS_ERROR_CODES)).toHaveLength(10);
    for (const [key, value] of Object.entries(WS_ERROR_CODES)) expect(value).toBe(key);
    expect(WS_ERROR_CODES.CALLBACK_FAILED).toBe('CALLBACK_FAILED');
  });
});
