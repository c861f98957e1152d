// The 128 floating-point registers in the 82-bit register format: sign, 17-bit biased exponent
// (bias 0xFFFF) and a 64-bit significand with an explicit integer bit. f0 = +0.0 and f1 = +1.0 are
// read-only; f32..f127 rotate by rrb.fr. NaTVal (the FP "not a thing") is exponent 0x1FFFE, zero
// significand, sign 0. Conversions to and from the memory formats live here too.

export const EXP_BIAS = 0xffff;
export const EXP_MAX = 0x1ffff;
export const EXP_NATVAL = 0x1fffe;
/** Exponent of an integer held in the significand (setf.sig, ldf8, fcvt.fx results). */
export const EXP_INTEGER = 0x1003e;
const TOP = 1n << 63n;
const SCRATCH64 = new Float64Array(1);
const SCRATCH32 = new Int32Array(SCRATCH64.buffer);

export class FpRegisters {
  readonly sign = new Uint8Array(128);
  readonly exp = new Int32Array(128);
  readonly sig = new BigUint64Array(128);
  /** The significands as int32 halves [lo, hi]: compiled code writes them without BigInt. */
  readonly sig32 = new Int32Array(this.sig.buffer);
  /**
   * A double shadow of each physical register, valid where `dok` is 1: the register's exact value
   * when it is a normal double or a zero, NaN when it is anything else (NaTVal, infinities, NaNs,
   * denormals, unnormals, values needing more than 53 bits). The fields above stay the truth; every
   * write through `set` drops the shadow, `double` rebuilds it.
   */
  readonly dv = new Float64Array(128);
  readonly dok = new Uint8Array(128);
  /** Logical → physical FR. */
  readonly map = new Uint8Array(128);

  reset(): void {
    this.sign.fill(0);
    this.exp.fill(0);
    this.sig.fill(0n);
    this.dok.fill(0);
    this.exp[1] = EXP_BIAS;
    this.sig[1] = TOP;
    this.remap(0);
  }

  remap(rrb: number): void {
    for (let i = 0; i < 32; i++) this.map[i] = i;
    for (let i = 0; i < 96; i++) this.map[32 + i] = 32 + ((i + rrb) % 96);
  }

  isNatVal(f: number): boolean {
    const p = this.map[f];
    return this.exp[p] === EXP_NATVAL && this.sig[p] === 0n && this.sign[p] === 0;
  }

  set(f: number, sign: number, exp: number, sig: bigint): void {
    const p = this.map[f];
    this.sign[p] = sign;
    this.exp[p] = exp;
    this.sig[p] = sig;
    this.dok[p] = 0;
  }

  /** The double value of physical register p (see `dv`), computed from the fields and cached. */
  double(p: number): number {
    const lo = this.sig32[2 * p];
    const hi = this.sig32[2 * p + 1];
    const exp = this.exp[p];
    let v = Number.NaN;
    if (exp === 0) {
      if ((lo | hi) === 0) v = this.sign[p] ? -0 : 0;
    } else if (hi < 0 && (lo & 0x7ff) === 0 && exp >= EXP_BIAS - 1022 && exp <= EXP_BIAS + 1023) {
      SCRATCH32[1] = (this.sign[p] << 31) | ((exp - EXP_BIAS + 1023) << 20) | ((hi >>> 11) & 0xfffff) | 0;
      SCRATCH32[0] = (hi << 21) | (lo >>> 11);
      v = SCRATCH64[0];
    }
    this.dv[p] = v;
    this.dok[p] = 1;
    return v;
  }

  /** Physical register p = v, a normal double (the caller checked): fields and shadow. */
  setNormal(p: number, v: number): void {
    SCRATCH64[0] = v;
    const hi = SCRATCH32[1];
    const lo = SCRATCH32[0];
    this.sign[p] = hi >>> 31;
    this.exp[p] = ((hi >>> 20) & 0x7ff) - 1023 + EXP_BIAS;
    this.sig32[2 * p + 1] = 0x8000_0000 | ((hi & 0xfffff) << 11) | (lo >>> 21);
    this.sig32[2 * p] = lo << 11;
    this.dv[p] = v;
    this.dok[p] = 1;
  }

  setNatVal(f: number): void {
    this.set(f, 0, EXP_NATVAL, 0n);
  }
}

/** IEEE single (as 32 bits) → register format. */
export function fromSingle(bits: number): [number, number, bigint] {
  const sign = bits >>> 31;
  const e = (bits >>> 23) & 0xff;
  const m = BigInt(bits & 0x7fffff);
  if (e === 0xff) return [sign, EXP_MAX, TOP | (m << 40n)];
  if (e === 0) {
    if (m === 0n) return [sign, 0, 0n];
    return [sign, EXP_BIAS - 126, m << 40n]; // denormal: unnormalized register value
  }
  return [sign, e - 127 + EXP_BIAS, TOP | (m << 40n)];
}

/** IEEE double (as 64 bits) → register format. */
export function fromDouble(bits: bigint): [number, number, bigint] {
  const sign = Number(bits >> 63n);
  const e = Number((bits >> 52n) & 0x7ffn);
  const m = bits & ((1n << 52n) - 1n);
  if (e === 0x7ff) return [sign, EXP_MAX, TOP | (m << 11n)];
  if (e === 0) {
    if (m === 0n) return [sign, 0, 0n];
    return [sign, EXP_BIAS - 1022, m << 11n];
  }
  return [sign, e - 1023 + EXP_BIAS, TOP | (m << 11n)];
}

/** Double-extended memory format (64-bit significand, 15-bit exponent and sign) → register format. */
export function fromExtended(sig: bigint, se: number): [number, number, bigint] {
  const sign = (se >> 15) & 1;
  const e = se & 0x7fff;
  if (e === 0x7fff) return [sign, EXP_MAX, sig];
  if (e === 0) return [sign, sig === 0n ? 0 : EXP_BIAS - 0x3ffe, sig];
  return [sign, e - 0x3fff + EXP_BIAS, sig];
}
