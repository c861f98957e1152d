// Parallel (SIMD-within-a-register) integer operations: A9/A10 padd, psub, pavg, pavgsub, pcmp,
// pshladd, pshradd and I1..I8 pmpy, pmpyshr, mix, pack, unpack, pmin, pmax, psad, mux, pshl, pshr.
// Lanes are 1, 2 or 4 bytes; lane 0 is the least significant.
import type { Ia64Cpu } from '../cpu.js';
import type { Exec, Insn } from '../decode/insn.js';

export function lanes(v: bigint, bytes: number): number[] {
  const n = 8 / bytes;
  const w = BigInt(bytes * 8);
  const m = (1n << w) - 1n;
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = Number((v >> (w * BigInt(i))) & m);
  return out;
}

export function join(parts: number[], bytes: number): bigint {
  const w = BigInt(bytes * 8);
  const m = (1n << w) - 1n;
  let v = 0n;
  for (let i = parts.length - 1; i >= 0; i--) v = (v << w) | (BigInt(Math.trunc(parts[i])) & m);
  return v;
}

const signed = (x: number, bytes: number): number => {
  const bits = bytes * 8;
  return bits === 32 ? x | 0 : (x << (32 - bits)) >> (32 - bits);
};
const clamp = (x: number, lo: number, hi: number): number => Math.max(lo, Math.min(hi, x));
const sMax = (bytes: number) => 2 ** (bytes * 8 - 1) - 1;
const sMin = (bytes: number) => -(2 ** (bytes * 8 - 1));
const uMax = (bytes: number) => 2 ** (bytes * 8) - 1;

type LaneOp = (a: number, b: number, bytes: number, d: Insn) => number;

/** r1 lanes = op(r2 lane, r3 lane). */
function lanewise(bytes: number, op: LaneOp): Exec {
  return (c: Ia64Cpu, d: Insn) => {
    const a = lanes(c.gr(d.r2), bytes);
    const b = lanes(c.gr(d.r3), bytes);
    c.setGr(
      d.r1,
      join(
        a.map((x, i) => op(x, b[i], bytes, d)),
        bytes,
      ),
      c.nat(d.r2) | c.nat(d.r3),
    );
  };
}

export type Sat = 'mod' | 'sss' | 'uuu' | 'uus';

function saturate(sum: (x: number, y: number) => number, sat: Sat): LaneOp {
  return (a, b, bytes) => {
    switch (sat) {
      case 'mod':
        return sum(a, b);
      case 'sss':
        return clamp(sum(signed(a, bytes), signed(b, bytes)), sMin(bytes), sMax(bytes));
      case 'uuu':
        return clamp(sum(a, b), 0, uMax(bytes));
      case 'uus':
        return clamp(sum(a, signed(b, bytes)), 0, uMax(bytes));
    }
  };
}

export const padd = (bytes: number, sat: Sat): Exec =>
  lanewise(
    bytes,
    saturate((x, y) => x + y, sat),
  );
export const psub = (bytes: number, sat: Sat): Exec =>
  lanewise(
    bytes,
    saturate((x, y) => x - y, sat),
  );

/** pavg: unsigned average, rounding up (.raz) or with the sum's low bit ORed in. */
export const pavg = (bytes: number, raz: boolean): Exec =>
  lanewise(bytes, (a, b) => (raz ? (a + b + 1) >>> 1 : ((a + b) >>> 1) | ((a + b) & 1)));

export const pavgsub = (bytes: number): Exec =>
  lanewise(bytes, (a, b) => {
    const diff = a - b;
    return (diff >> 1) | (diff & 1);
  });

export const pcmp = (bytes: number, gt: boolean): Exec =>
  lanewise(bytes, (a, b, n) => ((gt ? signed(a, n) > signed(b, n) : a === b) ? uMax(n) : 0));

/** pshladd2 / pshradd2 r1 = r2, count, r3: shift r2's lanes, add r3's, signed saturation. */
export const pshAdd2 = (left: boolean): Exec =>
  lanewise(2, (a, b, _n, d) => {
    const x = signed(a, 2);
    const shifted = left ? clamp(x * 2 ** d.a, sMin(2), sMax(2)) : x >> d.a;
    return clamp(shifted + signed(b, 2), sMin(2), sMax(2));
  });

/** pmpy2.r / .l: signed 16x16 → 32 of lanes 0 and 2 (r) or 1 and 3 (l). */
export const pmpy2 =
  (left: boolean): Exec =>
  (c, d) => {
    const a = lanes(c.gr(d.r2), 2);
    const b = lanes(c.gr(d.r3), 2);
    const k = left ? 1 : 0;
    const lo = signed(a[k], 2) * signed(b[k], 2);
    const hi = signed(a[k + 2], 2) * signed(b[k + 2], 2);
    c.setGr(d.r1, join([lo, hi], 4), c.nat(d.r2) | c.nat(d.r3));
  };

/** pmpyshr2 [.u] r1 = r2, r3, count (d.a): 16x16 products shifted right, low 16 bits kept. */
export const pmpyshr2 = (unsigned: boolean): Exec =>
  lanewise(2, (a, b, _n, d) => {
    const p = unsigned ? BigInt(a) * BigInt(b) : BigInt(signed(a, 2)) * BigInt(signed(b, 2));
    return Number(BigInt.asUintN(16, p >> BigInt(d.a)));
  });

