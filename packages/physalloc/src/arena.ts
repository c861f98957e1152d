// One arena: a contiguous span of page frames, some of them usable RAM.
//
// State, per frame (relative index p):
//   free bitmap      bit p = 1  <=> frame p may be handed out now (summary levels above it)
//   unavailable map  bit p = 1  <=> frame p is reserved or not RAM: never handed out
//   full bitmap      bit w = 1  <=> free word w is all ones (32 free frames), for large runs
// Invariants (check() walks them): free and unavailable are disjoint; freeCount = popcount(free);
// full mirrors the free words; every summary bit mirrors its child word.
import { firstInRange, forEachWord, popcount, wordMask } from './bits.js';
import {
  AddressRangeError,
  DoubleFreeError,
  InvalidRequestError,
  NotAllocatedError,
  OutOfMemoryError,
  ReserveConflictError,
} from './errors.js';
import { buddyBlocks, fragmentationIndex, MAX_ORDER } from './stats.js';
import { ctz, SummaryBitmap } from './summary-bitmap.js';

export const PAGE_SIZE = 4096;
const RECENT_MASK = 63;

export interface ContiguousOptions {
  /** Alignment of the first frame in bytes: a power of two (default 4096). */
  align?: number;
  /** The whole run must end at or below this physical address (exclusive limit). */
  below?: number;
}

export interface ArenaStats {
  /** Frames the arena hands out: usable RAM minus reserved frames. total = allocated + free. */
  total: number;
  free: number;
  allocated: number;
  /** Frames of the arena's span that are reserved or not RAM. */
  reserved: number;
  /** Longest run of free frames. */
  largestFreeRun: number;
  /** Free blocks per order 0..10, as a buddy allocator would hold them (like /proc/buddyinfo). */
  freeBlocksPerOrder: number[];
}

export class PhysArena {
  readonly name: string;
  /** First frame number (physical address / 4096) of the span; a multiple of 32. */
  readonly basePage: number;
  readonly pageCount: number;
  private readonly freeMap: SummaryBitmap;
  private readonly leaf: Int32Array;
  private readonly full: SummaryBitmap;
  private readonly fullLeaf: Int32Array;
  private readonly unavailable: Int32Array;
  /** Bit w set when unavailable word w is non-zero: lets free() skip the big map (L1-resident). */
  private readonly unavailableWords: Int32Array;
  private freeCount = 0;
  /** Every free word below this index is zero (so the lowest free frame is at or above it). */
  private hint = 0;
  /** Ring of recently freed frames, newest at recentTop - 1; entries may be stale. */
  private readonly recent = new Int32Array(RECENT_MASK + 1);
  private recentTop = 0;
  private recentBottom = 0;
  private totalCount = 0;

  /** `usable` lists [firstFrame, endFrame) ranges of usable RAM inside the span. */
  constructor(
    name: string,
    basePage: number,
    pageCount: number,
    usable: ReadonlyArray<readonly [number, number]>,
  ) {
    if (basePage % 32 !== 0)
      throw new InvalidRequestError(`arena ${name}: base frame ${basePage} is not a multiple of 32`);
    this.name = name;
    this.basePage = basePage;
    this.pageCount = pageCount;
    this.freeMap = new SummaryBitmap(pageCount);
    this.leaf = this.freeMap.levels[0];
    this.full = new SummaryBitmap(Math.ceil(pageCount / 32));
    this.fullLeaf = this.full.levels[0];
    this.unavailable = new Int32Array(Math.max(1, Math.ceil(pageCount / 32))).fill(-1);
    this.unavailableWords = new Int32Array(Math.ceil(this.unavailable.length / 32));
    for (const [first, end] of usable) {
      const s = Math.max(first - basePage, 0);
      const e = Math.min(end - basePage, pageCount);
      if (s >= e) continue;
      forEachWord(s, e, (wi, mask) => {
        this.unavailable[wi] &= ~mask;
      });
      this.giveRange(s, e - s);
      this.totalCount += e - s;
    }
    this.syncUnavailableWords();
  }

  private syncUnavailableWords(): void {
    this.unavailableWords.fill(0);
    for (let wi = 0; wi < this.unavailable.length; wi++) {
      if (this.unavailable[wi] !== 0) this.unavailableWords[wi >>> 5] |= 1 << (wi & 31);
    }
  }

