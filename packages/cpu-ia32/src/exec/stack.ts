// Stack instructions: PUSH/POP of registers, segment registers, immediates and memory,
// PUSHA/POPA, PUSHF/POPF, ENTER/LEAVE.
import type { Cpu } from '../cpu.js';
import { AC, EBP, ESP, GP, ID, IF, IOPL, SS, UD, VM } from '../state.js';
import { loadVirtualFlags, v86Virtual, virtualFlagsImage } from './virtual-if.js';

/** 50-57: PUSH r (PUSH eSP pushes the value before the push). */
export function pushReg(c: Cpu): void {
  c.pushV(c.regs[c.opByte & 7]);
}
/** 58-5F: POP r. */
export function popReg(c: Cpu): void {
  const v = c.popV();
  c.setRegV(c.opByte & 7, v);
}
/** 06 0E 16 1E 0F A0 0F A8: PUSH Sreg (32-bit pushes write a full dword on the 486-class model). */
export const pushSeg = (seg: number) =>
  function pushSeg(c: Cpu): void {
    c.pushV(c.segSel[seg]);
  };
/** 07 17 1F 0F A1 0F A9: POP Sreg. */
export const popSeg = (seg: number) =>
  function popSeg(c: Cpu): void {
    const sel = c.opsize32 ? c.readMem32(SS, c.stackOff(0)) & 0xffff : c.readMem16(SS, c.stackOff(0));
    // SP/ESP steps by the stack size of the old SS (POP SS changes it); a faulting load leaves ESP
    // as it was, restored by the run loop (POP Sreg is not in KEEPS_ESP)
    c.adjustSp(c.opsize32 ? 4 : 2);
    c.loadSeg(seg, sel);
    if (seg === SS) c.inhibit = true;
  };
/** 68 / 6A: PUSH imm. */
export function pushImm(c: Cpu): void {
  c.pushV(c.imm);
}
/** 8F /0: POP Ev (ESP-relative destinations use the incremented ESP). */
export function popEv(c: Cpu): void {
  if (c.reg !== 0) c.fault(UD);
  const size = c.opsize32 ? 4 : 2;
  const v = c.opsize32 ? c.readMem32(SS, c.stackOff(0)) : c.readMem16(SS, c.stackOff(0));
  if (c.isMem) {
    if (c.addr32 && c.eaEspBase) c.eaOff = (c.eaOff + size) >>> 0;
    c.adjustSp(size);
    c.setRmv(v);
  } else {
    c.adjustSp(size);
    c.setRmv(v);
  }
}

/** 60: PUSHA / PUSHAD. */
export function pusha(c: Cpu): void {
  const sp = c.regs[ESP];
  for (let r = 0; r < 8; r++) c.pushV(r === ESP ? sp : c.regs[r]);
}
/** 61: POPA / POPAD (the stored eSP is skipped). */
export function popa(c: Cpu): void {
  for (let r = 7; r >= 0; r--) {
    const v = c.popV();
    if (r !== ESP) c.setRegV(r, v);
  }
}

/** 9C: PUSHF / PUSHFD (VM and RF read as 0 in the image). */
export function pushf(c: Cpu): void {
  if (c.flags & VM && (c.flags & IOPL) !== IOPL) {
    if (!v86Virtual(c) || c.opsize32) c.fault(GP, 0);
    c.push16(virtualFlagsImage(c));
    return;
  }
  const f = c.getFlags();
  if (c.opsize32) c.push32(f & 0x00fcffff);
  else c.push16(f);
}

/** Flag bits that POPF/IRET may write at the current privilege level. */
export function poppableFlags(c: Cpu, size32: boolean): number {
  let mask = 0x7fd5 | (size32 ? AC | ID : 0);
  if (c.isProtected()) {
    if (c.flags & VM) mask &= ~IOPL;
    else {
      if (c.cpl > 0) mask &= ~IOPL;
      if (c.cpl > (c.flags & IOPL) >> 12) mask &= ~IF;
    }
  }
  return mask;
}

/** 9D: POPF / POPFD (IOPL-sensitive in v86 mode). */
export function popf(c: Cpu): void {
  if (c.flags & VM && (c.flags & IOPL) !== IOPL) {
    if (!v86Virtual(c) || c.opsize32) c.fault(GP, 0);
    loadVirtualFlags(c, c.pop16()); // a #GP restores SP with the rest of the instruction
    return;
  }
  const v = c.popV();
  const mask = poppableFlags(c, c.opsize32);
  c.setFlags((c.getFlags() & ~mask) | (v & mask));
}

/** C8: ENTER imm16, imm8. */
export function enter(c: Cpu): void {
  const size = c.imm;
  const level = c.imm2 & 31;
  const s32 = c.stack32();
  const w = c.opsize32 ? 4 : 2;
  c.pushV(c.regs[EBP]);
  const frame = c.regs[ESP];
  if (level > 0) {
    let bp = c.regs[EBP];
    for (let i = 1; i < level; i++) {
      bp = s32 ? (bp - w) | 0 : (bp & ~0xffff) | ((bp - w) & 0xffff);
      const off = s32 ? bp >>> 0 : bp & 0xffff;
      c.pushV(c.opsize32 ? c.readMem32(SS, off) : c.readMem16(SS, off));
    }
    c.pushV(frame);
  }
  const newSp = s32 ? (c.regs[ESP] - size) >>> 0 : (c.regs[ESP] - size) & 0xffff;
  // The whole frame must be writable before anything is committed: #SS beyond the limit, and
  // #PF when "a write using the final value of the stack pointer" would fault (SDM ENTER; the
  // 386 alike, test386 POST 1Ah) — probed by writing the byte there back unchanged (read
  // without the access checks, so the fault is the write's).
  if (size > 0) {
    c.checkWrite(SS, newSp, 1);
    const phys = c.linearToPhysical((c.segBase[SS] + newSp) | 0);
    c.writeMem8(SS, newSp, phys >= 0 ? c.memory.read8(phys) : 0);
  }
  c.setRegV(EBP, frame);
  if (s32) c.regs[ESP] = newSp;
  else c.regs[ESP] = (c.regs[ESP] & ~0xffff) | newSp;
}

/** C9: LEAVE. */
export function leave(c: Cpu): void {
  if (c.stack32()) c.regs[ESP] = c.regs[EBP];
  else c.regs[ESP] = (c.regs[ESP] & ~0xffff) | (c.regs[EBP] & 0xffff);
  const v = c.popV();
  c.setRegV(EBP, v);
}
