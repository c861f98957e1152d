// Physical address space: RAM at 0 .. ramSize, MMIO regions routed to devices, and open bus
// everywhere else. The fast path for RAM is one table lookup and one typed-array access.
import type { MemoryBus, MmioDevice } from './contract.js';
import { AddressRangeError, InvalidArgumentError, MmioNotMappedError, MmioOverlapError } from './errors.js';
import { WasmArena } from './wasm-arena.js';

export interface PhysicalMemoryOptions {
  /** Bytes of RAM, mapped at physical address 0. At most 4 GiB. */
  ramSize: number;
  /** Byte order of multi-byte accesses (MIPS big-endian boards). Default false: little-endian. */
  bigEndian?: boolean;
  /**
   * Place RAM at offset 0 of a WebAssembly.Memory with this many bytes after it for tables
   * (`arena`): what a CPU's WebAssembly code generator needs. Default 0: a plain ArrayBuffer.
   */
  wasmTableBytes?: number;
}

/** One mapped MMIO region; `end` is exclusive. */
export interface MmioRegion {
  readonly base: number;
  readonly size: number;
  readonly end: number;
  readonly device: MmioDevice;
}

const ADDRESS_SPACE = 0x1_0000_0000;
const PAGE_SHIFT = 12;
const PAGE_COUNT = 1 << 20;

export class PhysicalMemory implements MemoryBus {
  declare readonly ramSize: number;
  declare readonly ram: Uint8Array;
  /** DataView over `ram` for multi-byte accesses in the bus byte order. */
  declare readonly view: DataView;
  /** The WebAssembly memory holding `ram` and its tables (only with `wasmTableBytes`). */
  declare readonly arena: WasmArena | undefined;
  declare readonly bigEndian: boolean;
  /** Read cycles that hit neither RAM nor a device (they returned all ones). */
  openBusReads = 0;
  /** Write cycles that hit neither RAM nor a device (they were dropped). */
  openBusWrites = 0;
  /**
   * One byte per 4 KiB physical page: 0 when the whole page is RAM and no MMIO region touches it
   * (the only pages a translation cache may point straight into `ram`), 1 otherwise.
   */
  declare readonly slowPages: Uint8Array;
  /** Incremented by every mapMmio/unmapMmio, so caches of `slowPages` can tell they are stale. */
  layoutGeneration = 0;

  declare private readonly littleEndian: boolean;
  private regions: MmioRegion[] = [];
  private readonly layoutListeners: Array<() => void> = [];

  constructor(options: PhysicalMemoryOptions) {
    const { ramSize } = options;
    if (!Number.isInteger(ramSize) || ramSize < 0 || ramSize > ADDRESS_SPACE) {
      throw new InvalidArgumentError(`ramSize ${ramSize} must be an integer between 0 and 4 GiB`);
    }
    this.ramSize = ramSize;
    this.bigEndian = options.bigEndian === true;
    this.littleEndian = !this.bigEndian;
    const tableBytes = options.wasmTableBytes ?? 0;
    this.arena = tableBytes > 0 ? new WasmArena(ramSize, tableBytes) : undefined;
    this.ram = new Uint8Array(this.arena?.memory.buffer ?? new ArrayBuffer(ramSize), 0, ramSize);
    this.view = new DataView(this.ram.buffer, 0, ramSize);
    this.slowPages = this.arena?.bytes(PAGE_COUNT) ?? new Uint8Array(PAGE_COUNT);
    // With no MMIO yet, only pages not wholly inside RAM are slow.
    this.slowPages.fill(1, Math.floor(ramSize / 4096));
  }

  // ---- hot paths: plain RAM pages, access wholly inside one page ----
  // The byte order is passed to DataView as a literal in each branch: TurboFan then emits a plain
  // load instead of a byte-order test per access.

  read8(addr: number): number {
    addr >>>= 0;
    if (this.slowPages[addr >>> PAGE_SHIFT] === 0) return this.ram[addr];
    return this.slowRead(addr, 1);
  }

  read16(addr: number): number {
    addr >>>= 0;
    if ((addr & 0xfff) !== 0xfff && this.slowPages[addr >>> PAGE_SHIFT] === 0) {
      return this.littleEndian ? this.view.getUint16(addr, true) : this.view.getUint16(addr, false);
    }
    return this.slowRead(addr, 2);
  }

