// The remaining value operations: FRNDINT, FSCALE, FXTRACT, FPREM/FPREM1.
import { exactToF80, invalid, nanResult, roundToReg } from './arith.js';
import { loadInt, roundToInteger } from './convert.js';
import {
  BIAS,
  bitLength,
  classify,
  type F80,
  FMT_EXT,
  inf,
  K_DENORMAL,
  K_INF,
  K_QNAN,
  K_UNSUPPORTED,
  K_ZERO,
  unbiasedScale,
  zero,
} from './float80.js';
import { DE, type Fpu, PE, ZE } from './fpu.js';

/** FRNDINT: round to an integer by RC (PE when inexact). */
export function rndint(f: Fpu, x: F80): F80 {
  const k = classify(x);
  if (k === K_UNSUPPORTED) return invalid(f);
  if (k >= K_QNAN) return nanResult(f, x, k, x, k);
  if (k === K_ZERO || k === K_INF) return x;
  if (k === K_DENORMAL) {
    f.exc |= DE;
    if (f.suppresses(f.exc)) return x;
  }
  const E = unbiasedScale(x);
  if (E >= 0) return x;
  const r = roundToInteger(x.s, x.m, E, f.rounding);
  if (r.inexact) f.exc |= PE;
  f.up = r.up;
  return exactToF80(x.s, r.q, 0);
}

/** FSCALE: x * 2^trunc(y). */
export function scale(f: Fpu, x: F80, y: F80): F80 {
  const kx = classify(x);
  const ky = classify(y);
  if (kx === K_UNSUPPORTED || ky === K_UNSUPPORTED) return invalid(f);
  if (kx >= K_QNAN || ky >= K_QNAN) return nanResult(f, x, kx, y, ky);
  if (kx === K_DENORMAL || ky === K_DENORMAL) f.exc |= DE;
  if (f.suppresses(f.exc)) return x;
  if (ky === K_INF) {
    if (y.s === 0) return kx === K_ZERO ? invalid(f) : inf(x.s);
    return kx === K_INF ? invalid(f) : zero(x.s);
  }
  if (kx === K_ZERO || kx === K_INF) return x;
  let n = 0;
  if (ky !== K_ZERO) {
    const E = unbiasedScale(y);
    const lead = E + bitLength(y.m) - 1;
    if (lead >= 20) n = 1 << 20;
    else if (lead >= 0) n = Number(E >= 0 ? y.m << BigInt(E) : y.m >> BigInt(-E));
    if (y.s) n = -n;
  }
  return roundToReg(f, x.s, x.m, unbiasedScale(x) + n, false, FMT_EXT);
}

/** FXTRACT: [exponent, significand] of x (ZE for zero: -inf and the zero). */
export function xtract(f: Fpu, x: F80): [F80, F80] {
  const k = classify(x);
  if (k === K_UNSUPPORTED) {
    const n = invalid(f);
    return [n, n];
  }
  if (k >= K_QNAN) {
    const n = nanResult(f, x, k, x, k);
    return [n, n];
  }
  if (k === K_ZERO) {
    f.exc |= ZE;
    return [inf(1), x];
  }
  if (k === K_INF) return [inf(0), x];
  if (k === K_DENORMAL) f.exc |= DE;
  const n = bitLength(x.m);
  const lead = unbiasedScale(x) + n - 1;
  return [loadInt(BigInt(lead)), { s: x.s, e: BIAS, m: x.m << BigInt(64 - n) }];
}

/**
 * FPREM (round toward zero) / FPREM1 (to nearest): the partial remainder of x / y. Returns the
 * result and the condition codes: complete → C2 = 0 and the quotient's low three bits in
 * C0 (Q2), C3 (Q1), C1 (Q0); partial (exponents 64 or more apart) → C2 = 1; q = -1 when NaN or
 * invalid operands decided the result.
 */
export function prem(f: Fpu, x: F80, y: F80, nearest: boolean): { r: F80; q: number; partial: boolean } {
  const kx = classify(x);
  const ky = classify(y);
  const none = (r: F80) => ({ r, q: -1, partial: false });
  if (kx === K_UNSUPPORTED || ky === K_UNSUPPORTED) return none(invalid(f));
  if (kx >= K_QNAN || ky >= K_QNAN) return none(nanResult(f, x, kx, y, ky));
  if (kx === K_INF || ky === K_ZERO) return none(invalid(f));
  if (kx === K_DENORMAL || ky === K_DENORMAL) f.exc |= DE;
  if (f.suppresses(f.exc)) return none(x);
  if (kx === K_ZERO || ky === K_INF) {
    // A pseudo-denormal dividend comes back in its canonical encoding (exponent 1), as this host's
    // FPU returns it (found by the 32-bit host differential fuzz).
    const r = kx === K_DENORMAL && x.m >> 63n === 1n ? { s: x.s, e: 1, m: x.m } : x;
    return { r, q: 0, partial: false };
  }
  const ex = unbiasedScale(x);
  const ey = unbiasedScale(y);
  const lx = ex + bitLength(x.m) - 1;
  const ly = ey + bitLength(y.m) - 1;
  const d = lx - ly;
  const E = Math.min(ex, ey);
  const a = x.m << BigInt(ex - E);
  const b = y.m << BigInt(ey - E);
  if (d >= 64) {
    // Partial: reduce by y * 2^(d - n) with n in 32..63 (the low five bits of d).
    const n = (d & 31) | 32;
    const bs = b << BigInt(d - n);
    const q = a / bs;
    const r = a - q * bs;
    return { r: roundToReg(f, x.s, r, E, false, FMT_EXT), q: 0, partial: true };
  }
  let q = a / b;
  let r = a - q * b;
  let s = x.s;
  if (nearest) {
    const twice = r * 2n;
    if (twice > b || (twice === b && (q & 1n) === 1n)) {
      q += 1n;
      r = b - r;
      s ^= 1;
    }
  }
  const res = r === 0n ? zero(x.s) : roundToReg(f, s, r, E, false, FMT_EXT);
  return { r: res, q: Number(q & 7n), partial: false };
}
