// Conversions between the 80-bit register format and the memory formats: single and double
// reals, 16/32/64-bit integers, 18-digit packed BCD. Loads are exact (only SNaNs and
// denormal singles/doubles raise anything); stores round by the rounding control.
import { roundResult } from './arith.js';
import {
  BIAS,
  bitLength,
  classify,
  type F80,
  FMT_DOUBLE,
  FMT_SINGLE,
  type Format,
  INT_BIT,
  K_INF,
  K_QNAN,
  K_SNAN,
  K_UNSUPPORTED,
  K_ZERO,
  QUIET_BIT,
  RC_DOWN,
  RC_NEAREST,
  RC_UP,
  sig64,
  unbiasedScale,
  zero,
} from './float80.js';
import { DE, type Fpu, IE, OE, PE, UE } from './fpu.js';

/** A real memory format: significand bits stored (without the hidden bit) and exponent width. */
interface RealFormat {
  frac: number;
  expBits: number;
  fmt: Format;
  /** The same as BigInts for the loads (converted once, not per instruction). */
  big: { frac: bigint; sign: bigint; expMask: bigint; fracMask: bigint; toExt: bigint };
}
function realFormat(frac: number, expBits: number, fmt: Format): RealFormat {
  const f = BigInt(frac);
  const big = {
    frac: f,
    sign: BigInt(frac + expBits),
    expMask: BigInt((1 << expBits) - 1),
    fracMask: (1n << f) - 1n,
    toExt: 63n - f,
  };
  return { frac, expBits, fmt, big };
}
export const SINGLE: RealFormat = realFormat(23, 8, FMT_SINGLE);
export const DOUBLE: RealFormat = realFormat(52, 11, FMT_DOUBLE);

/**
 * Load a single or double from its bits (as a BigInt). Denormal: DE. SNaN: IE and quieted for
 * FLD; an arithmetic operand (`operand`) stays signaling for the NaN rules of the operation.
 */
export function loadReal(f: Fpu, bits: bigint, rf: RealFormat, operand = false): F80 {
  const big = rf.big;
  const s = Number(bits >> big.sign);
  const maxExp = (1 << rf.expBits) - 1;
  const e = Number((bits >> big.frac) & big.expMask);
  const frac = bits & big.fracMask;
  const bias = (maxExp >> 1) | 0;
  if (e === maxExp) {
    if (frac === 0n) return { s, e: 0x7fff, m: INT_BIT };
    let m = INT_BIT | (frac << big.toExt);
    if ((m & QUIET_BIT) === 0n && !operand) {
      f.exc |= IE;
      m |= QUIET_BIT;
    }
    return { s, e: 0x7fff, m };
  }
  if (e === 0) {
    if (frac === 0n) return zero(s);
    f.exc |= DE;
    // Normalize: value = frac * 2^(1 - bias - frac bits).
    const n = bitLength(frac);
    const lead = 1 - bias - rf.frac + n - 1;
    return { s, e: lead + BIAS, m: frac << BigInt(64 - n) };
  }
  return { s, e: e - bias + BIAS, m: INT_BIT | (frac << big.toExt) };
}

/**
 * `loadReal` of a double given as its two 32-bit words: a normal number (FLD/FADD m64's usual
 * operand) without assembling and shifting the whole pattern as a BigInt; the rest through it.
 */
export function loadDouble(f: Fpu, lo: number, hi: number, operand = false): F80 {
  const e = (hi >>> 20) & 0x7ff;
  if (e === 0 || e === 0x7ff) return loadReal(f, sig64(hi, lo), DOUBLE, operand);
  return {
    s: hi >>> 31,
    e: e - 1023 + BIAS,
    m: sig64((0x80000000 | ((hi & 0xfffff) << 11) | (lo >>> 21)) >>> 0, (lo << 11) >>> 0),
  };
}

/** `loadReal` of a single given as a 32-bit word (normal numbers without the generic path). */
export function loadSingle(f: Fpu, bits: number, operand = false): F80 {
  const e = (bits >>> 23) & 0xff;
  if (e === 0 || e === 0xff) return loadReal(f, BigInt(bits >>> 0), SINGLE, operand);
  return { s: bits >>> 31, e: e - 127 + BIAS, m: sig64((0x80000000 | ((bits & 0x7fffff) << 8)) >>> 0, 0) };
}

/**
 * Store to a single or double: the bits, or undefined when an unmasked exception suppresses
 * the store (IE, or OE/UE for a memory destination).
 */
