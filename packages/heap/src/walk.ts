// Slow walks over a heap image: the full consistency check, and the classification of a bad
// pointer (run only on the error path, so free() stays O(1) for good pointers).
import {
  CorruptedHeaderError,
  DoubleFreeError,
  type HeapError,
  HeapFormatError,
  InteriorPointerError,
  InvalidPointerError,
  OutsideHeapError,
} from './errors.js';
import {
  C_END,
  C_FL_BITMAP,
  C_FREE_BLOCKS,
  C_PEAK_END,
  C_PEAK_USED,
  C_SL_BITMAPS,
  C_USED_BLOCKS,
  C_USED_BYTES,
  CACHED,
  checkWord,
  controlSizeFor,
  endLimitFor,
  FL_COUNT,
  FLAG_MASK,
  FREE,
  flOf,
  HEADER,
  headOffset,
  identityProblem,
  MIN_BLOCK,
  PREV_FREE,
  Q_BLOCKS,
  Q_BYTES,
  Q_HEADS,
  QUICK_MAX,
  quickAreaOf,
  readEnd,
  readFlCount,
  readVersion,
  SL_COUNT,
  slOf,
} from './layout.js';
import type { HeapRegion } from './region.js';

/** The first inconsistency in the heap image in `r`, or undefined. */
export function checkImage(r: HeapRegion): HeapError | undefined {
  const base = r.base;
  const bad = (offset: number, why: string) => new HeapFormatError(base + offset, `heap check: ${why}`);
  const identity = identityProblem(r);
  if (identity !== undefined) return bad(0, identity);
  const flCount = readFlCount(r);
  const version = readVersion(r);
  const control = controlSizeFor(flCount, version);
  const quick = quickAreaOf(flCount, version);
  const end = readEnd(r, control);
  if (end < 0) return bad(C_END, `damaged end field (${r.readI32(C_END)})`);
  if (end > endLimitFor(flCount)) return bad(C_END, `end ${end} beyond the heap's ${flCount} size classes`);
  const sentinel = end - HEADER;

  // 1. The blocks tile the heap; flags and footers agree with the neighbours.
  const free = new Set<number>();
  const cached = new Set<number>();
  let cachedBytes = 0;
  let usedBytes = 0;
  let usedBlocks = 0;
  let maxUsedEnd = 0;
  let prevFree = false;
  let b = control;
  while (b < sentinel) {
    const sf = r.readI32(b);
    if (r.readI32(b + 4) !== checkWord(b, sf))
      return new CorruptedHeaderError(base + b, 'check word mismatch');
    const size = sf & ~FLAG_MASK;
    if (size < MIN_BLOCK || b + size > sentinel) return bad(b, `block size ${size} does not fit the heap`);
    if (((sf & PREV_FREE) !== 0) !== prevFree) return bad(b, 'PREV_FREE disagrees with the previous block');
    const isFree = (sf & FREE) !== 0;
    if (sf & CACHED) {
      if (isFree || quick < 0 || size > QUICK_MAX)
        return bad(b, `cached flag on a block that cannot be cached`);
      cached.add(b);
      cachedBytes += size;
    } else if (isFree) {
      if (prevFree) return bad(b, 'two neighbouring free blocks (missed coalescing)');
      if (r.readI32(b + size - 4) !== size)
        return bad(b + size - 4, `footer ${r.readI32(b + size - 4)} != size ${size}`);
      free.add(b);
    } else {
      usedBytes += size;
      usedBlocks += 1;
      maxUsedEnd = b + size;
    }
    prevFree = isFree;
    b += size;
  }
  if (b !== sentinel) return bad(b, 'blocks do not end at the sentinel');
  const ssf = r.readI32(sentinel);
  if (r.readI32(sentinel + 4) !== checkWord(sentinel, ssf)) {
    return new CorruptedHeaderError(base + sentinel, 'end sentinel check word mismatch');
  }
  if (ssf !== (prevFree ? PREV_FREE : 0)) return bad(sentinel, 'bad end sentinel');

  // 2. The counters.
  if (r.readI32(C_USED_BYTES) !== usedBytes)
    return bad(C_USED_BYTES, `usedBytes ${r.readI32(C_USED_BYTES)} != ${usedBytes}`);
  if (r.readI32(C_USED_BLOCKS) !== usedBlocks) return bad(C_USED_BLOCKS, `usedBlocks != ${usedBlocks}`);
  if (r.readI32(C_FREE_BLOCKS) !== free.size) return bad(C_FREE_BLOCKS, `freeBlocks != ${free.size}`);
  if (r.readI32(C_PEAK_USED) < usedBytes) return bad(C_PEAK_USED, 'peak below current use');
  if (r.readI32(C_PEAK_END) < maxUsedEnd) return bad(C_PEAK_END, 'peak end below a live block');

  // 3. Every free block is in the one list its size maps to; bitmaps mirror the lists.
  const flMap = r.readI32(C_FL_BITMAP);
  if (flMap >>> flCount !== 0) return bad(C_FL_BITMAP, 'first-level bitmap has bits beyond the classes');
  for (let fl = flCount; fl < FL_COUNT; fl++) {
    if (r.readI32(C_SL_BITMAPS + 4 * fl) !== 0)
      return bad(C_SL_BITMAPS + 4 * fl, 'bitmap of a class beyond the heap');
  }
  const listed = new Set<number>();
  for (let fl = 0; fl < flCount; fl++) {
    const slMap = r.readI32(C_SL_BITMAPS + 4 * fl);
    if ((slMap !== 0) !== ((flMap >>> fl) & 1) > 0)
      return bad(C_FL_BITMAP, `first-level bit ${fl} disagrees`);
    for (let sl = 0; sl < SL_COUNT; sl++) {
      const head = r.readI32(headOffset(fl, sl));
      if ((head !== 0) !== ((slMap >>> sl) & 1) > 0)
        return bad(C_SL_BITMAPS + 4 * fl, `bit ${sl} disagrees with list`);
      let prev = 0;
      for (let e = head; e !== 0; e = r.readI32(e + 8)) {
        if (!free.has(e))
          return bad(
            prev === 0 ? headOffset(fl, sl) : prev + 8,
            `list link 0x${e.toString(16)} is not a free block`,
          );
        if (listed.has(e)) return bad(e, 'free block listed twice');
        listed.add(e);
        const size = r.readI32(e) & ~FLAG_MASK;
        if (flOf(size) !== fl || slOf(size, flOf(size)) !== sl)
          return bad(e, `size ${size} filed in list (${fl}, ${sl})`);
        if (r.readI32(e + 12) !== prev) return bad(e + 12, 'back link disagrees');
        prev = e;
      }
    }
  }
  for (const f of free) if (!listed.has(f)) return bad(f, 'free block missing from its list');
  return quick < 0 ? undefined : checkQuickLists(r, quick, cached, cachedBytes);
}

