// One arena: a contiguous span of page frames, some of them usable RAM.
//
// State (relative frame index p, word index w = p >>> 5):
//   free bitmap      bit p = 1  <=> frame p may be handed out now; summary levels above it
//   unavailable map  bit p = 1  <=> frame p is reserved or not RAM: never handed out
//   full bitmap      bit w = 1  <== free word w is all ones (32 free frames), for large runs
//   recent           stack of frames freed one at a time, handed out again first (LIFO)
// Summary and full bits may be stale (set over a word that no longer qualifies): the hot paths
// do not clear them and the searches verify and drop them. Setting them is deferred for frames
// on the recent stack: flushPending() does it before any search.
// Invariants (check() walks them after a flush): free and unavailable are disjoint; every
// non-empty word has its summary bit and every all-ones word its full bit.
// Counts are not kept on the hot path: stats() counts.
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
/** Bits at multiples of 2^i within a word, for i = 0..5. */
const ALIGN_MASKS = [-1, 0x55555555, 0x11111111, 0x01010101, 0x00010001, 1];
/** Capacity of the stack of recently freed frames. */
const RECENT = 1024;

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
  private readonly fullLeaf: Int32Array;
  /** Bit g set when full-map word g got a bit since it was last scrubbed: single allocs may
   *  since have made some of its bits stale. */
  private readonly maybeStale: Int32Array;
  private readonly level1: Int32Array;
  private readonly full: SummaryBitmap;
  /**
   * Frames freed one at a time, newest on top: alloc() hands them out again first (LIFO, warm
   * in cache, as Linux's per-CPU page lists do). Entries may be stale (taken since by a run or
   * reserve): alloc() checks the bitmap. Their words' summary upkeep is deferred until a search
   * (flushPending, which also empties the stack) or a spill; a frame taken back from the stack
   * needs none.
   */
  private readonly recent = new Int32Array(RECENT);
  private top = 0;
  private readonly unavailable: Int32Array;
  /** Bit g set when unavailable words 32g..32g+31 (1024 frames) hold any bit: lets free() skip
   *  the big map almost always (128 bytes per 4 GiB, so it stays in L1). */
  private readonly unavailableWords: Int32Array;
  /** Word where the last next-fit search ended (Phantom's alloc_last_pos, in words). */
  private cursor = 0;
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
    this.level1 = this.freeMap.levels[1];
    this.full = new SummaryBitmap(Math.ceil(pageCount / 32));
    this.fullLeaf = this.full.levels[0];
    this.maybeStale = new Int32Array(Math.ceil(this.fullLeaf.length / 32));
    this.unavailable = new Int32Array(Math.max(1, Math.ceil(pageCount / 32))).fill(-1);
    this.unavailableWords = new Int32Array(Math.ceil(this.unavailable.length / 1024));
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
      if (this.unavailable[wi] !== 0) this.unavailableWords[wi >>> 10] |= 1 << ((wi >>> 5) & 31);
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
   * One frame: the most recently freed one still free (LIFO, warm in cache), else the next free
   * frame from where the previous search ended (next fit, as Phantom does, but skipping full
   * regions through the summaries). O(1) in the first case and while the cursor's word has
   * frames left; else one climb and descent of the summary levels (4 steps for 1 Mi frames),
   * whatever the occupancy.
   */
  alloc(): number {
    const t = this.top - 1;
    if (t >= 0) {
      const p = this.recent[t];
      const leaf = this.leaf;
      const w = leaf[p >>> 5];
      const bit = 1 << (p & 31);
      // Taken back before any search saw it: its word needs no summary upkeep. A summary or
      // full bit left set over a word this empties is stale, which searches tolerate and clean.
      if ((w & bit) !== 0) {
        leaf[p >>> 5] = w ^ bit;
        this.top = t;
        return (this.basePage + p) * PAGE_SIZE;
      }
    }
    // Out-of-line paths return a frame index (a small integer, never boxed) and the address is
    // formed here, where callers can inline it.
    return (this.basePage + this.allocSlow()) * PAGE_SIZE;
  }

  /** Drops stale entries off the stack and takes the first live one, else searches. */
  private allocSlow(): number {
    const leaf = this.leaf;
    while (this.top > 0) {
      const t = this.top - 1;
      this.top = t;
      const p = this.recent[t];
      const w = leaf[p >>> 5];
      const bit = 1 << (p & 31);
      if ((w & bit) !== 0) {
        leaf[p >>> 5] = w ^ bit;
        return p;
      }
    }
    return this.allocNext();
  }

  /** Next fit from the word of the previous search, skipping empty words by the summaries;
   *  returns the frame index. */
  private allocNext(): number {
    this.flushPending();
    const leaf = this.leaf;
    let wi = this.cursor;
    let w = leaf[wi];
    if (w === 0) {
      let p = this.freeMap.findNext((wi + 1) << 5);
      if (p < 0) p = this.freeMap.findFirst(); // wrap around
      if (p < 0) throw new OutOfMemoryError(this.name, 1);
      wi = p >>> 5;
      this.cursor = wi;
      w = leaf[wi];
    }
    const now = w & (w - 1);
    leaf[wi] = now;
    // Off the hot path we can afford to keep the summary exact: a stale bit here would cost
    // the next search that reaches it a restart.
    if (now === 0) this.freeMap.clearAt(1, wi);
    return (wi << 5) + ctz(w);
  }

  /**
   * `n` physically contiguous frames, the lowest run that is aligned and below the limit.
   * Runs of 32+ frames aligned to 32+ frames search the full-word bitmap; smaller requests
   * search the frame bitmap. Each probe skips past the frame that made the previous one fail.
   */
  allocContiguous(n: number, options?: ContiguousOptions): number {
    return (this.basePage + this.allocRun(n, options)) * PAGE_SIZE;
  }

  private allocRun(n: number, options: ContiguousOptions | undefined): number {
    this.flushPending();
    const alignPages = this.checkAlign(options?.align);
    if (!Number.isInteger(n) || n < 1)
      throw new InvalidRequestError(`page count must be a positive integer: ${n}`);
    let limit = this.pageCount;
    const below = options?.below;
    if (below !== undefined) {
      if (!Number.isFinite(below) || below < 0) throw new InvalidRequestError(`bad upper limit: ${below}`);
      limit = Math.min(limit, Math.floor(below / PAGE_SIZE) - this.basePage);
    }
    const p =
      n >= 32 && alignPages >= 32
        ? this.findWordRun(n, alignPages, limit)
        : this.findRun(n, alignPages, limit);
    if (p < 0) {
      const why = below !== undefined ? ` below 0x${below.toString(16)}` : '';
      throw new OutOfMemoryError(
        this.name,
        n,
        alignPages > 1 ? ` aligned to ${alignPages} pages${why}` : why,
      );
    }
    this.takeRange(p, n);
    return p;
  }

  /** Frees `n` frames starting at `address`; all of them must be allocated. */
  free(address: number, n?: number): void {
    if (n !== undefined && n !== 1) {
      this.freeRun(address, n);
      return;
    }
    // Multiplying by 1/4096 is exact; non-integers and out-of-range values fail the next test.
    const p = address * (1 / PAGE_SIZE) - this.basePage;
    if (p >>> 0 !== p || p >= this.pageCount) throw this.badAddress(address, 1);
    const wi = p >>> 5;
    const bit = 1 << (p & 31);
    if (
      (this.unavailableWords[wi >>> 10] & (1 << ((wi >>> 5) & 31))) !== 0 &&
      (this.unavailable[wi] & bit) !== 0
    ) {
      throw new NotAllocatedError(address);
    }
    const leaf = this.leaf;
    const old = leaf[wi];
    if ((old & bit) !== 0) throw new DoubleFreeError(address);
    const now = old | bit;
    leaf[wi] = now;
    // Summary upkeep (level-1 bit, full bit) is deferred: see `recent`.
    const t = this.top;
    this.recent[t] = p;
    this.top = t + 1;
    if (t + 1 === RECENT) this.spill();
  }

  /** The stack is full: do the upkeep of its older half and forget those entries. */
  private spill(): void {
    const half = RECENT >>> 1;
    for (let i = 0; i < half; i++) this.noteWord(this.recent[i] >>> 5);
    this.recent.copyWithin(0, half, RECENT);
    this.top -= half;
  }

  private freeRun(address: number, n: number): void {
    const p = this.pageOf(address, n);
    // One pass to validate (word at a time), then one to free: errors leave nothing half done.
    const end = p + n;
    for (let q = p; q < end; ) {
      const lo = q & 31;
      const span = Math.min(32 - lo, end - q);
      const wi = q >>> 5;
      const mask = wordMask(lo, span);
      if (
        (this.unavailableWords[wi >>> 10] & (1 << ((wi >>> 5) & 31))) !== 0 &&
        (this.unavailable[wi] & mask) !== 0
      ) {
        throw new NotAllocatedError(this.addressOf(firstInRange(this.unavailable, q, q + span, 1)));
      }
      if ((this.leaf[wi] & mask) !== 0)
        throw new DoubleFreeError(this.addressOf(firstInRange(this.leaf, q, q + span, 1)));
      q += span;
    }
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
      this.unavailableWords[wi >>> 10] |= 1 << ((wi >>> 5) & 31);
    });
    this.totalCount -= n;
  }

  isFree(address: number): boolean {
    const p = this.pageOf(address, 1);
    return this.freeMap.test(p);
  }

  stats(): ArenaStats {
    let largest = 0;
    let free = 0;
    const perOrder = new Array<number>(MAX_ORDER + 1).fill(0);
    this.forEachFreeRun((first, end) => {
      largest = Math.max(largest, end - first);
      free += end - first;
      buddyBlocks(this.basePage + first, this.basePage + end, perOrder);
    });
    return {
      total: this.totalCount,
      free,
      allocated: this.totalCount - free,
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
    this.flushPending();
    let p = this.freeMap.findFirst();
    while (p >= 0) {
      let end = firstInRange(this.leaf, p, this.pageCount, 0);
      if (end < 0) end = this.pageCount;
      visit(p, end);
      p = this.freeMap.findNext(end);
    }
  }

  /** Walks every invariant (after applying deferred summary upkeep); describes the first broken one. */
  check(): string | undefined {
    this.flushPending();
    const bad = this.freeMap.checkSummaries() ?? this.full.checkSummaries();
    if (bad) return `${this.name}: ${bad}`;
    let unavailable = 0;
    for (let wi = 0; wi < this.leaf.length; wi++) {
      const w = this.leaf[wi];
      const valid =
        wi === this.leaf.length - 1 && this.pageCount % 32 !== 0 ? (1 << (this.pageCount % 32)) - 1 : -1;
      unavailable += popcount(this.unavailable[wi] & valid);
      if ((w & this.unavailable[wi]) !== 0)
        return `${this.name}: word ${wi} has frames both free and unavailable`;
      if (w === -1 && !this.full.test(wi))
        return `${this.name}: word ${wi} is all free but its full bit is clear`;
    }
    if (this.pageCount === 0) unavailable = 0;
    if (this.pageCount - unavailable !== this.totalCount) {
      return `${this.name}: ${this.pageCount - unavailable} available frames but total ${this.totalCount}`;
    }
    return undefined;
  }

  private findRun(n: number, alignPages: number, limit: number): number {
    let pos = 0;
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
    // An aligned run of k <= alignWords <= 32 words sits inside one aligned block of the full
    // map, so one word of the full map answers for 32 candidates at once.
    if (rem === 0 && k <= alignWords && alignWords <= 32 && baseWord % alignWords === 0) {
      return this.findWordRunInBlocks(k, alignWords, limit);
    }
    let pos = 0;
    for (;;) {
      let c = this.full.findNext(pos);
      if (c < 0) return -1;
      if (this.leaf[c] !== -1) {
        this.full.clear(c); // stale
        pos = c + 1;
        continue;
      }
      c = Math.ceil((baseWord + c) / alignWords) * alignWords - baseWord;
      if (c * 32 + n > limit) return -1;
      let broken = -1;
      for (let w = c; w < c + k; w++) {
        if (this.leaf[w] !== -1) {
          broken = w;
          break;
        }
      }
      if (broken >= 0) {
        // A set bit over a word that is no longer full is stale: drop it now.
        if (this.full.test(broken)) this.full.clear(broken);
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

  private findWordRunInBlocks(k: number, alignWords: number, limit: number): number {
    const fullLeaf = this.full.levels[0];
    const alignMask = ALIGN_MASKS[31 - Math.clz32(alignWords)];
    let q = this.full.findFirst();
    let walked = 0;
    while (q >= 0) {
      const fi = q >>> 5;
      const f = fullLeaf[fi];
      let m = f;
      for (let j = 1; j < k; j++) m &= f >>> j;
      m &= alignMask;
      while (m !== 0) {
        const c = (fi << 5) | ctz(m);
        if (c * 32 + k * 32 > limit) return -1;
        let broken = -1;
        for (let w = c; w < c + k; w++) {
          if (this.leaf[w] !== -1) {
            broken = w;
            break;
          }
        }
        if (broken < 0) return c * 32;
        // The broken word's bit is stale (a single alloc took a frame from it): drop it, one
        // store (the full map's summary may stay stale), so no later search tries it again.
        fullLeaf[broken >>> 5] &= ~(1 << (broken & 31));
        m &= m - 1;
      }
      // No run here. If this word of the full map got bits since its last scrub, single allocs
      // may have made some stale: drop those now, so that later searches pass it by cheaply.
      if ((this.maybeStale[fi >>> 5] & (1 << (fi & 31))) !== 0) this.scrubFull(fi);
      // Bits can also go stale in words scrubbed since (a single alloc never marks, to stay
      // cheap). If a search has to walk far, have every word scrubbed once more on its next visit.
      if (++walked === 64) this.maybeStale.fill(-1);
      q = fi + 1 < fullLeaf.length ? this.full.findNext((fi + 1) << 5) : -1;
    }
    return -1;
  }

  /**
   * Applies the summary upkeep free() deferred: every non-empty word gets its level-1 bit and
   * every all-free word its full bit. Before this, searches of either map could miss frames.
   */
  private flushPending(): void {
    const top = this.top;
    for (let i = 0; i < top; i++) this.noteWord(this.recent[i] >>> 5);
    // Emptying the stack keeps this O(entries since the last search); the frames stay free.
    this.top = 0;
  }

  private noteWord(wi: number): void {
    const w = this.leaf[wi];
    if (w !== 0 && (this.level1[wi >>> 5] & (1 << (wi & 31))) === 0) this.freeMap.setAt(1, wi);
    if (w === -1 && !this.full.test(wi)) this.setFull(wi);
  }

  /** Sets word wi's full bit; that word of the full map may now go stale (see scrubFull). */
  private setFull(wi: number): void {
    this.full.set(wi);
    this.maybeStale[wi >>> 10] |= 1 << ((wi >>> 5) & 31);
  }

  /** Clears the full bits of words in full-map word `fi` that are no longer all free. */
  private scrubFull(fi: number): void {
    let f = this.full.levels[0][fi];
    let stale = 0;
    while (f !== 0) {
      const b = ctz(f);
      f &= f - 1;
      if (this.leaf[(fi << 5) | b] !== -1) stale |= 1 << b;
    }
    if (stale !== 0) this.full.writeWord(fi, this.full.levels[0][fi] & ~stale);
    this.maybeStale[fi >>> 5] &= ~(1 << (fi & 31));
  }

  private takeRange(p: number, n: number): void {
    const end = p + n;
    while (p < end) {
      const lo = p & 31;
      const span = Math.min(32 - lo, end - p);
      const wi = p >>> 5;
      const old = this.leaf[wi];
      this.leaf[wi] = old & ~wordMask(lo, span);
      // Clear the word's full bit (one store: the full map's summary may go stale), so that
      // the next search does not verify our own runs again; frame-summary bits may go stale.
      if (old === -1) this.fullLeaf[wi >>> 5] &= ~(1 << (wi & 31));
      p += span;
    }
  }

  private giveRange(p: number, n: number): void {
    const end = p + n;
    while (p < end) {
      const lo = p & 31;
      const span = Math.min(32 - lo, end - p);
      const wi = p >>> 5;
      const now = this.leaf[wi] | wordMask(lo, span);
      this.leaf[wi] = now;
      if ((this.level1[wi >>> 5] & (1 << (wi & 31))) === 0) this.freeMap.setAt(1, wi);
      if (now === -1 && !this.full.test(wi)) this.setFull(wi);
      p += span;
    }
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
