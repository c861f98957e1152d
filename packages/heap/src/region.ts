// Region accessors: the heap reads and writes its metadata and its users' bytes only through this
// interface, so the same allocator runs over a plain buffer, physical memory, or mapped memory.
import type { MemoryBus } from '@phantasm/mmu';

/**
 * A byte range the heap manages. Offsets are relative to the region's start; `base` is the address
 * offset 0 has for the heap's users (pointers returned by malloc are `base + offset`).
 * 32-bit accesses are always 4-byte aligned.
 */
export interface HeapRegion {
  /** Address of offset 0 as seen by the heap's users; a multiple of 8. */
  readonly base: number;
  /** Largest size the region can ever have (bytes from offset 0). */
  readonly capacity: number;
  readI32(offset: number): number;
  writeI32(offset: number, value: number): void;
  readU8(offset: number): number;
  writeU8(offset: number, value: number): void;
  /** memmove semantics: overlapping ranges are fine. */
  copy(dst: number, src: number, length: number): void;
  fill(offset: number, length: number, value: number): void;
}

/** The fast region: a window of an ArrayBuffer (or of a Uint8Array's buffer). */
export class ArrayRegion implements HeapRegion {
  readonly base: number;
  readonly capacity: number;
  readonly bytes: Uint8Array;
  private readonly words: Int32Array;

  /**
   * @param memory the bytes to manage (its byteOffset must be a multiple of 8)
   * @param base the address users see for the first byte (default 0)
   */
  constructor(memory: ArrayBufferLike | Uint8Array, base = 0) {
    const bytes = memory instanceof Uint8Array ? memory : new Uint8Array(memory);
    if (bytes.byteOffset % 8 !== 0)
      throw new RangeError(`ArrayRegion: byteOffset ${bytes.byteOffset} is not 8-aligned`);
    if (base % 8 !== 0 || base < 0)
      throw new RangeError(`ArrayRegion: base 0x${base.toString(16)} is not 8-aligned`);
    this.bytes = bytes;
    this.words = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >>> 2);
    this.capacity = bytes.byteLength & ~7;
    this.base = base;
  }

  readI32(offset: number): number {
    return this.words[offset >>> 2];
  }
  writeI32(offset: number, value: number): void {
    this.words[offset >>> 2] = value;
  }
  readU8(offset: number): number {
    return this.bytes[offset];
  }
  writeU8(offset: number, value: number): void {
    this.bytes[offset] = value;
  }
  copy(dst: number, src: number, length: number): void {
    this.bytes.copyWithin(dst, src, src + length);
  }
  fill(offset: number, length: number, value: number): void {
    this.bytes.fill(value, offset, offset + length);
  }
}

/** A physically contiguous region of a MemoryBus starting at physical address `physical`. */
export class BusRegion implements HeapRegion {
  readonly base: number;
  constructor(
    private readonly bus: MemoryBus,
    private readonly physical: number,
    readonly capacity: number,
    base = physical,
  ) {
    if (physical % 8 !== 0 || base % 8 !== 0) throw new RangeError('BusRegion: addresses must be 8-aligned');
    this.base = base;
  }
  readI32(offset: number): number {
    return this.bus.read32(this.physical + offset) | 0;
  }
  writeI32(offset: number, value: number): void {
    this.bus.write32(this.physical + offset, value >>> 0);
  }
  readU8(offset: number): number {
    return this.bus.read8(this.physical + offset);
  }
  writeU8(offset: number, value: number): void {
    this.bus.write8(this.physical + offset, value);
  }
  copy(dst: number, src: number, length: number): void {
    copyBytes(this, dst, src, length);
  }
  fill(offset: number, length: number, value: number): void {
    for (let i = 0; i < length; i++) this.bus.write8(this.physical + offset + i, value);
  }
}

/** Byte-wise memmove through a region's accessors (for regions without a faster path). */
export function copyBytes(region: HeapRegion, dst: number, src: number, length: number): void {
  if (dst === src || length <= 0) return;
  if (dst < src || dst >= src + length) {
    for (let i = 0; i < length; i++) region.writeU8(dst + i, region.readU8(src + i));
  } else {
    for (let i = length - 1; i >= 0; i--) region.writeU8(dst + i, region.readU8(src + i));
  }
}
