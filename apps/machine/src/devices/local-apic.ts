// The local APIC's register page at 0xFEE00000 on a single-processor board: the registers read and
// write as on a P6 (ID 0, version 0x50014 as QEMU's, reserved bits kept clear, ICR delivery status
// always idle), so software that programs the APIC (kvm-unit-tests' start-up code, firmware) runs
// on. Fixed-mode IPIs addressed to this processor (shorthand self or all-including-self, or its
// physical ID) are accepted into IRR and delivered ahead of the 8259s by priority class against
// TPR and ISR, with EOI. NMI-mode IPIs to this processor, and a LINT pin (`assertLint`) whose LVT
// entry is unmasked with delivery mode NMI, raise the CPU's NMI input through `onNmi`; other
// delivery modes (INIT, SIPI...) and IPIs to others go nowhere. The 8259 pair reaches the CPU
// directly (as in virtual-wire mode) rather than through LINT0, and the APIC timer does not count. CPUID does not report an APIC, so an operating system does not rely on it.
import type { MmioDevice } from '@phantasm/mmu';
import { type DeviceRecord, RecordReader, type SavableDevice } from './state.js';

export const LOCAL_APIC_BASE = 0xfee00000;
export const LOCAL_APIC_SIZE = 0x1000;

const VERSION = 0x00050014; // version 14h, 6 LVT entries
const ID = 0x20;
const VER = 0x30;
const TPR = 0x80;
const APR = 0x90;
const PPR = 0xa0;
const EOI = 0xb0;
const LDR = 0xd0;
const DFR = 0xe0;
const SVR = 0xf0;
const ESR = 0x280;
const ICR_LOW = 0x300;
const ICR_HIGH = 0x310;
const LVT_TIMER = 0x320;
const LVT_ERROR = 0x370;
const TIMER_INITIAL = 0x380;
const TIMER_CURRENT = 0x390;
const TIMER_DIVIDE = 0x3e0;
const LVT_LINT0 = 0x350;
const LVT_MASKED = 1 << 16;
const MODE_FIXED = 0;
const MODE_NMI = 4;

/** Writable bits of the registers that keep what is written (offset → mask). */
const WRITABLE: Record<number, number> = {
  [ID]: 0xff000000,
  [TPR]: 0xff,
  [LDR]: 0xff000000,
  [DFR]: 0xf0000000,
  [SVR]: 0x3ff,
  [ICR_LOW]: 0x000ccfff, // vector, delivery mode, destination mode, level, trigger, shorthand
  [ICR_HIGH]: 0xff000000,
  [LVT_TIMER]: 0x300ff,
  816: 0x107ff, // thermal
  832: 0x107ff, // performance counters
  [LVT_LINT0]: 0x1a7ff,
  [LVT_LINT0 + 0x10]: 0x1a7ff, // LINT1
  [LVT_ERROR]: 0x100ff,
  [TIMER_INITIAL]: 0xffffffff,
  [TIMER_DIVIDE]: 0xb,
};

/** Values after RESET: every LVT entry masked, the APIC software-disabled (SVR 0FFh). */
function powerOn(): Map<number, number> {
  return new Map<number, number>([
    [DFR, 0xffffffff],
    [SVR, 0xff],
    [LVT_TIMER, LVT_MASKED],
    [0x330, LVT_MASKED],
    [0x340, LVT_MASKED],
    [0x350, LVT_MASKED],
    [0x360, LVT_MASKED],
    [LVT_ERROR, LVT_MASKED],
  ]);
}

export class LocalApic implements MmioDevice, SavableDevice {
  private regs = powerOn();
  /** Interrupt request and in-service bits by vector (0-255). */
  private irr = new Uint8Array(256);
  private isr = new Uint8Array(256);
  /** How many IRR bits are set (the CPU asks at every instruction boundary). */
  private requested = 0;
  /** The board's NMI line into the CPU (NMI-mode IPIs and LVT entries end here). */
  onNmi: (() => void) | undefined;

  reset(): void {
    this.regs = powerOn();
    this.irr.fill(0);
    this.isr.fill(0);
    this.requested = 0;
  }

  /** The highest vector set in `bits`, or -1. */
  private static highest(bits: Uint8Array): number {
    for (let v = 255; v >= 16; v--) if (bits[v]) return v;
    return -1;
  }

  /** Bits 32*i..32*i+31 of a 256-bit register. */
  private static word(bits: Uint8Array, i: number): number {
    let w = 0;
    for (let b = 0; b < 32; b++) if (bits[i * 32 + b]) w |= 1 << b;
    return w >>> 0;
  }

  /** A requested vector whose priority class is above both TPR's and the highest in-service one. */
  hasInterrupt(): boolean {
    if (this.requested === 0 || !((this.regs.get(SVR) ?? 0) & 0x100)) return false;
    const v = LocalApic.highest(this.irr);
    if (v < 0) return false;
    const tpr = (this.regs.get(TPR) ?? 0) >> 4;
    const inService = LocalApic.highest(this.isr);
    return v >> 4 > tpr && (inService < 0 || v >> 4 > inService >> 4);
  }

