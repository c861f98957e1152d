// A range allocator for unbacked kernel address space. Free ranges live in a treap keyed by
// address (free-tree.ts) and are always coalesced; live allocations in a hash map by start.
//
// Cost per operation, n = number of free ranges:
//   alloc   O(log n) expected: one descent for the lowest range of >= pages + align - 1 pages
//           (always fits once aligned); only if that fails, a scan of the ranges of >= pages
//           pages for one that happens to fit aligned (O(k log n) for k such ranges).
//   free    O(1) lookup + O(log n) insert with coalescing.
//   reserve O(log n).
import {
  AlignmentError,
  DoubleFreeError,
  InvalidRequestError,
  OutOfAddressSpaceError,
  OverlapError,
  UnknownRangeError,
} from './errors.js';
import { type FreeRange, FreeTree } from './free-tree.js';
import { type Arch, IA32_POOL, POOLS, type Pool } from './pools.js';

export const PAGE_SIZE = 4096;

export interface AllocOptions {
  /** Alignment of the range in bytes: a power of two; below a page it means a page. */
  align?: number;
}

export interface AspaceStats {
  poolPages: number;
  freePages: number;
  allocatedPages: number;
  reservedPages: number;
  /** Number of (coalesced) free ranges. */
  freeRanges: number;
  largestFreeRange: number;
  allocations: number;
}

export class AddressSpaceAllocator {
  readonly start: number;
  readonly end: number;
  private readonly firstPage: number;
  private readonly endPage: number;
  private readonly tree = new FreeTree();
  /** Start page -> pages of a live allocation, or -pages of a reservation (no object per entry). */
  private readonly live = new Map<number, number>();
  private freePages: number;
  private reservedPages = 0;

  constructor(pool: Pool = IA32_POOL) {
    for (const [what, v] of [
      ['pool start', pool.start],
      ['pool end', pool.end],
    ] as const) {
      if (!Number.isSafeInteger(v) || v < 0 || v % PAGE_SIZE !== 0) throw new AlignmentError(v, what);
    }
    if (pool.end <= pool.start)
      throw new InvalidRequestError(`empty pool: 0x${pool.start.toString(16)}-0x${pool.end.toString(16)}`);
    this.start = pool.start;
    this.end = pool.end;
    this.firstPage = pool.start / PAGE_SIZE;
    this.endPage = pool.end / PAGE_SIZE;
    this.freePages = this.endPage - this.firstPage;
    this.tree.insert(this.firstPage, this.freePages);
  }

  static forArch(arch: Arch): AddressSpaceAllocator {
    return new AddressSpaceAllocator(POOLS[arch]);
  }

  /** `pages` pages of address space; returns the first byte's address. */
  alloc(pages: number, options: AllocOptions = {}): number {
    if (!Number.isSafeInteger(pages) || pages < 1)
      throw new InvalidRequestError(`page count must be a positive integer: ${pages}`);
    const alignPages = this.alignPages(options.align);
    let range = this.tree.lowestAtLeast(pages + alignPages - 1);
    if (!range && alignPages > 1) {
      this.tree.scanAtLeast(pages, (r) => {
        if (alignUp(r.start, alignPages) + pages <= r.start + r.length) range = r;
        return range !== undefined;
      });
    }
    if (!range) throw new OutOfAddressSpaceError(pages, alignPages * PAGE_SIZE);
    const first = alignUp(range.start, alignPages);
    this.carve(range, first, pages);
    this.live.set(first, pages);
    return first * PAGE_SIZE;
  }

  /** Frees the allocation that starts at `address`, merging it with free neighbours. */
  free(address: number): void {
    const page = this.pageOf(address, 'address');
    const pages = this.live.get(page);
    if (pages === undefined) throw this.notAllocated(address, page);
    if (pages < 0) throw new UnknownRangeError(address, 'it is reserved, not allocated');
    this.live.delete(page);
    this.tree.insert(page, pages);
    this.freePages += pages;
  }

