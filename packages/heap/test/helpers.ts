import { ArrayBacking, ArrayRegion, Heap, type HeapOptions } from '../src/index.js';

/** A fixed-size heap over a fresh buffer, at a non-zero base so addresses and offsets differ. */
export function fixedHeap(size = 64 * 1024, base = 0x10000, options: HeapOptions = {}) {
  const bytes = new Uint8Array(size);
  const region = new ArrayRegion(bytes, base);
  const heap = Heap.create(region, options);
  return { bytes, region, heap, base };
}

/** A heap that starts small and grows through an ArrayBacking up to `limit` bytes. */
export function growingHeap(
  capacity = 1 << 20,
  limit = capacity,
  base = 0x200000,
  options: HeapOptions = {},
) {
  const bytes = new Uint8Array(capacity);
  const region = new ArrayRegion(bytes, base);
  const backing = new ArrayBacking(bytes, limit, 4096, base);
  const heap = Heap.create(region, { backing, growthQuantum: 4096, trimThreshold: 16 * 1024, ...options });
  return { bytes, region, heap, backing, base };
}

/** Fill a block's bytes with a pattern derived from `tag`; verify returns the first bad address or -1. */
export function fillPattern(region: ArrayRegion, pointer: number, length: number, tag: number): void {
  const off = pointer - region.base;
  for (let i = 0; i < length; i++) region.bytes[off + i] = (tag * 31 + i * 7) & 0xff;
}

export function verifyPattern(region: ArrayRegion, pointer: number, length: number, tag: number): number {
  const off = pointer - region.base;
  for (let i = 0; i < length; i++)
    if (region.bytes[off + i] !== ((tag * 31 + i * 7) & 0xff)) return pointer + i;
  return -1;
}
