// A TLSF (two-level segregated fit) allocator whose whole state lives in the region it manages.
// malloc and free are O(1): a size maps to a (first level, second level) list through clz32, two
// bitmaps find the smallest non-empty list that surely fits, and boundary tags (the PREV_FREE flag
// plus the footer of a free block) let free merge with both neighbours without searching.
//
// Invariants (check() walks them):
//   - blocks tile [control size, end - 8) exactly; the sentinel at end - 8 is allocated, size 0
//   - no two neighbouring blocks are both free; PREV_FREE of a block == FREE of the one before it
//   - every free block is in exactly the list its size maps to; bitmap bits mirror non-empty lists
//   - every header's check word matches; a header that stops being a block start never says "allocated"
//   - every CACHED block is in exactly the quick list of its size; the quick counters add them up
//
// Quick lists (layout version 2) are the front end, as glibc's tcache is: free parks a block of at most
// QUICK_MAX bytes in the list of its exact size, touching only that block, and malloc of that size
// takes it back. Parked bytes stay below 1/16 of the bytes in use beyond parkAbove (1 MiB; the extent
// stays compact), and are merged into the TLSF lists before the heap would grow or fail, so they
// never cost an allocation.
import type { HeapBacking } from './backing.js';
import {
  CorruptedHeaderError,
  DoubleFreeError,
  HeapArgumentError,
  type HeapError,
  HeapFormatError,
  HeapOutOfMemoryError,
} from './errors.js';
import {
  blockSizeFor,
  C_END,
  C_FL_BITMAP,
  C_FREE_BLOCKS,
  C_HEADS,
  C_PEAK_END,
  C_PEAK_USED,
  C_SL_BITMAPS,
  C_USED_BLOCKS,
  C_USED_BYTES,
  CACHED,
  checkWord,
  controlSizeFor,
  endLimitFor,
  FLAG_MASK,
  FREE,
  flCountFor,
  flOf,
  HEADER,
  headOffset,
  identityProblem,
  isBlockOffset,
  MAX_ALIGN,
  MAX_BLOCK,
  MAX_END,
  MIN_BLOCK,
  PREV_FREE,
  Q_BLOCKS,
  Q_BYTES,
  Q_HEADS,
  QUICK_AREA,
  QUICK_MAX,
  quickAreaOf,
  readEnd,
  readFlCount,
  readRelocatable,
  readVersion,
  SL_COUNT,
  SL_LOG2,
  SMALL,
  SMALL_LOG2,
  slOf,
  VERSION,
  writeEnd,
  writeIdentity,
} from './layout.js';
import type { HeapRegion } from './region.js';
import { checkImage, classifyPointer } from './walk.js';

export interface HeapOptions {
  /** Where more bytes come from when no free block fits. Without one the heap has a fixed size. */
  backing?: HeapBacking;
  /** Heap.create only: initial end in bytes (default: the whole capacity, or the minimum with a backing). */
  initialSize?: number;
  /** Grow by at least this many bytes at a time (default 64 KiB). */
  growthQuantum?: number;
  /** After a free leaves at least this many free bytes at the end, give whole pages back (default 256 KiB). */
  trimThreshold?: number;
  /**
   * Heap.create only: keep quick lists (default: for regions of 1 MiB and more). false formats the
   * version 1 layout: 528 bytes less control block, pure TLSF placement, slower on large live sets.
   */
  quickLists?: boolean;
  /**
   * Bytes in use above which freed blocks are parked in the quick lists (default 1 MiB). Parking pays
   * off once the live set outgrows the CPU caches (taking a parked block touches one page instead of
   * two or three); below that it would only spread the heap.
   */
  parkAbove?: number;
  /**
   * Heap.create only (kept in the image): the owner can follow moved blocks, so the heap may compact.
   * Such a heap serves 8-byte alignment only (a moved block keeps no stronger alignment).
   */
  relocatable?: boolean;
  /**
   * On a relocatable heap: called for every block compaction moves (old and new pointer, usable
   * bytes). With it, an allocation that finds no fitting block (and cannot grow) compacts the heap
   * and tries again, so it fails only when the free bytes together are too few.
   */
  onMove?: MoveHandler;
}

/** Told that the block at `from` now lives at `to` (its `bytes` usable bytes moved with it). */
export type MoveHandler = (from: number, to: number, bytes: number) => void;

export interface HeapStats {
  /** Address of the first block header and the current end of the heap. */
  start: number;
  end: number;
  /** Bytes in allocated blocks, headers included (payload = usedBytes - 8 * usedBlocks). */
  usedBytes: number;
  usedBlocks: number;
  /** Bytes in free blocks, cached ones included. usedBytes + freeBytes = end - start - 8 (the sentinel). */
  freeBytes: number;
  /** Free blocks in the TLSF lists (cached blocks not included). */
  freeBlocks: number;
  /** Freed blocks parked in the quick lists (part of freeBytes). */
  cachedBytes: number;
  cachedBlocks: number;
  /** High-water marks since create: most bytes in use at once, and the highest block end address. */
  peakUsedBytes: number;
  peakEnd: number;
}

/** How many blocks of the request's own list malloc looks at before rounding up to the next list. */
const GOOD_FIT_PROBES = 4;
/** Requests of at least LARGE bytes look for the lowest-addressed fit among LARGE_PROBES blocks. */
const LARGE = 64 * 1024;
const LARGE_PROBES = 32;