  /** Physical address of the first byte of the span and the first byte after it. */
  get start(): number {
    return this.basePage * PAGE_SIZE;
  }
  get end(): number {
    return (this.basePage + this.pageCount) * PAGE_SIZE;
  }

  contains(address: number): boolean {
    return address >= this.start && address < this.end;
  }

  /**
   * One frame: the most recently freed one if it is still free (warm in cache, like Linux's
   * per-CPU page lists), else the lowest free frame. O(1) with a cache hit or while the lowest
   * free word has frames left; else one climb and descent of the summary levels (4 steps for
   * 1 Mi frames).
   */
  alloc(): number {
    const leaf = this.leaf;
    while (this.recentTop !== this.recentBottom) {
      this.recentTop = (this.recentTop - 1) | 0;
      const p = this.recent[this.recentTop & RECENT_MASK];
      const wi = p >>> 5;
      const w = leaf[wi];
      const bit = 1 << (p & 31);
      // Stale entries (taken since by a run or reserve) are dropped.
      if ((w & bit) === 0) continue;
      const now = w ^ bit;
      leaf[wi] = now;
      if (w === -1) this.clearFull(wi);
      if (now === 0) this.freeMap.clearSummary(wi);
      this.freeCount -= 1;
      return (this.basePage + p) * PAGE_SIZE;
    }
    let wi = this.hint;
    let w = leaf[wi];
    if (w === 0) {
      const p = this.freeMap.findNext(wi << 5);
      if (p < 0) throw new OutOfMemoryError(this.name, 1);
      wi = p >>> 5;
      this.hint = wi;
      w = leaf[wi];
    }
    const now = w & (w - 1);
    leaf[wi] = now;
    if (w === -1) this.clearFull(wi);
    if (now === 0) this.freeMap.clearSummary(wi);
    this.freeCount -= 1;
    return (this.basePage + (wi << 5) + ctz(w)) * PAGE_SIZE;
  }

  /**
   * `n` physically contiguous frames, the lowest run that is aligned and below the limit.
   * Runs of 32+ frames aligned to 32+ frames search the full-word bitmap; smaller requests
   * search the frame bitmap. Each probe skips past the frame that made the previous one fail.
   */
  allocContiguous(n: number, options: ContiguousOptions = {}): number {
    const alignPages = this.checkAlign(options.align);
    if (!Number.isInteger(n) || n < 1)
      throw new InvalidRequestError(`page count must be a positive integer: ${n}`);
    let limit = this.pageCount;
    if (options.below !== undefined) {
      const below = options.below;
      if (!Number.isFinite(below) || below < 0) throw new InvalidRequestError(`bad upper limit: ${below}`);
      limit = Math.min(limit, Math.floor(below / PAGE_SIZE) - this.basePage);
    }
    const p =
      n >= 32 && alignPages >= 32
        ? this.findWordRun(n, alignPages, limit)
        : this.findRun(n, alignPages, limit);
    if (p < 0) {
      const why = options.below !== undefined ? ` below 0x${options.below.toString(16)}` : '';
      throw new OutOfMemoryError(
        this.name,
        n,
        alignPages > 1 ? ` aligned to ${alignPages} pages${why}` : why,
      );
    }
    this.takeRange(p, n);
    return (this.basePage + p) * PAGE_SIZE;
  }

  /** Frees `n` frames starting at `address`; all of them must be allocated. */
  free(address: number, n?: number): void {
    if (n !== undefined && n !== 1) {
      this.freeRun(address, n);
      return;
    }
    const p = address / PAGE_SIZE - this.basePage;
    if (p >>> 0 !== p || p >= this.pageCount) throw this.badAddress(address, 1);
    const wi = p >>> 5;
    const bit = 1 << (p & 31);
    if ((this.unavailableWords[wi >>> 5] & (1 << (wi & 31))) !== 0 && (this.unavailable[wi] & bit) !== 0) {
      throw new NotAllocatedError(address);
    }
    const old = this.leaf[wi];
    if ((old & bit) !== 0) throw new DoubleFreeError(address);
    const now = old | bit;
    this.leaf[wi] = now;
    if (old === 0) this.freeMap.setSummary(wi);
    if (now === -1) {
      // Inline leaf step of full.set(wi): the full map is small and hot; climb only on 0 -> non-0.
      const fw = this.fullLeaf[wi >>> 5];
      this.fullLeaf[wi >>> 5] = fw | (1 << (wi & 31));
      if (fw === 0) this.full.setSummary(wi >>> 5);
    }
    if (wi < this.hint) this.hint = wi;
    this.freeCount += 1;
    this.recent[this.recentTop & RECENT_MASK] = p;
    this.recentTop = (this.recentTop + 1) | 0;
    // A full ring forgets its oldest entry.
    if (this.recentTop - this.recentBottom > RECENT_MASK) this.recentBottom = (this.recentBottom + 1) | 0;
  }

