// COP1 computational instructions (fmt = S, D, W, L): one row per (fmt, funct) with the register
// check QEMU's 24Kf applies (RI for a double on an odd register with Status.FR = 0, RI for the
// 64-bit integer forms unless FR = 1), and the operation on raw register bits.
import { EXC } from '../cp0.js';
import type { MipsCpu } from '../cpu.js';
import * as X from './fast.js';
import * as F from './softfloat.js';
import {
  EXC_FPE,
  FCSR_CAUSE_MASK,
  FCSR_CAUSE_SHIFT,
  FCSR_ENABLES_SHIFT,
  FCSR_FLAGS_SHIFT,
  type Fpu,
} from './state.js';

/** C.cond.fmt condition names by the low four bits of the function field (MIPS32 Vol. II, C.cond.fmt). */
export const FP_COMPARE_CONDITIONS = [
  'f',
  'un',
  'eq',
  'ueq',
  'olt',
  'ult',
  'ole',
  'ule',
  'sf',
  'ngle',
  'seq',
  'ngl',
  'lt',
  'nge',
  'le',
  'ngt',
] as const;

export const ST_FR = 1 << 26;
export const fr = (c: MipsCpu): boolean => (c.status & ST_FR) !== 0;

export const fmtField = (i: number): number => (i >>> 21) & 31;
export const ftField = (i: number): number => (i >>> 16) & 31;
export const fsField = (i: number): number => (i >>> 11) & 31;
export const fdField = (i: number): number => (i >>> 6) & 31;

/** A fresh operation context from FCSR (rounding mode, flush-to-zero). */
export function envOf(f: Fpu): F.FpEnv {
  return { rm: f.fcsr & 3, ftz: (f.fcsr & (1 << 24)) !== 0, flags: 0 };
}

/**
 * After an operation (QEMU's update_fcr31): Cause := the flags raised; an enabled one raises the
 * Floating-Point exception (the destination is not written, the Flags field not updated); otherwise
 * the flags accumulate.
 */
export function settle(c: MipsCpu, f: Fpu, env: F.FpEnv): void {
  const raised = env.flags;
  f.fcsr = (f.fcsr & ~FCSR_CAUSE_MASK) | (raised << FCSR_CAUSE_SHIFT);
  if (raised === 0) return;
  if ((raised & (f.fcsr >>> FCSR_ENABLES_SHIFT) & 0x1f) !== 0) c.exception(EXC_FPE);
  f.fcsr |= raised << FCSR_FLAGS_SHIFT;
}

/** Which registers must be even with FR = 0 ('fd', 'fs', 'ft'), or '64' for FR = 1 only. */
type Check = readonly ('fd' | 'fs' | 'ft')[] | '64';

/** Operand kinds: single, double, 32-bit word, 64-bit long. */
type Kind = 'S' | 'D' | 'W' | 'L';

/** What an operation does with its decoded operands. */
type Op = (c: MipsCpu, f: Fpu, i: number) => void;

export interface ArithRow {
  fmt: number;
  funct: number;
  name: string;
  check: Check;
  exec: Op;
}

const FMT_CODE: Record<Kind, number> = { S: 16, D: 17, W: 20, L: 21 };
const FORMAT: Record<'S' | 'D', F.Format> = { S: F.SINGLE, D: F.DOUBLE };

function read(c: MipsCpu, f: Fpu, k: Kind, n: number): bigint {
  return k === 'S' || k === 'W' ? BigInt(f.getS(n)) : f.getD(n, fr(c));
}
function write(c: MipsCpu, f: Fpu, k: Kind, n: number, v: bigint): void {
  if (k === 'S' || k === 'W') f.setS(n, Number(v & 0xffff_ffffn));
  else f.setD(n, v & 0xffff_ffff_ffff_ffffn, fr(c));
}

