// System instructions: HLT, CLI/STI, descriptor-table registers, control and debug
// registers, CPUID, cache and TLB control.
import type { Cpu } from '../cpu.js';
import { accessRightsOp, loadLdt, loadTr, verifySegment } from '../modes/protected.js';
import {
  CR0_PE,
  CR0_PG,
  CR0_TS,
  CR4_IMPLEMENTED,
  EAX,
  EBX,
  ECX,
  EDX,
  GP,
  IF,
  IOPL,
  UD,
  VM,
  ZF,
} from '../state.js';
import { pmVirtual, v86Virtual, virtualCliSti } from './virtual-if.js';

const realOrV86 = (c: Cpu) => (c.cr0 & CR0_PE) === 0 || (c.flags & VM) !== 0;

/** #GP(0) unless running at CPL 0 (real mode counts as CPL 0; v86 as CPL 3). */
export function requireCpl0(c: Cpu): void {
  if ((c.flags & VM) !== 0 || ((c.cr0 & CR0_PE) !== 0 && c.cpl !== 0)) c.fault(GP, 0);
}

/** F4: HLT. */
export function hlt(c: Cpu): void {
  requireCpl0(c);
  c.halted = true;
}

/** FA CLI / FB STI: IOPL-sensitive in protected and v86 mode. */
export function cliSti(c: Cpu): void {
  if (c.cr0 & CR0_PE) {
    const iopl = (c.flags & IOPL) >> 12;
    if (c.flags & VM ? iopl !== 3 : c.cpl > iopl) {
      if (!v86Virtual(c) && !pmVirtual(c)) c.fault(GP, 0);
      virtualCliSti(c, c.opByte === 0xfa);
      return;
    }
  }
  if (c.opByte === 0xfa) c.flags &= ~IF;
  else {
    if ((c.flags & IF) === 0) c.inhibit = true;
    c.flags |= IF;
  }
}

/** 0F 00: group 6 (SLDT STR LLDT LTR VERR VERW); protected mode only. */
export function grp6(c: Cpu): void {
  if (realOrV86(c)) c.fault(UD);
  switch (c.reg) {
    case 0:
    case 1: {
      const sel = c.reg === 0 ? c.ldtr.selector : c.tr.selector;
      if (c.isMem) c.writeMem16(c.eaSeg, c.eaOff, sel);
      else c.setRegV(c.rm, sel);
      break;
    }
    case 2:
      requireCpl0(c);
      loadLdt(c, c.rm16());
      break;
    case 3:
      requireCpl0(c);
      loadTr(c, c.rm16());
      break;
    case 4:
    case 5:
      verifySegment(c, c.rm16(), c.reg === 5);
      break;
    default:
      c.fault(UD);
  }
}

/** 0F 01: group 7 (SGDT SIDT LGDT LIDT SMSW LMSW INVLPG). */
export function grp7(c: Cpu): void {
  const reg = c.reg;
  if (reg === 4) {
    const msw = c.cr0 & 0xffff;
    if (c.isMem) c.writeMem16(c.eaSeg, c.eaOff, msw);
    else c.setRegV(c.rm, c.opsize32 ? c.cr0 : msw);
    return;
  }
  if (reg === 6) {
    requireCpl0(c);
    const v = c.rm16();
    // LMSW writes PE MP EM TS; it can set PE but never clear it.
    c.setControl(0, (c.cr0 & ~0xe) | (v & 0xf) | (c.cr0 & CR0_PE));
    return;
  }
  if (!c.isMem || reg === 5) c.fault(UD);
  if (reg === 7) {
    requireCpl0(c);
    c.paging.invalidate((c.segBase[c.eaSeg] + c.eaOff) | 0);
    return;
  }
  if (reg < 2) {
    const base = reg === 0 ? c.gdtrBase : c.idtrBase;
    const limit = reg === 0 ? c.gdtrLimit : c.idtrLimit;
    c.checkWrite(c.eaSeg, c.eaOff, 6);
    c.writeMem16(c.eaSeg, c.eaOff, limit);
    c.writeMem32(c.eaSeg, c.eaPlus(2), c.opsize32 ? base : base & 0xffffff);
    return;
  }
  requireCpl0(c);
  const limit = c.readMem16(c.eaSeg, c.eaOff);
  let base = c.readMem32(c.eaSeg, c.eaPlus(2));
  if (!c.opsize32) base &= 0xffffff;
  if (reg === 2) {
    c.gdtrBase = base | 0;
    c.gdtrLimit = limit;
  } else {
    c.idtrBase = base | 0;
    c.idtrLimit = limit;
  }
}

/** 0F 02 LAR, 0F 03 LSL. */
export function larLsl(c: Cpu): void {
  if (realOrV86(c)) c.fault(UD);
  accessRightsOp(c, c.rm16(), c.opByte === 0x103);
}