  private freeRun(address: number, n: number): void {
    const p = this.pageOf(address, n);
    const reserved = firstInRange(this.unavailable, p, p + n, 1);
    if (reserved >= 0) throw new NotAllocatedError(this.addressOf(reserved));
    const already = firstInRange(this.leaf, p, p + n, 1);
    if (already >= 0) throw new DoubleFreeError(this.addressOf(already));
    this.giveRange(p, n);
  }

  /** Takes `n` free frames out of service for good (they leave `total`). */
  reserve(address: number, n = 1): void {
    const p = this.pageOf(address, n);
    const busy = firstInRange(this.leaf, p, p + n, 0);
    if (busy >= 0) throw new ReserveConflictError(this.addressOf(busy));
    this.takeRange(p, n);
    forEachWord(p, p + n, (wi, mask) => {
      this.unavailable[wi] |= mask;
      this.unavailableWords[wi >>> 5] |= 1 << (wi & 31);
    });
    this.totalCount -= n;
  }

  isFree(address: number): boolean {
    const p = this.pageOf(address, 1);
    return this.freeMap.test(p);
  }

  stats(): ArenaStats {
    let largest = 0;
    const perOrder = new Array<number>(MAX_ORDER + 1).fill(0);
    this.forEachFreeRun((first, end) => {
      largest = Math.max(largest, end - first);
      buddyBlocks(this.basePage + first, this.basePage + end, perOrder);
    });
    return {
      total: this.totalCount,
      free: this.freeCount,
      allocated: this.totalCount - this.freeCount,
      reserved: this.pageCount - this.totalCount,
      largestFreeRun: largest,
      freeBlocksPerOrder: perOrder,
    };
  }

  /** Linux's extfrag index for a request of 2^order frames (see stats.ts). */
  fragmentationIndex(order: number): number {
    if (!Number.isInteger(order) || order < 0 || order > MAX_ORDER) {
      throw new InvalidRequestError(`order must be an integer in 0..${MAX_ORDER}: ${order}`);
    }
    return fragmentationIndex(order, this.stats().freeBlocksPerOrder);
  }

  /** Calls visit(first, end) for each maximal run of free frames (relative indices). */
  forEachFreeRun(visit: (first: number, end: number) => void): void {
    let p = this.freeMap.findFirst();
    while (p >= 0) {
      let end = firstInRange(this.leaf, p, this.pageCount, 0);
      if (end < 0) end = this.pageCount;
      visit(p, end);
      p = this.freeMap.findNext(end);
    }
  }

  /** Walks every invariant; returns a description of the first broken one. */
  check(): string | undefined {
    const bad = this.freeMap.checkSummaries() ?? this.full.checkSummaries();
    if (bad) return `${this.name}: ${bad}`;
    let free = 0;
    let unavailable = 0;
    for (let wi = 0; wi < this.leaf.length; wi++) {
      const w = this.leaf[wi];
      free += popcount(w);
      const valid =
        wi === this.leaf.length - 1 && this.pageCount % 32 !== 0 ? (1 << (this.pageCount % 32)) - 1 : -1;
      unavailable += popcount(this.unavailable[wi] & valid);
      if ((w & this.unavailable[wi]) !== 0)
        return `${this.name}: word ${wi} has frames both free and unavailable`;
      if (this.full.test(wi) !== (w === -1)) return `${this.name}: full bit ${wi} disagrees with word ${w}`;
    }
    if (this.pageCount === 0) unavailable = 0;
    if (free !== this.freeCount) return `${this.name}: ${free} free bits but freeCount ${this.freeCount}`;
    if (this.pageCount - unavailable !== this.totalCount) {
      return `${this.name}: ${this.pageCount - unavailable} available frames but total ${this.totalCount}`;
    }
    return undefined;
  }

