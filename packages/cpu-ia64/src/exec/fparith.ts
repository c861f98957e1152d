// Exact floating-point arithmetic on the register format: operands unpack to sign * sig * 2^e with
// BigInt significands, fma is computed exactly and rounded once to the precision and rounding mode
// the instruction and its status field (FPSR sf0..sf3) ask for. Denormal results and the FPSR flags
// are not modelled (see README).
import type { Ia64Cpu } from '../cpu.js';
import { AR } from '../cpu.js';
import { fastStatus, fmaOnDoubles } from './fpfast.js';
import { EXP_BIAS, EXP_INTEGER, EXP_MAX, EXP_NATVAL } from './fpregs.js';

export const ZERO = 0;
export const FINITE = 1;
export const INF = 2;
export const NAN = 3;
export const NATVAL = 4;

export interface Num {
  cls: number;
  sign: number;
  /** Value = sig * 2^e for FINITE. */
  sig: bigint;
  e: number;
}

export function unpack(c: Ia64Cpu, f: number): Num {
  const p = c.fr.map[f];
  const sign = c.fr.sign[p];
  const exp = c.fr.exp[p];
  const sig = c.fr.sig[p];
  if (exp === EXP_NATVAL && sig === 0n && sign === 0) return { cls: NATVAL, sign, sig, e: 0 };
  if (exp === EXP_MAX) return { cls: (sig << 1n) & ((1n << 64n) - 1n) ? NAN : INF, sign, sig, e: 0 };
  if (sig === 0n) return { cls: ZERO, sign, sig, e: 0 };
  return { cls: FINITE, sign, sig, e: (exp === 0 ? 0xc001 : exp) - EXP_BIAS - 63 };
}

/** Precision in bits and exponent range for a result. */
export interface Format {
  bits: number;
  emin: number;
  emax: number;
}
export const SINGLE: Format = { bits: 24, emin: -126, emax: 127 };
export const DOUBLE: Format = { bits: 53, emin: -1022, emax: 1023 };
export const EXTENDED: Format = { bits: 64, emin: -16382, emax: 16383 };
const REGISTER: Format = { bits: 64, emin: -65534, emax: 65535 };

/** The status field's controls: rounding control (0 nearest, 1 down, 2 up, 3 zero) and format. */
export function statusField(c: Ia64Cpu, sf: number): { rc: number; pc: Format } {
  const ctl = Number((c.ar[AR.FPSR] >> BigInt(6 + 13 * sf)) & 0x7fn);
  const wre = (ctl >> 1) & 1;
  const pc = (ctl >> 2) & 3;
  let fmt = pc === 0 ? SINGLE : pc === 2 ? DOUBLE : EXTENDED;
  if (wre) fmt = { ...fmt, emin: REGISTER.emin, emax: REGISTER.emax };
  return { rc: (ctl >> 4) & 3, pc: fmt };
}

const bitLength = (v: bigint): number => v.toString(2).length;

/** FPSR status-field flags (bit offsets inside a field's 6 flag bits). */
export const FLAG = { v: 0, d: 1, z: 2, o: 3, u: 4, i: 5 } as const;

/** Set a flag in status field sf (flags of sf k sit at bits 13 + 13k .. 18 + 13k). */
export function raiseFlag(c: Ia64Cpu, sf: number, flag: number): void {
  c.ar[AR.FPSR] |= 1n << BigInt(13 + 13 * sf + flag);
}

/**
 * Write a value to f1, rounding sig * 2^e to the format (sig may be any size, > 0). Results below
 * the format's normal range keep only the bits a denormal would (and may round to zero); they are
 * stored normalized in the register file. Sets i, o and u in status field `sf`.
 */
