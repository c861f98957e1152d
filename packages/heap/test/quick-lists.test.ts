// The quick lists (layout version 2): freed small blocks parked by exact size, handed back by malloc,
// merged before the heap would grow, fail or trim, kept in the image, and checked by check().
import { describe, expect, it } from 'vitest';
import { ArrayRegion, DoubleFreeError, Heap, HeapFormatError, InteriorPointerError } from '../src/index.js';
import { fixedHeap, growingHeap } from './helpers.js';

const MiB = 1 << 20;

/** A 1 MiB heap (quick lists by default) with 64 KiB in use, parking from the first byte. */
function busyHeap() {
  const h = fixedHeap(MiB, 0x100000, { parkAbove: 0 });
  const ballast = Array.from({ length: 64 }, () => h.heap.malloc(1000));
  return { ...h, ballast };
}

describe('quick lists', () => {
  it('are on by default from 1 MiB regions, off below, and either way on request', () => {
    expect(fixedHeap(MiB).region.readI32(4)).toBe(2);
    expect(fixedHeap(MiB - 8).region.readI32(4)).toBe(1);
    expect(fixedHeap(64 * 1024, 0x10000, { quickLists: true }).region.readI32(4)).toBe(2);
    expect(fixedHeap(MiB, 0x10000, { quickLists: false }).region.readI32(4)).toBe(1);
  });

  it('park a freed block and hand it back for a request of the same block size', () => {
    const { heap } = busyHeap();
    const p = heap.malloc(100);
    const used = heap.stats().usedBytes;
    heap.free(p);
    expect(heap.stats()).toMatchObject({ cachedBlocks: 1, cachedBytes: 112, usedBytes: used - 112 });
    expect(heap.check()).toBeUndefined();
    expect(heap.malloc(98)).toBe(p); // 98 and 100 bytes both take a 112-byte block
    expect(heap.stats()).toMatchObject({ cachedBlocks: 0, cachedBytes: 0, usedBytes: used });
    expect(heap.check()).toBeUndefined();
  });

  it('a parked block is freed: freeing it again, or using it, is a typed error that changes nothing', () => {
    const { heap, bytes } = busyHeap();
    const p = heap.malloc(200);
    heap.free(p);
    const image = bytes.slice();
    expect(() => heap.free(p)).toThrow(DoubleFreeError);
    expect(() => heap.realloc(p, 10)).toThrow(DoubleFreeError);
    expect(() => heap.usableSize(p)).toThrow(DoubleFreeError);
    expect(() => heap.free(p + 8)).toThrow(InteriorPointerError);
    expect(Buffer.compare(bytes, image)).toBe(0); // byte for byte (toEqual is slow on 1 MiB)
    expect(heap.check()).toBeUndefined();
  });

  it('park at most 1/16 of the bytes in use (above parkAbove), and merge them all once that is far exceeded', () => {
    const { heap, ballast } = busyHeap();
    const small = Array.from({ length: 200 }, () => heap.malloc(40));
    for (const p of small) {
      const before = heap.stats();
      heap.free(p);
      const s = heap.stats();
      if (s.cachedBlocks > before.cachedBlocks)
        expect(s.cachedBytes).toBeLessThanOrEqual(before.usedBytes / 16);
    }
    expect(heap.stats().cachedBlocks).toBeGreaterThan(0);
    for (const p of ballast.slice(0, 48)) heap.free(p); // the bytes in use drop to a quarter
    const s = heap.stats();
    // Within twice the limit of the last free (taken before it, so with its 1,008 bytes still in use).
    expect(s.cachedBytes).toBeLessThanOrEqual((2 * (s.usedBytes + 1008)) / 16 + 1008);
    expect(heap.check()).toBeUndefined();
  });

  it('are merged before an allocation would fail, so parking never costs an allocation', () => {
    const { heap, ballast } = busyHeap();
    // Fill the rest with 1000-byte blocks, free every block to the quick lists where the limit allows.
    const more: number[] = [];
    for (;;) {
      try {
        more.push(heap.malloc(1000));
      } catch {
        break;
      }
    }
    for (const p of [...ballast, ...more].slice(0, -1)) heap.free(p);
    // Everything but one block is free: a request of half the heap must fit.
    expect(heap.malloc(MiB / 2)).toBeGreaterThan(0);
    expect(heap.stats().cachedBlocks).toBe(0);
    expect(heap.check()).toBeUndefined();
  });

  it('are merged when the heap empties, so trimming gives the pages back', () => {
    const g = growingHeap(4 * MiB, 4 * MiB, 0x200000, { quickLists: true, parkAbove: 0 });
    const ps = Array.from({ length: 3000 }, (_, i) => g.heap.malloc(16 + (i % 64) * 16));
    const grown = g.heap.stats().end;
    for (const p of ps) g.heap.free(p);
    g.heap.trim();
    expect(g.heap.stats()).toMatchObject({ cachedBlocks: 0, usedBlocks: 0 });
    expect(g.heap.stats().end).toBeLessThan(grown - MiB);
    expect(g.heap.check()).toBeUndefined();
  });

  it('survive a byte copy of the image: the reopened heap hands out the same parked block', () => {
    const { heap, bytes } = busyHeap();
    const p = heap.malloc(300);
    heap.free(p);
    const again = Heap.open(new ArrayRegion(bytes.slice(), 0x100000), { verify: true });
    expect(again.stats()).toEqual(heap.stats());
    expect(again.malloc(300)).toBe(p);
  });

  it('check() reports a quick-list link that leads to a block which is not parked', () => {
    const { heap, region, ballast } = busyHeap();
    const p = heap.malloc(64);
    heap.free(p);
    const head = region.readI32(8) - 528 + 8 + 4 * (72 / 8); // quick area, list of 72-byte blocks
    expect(region.readI32(head)).toBe(p - 8 - 0x100000);
    region.writeI32(head, ballast[3] - 8 - 0x100000);
    expect(heap.check()).toBeInstanceOf(HeapFormatError);
    expect(() => heap.malloc(64)).toThrow(/quick-list link/);
  });
});
