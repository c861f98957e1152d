// Growth and shrinking go through a backing: the heap decides how much it needs, the backing decides
// where the bytes come from (mapped pages for the kernel heap, a buffer's capacity for tests).

/**
 * Supplies the bytes at the end of a heap region. Ends are region offsets; the backing may round
 * a grow up (to its granularity) but `shrink` is always given an end aligned to `granularity`
 * in absolute addresses (region base + offset).
 */
export interface HeapBacking {
  /** Bytes per unit of growth (the page size for page-backed heaps). A power of two. */
  readonly granularity: number;
  /**
   * Make the region usable from `currentEnd` up to at least `minEnd` (the part below `currentEnd`
   * is already usable). Returns the new end (>= minEnd), or -1 when it cannot; it must then leave
   * everything as it was.
   */
  grow(currentEnd: number, minEnd: number): number;
  /** Give back the bytes [newEnd, currentEnd); the heap no longer touches them. */
  shrink(currentEnd: number, newEnd: number): void;
}

/**
 * A backing over a region of fixed capacity (an ArrayBuffer): growth moves the end within
 * [0, limit) in steps of `granularity`; released bytes are overwritten with 0xDD so that a test
 * reading them after a shrink sees garbage, not stale data.
 */
export class ArrayBacking implements HeapBacking {
  grows = 0;
  shrinks = 0;
  constructor(
    private readonly bytes: Uint8Array,
    private readonly limit: number = bytes.byteLength,
    readonly granularity = 4096,
    private readonly base = 0,
  ) {}

  grow(_currentEnd: number, minEnd: number): number {
    const g = this.granularity;
    const end = Math.ceil((this.base + minEnd) / g) * g - this.base;
    if (minEnd > this.limit) return -1;
    this.grows++;
    // Rounding up to the granularity may pass the limit: the limit itself still covers minEnd.
    return end > this.limit ? this.limit & ~7 : end;
  }

  shrink(currentEnd: number, newEnd: number): void {
    this.bytes.fill(0xdd, newEnd, currentEnd);
    this.shrinks++;
  }
}
