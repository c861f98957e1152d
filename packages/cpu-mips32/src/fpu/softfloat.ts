// Exact IEEE 754 binary32/binary64 arithmetic for the FPU: every finite operand is unpacked to
// m·2^e with a BigInt m, the operation is done exactly (or, for divide and square root, to enough
// bits plus a sticky bit), and one rounding step applies the FCSR rounding mode, subnormals,
// overflow, flush-to-zero and the exception flags. Slow but simple and right for all four modes;
// JavaScript's own arithmetic only knows round-to-nearest and gives no flags.
//
// The MIPS legacy NaN encoding (24Kf, FCSR.NAN2008 = 0): a NaN is signalling when the fraction's
// top bit is SET. As QEMU runs pre-2008 MIPS in default-NaN mode, every NaN an operation produces is
// the default NaN (0x7FBFFFFF / 0x7FF7FFFFFFFFFFFF), whatever the input NaNs were.

/** FCSR flag/cause/enable bit positions (relative to the field): I U O Z V (E only in Cause). */
export const FLAG_I = 1;
export const FLAG_U = 2;
export const FLAG_O = 4;
export const FLAG_Z = 8;
export const FLAG_V = 16;

/** Rounding modes as FCSR.RM encodes them. */
export const RM_NEAREST = 0;
export const RM_ZERO = 1;
export const RM_UP = 2;
export const RM_DOWN = 3;

export interface Format {
  /** Precision in bits, including the hidden bit. */
  p: number;
  /** Exponent field width. */
  w: number;
  bias: number;
  defaultNaN: bigint;
}
export const SINGLE: Format = { p: 24, w: 8, bias: 127, defaultNaN: 0x7fbf_ffffn };
export const DOUBLE: Format = { p: 53, w: 11, bias: 1023, defaultNaN: 0x7ff7_ffff_ffff_ffffn };

/** The mutable context of one operation: rounding mode, flush-to-zero, and the flags raised. */
export interface FpEnv {
  rm: number;
  ftz: boolean;
  flags: number;
}

const ZERO = 0;
const NUM = 1;
const INF = 2;
const QNAN = 3;
const SNAN = 4;

/** An unpacked operand: value (−1)^sign · m · 2^e for NUM. */
interface Val {
  cls: number;
  sign: number;
  m: bigint;
  e: number;
}

export function unpack(bits: bigint, f: Format): Val {
  const fracBits = BigInt(f.p - 1);
  const sign = Number((bits >> BigInt(f.p - 1 + f.w)) & 1n);
  const exp = Number((bits >> fracBits) & BigInt((1 << f.w) - 1));
  const frac = bits & ((1n << fracBits) - 1n);
  const emax = (1 << f.w) - 1;
  if (exp === emax) {
    if (frac === 0n) return { cls: INF, sign, m: 0n, e: 0 };
    const quietBitSet = ((frac >> (fracBits - 1n)) & 1n) === 1n;
    return { cls: quietBitSet ? SNAN : QNAN, sign, m: 0n, e: 0 };
  }
  if (exp === 0) {
    if (frac === 0n) return { cls: ZERO, sign, m: 0n, e: 0 };
    return { cls: NUM, sign, m: frac, e: 1 - f.bias - (f.p - 1) };
  }
  return { cls: NUM, sign, m: frac | (1n << fracBits), e: exp - f.bias - (f.p - 1) };
}

export const isNaN_ = (v: Val): boolean => v.cls === QNAN || v.cls === SNAN;

function bitLength(m: bigint): number {
  return m.toString(2).length;
}

const signBit = (sign: number, f: Format): bigint => BigInt(sign) << BigInt(f.p - 1 + f.w);
const infBits = (sign: number, f: Format): bigint =>
  signBit(sign, f) | (BigInt((1 << f.w) - 1) << BigInt(f.p - 1));
const maxBits = (sign: number, f: Format): bigint => infBits(sign, f) - 1n;
export const zeroBits = (sign: number, f: Format): bigint => signBit(sign, f);

/** Does rounding with `rm` add one unit to a magnitude whose discarded part is rem/2^shift? */
function roundsUp(rm: number, sign: number, kept: bigint, rem: bigint, half: bigint): boolean {
  if (rem === 0n) return false;
  switch (rm) {
    case RM_NEAREST:
      return rem > half || (rem === half && (kept & 1n) === 1n);
    case RM_UP:
      return sign === 0;
    case RM_DOWN:
      return sign === 1;
    default:
      return false;
  }
}

/** Round to `q` as the exponent of the last kept bit; returns the kept significand and whether it was inexact. */
function roundAt(rm: number, sign: number, m: bigint, e: number, q: number): { k: bigint; inexact: boolean } {
  const shift = q - e;
  if (shift <= 0) return { k: m << BigInt(-shift), inexact: false };
  const s = BigInt(shift);
  let k = m >> s;
  const rem = m & ((1n << s) - 1n);
  if (roundsUp(rm, sign, k, rem, 1n << (s - 1n))) k += 1n;
  return { k, inexact: rem !== 0n };
}

