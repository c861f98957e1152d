// F-unit instructions (fma family, xma, fselect, fcmp, fclass, fmerge, fmin/fmax, fcvt, logical,
// fsetc/fclrf) and the FP side of the M unit (ldf/stf in every format, setf/getf). Fields: d.r1 =
// f1, d.r2 = f2, d.r3 = f3, d.a = f4, d.b = status field (sf), d.c = extra (relation, class mask).
import { u64 } from '../bits.js';
import { AR, type Ia64Cpu } from '../cpu.js';
import type { Exec, Insn } from '../decode/insn.js';
import {
  compare,
  DOUBLE,
  EXTENDED,
  FINITE,
  FLAG,
  type Format,
  fma,
  INF,
  NAN,
  NATVAL,
  type Num,
  raiseFlag,
  SINGLE,
  statusField,
  unpack,
  writeRounded,
  ZERO,
} from './fparith.js';
import { EXP_BIAS, EXP_INTEGER, EXP_MAX, fromDouble, fromExtended, fromSingle } from './fpregs.js';

function target(c: Ia64Cpu, f: number): number {
  if (f < 2) c.raise('illegal-operation', BigInt(f), `f${f} is read-only`);
  return f;
}

/** fma / fms / fnma with the precision of the opcode (.s, .d) or of the status field. */
export const fmaOp =
  (precision: 's' | 'd' | 'sf', negProduct: boolean, negAddend: boolean): Exec =>
  (c, d) => {
    const { rc, pc } = statusField(c, d.b);
    const fmt: Format =
      precision === 's'
        ? {
            ...SINGLE,
            emin: pc.emin === -65534 ? pc.emin : SINGLE.emin,
            emax: pc.emax === 65535 ? pc.emax : SINGLE.emax,
          }
        : precision === 'd'
          ? {
              ...DOUBLE,
              emin: pc.emin === -65534 ? pc.emin : DOUBLE.emin,
              emax: pc.emax === 65535 ? pc.emax : DOUBLE.emax,
            }
          : pc;
    // with f2 = f0 the addition is not performed (an IEEE multiply: -0 * 1 stays -0)
    const addend = d.r2 === 0 ? undefined : unpack(c, d.r2);
    fma(c, target(c, d.r1), unpack(c, d.r3), unpack(c, d.a), addend, negProduct, negAddend, fmt, rc, d.b, d);
  };

const sigOf = (c: Ia64Cpu, f: number): bigint => c.fr.sig[c.fr.map[f]];
const anyNatVal = (c: Ia64Cpu, ...fs: number[]) => fs.some((f) => c.fr.isNatVal(f));

function setInteger(c: Ia64Cpu, f1: number, v: bigint): void {
  c.fr.set(target(c, f1), 0, EXP_INTEGER, u64(v));
}

/** xma.l / .h / .hu: 64x64 integer multiply-add on significands. */
export const xma =
  (part: 'l' | 'h' | 'hu'): Exec =>
  (c, d) => {
    if (anyNatVal(c, d.r2, d.r3, d.a)) return c.fr.setNatVal(target(c, d.r1));
    const s = (v: bigint) => (part === 'h' ? BigInt.asIntN(64, v) : v);
    const full = s(sigOf(c, d.r3)) * s(sigOf(c, d.a)) + sigOf(c, d.r2); // the addend is unsigned
    setInteger(c, d.r1, part === 'l' ? full : full >> 64n);
  };

export const fselect: Exec = (c, d) => {
  if (anyNatVal(c, d.r2, d.r3, d.a)) return c.fr.setNatVal(target(c, d.r1));
  const m = sigOf(c, d.r2);
  setInteger(c, d.r1, (sigOf(c, d.r3) & m) | (sigOf(c, d.a) & ~m));
};

/** fand, for, fxor, fandcm on significands. */
export const flogic =
  (op: (a: bigint, b: bigint) => bigint): Exec =>
  (c, d) => {
    if (anyNatVal(c, d.r2, d.r3)) return c.fr.setNatVal(target(c, d.r1));
    setInteger(c, d.r1, op(sigOf(c, d.r2), sigOf(c, d.r3)));
  };