/** 63: ARPL Ew, Gw (protected mode only). */
export function arpl(c: Cpu): void {
  if (realOrV86(c)) c.fault(UD);
  const dst = c.rm16();
  const src = c.getReg16(c.reg);
  if ((dst & 3) < (src & 3)) {
    c.setRm16((dst & ~3) | (src & 3));
    c.putFlags(ZF, ZF);
  } else c.putFlags(ZF, 0);
}

/** 0F 06: CLTS. */
export function clts(c: Cpu): void {
  requireCpl0(c);
  c.cr0 &= ~CR0_TS;
}

/** 0F 08 INVD, 0F 09 WBINVD: there is no cache to model; privilege is still checked. */
export function cacheControl(c: Cpu): void {
  requireCpl0(c);
}

/** 0F 20-23: MOV r32, CRn / CRn, r32 / r32, DRn / DRn, r32 (the mod field is ignored). */
export function movControl(c: Cpu): void {
  requireCpl0(c);
  const op = c.opByte;
  const n = c.reg;
  const r = c.rm;
  if (op === 0x120 || op === 0x122) {
    if (n === 1 || n > 4) c.fault(UD);
    if (op === 0x120) {
      c.regs[r] = n === 0 ? c.cr0 : n === 2 ? c.cr2 : n === 3 ? c.cr3 : c.cr4;
      return;
    }
    const v = c.regs[r] >>> 0;
    if (n === 0 && v & CR0_PG && !(v & CR0_PE)) c.fault(GP, 0);
    if (n === 4 && v & ~CR4_IMPLEMENTED) c.fault(GP, 0);
    c.setControl(n as 0 | 2 | 3 | 4, v);
    return;
  }
  let dn = n;
  if (dn === 4 || dn === 5) {
    if (c.cr4 & 0x8) c.fault(UD);
    dn += 2;
  }
  if (op === 0x121) c.regs[r] = c.dr[dn];
  else if (dn === 6) c.dr[6] = (c.regs[r] & 0xe00f) | 0xffff0ff0;
  else if (dn === 7) c.dr[7] = (c.regs[r] & ~0xd000) | 0x400;
  else c.dr[dn] = c.regs[r];
  if (op === 0x123) c.updateWatching();
}

/** "GenuineIntel" in EBX, EDX, ECX order. */
const VENDOR = [0x756e6547, 0x49656e69, 0x6c65746e];
/** The highest basic CPUID leaf. */
export const CPUID_MAX_LEAF = 1;
/**
 * CPUID leaf 1 EDX: exactly what this processor implements — FPU (the x87 in src/x87), DE
 * (CR4.DE), PSE, TSC, MSR, CX8 (CMPXCHG8B), SEP (SYSENTER/SYSEXIT), PGE, CMOV, VME (with PVI), PAE (without XD). No MCE,
 * APIC, MTRR, MCA, PAT or MMX.
 */
export const CPUID_FEATURES =
  (1 << 0) |
  (1 << 1) |
  (1 << 2) |
  (1 << 3) |
  (1 << 4) |
  (1 << 5) |
  (1 << 6) |
  (1 << 8) |
  (1 << 11) |
  (1 << 13) |
  (1 << 15);
/**
 * Family 6 (P6, Pentium Pro class), model 3, stepping 3: the first P6 signature whose SEP bit
 * software may trust (the SDM tells it to ignore SEP when family 6, model < 3 and stepping < 3;
 * Linux clears it below 0633h).
 */
export const CPUID_SIGNATURE = 0x633;
/** The update signature CPUID(1) loads into IA32_BIOS_SIGN_ID[63:32]: no microcode update loaded. */
export const MICROCODE_REVISION = 0;

/**
 * 0F A2: CPUID. A leaf above the maximum returns the highest basic leaf (leaf 1), as Intel
 * processors do; that includes 80000000h, whose EAX then has no bit 31 (no extended leaves).
 * Leaf 1 also loads the microcode update signature into IA32_BIOS_SIGN_ID[63:32].
 */
export function cpuid(c: Cpu): void {
  if (c.regs[EAX] === 0) {
    c.regs[EAX] = CPUID_MAX_LEAF;
    c.regs[EBX] = VENDOR[0];
    c.regs[EDX] = VENDOR[1];
    c.regs[ECX] = VENDOR[2];
    return;
  }
  c.regs[EAX] = CPUID_SIGNATURE;
  c.regs[EBX] = 0;
  c.regs[ECX] = 0;
  c.regs[EDX] = CPUID_FEATURES;
  c.msr.biosSignHi = MICROCODE_REVISION;
}

/** Undefined opcodes, UD2 (0F 0B) and the invalid 0F forms. */
export function invalid(c: Cpu): void {
  c.fault(UD);
}
