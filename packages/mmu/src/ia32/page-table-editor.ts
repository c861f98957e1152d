// Kernel-side editor of one IA-32 address space: a page directory and its page tables, kept in
// emulated RAM exactly as the MMU walks them.
import type { FrameSource, MemoryBus, PageAttributes, PageMapping, PageTableEditor } from '../contract.js';
import {
  AddressRangeError,
  AlreadyMappedError,
  LargePageConflictError,
  NotMappedError,
  UnalignedAddressError,
} from '../errors.js';
import {
  LARGE_PAGE_SIZE,
  PAGE_SIZE,
  PDE_LARGE_FRAME,
  PDE_PS,
  PTE_FRAME,
  PTE_G,
  PTE_P,
  PTE_PCD,
  PTE_PWT,
  PTE_RW,
  PTE_US,
} from './bits.js';

/** A page table's PDE grants everything; the PTE alone decides (the PDE ANDs with it). */
const TABLE_PDE_FLAGS = PTE_P | PTE_RW | PTE_US;

function checkAddress(value: number, alignment: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff) {
    throw new AddressRangeError(value, `${what} must be a 32-bit unsigned integer`);
  }
  if (value % alignment !== 0) throw new UnalignedAddressError(value, alignment, what);
}

/** PTE/PDE flag bits for architecture-neutral attributes (present is implied). */
export function ia32FlagsFor(attributes: PageAttributes): number {
  let flags = PTE_P;
  if (attributes.writable) flags |= PTE_RW;
  if (attributes.user) flags |= PTE_US;
  if (attributes.uncached) flags |= PTE_PCD | PTE_PWT;
  if (attributes.global) flags |= PTE_G;
  return flags;
}

function attributesOf(entry: number, directoryEntry: number): PageAttributes {
  return {
    writable: (entry & directoryEntry & PTE_RW) !== 0,
    user: (entry & directoryEntry & PTE_US) !== 0,
    uncached: (entry & PTE_PCD) !== 0,
    global: (entry & PTE_G) !== 0,
  };
}

export class Ia32PageTableEditor implements PageTableEditor {
  readonly pageSize = PAGE_SIZE;

  /**
   * @param cr3Physical physical address of the page directory (4 KiB aligned; the CR3 value without flags)
   * @param onInvalidate called with the virtual address of every page whose entry changed or went away
   *   (connect it to `Ia32Mmu.invlpg` for the address space that is live)
   */
  constructor(
    readonly memory: MemoryBus,
    readonly cr3Physical: number,
    private readonly frames: FrameSource,
    private readonly onInvalidate?: (virtual: number) => void,
  ) {
    checkAddress(cr3Physical, PAGE_SIZE, 'page directory address');
    if (cr3Physical + PAGE_SIZE > memory.ramSize) {
      throw new AddressRangeError(cr3Physical, `page directory lies outside RAM (size ${memory.ramSize})`);
    }
  }

  /** Allocates a zeroed page directory from `frames` and returns its physical address (a CR3 value). */
  static createPageDirectory(memory: MemoryBus, frames: FrameSource): number {
    return allocZeroedFrame(memory, frames);
  }

  map(virtual: number, physical: number, attributes: PageAttributes): void {
    checkAddress(virtual, PAGE_SIZE, 'virtual address');
    checkAddress(physical, PAGE_SIZE, 'physical address');
    const pdeAddress = this.pdeAddress(virtual);
    let pde = this.memory.read32(pdeAddress);
    if ((pde & PTE_P) !== 0 && (pde & PDE_PS) !== 0) {
      throw new LargePageConflictError(virtual, 'lies inside a 4 MiB page; unmapLarge it first');
    }
    if ((pde & PTE_P) === 0) {
      pde = (allocZeroedFrame(this.memory, this.frames) | TABLE_PDE_FLAGS) >>> 0;
      this.memory.write32(pdeAddress, pde);
    }
    const pteAddress = ((pde & PTE_FRAME) >>> 0) + ((virtual >>> 10) & 0xffc);
    const pte = this.memory.read32(pteAddress);
    if ((pte & PTE_P) !== 0) throw new AlreadyMappedError(virtual, (pte & PTE_FRAME) >>> 0);
    this.memory.write32(pteAddress, physical | ia32FlagsFor(attributes));
  }

  mapIo(virtual: number, physical: number): void {
    this.map(virtual, physical, { writable: true, user: false, uncached: true });
  }

  /** Maps a 4 MiB page with one PDE (the MMU honours it only with CR4.PSE set). */
  mapLarge(virtual: number, physical: number, attributes: PageAttributes): void {
    checkAddress(virtual, LARGE_PAGE_SIZE, 'virtual address');
    checkAddress(physical, LARGE_PAGE_SIZE, 'physical address');
    const pdeAddress = this.pdeAddress(virtual);
    const pde = this.memory.read32(pdeAddress);
    if ((pde & PTE_P) !== 0) {
      if ((pde & PDE_PS) !== 0) throw new AlreadyMappedError(virtual, (pde & PDE_LARGE_FRAME) >>> 0);
      throw new LargePageConflictError(virtual, 'a page table is already installed for this 4 MiB region');
    }
    this.memory.write32(pdeAddress, physical | ia32FlagsFor(attributes) | PDE_PS);
  }