/** Round the exact value (−1)^sign · m · 2^e (m > 0) into format `f`. */
export function round(sign: number, m: bigint, e: number, f: Format, env: FpEnv): bigint {
  const emin = 1 - f.bias;
  const emax = f.bias;
  const top = e + bitLength(m) - 1; // exponent of the leading bit
  if (top < emin) {
    if (env.ftz) return zeroBits(sign, f); // QEMU's flush-to-zero: no MIPS flag is raised
    // Tininess after rounding: would the result, rounded with an unbounded exponent, be below 2^emin?
    const unbounded = roundAt(env.rm, sign, m, e, top - (f.p - 1));
    const tiny = bitLength(unbounded.k) + top - (f.p - 1) - 1 < emin;
    const { k, inexact } = roundAt(env.rm, sign, m, e, emin - (f.p - 1));
    if (inexact) env.flags |= tiny ? FLAG_I | FLAG_U : FLAG_I;
    // k < 2^(p-1) is a subnormal (biased exponent 0); k = 2^(p-1) became the smallest normal.
    return signBit(sign, f) | k;
  }
  let q = top - (f.p - 1);
  let { k, inexact } = roundAt(env.rm, sign, m, e, q);
  if (bitLength(k) > f.p) {
    k >>= 1n;
    q += 1;
  }
  if (inexact) env.flags |= FLAG_I;
  const exp = q + f.p - 1;
  if (exp > emax) {
    env.flags |= FLAG_O | FLAG_I;
    const toInf =
      env.rm === RM_NEAREST || (env.rm === RM_UP && sign === 0) || (env.rm === RM_DOWN && sign === 1);
    return toInf ? infBits(sign, f) : maxBits(sign, f);
  }
  const fracMask = (1n << BigInt(f.p - 1)) - 1n;
  return signBit(sign, f) | (BigInt(exp + f.bias) << BigInt(f.p - 1)) | (k & fracMask);
}

/** The default NaN, raising Invalid when `invalid`. */
function nan(f: Format, env: FpEnv, invalid: boolean): bigint {
  if (invalid) env.flags |= FLAG_V;
  return f.defaultNaN;
}
const anySNaN = (...vs: Val[]): boolean => vs.some((v) => v.cls === SNAN);

/** A NaN input gives the default NaN (Invalid for a signalling one). */
function nanIn(a: Val, b: Val, f: Format, env: FpEnv): bigint | undefined {
  if (isNaN_(a) || isNaN_(b)) return nan(f, env, anySNaN(a, b));
  return undefined;
}

/** Sum of two exact values, rounded. */
function addVals(a: Val, b: Val, f: Format, env: FpEnv): bigint {
  const n = nanIn(a, b, f, env);
  if (n !== undefined) return n;
  if (a.cls === INF || b.cls === INF) {
    if (a.cls === INF && b.cls === INF && a.sign !== b.sign) return nan(f, env, true);
    return infBits(a.cls === INF ? a.sign : b.sign, f);
  }
  if (a.cls === ZERO && b.cls === ZERO) {
    const sign = a.sign === b.sign ? a.sign : env.rm === RM_DOWN ? 1 : 0;
    return zeroBits(sign, f);
  }
  if (a.cls === ZERO) return round(b.sign, b.m, b.e, f, env);
  if (b.cls === ZERO) return round(a.sign, a.m, a.e, f, env);
  const e = Math.min(a.e, b.e);
  const ma = a.m << BigInt(a.e - e);
  const mb = b.m << BigInt(b.e - e);
  const sum = (a.sign ? -ma : ma) + (b.sign ? -mb : mb);
  if (sum === 0n) return zeroBits(env.rm === RM_DOWN ? 1 : 0, f);
  return sum < 0n ? round(1, -sum, e, f, env) : round(0, sum, e, f, env);
}

export function add(x: bigint, y: bigint, f: Format, env: FpEnv): bigint {
  return addVals(unpack(x, f), unpack(y, f), f, env);
}
export function sub(x: bigint, y: bigint, f: Format, env: FpEnv): bigint {
  const b = unpack(y, f);
  return addVals(unpack(x, f), { ...b, sign: b.sign ^ 1 }, f, env);
}

export function mul(x: bigint, y: bigint, f: Format, env: FpEnv): bigint {
  const a = unpack(x, f);
  const b = unpack(y, f);
  const n = nanIn(a, b, f, env);
  if (n !== undefined) return n;
  const sign = a.sign ^ b.sign;
  if (a.cls === INF || b.cls === INF) {
    if (a.cls === ZERO || b.cls === ZERO) return nan(f, env, true);
    return infBits(sign, f);
  }
  if (a.cls === ZERO || b.cls === ZERO) return zeroBits(sign, f);
  return round(sign, a.m * b.m, a.e + b.e, f, env);
}