/** fcmp.{eq,lt,le,unord}[.unc]: d.c = relation 0..3, `always` rows read qp themselves. */
export const fcmp =
  (unc: boolean): Exec =>
  (c, d) => {
    if (unc && !c.pr(d.qp)) {
      c.setPr(d.p1, 0);
      c.setPr(d.p2, 0);
      return;
    }
    const a = unpack(c, d.r2);
    const b = unpack(c, d.r3);
    if (a.cls === NATVAL || b.cls === NATVAL) {
      c.setPr(d.p1, 0);
      c.setPr(d.p2, 0);
      return;
    }
    const unordered = a.cls === NAN || b.cls === NAN;
    const k = unordered ? 2 : compare(a, b);
    const rel = [k === 0, k === -1, k === 0 || k === -1, unordered][d.c];
    c.setPr(d.p1, rel);
    c.setPr(d.p2, !rel);
  };

function classBits(n: Num, c: Ia64Cpu, f: number): boolean[] {
  const p = c.fr.map[f];
  const normalized = c.fr.sig[p] >> 63n === 1n;
  const snan = n.cls === NAN && ((c.fr.sig[p] >> 62n) & 1n) === 0n;
  return [
    n.sign === 0,
    n.sign === 1,
    n.cls === ZERO,
    n.cls === FINITE && !normalized,
    n.cls === FINITE && normalized,
    n.cls === INF,
    snan,
    n.cls === NAN && !snan,
    n.cls === NATVAL,
  ];
}

/** fclass.m[.unc] p1, p2 = f2, fclass9 (d.c). */
export const fclass =
  (unc: boolean): Exec =>
  (c, d) => {
    if (unc && !c.pr(d.qp)) {
      c.setPr(d.p1, 0);
      c.setPr(d.p2, 0);
      return;
    }
    const n = unpack(c, d.r2);
    const b = classBits(n, c, d.r2);
    const m = (k: number) => ((d.c >> k) & 1) === 1;
    const signOk = (m(0) && b[0]) || (m(1) && b[1]);
    const classOk = (m(2) && b[2]) || (m(3) && b[3]) || (m(4) && b[4]) || (m(5) && b[5]);
    const special = (m(6) && b[6]) || (m(7) && b[7]) || (m(8) && b[8]);
    const hit = n.cls === NATVAL || n.cls === NAN ? special : signOk && classOk;
    c.setPr(d.p1, hit);
    c.setPr(d.p2, !hit);
  };

/** fmerge.s / .ns / .se: sign (and exponent) from f2, the rest from f3. */
export const fmerge =
  (kind: 's' | 'ns' | 'se'): Exec =>
  (c, d) => {
    if (anyNatVal(c, d.r2, d.r3)) return c.fr.setNatVal(target(c, d.r1));
    const p2 = c.fr.map[d.r2];
    const p3 = c.fr.map[d.r3];
    const sign = kind === 'ns' ? c.fr.sign[p2] ^ 1 : c.fr.sign[p2];
    const exp = kind === 'se' ? c.fr.exp[p2] : c.fr.exp[p3];
    c.fr.set(target(c, d.r1), sign, exp, c.fr.sig[p3]);
  };

/** fmin / fmax / famin / famax: f3 when unordered or equal. */
export const fminmax =
  (max: boolean, magnitude: boolean): Exec =>
  (c, d) => {
    if (anyNatVal(c, d.r2, d.r3)) return c.fr.setNatVal(target(c, d.r1));
    let a = unpack(c, d.r2);
    let b = unpack(c, d.r3);
    let pick = d.r3;
    if (a.cls !== NAN && b.cls !== NAN) {
      if (magnitude) {
        a = { ...a, sign: 0 };
        b = { ...b, sign: 0 };
      }
      const k = compare(a, b);
      if (max ? k === 1 : k === -1) pick = d.r2;
    }
    const p = c.fr.map[pick];
    c.fr.set(target(c, d.r1), c.fr.sign[p], c.fr.exp[p], c.fr.sig[p]);
  };