export function writeRounded(
  c: Ia64Cpu,
  f1: number,
  sign: number,
  sig: bigint,
  e: number,
  fmt: Format,
  rc: number,
  sf = 0,
): void {
  if (sig === 0n) {
    c.fr.set(f1, sign, 0, 0n);
    return;
  }
  let m = sig;
  let exp = e;
  const len = bitLength(m);
  const minLsb = fmt.emin - fmt.bits + 1; // exponent of a denormal's last bit
  const tiny = exp + len - 1 < fmt.emin;
  const shiftNeeded = Math.max(len - fmt.bits, minLsb - exp);
  if (shiftNeeded > 0) {
    const shift = shiftNeeded;
    const rem = shift > len + 1 ? 1n : m & ((1n << BigInt(shift)) - 1n);
    const half = shift > len + 1 ? 2n : 1n << BigInt(shift - 1);
    m = shift > len + 1 ? 0n : m >> BigInt(shift);
    exp += shift;
    if (rem !== 0n) {
      raiseFlag(c, sf, FLAG.i);
      if (tiny) raiseFlag(c, sf, FLAG.u);
      let up: boolean;
      if (rc === 0) up = rem > half || (rem === half && (m & 1n) === 1n);
      else if (rc === 3) up = false;
      else up = (rc === 2) === (sign === 0);
      if (up) m += 1n;
    }
  }
  if (m === 0n) {
    c.fr.set(f1, sign, 0, 0n);
    return;
  }
  const top = exp + bitLength(m) - 1; // unbiased exponent of the leading bit
  if (top > fmt.emax) {
    raiseFlag(c, sf, FLAG.o);
    raiseFlag(c, sf, FLAG.i);
    // overflow: infinity, or the largest finite value when rounding toward zero / away from the sign
    const toInf = rc === 0 || (rc === 2 && sign === 0) || (rc === 1 && sign === 1);
    if (toInf) c.fr.set(f1, sign, EXP_MAX, 1n << 63n);
    else c.fr.set(f1, sign, fmt.emax + EXP_BIAS, ((1n << BigInt(fmt.bits)) - 1n) << BigInt(64 - fmt.bits));
    return;
  }
  const norm = m << BigInt(64 - bitLength(m));
  c.fr.set(f1, sign, top + EXP_BIAS, norm);
}

const QNAN_INDEFINITE: [number, number, bigint] = [1, EXP_MAX, 0xc000_0000_0000_0000n];

/** The operand registers of an fma: f3, f4 and f2 (an Insn fits). */
export interface FmaRegs {
  r3: number;
  a: number;
  r2: number;
}

/** f1 = ±(f3 * f4) ± f2, one rounding. `negProduct`: fnma; `negAddend`: fms. */
export function fma(
  c: Ia64Cpu,
  f1: number,
  a: Num,
  b: Num,
  addend: Num | undefined,
  negProduct: boolean,
  negAddend: boolean,
  fmt: Format,
  rc: number,
  sf = 0,
  /** The operand registers (f3 = r3, f4 = a, f2 = r2, as an Insn names them): their double shadows
   * feed the fast path. */
  regs?: FmaRegs,
): void {
  if (addend === undefined) {
    multiply(c, f1, a, b, negProduct, fmt, rc, sf);
    return;
  }
  if (a.cls === NATVAL || b.cls === NATVAL || addend.cls === NATVAL) {
    c.fr.setNatVal(f1);
    return;
  }
  if (
    doubleFastPath &&
    regs !== undefined &&
    rc === 0 &&
    fmt.bits >= 53 &&
    fmaDouble(c, f1, regs, a, b, addend, negProduct, negAddend, fmt.bits > 53, sf)
  )
    return;
  for (const n of [b, addend, a]) {
    if (n.cls === NAN) {
      c.fr.set(f1, n.sign, EXP_MAX, n.sig | (1n << 62n)); // quieted
      return;
    }
  }
  const ps = a.sign ^ b.sign ^ (negProduct ? 1 : 0);
  const as = addend.sign ^ (negAddend ? 1 : 0);
  const pInf = a.cls === INF || b.cls === INF;
  const pZero = a.cls === ZERO || b.cls === ZERO;
  if (pInf && pZero) {
    raiseFlag(c, sf, FLAG.v);
    c.fr.set(f1, ...QNAN_INDEFINITE);
    return;
  }
  if (pInf || addend.cls === INF) {
    if (pInf && addend.cls === INF && ps !== as) {
      raiseFlag(c, sf, FLAG.v);
      c.fr.set(f1, ...QNAN_INDEFINITE);
    } else c.fr.set(f1, pInf ? ps : as, EXP_MAX, 1n << 63n);
    return;
  }
  let pm = pZero ? 0n : a.sig * b.sig;
  let pe = pZero ? 0 : a.e + b.e;
  let am = addend.cls === ZERO ? 0n : addend.sig;
  let ae = addend.cls === ZERO ? 0 : addend.e;
  if (pm === 0n && am === 0n) {
    // exact zero: the sign of a sum of zeros, -0 only when both are -0 (or rounding down)
    const sign = ps === as ? ps : rc === 1 ? 1 : 0;
    c.fr.set(f1, sign, 0, 0n);
    return;
  }
  if (pm === 0n) {
    writeRounded(c, f1, as, am, ae, fmt, rc, sf);
    return;
  }
  if (am === 0n) {
    writeRounded(c, f1, ps, pm, pe, fmt, rc, sf);
    return;
  }
  // align exactly; a far smaller operand only matters as a sticky bit below the rounding point
  const LIMIT = 300;
  if (pe - ae > LIMIT + bitLength(am)) {
    am = 1n;
    ae = pe - LIMIT;
  } else if (ae - pe > LIMIT + bitLength(pm)) {
    pm = 1n;
    pe = ae - LIMIT;
  }
  const e = Math.min(pe, ae);
  const x = pm << BigInt(pe - e);
  const y = am << BigInt(ae - e);
  const sum = (ps ? -x : x) + (as ? -y : y);
  if (sum === 0n) {
    c.fr.set(f1, rc === 1 ? 1 : 0, 0, 0n);
    return;
  }
  writeRounded(c, f1, sum < 0n ? 1 : 0, sum < 0n ? -sum : sum, e, fmt, rc, sf);
}

