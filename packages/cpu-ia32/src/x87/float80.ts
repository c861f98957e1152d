// The 80-bit extended-precision number: sign, 15-bit biased exponent and a 64-bit significand
// with an explicit integer bit, kept as a BigInt. Classification and the one rounding routine
// every result goes through (any precision, any exponent range, all four rounding modes).

/** An x87 register value exactly as stored: sign (0/1), biased exponent (0..7FFFh), significand. */
export interface F80 {
  s: number;
  e: number;
  m: bigint;
}

export const BIAS = 16383;
export const EXP_MAX = 0x7fff;
export const INT_BIT = 1n << 63n;
export const SIG_MASK = (1n << 64n) - 1n;
export const QUIET_BIT = 1n << 62n;

/** The x87 "real indefinite": the QNaN every masked invalid operation produces. */
export const INDEFINITE: F80 = { s: 1, e: EXP_MAX, m: 0xc000000000000000n };
export const f80 = (s: number, e: number, m: bigint): F80 => ({ s, e, m });
export const zero = (s: number): F80 => ({ s, e: 0, m: 0n });
export const inf = (s: number): F80 => ({ s, e: EXP_MAX, m: INT_BIT });

// Classes, as FXAM and the operand checks see them.
export const K_ZERO = 0;
export const K_NORMAL = 1;
export const K_DENORMAL = 2; // exponent 0, significand non-zero (integer bit clear or set: pseudo-denormal)
export const K_INF = 3;
export const K_QNAN = 4;
export const K_SNAN = 5;
/** Unnormals, pseudo-NaNs and pseudo-infinities: unsupported formats, invalid as operands. */
export const K_UNSUPPORTED = 6;

export function classify(x: F80): number {
  if (x.e === 0) return x.m === 0n ? K_ZERO : K_DENORMAL;
  // (The integer bit is the significand's top bit: a comparison, no BigInt made.)
  if (x.m < INT_BIT) return K_UNSUPPORTED;
  if (x.e === EXP_MAX) {
    if ((x.m & ~INT_BIT) === 0n) return K_INF;
    return x.m & QUIET_BIT ? K_QNAN : K_SNAN;
  }
  return K_NORMAL;
}

export const isNaNClass = (k: number) => k === K_QNAN || k === K_SNAN;

/** A double's bits, for its exponent (the high word's index depends on the host's byte order). */
const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
/** Two 32-bit words as one 64-bit BigInt through a shared buffer: one BigInt made, no shifts. */
const WORDS = new Uint32Array(2);
const QWORD = new BigUint64Array(WORDS.buffer);
export function sig64(hi: number, lo: number): bigint {
  WORDS[HI] = hi;
  WORDS[1 - HI] = lo;
  return QWORD[0];
}

/** 2^k for the length check below (k < 1024: the doubles' range). */
const POW2: bigint[] = Array.from({ length: 1024 }, (_, k) => 1n << BigInt(k));

/**
 * Bit length of a non-negative BigInt. The value converted to a double carries its length in
 * the exponent, one too many when rounding carried it up to a power of two: one comparison
 * settles that. (The x87's hot path calls this several times per instruction; shifting the
 * BigInt down to a Number, as before, cost a fifth of an FPU loop's time.)
 */
export function bitLength(v: bigint): number {
  const d = Number(v);
  if (d < 4294967296) return 32 - Math.clz32(d);
  if (d === Number.POSITIVE_INFINITY) return 1024 + bitLength(v >> 1024n);
  F64[0] = d;
  const e = (U32[HI] >>> 20) - 1023;
  return v < POW2[e] ? e : e + 1;
}

/**
 * A finite non-zero F80 as an exact value m * 2^E (m the significand as an integer; pseudo-
 * denormals and denormals both have the weight of exponent 1).
 */
export function unbiasedScale(x: F80): number {
  return (x.e === 0 ? 1 : x.e) - BIAS - 63;
}

// Rounding control (control word bits 10-11).
export const RC_NEAREST = 0;
export const RC_DOWN = 1;
export const RC_UP = 2;
export const RC_ZERO = 3;

/** The destination of a rounding: precision in bits and the normal exponent range (unbiased). */
export interface Format {
  p: number;
  emin: number;
  emax: number;
}
export const FMT_EXT: Format = { p: 64, emin: -16382, emax: 16383 };
export const FMT_DOUBLE: Format = { p: 53, emin: -1022, emax: 1023 };
export const FMT_SINGLE: Format = { p: 24, emin: -126, emax: 127 };
/** Extended exponent range with the precision control's 24 or 53 bits. */
export const FMT_EXT53: Format = { p: 53, emin: -16382, emax: 16383 };
export const FMT_EXT24: Format = { p: 24, emin: -16382, emax: 16383 };

/** The result of `roundValue`: a value m * 2^E with flags describing what rounding did. */
export interface Rounded {
  s: number;
  /** Significand, at most p bits (fewer when denormal); 0 for a zero result. */
  m: bigint;
  /** Weight of m's least significant bit. */
  E: number;
  inexact: boolean;
  /** The magnitude was increased by rounding (C1 = 1). */
  up: boolean;
  /** Tiny (below the normal range) before rounding, when the range was bounded. */
  tiny: boolean;
  /** Tiny after rounding (the x87's underflow test). */
  tinyAfter: boolean;
}