/** fcvt.fx / .fxu [.trunc]: to a 64-bit integer in the significand (indefinite on overflow). */
export const fcvtToInt =
  (unsigned: boolean, trunc: boolean): Exec =>
  (c, d) => {
    const n = unpack(c, d.r2);
    if (n.cls === NATVAL) return c.fr.setNatVal(target(c, d.r1));
    const INDEFINITE = 1n << 63n;
    if (n.cls === NAN || n.cls === INF) return setInteger(c, d.r1, INDEFINITE);
    if (n.cls === ZERO) return setInteger(c, d.r1, 0n);
    const rc = trunc ? 3 : statusField(c, d.b).rc;
    let v: bigint;
    if (n.e >= 0) v = n.sig << BigInt(n.e);
    else {
      const sh = BigInt(-n.e);
      v = n.sig >> sh;
      const rem = n.sig & ((1n << sh) - 1n);
      if (rem !== 0n) {
        const half = 1n << (sh - 1n);
        const up =
          rc === 0
            ? rem > half || (rem === half && (v & 1n) === 1n)
            : rc === 3
              ? false
              : (rc === 2) === (n.sign === 0);
        if (up) v += 1n;
      }
    }
    const value = n.sign ? -v : v;
    const ok = unsigned ? value >= 0n && value < 1n << 64n : value >= -(1n << 63n) && value < 1n << 63n;
    setInteger(c, d.r1, ok ? value : INDEFINITE);
  };

/** fcvt.xf: the signed integer in f2's significand as a floating-point value. */
export const fcvtXf: Exec = (c, d) => {
  if (anyNatVal(c, d.r2)) return c.fr.setNatVal(target(c, d.r1));
  const v = BigInt.asIntN(64, sigOf(c, d.r2));
  writeRounded(c, target(c, d.r1), v < 0n ? 1 : 0, v < 0n ? -v : v, 0, EXTENDED, 0);
};

/** fsetc sf, amask7, omask7: sf.controls = (controls & amask) | omask. d.a = amask, d.c = omask. */
export const fsetc: Exec = (c, d) => {
  const shift = BigInt(6 + 13 * d.b);
  const ctl = (c.ar[AR.FPSR] >> shift) & 0x7fn;
  const next = (ctl & BigInt(d.a)) | BigInt(d.c);
  c.ar[AR.FPSR] = (c.ar[AR.FPSR] & ~(0x7fn << shift)) | (next << shift);
};

/** fclrf: clear the flags of status field sf. */
export const fclrf: Exec = (c, d) => {
  c.ar[AR.FPSR] &= ~(0x3fn << BigInt(13 + 13 * d.b));
};

// ---- FP memory (M unit) ------------------------------------------------------------------------

export type FpFormat = 'e' | '8' | 's' | 'd' | 'fill';
export const FP_SIZE: Record<FpFormat, number> = { e: 10, '8': 8, s: 4, d: 8, fill: 16 };

function loadFp(c: Ia64Cpu, f1: number, addr: bigint, fmt: FpFormat): boolean {
  const m = c.memory;
  if (fmt === 'e' || fmt === 'fill') {
    const lo = m.read(addr, 8);
    const hi = m.read(addr + 8n, fmt === 'e' ? 2 : 4);
    if (lo === undefined || hi === undefined) return false;
    if (fmt === 'e') c.fr.set(f1, ...fromExtended(lo, Number(hi)));
    else c.fr.set(f1, Number((hi >> 17n) & 1n), Number(hi & 0x1ffffn), lo);
    return true;
  }
  const v = m.read(addr, FP_SIZE[fmt]);
  if (v === undefined) return false;
  if (fmt === '8') c.fr.set(f1, 0, EXP_INTEGER, v);
  else if (fmt === 's') c.fr.set(f1, ...fromSingle(Number(v)));
  else c.fr.set(f1, ...fromDouble(v));
  return true;
}

/** ldf{e,8,s,d,.fill} [.s/.a/.c] with optional post-increment (d.c as for integer loads). */
export function ldf(fmt: FpFormat, kind: 'plain' | 's' | 'a' | 'c.clr' | 'c.nc'): Exec {
  return (c, d) => {
    const f1 = target(c, d.r1);
    if (c.nat(d.r3) && kind !== 's')
      c.raise('register-nat-consumption', BigInt(d.r3), `address register r${d.r3} is NaT`);
    const base = c.gr(d.r3);
    const size = FP_SIZE[fmt];
    const key = 1000 + c.fr.map[f1];
    const skip = (kind === 'c.clr' || kind === 'c.nc') && c.alat.has(key, base, size);
    if (skip) {
      if (kind === 'c.clr') c.alat.remove(key);
    } else {
      const aligned = (base & BigInt(Math.min(size, 16) === 10 ? 15 : size - 1)) === 0n;
      const ok = !c.nat(d.r3) && aligned && loadFp(c, f1, base, fmt);
      if (!ok) {
        if (kind !== 's')
          c.raise(
            aligned ? 'data-access' : 'unaligned-reference',
            base,
            `FP load from 0x${base.toString(16)}`,
          );
        c.fr.setNatVal(f1);
      } else if (kind === 'a' || kind === 'c.nc') c.alat.insert(key, base, size);
    }
    postIncrement(c, d, base);
  };
}

