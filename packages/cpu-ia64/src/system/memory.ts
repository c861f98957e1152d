// Memory as a system-mode CPU sees it: the GuestMemory pages are physical RAM; loads, stores and the
// register stack engine translate through the TLB when psr.dt is on, instruction fetches when
// psr.it is on; physical device windows (MMIO) come before RAM. A translation fault becomes an
// interruption through the translator callbacks (which raise; they never return a fault).
import { GuestMemory } from '../memory.js';

/** A device window in physical memory. Offsets are relative to `base`. */
export interface Ia64Mmio {
  base: bigint;
  size: bigint;
  read(offset: number, size: number): bigint;
  write(offset: number, size: number, value: bigint): void;
}

/** Translation as the system provides it: a physical address, or it raises the fault. */
export interface Ia64Translator {
  data(va: bigint, write: boolean): bigint;
  fetch(ip: bigint): bigint;
}

const PAGE_MASK = 0xfffn;
/** Physical addressing: bit 63 selects the uncacheable attribute, the rest is the address. */
const PHYSICAL_MASK = (1n << 63n) - 1n;

export class SystemMemory extends GuestMemory {
  translator: Ia64Translator | undefined;
  readonly mmio: Ia64Mmio[] = [];

  addMmio(device: Ia64Mmio): void {
    this.mmio.push(device);
  }

  private device(pa: bigint): Ia64Mmio | undefined {
    for (const d of this.mmio) if (pa >= d.base && pa < d.base + d.size) return d;
    return undefined;
  }

  private physical(va: bigint, write: boolean): bigint {
    return this.translator ? this.translator.data(va, write) : va & PHYSICAL_MASK;
  }

  /** Physical read: a device window or RAM. */
  readPhysical(pa: bigint, size: number): bigint | undefined {
    const d = this.mmio.length ? this.device(pa) : undefined;
    return d ? d.read(Number(pa - d.base), size) : super.read(pa, size);
  }

  writePhysical(pa: bigint, size: number, value: bigint): boolean {
    const d = this.mmio.length ? this.device(pa) : undefined;
    if (d) {
      d.write(Number(pa - d.base), size, value);
      return true;
    }
    return super.write(pa, size, value);
  }

  override read(addr: bigint, size: number): bigint | undefined {
    if ((addr & PAGE_MASK) + BigInt(size) > 0x1000n) return this.readBytewise(addr, size);
    return this.readPhysical(this.physical(addr, false), size);
  }

  override write(addr: bigint, size: number, value: bigint): boolean {
    if ((addr & PAGE_MASK) + BigInt(size) > 0x1000n) {
      for (let i = 0; i < size; i++)
        if (!this.write(addr + BigInt(i), 1, value >> BigInt(8 * i))) return false;
      return true;
    }
    return this.writePhysical(this.physical(addr, true), size, value);
  }

  override isMapped(addr: bigint): boolean {
    return this.readPhysical(this.physical(addr, false), 1) !== undefined;
  }

  override fetchAddress(ip: bigint): bigint {
    return this.translator ? this.translator.fetch(ip) : ip & PHYSICAL_MASK;
  }

  override fetchRead(physical: bigint): bigint | undefined {
    return super.read(physical, 8);
  }
}
