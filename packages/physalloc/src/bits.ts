// Word-at-a-time scans over plain bitmaps (bit i of the map is bit i&31 of word i>>>5).
import { ctz } from './summary-bitmap.js';

/** Mask of `span` bits starting at bit `lo` of a word (lo + span <= 32). */
export function wordMask(lo: number, span: number): number {
  return span === 32 ? -1 : ((1 << span) - 1) << lo;
}

/** First index in [start, end) whose bit equals `bit`, or -1. */
export function firstInRange(words: Int32Array, start: number, end: number, bit: 0 | 1): number {
  const flip = bit === 1 ? 0 : -1;
  while (start < end) {
    const wi = start >>> 5;
    const lo = start & 31;
    const span = Math.min(32 - lo, end - start);
    const hit = ((words[wi] ^ flip) & wordMask(lo, span)) | 0;
    if (hit !== 0) return (wi << 5) | ctz(hit);
    start += span;
  }
  return -1;
}

/** Calls `visit(wordIndex, mask)` for each word that [start, end) touches. */
export function forEachWord(start: number, end: number, visit: (wi: number, mask: number) => void): void {
  while (start < end) {
    const lo = start & 31;
    const span = Math.min(32 - lo, end - start);
    visit(start >>> 5, wordMask(lo, span));
    start += span;
  }
}

export function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}
