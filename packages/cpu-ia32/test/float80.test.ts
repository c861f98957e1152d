// The x87 core's hot-path helpers against their general forms: the bit length of a significand
// (or a wide intermediate) against the BigInt's own binary digits, around every power of two
// (where the conversion to a double rounds up), in and past the doubles' range and at random;
// the single/double loads from 32-bit words against `loadReal` of the whole pattern.
import { describe, expect, it } from 'vitest';
import { DOUBLE, loadDouble, loadReal, loadSingle, SINGLE } from '../src/x87/convert.js';
import { bitLength } from '../src/x87/float80.js';
import { Fpu } from '../src/x87/fpu.js';
import { lcg } from './differential.js';

const digits = (v: bigint) => (v === 0n ? 0 : v.toString(2).length);

describe('x87 float80: bitLength', () => {
  it('matches the binary digits around each power of two, 2^0 to 2^1100', () => {
    expect(bitLength(0n)).toBe(0);
    for (let k = 0; k <= 1100; k++) {
      const p = 1n << BigInt(k);
      for (const v of [p - 1n, p, p + 1n, p - (p >> 60n), p + (p >> 60n), (p << 1n) - 1n]) {
        if (v >= 0n) expect(bitLength(v), `2^${k} neighbour ${v.toString(16)}`).toBe(digits(v));
      }
    }
  });

  it('matches the binary digits of random values up to 200 bits', () => {
    const rnd = lcg(2026);
    for (let n = 0; n < 20000; n++) {
      let v = 0n;
      for (let w = rnd(8); w >= 0; w--) v = (v << 32n) | BigInt(rnd(0x10000) * 0x10000 + rnd(0x10000));
      v >>= BigInt(rnd(64));
      expect(bitLength(v)).toBe(digits(v));
    }
  });
});

describe('x87 loads from 32-bit words', () => {
  it('loadDouble and loadSingle give what loadReal gives, exceptions included', () => {
    const rnd = lcg(7);
    const word = () => rnd(0x10000) * 0x10000 + rnd(0x10000);
    // Exponent fields forced to the special values now and then (zero, denormal, max: NaN, inf).
    const hiWith = (w: number, e: number) => ((w & 0x800fffff) | (e << 20)) >>> 0;
    for (let n = 0; n < 20000; n++) {
      const lo = rnd(4) === 0 ? 0 : word();
      const pick = rnd(4);
      const hi = pick === 0 ? hiWith(word(), 0) : pick === 1 ? hiWith(word(), 0x7ff) : word();
      const operand = rnd(2) === 0;
      const a = new Fpu();
      const b = new Fpu();
      const bits = (BigInt(hi) << 32n) | BigInt(lo);
      expect(loadDouble(a, lo, hi, operand), bits.toString(16)).toEqual(loadReal(b, bits, DOUBLE, operand));
      expect(a.exc).toBe(b.exc);
      const single = pick === 0 ? (hi & 0x807fffff) >>> 0 : pick === 1 ? (hi | 0x7f800000) >>> 0 : hi;
      const c = new Fpu();
      const d = new Fpu();
      expect(loadSingle(c, single, operand), single.toString(16)).toEqual(
        loadReal(d, BigInt(single), SINGLE, operand),
      );
      expect(c.exc).toBe(d.exc);
    }
  });
});
