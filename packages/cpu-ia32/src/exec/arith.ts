// Integer arithmetic: the eight ALU operations, INC/DEC, NEG, MUL/IMUL/DIV/IDIV,
// sign extensions, CMPXCHG, CMPXCHG8B and XADD.
import { type Cpu, LAZY_ADD, LAZY_LOGIC, LAZY_SUB } from '../cpu.js';
import { ARITH, CF, DE, EAX, EBX, ECX, EDX, OF, UD, ZF } from '../state.js';

export type Handler = (c: Cpu) => void;

const MASK = [0, 0xff, 0xffff, 0, 0xffffffff];
const maskOf = (size: number) => MASK[size >> 3];

/** ADD OR ADC SBB AND SUB XOR CMP (the /r encoding order); returns the result. */
export function alu(c: Cpu, op: number, a: number, b: number, size: number): number {
  const m = maskOf(size);
  let res: number;
  switch (op) {
    case 0:
      res = ((a + b) & m) >>> 0;
      c.setLazy(LAZY_ADD, a, b, res, size, ARITH);
      return res;
    case 1:
      res = ((a | b) & m) >>> 0;
      c.setLazy(LAZY_LOGIC, a, b, res, size, ARITH);
      return res;
    case 2: {
      const cin = c.cf();
      res = ((a + b + cin) & m) >>> 0;
      c.setLazy(LAZY_ADD, a, b, res, size, ARITH);
      return res;
    }
    case 3: {
      const cin = c.cf();
      res = ((a - b - cin) & m) >>> 0;
      c.setLazy(LAZY_SUB, a, b, res, size, ARITH);
      return res;
    }
    case 4:
      res = (a & b & m) >>> 0;
      c.setLazy(LAZY_LOGIC, a, b, res, size, ARITH);
      return res;
    case 6:
      res = ((a ^ b) & m) >>> 0;
      c.setLazy(LAZY_LOGIC, a, b, res, size, ARITH);
      return res;
    default:
      res = ((a - b) & m) >>> 0;
      c.setLazy(LAZY_SUB, a, b, res, size, ARITH);
      return res;
  }
}

// The six encodings of each ALU operation (00-3D): one function per encoding taking the
// operation (0-7), wrapped per operation by the factories below. The run loop calls the
// functions directly for these hot opcodes (a direct call inlines; the table call cannot).
export function aluEbGbOp(c: Cpu, op: number): void {
  const r = alu(c, op, c.rm8(), c.getReg8(c.reg), 8);
  if (op !== 7) c.setRm8(r);
}
export function aluEvGvOp(c: Cpu, op: number): void {
  if (c.opsize32) {
    const r = alu(c, op, c.rm32(), c.regs[c.reg] >>> 0, 32);
    if (op !== 7) c.setRm32(r);
  } else {
    const r = alu(c, op, c.rm16(), c.regs[c.reg] & 0xffff, 16);
    if (op !== 7) c.setRm16(r);
  }
}
export function aluGbEbOp(c: Cpu, op: number): void {
  const r = alu(c, op, c.getReg8(c.reg), c.rm8(), 8);
  if (op !== 7) c.setReg8(c.reg, r);
}
export function aluGvEvOp(c: Cpu, op: number): void {
  if (c.opsize32) {
    const r = alu(c, op, c.regs[c.reg] >>> 0, c.rm32(), 32);
    if (op !== 7) c.regs[c.reg] = r;
  } else {
    const r = alu(c, op, c.regs[c.reg] & 0xffff, c.rm16(), 16);
    if (op !== 7) c.setReg16(c.reg, r);
  }
}
export function aluALIbOp(c: Cpu, op: number): void {
  const r = alu(c, op, c.regs[EAX] & 0xff, c.imm & 0xff, 8);
  if (op !== 7) c.setReg8(0, r);
}
export function aluAXIzOp(c: Cpu, op: number): void {
  if (c.opsize32) {
    const r = alu(c, op, c.regs[EAX] >>> 0, c.imm >>> 0, 32);
    if (op !== 7) c.regs[EAX] = r;
  } else {
    const r = alu(c, op, c.regs[EAX] & 0xffff, c.imm & 0xffff, 16);
    if (op !== 7) c.setReg16(EAX, r);
  }
}
export const aluEbGb =
  (op: number): Handler =>
  (c) =>
    aluEbGbOp(c, op);
export const aluEvGv =
  (op: number): Handler =>
  (c) =>
    aluEvGvOp(c, op);
export const aluGbEb =
  (op: number): Handler =>
  (c) =>
    aluGbEbOp(c, op);
