// Kernel-side page tables for MIPS32, which has no hardware walker: a two-level table in emulated
// memory that the TLB refill path (the TypeScript kernel, or a guest refill handler) reads to load
// the TLB.
//
// Layout, chosen to mirror the IA-32 one so the kernel treats both alike:
//   directory: one 4 KiB frame, 1024 words; word (va >>> 22) is the physical address of a page table
//              (4 KiB aligned) or 0;
//   page table: 1024 words; word ((va >>> 12) & 0x3ff) is the page's EntryLo value (PFN, C, D, V, G)
//              with bit 31 a software "user" flag that is stripped before loading. The even and odd
//              pages of a TLB pair are adjacent words, so a refill loads both with two reads.
// Words are in the bus byte order (big-endian on big-endian boards), as guest code would see them.
import type { FrameSource, MemoryBus, PageAttributes, PageMapping, PageTableEditor } from '../contract.js';
import { AddressRangeError, AlreadyMappedError, NotMappedError, UnalignedAddressError } from '../errors.js';
import { allocZeroedFrame } from '../ia32/page-table-editor.js';
import {
  CACHE_CACHEABLE,
  CACHE_UNCACHED,
  ENTRYHI_ASID_MASK,
  ENTRYLO_C_MASK,
  ENTRYLO_C_SHIFT,
  ENTRYLO_D,
  ENTRYLO_G,
  ENTRYLO_PFN_SHIFT,
  ENTRYLO_V,
  ENTRYLO_WRITABLE_BITS,
  PAGEMASK_4K,
} from './bits.js';
import type { MipsTlb } from './tlb.js';

/** Software-only bit of a page-table word: the page was mapped with `user: true`. */
export const SOFT_USER = 0x8000_0000;

const PAGE = 4096;
/** EntryLo's 24-bit PFN reaches 36-bit physical addresses. */
const PHYSICAL_LIMIT = 0xf_ffff_f000;

function checkPage(value: number, what: string, limit = 0xffff_ffff): void {
  if (!Number.isInteger(value) || value < 0 || value > limit) {
    throw new AddressRangeError(value, `${what} must be an unsigned integer up to 0x${limit.toString(16)}`);
  }
  if (value % PAGE !== 0) throw new UnalignedAddressError(value, PAGE, what);
}

/** EntryLo word (plus SOFT_USER) for a page at `physical` with `attributes`. */
export function mipsEntryLoFor(physical: number, attributes: PageAttributes): number {
  const cache = attributes.uncached ? CACHE_UNCACHED : CACHE_CACHEABLE;
  let word = ((physical / PAGE) << ENTRYLO_PFN_SHIFT) | (cache << ENTRYLO_C_SHIFT) | ENTRYLO_V;
  if (attributes.writable) word |= ENTRYLO_D;
  if (attributes.global) word |= ENTRYLO_G;
  if (attributes.user) word |= SOFT_USER;
  return word >>> 0;
}

export class MipsPageTableEditor implements PageTableEditor {
  readonly pageSize = PAGE;

  /**
   * @param directoryPhysical the directory frame (from `createDirectory`)
   * @param onInvalidate called with each page whose mapping changed or went away (connect it to
   *   `MipsTlb.invalidatePage` while this address space's ASID is current)
   */
  constructor(
    readonly memory: MemoryBus,
    readonly directoryPhysical: number,
    private readonly frames: FrameSource,
    private readonly onInvalidate?: (virtual: number) => void,
  ) {
    checkPage(directoryPhysical, 'page directory address');
    if (directoryPhysical + PAGE > memory.ramSize) {
      throw new AddressRangeError(
        directoryPhysical,
        `page directory lies outside RAM (size ${memory.ramSize})`,
      );
    }
  }

  static createDirectory(memory: MemoryBus, frames: FrameSource): number {
    return allocZeroedFrame(memory, frames);
  }

  /**
   * Maps a 4 KiB page of a TLB-mapped segment (kuseg, kseg2, kseg3). `user: true` is only possible in
   * kuseg; `user: false` in kuseg is recorded but not enforced: MIPS protects by segment, not by page.
   */
  map(virtual: number, physical: number, attributes: PageAttributes): void {
    this.checkMapped(virtual);
    checkPage(physical, 'physical address', PHYSICAL_LIMIT);
    if (attributes.user && virtual >= 0x8000_0000) {
      throw new AddressRangeError(virtual, 'user pages must lie in kuseg (below 0x80000000)');
    }
    const at = this.entryAddress(virtual, true);
    const word = this.memory.read32(at);
    if ((word & ENTRYLO_V) !== 0) throw new AlreadyMappedError(virtual, this.physicalOf(word));
    this.memory.write32(at, mipsEntryLoFor(physical, attributes));
  }

