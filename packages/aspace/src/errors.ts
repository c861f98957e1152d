// Typed errors; each is thrown before any state changes.

const hex = (n: number): string => `0x${n.toString(16)}`;

export class AspaceError extends Error {
  override name = 'AspaceError';
}

export class OutOfAddressSpaceError extends AspaceError {
  override name = 'OutOfAddressSpaceError';
  constructor(
    readonly pages: number,
    readonly align: number,
  ) {
    super(`no free range of ${pages} page(s) aligned to ${hex(align)} in the address-space pool`);
  }
}

/** An address or size that must be page aligned is not, or an alignment is not a power of two. */
export class AlignmentError extends AspaceError {
  override name = 'AlignmentError';
  constructor(
    readonly value: number,
    what: string,
  ) {
    super(`${what} ${hex(value)} is not properly aligned`);
  }
}

/** reserve() of a range that is not wholly free (allocated, reserved, or outside the pool). */
export class OverlapError extends AspaceError {
  override name = 'OverlapError';
  constructor(
    readonly address: number,
    readonly pages: number,
  ) {
    super(`range ${hex(address)} + ${pages} page(s) is not wholly free in the pool`);
  }
}

/** free()/unmapIo() of an address that is not the start of a live allocation of this pool. */
export class UnknownRangeError extends AspaceError {
  override name = 'UnknownRangeError';
  constructor(
    readonly address: number,
    reason: string,
  ) {
    super(`${hex(address)} is not an allocated range: ${reason}`);
  }
}

/** free() of an address whose range is free already. */
export class DoubleFreeError extends AspaceError {
  override name = 'DoubleFreeError';
  constructor(readonly address: number) {
    super(`${hex(address)} is free already (double free)`);
  }
}

export class InvalidRequestError extends AspaceError {
  override name = 'InvalidRequestError';
}
