// The common case without BigInt: round-to-nearest + − × ÷ √ on ordinary operands whose result is a
// normal number well inside the exponent range. JavaScript's double arithmetic is IEEE
// round-to-nearest-even, a double result rounded to single (Math.fround) is the correctly rounded
// single for these five operations, and Inexact comes from the exact error terms (TwoSum, and
// Dekker's product for × ÷ √). Anything else returns undefined and goes to softfloat.ts.
import { FLAG_I, type FpEnv } from './softfloat.js';

const buf = new ArrayBuffer(8);
const f64 = new Float64Array(buf);
const f32 = new Float32Array(buf);
const u32 = new Uint32Array(buf);
const LE = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const LO = LE ? 0 : 1;
const HI = LE ? 1 : 0;

export function single(bits: number): number {
  u32[0] = bits;
  return f32[0];
}
export function singleBits(x: number): number {
  f32[0] = x;
  return u32[0] | 0;
}
export function double(lo: number, hi: number): number {
  u32[LO] = lo;
  u32[HI] = hi;
  return f64[0];
}
/** The words of `x`: call, then read `lowWord` and `highWord`. */
export function splitDouble(x: number): void {
  f64[0] = x;
}
export const lowWord = (): number => u32[LO] | 0;
export const highWord = (): number => u32[HI] | 0;

// Operands and results are kept within [2^-900, 2^900] so that no step below overflows or underflows.
const LOW = 2 ** -900;
const HIGH = 2 ** 900;
const inRange = (x: number): boolean => {
  const a = Math.abs(x);
  return a >= LOW && a <= HIGH;
};
/**
 * A result the fast path may deliver, judged on `d`, the double result before rounding to single:
 * in range, and for singles at least one binade clear of the subnormal range (where Underflow and FS
 * depend on the value before rounding) and of overflow.
 */
const resultOk = (d: number, s: boolean): boolean => {
  if (!s) return inRange(d);
  const a = Math.abs(d);
  return a >= SINGLE_LOW && a < SINGLE_HIGH;
};
const SINGLE_LOW = 2 ** -125;
const SINGLE_HIGH = 2 ** 127;
const SPLIT = 134_217_729; // 2^27 + 1

/** a·b − p exactly (Dekker), for p = fl(a·b) with a, b in range. */
function productError(a: number, b: number, p: number): number {
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl;
}
/** a + b − s exactly (Knuth's TwoSum), for s = fl(a + b). */
function sumError(a: number, b: number, s: number): number {
  const bb = s - a;
  return a - (s - bb) + (b - bb);
}

export type FastOp = (a: number, b: number, single: boolean, env: FpEnv) => number | undefined;

function inexactIf(cond: boolean, env: FpEnv): void {
  if (cond) env.flags |= FLAG_I;
}

export const fastAdd: FastOp = (a, b, s, env) => {
  const d = a + b;
  const r = s ? Math.fround(d) : d;
  if (!resultOk(d, s) || !(inRange(a) || a === 0) || !(inRange(b) || b === 0)) return undefined;
  inexactIf(sumError(a, b, d) !== 0 || r !== d, env);
  return r;
};
export const fastSub: FastOp = (a, b, s, env) => fastAdd(a, -b, s, env);

export const fastMul: FastOp = (a, b, s, env) => {
  const d = a * b;
  const r = s ? Math.fround(d) : d;
  if (!resultOk(d, s) || !inRange(a) || !inRange(b)) return undefined;
  // A product of two singles is exact in double.
  inexactIf(s ? r !== d : productError(a, b, d) !== 0, env);
  return r;
};

export const fastDiv: FastOp = (a, b, s, env) => {
  const d = a / b;
  const r = s ? Math.fround(d) : d;
  if (!resultOk(d, s) || !inRange(a) || !inRange(b)) return undefined;
  const p = r * b;
  inexactIf(p !== a || productError(r, b, p) !== 0, env);
  return r;
};

export const fastSqrt: FastOp = (a, _b, s, env) => {
  if (!inRange(a) || a < 0) return undefined;
  const d = Math.sqrt(a);
  const r = s ? Math.fround(d) : d;
  if (!resultOk(d, s)) return undefined;
  const p = r * r;
  inexactIf(p !== a || productError(r, r, p) !== 0, env);
  return r;
};
