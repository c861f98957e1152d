// Typed errors. Every error names the address involved; a failed call leaves the heap unchanged.

const hex = (address: number): string => `0x${(address >>> 0).toString(16).padStart(8, '0')}`;

/** Base class of the heap's errors; every subclass's `name` is its class name. */
export abstract class HeapError extends Error {
  /** The address the error is about (a pointer, a header, or the heap's end). */
  readonly address: number;
  constructor(address: number, message: string) {
    super(`${message} (address ${hex(address)})`);
    this.name = new.target.name;
    this.address = address;
  }
}

/** No free block fits and the backing could not (or may not) grow the heap. */
export class HeapOutOfMemoryError extends HeapError {
  constructor(
    /** Bytes the heap needed: the block size, header and any alignment slack included. */
    readonly requested: number,
    end: number,
  ) {
    super(end, `out of memory: cannot allocate ${requested} bytes; heap ends at`);
  }
}

/** free/realloc of a block that is already free. */
export class DoubleFreeError extends HeapError {
  constructor(pointer: number) {
    super(pointer, 'double free: block is already free');
  }
}

/** The pointer lies inside the heap but malloc never returned it (free space, padding, misaligned). */
export class InvalidPointerError extends HeapError {
  constructor(pointer: number, why: string) {
    super(pointer, `pointer was never returned by malloc: ${why}`);
  }
}

/** The pointer lies inside an allocated block's payload, not at its start. */
export class InteriorPointerError extends HeapError {
  constructor(
    pointer: number,
    readonly blockPointer: number,
  ) {
    super(pointer, `pointer is inside the block allocated at ${hex(blockPointer)}`);
  }
}

/** The pointer is not inside the heap at all. */
export class OutsideHeapError extends HeapError {
  constructor(pointer: number, start: number, end: number) {
    super(pointer, `pointer is outside the heap [${hex(start)}, ${hex(end)})`);
  }
}

/** A block header (or a free-list link) was overwritten: its check word no longer matches. */
export class CorruptedHeaderError extends HeapError {
  constructor(header: number, detail: string) {
    super(header, `corrupted block header: ${detail}`);
  }
}

/** Heap.open found no valid heap image, or check() found an inconsistency. */
export class HeapFormatError extends HeapError {}

/** A caller passed an impossible argument (alignment not a power of two, negative size...). */
export class HeapArgumentError extends HeapError {}