/** mix.l / mix.r: interleave the odd (l) or even (r) lanes of r2 (upper) and r3 (lower). */
export const mix =
  (bytes: number, left: boolean): Exec =>
  (c, d) => {
    const a = lanes(c.gr(d.r2), bytes);
    const b = lanes(c.gr(d.r3), bytes);
    const out = a.map((_x, i) => {
      const src = (i & ~1) + (left ? 1 : 0);
      return i & 1 ? a[src] : b[src];
    });
    c.setGr(d.r1, join(out, bytes), c.nat(d.r2) | c.nat(d.r3));
  };

/** unpack.h / .l: interleave the high (h) or low (l) halves, r2's lanes in the odd positions. */
export const unpack =
  (bytes: number, high: boolean): Exec =>
  (c, d) => {
    const a = lanes(c.gr(d.r2), bytes);
    const b = lanes(c.gr(d.r3), bytes);
    const half = a.length / 2;
    const base = high ? half : 0;
    const out = a.map((_x, i) => (i & 1 ? a[base + (i >> 1)] : b[base + (i >> 1)]));
    c.setGr(d.r1, join(out, bytes), c.nat(d.r2) | c.nat(d.r3));
  };

/** pack2.uss / pack2.sss / pack4.sss: narrow r2 (low half of r1) and r3 (high half) with saturation. */
export const pack =
  (bytes: 2 | 4, unsignedResult: boolean): Exec =>
  (c, d) => {
    const out = bytes / 2;
    const lo = unsignedResult ? 0 : sMin(out);
    const hi = unsignedResult ? uMax(out) : sMax(out);
    const narrow = (v: bigint) => lanes(v, bytes).map((x) => clamp(signed(x, bytes), lo, hi));
    c.setGr(d.r1, join([...narrow(c.gr(d.r2)), ...narrow(c.gr(d.r3))], out), c.nat(d.r2) | c.nat(d.r3));
  };

export const pminmax = (bytes: number, max: boolean, isSigned: boolean): Exec =>
  lanewise(bytes, (a, b, n) => {
    const x = isSigned ? signed(a, n) : a;
    const y = isSigned ? signed(b, n) : b;
    return (max ? x > y : x < y) ? a : b;
  });

export const psad1: Exec = (c, d) => {
  const a = lanes(c.gr(d.r2), 1);
  const b = lanes(c.gr(d.r3), 1);
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += Math.abs(a[i] - b[i]);
  c.setGr(d.r1, BigInt(sum), c.nat(d.r2) | c.nat(d.r3));
};

/** mux1 permutations, listed as the source byte of result bytes 7..0. */
const MUX1: Record<number, number[]> = {
  0: [0, 0, 0, 0, 0, 0, 0, 0], // @brcst
  8: [7, 3, 5, 1, 6, 2, 4, 0], // @mix
  9: [7, 3, 6, 2, 5, 1, 4, 0], // @shuf
  10: [7, 5, 3, 1, 6, 4, 2, 0], // @alt
  11: [0, 1, 2, 3, 4, 5, 6, 7], // @rev
};

export const mux1: Exec = (c, d) => {
  const perm = MUX1[d.a];
  if (!perm) c.raise('illegal-operation', BigInt(d.a), `mux1 with reserved type ${d.a}`);
  const a = lanes(c.gr(d.r2), 1);
  c.setGr(
    d.r1,
    join(
      a.map((_x, i) => a[perm[7 - i]]),
      1,
    ),
    c.nat(d.r2),
  );
};

export const mux2: Exec = (c, d) => {
  const a = lanes(c.gr(d.r2), 2);
  c.setGr(
    d.r1,
    join(
      a.map((_x, i) => a[(d.a >> (2 * i)) & 3]),
      2,
    ),
    c.nat(d.r2),
  );
};

/** pshl r1 = r2, count: count from r3 (`fromReg`) or d.a; counts past the lane width give 0. */
export const pshl = (bytes: number, fromReg: boolean): Exec =>
  lanewiseShift(bytes, fromReg, 'r2', (x, n, w) => (n >= w ? 0 : x * 2 ** n));

/** pshr [.u] r1 = r3, count: count from r2 or d.a. */
export const pshr = (bytes: number, isSigned: boolean, fromReg: boolean): Exec =>
  lanewiseShift(bytes, fromReg, 'r3', (x, n, w) =>
    isSigned ? signed(x, w / 8) >> Math.min(n, w - 1) : n >= w ? 0 : Math.floor(x / 2 ** n),
  );

function lanewiseShift(
  bytes: number,
  fromReg: boolean,
  valueIn: 'r2' | 'r3',
  op: (x: number, n: number, width: number) => number,
): Exec {
  return (c, d) => {
    const countReg = valueIn === 'r2' ? d.r3 : d.r2;
    const valueReg = valueIn === 'r2' ? d.r2 : d.r3;
    const raw = fromReg ? c.gr(countReg) : BigInt(d.a);
    const n = raw > 255n ? 255 : Number(raw);
    const v = lanes(c.gr(valueReg), bytes).map((x) => op(x, n, bytes * 8));
    c.setGr(d.r1, join(v, bytes), c.nat(valueReg) | (fromReg ? c.nat(countReg) : 0));
  };
}