  unmap(virtual: number): void {
    const pteAddress = this.existingPte(virtual);
    this.memory.write32(pteAddress, 0);
    this.onInvalidate?.(virtual);
  }

  /** Removes a 4 MiB mapping made by mapLarge. */
  unmapLarge(virtual: number): void {
    checkAddress(virtual, LARGE_PAGE_SIZE, 'virtual address');
    const pdeAddress = this.pdeAddress(virtual);
    const pde = this.memory.read32(pdeAddress);
    if ((pde & PTE_P) === 0 || (pde & PDE_PS) === 0) throw new NotMappedError(virtual);
    this.memory.write32(pdeAddress, 0);
    this.onInvalidate?.(virtual);
  }

  /** Replaces the attributes of a mapped page, keeping its frame. Works on 4 MiB pages too. */
  protect(virtual: number, attributes: PageAttributes): void {
    checkAddress(virtual, PAGE_SIZE, 'virtual address');
    const pdeAddress = this.pdeAddress(virtual);
    const pde = this.memory.read32(pdeAddress);
    if ((pde & PTE_P) !== 0 && (pde & PDE_PS) !== 0) {
      // Keep the frame, PS and the accessed/dirty state; replace the permission bits.
      const kept = pde & (PDE_LARGE_FRAME | PDE_PS | 0x60);
      this.memory.write32(pdeAddress, kept | ia32FlagsFor(attributes));
      this.onInvalidate?.((virtual & PDE_LARGE_FRAME) >>> 0);
      return;
    }
    const pteAddress = this.existingPte(virtual);
    const pte = this.memory.read32(pteAddress);
    this.memory.write32(pteAddress, (pte & (PTE_FRAME | 0x60)) | ia32FlagsFor(attributes));
    this.onInvalidate?.(virtual);
  }

  lookup(virtual: number): PageMapping | undefined {
    checkAddress(virtual, PAGE_SIZE, 'virtual address');
    const pde = this.memory.read32(this.pdeAddress(virtual));
    if ((pde & PTE_P) === 0) return undefined;
    if ((pde & PDE_PS) !== 0) {
      const physical = ((pde & PDE_LARGE_FRAME) >>> 0) + (virtual & (LARGE_PAGE_SIZE - PAGE_SIZE));
      return { physical, attributes: attributesOf(pde, pde) };
    }
    const pte = this.memory.read32(((pde & PTE_FRAME) >>> 0) + ((virtual >>> 10) & 0xffc));
    if ((pte & PTE_P) === 0) return undefined;
    return { physical: (pte & PTE_FRAME) >>> 0, attributes: attributesOf(pte, pde) };
  }

  /** Physical address of the PTE for `virtual`, or undefined when no page table covers it. */
  pteAddress(virtual: number): number | undefined {
    const pde = this.memory.read32(this.pdeAddress(virtual >>> 0));
    if ((pde & PTE_P) === 0 || (pde & PDE_PS) !== 0) return undefined;
    return ((pde & PTE_FRAME) >>> 0) + ((virtual >>> 10) & 0xffc);
  }

  /**
   * Frees every page table and the page directory back to the frame source. The editor must not be
   * used afterwards; mapped data frames are the caller's.
   */
  release(): void {
    for (let index = 0; index < 1024; index++) {
      const pde = this.memory.read32(this.cr3Physical + index * 4);
      if ((pde & PTE_P) !== 0 && (pde & PDE_PS) === 0) this.frames.freeFrame((pde & PTE_FRAME) >>> 0);
    }
    this.frames.freeFrame(this.cr3Physical);
  }

  private pdeAddress(virtual: number): number {
    return this.cr3Physical + (virtual >>> 22) * 4;
  }

  private existingPte(virtual: number): number {
    checkAddress(virtual, PAGE_SIZE, 'virtual address');
    const pde = this.memory.read32(this.pdeAddress(virtual));
    if ((pde & PTE_P) === 0) throw new NotMappedError(virtual);
    if ((pde & PDE_PS) !== 0)
      throw new LargePageConflictError(virtual, 'lies inside a 4 MiB page; use unmapLarge');
    const pteAddress = ((pde & PTE_FRAME) >>> 0) + ((virtual >>> 10) & 0xffc);
    if ((this.memory.read32(pteAddress) & PTE_P) === 0) throw new NotMappedError(virtual);
    return pteAddress;
  }
}

/** Allocates a frame and zero-fills it through the bus (FrameSource may hand out dirty frames). */
export function allocZeroedFrame(memory: MemoryBus, frames: FrameSource): number {
  const frame = frames.allocFrame();
  if (
    !Number.isInteger(frame) ||
    frame % PAGE_SIZE !== 0 ||
    frame < 0 ||
    frame + PAGE_SIZE > memory.ramSize
  ) {
    frames.freeFrame(frame);
    throw new AddressRangeError(
      frame,
      `frame from the frame source is unaligned or outside RAM (size ${memory.ramSize})`,
    );
  }
  memory.ram.fill(0, frame, frame + PAGE_SIZE);
  return frame;
}
