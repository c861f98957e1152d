// Basic arithmetic on 80-bit values, computed exactly with BigInt and rounded once: add,
// subtract, multiply, divide, square root, compare, and the operand rules they share (NaN
// propagation, invalid combinations, denormal operands). Results and the exceptions they
// raise go to the Fpu's `exc` / `up` for the instruction to commit.
import {
  BIAS,
  bitLength,
  classify,
  type F80,
  FMT_EXT,
  FMT_EXT24,
  FMT_EXT53,
  type Format,
  INDEFINITE,
  inf,
  K_DENORMAL,
  K_INF,
  K_QNAN,
  K_SNAN,
  K_UNSUPPORTED,
  K_ZERO,
  maxFinite,
  overflowToInfinity,
  packExt,
  packNormal,
  QUIET_BIT,
  RC_DOWN,
  type Rounded,
  roundValue,
  shl,
  unbiasedScale,
  zero,
} from './float80.js';
import { DE, type Fpu, IE, OE, PE, UE, ZE } from './fpu.js';

/** The bias adjustment of an unmasked overflow/underflow result (3/4 of the exponent range). */
export const WRAP_EXT = 24576;

/**
 * Underflow is detected after rounding (a result that rounds up to the smallest normal is not
 * tiny); measured against the host processor (test/x87.test.ts).
 */
const TINY_AFTER_ROUNDING = true;

/** The precision-control format for the basic arithmetic (PC 00: 24 bits, 10: 53, 11: 64). */
export function pcFormat(f: Fpu): Format {
  const pc = f.precision;
  return pc === 0 ? FMT_EXT24 : pc === 2 ? FMT_EXT53 : FMT_EXT;
}

/** A rounded result, or infinity (`inf`) after a masked overflow. */
export interface Result extends Rounded {
  inf?: boolean;
}

/**
 * Round an exact value into `fmt` with the overflow/underflow rules. `wrap` is the bias
 * adjustment for unmasked over/underflow (register destinations); memory destinations pass 0
 * and do not store when OE/UE is unmasked.
 */
export function roundResult(
  f: Fpu,
  s: number,
  mant: bigint,
  E: number,
  sticky: boolean,
  fmt: Format,
  wrap: number,
): Result {
  const rc = f.rounding;
  const free = roundValue(s, mant, E, sticky, fmt, rc, false);
  if (free.m === 0n) {
    if (free.inexact) f.exc |= PE;
    return free;
  }
  // Unbounded rounding leaves exactly p significant bits (a carry is shifted back into p).
  const lead = free.E + fmt.p - 1;
  if (lead > fmt.emax) {
    f.exc |= OE;
    // Beyond even the bias-adjusted range (FSCALE, OE unmasked): infinity (measured).
    if (wrap !== 0 && !f.masked(OE) && lead - wrap > fmt.emax) {
      f.exc |= PE;
      f.up = true;
      return { ...free, inf: true, m: 0n };
    }
    if (f.masked(OE)) {
      f.exc |= PE;
      if (overflowToInfinity(s, rc)) {
        f.up = true;
        return { ...free, inf: true, m: 0n };
      }
      f.up = false;
      return maxFinite(s, fmt);
    }
    // A memory destination (wrap 0) is not written: no precision exception either.
    if (free.inexact && wrap !== 0) f.exc |= PE;
    f.up = free.up;
    return { ...free, E: free.E - wrap };
  }
  const tiny = TINY_AFTER_ROUNDING
    ? free.tiny && roundValue(s, mant, E, sticky, fmt, rc).tinyAfter
    : free.tiny;
  if (free.tiny) {
    if (tiny && !f.masked(UE) && wrap !== 0 && lead + wrap < fmt.emin) {
      // Beyond even the bias-adjusted range (FSCALE): a zero (measured).
      f.exc |= UE | PE;
      f.up = false;
      return { ...free, m: 0n };
    }
    if (tiny && !f.masked(UE)) {
      f.exc |= UE;
      if (free.inexact && wrap !== 0) f.exc |= PE;
      f.up = free.up;
      return { ...free, E: free.E + wrap };
    }
    const r = roundValue(s, mant, E, sticky, fmt, rc, true);
    if (r.inexact) {
      if (tiny) f.exc |= UE;
      f.exc |= PE;
    }
    f.up = r.up;
    return r;
  }
  if (free.inexact) f.exc |= PE;
  f.up = free.up;
  return free;
}

/** Round an exact value to a register result (extended exponent range, precision `fmt.p`). */
export function roundToReg(f: Fpu, s: number, mant: bigint, E: number, sticky: boolean, fmt: Format): F80 {
  const r = roundResult(f, s, mant, E, sticky, fmt, WRAP_EXT);
  if (r.inf) return inf(s);
  // Only a tiny result can keep fewer than p bits (denormalized); the rest packs directly.
  if (!r.tiny && r.m !== 0n) return packNormal(r, fmt.p);
  return packExt(r);
}