/** Shift counts, masks and half-units as BigInts for the common short shifts (no conversions). */
const SHIFTS = 256;
const BIG_SHIFT: bigint[] = Array.from({ length: SHIFTS }, (_, k) => BigInt(k));
const LOW_MASK: bigint[] = Array.from({ length: SHIFTS }, (_, k) => (1n << BigInt(k)) - 1n);
const HALF_UNIT: bigint[] = Array.from({ length: SHIFTS }, (_, k) => (k === 0 ? 0n : 1n << BigInt(k - 1)));

/** m << n for n >= 0, the count from the table when short (no BigInt conversion per shift). */
export function shl(m: bigint, n: number): bigint {
  return m << (n < SHIFTS ? BIG_SHIFT[n] : BigInt(n));
}

/** Round bits below `shift` of mant (plus sticky) per rc; returns the kept part and what happened. */
function roundShift(mant: bigint, shift: number, sticky: boolean, s: number, rc: number) {
  if (shift <= 0) return { q: mant << BigInt(-shift), inexact: sticky, up: false };
  const short = shift < SHIFTS;
  const sh = short ? BIG_SHIFT[shift] : BigInt(shift);
  let q = mant >> sh;
  const rem = short ? mant & LOW_MASK[shift] : mant - (q << sh);
  const half = short ? HALF_UNIT[shift] : 1n << (sh - 1n);
  const inexact = rem !== 0n || sticky;
  let up = false;
  if (inexact) {
    if (rc === RC_NEAREST) up = rem > half || (rem === half && (sticky || (q & 1n) === 1n));
    else if (rc === RC_UP) up = s === 0;
    else if (rc === RC_DOWN) up = s === 1;
  }
  if (up) q += 1n;
  return { q, inexact, up };
}

/**
 * Round the exact value (-1)^s * mant * 2^E (+ a non-zero remainder below mant's last bit when
 * `sticky`) to `fmt`. With `bounded`, results below the normal range are denormalized (fewer
 * bits); without, the exponent is unbounded (the caller scales for unmasked over/underflow).
 */
export function roundValue(
  s: number,
  mant: bigint,
  E: number,
  sticky: boolean,
  fmt: Format,
  rc: number,
  bounded = true,
): Rounded {
  if (mant === 0n) return { s, m: 0n, E: 0, inexact: sticky, up: false, tiny: false, tinyAfter: false };
  const n = bitLength(mant);
  const lead = E + n - 1;
  let lsb = lead - fmt.p + 1;
  const tiny = lead < fmt.emin;
  const minLsb = fmt.emin - fmt.p + 1;
  // Tininess after rounding: would the result, rounded to p bits with unbounded exponent, be below emin?
  let tinyAfter = false;
  if (tiny) {
    const r = roundShift(mant, lsb - E, sticky, s, rc);
    tinyAfter = !(lead + 1 >= fmt.emin && bitLength(r.q) > fmt.p);
  }
  if (bounded && lsb < minLsb) lsb = minLsb;
  const r = roundShift(mant, lsb - E, sticky, s, rc);
  let q = r.q;
  // q kept at most p bits; rounding up can carry it to exactly 2^p (no length needed for that).
  if (q === POW2[fmt.p]) {
    q >>= 1n;
    lsb += 1;
  }
  return { s, m: q, E: lsb, inexact: r.inexact, up: r.up, tiny, tinyAfter };
}

/** The exponent of a rounded value's leading bit (for overflow checks). */
export function leadExponent(r: Rounded): number {
  return r.E + bitLength(r.m) - 1;
}

/** Pack a rounded value (in range for the extended format) into an F80. */
export function packExt(r: Rounded): F80 {
  if (r.m === 0n) return zero(r.s);
  const lead = leadExponent(r);
  if (lead < -16382) {
    // Denormal: exponent field 0, significand weight 2^-16445.
    return { s: r.s, e: 0, m: r.m << BigInt(r.E + 16445) };
  }
  const shift = 63 - (lead - r.E);
  return { s: r.s, e: lead + BIAS, m: r.m << BigInt(shift) };
}

/**
 * Pack a rounded value that keeps exactly p significant bits in the normal range (any rounding
 * result that is not tiny): as `packExt`, without measuring the significand.
 */
export function packNormal(r: Rounded, p: number): F80 {
  return { s: r.s, e: r.E + p - 1 + BIAS, m: r.m << BIG_SHIFT[64 - p] };
}

/** The largest finite magnitude of a format, as a rounded value. */
export function maxFinite(s: number, fmt: Format): Rounded {
  const m = (1n << BigInt(fmt.p)) - 1n;
  return { s, m, E: fmt.emax - fmt.p + 1, inexact: true, up: false, tiny: false, tinyAfter: false };
}

/** Masked overflow: infinity or the largest finite number, by rounding direction and sign. */
export function overflowToInfinity(s: number, rc: number): boolean {
  return rc === RC_NEAREST || (rc === RC_UP && s === 0) || (rc === RC_DOWN && s === 1);
}

/** Raw bits of a register as a 20-digit hex string (sign+exponent, then significand). */
export function toHex(x: F80): string {
  return (
    ((x.s << 15) | x.e).toString(16).padStart(4, '0') + x.m.toString(16).padStart(16, '0')
  ).toUpperCase();
}
export function fromHex(h: string): F80 {
  const se = Number.parseInt(h.slice(0, 4), 16);
  return { s: se >> 15, e: se & 0x7fff, m: BigInt(`0x${h.slice(4)}`) };
}
