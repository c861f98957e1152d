// Model-specific registers and the time-stamp counter: RDTSC, RDMSR, WRMSR, RDPMC. The MSR
// set is that of a P6-family processor (CPUID family 6, model 3, stepping 3) as far as this
// CPU implements its features; Intel SDM Vol. 2B for the instructions, Vol. 4 (tables 2-2 and
// 2-3) and Vol. 3A §17.17 (TSC) for the registers.
import type { Cpu } from '../cpu.js';
import { CR0_PE, CR4_TSD, EAX, ECX, EDX, GP } from '../state.js';
import { requireCpl0 } from './system.js';

export const MSR_TSC = 0x10;
export const MSR_PLATFORM_ID = 0x17;
export const MSR_APIC_BASE = 0x1b;
export const MSR_BIOS_SIGN_ID = 0x8b;
export const MSR_MTRRCAP = 0xfe;
export const MSR_SYSENTER_CS = 0x174;
export const MSR_SYSENTER_ESP = 0x175;
export const MSR_SYSENTER_EIP = 0x176;
export const MSR_MISC_ENABLE = 0x1a0;
/** The addresses of the MSRs this processor implements, by their SDM names. */
export const MSR = {
  TSC: MSR_TSC,
  PLATFORM_ID: MSR_PLATFORM_ID,
  APIC_BASE: MSR_APIC_BASE,
  BIOS_SIGN_ID: MSR_BIOS_SIGN_ID,
  MTRRCAP: MSR_MTRRCAP,
  SYSENTER_CS: MSR_SYSENTER_CS,
  SYSENTER_ESP: MSR_SYSENTER_ESP,
  SYSENTER_EIP: MSR_SYSENTER_EIP,
  MISC_ENABLE: MSR_MISC_ENABLE,
} as const;

/**
 * IA32_APIC_BASE of a P6 whose local APIC is globally disabled (bit 11 = 0; CPUID reports no
 * APIC): base FEE00000h, BSP (bit 8). On the P6's three-wire APIC bus a disabled APIC cannot be
 * re-enabled until RESET (SDM Vol. 3A §10.4.3), so writes keep bit 11 clear.
 */
const APIC_BASE_RESET = 0xfee00100;
const APIC_BSP = 0x100;
/** Bits 0-7 and 9-10 are reserved (bit 8 BSP is read-only, bit 11 stays 0). */
const APIC_RESERVED = 0x6ff;
/** IA32_MISC_ENABLE bit 0: fast-string enable (its power-on value); the only bit implemented. */
const MISC_FAST_STRINGS = 1;

const LOW32 = 0xffffffffn;

/** The MSRs' contents. The TSC itself is a clock plus `tscOffset` (see `readTsc`). */
export class ModelSpecificRegisters {
  /** TSC = clock + tscOffset, modulo 2^64. */
  tscOffset = 0n;
  /** IA32_SYSENTER_CS/ESP/EIP: 32 bits each on this 32-bit processor (EDX is ignored, reads 0). */
  sysenterCs = 0;
  sysenterEsp = 0;
  sysenterEip = 0;
  apicBase = APIC_BASE_RESET;
  miscEnable = MISC_FAST_STRINGS;
  /** IA32_BIOS_SIGN_ID as written, bits 31:0 and 63:32. */
  biosSignLo = 0;
  biosSignHi = 0;

  /** Power-on values (the TSC is reset by the CPU, which knows its clock). */
  reset(): void {
    this.sysenterCs = 0;
    this.sysenterEsp = 0;
    this.sysenterEip = 0;
    this.apicBase = APIC_BASE_RESET;
    this.miscEnable = MISC_FAST_STRINGS;
    this.biosSignLo = 0;
    this.biosSignHi = 0;
  }
}

/**
 * The clock the TSC counts: the board's (`CpuOptions.tsc`) or, by default, instructions retired —
 * deterministic, so a guest reading the TSC runs the same way every time. `inInstruction`: called
 * by an executing instruction, whose run has retired `espSavedAt` instructions not yet added to
 * `instructions` (the run loop stores its count there before dispatching any 0F or prefixed
 * opcode, and RDTSC, RDMSR and WRMSR are 0F opcodes).
 */
function tscClock(c: Cpu, inInstruction: boolean): number | bigint {
  const source = c.tscSource;
  if (source !== undefined) return source(inInstruction ? c.espSavedAt : 0);
  return inInstruction ? c.instructions + c.espSavedAt : c.instructions;
}

/** The TSC for a clock reading: clock + offset, modulo 2^64. */
function tscAt(c: Cpu, clock: number | bigint): bigint {
  return BigInt.asUintN(64, bigClock(clock) + c.msr.tscOffset);
}
function bigClock(clock: number | bigint): bigint {
  return typeof clock === 'bigint' ? clock : BigInt(Math.trunc(clock));
}

/** The 64-bit time-stamp counter. */
export function readTsc(c: Cpu, inInstruction: boolean): bigint {
  return tscAt(c, tscClock(c, inInstruction));
}

