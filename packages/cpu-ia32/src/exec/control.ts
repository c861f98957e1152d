// Control transfer: jumps, calls, returns, loops, INT/INTO/INT3/IRET, SYSENTER/SYSEXIT, BOUND
// and the FE/FF groups. Far transfers in protected mode are delegated to modes/protected.ts.
import type { Cpu } from '../cpu.js';
import { farCallProtected, farJumpProtected, farReturnProtected, iretProtected } from '../modes/protected.js';
import {
  BP,
  BR,
  CR0_PE,
  CR4_VME,
  CS,
  DS,
  ECX,
  EDX,
  ES,
  ESP,
  FS,
  GP,
  GS,
  IF,
  IOPL,
  OFV,
  RF,
  SS,
  UD,
  VM,
} from '../state.js';
import { incDec } from './arith.js';
import { poppableFlags } from './stack.js';
import { loadVirtualFlags, redirectV86Interrupt, v86Virtual } from './virtual-if.js';

const inProtected = (c: Cpu) => (c.cr0 & CR0_PE) !== 0 && (c.flags & VM) === 0;

/** Jump within CS to `target` (truncated to 16 bits for a 16-bit operand size). */
export function nearJump(c: Cpu, target: number): void {
  const t = c.opsize32 ? target >>> 0 : target & 0xffff;
  if (t > c.csLimitSmall && t > c.csLimit) c.fault(GP, 0);
  c.eip = t;
}

/** 70-7F (rel8) and 0F 80-8F (rel16/32): Jcc. */
export function jcc(c: Cpu): void {
  if (c.cond(c.opByte & 15)) nearJump(c, c.eip + c.imm);
}
/** EB, E9: JMP rel. */
export function jmpRel(c: Cpu): void {
  nearJump(c, c.eip + c.imm);
}
/** E8: CALL rel. */
export function callRel(c: Cpu): void {
  const ret = c.eip;
  const t = c.opsize32 ? (ret + c.imm) >>> 0 : (ret + c.imm) & 0xffff;
  if (t > c.csLimit) c.fault(GP, 0);
  c.pushV(ret);
  c.eip = t;
}
/** C3 / C2 imm16: RET near. */
export function retNear(c: Cpu): void {
  const t = c.popV();
  if (t > c.csLimit) c.fault(GP, 0);
  c.eip = t;
  if (c.opByte === 0xc2) c.adjustSp(c.imm);
}

/** E0 LOOPNE, E1 LOOPE, E2 LOOP, E3 JCXZ/JECXZ. */
export function loop(c: Cpu): void {
  const op = c.opByte;
  let count: number;
  if (op === 0xe3) count = c.addr32 ? c.regs[ECX] : c.regs[ECX] & 0xffff;
  else if (c.addr32) count = c.regs[ECX] = c.regs[ECX] - 1;
  else {
    count = (c.regs[ECX] - 1) & 0xffff;
    c.setReg16(ECX, count);
  }
  let take: boolean;
  if (op === 0xe3) take = count === 0;
  else if (op === 0xe2) take = count !== 0;
  else take = count !== 0 && c.zf() === (op === 0xe1);
  if (take) nearJump(c, c.eip + c.imm);
}

// --- far transfers -------------------------------------------------------------------------
export function farJump(c: Cpu, sel: number, off: number): void {
  if (inProtected(c)) {
    farJumpProtected(c, sel, off);
    return;
  }
  c.loadSeg(CS, sel);
  c.eip = c.opsize32 ? off >>> 0 : off & 0xffff;
}
export function farCall(c: Cpu, sel: number, off: number): void {
  if (inProtected(c)) {
    farCallProtected(c, sel, off);
    return;
  }
  c.pushV(c.segSel[CS]);
  c.pushV(c.eip);
  c.loadSeg(CS, sel);
  c.eip = c.opsize32 ? off >>> 0 : off & 0xffff;
}