/** Whether blocks of sizes a and b are filed in the same free list. */
function sameList(a: number, b: number): boolean {
  const fa = flOf(a);
  return fa === flOf(b) && slOf(a, fa) === slOf(b, fa);
}

/** Regions smaller than this get the version 1 layout (no quick lists) unless asked otherwise. */
const QUICK_MIN_REGION = 1 << 20;
const PARKED = 1;
const NOT_PARKED = 0;
const DRAIN = -1;
/** Parked bytes stay below 1/16 of the bytes in use beyond HeapOptions.parkAbove. */
const QUICK_SHARE_LOG2 = 4;

const ctz = (x: number): number => 31 - Math.clz32(x & -x);

export class Heap {
  readonly region: HeapRegion;
  private readonly r: HeapRegion;
  private readonly base: number;
  private readonly backing: HeapBacking | undefined;
  private readonly quantum: number;
  private readonly trimThreshold: number;
  /** First-level classes of this heap, and its control block size (= offset of the first block). */
  private readonly flCount: number;
  private readonly control: number;
  /** The end never grows past this: blocks must stay within the first flCount classes. */
  private readonly endLimit: number;
  /** Offset of the quick area, or -1 (a version 1 image: no quick lists). */
  private readonly quick: number;
  private readonly parkAbove: number;
  private readonly relocatable: boolean;
  private readonly onMove: MoveHandler | undefined;
  /** A block offset compaction keeps up to date (realloc's old block while it allocates), or -1. */
  private followed = -1;

  private constructor(
    region: HeapRegion,
    options: HeapOptions,
    flCount: number,
    version: number,
    relocatable: boolean,
  ) {
    this.region = region;
    this.r = region;
    this.base = region.base;
    this.flCount = flCount;
    this.control = controlSizeFor(flCount, version);
    this.quick = quickAreaOf(flCount, version);
    this.parkAbove = options.parkAbove ?? 1 << 20;
    this.relocatable = relocatable;
    this.onMove = options.onMove;
    this.endLimit = Math.min(endLimitFor(flCount), MAX_END, region.capacity & ~7);
    this.backing = options.backing;
    this.quantum = options.growthQuantum ?? 64 * 1024;
    this.trimThreshold = options.trimThreshold ?? 256 * 1024;
  }

  /** Format a new, empty heap in `region` (overwrites whatever was there). */
  static create(region: HeapRegion, options: HeapOptions = {}): Heap {
    // Size classes up to the largest block the region can ever hold: small regions get a small control block.
    // Below 1 MiB the quick area (528 bytes) costs more capacity than parking gains in speed.
    const quick = options.quickLists ?? region.capacity >= QUICK_MIN_REGION;
    const version = quick ? VERSION : 1;
    const relocatable = options.relocatable ?? false;
    const heap = new Heap(region, options, flCountFor(region.capacity & ~7), version, relocatable);
    heap.format(options.initialSize, version);
    return heap;
  }

  /**
   * Re-attach to a heap image already in `region` (after a snapshot was restored, or from another
   * instance). Validates the control block; `verify` also runs the full check().
   */
  static open(region: HeapRegion, options: HeapOptions & { verify?: boolean } = {}): Heap {
    const r = region;
    const fail = (why: string): never => {
      throw new HeapFormatError(region.base, `not a heap image: ${why}`);
    };
    if (region.capacity < controlSizeFor(1) + HEADER) fail('region too small');
    const identity = identityProblem(r);
    if (identity !== undefined) fail(identity);
    const flCount = readFlCount(r);
    const version = readVersion(r);
    const control = controlSizeFor(flCount, version);
    if (region.capacity < control + HEADER) fail('region too small');
    const end = readEnd(r, control);
    if (end < 0) fail(`damaged end field (${r.readI32(C_END)})`);
    if (end > endLimitFor(flCount)) fail(`end ${end} beyond the heap's ${flCount} size classes`);
    const s = end - HEADER;
    const sf = r.readI32(s);
    if (r.readI32(s + 4) !== checkWord(s, sf) || (sf & ~FLAG_MASK) !== 0 || (sf & FREE) !== 0)
      fail('bad end sentinel');
    const heap = new Heap(region, options, flCount, version, readRelocatable(r));
    if (options.verify) {
      const problem = heap.check();
      if (problem) throw problem;
    }
    return heap;
  }

  /** Address of the first block header. */
  get start(): number {
    return this.base + this.control;
  }

  /** Current end address (exclusive) of the heap. */
  get end(): number {
    return this.base + this.endOffset();
  }

  /** Allocate `size` bytes aligned to `align` (a power of two up to 4096; default 8). */
  malloc(size: number, align = 8): number {
    if (align === 8 && size <= QUICK_MAX - HEADER && size >= 0 && this.quick >= 0) {
      const b = this.takeCached(blockSizeFor(size));
      if (b !== 0) return this.base + b + HEADER;
    }
    if (!(size >= 0 && size <= MAX_BLOCK - HEADER)) {
      if (size > 0) throw new HeapOutOfMemoryError(size, this.end);
      throw new HeapArgumentError(0, `malloc: bad size ${size}`);
    }
    if (align !== 8) this.checkAlign(align);
    return this.base + this.allocate(blockSizeFor(size), align) + HEADER;
  }