/** A quiet copy of a NaN. */
export function quiet(x: F80): F80 {
  return { s: x.s, e: x.e, m: x.m | QUIET_BIT };
}

/**
 * The NaN result of an operation with at least one NaN operand: IE for an SNaN; of two NaNs the
 * QNaN, or of two of a kind the one with the larger significand (the first on a tie), made quiet.
 */
export function nanResult(f: Fpu, a: F80, ka: number, b: F80, kb: number): F80 {
  f.exc &= ~DE; // a NaN operand hides a denormal one (measured)
  if (ka === K_SNAN || kb === K_SNAN) f.exc |= IE;
  const an = ka === K_QNAN || ka === K_SNAN;
  const bn = kb === K_QNAN || kb === K_SNAN;
  if (an && bn) {
    // An SNaN with a QNaN gives the QNaN; two of a kind, the larger significand.
    if (ka !== kb) return quiet(ka === K_QNAN ? a : b);
    const ma = a.m | QUIET_BIT;
    const mb = b.m | QUIET_BIT;
    return quiet(mb > ma ? b : a);
  }
  return quiet(an ? a : b);
}

/** Invalid operation: IE and the indefinite. */
export function invalid(f: Fpu): F80 {
  f.exc |= IE;
  return { ...INDEFINITE };
}

/**
 * The shared operand screen of a two-operand operation: returns a result when NaNs or
 * unsupported formats decide it, else undefined (DE is recorded for denormal operands).
 */
function screen2(f: Fpu, a: F80, ka: number, b: F80, kb: number): F80 | undefined {
  if (ka === K_UNSUPPORTED || kb === K_UNSUPPORTED) return invalid(f);
  if (ka >= K_QNAN || kb >= K_QNAN) return nanResult(f, a, ka, b, kb);
  if (ka === K_DENORMAL || kb === K_DENORMAL) f.exc |= DE;
  return undefined;
}

export const OP_ADD = 0;
export const OP_MUL = 1;
export const OP_SUB = 4;
export const OP_DIV = 6;

/** a + b, a * b, a - b or a / b, rounded to `fmt`. */
export function arith(f: Fpu, op: number, a: F80, b0: F80, fmt: Format): F80 {
  const b = op === OP_SUB ? { s: b0.s ^ 1, e: b0.e, m: b0.m } : b0;
  const ka = classify(a);
  const kb = classify(b);
  const early = screen2(f, a, ka, op === OP_SUB ? b0 : b, kb);
  if (early !== undefined) return early;
  // Division of a finite non-zero value by zero: ZE, and a denormal dividend is not reported.
  if (op === OP_DIV && kb === K_ZERO && ka !== K_ZERO && ka !== K_INF) f.exc &= ~DE;
  if (f.suppresses(f.exc)) return a;
  if (op === OP_MUL) return mul(f, a, ka, b, kb, fmt);
  if (op === OP_DIV) return div(f, a, ka, b, kb, fmt);
  return add(f, a, ka, b, kb, fmt);
}

function add(f: Fpu, a: F80, ka: number, b: F80, kb: number, fmt: Format): F80 {
  if (ka === K_INF || kb === K_INF) {
    if (ka === K_INF && kb === K_INF && a.s !== b.s) return invalid(f);
    return inf(ka === K_INF ? a.s : b.s);
  }
  if (ka === K_ZERO && kb === K_ZERO) return zero(a.s === b.s ? a.s : f.rounding === RC_DOWN ? 1 : 0);
  const ea = unbiasedScale(a);
  const eb = unbiasedScale(b);
  const E = Math.min(ka === K_ZERO ? eb : ea, kb === K_ZERO ? ea : eb);
  const va = ka === K_ZERO ? 0n : shl(a.m, ea - E);
  const vb = kb === K_ZERO ? 0n : shl(b.m, eb - E);
  let sum = (a.s ? -va : va) + (b.s ? -vb : vb);
  if (sum === 0n) return zero(f.rounding === RC_DOWN ? 1 : 0);
  let s = 0;
  if (sum < 0n) {
    s = 1;
    sum = -sum;
  }
  return roundToReg(f, s, sum, E, false, fmt);
}

function mul(f: Fpu, a: F80, ka: number, b: F80, kb: number, fmt: Format): F80 {
  const s = a.s ^ b.s;
  if (ka === K_INF || kb === K_INF) {
    if (ka === K_ZERO || kb === K_ZERO) return invalid(f);
    return inf(s);
  }
  if (ka === K_ZERO || kb === K_ZERO) return zero(s);
  return roundToReg(f, s, a.m * b.m, unbiasedScale(a) + unbiasedScale(b), false, fmt);
}

