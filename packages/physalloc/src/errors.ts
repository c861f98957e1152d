// Typed errors. Every one is thrown before any state changes, so a caller that catches it
// can carry on with the allocator exactly as it was.

const hex = (n: number): string => `0x${n.toString(16)}`;

export class PhysAllocError extends Error {
  override name = 'PhysAllocError';
}

/** No run of free frames satisfies the request (exhaustion or fragmentation). */
export class OutOfMemoryError extends PhysAllocError {
  override name = 'OutOfMemoryError';
  constructor(
    readonly arena: string,
    readonly pages: number,
    detail = '',
  ) {
    super(`out of memory in the ${arena} arena: no ${pages} free page(s)${detail}`);
  }
}

/** The frame is free already: freed twice, or never handed out. */
export class DoubleFreeError extends PhysAllocError {
  override name = 'DoubleFreeError';
  constructor(readonly address: number) {
    super(`frame ${hex(address)} is not allocated (already free): double free or never allocated`);
  }
}

/** The frame is reserved or is not RAM, so it was never handed out and cannot be freed. */
export class NotAllocatedError extends PhysAllocError {
  override name = 'NotAllocatedError';
  constructor(readonly address: number) {
    super(`frame ${hex(address)} was never allocated: it is reserved or not usable RAM`);
  }
}

/** An address outside every arena, or not page aligned. */
export class AddressRangeError extends PhysAllocError {
  override name = 'AddressRangeError';
  constructor(
    readonly address: number,
    reason: string,
  ) {
    super(`bad physical address ${hex(address)}: ${reason}`);
  }
}

/** reserve() of frames that are allocated or reserved already. */
export class ReserveConflictError extends PhysAllocError {
  override name = 'ReserveConflictError';
  constructor(readonly address: number) {
    super(`cannot reserve frame ${hex(address)}: it is allocated or reserved already`);
  }
}

/** A malformed request: page count, alignment, limit or order. */
export class InvalidRequestError extends PhysAllocError {
  override name = 'InvalidRequestError';
}