  /** Allocate `count * size` bytes, zero-filled. */
  calloc(count: number, size: number): number {
    const bytes = count * size;
    if (!Number.isSafeInteger(bytes) || count < 0 || size < 0) {
      throw new HeapArgumentError(0, `calloc: bad count ${count} x size ${size}`);
    }
    const p = this.malloc(bytes);
    this.r.fill(p - this.base, bytes, 0);
    return p;
  }

  /** Free a block returned by malloc/calloc/realloc (0 is ignored). Throws a typed error (and changes nothing) on bad input. */
  free(pointer: number): void {
    if (pointer === 0) return; // free(NULL), as in C
    const r = this.r;
    const end = this.endOffset();
    const b = this.blockOf(pointer, end);
    const size = r.readI32(b) & ~FLAG_MASK;
    const parked = size <= QUICK_MAX && this.quick >= 0 ? this.park(b, size, end) : NOT_PARKED;
    if (parked === PARKED) return;
    const start = this.merge(b, end);
    this.finishFree(start, r.readI32(start) & ~FLAG_MASK, size);
    if (parked === DRAIN) this.drainQuick(this.endOffset());
  }

  /**
   * Return block `b` (allocated or cached) to the TLSF lists, merged with free neighbours; returns
   * the start of the free block it ended up in. Validates everything before writing anything.
   */
  private merge(b: number, end: number): number {
    const r = this.r;
    const sf = r.readI32(b) & ~CACHED;
    const size = sf & ~FLAG_MASK;
    const nb = b + size;
    const nsf = this.header(this.inside(nb, b, end));
    let start = b;
    let total = size;
    let psize = 0;
    // Validate everything first: a corrupted neighbour aborts before anything is written.
    if (nsf & FREE) this.checkLinks(nb, end);
    if (sf & PREV_FREE) {
      psize = r.readI32(b - 4);
      start = b - psize;
      this.checkFreeBlock(start, psize, b, end);
      this.checkLinks(start, end);
    }
    if (nsf & FREE) {
      const nsize = nsf & ~FLAG_MASK;
      if (psize === 0 && sameList(nsize, size + nsize)) {
        // Merging into the free block after us without changing its list: move its node down.
        this.relocateFree(nb, b, size + nsize);
        return b;
      }
      this.removeFree(nb, nsize);
      total += nsize;
    } else {
      this.writeHeader(nb, nsf | PREV_FREE);
    }
    if (psize !== 0) {
      this.removeFree(start, psize);
      total += psize;
      // This header is no longer a block start: leave it saying "free" so a second free is caught.
      this.writeHeader(b, sf | FREE);
    }
    this.insertFree(start, total);
    return start;
  }

  /** Bookkeeping after a block of `size` bytes was freed into the free block [start, start + total). */
  private finishFree(start: number, total: number, size: number): void {
    const r = this.r;
    r.writeI32(C_USED_BYTES, r.readI32(C_USED_BYTES) - size);
    r.writeI32(C_USED_BLOCKS, r.readI32(C_USED_BLOCKS) - 1);
    if (
      total >= this.trimThreshold &&
      this.backing !== undefined &&
      start + total === this.endOffset() - HEADER
    ) {
      // Opportunistic: a backing that refuses to shrink leaves the heap as it was, and the free stands.
      this.release(true);
    }
  }

  /**
   * Resize a block. Shrinks and grows in place when it can (growing takes the next block if it is
   * free); otherwise allocates, copies min(old usable size, size) bytes and frees the old block.
   * realloc(0, n) is malloc(n). On failure the old block is untouched.
   */
  realloc(pointer: number, size: number): number {
    if (pointer === 0) return this.malloc(size);
    const r = this.r;
    const end = this.endOffset();
    let b = this.blockOf(pointer, end);
    if (!(size >= 0 && size <= MAX_BLOCK - HEADER)) {
      if (size > 0) throw new HeapOutOfMemoryError(size, this.end);
      throw new HeapArgumentError(pointer, `realloc: bad size ${size}`);
    }
    const want = blockSizeFor(size);
    const sf = r.readI32(b);
    const cur = sf & ~FLAG_MASK;
    const prevFlag = sf & PREV_FREE;
    const nb = b + cur;
    const nsf = this.header(this.inside(nb, b, end));
    const nsize = nsf & FREE ? nsf & ~FLAG_MASK : 0;
    if (want <= cur) {
      let rest = cur - want;
      if (nsize === 0 && rest < MIN_BLOCK) return pointer;
      if (nsize !== 0) this.checkLinks(nb, end);
      this.writeHeader(b, want | prevFlag);
      if (nsize !== 0) {
        this.removeFree(nb, nsize);
        rest += nsize;
      } else {
        this.writeHeader(nb, nsf | PREV_FREE);
      }
      this.insertFree(b + want, rest);
      r.writeI32(C_USED_BYTES, r.readI32(C_USED_BYTES) - (cur - want));
      return pointer;
    }
    if (nsize !== 0 && cur + nsize >= want) {
      const total = cur + nsize;
      const after = b + total;
      const afterSf = total - want < MIN_BLOCK ? this.header(this.inside(after, nb, end)) : 0;
      this.checkLinks(nb, end);
      this.removeFree(nb, nsize);
      let taken = want;
      if (total - want >= MIN_BLOCK) {
        this.writeHeader(b, want | prevFlag);
        this.insertFree(b + want, total - want);
      } else {
        taken = total;
        this.writeHeader(b, total | prevFlag);
        this.writeHeader(after, afterSf & ~PREV_FREE);
      }
      this.account(b, taken, taken - cur, 0);
      return pointer;
    }
    // malloc may compact a relocatable heap, moving this very block: follow it.
    this.followed = b;
    let moved: number;
    try {
      moved = this.malloc(size);
    } finally {
      b = this.followed;
      this.followed = -1;
    }
    const copy = Math.min(cur - HEADER, size);
    r.copy(moved - this.base, b + HEADER, copy);
    this.free(this.base + b + HEADER);
    return moved;
  }