export const aluGvEv =
  (op: number): Handler =>
  (c) =>
    aluGvEvOp(c, op);
export const aluALIb =
  (op: number): Handler =>
  (c) =>
    aluALIbOp(c, op);
export const aluAXIz =
  (op: number): Handler =>
  (c) =>
    aluAXIzOp(c, op);

/** Group 1 (80/82 Eb,Ib; 81 Ev,Iz; 83 Ev,Ib sign-extended): operation from ModRM.reg. */
export function grp1Eb(c: Cpu): void {
  const r = alu(c, c.reg, c.rm8(), c.imm & 0xff, 8);
  if (c.reg !== 7) c.setRm8(r);
}
export function grp1Ev(c: Cpu): void {
  if (c.opsize32) {
    const r = alu(c, c.reg, c.rm32(), c.imm >>> 0, 32);
    if (c.reg !== 7) c.setRm32(r);
  } else {
    const r = alu(c, c.reg, c.rm16(), c.imm & 0xffff, 16);
    if (c.reg !== 7) c.setRm16(r);
  }
}

export function incDec(c: Cpu, v: number, dec: boolean, size: number): number {
  const res = ((dec ? v - 1 : v + 1) & maskOf(size)) >>> 0;
  c.setLazy(dec ? LAZY_SUB : LAZY_ADD, v, 1, res, size, ARITH & ~CF);
  return res;
}
/** 40-4F: INC/DEC r16/r32 (one handler per direction: the hottest opcodes of a loop). */
export const incDecReg = (dec: boolean): Handler => (dec ? decReg : incReg);
const INC_DEC_MASK = ARITH & ~CF;
export function incReg(c: Cpu): void {
  const r = c.opByte & 7;
  const regs = c.regs;
  if (c.opsize32) {
    const v = regs[r] >>> 0;
    const res = (v + 1) >>> 0;
    regs[r] = res;
    c.setLazy(LAZY_ADD, v, 1, res, 32, INC_DEC_MASK);
  } else {
    const v = regs[r] & 0xffff;
    const res = (v + 1) & 0xffff;
    regs[r] = (regs[r] & ~0xffff) | res;
    c.setLazy(LAZY_ADD, v, 1, res, 16, INC_DEC_MASK);
  }
}
export function decReg(c: Cpu): void {
  const r = c.opByte & 7;
  const regs = c.regs;
  if (c.opsize32) {
    const v = regs[r] >>> 0;
    const res = (v - 1) >>> 0;
    regs[r] = res;
    c.setLazy(LAZY_SUB, v, 1, res, 32, INC_DEC_MASK);
  } else {
    const v = regs[r] & 0xffff;
    const res = (v - 1) & 0xffff;
    regs[r] = (regs[r] & ~0xffff) | res;
    c.setLazy(LAZY_SUB, v, 1, res, 16, INC_DEC_MASK);
  }
}

export function neg(c: Cpu, v: number, size: number): number {
  const res = (-v & maskOf(size)) >>> 0;
  c.setLazy(LAZY_SUB, 0, v, res, size, ARITH);
  return res;
}

// --- multiply / divide -------------------------------------------------------------------
const s8 = (x: number) => (x << 24) >> 24;
const s16 = (x: number) => (x << 16) >> 16;

/** Unsigned 32x32 -> 64 multiply; the high half is left in `mulHi`. */
let mulHi = 0;
function mulu32(a: number, b: number): number {
  const al = a & 0xffff;
  const ah = a >>> 16;
  const bl = b & 0xffff;
  const bh = b >>> 16;
  const ll = al * bl;
  const lh = al * bh;
  const hl = ah * bl;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  mulHi = (ah * bh + (lh >>> 16) + (hl >>> 16) + (mid >>> 16)) >>> 0;
  return ((mid << 16) | (ll & 0xffff)) >>> 0;
}

/** CF=OF from `overflow`; SF/ZF/PF from the low result (undefined on hardware, 486-like here). */
function mulFlags(c: Cpu, low: number, size: number, overflow: boolean): void {
  c.setLazy(LAZY_LOGIC, 0, 0, low, size, ARITH);
  c.putFlags(CF | OF, overflow ? CF | OF : 0);
}

