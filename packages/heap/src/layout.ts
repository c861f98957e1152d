import type { HeapRegion } from './region.js';

// The in-band layout: everything the allocator knows lives in the region it manages, so a byte copy
// of the region is a complete heap (Heap.open re-attaches to it).
//
//   offset 0        control block (controlSizeFor(flCount) bytes, fields below)
//   control size    first block
//   ...             blocks, each [sizeFlags][check][payload ...]
//   end - 8         end sentinel: an allocated block of size 0
//
// A block header is two 32-bit words; the payload starts 8 bytes after it (8-byte aligned).
//   word 0  size | FREE | PREV_FREE     (size: whole block including the header, a multiple of 8)
//   word 1  check = checkWord(offset, word 0)  catches stray pointers and overwritten headers
// A free block also holds, in its payload: next free (+8), previous free (+12), and a footer in its
// last word (size), which lets the following block find it when coalescing (boundary tag).
// A cached block (version 2) is a freed block of at most QUICK_MAX bytes parked, uncoalesced, in the
// quick list of its exact size (link to the next one at +8); to its neighbours it is still in use.

/** 'PHHP' */
export const MAGIC = 0x50484850;
/** 2 adds the quick lists; version 1 images (no quick lists) still open and stay version 1. */
export const VERSION = 2;

export const FREE = 1;
export const PREV_FREE = 2;
/** Freed, parked in a quick list: not free for coalescing, not live for the caller. */
export const CACHED = 4;
export const FLAG_MASK = 7;

export const HEADER = 8;
/** Smallest block: header + two free-list links + footer, rounded to 8. */
export const MIN_BLOCK = 24;
export const GRANULE = 8;

/** Second-level lists per first-level class: 2^SL_LOG2. */
export const SL_LOG2 = 5;
export const SL_COUNT = 1 << SL_LOG2;
/** Blocks below SMALL bytes all sit in first-level class 0, one list per 8 bytes. */
export const SMALL_LOG2 = SL_LOG2 + 3;
export const SMALL = 1 << SMALL_LOG2;
/** Largest block: just under 1 GiB (the kernel heap and the object space are both 1 GiB windows). */
export const MAX_LOG2 = 30;
export const MAX_BLOCK = 2 ** MAX_LOG2 - GRANULE;
/** Most first-level classes a heap has (a heap sized for 1 GiB); smaller regions get fewer (flCountFor). */
export const FL_COUNT = MAX_LOG2 - SMALL_LOG2 + 1;
/** A heap's end offset never exceeds 1 GiB, so no block outgrows the largest class. */
export const MAX_END = 2 ** MAX_LOG2;
export const MAX_ALIGN = 4096;

// Control block fields (byte offsets).
export const C_MAGIC = 0;
export const C_VERSION = 4;
export const C_CONTROL_SIZE = 8;
export const C_END = 12;
export const C_FL_BITMAP = 16;
export const C_USED_BYTES = 20;
export const C_USED_BLOCKS = 24;
export const C_FREE_BLOCKS = 28;
export const C_PEAK_USED = 32;
export const C_PEAK_END = 36;
export const C_PARAMS = 40; // SL_LOG2 | flCount << 8: refuse images made with other parameters
export const C_END_CHECK = 44; // checkWord(C_END, end): the one control field every operation trusts
export const C_SL_BITMAPS = 48;
/** Room for FL_COUNT bitmaps whatever the heap's class count, so list heads sit at a fixed offset. */
export const C_HEADS = C_SL_BITMAPS + 4 * FL_COUNT;

/**
 * First-level classes of a heap whose end never exceeds `maxEnd` (the region's capacity): just
 * enough for its largest possible block. A 256 KiB region needs 11 classes and a 1.5 KiB control
 * block instead of 23 and 3 KiB; with FL_COUNT classes the layout is the original one byte for byte.
 */
export function flCountFor(maxEnd: number): number {
  const top = Math.min(maxEnd, MAX_END) - 1;
  return Math.min(FL_COUNT, flOf(Math.max(top, 0)) + 1);
}

/** Bytes of the TLSF part of the control block (all of it in version 1); the quick area follows. */
export function tlsfSizeFor(flCount: number): number {
  return (C_HEADS + 4 * flCount * SL_COUNT + 7) & ~7;
}

// The quick area (version 2), at tlsfSizeFor(flCount): bytes and blocks cached, then one list head
// per block size up to QUICK_MAX, indexed by size / 8 (indices below MIN_BLOCK / 8 stay 0).
export const QUICK_MAX = 1032;
export const Q_BYTES = 0;
export const Q_BLOCKS = 4;
export const Q_HEADS = 8;
export const QUICK_AREA = Q_HEADS + 4 * (QUICK_MAX / GRANULE + 1);