function div(f: Fpu, a: F80, ka: number, b: F80, kb: number, fmt: Format): F80 {
  const s = a.s ^ b.s;
  if (ka === K_INF) return kb === K_INF ? invalid(f) : inf(s);
  if (kb === K_INF) return zero(s);
  if (kb === K_ZERO) {
    if (ka === K_ZERO) return invalid(f);
    f.exc |= ZE;
    return inf(s);
  }
  if (ka === K_ZERO) return zero(s);
  const q = divide(a.m, unbiasedScale(a), b.m, unbiasedScale(b));
  return roundToReg(f, s, q.m, q.E, q.sticky, fmt);
}

/** ma*2^ea / mb*2^eb with at least 68 quotient bits and a sticky remainder flag. */
export function divide(ma: bigint, ea: number, mb: bigint, eb: number) {
  const k = Math.max(0, 68 + bitLength(mb) - bitLength(ma));
  const num = ma << BigInt(k);
  const m = num / mb;
  return { m, E: ea - eb - k, sticky: m * mb !== num };
}

/** Integer square root (floor) of a non-negative BigInt. */
export function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt((bitLength(n) + 1) >> 1);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

export function sqrt(f: Fpu, a: F80, fmt: Format): F80 {
  const k = classify(a);
  if (k === K_UNSUPPORTED) return invalid(f);
  if (k === K_QNAN || k === K_SNAN) return nanResult(f, a, k, a, k);
  if (k === K_ZERO) return a;
  if (a.s === 1) return invalid(f);
  if (k === K_INF) return a;
  if (k === K_DENORMAL) {
    f.exc |= DE;
    if (f.suppresses(f.exc)) return a;
  }
  let E = unbiasedScale(a);
  let m = a.m;
  // Widen to 140+ bits with an even exponent, so the root has 70+ bits.
  let shift = Math.max(0, 140 - bitLength(m));
  if ((E - shift) & 1) shift++;
  m <<= BigInt(shift);
  E -= shift;
  const r = isqrt(m);
  return roundToReg(f, 0, r, E / 2, r * r !== m, fmt);
}

/**
 * Compare a with b: 0 a > b, 1 a < b, 2 equal, 3 unordered. `quiet` (FUCOM*) raises IE only for
 * SNaNs and unsupported formats; the others for any NaN.
 */
export function compare(f: Fpu, a: F80, b: F80, quiet: boolean): number {
  const ka = classify(a);
  const kb = classify(b);
  if (ka === K_UNSUPPORTED || kb === K_UNSUPPORTED) {
    f.exc |= IE;
    return 3;
  }
  if (ka >= K_QNAN || kb >= K_QNAN) {
    if (!quiet || ka === K_SNAN || kb === K_SNAN) f.exc |= IE;
    return 3;
  }
  if (ka === K_DENORMAL || kb === K_DENORMAL) f.exc |= DE;
  const c = compareValues(a, ka, b, kb);
  return c > 0 ? 0 : c < 0 ? 1 : 2;
}

/** Ordered comparison of two non-NaN values: -1, 0, 1. */
export function compareValues(a: F80, ka: number, b: F80, kb: number): number {
  const za = ka === K_ZERO;
  const zb = kb === K_ZERO;
  if (za && zb) return 0;
  if (a.s !== b.s) return a.s ? -1 : 1;
  const mag = magnitudeCompare(a, ka, b, kb);
  return a.s ? -mag : mag;
}

function magnitudeCompare(a: F80, ka: number, b: F80, kb: number): number {
  if (ka === K_ZERO) return kb === K_ZERO ? 0 : -1;
  if (kb === K_ZERO) return 1;
  if (ka === K_INF || kb === K_INF) return ka === kb ? 0 : ka === K_INF ? 1 : -1;
  const ea = unbiasedScale(a);
  const eb = unbiasedScale(b);
  const E = Math.min(ea, eb);
  const va = a.m << BigInt(ea - E);
  const vb = b.m << BigInt(eb - E);
  return va > vb ? 1 : va < vb ? -1 : 0;
}

/** Exactly representable finite value m*2^E as an F80 (no rounding needed: at most 64 bits). */
export function exactToF80(s: number, m: bigint, E: number): F80 {
  if (m === 0n) return zero(s);
  const n = bitLength(m);
  const lead = E + n - 1;
  const e = lead + BIAS;
  if (e <= 0) return { s, e: 0, m: m << BigInt(E + 16445) };
  return { s, e, m: m << BigInt(63 - (n - 1)) };
}