export function div(x: bigint, y: bigint, f: Format, env: FpEnv): bigint {
  const a = unpack(x, f);
  const b = unpack(y, f);
  const n = nanIn(a, b, f, env);
  if (n !== undefined) return n;
  const sign = a.sign ^ b.sign;
  if (a.cls === INF) return b.cls === INF ? nan(f, env, true) : infBits(sign, f);
  if (b.cls === INF) return zeroBits(sign, f);
  if (b.cls === ZERO) {
    if (a.cls === ZERO) return nan(f, env, true);
    env.flags |= FLAG_Z;
    return infBits(sign, f);
  }
  if (a.cls === ZERO) return zeroBits(sign, f);
  // Enough quotient bits for the rounding (p + 2), then a sticky bit for any remainder.
  const k = Math.max(0, f.p + 3 + bitLength(b.m) - bitLength(a.m));
  const num = a.m << BigInt(k);
  let q = num / b.m;
  let e = a.e - b.e - k;
  if (q * b.m !== num) {
    q = (q << 1n) | 1n;
    e -= 1;
  }
  return round(sign, q, e, f, env);
}

function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt(Math.ceil(bitLength(n) / 2));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

export function sqrt(x: bigint, f: Format, env: FpEnv): bigint {
  const a = unpack(x, f);
  if (isNaN_(a)) return nan(f, env, a.cls === SNAN);
  if (a.cls === ZERO) return x;
  if (a.sign === 1) return nan(f, env, true);
  if (a.cls === INF) return x;
  let m = a.m;
  let e = a.e;
  if ((e & 1) !== 0) {
    m <<= 1n;
    e -= 1;
  }
  // Scale by an even power so the root has at least p + 2 bits.
  const k = Math.max(0, 2 * (f.p + 3) - bitLength(m));
  const scaled = m << BigInt(k + (k & 1));
  const shift = k + (k & 1);
  let s = isqrt(scaled);
  let re = (e - shift) / 2;
  if (s * s !== scaled) {
    s = (s << 1n) | 1n;
    re -= 1;
  }
  return round(0, s, re, f, env);
}

/** Convert between formats (S→D is exact; D→S rounds). */
export function convert(x: bigint, from: Format, to: Format, env: FpEnv): bigint {
  const a = unpack(x, from);
  if (isNaN_(a)) return nan(to, env, a.cls === SNAN);
  if (a.cls === INF) return infBits(a.sign, to);
  if (a.cls === ZERO) return zeroBits(a.sign, to);
  return round(a.sign, a.m, a.e, to, env);
}

/** A signed integer of `bits` (32 or 64) to format `f`. */
export function fromInt(v: bigint, f: Format, env: FpEnv): bigint {
  if (v === 0n) return 0n;
  return v < 0n ? round(1, -v, 0, f, env) : round(0, v, 0, f, env);
}

/**
 * To a signed integer of `bits`, rounding with `rm`. NaN, infinities and out-of-range values raise
 * Invalid and give undefined (the caller substitutes the MIPS legacy 2^(bits−1) − 1).
 */
export function toInt(x: bigint, f: Format, rm: number, bits: number, env: FpEnv): bigint | undefined {
  const a = unpack(x, f);
  if (a.cls === ZERO) return 0n;
  if (a.cls !== NUM) {
    env.flags |= FLAG_V;
    return undefined;
  }
  let k: bigint;
  let inexact: boolean;
  if (a.e >= 0) {
    k = a.m << BigInt(a.e);
    inexact = false;
  } else {
    ({ k, inexact } = roundAt(rm, a.sign, a.m, a.e, 0));
  }
  const v = a.sign ? -k : k;
  const limit = 1n << BigInt(bits - 1);
  if (v >= limit || v < -limit) {
    env.flags |= FLAG_V;
    return undefined;
  }
  if (inexact) env.flags |= FLAG_I;
  return v;
}

/** Compare: bit 0 unordered, bit 1 equal, bit 2 less (as C.cond's low three bits test them). */
export function compare(x: bigint, y: bigint, f: Format, signalling: boolean, env: FpEnv): number {
  const a = unpack(x, f);
  const b = unpack(y, f);
  if (isNaN_(a) || isNaN_(b)) {
    if (signalling || anySNaN(a, b)) env.flags |= FLAG_V;
    return 1;
  }
  const c = cmpVals(a, b);
  return c === 0 ? 2 : c < 0 ? 4 : 0;
}

/** −1, 0, 1 for ordered non-NaN values. */
function cmpVals(a: Val, b: Val): number {
  const mag = (v: Val): [number, bigint, number] => {
    if (v.cls === ZERO) return [0, 0n, 0];
    if (v.cls === INF) return [2, 0n, 0];
    return [1, v.m, v.e];
  };
  const [ca, ma, ea] = mag(a);
  const [cb, mb, eb] = mag(b);
  if (ca === 0 && cb === 0) return 0;
  const sa = ca === 0 ? 0 : a.sign ? -1 : 1;
  const sb = cb === 0 ? 0 : b.sign ? -1 : 1;
  if (sa !== sb) return sa < sb ? -1 : 1;
  // Same sign: compare magnitudes.
  let m = 0;
  if (ca !== cb) m = ca < cb ? -1 : 1;
  else if (ca === 1) {
    const e = Math.min(ea, eb);
    const x = ma << BigInt(ea - e);
    const y = mb << BigInt(eb - e);
    m = x === y ? 0 : x < y ? -1 : 1;
  }
  return sa < 0 ? -m : m;
}