/** Every cached block is in the quick list of its size, once; the counters add them up. */
function checkQuickLists(
  r: HeapRegion,
  quick: number,
  cached: Set<number>,
  cachedBytes: number,
): HeapError | undefined {
  const bad = (offset: number, why: string) => new HeapFormatError(r.base + offset, `heap check: ${why}`);
  const listed = new Set<number>();
  for (let i = 0; i <= QUICK_MAX / 8; i++) {
    const ho = quick + Q_HEADS + 4 * i;
    if (i < MIN_BLOCK / 8 && r.readI32(ho) !== 0)
      return bad(ho, `quick list for ${8 * i} bytes is not empty`);
    let from = ho;
    for (let e = r.readI32(ho); e !== 0; e = r.readI32(e + 8)) {
      if (!cached.has(e)) return bad(from, `quick-list link 0x${e.toString(16)} is not a cached block`);
      if (listed.has(e)) return bad(e, 'cached block listed twice');
      listed.add(e);
      if ((r.readI32(e) & ~FLAG_MASK) !== 8 * i)
        return bad(e, `cached block filed in the ${8 * i}-byte list`);
      from = e + 8;
    }
  }
  for (const c of cached) if (!listed.has(c)) return bad(c, 'cached block missing from its quick list');
  if (r.readI32(quick + Q_BLOCKS) !== cached.size)
    return bad(quick + Q_BLOCKS, `cachedBlocks != ${cached.size}`);
  if (r.readI32(quick + Q_BYTES) !== cachedBytes)
    return bad(quick + Q_BYTES, `cachedBytes != ${cachedBytes}`);
  return undefined;
}

/**
 * Why `pointer` is not a live block: the precise typed error, or undefined if it is one.
 * Walks from the first block, so a corrupted header before the pointer is reported as such.
 */
export function classifyPointer(r: HeapRegion, pointer: number, control: number): HeapError | undefined {
  const base = r.base;
  const end = readEnd(r, control);
  if (end < 0) return new HeapFormatError(base + C_END, 'control block damaged: heap end field');
  const p = pointer - base;
  if (!(p >= control + HEADER && p < end - HEADER)) {
    return new OutsideHeapError(pointer, base + control, base + end);
  }
  const sentinel = end - HEADER;
  for (let b = control; b < sentinel; ) {
    const sf = r.readI32(b);
    if (r.readI32(b + 4) !== checkWord(b, sf)) {
      return new CorruptedHeaderError(
        base + b,
        b + HEADER === p ? 'check word mismatch' : 'check word mismatch (found walking to the pointer)',
      );
    }
    const size = sf & ~FLAG_MASK;
    if (size < MIN_BLOCK || b + size > sentinel)
      return new CorruptedHeaderError(base + b, `size ${size} out of range`);
    if (p < b + size) {
      if (p === b + HEADER) return sf & (FREE | CACHED) ? new DoubleFreeError(pointer) : undefined;
      if (p < b + HEADER)
        return new InvalidPointerError(pointer, `points into the header at 0x${(base + b).toString(16)}`);
      if ((sf & FREE) === 0) return new InteriorPointerError(pointer, base + b + HEADER);
      // Inside free space: a block that was freed and merged still carries its old header, marked free.
      const h = p - HEADER;
      if ((h & 7) === 0 && r.readI32(h + 4) === checkWord(h, r.readI32(h)) && r.readI32(h) & FREE) {
        return new DoubleFreeError(pointer);
      }
      return new InvalidPointerError(pointer, `inside the free block at 0x${(base + b).toString(16)}`);
    }
    b += size;
  }
  return new InvalidPointerError(pointer, 'not in any block');
}