  read32(addr: number): number {
    addr >>>= 0;
    if ((addr & 0xfff) <= 0xffc && this.slowPages[addr >>> PAGE_SHIFT] === 0) {
      return this.littleEndian ? this.view.getUint32(addr, true) : this.view.getUint32(addr, false);
    }
    return this.slowRead(addr, 4);
  }

  read64(addr: number): bigint {
    addr >>>= 0;
    if ((addr & 0xfff) <= 0xff8 && this.slowPages[addr >>> PAGE_SHIFT] === 0) {
      return this.littleEndian ? this.view.getBigUint64(addr, true) : this.view.getBigUint64(addr, false);
    }
    // Two 32-bit bus cycles; the order of the halves follows the byte order.
    const first = BigInt(this.read32(addr));
    const second = BigInt(this.read32(addr + 4));
    return this.littleEndian ? (second << 32n) | first : (first << 32n) | second;
  }

  write8(addr: number, value: number): void {
    addr >>>= 0;
    if (this.slowPages[addr >>> PAGE_SHIFT] === 0) {
      this.ram[addr] = value;
      return;
    }
    this.slowWrite(addr, 1, value & 0xff);
  }

  write16(addr: number, value: number): void {
    addr >>>= 0;
    if ((addr & 0xfff) !== 0xfff && this.slowPages[addr >>> PAGE_SHIFT] === 0) {
      if (this.littleEndian) this.view.setUint16(addr, value, true);
      else this.view.setUint16(addr, value, false);
      return;
    }
    this.slowWrite(addr, 2, value & 0xffff);
  }

  write32(addr: number, value: number): void {
    addr >>>= 0;
    if ((addr & 0xfff) <= 0xffc && this.slowPages[addr >>> PAGE_SHIFT] === 0) {
      if (this.littleEndian) this.view.setUint32(addr, value, true);
      else this.view.setUint32(addr, value, false);
      return;
    }
    this.slowWrite(addr, 4, value >>> 0);
  }

  write64(addr: number, value: bigint): void {
    addr >>>= 0;
    if ((addr & 0xfff) <= 0xff8 && this.slowPages[addr >>> PAGE_SHIFT] === 0) {
      if (this.littleEndian) this.view.setBigUint64(addr, value, true);
      else this.view.setBigUint64(addr, value, false);
      return;
    }
    const low = Number(value & 0xffff_ffffn);
    const high = Number((value >> 32n) & 0xffff_ffffn);
    this.write32(addr, this.littleEndian ? low : high);
    this.write32(addr + 4, this.littleEndian ? high : low);
  }

  // ---- bulk helpers (not hot; they allocate) ----

  /** Copies `length` bytes starting at `addr` out of the bus (devices and open bus included). */
  readBytes(addr: number, length: number): Uint8Array {
    addr >>>= 0;
    const out = new Uint8Array(length);
    if (this.isPlainRam(addr, length)) {
      out.set(this.ram.subarray(addr, addr + length));
      return out;
    }
    for (let i = 0; i < length; i++) out[i] = this.read8(addr + i);
    return out;
  }

  /** Writes `data` starting at `addr` (devices see byte writes; open bus drops them). */
  writeBytes(addr: number, data: ArrayLike<number>): void {
    addr >>>= 0;
    if (this.isPlainRam(addr, data.length)) {
      this.ram.set(data, addr);
      return;
    }
    for (let i = 0; i < data.length; i++) this.write8(addr + i, data[i]);
  }

  // ---- MMIO ----

  /** Routes [base, base+size) to `device`. Regions may shadow RAM; they may not overlap each other. */
  mapMmio(base: number, size: number, device: MmioDevice): void {
    if (!Number.isInteger(base) || base < 0 || base >= ADDRESS_SPACE) {
      throw new AddressRangeError(base, 'MMIO base must be an integer physical address below 4 GiB');
    }
    if (!Number.isInteger(size) || size <= 0 || base + size > ADDRESS_SPACE) {
      throw new AddressRangeError(base, `MMIO size ${size} must be positive and end at or below 4 GiB`);
    }
    const end = base + size;
    for (const region of this.regions) {
      if (base < region.end && region.base < end) {
        throw new MmioOverlapError(base, size, region.base, region.size);
      }
    }
    const region: MmioRegion = { base, size, end, device };
    this.regions = [...this.regions, region].sort((a, b) => a.base - b.base);
    this.refreshPages(base, end);
  }