/** FPR `n` as a JavaScript number (a single widened exactly). */
export function number(f: Fpu, n: number, single: boolean, dbl: boolean): number {
  return single ? X.single(f.lo[n]) : X.double(f.lowWord(n, dbl), f.highWord(n, dbl));
}

/**
 * An operation that rounds and may raise: computes, settles FCSR (maybe trapping), then writes fd.
 * `fast` (round to nearest, ordinary operands and results: fast.ts) is tried before the exact `slow`.
 */
function compute(
  k: 'S' | 'D',
  slow: (a: bigint, b: bigint, fmt: F.Format, env: F.FpEnv) => bigint,
  fast?: X.FastOp,
): Op {
  const fmt = FORMAT[k];
  const single = k === 'S';
  return (c, f, i) => {
    const env = envOf(f);
    if (fast !== undefined && env.rm === F.RM_NEAREST) {
      const dbl = fr(c);
      const r = fast(number(f, fsField(i), single, dbl), number(f, ftField(i), single, dbl), single, env);
      if (r !== undefined) {
        settle(c, f, env);
        if (single) f.setS(fdField(i), X.singleBits(r));
        else {
          X.splitDouble(r);
          f.setWords(fdField(i), X.lowWord(), X.highWord(), dbl);
        }
        return;
      }
      env.flags = 0;
    }
    const v = slow(read(c, f, k, fsField(i)), read(c, f, k, ftField(i)), fmt, env);
    settle(c, f, env);
    write(c, f, k, fdField(i), v);
  };
}

const ONE: Record<'S' | 'D', bigint> = { S: 0x3f80_0000n, D: 0x3ff0_0000_0000_0000n };
const TWO: Record<'S' | 'D', bigint> = { S: 0x4000_0000n, D: 0x4000_0000_0000_0000n };
const SIGN: Record<'S' | 'D', bigint> = { S: 0x8000_0000n, D: 0x8000_0000_0000_0000n };

/** ABS/NEG/MOV: bit operations, no flags (QEMU's float*_abs/chs, pre-ABS2008). */
function bitwise(k: 'S' | 'D', fn: (v: bigint, sign: bigint) => bigint): Op {
  return (c, f, i) => write(c, f, k, fdField(i), fn(read(c, f, k, fsField(i)), SIGN[k]));
}

/** Float → integer with rounding mode `rm` (undefined: FCSR.RM); invalid gives 2^(n−1) − 1. */
function toInt(from: 'S' | 'D', to: 'W' | 'L', rm: number | undefined): Op {
  const bits = to === 'W' ? 32 : 64;
  return (c, f, i) => {
    const env = envOf(f);
    const v = F.toInt(read(c, f, from, fsField(i)), FORMAT[from], rm ?? env.rm, bits, env);
    settle(c, f, env);
    const max = (1n << BigInt(bits - 1)) - 1n;
    write(c, f, to, fdField(i), BigInt.asUintN(bits, v ?? max));
  };
}

function toFloat(from: Kind, to: 'S' | 'D'): Op {
  return (c, f, i) => {
    const env = envOf(f);
    const raw = read(c, f, from, fsField(i));
    let v: bigint;
    if (from === 'W') v = F.fromInt(BigInt.asIntN(32, raw), FORMAT[to], env);
    else if (from === 'L') v = F.fromInt(BigInt.asIntN(64, raw), FORMAT[to], env);
    else v = F.convert(raw, FORMAT[from], FORMAT[to], env);
    settle(c, f, env);
    write(c, f, to, fdField(i), v);
  };
}

/** MOVF/MOVT.fmt (funct 17: cc in bits 20..18, tf in bit 16), MOVZ/MOVN.fmt (on GPR rt). */
function moveIf(k: 'S' | 'D', test: (c: MipsCpu, f: Fpu, i: number) => boolean): Op {
  return (c, f, i) => {
    if (test(c, f, i)) write(c, f, k, fdField(i), read(c, f, k, fsField(i)));
  };
}

