// The Galileo GT-64120 system controller of the Malta board, as Linux's mti-malta and
// pci-gt64xxx_pci0.c use it: a 4 KiB register window (moved to phys 0x1BE00000 by the boot
// stub, as YAMON does), the CPU→PCI address decoders, PCI configuration through PCI0_CFGADDR and
// PCI0_CFGDATA (a master abort for an absent function sets INTRCAUSE.MASABORT0) and the PCI
// interrupt-acknowledge register that reads the vector of the 8259 pair.
import type { MmioDevice } from '@phantasm/mmu';
import type { PciHost } from '../../devices/pci.js';
import { base64, type DeviceRecord, RecordReader, type SavableDevice } from '../../devices/state.js';

/** Physical base of the register window after the boot stub (GT_ISD = 0x1BE00000 >> 21). */
export const GT_BASE = 0x1be0_0000;
export const GT_SIZE = 0x1000;

/** Register offsets (Linux's asm/gt64120.h names without _OFS). */
export const GT = {
  CPU: 0x000,
  PCI0IOLD: 0x048,
  PCI0IOHD: 0x050,
  PCI0M0LD: 0x058,
  PCI0M0HD: 0x060,
  ISD: 0x068,
  PCI0M1LD: 0x080,
  PCI0M1HD: 0x088,
  PCI0IOREMAP: 0x0f0,
  PCI0M0REMAP: 0x0f8,
  PCI0M1REMAP: 0x100,
  MULTI: 0x120,
  PCI0_CMD: 0xc00,
  INTRCAUSE: 0xc18,
  INTRMASK: 0xc1c,
  PCI0_IACK: 0xc34,
  PCI0_CFGADDR: 0xcf8,
  PCI0_CFGDATA: 0xcfc,
} as const;

/** INTRCAUSE bits a configuration cycle to nobody sets (Linux tests and clears both). */
export const INTRCAUSE_MASABORT0 = 1 << 18;
export const INTRCAUSE_TARABORT0 = 1 << 19;

/** Power-on values (GT-64120 manual, as QEMU's gt64120_reset) followed by YAMON's set-up. */
const RESET_VALUES: [number, number][] = [
  [GT.CPU, 0x0000_1000], // little-endian CPU interface
  [GT.MULTI, 0x0000_0003],
  [0x008, 0x000], // SCS10LD..CS3BOOTHD: SDRAM and device chip-select decoders
  [0x010, 0x007],
  [0x018, 0x008],
  [0x020, 0x00f],
  [0x028, 0x0e0],
  [0x030, 0x070],
  [0x038, 0x0f8],
  [0x040, 0x07f],
  [GT.PCI0IOLD, 0x080],
  [GT.PCI0IOHD, 0x00f],
  [GT.PCI0M0LD, 0x090],
  [GT.PCI0M0HD, 0x01f],
  [GT.ISD, 0x0a0],
  [GT.PCI0M1LD, 0x790],
  [GT.PCI0M1HD, 0x01f],
  [0x090, 0x100], // PCI1 decoders (no PCI1 on Malta)
  [0x098, 0x00f],
  [0x0a0, 0x110],
  [0x0a8, 0x01f],
  [0x0b0, 0x120],
  [0x0b8, 0x02f],
  [0x0d0, 0x000],
  [0x0d8, 0x008],
  [0x0e0, 0x0e0],
  [0x0e8, 0x0f8],
  [GT.PCI0IOREMAP, 0x080],
  [GT.PCI0M0REMAP, 0x090],
  [GT.PCI0M1REMAP, 0x790],
  [0x108, 0x100],
  [0x110, 0x110],
  [0x118, 0x120],
];

/**
 * What YAMON (and QEMU's -kernel boot loader) leave behind: registers at 0x1BE00000, PCI I/O at
 * 0x18000000-0x181FFFFF, PCI memory 0x10000000-0x17FFFFFF and 0x18200000-0x1BDFFFFF. Writing a
 * low decode register also loads its remap register (GT-64120 manual §4.3), as here.
 */
const YAMON_SETUP: [number, number][] = [
  [GT.ISD, GT_BASE >>> 21],
  [GT.PCI0IOLD, 0x1800_0000 >>> 21],
  [GT.PCI0IOHD, 0x0800_0000 >>> 21],
  [GT.PCI0M0LD, 0x1000_0000 >>> 21],
  [GT.PCI0M0HD, 0x07e0_0000 >>> 21],
  [GT.PCI0M1LD, 0x1820_0000 >>> 21],
  [GT.PCI0M1HD, 0x0bc0_0000 >>> 21],
];

