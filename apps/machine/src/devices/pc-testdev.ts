// QEMU's "pc-testdev", the ISA test device kvm-unit-tests' x86 run script adds (-device pc-testdev):
// a 32-bit scratch port at 0xE0 (and byte-wise at 0xE8), a page-flush port at 0xE4 (nothing to
// flush here: the CPU caches no translations of its own), 24 ISA interrupt lines driven by writes
// to 0x2000 + n (non-zero raises, zero lowers), and 64 KiB of memory-mapped scratch RAM at
// 0xFF000000 that tests map to exercise MMIO instruction emulation. Opt-in (PcBoardOptions.testDevice).
import type { MmioDevice } from '@phantasm/mmu';
import { base64, type DeviceRecord, RecordReader, type SavableDevice } from './state.js';
import type { IrqSink, PortDevice } from './types.js';

export const TESTDEV_IOMEM_BASE = 0xff000000;
export const TESTDEV_IOMEM_SIZE = 0x10000;
export const TESTDEV_IRQ_PORT = 0x2000;
export const TESTDEV_IRQ_LINES = 24;

const WIDTH = { 1: 0xff, 2: 0xffff, 4: 0xffffffff } as const;

export class PcTestdev implements PortDevice, SavableDevice {
  private scratch = 0;
  readonly iomem = new Uint8Array(TESTDEV_IOMEM_SIZE);
  /** The 64 KiB window as an MMIO device (little-endian, any width). */
  readonly window: MmioDevice = {
    read: (offset, size) => {
      let v = 0;
      for (let i = size - 1; i >= 0; i--) v = (v << 8) | (this.iomem[offset + i] ?? 0);
      return v >>> 0;
    },
    write: (offset, size, value) => {
      for (let i = 0; i < size && offset + i < TESTDEV_IOMEM_SIZE; i++)
        this.iomem[offset + i] = (value >>> (8 * i)) & 0xff;
    },
  };

  constructor(private readonly irq: IrqSink) {}

  read(port: number, size: 1 | 2 | 4): number {
    if ((port >= 0xe0 && port <= 0xe3) || (port >= 0xe8 && port <= 0xeb)) {
      return ((this.scratch >>> ((port & 3) * 8)) & WIDTH[size]) >>> 0;
    }
    return 0;
  }

  write(port: number, size: 1 | 2 | 4, value: number): void {
    if ((port >= 0xe0 && port <= 0xe3) || (port >= 0xe8 && port <= 0xeb)) {
      const shift = (port & 3) * 8;
      const mask = (WIDTH[size] << shift) >>> 0;
      this.scratch = ((this.scratch & ~mask) | ((value << shift) & mask)) >>> 0;
    } else if (port >= TESTDEV_IRQ_PORT && port < TESTDEV_IRQ_PORT + TESTDEV_IRQ_LINES) {
      const line = port - TESTDEV_IRQ_PORT;
      if (line < 16) this.irq.setIrq(line, (value & 0xff) !== 0);
    }
  }

  save(): DeviceRecord {
    return { version: 1, scratch: this.scratch, iomem: base64(this.iomem) };
  }

  load(record: DeviceRecord): void {
    const r = new RecordReader('pc-testdev', record, [1]);
    const scratch = r.int('scratch', 0, 0xffffffff);
    const iomem = r.bytes('iomem', TESTDEV_IOMEM_SIZE);
    this.scratch = scratch;
    this.iomem.set(iomem);
  }
}