/**
 * C.cond.fmt: cond bit 3 = signalling, bits 2..0 = less, equal, unordered; cc in bits 10..8. With
 * bit 6 set it is CABS.cond.fmt (MIPS-3D), which QEMU 7.2's 24Kf executes too: magnitudes compared.
 */
function cmp(k: 'S' | 'D'): Op {
  return (c, f, i) => {
    const cond = i & 15;
    const mask = (i & (1 << 6)) !== 0 ? ~SIGN[k] : -1n;
    const env = envOf(f);
    const a = read(c, f, k, fsField(i)) & mask;
    const b = read(c, f, k, ftField(i)) & mask;
    const rel = F.compare(a, b, FORMAT[k], cond >= 8, env);
    settle(c, f, env);
    f.setCond((i >>> 8) & 7, (rel & cond & 7) !== 0);
  };
}

function rows(): ArithRow[] {
  const out: ArithRow[] = [];
  const add = (k: Kind, funct: number, name: string, check: Check, exec: Op): void => {
    out.push({ fmt: FMT_CODE[k], funct, name: `${name}.${k.toLowerCase()}`, check, exec });
  };
  for (const k of ['S', 'D'] as const) {
    const all3 = k === 'D' ? (['fd', 'fs', 'ft'] as const) : [];
    const two = k === 'D' ? (['fd', 'fs'] as const) : [];
    const src = k === 'D' ? (['fs'] as const) : [];
    add(k, 0x00, 'add', all3, compute(k, F.add, X.fastAdd));
    add(k, 0x01, 'sub', all3, compute(k, F.sub, X.fastSub));
    add(k, 0x02, 'mul', all3, compute(k, F.mul, X.fastMul));
    add(k, 0x03, 'div', all3, compute(k, F.div, X.fastDiv));
    add(
      k,
      0x04,
      'sqrt',
      two,
      compute(k, (a, _b, ff, env) => F.sqrt(a, ff, env), X.fastSqrt),
    );
    add(
      k,
      0x05,
      'abs',
      two,
      bitwise(k, (v, s) => v & ~s),
    );
    add(
      k,
      0x06,
      'mov',
      two,
      bitwise(k, (v) => v),
    );
    add(
      k,
      0x07,
      'neg',
      two,
      bitwise(k, (v, s) => v ^ s),
    );
    const rounding: [string, number | undefined][] = [
      ['round', F.RM_NEAREST],
      ['trunc', F.RM_ZERO],
      ['ceil', F.RM_UP],
      ['floor', F.RM_DOWN],
    ];
    rounding.forEach(([name, rm], n) => {
      add(k, 0x08 + n, `${name}.l`, '64', toInt(k, 'L', rm));
      add(k, 0x0c + n, `${name}.w`, src, toInt(k, 'W', rm));
    });
    add(
      k,
      0x11,
      'movcf',
      [], // no register check in QEMU: FR = 0 uses the pairs of fs & ~1, fd & ~1
      moveIf(k, (_c, f, i) => f.cond((i >>> 18) & 7) === ((i & (1 << 16)) !== 0)),
    );
    add(
      k,
      0x12,
      'movz',
      [], // no register check in QEMU: FR = 0 uses the pairs of fs & ~1, fd & ~1
      moveIf(k, (c, _f, i) => c.r[ftField(i)] === 0),
    );
    add(
      k,
      0x13,
      'movn',
      [], // no register check in QEMU: FR = 0 uses the pairs of fs & ~1, fd & ~1
      moveIf(k, (c, _f, i) => c.r[ftField(i)] !== 0),
    );
    const one = ONE[k];
    // QEMU 7.2 runs RECIP.D/RSQRT.D with FR = 0 too (even registers), though MIPS32r2 wants FR = 1.
    const recipCheck: Check = two;
    add(
      k,
      0x15,
      'recip',
      recipCheck,
      compute(k, (a, _b, ff, env) => F.div(one, a, ff, env)),
    );
    add(
      k,
      0x16,
      'rsqrt',
      recipCheck,
      compute(k, (a, _b, ff, env) => F.div(one, F.sqrt(a, ff, env), ff, env)),
    );
    // MIPS-3D's reciprocal steps: QEMU 7.2's 24Kf runs them (with FR = 1), so they are here too.
    const sign = SIGN[k];
    add(
      k,
      0x1c,
      'recip2',
      '64',
      compute(k, (a, b, ff, env) => F.sub(F.mul(a, b, ff, env), one, ff, env) ^ sign),
    );
    add(
      k,
      0x1d,
      'recip1',
      '64',
      compute(k, (a, _b, ff, env) => F.div(one, a, ff, env)),
    );
    add(
      k,
      0x1e,
      'rsqrt1',
      '64',
      compute(k, (a, _b, ff, env) => F.div(one, F.sqrt(a, ff, env), ff, env)),
    );
    add(
      k,
      0x1f,
      'rsqrt2',
      '64',
      compute(k, (a, b, ff, env) => F.div(F.sub(F.mul(a, b, ff, env), one, ff, env), TWO[k], ff, env) ^ sign),
    );
    if (k === 'D') add(k, 0x20, 'cvt.s', src, toFloat('D', 'S'));
    if (k === 'S') add(k, 0x21, 'cvt.d', ['fd'], toFloat('S', 'D'));
    add(k, 0x24, 'cvt.w', src, toInt(k, 'W', undefined));
    add(k, 0x25, 'cvt.l', '64', toInt(k, 'L', undefined));
    const cmpCheck = k === 'D' ? (['fs', 'ft'] as const) : [];
    FP_COMPARE_CONDITIONS.forEach((name, cond) => {
      add(k, 0x30 + cond, `c.${name}`, cmpCheck, cmp(k));
    });
  }
  add('W', 0x20, 'cvt.s', [], toFloat('W', 'S'));
  add('W', 0x21, 'cvt.d', ['fd'], toFloat('W', 'D'));
  add('L', 0x20, 'cvt.s', '64', toFloat('L', 'S'));
  add('L', 0x21, 'cvt.d', '64', toFloat('L', 'D'));
  return out;
}

