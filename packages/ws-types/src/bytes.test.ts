import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { byteLength, encodedLength } from './bytes.js';

describe('byteLength', () => {
  it('counts UTF-8 bytes of any string, lone surrogates included, as the encoder does', () => {
    const anyUnits = fc.array(fc.integer({ min: 0, max: 0xffff })).map((units) => String.fromCharCode(...units));
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), anyUnits), (text) => {
        const expected = new TextEncoder().encode(text).byteLength;
        // Node's count (Buffer) and the browsers' (TextEncoder) alike.
        expect(byteLength(text)).toBe(expected);
        expect(encodedLength(text)).toBe(expected);
      }),
    );
  });

  it('counts long frames exactly too, on both sides of the scratch buffer (2,048 characters)', () => {
    for (const unit of ['a', 'é', '€', '👋', '\ud800']) {
      for (const length of [2046, 2047, 2048, 2049, 2050, 10_000]) {
        const text = unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
        const expected = new TextEncoder().encode(text).byteLength;
        expect(byteLength(text), `${length} units of ${JSON.stringify(unit)}`).toBe(expected);
        expect(encodedLength(text), `${length} units of ${JSON.stringify(unit)}, by the encoder`).toBe(expected);
      }
    }
    // A large frame does not disturb the count of the next small one.
    encodedLength('€'.repeat(50_000));
    expect(encodedLength('abc')).toBe(3);
  });

  it('counts binary frames by their byte length', () => {
    expect(byteLength(new ArrayBuffer(7))).toBe(7);
    expect(byteLength(new Uint16Array(3))).toBe(6);
    expect(byteLength(new Blob(['abc']))).toBe(3);
    expect(byteLength('é👋')).toBe(6);
  });
});