/** Control block size (offset of the first block) with `flCount` first-level classes. */
export function controlSizeFor(flCount: number, version = VERSION): number {
  return tlsfSizeFor(flCount) + (version >= 2 ? QUICK_AREA : 0);
}

/** Highest end offset a heap with `flCount` classes may reach: its blocks stay below class flCount. */
export function endLimitFor(flCount: number): number {
  return 2 ** (flCount - 1 + SMALL_LOG2);
}

/** Params bit: the heap's owner can follow moved blocks, so the heap may compact (no aligned blocks). */
export const RELOCATABLE = 1 << 16;

export function paramsFor(flCount: number, relocatable = false): number {
  return SL_LOG2 | (flCount << 8) | (relocatable ? RELOCATABLE : 0);
}

/** The check word of a header at `offset` holding `sizeFlags`: any single-word change breaks it. */
export function checkWord(offset: number, sizeFlags: number): number {
  return Math.imul(offset ^ 0x5a17c0de, 0x9e3779b1) ^ Math.imul(sizeFlags ^ 0x3c6ef372, 0x85ebca6b);
}

/** Byte offset in the control block of the free-list head for (fl, sl). */
export function headOffset(fl: number, sl: number): number {
  return C_HEADS + ((fl << SL_LOG2) + sl) * 4;
}

/** First-level class of a block size (the list it is filed in is (fl, slOf(size, fl))). */
export function flOf(size: number): number {
  if (size < SMALL) return 0;
  return 31 - Math.clz32(size) - SMALL_LOG2 + 1;
}

export function slOf(size: number, fl: number): number {
  if (fl === 0) return size >>> 3;
  return (size >>> (fl + SMALL_LOG2 - 1 - SL_LOG2)) & (SL_COUNT - 1);
}

/** Block size for a request of `bytes` payload bytes. */
export function blockSizeFor(bytes: number): number {
  const size = (bytes + HEADER + GRANULE - 1) & ~(GRANULE - 1);
  return Math.max(size, MIN_BLOCK);
}

/** The heap's end offset, or -1 when the end field or its check word was damaged. */
export function readEnd(r: HeapRegion, control: number): number {
  const end = r.readI32(C_END);
  if (r.readI32(C_END_CHECK) !== checkWord(C_END, end)) return -1;
  if (end % 8 !== 0 || end < control + HEADER || end > r.capacity || end > MAX_END) return -1;
  return end;
}

export function writeEnd(r: HeapRegion, end: number): void {
  r.writeI32(C_END, end);
  r.writeI32(C_END_CHECK, checkWord(C_END, end));
}

/** Stamp the control block with this format's identity: magic, version and TLSF parameters. */
export function writeIdentity(r: HeapRegion, flCount: number, version: number, relocatable: boolean): void {
  r.writeI32(C_MAGIC, MAGIC);
  r.writeI32(C_VERSION, version);
  r.writeI32(C_CONTROL_SIZE, controlSizeFor(flCount, version));
  r.writeI32(C_PARAMS, paramsFor(flCount, relocatable));
}

/** Whether the image was created relocatable; valid once identityProblem passed. */
export function readRelocatable(r: HeapRegion): boolean {
  return (r.readI32(C_PARAMS) & RELOCATABLE) !== 0;
}

/** The image's layout version; valid once identityProblem passed. */
export function readVersion(r: HeapRegion): number {
  return r.readI32(C_VERSION);
}

/** Offset of the quick area of an image, or -1 for a version 1 image (no quick lists). */
export function quickAreaOf(flCount: number, version: number): number {
  return version >= 2 ? tlsfSizeFor(flCount) : -1;
}

/** The image's first-level class count (from its parameters word); valid once identityProblem passed. */
export function readFlCount(r: HeapRegion): number {
  return (r.readI32(C_PARAMS) >>> 8) & 0xff;
}

/** Why the control block does not carry this format's identity (see writeIdentity), or undefined. */
export function identityProblem(r: HeapRegion): string | undefined {
  if (r.readI32(C_MAGIC) !== MAGIC) return 'bad magic';
  const version = r.readI32(C_VERSION);
  if (version !== 1 && version !== VERSION) return `version ${version}, expected 1 or ${VERSION}`;
  const flCount = readFlCount(r);
  if (
    flCount < 1 ||
    flCount > FL_COUNT ||
    (r.readI32(C_PARAMS) & ~RELOCATABLE) !== paramsFor(flCount) ||
    r.readI32(C_CONTROL_SIZE) !== controlSizeFor(flCount, version)
  )
    return 'other TLSF parameters';
  return undefined;
}

/** Whether `b` can be a block header in a heap ending at `end`: 8-aligned, in [first block, sentinel). */
export function isBlockOffset(b: number, end: number, control: number): boolean {
  return b >= control && b < end - HEADER && (b & 7) === 0;
}