  /** Bytes the caller may use at `pointer` (at least what was asked for). */
  usableSize(pointer: number): number {
    return (this.r.readI32(this.blockOf(pointer, this.endOffset())) & ~FLAG_MASK) - HEADER;
  }

  stats(): HeapStats {
    const r = this.r;
    const end = this.endOffset();
    const usedBytes = r.readI32(C_USED_BYTES);
    const q = this.quick;
    return {
      start: this.base + this.control,
      end: this.base + end,
      usedBytes,
      usedBlocks: r.readI32(C_USED_BLOCKS),
      freeBytes: end - HEADER - this.control - usedBytes,
      freeBlocks: r.readI32(C_FREE_BLOCKS),
      cachedBytes: q < 0 ? 0 : r.readI32(q + Q_BYTES),
      cachedBlocks: q < 0 ? 0 : r.readI32(q + Q_BLOCKS),
      peakUsedBytes: r.readI32(C_PEAK_USED),
      peakEnd: this.base + r.readI32(C_PEAK_END),
    };
  }

  /**
   * Full consistency walk over the blocks, the free lists, the bitmaps and the counters.
   * Returns the first inconsistency found (an error naming its address), or undefined.
   */
  check(): HeapError | undefined {
    return checkImage(this.r);
  }

  /** Give whole free pages at the end back to the backing (cached blocks are merged first). Returns the bytes released. */
  trim(): number {
    if (this.backing !== undefined) this.drainQuick(this.endOffset());
    return this.release(false);
  }

  /** trim(); `quiet`: a backing that fails to shrink is ignored (the heap is left as it was). */
  private release(quiet: boolean): number {
    const backing = this.backing;
    if (backing === undefined) return 0;
    const r = this.r;
    const end = this.endOffset();
    const s = end - HEADER;
    if ((this.header(s) & PREV_FREE) === 0) return 0;
    const lsize = r.readI32(s - 4);
    const last = s - lsize;
    this.checkFreeBlock(last, lsize, s, end);
    const g = backing.granularity;
    // The new sentinel goes at `last` (the free block vanishes) or after a free block of >= MIN_BLOCK.
    let target = Math.ceil((this.base + last + HEADER) / g) * g - this.base;
    const left = target - HEADER - last;
    if (left > 0 && left < MIN_BLOCK) target += g;
    if (target >= end) return 0;
    this.checkLinks(last, end);
    // Unlink first: the block's links may lie in the pages about to go away.
    this.removeFree(last, lsize);
    try {
      backing.shrink(end, target);
    } catch (error) {
      this.insertFree(last, lsize);
      if (quiet) return 0;
      throw error;
    }
    const newSentinel = target - HEADER;
    if (newSentinel > last) {
      this.insertFree(last, newSentinel - last);
      this.writeHeader(newSentinel, PREV_FREE);
    } else {
      this.writeHeader(newSentinel, 0);
    }
    writeEnd(r, target);
    return end - target;
  }

  // ---- quick lists ----

  /**
   * Park allocated block `b` of `size` bytes in its quick list if there is room: PARKED, or
   * NOT_PARKED, or DRAIN when the parked bytes are far over their limit (the heap emptied or filled
   * up) and should all be merged, so that trimming and placement see the whole free space again.
   */
  private park(b: number, size: number, end: number): number {
    const r = this.r;
    const q = this.quick;
    const used = r.readI32(C_USED_BYTES);
    const cached = r.readI32(q + Q_BYTES);
    // Parked blocks cannot merge, so they fragment a heap that is nearly full: a fixed heap parks only
    // while its free bytes are at least a quarter of those in use.
    const free = end - this.control - HEADER - used - cached;
    const roomy = this.backing !== undefined || free >= used >>> 2;
    const limit = roomy ? Math.max(0, used - this.parkAbove) >>> QUICK_SHARE_LOG2 : 0;
    if (cached + size > limit) return cached > 2 * limit ? DRAIN : NOT_PARKED;
    const ho = q + Q_HEADS + (size >>> 1);
    this.writeHeader(b, r.readI32(b) | CACHED);
    r.writeI32(b + 8, r.readI32(ho));
    r.writeI32(ho, b);
    this.countParked(size, 1);
    r.writeI32(C_USED_BYTES, used - size);
    r.writeI32(C_USED_BLOCKS, r.readI32(C_USED_BLOCKS) - 1);
    return PARKED;
  }

