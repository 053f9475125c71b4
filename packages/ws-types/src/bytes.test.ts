import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { byteLength } from './bytes.js';

describe('byteLength', () => {
  it('counts UTF-8 bytes of any string, lone surrogates included, as the encoder does', () => {
    const anyUnits = fc.array(fc.integer({ min: 0, max: 0xffff })).map((units) => String.fromCharCode(...units));
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), anyUnits), (text) => {
        expect(byteLength(text)).toBe(new TextEncoder().encode(text).byteLength);
      }),
    );
  });

  it('counts binary frames by their byte length', () => {
    expect(byteLength(new ArrayBuffer(7))).toBe(7);
    expect(byteLength(new Uint16Array(3))).toBe(6);
    expect(byteLength(new Blob(['abc']))).toBe(3);
    expect(byteLength('é👋')).toBe(6);
  });
});