export function mul(c: Cpu, v: number, size: number, signed: boolean): void {
  const r = c.regs;
  if (size === 8) {
    const al = r[EAX] & 0xff;
    const p = signed ? s8(al) * s8(v) : al * v;
    c.setReg16(EAX, p);
    mulFlags(c, p & 0xff, 8, signed ? p !== s8(p) : p > 0xff);
  } else if (size === 16) {
    const ax = r[EAX] & 0xffff;
    const p = signed ? s16(ax) * s16(v) : ax * v;
    c.setReg16(EAX, p);
    c.setReg16(EDX, p >> 16);
    mulFlags(c, p & 0xffff, 16, signed ? p !== s16(p) : p > 0xffff);
  } else {
    const a = r[EAX] >>> 0;
    const lo = mulu32(a, v >>> 0);
    let hi = mulHi;
    if (signed) {
      if (a & 0x80000000) hi = (hi - v) >>> 0;
      if (v & 0x80000000) hi = (hi - a) >>> 0;
    }
    r[EAX] = lo;
    r[EDX] = hi;
    const overflow = signed ? hi !== ((lo | 0) < 0 ? 0xffffffff : 0) : hi !== 0;
    mulFlags(c, lo, 32, overflow);
  }
}

/** Two/three-operand IMUL: returns a*b truncated to `size`, with CF=OF on signed overflow. */
export function imulTrunc(c: Cpu, a: number, b: number, size: number): number {
  if (size === 16) {
    const p = s16(a) * s16(b);
    mulFlags(c, p & 0xffff, 16, p !== s16(p));
    return p & 0xffff;
  }
  const lo = mulu32(a >>> 0, b >>> 0);
  let hi = mulHi;
  if (a & 0x80000000) hi = (hi - b) >>> 0;
  if (b & 0x80000000) hi = (hi - a) >>> 0;
  mulFlags(c, lo, 32, hi !== ((lo | 0) < 0 ? 0xffffffff : 0));
  return lo;
}

export function div(c: Cpu, v: number, size: number, signed: boolean): void {
  const r = c.regs;
  if (v === 0) c.fault(DE);
  if (size === 8) {
    const n = r[EAX] & 0xffff;
    if (signed) {
      const d = s8(v);
      const q = Math.trunc(s16(n) / d);
      if (q > 127 || q < -128) c.fault(DE);
      c.setReg16(EAX, (q & 0xff) | (((s16(n) - q * d) & 0xff) << 8));
    } else {
      const q = Math.floor(n / v);
      if (q > 0xff) c.fault(DE);
      c.setReg16(EAX, q | ((n % v) << 8));
    }
  } else if (size === 16) {
    const n = ((r[EDX] & 0xffff) << 16) | (r[EAX] & 0xffff);
    if (signed) {
      const d = s16(v);
      const q = Math.trunc(n / d);
      if (q > 32767 || q < -32768) c.fault(DE);
      c.setReg16(EAX, q);
      c.setReg16(EDX, n - q * d);
    } else {
      const un = n >>> 0;
      const q = Math.floor(un / v);
      if (q > 0xffff) c.fault(DE);
      c.setReg16(EAX, q);
      c.setReg16(EDX, un % v);
    }
  } else {
    const hi = r[EDX] >>> 0;
    const lo = r[EAX] >>> 0;
    if (!signed) {
      if (hi === 0) {
        r[EAX] = Math.floor(lo / v);
        r[EDX] = lo % v;
        return;
      }
      if (hi >= v) c.fault(DE);
      const n = (BigInt(hi) << 32n) | BigInt(lo);
      const d = BigInt(v >>> 0);
      r[EAX] = Number(n / d);
      r[EDX] = Number(n % d);
    } else {
      const n = BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
      const d = BigInt(v | 0);
      const q = n / d;
      if (q > 0x7fffffffn || q < -0x80000000n) c.fault(DE);
      r[EAX] = Number(q);
      r[EDX] = Number(n % d);
    }
  }
}

/** F6/F7 group 3: TEST NOT NEG MUL IMUL DIV IDIV (reg /1 is an alias of TEST). */
export function grp3Eb(c: Cpu): void {
  switch (c.reg) {
    case 0:
    case 1:
      alu(c, 4, c.rm8(), c.imm & 0xff, 8);
      break;
    case 2:
      c.setRm8(~c.rm8());
      break;
    case 3:
      c.setRm8(neg(c, c.rm8(), 8));
      break;
    default:
      (c.reg < 6 ? mul : div)(c, c.rm8(), 8, (c.reg & 1) === 1);
      break;
  }
}
export function grp3Ev(c: Cpu): void {
  const size = c.opsize32 ? 32 : 16;
  switch (c.reg) {
    case 0:
    case 1:
      alu(c, 4, c.rmv(), c.opsize32 ? c.imm >>> 0 : c.imm & 0xffff, size);
      break;
    case 2:
      c.setRmv(~c.rmv());
      break;
    case 3:
      c.setRmv(neg(c, c.rmv(), size));
      break;
    default:
      (c.reg < 6 ? mul : div)(c, c.rmv(), size, (c.reg & 1) === 1);
      break;
  }
}