  /** Unpark the first cached block of exactly `size` bytes; returns its offset, or 0 if none. */
  private takeCached(size: number): number {
    const r = this.r;
    const q = this.quick;
    const ho = q + Q_HEADS + (size >>> 1);
    const b = r.readI32(ho);
    if (b === 0) return 0;
    const sf = this.cachedHeader(b, size, ho, this.endOffset());
    r.writeI32(ho, r.readI32(b + 8));
    this.writeHeader(b, sf & ~CACHED);
    this.countParked(-size, -1);
    this.account(b, size, size, 1);
    return b;
  }

  /** The header of the cached block `b` of `size` bytes that `from` links to, verified. */
  private cachedHeader(b: number, size: number, from: number, end: number): number {
    const sf = isBlockOffset(b, end, this.control) ? this.r.readI32(b) : 0;
    if (sf === 0 || this.r.readI32(b + 4) !== checkWord(b, sf) || (sf & ~PREV_FREE) !== (size | CACHED)) {
      throw new CorruptedHeaderError(
        this.base + from,
        `quick-list link 0x${(this.base + b).toString(16)} is not a cached block of ${size} bytes`,
      );
    }
    return sf;
  }

  /** Adjust the quick area's counters of parked bytes and blocks. */
  private countParked(bytes: number, blocks: number): void {
    const r = this.r;
    const q = this.quick;
    r.writeI32(q + Q_BYTES, r.readI32(q + Q_BYTES) + bytes);
    r.writeI32(q + Q_BLOCKS, r.readI32(q + Q_BLOCKS) + blocks);
  }

  /** Merge every cached block into the TLSF lists; returns whether there was any. */
  private drainQuick(end: number): boolean {
    const r = this.r;
    const q = this.quick;
    if (q < 0 || r.readI32(q + Q_BLOCKS) === 0) return false;
    for (let size = MIN_BLOCK; size <= QUICK_MAX; size += 8) {
      const ho = q + Q_HEADS + (size >>> 1);
      for (let b = r.readI32(ho); b !== 0; b = r.readI32(ho)) {
        this.cachedHeader(b, size, ho, end);
        const next = r.readI32(b + 8); // before merge() reuses the block's words as free-list links
        this.merge(b, end);
        r.writeI32(ho, next);
        this.countParked(-size, -1);
      }
    }
    return true;
  }

  // ---- internals: all offsets below are region offsets of block headers ----

  private format(initialSize: number | undefined, version: number): void {
    const r = this.r;
    const control = this.control;
    const minimum = control + MIN_BLOCK + HEADER;
    let end: number;
    if (this.backing !== undefined) {
      end = this.backing.grow(0, Math.max(minimum, (initialSize ?? 0) & ~7));
      if (end < minimum) throw new HeapOutOfMemoryError(minimum, this.base);
    } else {
      end = Math.min(initialSize ?? r.capacity, MAX_END) & ~7;
    }
    if (end < minimum || end > r.capacity || end > MAX_END) {
      throw new HeapArgumentError(this.base, `heap size ${end} outside [${minimum}, ${r.capacity}]`);
    }
    r.fill(0, control, 0);
    writeIdentity(r, this.flCount, version, this.relocatable);
    writeEnd(r, end);
    r.writeI32(C_PEAK_END, control);
    this.insertFree(control, end - HEADER - control);
    this.writeHeader(end - HEADER, PREV_FREE);
  }

  private checkAlign(align: number): void {
    if (!(align > 0 && align <= MAX_ALIGN && (align & (align - 1)) === 0)) {
      throw new HeapArgumentError(align, `alignment must be a power of two up to ${MAX_ALIGN}`);
    }
    if (align > 8 && this.relocatable) {
      throw new HeapArgumentError(align, 'a relocatable heap serves 8-byte alignment only');
    }
  }

  /** Carve a block of `size` bytes (payload aligned to `align`); returns its header offset. */
  private allocate(size: number, align: number): number {
    const search = align <= 8 ? size : size + align + MIN_BLOCK;
    let end = this.endOffset();
    let b = this.findFree(search, end);
    if (b === 0 && this.drainQuick(end)) b = this.findFree(search, end);
    if (b === 0) {
      b = this.growOrCompactFor(search);
      end = this.endOffset();
    } else if (!isBlockOffset(b, end, this.control)) {
      throw new CorruptedHeaderError(this.base + b, 'a free-list link leads outside the heap');
    }
    const bsf = this.header(b);
    let bsize = bsf & ~FLAG_MASK;
    if ((bsf & FREE) === 0 || bsize < search) {
      throw new CorruptedHeaderError(this.base + b, 'free-list entry is not a free block that fits');
    }
    this.checkLinks(b, end);
    // Payload alignment: a leading gap (a free block of its own, so at least MIN_BLOCK) if needed.
    let gap = 0;
    if (align > 8) {
      gap = (align - ((this.base + b + HEADER) % align)) % align;
      if (gap !== 0 && gap < MIN_BLOCK) gap += align;
    }
    const rest = bsize - gap - size;
    // Without a split the next block loses PREV_FREE: check its header before anything is written.
    const after = b + bsize;
    const afterSf = rest < MIN_BLOCK ? this.header(this.inside(after, b, end)) : 0;
    if (gap === 0 && rest >= MIN_BLOCK && sameList(rest, bsize)) {
      // Splitting a big block (typically the heap's tail) whose remainder stays in the same list:
      // move the list node up instead of unlinking and relinking it.
      this.relocateFree(b, b + size, rest);
      this.writeHeader(b, size);
      this.account(b, size, size, 1);
      return b;
    }
    this.removeFree(b, bsize);
    let flags = 0;
    if (gap !== 0) {
      this.insertFree(b, gap);
      b += gap;
      bsize -= gap;
      flags = PREV_FREE;
    }
    let taken = size;
    if (rest >= MIN_BLOCK) {
      this.writeHeader(b, size | flags);
      this.insertFree(b + size, rest);
    } else {
      taken = bsize;
      this.writeHeader(b, bsize | flags);
      this.writeHeader(after, afterSf & ~PREV_FREE);
    }
    this.account(b, taken, taken, 1);
    return b;
  }

