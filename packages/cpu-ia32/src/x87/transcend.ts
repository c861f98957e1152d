// The transcendental instructions' arithmetic: FSIN/FCOS/FSINCOS/FPTAN (argument reduction by a
// high-precision pi), FPATAN, F2XM1, FYL2X, FYL2XP1, and the FLD constants. Each computes in
// fixed point with well over 64 correct bits and rounds once to the extended format (the
// precision control does not apply to these instructions, as on hardware).
import { invalid, nanResult, roundToReg } from './arith.js';
import {
  atanF,
  atanhF,
  divF,
  expm1F,
  leadOf,
  ln2F,
  ln10F,
  lnF,
  mulF,
  piF,
  sinCosF,
  toFixed,
} from './fixed.js';
import {
  bitLength,
  classify,
  type F80,
  FMT_EXT,
  INT_BIT,
  inf,
  K_DENORMAL,
  K_INF,
  K_NORMAL,
  K_QNAN,
  K_SNAN,
  K_UNSUPPORTED,
  K_ZERO,
  packExt,
  roundValue,
  zero,
} from './float80.js';
import { DE, type Fpu, ZE } from './fpu.js';

export const ONE: F80 = { s: 0, e: 16383, m: INT_BIT };

/** Working precision for an operand whose leading bit is 2^lead (more bits for tiny values). */
const precisionFor = (lead: number) => 224 + Math.min(Math.max(0, -lead), 64);

/**
 * Below 2^TINY the functions take closed forms (the next series term is under 2^-80 of the
 * first), so a tiny operand never needs thousands of bits of pi or ln 2.
 */
const TINY = -40;

/** |x|(1 - e) or |x|(1 + e) for some 0 < e < 2^-80, rounded (x exact): just below or above x. */
function nudged(f: Fpu, s: number, x: F80, below: boolean): F80 {
  const m = x.m << 8n;
  return roundToReg(f, s, below ? m - 1n : m + 1n, unbiasedOf(x) - 8, true, FMT_EXT);
}

/** A signed fixed-point value rounded into a register (inexact: the value is irrational). */
function fromFixed(f: Fpu, v: bigint, P: number): F80 {
  const s = v < 0n ? 1 : 0;
  return roundToReg(f, s, s ? -v : v, -P, true, FMT_EXT);
}

/** Screen one operand: returns a result for NaN/unsupported, records DE, else undefined. */
function screen1(f: Fpu, x: F80, k: number): F80 | undefined {
  if (k === K_UNSUPPORTED) return invalid(f);
  if (k === K_QNAN || k === K_SNAN) return nanResult(f, x, k, x, k);
  if (k === K_DENORMAL) f.exc |= DE;
  return undefined;
}

/** |x| >= 2^63: the reduction is out of range (C2 = 1, operand unchanged). */
export function outOfTrigRange(x: F80): boolean {
  const k = classify(x);
  return (k === K_NORMAL || k === K_DENORMAL) && x.e >= 16383 + 63;
}

/**
 * The pi the argument reduction uses, at Pw bits: the processor reduces by pi rounded to 66
 * significant bits (Intel documents this; the host agrees exactly, where the true pi leaves
 * about half of FSIN/FCOS/FPTAN results for arguments beyond 2^10 several ulps apart).
 */
const PI_BITS = 66;
export function reductionPi(Pw: number): bigint {
  const exact = piF(Pw + 8);
  const n = bitLength(exact);
  const drop = BigInt(n - PI_BITS);
  const q = (exact + (1n << (drop - 1n))) >> drop;
  return (q << drop) >> 8n;
}

/** sin and cos of a finite x with |x| < 2^63 (both as registers). */
export function sinCos(f: Fpu, x: F80, want: 'sin' | 'cos' | 'both'): { sin?: F80; cos?: F80 } | F80 {
  const k = classify(x);
  const early = screen1(f, x, k);
  if (early !== undefined) return early;
  if (k === K_INF) return invalid(f);
  if (f.suppresses(f.exc)) return x;
  if (k === K_ZERO) return { sin: x, cos: { ...ONE } };
  const lead = leadOf(x);
  if (lead < TINY) {
    // sin x = x(1 - x^2/6 ...), cos x = 1 - x^2/2 ...: both just below.
    const out: { sin?: F80; cos?: F80 } = {};
    if (want !== 'cos') out.sin = nudged(f, x.s, x, true);
    if (want !== 'sin') {
      const up = f.up;
      out.cos = nudged(f, 0, ONE, true);
      if (want === 'both') f.up = up; // FSINCOS: C1 follows the sine (measured)
    }
    return out;
  }
  const P = precisionFor(lead);
  const Pw = P + 80; // the reduction loses up to 63 bits to the quotient
  const halfPi = reductionPi(Pw) >> 1n;
  const xv = toFixed(x, Pw);
  const q = (xv + (halfPi >> 1n)) / halfPi; // round to nearest multiple of pi/2
  const r = (xv - q * halfPi) >> 80n;
  const [s, c] = sinCosF(r, P);
  const n = Number(q & 3n);
  let sv = [s, c, -s, -c][n];
  const cv = [c, -s, -c, s][n];
  if (x.s) sv = -sv;
  const out: { sin?: F80; cos?: F80 } = {};
  if (want !== 'cos') out.sin = fromFixed(f, sv, P);
  if (want !== 'sin') {
    const up = f.up;
    out.cos = fromFixed(f, cv, P);
    if (want === 'both') f.up = up; // FSINCOS: C1 follows the sine (measured)
  }
  return out;
}

