import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WebSocketError } from './errors.js';
import { JSONSerializer } from './serializer.js';

function invalidMessage(run: () => unknown): WebSocketError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(WebSocketError);
    expect((error as WebSocketError).code).toBe('INVALID_MESSAGE');
    return error as WebSocketError;
  }
  throw new Error('expected INVALID_MESSAGE');
}

/** JSON has no negative zero: `-0` is written as `0`. Everything else must come back as it was. */
function withoutNegativeZero(value: unknown): unknown {
  if (Object.is(value, -0)) return 0;
  if (Array.isArray(value)) return value.map(withoutNegativeZero);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutNegativeZero(v)]));
  }
  return value;
}

describe('JSONSerializer', () => {
  it('round-trips every JSON value through a text frame', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const frame = JSONSerializer.serialize(value);
        expect(typeof frame).toBe('string');
        expect(JSONSerializer.deserialize(frame as string)).toStrictEqual(withoutNegativeZero(value));
      }),
    );
  });

  it('round-trips every JSON value through a UTF-8 binary frame', () => {
    const encoder = new TextEncoder();
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const bytes = encoder.encode(JSONSerializer.serialize(value) as string);
        expect(JSONSerializer.deserialize(bytes.buffer)).toStrictEqual(withoutNegativeZero(value));
      }),
    );
  });

  it('decodes multi-byte UTF-8 from ArrayBuffer and typed arrays', () => {
    const bytes = new TextEncoder().encode('{"text":"héllo 👋"}');
    expect(JSONSerializer.deserialize(bytes.buffer)).toEqual({ text: 'héllo 👋' });
    expect(JSONSerializer.deserialize(bytes as unknown as ArrayBuffer)).toEqual({ text: 'héllo 👋' });
  });

  it('rejects frames that are not JSON with INVALID_MESSAGE, keeping the parse error as cause', () => {
    const error = invalidMessage(() => JSONSerializer.deserialize('{"type":'));
    expect(error.recoverable).toBe(true);
    expect(error.cause).toBeInstanceOf(SyntaxError);
    fc.assert(
      fc.property(
        fc.string().filter((text) => {
          try {
            JSON.parse(text);
            return false;
          } catch {
            return true;
          }
        }),
        (text) => {
          invalidMessage(() => JSONSerializer.deserialize(text));
        },
      ),
    );
  });

  it('rejects binary frames that are not valid UTF-8', () => {
    const error = invalidMessage(() => JSONSerializer.deserialize(new Uint8Array([0x22, 0xff, 0xfe, 0x22]).buffer));
    expect(error.message).toMatch(/UTF-8/);
  });

  it('rejects Blob frames, which cannot be read synchronously', () => {
    const error = invalidMessage(() => JSONSerializer.deserialize(new Blob(['{}'])));
    expect(error.cause).toBeInstanceOf(TypeError);
  });

  it('refuses to serialize what JSON cannot represent', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(invalidMessage(() => JSONSerializer.serialize(cycle)).cause).toBeInstanceOf(TypeError);
    expect(invalidMessage(() => JSONSerializer.serialize(10n)).cause).toBeInstanceOf(TypeError);
    expect(invalidMessage(() => JSONSerializer.serialize(undefined)).message).toMatch(/undefined/);
    expect(invalidMessage(() => JSONSerializer.serialize(undefined)).recoverable).toBe(false);
    invalidMessage(() => JSONSerializer.serialize(() => 1));
    invalidMessage(() => JSONSerializer.serialize(Symbol('s')));
  });
});
