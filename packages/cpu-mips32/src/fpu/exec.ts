// The COP1/COP1X entry points the decode table calls: CP1 usability (Status.CU1, else Coprocessor
// Unusable with CE = 1; a core without an FPU always gives that), moves between the register files,
// the control registers, BC1 branches, loads and stores, and the fused-looking (but, on a 24Kf and in
// QEMU, unfused: multiply, round, add, round) MADD/MSUB/NMADD/NMSUB.
import { EXC } from '../cp0.js';
import type { MipsCpu } from '../cpu.js';
import { rs, rt, simm } from '../exec/fields.js';
import { envOf, execArith, fdField, fr, fsField, ftField, number, settle } from './arith.js';
import * as X from './fast.js';
import * as F from './softfloat.js';
import { EXC_FPE, type Fpu } from './state.js';

export const ST_CU1 = 1 << 29;

/** The FPU, when this CPU has one and Status.CU1 lets the instruction use it; else CpU (CE = 1). */
function usable(c: MipsCpu): Fpu {
  const f = c.fpu;
  if (f === undefined || (c.status & ST_CU1) === 0) return c.exception(EXC.CpU, 1);
  return f;
}

// ---- COP1 (opcode 0x11), by rs ----

/** Opcode 0x11. */
export function cop1(c: MipsCpu, i: number): void {
  const f = usable(c);
  switch (rs(i)) {
    case 0x00: // MFC1
      c.r[rt(i)] = f.lo[fsField(i)];
      return;
    case 0x02: // CFC1
      c.r[rt(i)] = f.readControl(fsField(i));
      return;
    case 0x03: // MFHC1 (FR = 0: the odd register of the pair, for odd fs too, as QEMU 7.2)
      c.r[rt(i)] = f.highWord(fsField(i), fr(c));
      return;
    case 0x04: // MTC1
      f.lo[fsField(i)] = c.r[rt(i)];
      return;
    case 0x06: // CTC1
      if (f.writeControl(fsField(i), c.r[rt(i)])) c.exception(EXC_FPE);
      return;
    case 0x07: // MTHC1
      if (fr(c)) f.hi[fsField(i)] = c.r[rt(i)];
      else f.lo[fsField(i) | 1] = c.r[rt(i)];
      return;
    case 0x08:
      bc1(c, f, i);
      return;
    case 0x10:
    case 0x11:
    case 0x14:
    case 0x15:
      execArith(c, f, i);
      return;
    default: // BC1ANY2/4 (MIPS-3D), PS (paired single): a 24Kf has neither
      c.exception(EXC.RI);
  }
}

/** With FR = 0, an odd register where a pair is meant is a Reserved Instruction (as QEMU). */
function evenOr64(c: MipsCpu, n: number): number {
  if (!fr(c) && (n & 1) !== 0) c.exception(EXC.RI);
  return n;
}

/** BC1F/BC1T/BC1FL/BC1TL: tf = bit 16, likely = bit 17, cc = bits 20..18. */
function bc1(c: MipsCpu, f: Fpu, i: number): void {
  const want = (i & (1 << 16)) !== 0;
  const likely = (i & (1 << 17)) !== 0;
  if (f.cond((i >>> 18) & 7) === want) {
    c.nextPc = (c.cur + 4 + (simm(i) << 2)) >>> 0;
    c.delayNext = true;
  } else if (likely) {
    c.pc = c.nextPc; // not taken: the slot is nullified
    c.nextPc = (c.nextPc + 4) >>> 0;
  } else {
    c.delayNext = true;
  }
}

// ---- MOVF/MOVT on GPRs (SPECIAL funct 1) ----

export function movci(c: MipsCpu, i: number): void {
  const f = usable(c);
  if (f.cond((i >>> 18) & 7) === ((i & (1 << 16)) !== 0)) c.r[(i >>> 11) & 31] = c.r[rs(i)];
}

// ---- loads and stores ----

const ea = (c: MipsCpu, i: number): number => (c.r[rs(i)] + simm(i)) | 0;

function load64(c: MipsCpu, f: Fpu, n: number, a: number): void {
  if ((a & 7) !== 0) {
    c.tlb.badVAddr = a >>> 0;
    c.exception(EXC.AdEL);
  }
  const first = c.load32(a);
  const second = c.load32((a + 4) | 0);
  if (c.bigEndian) f.setWords(n, second, first, fr(c));
  else f.setWords(n, first, second, fr(c));
}