/** Set the time-stamp counter to `value` (modulo 2^64); it keeps counting from there. */
export function writeTsc(c: Cpu, value: bigint, inInstruction: boolean): void {
  c.msr.tscOffset = BigInt.asUintN(64, value) - bigClock(tscClock(c, inInstruction));
}

/** The value of MSR `index`, or undefined when this processor has no such MSR (RDMSR: #GP(0)). */
export function readMsr(c: Cpu, index: number, inInstruction: boolean): bigint | undefined {
  const m = c.msr;
  switch (index) {
    case MSR_TSC:
      return readTsc(c, inInstruction);
    case MSR_PLATFORM_ID:
    case MSR_MTRRCAP: // no variable or fixed ranges, no write-combining: the CPU has no MTRRs
      return 0n;
    case MSR_APIC_BASE:
      return BigInt(m.apicBase >>> 0);
    case MSR_BIOS_SIGN_ID:
      return (BigInt(m.biosSignHi >>> 0) << 32n) | BigInt(m.biosSignLo >>> 0);
    case MSR_SYSENTER_CS:
      return BigInt(m.sysenterCs >>> 0);
    case MSR_SYSENTER_ESP:
      return BigInt(m.sysenterEsp >>> 0);
    case MSR_SYSENTER_EIP:
      return BigInt(m.sysenterEip >>> 0);
    case MSR_MISC_ENABLE:
      return BigInt(m.miscEnable);
    default:
      return undefined;
  }
}

/**
 * Write MSR `index`. False when the MSR does not exist, is read-only, or `value` sets reserved
 * bits (WRMSR: #GP(0)); nothing changes then.
 */
export function writeMsr(c: Cpu, index: number, value: bigint, inInstruction: boolean): boolean {
  const v = BigInt.asUintN(64, value);
  const lo = Number(v & LOW32);
  const hi = Number(v >> 32n);
  const m = c.msr;
  switch (index) {
    case MSR_TSC:
      // P6 family (before family 0Fh model 3): only the low 32 bits are written, the high 32
      // bits are cleared (SDM Vol. 3A §17.17).
      writeTsc(c, BigInt(lo), inInstruction);
      return true;
    case MSR_APIC_BASE:
      if (hi !== 0 || (lo & APIC_RESERVED) !== 0) return false;
      m.apicBase = ((lo & 0xfffff000) | APIC_BSP) >>> 0;
      return true;
    case MSR_BIOS_SIGN_ID:
      m.biosSignLo = lo;
      m.biosSignHi = hi;
      return true;
    case MSR_SYSENTER_CS:
      m.sysenterCs = lo;
      return true;
    case MSR_SYSENTER_ESP:
      m.sysenterEsp = lo;
      return true;
    case MSR_SYSENTER_EIP:
      m.sysenterEip = lo;
      return true;
    case MSR_MISC_ENABLE:
      if (hi !== 0 || (lo & ~MISC_FAST_STRINGS) !== 0) return false;
      m.miscEnable = lo;
      return true;
    default:
      return false;
  }
}

/** 0F 31: RDTSC (#GP(0) with CR4.TSD set outside CPL 0 in protected and virtual-8086 mode). */
export function rdtsc(c: Cpu): void {
  if ((c.cr4 & CR4_TSD) !== 0 && c.cpl !== 0 && (c.cr0 & CR0_PE) !== 0) c.fault(GP, 0);
  // Without an offset and with a clock below 2^53, no BigInt (Linux reads the TSC constantly:
  // the BigInt path was ~2 % of its kernel init). The register stores take the clock modulo 2^32.
  const clock = tscClock(c, true);
  if (typeof clock === 'number' && clock >= 0 && clock <= Number.MAX_SAFE_INTEGER && c.msr.tscOffset === 0n) {
    const whole = Math.trunc(clock);
    c.regs[EAX] = whole % 0x100000000;
    c.regs[EDX] = Math.floor(whole / 0x100000000);
    return;
  }
  const t = tscAt(c, clock);
  c.regs[EAX] = Number(t & LOW32);
  c.regs[EDX] = Number(t >> 32n);
}

/** 0F 32: RDMSR (CPL 0; #GP(0) for an MSR this processor does not have). */
export function rdmsr(c: Cpu): void {
  requireCpl0(c);
  const v = readMsr(c, c.regs[ECX] >>> 0, true);
  if (v === undefined) c.fault(GP, 0);
  c.regs[EAX] = Number(v & LOW32);
  c.regs[EDX] = Number(v >> 32n);
}

/** 0F 30: WRMSR (CPL 0; #GP(0) for an unknown or read-only MSR and for reserved bits). */
export function wrmsr(c: Cpu): void {
  requireCpl0(c);
  const value = (BigInt(c.regs[EDX] >>> 0) << 32n) | BigInt(c.regs[EAX] >>> 0);
  if (!writeMsr(c, c.regs[ECX] >>> 0, value, true)) c.fault(GP, 0);
}

/**
 * 0F 33: RDPMC. This processor has no performance-monitoring counters, so no ECX selects a
 * valid counter: #GP(0) always (the SDM's fault for an invalid counter, and for CR4.PCE = 0
 * outside CPL 0 — CR4.PCE is reserved here).
 */
export function rdpmc(c: Cpu): void {
  c.fault(GP, 0);
}