/** Low decode register → its remap register. */
const REMAP_OF = new Map<number, number>([
  [GT.PCI0IOLD, GT.PCI0IOREMAP],
  [GT.PCI0M0LD, GT.PCI0M0REMAP],
  [GT.PCI0M1LD, GT.PCI0M1REMAP],
]);

export interface Gt64120Wiring {
  /** The PCI functions behind the bridge (bus 0), configured through CFGADDR/CFGDATA. */
  pci: PciHost;
  /** A PCI interrupt-acknowledge cycle: the 8259 pair's vector. */
  acknowledge(): number;
}

export class Gt64120 implements MmioDevice, SavableDevice {
  /** The register file as 32-bit words (offset / 4). */
  readonly regs = new Uint32Array(GT_SIZE / 4);

  constructor(private readonly wiring: Gt64120Wiring) {
    this.reset();
  }

  /** Power-on values, then YAMON's decoder set-up (the state Linux is entered in). */
  reset(): void {
    this.regs.fill(0);
    for (const [off, v] of RESET_VALUES) this.regs[off >>> 2] = v;
    for (const [off, v] of YAMON_SETUP) this.store(off, v);
  }

  save(): DeviceRecord {
    return { version: 1, regs: base64(new Uint8Array(this.regs.buffer.slice(0))) };
  }

  load(record: DeviceRecord): void {
    const bytes = new RecordReader('gt64120', record, [1]).bytes('regs', GT_SIZE);
    this.regs.set(new Uint32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + GT_SIZE)));
  }

  /** Physical base of PCI I/O space as programmed (PCI0IOLD << 21). */
  ioBase(): number {
    return ((this.regs[GT.PCI0IOLD >>> 2] & 0x7fff) << 21) >>> 0;
  }

  private store(off: number, value: number): void {
    this.regs[off >>> 2] = value >>> 0;
    const remap = REMAP_OF.get(off);
    if (remap !== undefined) this.regs[remap >>> 2] = value & 0x7ff;
  }

  /** True when CFGADDR selects a function that answers (bus 0, an existing device.function). */
  private selected(): boolean {
    const a = this.regs[GT.PCI0_CFGADDR >>> 2];
    if (((a >>> 16) & 0xff) !== 0) return false;
    return this.wiring.pci.fn((a >>> 11) & 0x1f, (a >>> 8) & 7) !== undefined;
  }

  read(offset: number, size: 1 | 2 | 4): number {
    const word = offset & ~3;
    let value: number;
    switch (word) {
      case GT.PCI0_CFGDATA:
        if (!this.selected()) {
          this.regs[GT.INTRCAUSE >>> 2] |= INTRCAUSE_MASABORT0 | 1;
          value = 0xffff_ffff;
        } else {
          value = this.wiring.pci.read(0xcfc, 4);
        }
        break;
      case GT.PCI0_IACK:
        value = this.wiring.acknowledge() & 0xff;
        break;
      default:
        value = this.regs[word >>> 2];
    }
    return narrow(value, offset, size);
  }

  write(offset: number, size: 1 | 2 | 4, value: number): void {
    const word = offset & ~3;
    const old = this.regs[word >>> 2];
    const full = size === 4 ? value >>> 0 : merge(old, offset, size, value);
    switch (word) {
      case GT.PCI0_CFGADDR:
        this.regs[word >>> 2] = full;
        this.wiring.pci.write(0xcf8, 4, full);
        return;
      case GT.PCI0_CFGDATA:
        if (!this.selected()) this.regs[GT.INTRCAUSE >>> 2] |= INTRCAUSE_MASABORT0 | 1;
        else this.wiring.pci.write(0xcfc, 4, full);
        return;
      case GT.INTRCAUSE: {
        // bits are cleared by writing 0 to them; bit 0 summarises the rest
        const cause = old & full & ~1;
        this.regs[word >>> 2] = (cause | (cause !== 0 ? 1 : 0)) >>> 0;
        return;
      }
      case GT.PCI0_IACK:
        return;
      default:
        this.store(word, full);
    }
  }
}

function narrow(value: number, offset: number, size: 1 | 2 | 4): number {
  if (size === 4) return value >>> 0;
  const shift = (offset & 3) * 8;
  return (value >>> shift) & (size === 1 ? 0xff : 0xffff);
}

function merge(old: number, offset: number, size: 1 | 2, value: number): number {
  const shift = (offset & 3) * 8;
  const mask = (size === 1 ? 0xff : 0xffff) << shift;
  return ((old & ~mask) | ((value << shift) & mask)) >>> 0;
}