function store64(c: MipsCpu, f: Fpu, n: number, a: number): void {
  if ((a & 7) !== 0) {
    c.tlb.badVAddr = a >>> 0;
    c.exception(EXC.AdES);
  }
  const low = f.lowWord(n, fr(c));
  const high = f.highWord(n, fr(c));
  c.store32(a, c.bigEndian ? high : low);
  c.store32((a + 4) | 0, c.bigEndian ? low : high);
}

export function lwc1(c: MipsCpu, i: number): void {
  const f = usable(c);
  f.lo[rt(i)] = c.load32(ea(c, i));
}
export function swc1(c: MipsCpu, i: number): void {
  const f = usable(c);
  c.store32(ea(c, i), f.lo[rt(i)]);
}
export function ldc1(c: MipsCpu, i: number): void {
  const f = usable(c);
  load64(c, f, rt(i), ea(c, i));
}
export function sdc1(c: MipsCpu, i: number): void {
  const f = usable(c);
  store64(c, f, rt(i), ea(c, i));
}

// ---- COP1X (opcode 0x13), by funct ----

const indexed = (c: MipsCpu, i: number): number => (c.r[rs(i)] + c.r[rt(i)]) | 0;

const bits = (f: Fpu, n: number, double: boolean, dbl: boolean): bigint =>
  double ? f.getD(n, dbl) : BigInt(f.getS(n));

/** MADD/MSUB/NMADD/NMSUB: fd = ±(fs·ft ± fr), each step rounded (QEMU's pre-R6 helpers). */
function multiplyAdd(c: MipsCpu, f: Fpu, i: number, double: boolean, kind: number): void {
  const dbl = fr(c);
  const env = envOf(f);
  if (env.rm === F.RM_NEAREST) {
    // Both steps on the fast path (fast.ts), or neither.
    const single = !double;
    const p = X.fastMul(number(f, fsField(i), single, dbl), number(f, ftField(i), single, dbl), single, env);
    const a = number(f, rs(i), single, dbl);
    const r =
      p === undefined ? undefined : kind & 1 ? X.fastSub(p, a, single, env) : X.fastAdd(p, a, single, env);
    if (r !== undefined) {
      settle(c, f, env);
      const v = kind & 2 ? -r : r;
      if (single) f.setS(fdField(i), X.singleBits(v));
      else {
        X.splitDouble(v);
        f.setWords(fdField(i), X.lowWord(), X.highWord(), dbl);
      }
      return;
    }
    env.flags = 0;
  }
  const fmt = double ? F.DOUBLE : F.SINGLE;
  const product = F.mul(bits(f, fsField(i), double, dbl), bits(f, ftField(i), double, dbl), fmt, env);
  const addend = bits(f, rs(i), double, dbl);
  let v = kind & 1 ? F.sub(product, addend, fmt, env) : F.add(product, addend, fmt, env);
  if (kind & 2) v ^= double ? 0x8000_0000_0000_0000n : 0x8000_0000n;
  settle(c, f, env);
  if (double) f.setD(fdField(i), v, dbl);
  else f.setS(fdField(i), Number(v));
}

/** Opcode 0x13. */
export function cop1x(c: MipsCpu, i: number): void {
  const f = usable(c);
  const funct = i & 63;
  switch (funct) {
    case 0x00: // LWXC1
      f.lo[fdField(i)] = c.load32(indexed(c, i));
      return;
    case 0x01: // LDXC1
      load64(c, f, evenOr64(c, fdField(i)), indexed(c, i));
      return;
    case 0x05: // LUXC1 (FR = 1 only)
      if (!fr(c)) c.exception(EXC.RI);
      load64(c, f, fdField(i), indexed(c, i) & ~7);
      return;
    case 0x08: // SWXC1
      c.store32(indexed(c, i), f.lo[fsField(i)]);
      return;
    case 0x09: // SDXC1
      store64(c, f, evenOr64(c, fsField(i)), indexed(c, i));
      return;
    case 0x0d: // SUXC1
      if (!fr(c)) c.exception(EXC.RI);
      store64(c, f, fsField(i), indexed(c, i) & ~7);
      return;
    case 0x0f: // PREFX: a hint
      return;
    default: {
      // MADD (0x20), MSUB (0x28), NMADD (0x30), NMSUB (0x38); fmt in bits 2..0: S = 0, D = 1.
      const op = funct >>> 3;
      const fmt = funct & 7;
      if (op < 4 || fmt > 1) c.exception(EXC.RI);
      if (fmt === 1 && !fr(c) && ((fdField(i) | fsField(i) | ftField(i) | rs(i)) & 1) !== 0)
        c.exception(EXC.RI);
      multiplyAdd(c, f, i, fmt === 1, op - 4);
    }
  }
}