/** tan(x) for finite |x| < 2^63. */
export function tan(f: Fpu, x: F80): F80 {
  const k = classify(x);
  const early = screen1(f, x, k);
  if (early !== undefined) return early;
  if (k === K_INF) return invalid(f);
  if (f.suppresses(f.exc)) return x;
  if (k === K_ZERO) return x;
  if (leadOf(x) < TINY) return nudged(f, x.s, x, false); // tan x = x(1 + x^2/3 ...)
  const P = precisionFor(leadOf(x));
  const Pw = P + 80;
  const halfPi = reductionPi(Pw) >> 1n;
  const xv = toFixed(x, Pw);
  const q = (xv + (halfPi >> 1n)) / halfPi;
  const r = (xv - q * halfPi) >> 80n;
  const [s, c] = sinCosF(r, P);
  let t = (q & 1n) === 0n ? divF(s, c, P) : -divF(c, s, P);
  if (x.s) t = -t;
  return fromFixed(f, t, P);
}

/** atan2(y, x) as FPATAN computes it (ST1 = y, ST0 = x). */
export function atan2(f: Fpu, y: F80, x: F80): F80 {
  const ky = classify(y);
  const kx = classify(x);
  if (ky === K_UNSUPPORTED || kx === K_UNSUPPORTED) return invalid(f);
  if (ky >= K_QNAN || kx >= K_QNAN) return nanResult(f, x, kx, y, ky);
  if (ky === K_DENORMAL || kx === K_DENORMAL) f.exc |= DE;
  if (f.suppresses(f.exc)) return y;
  const P0 = 224;
  const pi = () => piF(P0);
  const signed = (v: bigint) => fromFixed(f, y.s ? -v : v, P0);
  if (ky === K_ZERO) {
    if (x.s === 0) return zero(y.s);
    return signed(pi());
  }
  if (kx === K_INF) {
    if (ky === K_INF) return signed(x.s ? (pi() * 3n) / 4n : pi() / 4n);
    return x.s ? signed(pi()) : zero(y.s);
  }
  if (ky === K_INF || kx === K_ZERO) return signed(pi() / 2n);
  // |y| / |x| or its inverse, whichever is at most 1.
  const ly = leadOf(y);
  const lx = leadOf(x);
  const swap = ly > lx || (ly === lx && cmpSig(y, x) > 0);
  const num = swap ? x : y;
  const den = swap ? y : x;
  const qlead = leadOf(num) - leadOf(den);
  if (!swap && x.s === 0 && qlead < TINY) return atanTiny(f, y, x);
  const P = precisionFor(qlead);
  const t = divF(toFixed(num, P + 70), toFixed(den, P + 70), P);
  let a = atanF(t, P);
  const pi2 = piF(P);
  if (swap) a = (pi2 >> 1n) - a;
  if (x.s) a = pi2 - a;
  return fromFixed(f, y.s ? -a : a, P);
}

/** atan(y/x) for 0 < y/x < 2^TINY: t - t^3/3 with t to 160+ bits (the rest is below 2^-160). */
function atanTiny(f: Fpu, y: F80, x: F80): F80 {
  const k = 160 + bitLength(x.m) - bitLength(y.m);
  const num = y.m << BigInt(k);
  const q = num / x.m; // t = q * 2^E (+ a remainder below one unit)
  const E = unbiasedOf(y) - unbiasedOf(x) - k;
  const cube = q * q * q;
  const shift = -2 * E;
  const delta = shift >= bitLength(cube) ? 0n : (cube >> BigInt(shift)) / 3n;
  return roundToReg(f, y.s, q - delta - 1n, E, true, FMT_EXT);
}