  /** Takes [address, address + pages * 4096) out of the pool for good; it must be wholly free. */
  reserve(address: number, pages: number): void {
    const page = this.pageOf(address, 'address');
    if (!Number.isSafeInteger(pages) || pages < 1)
      throw new InvalidRequestError(`page count must be a positive integer: ${pages}`);
    const range = this.tree.containing(page);
    if (!range || page + pages > range.start + range.length) throw new OverlapError(address, pages);
    this.carve(range, page, pages);
    this.live.set(page, -pages);
    this.reservedPages += pages;
  }

  /** Pages of the live allocation or reservation starting at `address`, else undefined. */
  sizeOf(address: number): number | undefined {
    const pages = this.live.get(address / PAGE_SIZE);
    return pages === undefined ? undefined : Math.abs(pages);
  }

  contains(address: number): boolean {
    return address >= this.start && address < this.end;
  }

  /** The free ranges in address order, as byte addresses and page counts. */
  freeRanges(): Array<{ address: number; pages: number }> {
    return this.tree.ranges().map((r) => ({ address: r.start * PAGE_SIZE, pages: r.length }));
  }

  stats(): AspaceStats {
    const poolPages = this.endPage - this.firstPage;
    return {
      poolPages,
      freePages: this.freePages,
      allocatedPages: poolPages - this.freePages - this.reservedPages,
      reservedPages: this.reservedPages,
      freeRanges: this.tree.size,
      largestFreeRange: this.tree.largest,
      allocations: this.live.size,
    };
  }

  /** Walks every invariant: tree shape, coalescing, no overlap, counts add up to the pool. */
  check(): string | undefined {
    const bad = this.tree.check();
    if (bad) return bad;
    const spans: Array<[number, number, string]> = this.tree.ranges().map((r) => [r.start, r.length, 'free']);
    let freeSum = 0;
    for (const [, len] of spans) freeSum += len;
    let reserved = 0;
    for (const [start, e] of this.live) {
      spans.push([start, Math.abs(e), e < 0 ? 'reserved' : 'allocated']);
      if (e < 0) reserved -= e;
    }
    spans.sort((a, b) => a[0] - b[0]);
    let covered = 0;
    let prevEnd = this.firstPage;
    for (const [start, len, kind] of spans) {
      if (start < prevEnd) return `${kind} range at page 0x${start.toString(16)} overlaps the one before it`;
      prevEnd = start + len;
      covered += len;
    }
    if (prevEnd > this.endPage) return 'a range runs past the end of the pool';
    if (covered !== this.endPage - this.firstPage)
      return `ranges cover ${covered} pages, pool has ${this.endPage - this.firstPage}`;
    if (freeSum !== this.freePages) return `free pages ${freeSum}, counter ${this.freePages}`;
    if (reserved !== this.reservedPages) return `reserved pages ${reserved}, counter ${this.reservedPages}`;
    return undefined;
  }

  /** Removes [first, first + pages) from the free range `range` that contains it. */
  private carve(range: FreeRange, first: number, pages: number): void {
    this.tree.take(range, first, pages);
    this.freePages -= pages;
  }

  private notAllocated(address: number, page: number): Error {
    if (page < this.firstPage || page >= this.endPage) {
      return new UnknownRangeError(
        address,
        `outside the pool 0x${this.start.toString(16)}-0x${this.end.toString(16)} (foreign range)`,
      );
    }
    if (this.tree.containing(page)) return new DoubleFreeError(address);
    return new UnknownRangeError(address, 'not the start of an allocation');
  }

  private pageOf(address: number, what: string): number {
    if (!Number.isSafeInteger(address) || address < 0 || address % PAGE_SIZE !== 0)
      throw new AlignmentError(address, what);
    return address / PAGE_SIZE;
  }

  private alignPages(align: number | undefined): number {
    if (align === undefined) return 1;
    if (!Number.isSafeInteger(align) || align < 1 || (align & (align - 1)) !== 0 || align > 2 ** 30) {
      throw new AlignmentError(align, 'alignment (must be a power of two)');
    }
    return Math.max(1, align / PAGE_SIZE);
  }
}

function alignUp(page: number, alignPages: number): number {
  return Math.ceil(page / alignPages) * alignPages;
}
