// page_map_io: device memory mapped uncached into ranges of the address-space pool.
import type { PageTableEditor } from '@phantasm/mmu';
import { type AddressSpaceAllocator, PAGE_SIZE } from './address-space.js';
import { InvalidRequestError, UnknownRangeError } from './errors.js';

/** Physical addresses are 32-bit on the boards we map for (IA-32 without PAE, MIPS32). */
const PHYSICAL_LIMIT = 2 ** 32;

export interface IoMapping {
  /** The address mapIo returned (page base + the physical address's offset in its page). */
  virtual: number;
  physical: number;
  size: number;
  pages: number;
}

export class IoMapper {
  private readonly mappings = new Map<number, IoMapping>();

  constructor(
    readonly space: AddressSpaceAllocator,
    readonly editor: PageTableEditor,
  ) {
    if (editor.pageSize !== PAGE_SIZE) {
      throw new InvalidRequestError(`page-table editor page size ${editor.pageSize}, expected ${PAGE_SIZE}`);
    }
  }

  /**
   * Maps [physical, physical + size) uncached, supervisor, writable; returns the virtual address
   * of `physical` (same offset within its page). If the editor fails part way, the pages mapped
   * so far are unmapped and the range is freed before the error is rethrown.
   */
  mapIo(physical: number, size: number): number {
    if (!Number.isSafeInteger(physical) || physical < 0)
      throw new InvalidRequestError(`bad physical address: ${physical}`);
    if (!Number.isSafeInteger(size) || size < 1) throw new InvalidRequestError(`bad size: ${size}`);
    if (physical + size > PHYSICAL_LIMIT) {
      throw new InvalidRequestError(
        `0x${physical.toString(16)} + 0x${size.toString(16)} passes the 4 GiB physical limit`,
      );
    }
    const offset = physical % PAGE_SIZE;
    const physBase = physical - offset;
    const pages = Math.ceil((offset + size) / PAGE_SIZE);
    const base = this.space.alloc(pages);
    let mapped = 0;
    try {
      for (; mapped < pages; mapped++)
        this.editor.mapIo(base + mapped * PAGE_SIZE, physBase + mapped * PAGE_SIZE);
    } catch (e) {
      for (let i = 0; i < mapped; i++) this.editor.unmap(base + i * PAGE_SIZE);
      this.space.free(base);
      throw e;
    }
    const virtual = base + offset;
    this.mappings.set(base, { virtual, physical, size, pages });
    return virtual;
  }

  /** Unmaps what mapIo mapped; `virtual` must be the address mapIo returned. */
  unmapIo(virtual: number): void {
    if (!Number.isSafeInteger(virtual) || virtual < 0) throw new UnknownRangeError(virtual, 'not an address');
    const base = virtual - (virtual % PAGE_SIZE);
    const m = this.mappings.get(base);
    if (!m)
      throw new UnknownRangeError(
        virtual,
        'no device mapping starts there (never mapped, or unmapped already)',
      );
    if (m.virtual !== virtual) {
      throw new UnknownRangeError(virtual, `the mapping there was returned as 0x${m.virtual.toString(16)}`);
    }
    for (let i = 0; i < m.pages; i++) this.editor.unmap(base + i * PAGE_SIZE);
    this.mappings.delete(base);
    this.space.free(base);
  }

  /** Live device mappings in address order. */
  list(): IoMapping[] {
    return [...this.mappings.values()].sort((a, b) => a.virtual - b.virtual);
  }
}