  /** page_map_io: supervisor, writable, uncached (C = 2). */
  mapIo(virtual: number, physical: number): void {
    this.map(virtual, physical, { writable: true, user: false, uncached: true });
  }

  unmap(virtual: number): void {
    const at = this.existing(virtual);
    this.memory.write32(at, 0);
    this.onInvalidate?.(virtual);
  }

  protect(virtual: number, attributes: PageAttributes): void {
    const at = this.existing(virtual);
    if (attributes.user && virtual >= 0x8000_0000) {
      throw new AddressRangeError(virtual, 'user pages must lie in kuseg (below 0x80000000)');
    }
    this.memory.write32(at, mipsEntryLoFor(this.physicalOf(this.memory.read32(at)), attributes));
    this.onInvalidate?.(virtual);
  }

  lookup(virtual: number): PageMapping | undefined {
    this.checkMapped(virtual);
    const at = this.entryAddress(virtual, false);
    if (at < 0) return undefined;
    const word = this.memory.read32(at);
    if ((word & ENTRYLO_V) === 0) return undefined;
    return {
      physical: this.physicalOf(word),
      attributes: {
        writable: (word & ENTRYLO_D) !== 0,
        user: (word & SOFT_USER) !== 0,
        uncached: (word & ENTRYLO_C_MASK) >>> ENTRYLO_C_SHIFT === CACHE_UNCACHED,
        global: (word & ENTRYLO_G) !== 0,
      },
    };
  }

  /**
   * The refill a kernel does on a TLB Refill outcome: loads the even/odd pair covering `virtual` into
   * EntryLo0/1 (software bits stripped), PageMask = 4 KiB, EntryHi = VPN2 | current ASID, then TLBWR.
   * Returns false, touching nothing, when neither page of the pair is mapped. A pair's G is the AND of
   * both pages' G (PRA §4.9), so an unmapped partner of a global page is loaded as G-only (V = 0).
   */
  refill(tlb: MipsTlb, virtual: number): boolean {
    virtual >>>= 0;
    const even = (virtual & ~0x1fff) >>> 0;
    const at = this.entryAddress(even, false);
    if (at < 0) return false;
    let lo0 = this.memory.read32(at) & ENTRYLO_WRITABLE_BITS;
    let lo1 = this.memory.read32(at + 4) & ENTRYLO_WRITABLE_BITS;
    if ((lo0 | lo1) === 0) return false;
    if (lo0 === 0) lo0 = lo1 & ENTRYLO_G;
    if (lo1 === 0) lo1 = lo0 & ENTRYLO_G;
    tlb.setEntryLo0(lo0);
    tlb.setEntryLo1(lo1);
    tlb.setPageMask(PAGEMASK_4K);
    tlb.setEntryHi(even | (tlb.entryHi & ENTRYHI_ASID_MASK));
    tlb.tlbwr();
    return true;
  }

  /** Frees every page table and the directory back to the frame source. */
  release(): void {
    for (let i = 0; i < 1024; i++) {
      const table = this.memory.read32(this.directoryPhysical + i * 4);
      if (table !== 0) this.frames.freeFrame(table);
    }
    this.frames.freeFrame(this.directoryPhysical);
  }

  private physicalOf(word: number): number {
    return ((word >>> ENTRYLO_PFN_SHIFT) & 0xff_ffff) * PAGE;
  }

  private checkMapped(virtual: number): void {
    checkPage(virtual, 'virtual address');
    if (virtual >= 0x8000_0000 && virtual < 0xc000_0000) {
      throw new AddressRangeError(virtual, 'kseg0/kseg1 are unmapped segments; they have no page tables');
    }
  }

  /** Physical address of the word for `virtual`; creates the page table when `create`, else -1 if absent. */
  private entryAddress(virtual: number, create: boolean): number {
    const dirAt = this.directoryPhysical + (virtual >>> 22) * 4;
    let table = this.memory.read32(dirAt);
    if (table === 0) {
      if (!create) return -1;
      table = allocZeroedFrame(this.memory, this.frames);
      this.memory.write32(dirAt, table);
    }
    return table + ((virtual >>> 12) & 0x3ff) * 4;
  }

  private existing(virtual: number): number {
    this.checkMapped(virtual);
    const at = this.entryAddress(virtual, false);
    if (at < 0 || (this.memory.read32(at) & ENTRYLO_V) === 0) throw new NotMappedError(virtual);
    return at;
  }
}
