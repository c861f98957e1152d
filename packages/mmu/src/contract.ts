// The contract other packages code against. Implementations live beside this file;
// this file holds only types, so every package can depend on it from the first day.

/** A device mapped into the physical address space. Offsets are relative to the region base. */
export interface MmioDevice {
  read(offset: number, size: 1 | 2 | 4): number;
  write(offset: number, size: 1 | 2 | 4, value: number): void;
}

/** Byte-addressed physical memory bus: RAM + MMIO + open bus (reads all ones, writes ignored). */
export interface MemoryBus {
  readonly ramSize: number;
  /** The RAM bytes (offset == physical address for RAM). Hot paths index this directly. */
  readonly ram: Uint8Array;
  read8(addr: number): number;
  read16(addr: number): number;
  read32(addr: number): number;
  read64(addr: number): bigint;
  write8(addr: number, value: number): void;
  write16(addr: number, value: number): void;
  write32(addr: number, value: number): void;
  write64(addr: number, value: bigint): void;
}

/** Architecture-neutral attributes of one mapped page. */
export interface PageAttributes {
  writable: boolean;
  user: boolean;
  /** page_map_io: PCD|PWT on IA-32, C=2 on MIPS. */
  uncached?: boolean;
  /** Survives address-space switches (IA-32 G bit with CR4.PGE, MIPS G). */
  global?: boolean;
}

export interface PageMapping {
  physical: number;
  attributes: PageAttributes;
}

/**
 * What kernel code uses to edit page tables (or TLB-refill tables) of one address space.
 * All addresses are page aligned (4 KiB); misuse throws a typed MmuError.
 */
export interface PageTableEditor {
  readonly pageSize: number;
  map(virtual: number, physical: number, attributes: PageAttributes): void;
  /** page_map_io: map + uncached, supervisor, writable. */
  mapIo(virtual: number, physical: number): void;
  unmap(virtual: number): void;
  protect(virtual: number, attributes: PageAttributes): void;
  lookup(virtual: number): PageMapping | undefined;
}

/** Source of page frames for page tables (physalloc supplies one; tests may use a bump allocator). */
export interface FrameSource {
  /** Physical address of a zero-filled or to-be-zeroed 4 KiB frame. */
  allocFrame(): number;
  freeFrame(physical: number): void;
}