function cmpSig(a: F80, b: F80): number {
  const ma = a.m << BigInt(64 - bitLength(a.m));
  const mb = b.m << BigInt(64 - bitLength(b.m));
  return ma > mb ? 1 : ma < mb ? -1 : 0;
}

/** F2XM1: 2^x - 1 (defined for -1 <= x <= 1). */
export function f2xm1(f: Fpu, x: F80): F80 {
  const k = classify(x);
  const early = screen1(f, x, k);
  if (early !== undefined) return early;
  if (f.suppresses(f.exc)) return x;
  if (k === K_ZERO) return x;
  if (k === K_INF) return x.s ? { s: 1, e: 16383, m: INT_BIT } : x;
  const lead = leadOf(x);
  if (lead === 0 && x.m === INT_BIT) return x.s ? { s: 1, e: 16382, m: INT_BIT } : { ...ONE };
  if (lead < TINY) return f2xm1Tiny(f, x);
  const P = precisionFor(lead);
  if (lead >= 0) return f2xm1Wide(f, x, P);
  const xv = toFixed(x, P);
  return fromFixed(f, expm1F(mulF(x.s ? -xv : xv, ln2F(P), P), P), P);
}

/** 2^x - 1 = e(1 + e/2 + e^2/6 ...) with e = x ln 2, for tiny x (the series at 224 bits). */
function f2xm1Tiny(f: Fpu, x: F80): F80 {
  const P = 224;
  const one = 1n << BigInt(P);
  const L = ln2F(P);
  const eFixed = (toFixed(x, P) * L) >> BigInt(P); // |e| at P bits (0 when far below 2^-224)
  const e = x.s ? -eFixed : eFixed;
  let g = 0n;
  let term = one;
  for (let k = 2n; term !== 0n; k++) {
    g += term;
    term = mulF(term, e, P) / k;
  }
  return roundToReg(f, x.s, x.m * L * g, unbiasedOf(x) - 2 * P, true, FMT_EXT);
}

/**
 * 2^x - 1 for |x| > 1, outside F2XM1's documented domain (the SDM calls the result undefined):
 * computed as 2^n * 2^frac - 1 so that any operand ends in bounded time (huge ones overflow or
 * give -1).
 */
function f2xm1Wide(f: Fpu, x: F80, P: number): F80 {
  if (leadOf(x) >= 15) {
    if (x.s) return roundToReg(f, 1, 1n << 64n, -64, true, FMT_EXT); // -1, inexact
    return roundToReg(f, 0, 1n, 1 << 16, false, FMT_EXT); // overflows
  }
  const xv = toFixed(x, P);
  const X = x.s ? -xv : xv;
  const whole = X >> BigInt(P); // floor, for both signs
  const frac = X - (whole << BigInt(P)); // [0, 1)
  const one = 1n << BigInt(P);
  const pow = expm1F(mulF(frac, ln2F(P), P), P) + one; // 2^frac
  const v = whole >= 0n ? (pow << whole) - one : (pow >> -whole) - one;
  return fromFixed(f, v, P);
}

/** FYL2X: y * log2(x). */
export function yl2x(f: Fpu, y: F80, x: F80): F80 {
  const ky = classify(y);
  const kx = classify(x);
  if (ky === K_UNSUPPORTED || kx === K_UNSUPPORTED) return invalid(f);
  if (ky >= K_QNAN || kx >= K_QNAN) return nanResult(f, x, kx, y, ky);
  if (x.s === 1 && kx !== K_ZERO) return invalid(f);
  if (ky === K_DENORMAL || kx === K_DENORMAL) f.exc |= DE;
  if (f.suppresses(f.exc)) return y;
  if (kx === K_ZERO) {
    if (ky === K_ZERO) return invalid(f);
    if (ky !== K_INF) f.exc |= ZE;
    return inf(y.s ^ 1);
  }
  if (kx === K_INF) {
    if (ky === K_ZERO) return invalid(f);
    return inf(y.s);
  }
  const lx = leadOf(x);
  const isOne = lx === 0 && x.m === INT_BIT;
  if (ky === K_INF) {
    if (isOne) return invalid(f);
    return inf(y.s ^ (lx < 0 ? 1 : 0));
  }
  if (ky === K_ZERO) {
    if (isOne) return zero(y.s);
    return zero(y.s ^ (lx < 0 ? 1 : 0));
  }
  // Exact when x is a power of two: y * lx.
  const sig = x.m << BigInt(64 - bitLength(x.m));
  if (sig === INT_BIT) {
    if (lx === 0) return zero(y.s);
    const mag = BigInt(Math.abs(lx));
    return roundToReg(f, y.s ^ (lx < 0 ? 1 : 0), y.m * mag, unbiasedOf(y), false, FMT_EXT);
  }
  const P = 256;
  const m = (sig << BigInt(P)) >> 63n; // the significand in [1, 2) at P fraction bits
  const log2m = divF(lnF(m, P), ln2F(P), P);
  const l = (BigInt(lx) << BigInt(P)) + log2m;
  return productRound(f, y, l, P);
}