/** fma with f2 = f0: a plain IEEE multiply (so -0 * 1 stays -0). */
function multiply(
  c: Ia64Cpu,
  f1: number,
  a: Num,
  b: Num,
  neg: boolean,
  fmt: Format,
  rc: number,
  sf: number,
): void {
  if (a.cls === NATVAL || b.cls === NATVAL) {
    c.fr.setNatVal(f1);
    return;
  }
  for (const n of [b, a]) {
    if (n.cls === NAN) {
      c.fr.set(f1, n.sign, EXP_MAX, n.sig | (1n << 62n));
      return;
    }
  }
  const sign = a.sign ^ b.sign ^ (neg ? 1 : 0);
  const inf = a.cls === INF || b.cls === INF;
  const zero = a.cls === ZERO || b.cls === ZERO;
  if (inf && zero) {
    raiseFlag(c, sf, FLAG.v);
    c.fr.set(f1, ...QNAN_INDEFINITE);
  } else if (inf) c.fr.set(f1, sign, EXP_MAX, 1n << 63n);
  else if (zero) c.fr.set(f1, sign, 0, 0n);
  else writeRounded(c, f1, sign, a.sig * b.sig, a.e + b.e, fmt, rc, sf);
}

/** Numeric comparison of two finite-or-infinite values (no NaN): -1, 0, 1. */
export function compare(a: Num, b: Num): number {
  const val = (n: Num): [number, bigint, number] => [n.cls === ZERO ? 0 : n.sign ? -1 : 1, n.sig, n.e];
  const [sa] = val(a);
  const [sb] = val(b);
  if (a.cls === INF || b.cls === INF) {
    const ia = a.cls === INF ? (a.sign ? -2 : 2) : 0;
    const ib = b.cls === INF ? (b.sign ? -2 : 2) : 0;
    if (ia !== 0 || ib !== 0) {
      const xa = ia || sa;
      const xb = ib || sb;
      return xa === xb ? 0 : xa < xb ? -1 : 1;
    }
  }
  if (sa !== sb) return sa < sb ? -1 : 1;
  if (sa === 0) return 0;
  const e = Math.min(a.e, b.e);
  const ma = a.sig << BigInt(a.e - e);
  const mb = b.sig << BigInt(b.e - e);
  const mag = ma === mb ? 0 : ma < mb ? -1 : 1;
  return sa > 0 ? mag : -mag;
}

export { EXP_INTEGER };

// ---- double-precision fast path ------------------------------------------------------------

let doubleFastPath = true;
/** Tests compare the fast path with the exact one: false sends every fma through BigInt. */
export function setDoubleFastPath(on: boolean): void {
  doubleFastPath = on;
}

/** A finite register value as a JS double when that is exact (normal or zero), else undefined. */
function asDouble(c: Ia64Cpu, n: Num, f: number): number | undefined {
  if (n.cls !== FINITE && n.cls !== ZERO) return undefined;
  const p = c.fr.map[f];
  const v = c.fr.dok[p] ? c.fr.dv[p] : c.fr.double(p);
  return Number.isNaN(v) ? undefined : v;
}

/**
 * fma rounding to nearest with double precision (or extended when the double result is exact) on
 * JS doubles, through fmaOnDoubles (exec/fpfast.ts): true when it wrote the result and flags.
 */
function fmaDouble(
  c: Ia64Cpu,
  f1: number,
  regs: FmaRegs,
  a: Num,
  b: Num,
  addend: Num,
  negProduct: boolean,
  negAddend: boolean,
  exactOnly: boolean,
  sf: number,
): boolean {
  const x = asDouble(c, a, regs.r3);
  const y = asDouble(c, b, regs.a);
  const z = asDouble(c, addend, regs.r2);
  if (x === undefined || y === undefined || z === undefined) return false;
  const s = fmaOnDoubles(x, y, z, negProduct, negAddend);
  if (Number.isNaN(s) || (exactOnly && fastStatus.inexact)) return false;
  if (fastStatus.inexact) raiseFlag(c, sf, FLAG.i);
  c.fr.setNormal(c.fr.map[f1], s);
  return true;
}