/** EA: JMP ptr16:16/32. 9A: CALL ptr. */
export function jmpFarImm(c: Cpu): void {
  farJump(c, c.imm2, c.imm);
}
export function callFarImm(c: Cpu): void {
  farCall(c, c.imm2, c.imm);
}

/** CB / CA imm16: RETF. */
export function retFar(c: Cpu): void {
  const extra = c.opByte === 0xca ? c.imm : 0;
  if (inProtected(c)) {
    farReturnProtected(c, extra);
    return;
  }
  const ip = c.popV();
  const cs = c.popV() & 0xffff;
  c.loadSeg(CS, cs);
  c.eip = ip;
  c.adjustSp(extra);
}

/** CF: IRET / IRETD. */
export function iret(c: Cpu): void {
  const virtual = (c.flags & VM) !== 0 && (c.flags & IOPL) !== IOPL;
  if (virtual && (!v86Virtual(c) || c.opsize32)) c.fault(GP, 0);
  // IRET ends NMI blocking even when it then faults (the SDM's "NMI unblocking due to IRET",
  // Vol. 3C §27.2.3) and whichever way it returns (nested task, v86, real mode).
  c.nmiBlocked = false;
  if (inProtected(c)) {
    iretProtected(c);
    return;
  }
  if (virtual) {
    // VME below IOPL 3: the image's IF becomes VIF (#GP(0) for TF, or IF with VIP set)
    const ip = c.pop16();
    const cs = c.pop16();
    loadVirtualFlags(c, c.pop16());
    c.loadSeg(CS, cs);
    c.eip = ip;
    return;
  }
  const ip = c.popV();
  const cs = c.popV() & 0xffff;
  const f = c.popV();
  const mask = poppableFlags(c, c.opsize32);
  c.loadSeg(CS, cs);
  c.eip = ip;
  c.setFlags((c.getFlags() & ~mask) | (f & mask));
}

/** CD: INT imm8 (IOPL-sensitive in v86 mode). */
export function intImm(c: Cpu): void {
  if (c.flags & VM) {
    if (c.cr4 & CR4_VME && redirectV86Interrupt(c, c.imm & 0xff, c.eip)) return;
    if ((c.flags & IOPL) !== IOPL) c.fault(GP, 0);
  }
  c.interrupt(c.imm & 0xff, true, -1, c.eip);
}
/** CC: INT3. */
export function int3(c: Cpu): void {
  c.interrupt(BP, true, -1, c.eip);
}
/** CE: INTO. */
export function into(c: Cpu): void {
  if (c.of()) c.interrupt(OFV, true, -1, c.eip);
}
/** F1: ICEBP / INT1: a #DB trap without the gate privilege check. */
export function icebp(c: Cpu): void {
  c.interrupt(1, false, -1, c.eip);
}

/** 62: BOUND Gv, Ma (signed bounds; #BR when out of range). */
export function bound(c: Cpu): void {
  if (!c.isMem) c.fault(UD);
  let idx: number;
  let lo: number;
  let hi: number;
  if (c.opsize32) {
    idx = c.regs[c.reg];
    lo = c.readMem32(c.eaSeg, c.eaOff) | 0;
    hi = c.readMem32(c.eaSeg, c.eaPlus(4)) | 0;
  } else {
    idx = (c.regs[c.reg] << 16) >> 16;
    lo = (c.readMem16(c.eaSeg, c.eaOff) << 16) >> 16;
    hi = (c.readMem16(c.eaSeg, c.eaPlus(2)) << 16) >> 16;
  }
  if (idx < lo || idx > hi) c.fault(BR);
}

/** FE: group 4 (INC/DEC Eb). */
export function grp4(c: Cpu): void {
  if (c.reg > 1) c.fault(UD);
  c.setRm8(incDec(c, c.rm8(), c.reg === 1, 8));
}