function postIncrement(c: Ia64Cpu, d: Insn, base: bigint): void {
  if (d.c === 1) c.setGr(d.r3, u64(base + c.gr(d.r2)), c.nat(d.r2));
  else if (d.c === 2) c.setGr(d.r3, u64(base + d.imm));
}

/** ldfp{8,s,d} f1, f2 = [r3]: a pair; the post-increment form adds the pair's size. */
export function ldfp(fmt: '8' | 's' | 'd'): Exec {
  return (c, d) => {
    const base = c.gr(d.r3);
    if (c.nat(d.r3)) c.raise('register-nat-consumption', BigInt(d.r3), `address register r${d.r3} is NaT`);
    const size = FP_SIZE[fmt];
    if (!loadFp(c, target(c, d.r1), base, fmt) || !loadFp(c, target(c, d.r2), base + BigInt(size), fmt)) {
      c.raise('data-access', base, `FP pair load from 0x${base.toString(16)}`);
    }
    if (d.c === 2) c.setGr(d.r3, u64(base + BigInt(2 * size)));
  };
}

/** The memory image of f2 in a format (rounding to single/double as a store does). */
function encodeFp(c: Ia64Cpu, f: number, fmt: FpFormat): [bigint, bigint] {
  const p = c.fr.map[f];
  const sign = BigInt(c.fr.sign[p]);
  const exp = c.fr.exp[p];
  const sig = c.fr.sig[p];
  if (fmt === 'fill') return [sig, (sign << 17n) | BigInt(exp)];
  if (fmt === '8') return [sig, 0n];
  if (fmt === 'e') {
    const e15 =
      exp === EXP_MAX ? 0x7fff : exp === 0 ? 0 : Math.max(0, Math.min(0x7ffe, exp - EXP_BIAS + 0x3fff));
    return [sig, (sign << 15n) | BigInt(e15)];
  }
  // single/double: the fields are taken, not rounded (the compiler rounds first with fma.s/.d)
  const double = fmt === 'd';
  const [ebits, mbits] = double ? [11, 52] : [8, 23];
  let field: number;
  if (exp === EXP_MAX) field = (1 << ebits) - 1;
  else if (exp === 0 || sig >> 63n === 0n) field = 0;
  else field = (((exp >> 16) & 1) << (ebits - 1)) | (exp & ((1 << (ebits - 1)) - 1));
  const mant = (sig >> BigInt(63 - mbits)) & ((1n << BigInt(mbits)) - 1n);
  return [(sign << BigInt(ebits + mbits)) | (BigInt(field) << BigInt(mbits)) | mant, 0n];
}

/** stf{e,8,s,d,.spill} [r3] = f2 with optional immediate post-increment. */
export function stf(fmt: FpFormat): Exec {
  return (c, d) => {
    if (c.nat(d.r3)) c.raise('register-nat-consumption', BigInt(d.r3), `address register r${d.r3} is NaT`);
    const base = c.gr(d.r3);
    if (c.fr.isNatVal(d.r2) && fmt !== 'fill')
      c.raise('register-nat-consumption', BigInt(d.r2), `store of NaTVal f${d.r2}`);
    const [lo, hi] = encodeFp(c, d.r2, fmt);
    const size = FP_SIZE[fmt];
    if (fmt === 'e' || fmt === 'fill') {
      c.store(base, 8, lo);
      c.store(base + 8n, fmt === 'e' ? 2 : 8, hi);
    } else c.store(base, size, lo);
    if (d.c === 2) c.setGr(d.r3, u64(base + d.imm));
  };
}

/** setf.{sig,exp,s,d} f1 = r2. */
export const setf =
  (kind: 'sig' | 'exp' | 's' | 'd'): Exec =>
  (c, d) => {
    const f1 = target(c, d.r1);
    if (c.nat(d.r2)) return c.fr.setNatVal(f1);
    const v = c.gr(d.r2);
    if (kind === 'sig') c.fr.set(f1, 0, EXP_INTEGER, v);
    else if (kind === 'exp') c.fr.set(f1, Number((v >> 17n) & 1n), Number(v & 0x1ffffn), 1n << 63n);
    else if (kind === 's') c.fr.set(f1, ...fromSingle(Number(v & 0xffffffffn)));
    else c.fr.set(f1, ...fromDouble(v));
  };