  private account(b: number, size: number, bytes: number, blocks: number): void {
    const r = this.r;
    const used = r.readI32(C_USED_BYTES) + bytes;
    r.writeI32(C_USED_BYTES, used);
    if (blocks !== 0) r.writeI32(C_USED_BLOCKS, r.readI32(C_USED_BLOCKS) + blocks);
    if (used > r.readI32(C_PEAK_USED)) r.writeI32(C_PEAK_USED, used);
    if (b + size > r.readI32(C_PEAK_END)) r.writeI32(C_PEAK_END, b + size);
  }

  /** A free block of at least `size` bytes (still in its list), or 0. */
  private findFree(size: number, end: number): number {
    const r = this.r;
    if (size >= LARGE) {
      const low = this.findLowest(size, end);
      if (low !== 0) return low;
    }
    const flCount = this.flCount;
    let fl = flOf(size);
    if (fl >= flCount) return 0;
    let sl = slOf(size, fl);
    // Good fit first: a block among the first few of the size's own list often fits already
    // (bounded, so still O(1)); it keeps the larger classes intact and the extent low.
    let h = r.readI32(headOffset(fl, sl));
    for (let k = 0; h !== 0 && k < GOOD_FIT_PROBES; k++) {
      if (!isBlockOffset(h, end, this.control)) return h; // damaged link: the caller reports it
      if ((r.readI32(h) & ~FLAG_MASK) >= size) return h;
      h = r.readI32(h + 8);
    }
    if (size < SMALL) {
      sl += 1; // small lists hold one size each: the next list up is the first that surely fits
    } else {
      const up = size + (1 << (fl + SMALL_LOG2 - 1 - SL_LOG2)) - 1;
      fl = flOf(up);
      sl = slOf(up, fl);
    }
    let slMap = fl < flCount && sl < SL_COUNT ? r.readI32(C_SL_BITMAPS + 4 * fl) & (-1 << sl) : 0;
    if (slMap === 0) {
      // Only the heap's own classes count: a damaged bitmap may name classes past flCount.
      const valid = flCount >= 32 ? -1 : (1 << flCount) - 1;
      const flMap = fl + 1 < flCount ? r.readI32(C_FL_BITMAP) & (-1 << (fl + 1)) & valid : 0;
      if (flMap === 0) return this.searchClass(size);
      fl = ctz(flMap);
      slMap = r.readI32(C_SL_BITMAPS + 4 * fl);
      if (slMap === 0) {
        throw new CorruptedHeaderError(
          this.base + C_FL_BITMAP,
          'the first-level bitmap names an empty class',
        );
      }
    }
    return r.readI32(headOffset(fl, ctz(slMap)));
  }

  /**
   * Large requests: the lowest-addressed fitting block among the first LARGE_PROBES blocks of the
   * lists that can hold one. Few blocks are this large, so this is nearly address-ordered first
   * fit, which keeps big blocks from spreading over the heap; the probe bound keeps it O(1).
   */
  private findLowest(size: number, end: number): number {
    const r = this.r;
    const fl0 = flOf(size);
    if (fl0 >= this.flCount) return 0;
    let best = 0;
    let probes = LARGE_PROBES;
    let flMap = r.readI32(C_FL_BITMAP) & (-1 << fl0);
    while (flMap !== 0 && probes > 0) {
      const fl = ctz(flMap);
      flMap &= flMap - 1;
      let slMap = r.readI32(C_SL_BITMAPS + 4 * fl);
      if (fl === fl0) slMap &= -1 << slOf(size, fl);
      while (slMap !== 0 && probes > 0) {
        const sl = ctz(slMap);
        slMap &= slMap - 1;
        for (let e = r.readI32(headOffset(fl, sl)); e !== 0 && probes > 0; e = r.readI32(e + 8), probes--) {
          if (!isBlockOffset(e, end, this.control)) return e; // damaged link: the caller reports it
          if ((best === 0 || e < best) && (r.readI32(e) & ~FLAG_MASK) >= size) best = e;
        }
      }
    }
    return best;
  }

  /**
   * Last resort before growing: the size's own list may hold a block that fits even though the
   * rounded-up search found none. Walks that one list (bounded by the free-block count).
   */
  private searchClass(size: number): number {
    const r = this.r;
    const fl = flOf(size);
    if (fl === 0) return 0;
    let b = r.readI32(headOffset(fl, slOf(size, fl)));
    const end = this.endOffset();
    const bound = Math.min(r.readI32(C_FREE_BLOCKS), (end - this.control) / MIN_BLOCK);
    for (let steps = bound; b !== 0 && steps > 0; steps--) {
      this.checkFreeBlock(b, -1, b, end);
      if ((r.readI32(b) & ~FLAG_MASK) >= size) return b;
      b = r.readI32(b + 8);
    }
    return 0;
  }

