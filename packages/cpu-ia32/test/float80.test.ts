// The x87 core's bit length of a significand (or a wide intermediate), against the BigInt's own
// binary digits: around every power of two (where the conversion to a double rounds up), in
// and past the doubles' range, and at random.
import { describe, expect, it } from 'vitest';
import { bitLength } from '../src/x87/float80.js';
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