/** FF: group 5: INC DEC CALL CALLF JMP JMPF PUSH. */
export function grp5(c: Cpu): void {
  switch (c.reg) {
    case 0:
    case 1:
      c.setRmv(incDec(c, c.rmv(), c.reg === 1, c.opsize32 ? 32 : 16));
      break;
    case 2: {
      const t = c.rmv();
      const ret = c.eip;
      const tt = c.opsize32 ? t : t & 0xffff;
      if (tt > c.csLimit) c.fault(GP, 0);
      c.pushV(ret);
      c.eip = tt;
      break;
    }
    case 3:
    case 5: {
      if (!c.isMem) c.fault(UD);
      const off = c.opsize32 ? c.readMem32(c.eaSeg, c.eaOff) : c.readMem16(c.eaSeg, c.eaOff);
      const sel = c.readMem16(c.eaSeg, c.eaPlus(c.opsize32 ? 4 : 2));
      if (c.reg === 3) farCall(c, sel, off);
      else farJump(c, sel, off);
      break;
    }
    case 4:
      nearJump(c, c.rmv());
      break;
    case 6:
      c.pushV(c.rmv());
      break;
    default:
      c.fault(UD);
  }
}

// --- fast system calls (SDM Vol. 2B, SYSENTER and SYSEXIT) -----------------------------------
/** The fixed descriptor caches SYSENTER/SYSEXIT load: base 0, 4 GiB, 32-bit, accessed. */
const FLAT_CODE = 0xc09b; // execute/read code, S, P, D, G
const FLAT_STACK = 0xc093; // read/write data, S, P, B, G
const DPL3 = 0x60;

/**
 * 0F 34: SYSENTER — to CPL 0 at IA32_SYSENTER_EIP with ESP = IA32_SYSENTER_ESP, CS from
 * IA32_SYSENTER_CS (RPL 0) and SS = CS + 8, both flat without reading the GDT; clears VM, IF
 * and RF. #GP(0) in real mode or when IA32_SYSENTER_CS[15:2] = 0.
 */
export function sysenter(c: Cpu): void {
  const sel = c.msr.sysenterCs & 0xfffc;
  if ((c.cr0 & CR0_PE) === 0 || sel === 0) c.fault(GP, 0);
  const fromV86 = (c.flags & VM) !== 0;
  c.setFlags(c.getFlags() & ~(VM | IF | RF));
  c.setSegmentCache(CS, sel, 0, 0xffffffff, FLAT_CODE);
  c.setSegmentCache(SS, (sel + 8) & 0xffff, 0, 0xffffffff, FLAT_STACK);
  c.setCpl(0);
  // Leaving v86 mode: the data segments keep their caches, now checked by protected-mode rules.
  if (fromV86) for (const s of [ES, DS, FS, GS]) c.refreshSegment(s);
  c.regs[ESP] = c.msr.sysenterEsp;
  c.eip = c.msr.sysenterEip >>> 0;
}

/**
 * 0F 35: SYSEXIT — to CPL 3 at EDX with ESP = ECX, CS = IA32_SYSENTER_CS + 16 and SS = + 24
 * (RPL 3), flat. #GP(0) when IA32_SYSENTER_CS[15:2] = 0, in real mode, or outside CPL 0
 * (v86 mode included).
 */
export function sysexit(c: Cpu): void {
  const cs = c.msr.sysenterCs & 0xffff;
  if ((cs & 0xfffc) === 0 || (c.cr0 & CR0_PE) === 0 || c.cpl !== 0) c.fault(GP, 0);
  c.setSegmentCache(CS, ((cs + 16) | 3) & 0xffff, 0, 0xffffffff, FLAT_CODE | DPL3);
  c.setSegmentCache(SS, ((cs + 24) | 3) & 0xffff, 0, 0xffffffff, FLAT_STACK | DPL3);
  c.setCpl(3);
  c.regs[ESP] = c.regs[ECX];
  c.eip = c.regs[EDX] >>> 0;
}
