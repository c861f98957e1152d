// Shared pieces of the random-code tests: a seeded generator, slot fields and bundles, double bits.

/** A small seeded generator (mulberry32): numbers in [0, 1). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** A slot field: v at bit pos. */
export const bits = (v: number, pos: number): bigint => BigInt(v) << BigInt(pos);

/** A bundle from a template and three 41-bit slots, as its two little-endian 64-bit halves. */
export function bundle(template: number, s0: bigint, s1: bigint, s2: bigint): [bigint, bigint] {
  const v = BigInt(template) | (s0 << 5n) | (s1 << 46n) | (s2 << 87n);
  return [v & ((1n << 64n) - 1n), v >> 64n];
}

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

/** The IEEE bits of a double. */
export function bitsOf(v: number): bigint {
  f64[0] = v;
  return u64[0];
}