/** The computational rows (names as `add.s`, `cvt.d.w`, `c.ult.d`). */
export const ARITH_ROWS: readonly ArithRow[] = rows();

/** A row ready to dispatch: the instruction bits that must be clear with FR = 0 (odd fd/fs/ft). */
interface Entry {
  row: ArithRow;
  needs64: boolean;
  oddMask: number;
}
const FIELD_LOW_BIT = { fd: 1 << 6, fs: 1 << 11, ft: 1 << 16 } as const;

/** Entries by (fmt << 6) | funct; a missing one is a Reserved Instruction. */
const BY_CODE: (Entry | undefined)[] = new Array(32 * 64).fill(undefined);
for (const row of ARITH_ROWS) {
  const needs64 = row.check === '64';
  const oddMask = needs64
    ? 0
    : (row.check as readonly ('fd' | 'fs' | 'ft')[]).reduce((m, w) => m | FIELD_LOW_BIT[w], 0);
  BY_CODE[(row.fmt << 6) | row.funct] = { row, needs64, oddMask };
}

export function arithRow(i: number): ArithRow | undefined {
  return BY_CODE[(fmtField(i) << 6) | (i & 63)]?.row;
}

/** Run a computational instruction (the CP1 usable check has been done). */
export function execArith(c: MipsCpu, f: Fpu, i: number): void {
  const e = BY_CODE[(fmtField(i) << 6) | (i & 63)];
  if (e === undefined || (!fr(c) && (e.needs64 || (i & e.oddMask) !== 0))) c.exception(EXC.RI);
  else e.row.exec(c, f, i);
}
