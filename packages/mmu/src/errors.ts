// Typed errors for host-side misuse (bad arguments from kernel code, boards or tests).
// Guest faults are never reported through these: they travel as return values.

function hex(value: number): string {
  if (!Number.isInteger(value)) return String(value);
  // Negative int32 values come from bitwise arithmetic: show them as the unsigned address they are.
  const unsigned = value < 0 && value >= -0x8000_0000 ? value >>> 0 : value;
  return unsigned < 0 ? String(value) : `0x${unsigned.toString(16).padStart(8, '0')}`;
}

/** Base class of every error this package throws. */
export class MmuError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** An argument that must be page aligned (or size aligned) is not. */
export class UnalignedAddressError extends MmuError {
  constructor(
    readonly address: number,
    readonly alignment: number,
    what = 'address',
  ) {
    super(`${what} ${hex(address)} is not aligned to ${hex(alignment)}`);
  }
}

/** An address or size outside what the bus or the architecture can express. */
export class AddressRangeError extends MmuError {
  constructor(
    readonly address: number,
    detail: string,
  ) {
    super(`address ${hex(address)}: ${detail}`);
  }
}

/** A new MMIO region overlaps one that is already mapped. */
export class MmioOverlapError extends MmuError {
  constructor(
    readonly base: number,
    readonly size: number,
    readonly existingBase: number,
    readonly existingSize: number,
  ) {
    super(
      `MMIO region ${hex(base)}+${hex(size)} overlaps the mapped region ${hex(existingBase)}+${hex(existingSize)}`,
    );
  }
}

/** unmapMmio of a base where no region starts. */
export class MmioNotMappedError extends MmuError {
  constructor(readonly base: number) {
    super(`no MMIO region starts at ${hex(base)}`);
  }
}

/** map() of a virtual page that is already mapped (unmap or protect it first). */
export class AlreadyMappedError extends MmuError {
  constructor(
    readonly virtual: number,
    readonly existingPhysical: number,
  ) {
    super(`virtual page ${hex(virtual)} is already mapped (to physical ${hex(existingPhysical)})`);
  }
}

/** unmap()/protect() of a virtual page that is not mapped. */
export class NotMappedError extends MmuError {
  constructor(readonly virtual: number) {
    super(`virtual page ${hex(virtual)} is not mapped`);
  }
}

/** A 4 KiB operation hit a page-directory entry that maps a 4 MiB page (or the reverse). */
export class LargePageConflictError extends MmuError {
  constructor(
    readonly virtual: number,
    detail: string,
  ) {
    super(`virtual address ${hex(virtual)}: ${detail}`);
  }
}

/** An option or register value out of its valid range. */
export class InvalidArgumentError extends MmuError {}

export { hex as formatAddress };