  /** growFor, and when that runs out on a relocatable heap with a move handler: compact, then look again. */
  private growOrCompactFor(size: number): number {
    const onMove = this.onMove;
    if (onMove === undefined || !this.relocatable) return this.growFor(size);
    if (this.backing !== undefined) {
      try {
        return this.growFor(size);
      } catch (e) {
        if (!(e instanceof HeapOutOfMemoryError)) throw e;
      }
    }
    this.compact(onMove);
    const b = this.findFree(size, this.endOffset());
    if (b === 0) throw new HeapOutOfMemoryError(size, this.end);
    return b;
  }

  /**
   * Slide every live block down to the start of the heap, in address order, so that all free bytes
   * (parked blocks included) become one block at the end; returns its size. Only for relocatable
   * heaps. O(heap): it verifies the whole image first (a damaged heap is a typed error and nothing
   * moves), then moves, then tells `onMove` about each move in address order. If `onMove` throws, the
   * heap is already consistent; the remaining moves are still reported, then the first error is thrown.
   */
  compact(onMove: MoveHandler): number {
    if (!this.relocatable) {
      throw new HeapArgumentError(this.base, 'compact: the heap was not created relocatable');
    }
    const problem = checkImage(this.r);
    if (problem) throw problem;
    const r = this.r;
    const end = this.endOffset();
    const sentinel = end - HEADER;
    const moves: number[] = [];
    let dst = this.control;
    for (let b = this.control; b < sentinel; ) {
      const sf = r.readI32(b);
      const size = sf & ~FLAG_MASK;
      if ((sf & (FREE | CACHED)) === 0) {
        if (b !== dst) {
          r.copy(dst + HEADER, b + HEADER, size - HEADER);
          moves.push(b, dst, size - HEADER);
          if (b === this.followed) this.followed = dst;
        }
        this.writeHeader(dst, size);
        dst += size;
      }
      b += size;
    }
    this.resetFreeLists();
    const free = sentinel - dst;
    if (free > 0) this.insertFree(dst, free);
    this.writeHeader(sentinel, free > 0 ? PREV_FREE : 0);
    let failure: unknown;
    for (let i = 0; i < moves.length; i += 3) {
      try {
        onMove(this.base + moves[i] + HEADER, this.base + moves[i + 1] + HEADER, moves[i + 2]);
      } catch (e) {
        failure ??= e;
      }
    }
    if (failure !== undefined) throw failure;
    return free;
  }

  /** Empty every TLSF and quick list (compaction rebuilds the one free block). */
  private resetFreeLists(): void {
    const r = this.r;
    r.fill(C_FL_BITMAP, 4, 0);
    r.fill(C_SL_BITMAPS, this.flCount * 4, 0);
    r.fill(C_HEADS, this.flCount * SL_COUNT * 4, 0);
    r.writeI32(C_FREE_BLOCKS, 0);
    if (this.quick >= 0) r.fill(this.quick, QUICK_AREA, 0);
  }

  /** Extend the heap so a free block of `size` bytes exists at its end; returns that block. */
  private growFor(size: number): number {
    const r = this.r;
    const end = this.endOffset();
    const backing = this.backing;
    if (backing === undefined) throw new HeapOutOfMemoryError(size, this.base + end);
    const s = end - HEADER;
    const ssf = this.header(s);
    let last = s;
    let lsize = 0;
    if (ssf & PREV_FREE) {
      lsize = r.readI32(s - 4);
      last = s - lsize;
      this.checkFreeBlock(last, lsize, s, end);
      this.checkLinks(last, end);
    }
    const minEnd = end + Math.max(size - lsize, MIN_BLOCK, this.quantum);
    const capped = Math.min(minEnd, this.endLimit);
    if (capped < end + size - lsize) throw new HeapOutOfMemoryError(size, this.base + end);
    const newEnd = backing.grow(end, capped);
    if (newEnd < end + size - lsize || newEnd % 8 !== 0 || newEnd > this.endLimit) {
      throw new HeapOutOfMemoryError(size, this.base + end);
    }
    if (lsize !== 0) this.removeFree(last, lsize);
    this.insertFree(last, newEnd - HEADER - last);
    this.writeHeader(newEnd - HEADER, PREV_FREE);
    writeEnd(r, newEnd);
    return last;
  }

  /** Header offset of an allocated block from a user pointer; anything else throws a typed error. */
  private blockOf(pointer: number, end: number): number {
    const r = this.r;
    const b = pointer - this.base - HEADER;
    if (isBlockOffset(b, end, this.control)) {
      const sf = r.readI32(b);
      if (r.readI32(b + 4) === checkWord(b, sf)) {
        if ((sf & (FREE | CACHED)) === 0 && sf !== 0) return b;
        // Usually a double free; the walk tells it apart from a stale header inside a live block.
        if (sf & (FREE | CACHED))
          throw classifyPointer(r, pointer, this.control) ?? new DoubleFreeError(pointer);
      }
    }
    throw (
      classifyPointer(r, pointer, this.control) ??
      new CorruptedHeaderError(pointer - HEADER, 'check word mismatch')
    );
  }

