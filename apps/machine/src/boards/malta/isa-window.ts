// The GT-64120's PCI I/O window: physical accesses at ISA_WINDOW + port become port cycles on
// the PCI/ISA bus (so COM1's port 0x3F8 is phys 0x180003F8, kseg1 0xB80003F8). Ports above
// 0xFFFF read all ones. The board sees every access first (to bring virtual time up to date)
// and after it (to update the CPU's interrupt line).
import type { MmioDevice } from '@phantasm/mmu';
import { ALL_ONES, type PortDevice } from '../../devices/types.js';

/** Where YAMON (and QEMU's boot loader) put PCI I/O space: 0x18000000-0x181FFFFF. */
export const ISA_WINDOW = 0x1800_0000;
export const ISA_WINDOW_SIZE = 0x20_0000;

export interface PortAccessObserver {
  /** Before an access to `port`. */
  before(port: number): void;
  /** After any access. */
  after(): void;
}

export class IsaWindow implements MmioDevice {
  constructor(
    private readonly bus: PortDevice,
    private readonly observer: PortAccessObserver,
  ) {}

  read(offset: number, size: 1 | 2 | 4): number {
    if (offset + size > 0x10000) return ALL_ONES[size];
    this.observer.before(offset);
    const value = this.bus.read(offset, size);
    this.observer.after();
    return value;
  }

  write(offset: number, size: 1 | 2 | 4, value: number): void {
    if (offset + size > 0x10000) return;
    this.observer.before(offset);
    this.bus.write(offset, size, value);
    this.observer.after();
  }
}