  /** INTA: the vector moves from IRR to ISR. */
  acknowledge(): number {
    const v = LocalApic.highest(this.irr);
    this.irr[v] = 0;
    this.requested--;
    this.isr[v] = 1;
    return v;
  }

  /** ICR low written: a fixed interrupt or an NMI for this processor is requested. */
  private sendIpi(icr: number): void {
    const shorthand = (icr >> 18) & 3;
    const mode = (icr >> 8) & 7;
    const vector = icr & 0xff;
    const physicalDest = (this.regs.get(ICR_HIGH) ?? 0) >>> 24;
    const toSelf =
      shorthand === 1 ||
      shorthand === 2 ||
      (shorthand === 0 &&
        !(icr & 0x800) &&
        (physicalDest === 0xff || physicalDest === (this.regs.get(ID) ?? 0) >>> 24));
    if (!toSelf) return;
    if (mode === MODE_NMI)
      this.onNmi?.(); // the vector is ignored
    else if (mode === MODE_FIXED && vector >= 16 && !this.irr[vector]) {
      this.irr[vector] = 1;
      this.requested++;
    }
  }

  /**
   * The LINT0/LINT1 pin `pin` sees an edge: with its LVT entry unmasked and delivery mode NMI it
   * raises the CPU's NMI (the PC's NMI source is wired to LINT1); fixed/ExtINT modes are not modelled.
   */
  assertLint(pin: 0 | 1): void {
    const lvt = this.regs.get(LVT_LINT0 + pin * 0x10) ?? LVT_MASKED;
    if (!(lvt & LVT_MASKED) && ((lvt >> 8) & 7) === MODE_NMI) this.onNmi?.();
  }

  save(): DeviceRecord {
    return {
      version: 1,
      registers: [...this.regs].map(([k, v]) => [k, v]),
      irr: [...this.irr.keys()].filter((v) => this.irr[v]),
      isr: [...this.isr.keys()].filter((v) => this.isr[v]),
    };
  }

  load(record: DeviceRecord): void {
    new RecordReader('local-apic', record, [1]);
    const list = record.registers;
    const regs = powerOn();
    if (Array.isArray(list)) {
      for (const e of list) {
        if (Array.isArray(e) && typeof e[0] === 'number' && typeof e[1] === 'number' && e[0] in WRITABLE)
          regs.set(e[0], e[1] >>> 0);
      }
    }
    this.regs = regs;
    for (const [name, bits] of [
      ['irr', this.irr],
      ['isr', this.isr],
    ] as const) {
      bits.fill(0);
      const set = record[name];
      if (Array.isArray(set))
        for (const v of set) if (typeof v === 'number' && v >= 16 && v < 256) bits[v] = 1;
    }
  }

  read(offset: number, size: 1 | 2 | 4): number {
    const reg = offset & 0xff0;
    const value = this.register(reg);
    const shift = (offset & 3) * 8;
    const width = size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff;
    return ((value >>> shift) & width) >>> 0;
  }

  private register(reg: number): number {
    switch (reg) {
      case VER:
        return VERSION;
      case APR:
        return (this.regs.get(TPR) ?? 0) & 0xf0;
      case PPR: {
        const tpr = (this.regs.get(TPR) ?? 0) & 0xf0;
        return Math.max(tpr, Math.max(0, LocalApic.highest(this.isr)) & 0xf0);
      }
      case TIMER_CURRENT:
      case ESR:
        return 0;
      case 0x100:
      case 0x110:
      case 0x120:
      case 0x130:
      case 0x140:
      case 0x150:
      case 0x160:
      case 0x170:
        return LocalApic.word(this.isr, (reg - 0x100) >> 4);
      case 0x200:
      case 0x210:
      case 0x220:
      case 0x230:
      case 0x240:
      case 0x250:
      case 0x260:
      case 0x270:
        return LocalApic.word(this.irr, (reg - 0x200) >> 4);
      default:
        return this.regs.get(reg) ?? 0;
    }
  }

  write(offset: number, size: 1 | 2 | 4, value: number): void {
    // the registers take aligned 32-bit writes; a narrower one is merged into the register
    const reg = offset & 0xff0;
    const mask = WRITABLE[reg];
    if (reg === EOI) {
      const v = LocalApic.highest(this.isr);
      if (v >= 0) this.isr[v] = 0;
      return;
    }
    if (reg >= 0x100 && reg < 0x280) return; // ISR, TMR, IRR: read-only
    if (mask === undefined) return;
    const shift = (offset & 3) * 8;
    const width = size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff;
    const old = this.regs.get(reg) ?? 0;
    const merged = ((old & ~(width << shift)) | ((value & width) << shift)) >>> 0;
    const keep = reg === DFR ? 0x0fffffff : 0; // DFR's model bits only; the rest read as ones
    this.regs.set(reg, ((merged & mask) | keep) >>> 0);
    if (reg === ICR_LOW) this.sendIpi(merged);
  }
}