  /** `next` (the block after `b`) if it lies in the heap; a header whose size leads astray is an error. */
  private inside(next: number, b: number, end: number): number {
    if (next > end - HEADER || next < b + MIN_BLOCK) {
      throw new CorruptedHeaderError(this.base + b, 'block size runs past the end of the heap');
    }
    return next;
  }

  /** The validated end offset; a damaged end field is a typed error, never a wild access. */
  private endOffset(): number {
    const end = readEnd(this.r, this.control);
    if (end < 0) throw new HeapFormatError(this.base + C_END, 'control block damaged: heap end field');
    return end;
  }

  /** The size|flags word of the header at `b`, after verifying its check word. */
  private header(b: number): number {
    const sf = this.r.readI32(b);
    if (this.r.readI32(b + 4) !== checkWord(b, sf)) {
      throw new CorruptedHeaderError(this.base + b, 'check word mismatch');
    }
    return sf;
  }

  /** Verify that `b` is a free block of `size` bytes (size -1: any) before trusting it; `from` names who pointed at it. */
  private checkFreeBlock(b: number, size: number, from: number, end: number): void {
    const r = this.r;
    if (!isBlockOffset(b, end, this.control)) {
      throw new CorruptedHeaderError(
        this.base + from,
        `link to 0x${(this.base + b).toString(16)} leaves the heap`,
      );
    }
    const sf = r.readI32(b);
    if (
      r.readI32(b + 4) !== checkWord(b, sf) ||
      (sf & FREE) === 0 ||
      (size >= 0 && (sf & ~FLAG_MASK) !== size)
    ) {
      throw new CorruptedHeaderError(this.base + b, 'expected a free block here');
    }
  }

  /** Verify the free-list neighbours of free block `b` so unlinking it cannot write astray. */
  private checkLinks(b: number, end: number): void {
    const r = this.r;
    const next = r.readI32(b + 8);
    const prev = r.readI32(b + 12);
    if (next !== 0) this.checkFreeBlock(next, -1, b, end);
    if (prev !== 0) this.checkFreeBlock(prev, -1, b, end);
    else {
      const sf = r.readI32(b);
      const fl = flOf(sf & ~FLAG_MASK);
      if (fl >= this.flCount || r.readI32(headOffset(fl, slOf(sf & ~FLAG_MASK, fl))) !== b) {
        throw new CorruptedHeaderError(this.base + b, 'free block has no predecessor but is not a list head');
      }
    }
  }

  private writeHeader(b: number, sizeFlags: number): void {
    this.r.writeI32(b, sizeFlags);
    this.r.writeI32(b + 4, checkWord(b, sizeFlags));
  }

  /** File `b` (whose predecessor is allocated) as a free block of `size` bytes. */
  private insertFree(b: number, size: number): void {
    const r = this.r;
    const fl = flOf(size);
    const sl = slOf(size, fl);
    const ho = headOffset(fl, sl);
    const head = r.readI32(ho);
    this.writeHeader(b, size | FREE);
    r.writeI32(b + 8, head);
    r.writeI32(b + 12, 0);
    r.writeI32(b + size - 4, size);
    if (head !== 0) {
      // A damaged head (control block overwritten) is left for check() to report, not written through.
      if (head >= this.control && head < r.readI32(C_END) && (head & 7) === 0) r.writeI32(head + 12, b);
    } else {
      r.writeI32(C_SL_BITMAPS + 4 * fl, r.readI32(C_SL_BITMAPS + 4 * fl) | (1 << sl));
      r.writeI32(C_FL_BITMAP, r.readI32(C_FL_BITMAP) | (1 << fl));
    }
    r.writeI32(ho, b);
    r.writeI32(C_FREE_BLOCKS, r.readI32(C_FREE_BLOCKS) + 1);
  }

  /** Move free block `from` (same list) to `to` with its new size; list neighbours follow it. */
  private relocateFree(from: number, to: number, size: number): void {
    const r = this.r;
    const next = r.readI32(from + 8);
    const prev = r.readI32(from + 12);
    this.writeHeader(to, size | FREE);
    r.writeI32(to + 8, next);
    r.writeI32(to + 12, prev);
    r.writeI32(to + size - 4, size);
    if (next !== 0) r.writeI32(next + 12, to);
    if (prev !== 0) {
      r.writeI32(prev + 8, to);
    } else {
      const fl = flOf(size);
      r.writeI32(headOffset(fl, slOf(size, fl)), to);
    }
  }

  private removeFree(b: number, size: number): void {
    const r = this.r;
    const next = r.readI32(b + 8);
    const prev = r.readI32(b + 12);
    if (next !== 0) r.writeI32(next + 12, prev);
    if (prev !== 0) {
      r.writeI32(prev + 8, next);
    } else {
      const fl = flOf(size);
      const sl = slOf(size, fl);
      r.writeI32(headOffset(fl, sl), next);
      if (next === 0) {
        const slMap = r.readI32(C_SL_BITMAPS + 4 * fl) & ~(1 << sl);
        r.writeI32(C_SL_BITMAPS + 4 * fl, slMap);
        if (slMap === 0) r.writeI32(C_FL_BITMAP, r.readI32(C_FL_BITMAP) & ~(1 << fl));
      }
    }
    r.writeI32(C_FREE_BLOCKS, r.readI32(C_FREE_BLOCKS) - 1);
  }
}
