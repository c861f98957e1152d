// The local APIC's register page at 0xFEE00000, as a single-processor board without interrupt
// delivery through it: the registers read and write as on a P6 (ID 0, version 0x50014 as QEMU's,
// reserved bits kept clear, ICR delivery status always idle) so software that programs the APIC
// before using the 8259s (kvm-unit-tests' start-up code, firmware) runs on. Interrupts still come
// through the 8259 pair; IPIs go nowhere (there is no other processor) and the APIC timer does not
// count. CPUID does not report an APIC, so an operating system does not rely on it.
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
const LVT_MASKED = 1 << 16;

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
  848: 0x1a7ff, // LINT0
  864: 0x1a7ff, // LINT1
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

  reset(): void {
    this.regs = powerOn();
  }

  save(): DeviceRecord {
    return { version: 1, registers: [...this.regs].map(([k, v]) => [k, v]) };
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
      case PPR:
        return (this.regs.get(TPR) ?? 0) & 0xf0;
      case TIMER_CURRENT:
      case ESR:
        return 0;
      default:
        return this.regs.get(reg) ?? 0;
    }
  }

  write(offset: number, size: 1 | 2 | 4, value: number): void {
    // the registers take aligned 32-bit writes; a narrower one is merged into the register
    const reg = offset & 0xff0;
    const mask = WRITABLE[reg];
    if (reg === EOI || mask === undefined) return;
    const shift = (offset & 3) * 8;
    const width = size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff;
    const old = this.regs.get(reg) ?? 0;
    const merged = ((old & ~(width << shift)) | ((value & width) << shift)) >>> 0;
    const keep = reg === DFR ? 0x0fffffff : 0; // DFR's model bits only; the rest read as ones
    this.regs.set(reg, ((merged & mask) | keep) >>> 0);
  }
}