/** getf.{sig,exp,s,d} r1 = f2 (NaTVal gives a NaT). */
export const getf =
  (kind: 'sig' | 'exp' | 's' | 'd'): Exec =>
  (c, d) => {
    if (c.fr.isNatVal(d.r2)) return c.setGr(d.r1, 0n, 1);
    const p = c.fr.map[d.r2];
    if (kind === 'sig') c.setGr(d.r1, c.fr.sig[p]);
    else if (kind === 'exp') c.setGr(d.r1, (BigInt(c.fr.sign[p]) << 17n) | BigInt(c.fr.exp[p]));
    else c.setGr(d.r1, encodeFp(c, d.r2, kind)[0]);
  };

// ---- reciprocal approximations ------------------------------------------------------------------
// The architecture guarantees 8.886 correct bits; real processors (and Ski) use a 256-entry table.
// We return the value rounded to 11 significant bits, so division and square-root sequences built
// on them converge to the same correctly rounded results; the raw approximations themselves differ.
const APPROX: Format = { bits: 11, emin: -65534, emax: 65535 };

/** frcpa f1, p2 = f2, f3: p2 = 1 and f1 ≈ 1/f3, or p2 = 0 and f1 = the IEEE quotient (special cases). */
export const frcpa: Exec = (c, d) => {
  const f1 = target(c, d.r1);
  const a = unpack(c, d.r2);
  const b = unpack(c, d.r3);
  c.setPr(d.p2, 0);
  if (a.cls === NATVAL || b.cls === NATVAL) return c.fr.setNatVal(f1);
  const sign = a.sign ^ b.sign;
  if (a.cls === NAN || b.cls === NAN) {
    const n = a.cls === NAN ? a : b;
    return c.fr.set(f1, n.sign, EXP_MAX, n.sig | (1n << 62n));
  }
  if ((a.cls === ZERO && b.cls === ZERO) || (a.cls === INF && b.cls === INF)) {
    raiseFlag(c, d.b, FLAG.v);
    return c.fr.set(f1, 1, EXP_MAX, 0xc000_0000_0000_0000n);
  }
  if (b.cls === ZERO) {
    raiseFlag(c, d.b, FLAG.z);
    return c.fr.set(f1, sign, EXP_MAX, 1n << 63n);
  }
  if (a.cls === INF) return c.fr.set(f1, sign, EXP_MAX, 1n << 63n);
  if (a.cls === ZERO || b.cls === INF) return c.fr.set(f1, sign, 0, 0n);
  writeRounded(c, f1, b.sign, (1n << 128n) / b.sig, -128 - b.e, APPROX, 0, d.b);
  c.setPr(d.p2, 1);
};

/** frsqrta f1, p2 = f3: p2 = 1 and f1 ≈ 1/sqrt(f3), or p2 = 0 and f1 = the IEEE square root. */
export const frsqrta: Exec = (c, d) => {
  const f1 = target(c, d.r1);
  const b = unpack(c, d.r3);
  c.setPr(d.p2, 0);
  if (b.cls === NATVAL) return c.fr.setNatVal(f1);
  if (b.cls === NAN) return c.fr.set(f1, b.sign, EXP_MAX, b.sig | (1n << 62n));
  if (b.cls === ZERO) return c.fr.set(f1, b.sign, 0, 0n);
  if (b.sign === 1) {
    raiseFlag(c, d.b, FLAG.v);
    return c.fr.set(f1, 1, EXP_MAX, 0xc000_0000_0000_0000n);
  }
  if (b.cls === INF) return c.fr.set(f1, 0, EXP_MAX, 1n << 63n);
  // 1/sqrt(sig * 2^e) with an even exponent: scale the significand into [1, 4) as a double
  const len = b.sig.toString(2).length;
  let exp = b.e + len - 1; // value = (sig / 2^(len-1)) * 2^exp
  let mant = Number(b.sig >> BigInt(Math.max(0, len - 53))) / 2 ** (Math.min(len, 53) - 1);
  if (exp & 1) {
    mant *= 2;
    exp -= 1;
  }
  const r = 1 / Math.sqrt(mant); // in (0.5, 1]
  const scaled = BigInt(Math.round(r * 2 ** 52));
  writeRounded(c, f1, 0, scaled, -52 - exp / 2, APPROX, 0, d.b);
  c.setPr(d.p2, 1);
};
