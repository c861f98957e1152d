// Data movement: MOV forms, XCHG, LEA, far-pointer loads, MOVZX/MOVSX, XLAT, BSWAP,
// LAHF/SAHF and the flag-bit instructions.
import type { Cpu } from '../cpu.js';
import { AF, CF, CS, DF, DS, EAX, EBX, PF, SF, SS, UD, ZF } from '../state.js';

export function movEbGb(c: Cpu): void {
  c.setRm8(c.getReg8(c.reg));
}
export function movEvGv(c: Cpu): void {
  if (c.opsize32) c.setRm32(c.regs[c.reg]);
  else c.setRm16(c.regs[c.reg]);
}
export function movGbEb(c: Cpu): void {
  c.setReg8(c.reg, c.rm8());
}
export function movGvEv(c: Cpu): void {
  if (c.opsize32) c.regs[c.reg] = c.rm32();
  else c.setReg16(c.reg, c.rm16());
}
/** C6 /0, C7 /0: MOV Ev, imm (other reg values are undefined). */
export function movEbIb(c: Cpu): void {
  if (c.reg !== 0) c.fault(UD);
  c.setRm8(c.imm);
}
export function movEvIz(c: Cpu): void {
  if (c.reg !== 0) c.fault(UD);
  c.setRmv(c.imm);
}
/** B0-B7: MOV r8, imm8. */
export function movRbIb(c: Cpu): void {
  c.setReg8(c.opByte & 7, c.imm);
}
/** B8-BF: MOV r, imm. */
export function movRvIz(c: Cpu): void {
  c.setRegV(c.opByte & 7, c.imm);
}
/** A0-A3: MOV AL/eAX <-> moffs. */
export function movMoffs(c: Cpu): void {
  const seg = c.segOvr >= 0 ? c.segOvr : DS;
  const off = c.imm;
  switch (c.opByte) {
    case 0xa0:
      c.setReg8(0, c.readMem8(seg, off));
      break;
    case 0xa1:
      c.setRegV(EAX, c.opsize32 ? c.readMem32(seg, off) : c.readMem16(seg, off));
      break;
    case 0xa2:
      c.writeMem8(seg, off, c.regs[EAX]);
      break;
    default:
      if (c.opsize32) c.writeMem32(seg, off, c.regs[EAX]);
      else c.writeMem16(seg, off, c.regs[EAX]);
      break;
  }
}

/** 8C: MOV Ew, Sreg (a register destination takes the zero-extended selector with 66). */
export function movEwSw(c: Cpu): void {
  if (c.reg > 5) c.fault(UD);
  const v = c.segSel[c.reg];
  if (c.isMem) c.writeMem16(c.eaSeg, c.eaOff, v);
  else c.setRegV(c.rm, v);
}
/** 8E: MOV Sreg, Ew (CS is not a valid destination). */
export function movSwEw(c: Cpu): void {
  if (c.reg > 5 || c.reg === CS) c.fault(UD);
  c.loadSeg(c.reg, c.rm16());
  if (c.reg === SS) c.inhibit = true;
}

/** 8D: LEA (a register operand is #UD). */
export function lea(c: Cpu): void {
  if (!c.isMem) c.fault(UD);
  c.setRegV(c.reg, c.eaOff);
}

/** C4 LES, C5 LDS, 0F B2 LSS, 0F B4 LFS, 0F B5 LGS: load a far pointer. */
export const loadFarPointer = (seg: number) =>
  function loadFarPointer(c: Cpu): void {
    if (!c.isMem) c.fault(UD);
    const off = c.opsize32 ? c.readMem32(c.eaSeg, c.eaOff) : c.readMem16(c.eaSeg, c.eaOff);
    const sel = c.readMem16(c.eaSeg, c.eaPlus(c.opsize32 ? 4 : 2));
    c.loadSeg(seg, sel);
    c.setRegV(c.reg, off);
  };

/** 86/87 and 91-97: XCHG. */
export function xchgEbGb(c: Cpu): void {
  const a = c.rm8();
  const b = c.getReg8(c.reg);
  c.setRm8(b);
  c.setReg8(c.reg, a);
}
export function xchgEvGv(c: Cpu): void {
  const a = c.rmv();
  const b = c.getRegV(c.reg);
  c.setRmv(b);
  c.setRegV(c.reg, a);
}
export function xchgAx(c: Cpu): void {
  const r = c.opByte & 7;
  const a = c.getRegV(EAX);
  c.setRegV(EAX, c.getRegV(r));
  c.setRegV(r, a);
}

/** 0F B6/B7 MOVZX and 0F BE/BF MOVSX. */
export function movx(c: Cpu): void {
  const op = c.opByte;
  let v: number;
  if ((op & 1) === 0) {
    v = c.rm8();
    if (op === 0x1be) v = (v << 24) >> 24;
  } else {
    v = c.rm16();
    if (op === 0x1bf) v = (v << 16) >> 16;
  }
  c.setRegV(c.reg, v);
}

/** D7: XLAT. */
export function xlat(c: Cpu): void {
  const seg = c.segOvr >= 0 ? c.segOvr : DS;
  const base = c.addr32 ? c.regs[EBX] >>> 0 : c.regs[EBX] & 0xffff;
  const off = c.addr32 ? (base + (c.regs[EAX] & 0xff)) >>> 0 : (base + (c.regs[EAX] & 0xff)) & 0xffff;
  c.setReg8(0, c.readMem8(seg, off));
}

/** 0F C8-CF: BSWAP r32. */
export function bswap(c: Cpu): void {
  const r = c.opByte & 7;
  const v = c.regs[r];
  c.regs[r] = ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
}

const LAHF_BITS = SF | ZF | AF | PF | CF;
/** 9F: LAHF. */
export function lahf(c: Cpu): void {
  c.setReg8(4, (c.getFlags() & 0xff) | 2);
}
/** 9E: SAHF. */
export function sahf(c: Cpu): void {
  c.putFlags(LAHF_BITS, (c.regs[EAX] >> 8) & LAHF_BITS);
}

/** F5 CMC, F8 CLC, F9 STC, FC CLD, FD STD. */
export function flagOp(c: Cpu): void {
  switch (c.opByte) {
    case 0xf5:
      c.putFlags(CF, c.cf() ^ 1);
      break;
    case 0xf8:
      c.putFlags(CF, 0);
      break;
    case 0xf9:
      c.putFlags(CF, CF);
      break;
    case 0xfc:
      c.flags &= ~DF;
      break;
    default:
      c.flags |= DF;
      break;
  }
}

/** D6: SALC (undocumented): AL = CF ? FF : 00. */
export function salc(c: Cpu): void {
  c.setReg8(0, c.cf() ? 0xff : 0);
}

export function nop(_c: Cpu): void {}

/** 0F 40-4F: CMOVcc Gv, Ev. The source is read whatever the condition, so it may fault. */
export function cmovcc(c: Cpu): void {
  const v = c.rmv();
  if (c.cond(c.opByte & 15)) c.setRegV(c.reg, v);
}