/** 69 / 6B: IMUL Gv, Ev, imm. */
export function imulGvEvI(c: Cpu): void {
  const size = c.opsize32 ? 32 : 16;
  c.setRegV(c.reg, imulTrunc(c, c.rmv(), c.opsize32 ? c.imm >>> 0 : c.imm & 0xffff, size));
}
/** 0F AF: IMUL Gv, Ev. */
export function imulGvEv(c: Cpu): void {
  const size = c.opsize32 ? 32 : 16;
  c.setRegV(c.reg, imulTrunc(c, c.getRegV(c.reg), c.rmv(), size));
}

/** 98: CBW / CWDE. */
export function cbw(c: Cpu): void {
  if (c.opsize32) c.regs[EAX] = s16(c.regs[EAX]);
  else c.setReg16(EAX, s8(c.regs[EAX]));
}
/** 99: CWD / CDQ. */
export function cwd(c: Cpu): void {
  if (c.opsize32) c.regs[EDX] = c.regs[EAX] >> 31;
  else c.setReg16(EDX, s16(c.regs[EAX]) >> 15);
}

/** 0F B0/B1: CMPXCHG Eb,Gb / Ev,Gv (the destination is written in both cases, as on the 486). */
export function cmpxchg(c: Cpu): void {
  const size = c.opByte === 0x1b0 ? 8 : c.opsize32 ? 32 : 16;
  const m = maskOf(size);
  const acc = (c.regs[EAX] & m) >>> 0;
  const dst = size === 8 ? c.rm8() : c.rmv();
  alu(c, 7, acc, dst, size);
  const src = size === 8 ? c.getReg8(c.reg) : c.getRegV(c.reg);
  if (acc === dst) {
    if (size === 8) c.setRm8(src);
    else c.setRmv(src);
  } else {
    if (size === 8) c.setRm8(dst);
    else c.setRmv(dst);
    if (size === 8) c.setReg8(0, dst);
    else c.setRegV(EAX, dst);
  }
}

/**
 * 0F C7 /1: CMPXCHG8B Mq. EDX:EAX is compared with the quadword; equal: ZF = 1 and ECX:EBX is
 * stored; not equal: ZF = 0, EDX:EAX is loaded and the quadword written back unchanged (the
 * write happens either way, so a read-only destination faults). Only ZF changes. A register
 * operand, and every other /reg of 0F C7, is #UD.
 */
export function cmpxchg8b(c: Cpu): void {
  if (c.reg !== 1 || !c.isMem) c.fault(UD);
  const seg = c.eaSeg;
  const off = c.eaOff;
  const offHi = c.eaPlus(4);
  c.checkWrite(seg, off, 8);
  const lo = c.readMem32(seg, off) | 0;
  const hi = c.readMem32(seg, offHi) | 0;
  if (c.pagingOn) {
    // Both pages of a page-crossing quadword must allow the write before either half is stored.
    const lin = (c.segBase[seg] + off) | 0;
    if ((lin & 0xfff) > 0xff8) {
      c.xlateW(lin);
      c.xlateW((lin + 7) & ~0xfff);
    }
  }
  const r = c.regs;
  if (lo === r[EAX] && hi === r[EDX]) {
    c.writeMem32(seg, off, r[EBX]);
    c.writeMem32(seg, offHi, r[ECX]);
    c.putFlags(ZF, ZF);
  } else {
    c.writeMem32(seg, off, lo);
    c.writeMem32(seg, offHi, hi);
    r[EAX] = lo;
    r[EDX] = hi;
    c.putFlags(ZF, 0);
  }
}

/** 0F C0/C1: XADD Eb,Gb / Ev,Gv. */
export function xadd(c: Cpu): void {
  if (c.opByte === 0x1c0) {
    const d = c.rm8();
    const s = c.getReg8(c.reg);
    const sum = alu(c, 0, d, s, 8);
    // Memory first (it may fault); for a register destination DEST is written last.
    if (c.isMem) {
      c.setRm8(sum);
      c.setReg8(c.reg, d);
    } else {
      c.setReg8(c.reg, d);
      c.setRm8(sum);
    }
  } else {
    const size = c.opsize32 ? 32 : 16;
    const d = c.rmv();
    const s = c.getRegV(c.reg);
    const sum = alu(c, 0, d, s, size);
    if (c.isMem) {
      c.setRmv(sum);
      c.setRegV(c.reg, d);
    } else {
      c.setRegV(c.reg, d);
      c.setRmv(sum);
    }
  }
}