  /** Removes the region that starts at `base`; RAM or open bus shows through again. */
  unmapMmio(base: number): void {
    const region = this.regions.find((r) => r.base === base);
    if (region === undefined) throw new MmioNotMappedError(base);
    this.regions = this.regions.filter((r) => r !== region);
    this.refreshPages(region.base, region.end);
  }

  /** The mapped MMIO regions, sorted by base. */
  mmioRegions(): readonly MmioRegion[] {
    return this.regions;
  }

  /** Called after every change of the MMIO layout (translation caches flush themselves). Returns an unsubscribe. */
  onLayoutChange(listener: () => void): () => void {
    this.layoutListeners.push(listener);
    return () => {
      const at = this.layoutListeners.indexOf(listener);
      if (at >= 0) this.layoutListeners.splice(at, 1);
    };
  }

  /** True when [addr, addr+length) is RAM that no MMIO region touches. */
  isPlainRam(addr: number, length: number): boolean {
    if (addr < 0 || length < 0 || addr + length > this.ramSize) return false;
    return length === 0 || this.regionOverlapping(addr, addr + length) === undefined;
  }

  // ---- slow paths ----

  private slowRead(addr: number, size: 1 | 2 | 4): number {
    const end = addr + size;
    const region = this.regionOverlapping(addr, end);
    if (region !== undefined) {
      if (addr >= region.base && end <= region.end) {
        const value = region.device.read(addr - region.base, size);
        return size === 4 ? value >>> 0 : value & (size === 1 ? 0xff : 0xffff);
      }
    } else if (end <= this.ramSize) {
      if (size === 1) return this.ram[addr];
      return size === 2
        ? this.view.getUint16(addr, this.littleEndian)
        : this.view.getUint32(addr, this.littleEndian);
    } else if (addr >= this.ramSize) {
      this.openBusReads++;
      return size === 4 ? 0xffff_ffff : size === 2 ? 0xffff : 0xff;
    }
    // The access straddles RAM, a device or open bus: split it into byte cycles.
    let value = 0;
    for (let i = 0; i < size; i++) {
      const byte = this.slowRead((addr + i) >>> 0, 1);
      const shift = this.littleEndian ? i * 8 : (size - 1 - i) * 8;
      value += byte * 2 ** shift;
    }
    return value;
  }

  private slowWrite(addr: number, size: 1 | 2 | 4, value: number): void {
    const end = addr + size;
    const region = this.regionOverlapping(addr, end);
    if (region !== undefined) {
      if (addr >= region.base && end <= region.end) {
        region.device.write(addr - region.base, size, value);
        return;
      }
    } else if (end <= this.ramSize) {
      if (size === 1) this.ram[addr] = value;
      else if (size === 2) this.view.setUint16(addr, value, this.littleEndian);
      else this.view.setUint32(addr, value, this.littleEndian);
      return;
    } else if (addr >= this.ramSize) {
      this.openBusWrites++;
      return;
    }
    for (let i = 0; i < size; i++) {
      const shift = this.littleEndian ? i * 8 : (size - 1 - i) * 8;
      this.slowWrite((addr + i) >>> 0, 1, Math.floor(value / 2 ** shift) & 0xff);
    }
  }

  private regionOverlapping(addr: number, end: number): MmioRegion | undefined {
    const regions = this.regions;
    for (let i = 0; i < regions.length; i++) {
      const region = regions[i];
      if (addr < region.end && region.base < end) return region;
    }
    return undefined;
  }

  private computeSlow(page: number): number {
    const start = page * 4096;
    const end = start + 4096;
    if (end > this.ramSize) return 1;
    return this.regionOverlapping(start, end) === undefined ? 0 : 1;
  }

  private refreshPages(base: number, end: number): void {
    const last = Math.floor((end - 1) / 4096);
    for (let page = Math.floor(base / 4096); page <= last; page++)
      this.slowPages[page] = this.computeSlow(page);
    this.layoutGeneration++;
    for (const listener of this.layoutListeners) listener();
  }
}
