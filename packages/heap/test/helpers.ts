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

/**
 * A region that faults (RangeError) on any access outside [0, mapped) or misaligned 32-bit access,
 * like memory that is not there. `mapped` follows the backing's grow/shrink.
 */
export class StrictRegion extends ArrayRegion {
  mapped: number;
  constructor(bytes: Uint8Array, base: number) {
    super(bytes, base);
    this.mapped = this.capacity;
  }
  private at(offset: number, size: number): void {
    if (
      !(
        Number.isInteger(offset) &&
        offset >= 0 &&
        offset + size <= this.mapped &&
        offset % Math.min(size, 4) === 0
      )
    ) {
      throw new RangeError(`access of ${size} bytes at offset ${offset} (mapped ${this.mapped})`);
    }
  }
  override readI32(offset: number): number {
    this.at(offset, 4);
    return super.readI32(offset);
  }
  override writeI32(offset: number, value: number): void {
    this.at(offset, 4);
    super.writeI32(offset, value);
  }
  override readU8(offset: number): number {
    this.at(offset, 1);
    return super.readU8(offset);
  }
  override writeU8(offset: number, value: number): void {
    this.at(offset, 1);
    super.writeU8(offset, value);
  }
  override copy(dst: number, src: number, length: number): void {
    if (length > 0) {
      this.at(dst, 1);
      this.at(src, 1);
      this.at(dst + length - 1, 1);
      this.at(src + length - 1, 1);
    }
    super.copy(dst, src, length);
  }
  override fill(offset: number, length: number, value: number): void {
    if (length > 0) {
      this.at(offset, 1);
      this.at(offset + length - 1, 1);
    }
    super.fill(offset, length, value);
  }
}

/** A heap over a StrictRegion; with `grow`, only the part the backing handed out is accessible. */
export function strictHeap(capacity: number, grow: boolean, base = 0x300000, options: HeapOptions = {}) {
  const bytes = new Uint8Array(capacity);
  const region = new StrictRegion(bytes, base);
  if (!grow) return { bytes, region, heap: Heap.create(region, options), base };
  const inner = new ArrayBacking(bytes, capacity, 4096, base);
  const backing = {
    granularity: 4096,
    grow(currentEnd: number, minEnd: number) {
      const end = inner.grow(currentEnd, minEnd);
      if (end > 0) region.mapped = end;
      return end;
    },
    shrink(currentEnd: number, newEnd: number) {
      inner.shrink(currentEnd, newEnd);
      region.mapped = newEnd;
    },
  };
  region.mapped = 0;
  return {
    bytes,
    region,
    heap: Heap.create(region, { backing, growthQuantum: 4096, trimThreshold: 8192, ...options }),
    base,
  };
}