export function storeReal(f: Fpu, x: F80, rf: RealFormat): bigint | undefined {
  const fb = BigInt(rf.frac);
  const maxExp = BigInt((1 << rf.expBits) - 1);
  const sign = BigInt(x.s) << (fb + BigInt(rf.expBits));
  const k = classify(x);
  const infBits = sign | (maxExp << fb);
  if (k === K_UNSUPPORTED) {
    f.exc |= IE;
    return f.masked(IE) ? (1n << (fb + BigInt(rf.expBits))) | infBits | (1n << (fb - 1n)) : undefined;
  }
  if (k === K_QNAN || k === K_SNAN) {
    if (k === K_SNAN) {
      f.exc |= IE;
      if (!f.masked(IE)) return undefined;
    }
    return infBits | (((x.m | QUIET_BIT) >> (63n - fb)) & ((1n << fb) - 1n));
  }
  if (k === K_INF) return infBits;
  if (k === K_ZERO) return sign;
  const r = roundResult(f, x.s, x.m, unbiasedScale(x), false, rf.fmt, 0);
  if (f.exc & (OE | UE) & ~f.cw) return undefined;
  if (r.inf) return infBits;
  if (r.m === 0n) return sign;
  const n = bitLength(r.m);
  const lead = r.E + n - 1;
  if (lead < rf.fmt.emin) return sign | (r.m << BigInt(r.E - (rf.fmt.emin - rf.frac)));
  const e = BigInt(lead + Number(maxExp >> 1n));
  return sign | (e << fb) | ((r.m << BigInt(rf.frac - (n - 1))) & ((1n << fb) - 1n));
}

/** Load a signed integer exactly. */
export function loadInt(v: bigint): F80 {
  if (v === 0n) return zero(0);
  const s = v < 0n ? 1 : 0;
  const m = s ? -v : v;
  const n = bitLength(m);
  return { s, e: n - 1 + BIAS, m: m << BigInt(64 - n) };
}

/** Round m*2^E to an integer magnitude per rc (sign s). */
export function roundToInteger(s: number, m: bigint, E: number, rc: number) {
  if (E >= 0) return { q: m << BigInt(E), inexact: false, up: false };
  if (-E > 200) {
    const up = rc === RC_UP ? s === 0 : rc === RC_DOWN ? s === 1 : false;
    return { q: up ? 1n : 0n, inexact: true, up };
  }
  const sh = BigInt(-E);
  let q = m >> sh;
  const rem = m - (q << sh);
  const half = 1n << (sh - 1n);
  const inexact = rem !== 0n;
  let up = false;
  if (inexact) {
    if (rc === RC_NEAREST) up = rem > half || (rem === half && (q & 1n) === 1n);
    else if (rc === RC_UP) up = s === 0;
    else if (rc === RC_DOWN) up = s === 1;
  }
  if (up) q += 1n;
  return { q, inexact, up };
}

/**
 * Store as a `bits`-wide signed integer: the value, or the integer indefinite (masked IE: out
 * of range, NaN, infinity), or undefined when IE is unmasked.
 */
export function storeInt(f: Fpu, x: F80, bits: number): bigint | undefined {
  const k = classify(x);
  const indefinite = -(1n << BigInt(bits - 1));
  const bad = () => {
    f.exc |= IE;
    return f.masked(IE) ? indefinite : undefined;
  };
  if (k === K_ZERO) return 0n;
  if (k === K_UNSUPPORTED || k === K_QNAN || k === K_SNAN || k === K_INF) return bad();
  const r = roundToInteger(x.s, x.m, unbiasedScale(x), f.rounding);
  const v = x.s ? -r.q : r.q;
  if (v < indefinite || v > -indefinite - 1n) return bad();
  if (r.inexact) f.exc |= PE;
  f.up = r.up;
  return v;
}

/** FBLD: 18 packed BCD digits (bytes 0-8, low digit first) and the sign in byte 9 bit 7. */
export function loadBcd(bytes: Uint8Array): F80 {
  let v = 0n;
  for (let i = 8; i >= 0; i--) v = v * 100n + BigInt((bytes[i] >> 4) * 10 + (bytes[i] & 15));
  const x = loadInt(v);
  x.s = bytes[9] >> 7;
  return x;
}

/** FBSTP: the ten bytes, or undefined when unmasked IE suppresses the store. */
export function storeBcd(f: Fpu, x: F80): Uint8Array | undefined {
  const k = classify(x);
  const out = new Uint8Array(10);
  const bad = () => {
    f.exc |= IE;
    if (!f.masked(IE)) return undefined;
    out.set([0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0xff]);
    return out;
  };
  if (k === K_UNSUPPORTED || k === K_QNAN || k === K_SNAN || k === K_INF) return bad();
  let q = 0n;
  if (k !== K_ZERO) {
    const r = roundToInteger(x.s, x.m, unbiasedScale(x), f.rounding);
    if (r.q >= 10n ** 18n) return bad();
    if (r.inexact) f.exc |= PE;
    f.up = r.up;
    q = r.q;
  }
  for (let i = 0; i < 9; i++) {
    const d = Number(q % 100n);
    q /= 100n;
    out[i] = ((d / 10) << 4) | (d % 10);
  }
  out[9] = x.s << 7;
  return out;
}