  private findRun(n: number, alignPages: number, limit: number): number {
    let pos = this.hint << 5;
    for (;;) {
      let c = this.freeMap.findNext(pos);
      if (c < 0) return -1;
      c = this.alignUp(c, alignPages);
      if (c + n > limit) return -1;
      const used = firstInRange(this.leaf, c, c + n, 0);
      if (used < 0) return c;
      pos = used + 1;
    }
  }

  // Whole free words first: a run of k full words, then `rem` free low frames in the next word.
  private findWordRun(n: number, alignPages: number, limit: number): number {
    const k = n >>> 5;
    const rem = n & 31;
    const alignWords = alignPages >>> 5;
    const baseWord = this.basePage >>> 5;
    const fullLeaf = this.full.levels[0];
    let pos = this.hint;
    for (;;) {
      let c = this.full.findNext(pos);
      if (c < 0) return -1;
      c = Math.ceil((baseWord + c) / alignWords) * alignWords - baseWord;
      if (c * 32 + n > limit) return -1;
      const broken = firstInRange(fullLeaf, c, c + k, 0);
      if (broken >= 0) {
        pos = broken + 1;
        continue;
      }
      if (rem !== 0 && (~this.leaf[c + k] & ((1 << rem) - 1)) !== 0) {
        pos = c + k + 1;
        continue;
      }
      return c * 32;
    }
  }

  private clearFull(wi: number): void {
    const fw = this.fullLeaf[wi >>> 5];
    const now = fw & ~(1 << (wi & 31));
    this.fullLeaf[wi >>> 5] = now;
    if (now === 0) this.full.clearSummary(wi >>> 5);
  }

  private takeRange(p: number, n: number): void {
    const end = p + n;
    while (p < end) {
      const lo = p & 31;
      const span = Math.min(32 - lo, end - p);
      const wi = p >>> 5;
      const old = this.leaf[wi];
      if (old === -1) this.full.clear(wi);
      this.freeMap.writeWord(wi, old & ~wordMask(lo, span));
      p += span;
    }
    this.freeCount -= n;
  }

  private giveRange(p: number, n: number): void {
    const end = p + n;
    if (p >>> 5 < this.hint) this.hint = p >>> 5;
    while (p < end) {
      const lo = p & 31;
      const span = Math.min(32 - lo, end - p);
      const wi = p >>> 5;
      const now = this.leaf[wi] | wordMask(lo, span);
      this.freeMap.writeWord(wi, now);
      if (now === -1) this.full.set(wi);
      p += span;
    }
    this.freeCount += n;
  }

  private badAddress(address: number, n: number): AddressRangeError {
    if (!Number.isInteger(address) || address % PAGE_SIZE !== 0) {
      return new AddressRangeError(address, 'not a page-aligned integer address');
    }
    return new AddressRangeError(
      address,
      `${n} page(s) from it leave the ${this.name} arena 0x${this.start.toString(16)}-0x${this.end.toString(16)}`,
    );
  }

  /** Alignment is in absolute frame numbers, so it holds for the physical address. */
  private alignUp(p: number, alignPages: number): number {
    if (alignPages === 1) return p;
    return Math.ceil((this.basePage + p) / alignPages) * alignPages - this.basePage;
  }

  private checkAlign(align: number | undefined): number {
    if (align === undefined) return 1;
    if (!Number.isInteger(align) || align < 1 || (align & (align - 1)) !== 0 || align > 2 ** 30) {
      throw new InvalidRequestError(`alignment must be a power of two (bytes): ${align}`);
    }
    return Math.max(1, align / PAGE_SIZE);
  }

  private pageOf(address: number, n: number): number {
    if (!Number.isInteger(n) || n < 1)
      throw new InvalidRequestError(`page count must be a positive integer: ${n}`);
    const p = address / PAGE_SIZE - this.basePage;
    if (!Number.isInteger(p) || p < 0 || p + n > this.pageCount) throw this.badAddress(address, n);
    return p;
  }

  private addressOf(p: number): number {
    return (this.basePage + p) * PAGE_SIZE;
  }
}