/** FYL2XP1: y * log2(x + 1) (defined for |x| < 1 - sqrt(2)/2). */
export function yl2xp1(f: Fpu, y: F80, x: F80): F80 {
  const ky = classify(y);
  const kx = classify(x);
  if (ky === K_UNSUPPORTED || kx === K_UNSUPPORTED) return invalid(f);
  if (ky >= K_QNAN || kx >= K_QNAN) return nanResult(f, x, kx, y, ky);
  if (ky === K_DENORMAL || kx === K_DENORMAL) f.exc |= DE;
  if (f.suppresses(f.exc)) return y;
  if (kx === K_ZERO) {
    if (ky === K_INF) return invalid(f);
    return zero(x.s ^ y.s);
  }
  if (kx === K_INF) return invalid(f);
  if (ky === K_INF) return inf(x.s ^ y.s);
  if (ky === K_ZERO) return zero(x.s ^ y.s);
  if (leadOf(x) < TINY) {
    // ln(1 + x) = x(1 - x/2 + x^2/3 ...); times y and log2(e), rounded once.
    const Pt = 224;
    const onet = 1n << BigInt(Pt);
    const xf = toFixed(x, Pt);
    const xs = x.s ? -xf : xf;
    let h = 0n;
    let pow = onet;
    for (let k = 1n; pow !== 0n; k++) {
      h += (k % 2n === 1n ? pow : -pow) / k;
      pow = mulF(pow, xs, Pt);
    }
    const log2e = divF(onet, ln2F(Pt), Pt);
    return roundToReg(
      f,
      x.s ^ y.s,
      y.m * x.m * h * log2e,
      unbiasedOf(y) + unbiasedOf(x) - 2 * Pt,
      true,
      FMT_EXT,
    );
  }
  const P = precisionFor(leadOf(x));
  const xv = toFixed(x, P);
  const v = x.s ? -xv : xv;
  const one = 1n << BigInt(P);
  if (leadOf(x) >= -2) {
    // |x| >= 1/4: beyond the documented domain (|x| < 1 - sqrt(2)/2 ~ 0.29) for the large ones.
    // log2(1 + x) from the exact sum, so every operand ends in bounded time.
    if (x.s && leadOf(x) >= 0) return invalid(f); // 1 + x <= 0
    const sum = one + v; // exact: x has at most P fraction bits here
    const e = bitLength(sum) - 1 - P;
    const m = e >= 0 ? sum >> BigInt(e) : sum << BigInt(-e); // [1, 2) at P bits
    const l = (BigInt(e) << BigInt(P)) + divF(lnF(m, P), ln2F(P), P);
    return productRound(f, y, l, P);
  }
  const ln1p = 2n * atanhF(divF(v, 2n * one + v, P), P);
  return productRound(f, y, divF(ln1p, ln2F(P), P), P);
}

function unbiasedOf(x: F80): number {
  return (x.e === 0 ? 1 : x.e) - 16383 - 63;
}

/** y * (l / 2^P), rounded once (l is inexact: sticky). */
function productRound(f: Fpu, y: F80, l: bigint, P: number): F80 {
  const s = y.s ^ (l < 0n ? 1 : 0);
  const mag = l < 0n ? -l : l;
  return roundToReg(f, s, y.m * mag, unbiasedOf(y) - P, true, FMT_EXT);
}

/** The FLD constants: FLDL2T, FLDL2E, FLDPI, FLDLG2, FLDLN2 (D9 E9-ED). */
export function loadConstant(which: number, rc: number): F80 {
  const P = 256;
  const ln2 = ln2F(P);
  const one = 1n << BigInt(P);
  const values = [
    divF(ln10F(P), ln2, P), // log2(10)
    divF(one, ln2, P), // log2(e)
    piF(P), // pi
    divF(ln2, ln10F(P), P), // log10(2)
    ln2, // ln(2)
  ];
  // Rounded by RC from the exact value, without a precision exception (as the host processor
  // does; Intel documents a 66-bit internal constant, which gives the same results).
  return packExt(roundValue(0, values[which], -P, true, FMT_EXT, rc));
}
