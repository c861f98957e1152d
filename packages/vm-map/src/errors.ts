// Typed errors. Each names the block, page or address it is about, so a report can be
// acted on without a debugger.

/** Base class of every error raised by @phantasm/vm-map. Every subclass's `name` is its class name. */
export class VmMapError extends Error {
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A block device was asked for something it cannot do (bad block number, wrong buffer size, closed). */
export class BlockDeviceError extends VmMapError {}

/** Thrown by PowerLossBlockDevice at the operation chosen for a simulated power cut. */
export class PowerCutError extends VmMapError {
  constructor(readonly operation: number) {
    super(`simulated power cut at device operation ${operation}`);
  }
}

/** On-disk data that is damaged or malformed (as opposed to a device failure). */
export class DamageError extends VmMapError {}

/** A structure on disk is malformed (wrong tree depth, reference outside the format). */
export class FormatError extends DamageError {}

/** A block read back does not match the checksum recorded for it. */
export class ChecksumError extends DamageError {
  constructor(
    readonly block: number,
    readonly what: string,
    readonly expected: number,
    readonly actual: number,
  ) {
    super(
      `checksum mismatch in ${what} at block ${block}: expected 0x${expected.toString(16).padStart(8, '0')}, ` +
        `read 0x${actual.toString(16).padStart(8, '0')}`,
    );
  }
}

/** A data page of the object space cannot be loaded because its block is damaged. */
export class CorruptPageError extends VmMapError {
  constructor(
    readonly address: number,
    readonly block: number,
    cause: ChecksumError,
  ) {
    super(`page 0x${address.toString(16)} cannot be loaded: ${cause.message}`, { cause });
  }
}

/** The disk holds no snapshot that verifies; nothing on it can be trusted. */
export class UntrustedDiskError extends VmMapError {
  constructor(
    message: string,
    readonly problems: readonly string[],
  ) {
    super(problems.length > 0 ? `${message}: ${problems.join('; ')}` : message);
  }
}

/** A virtual address outside the object space, or misaligned. */
export class AddressError extends VmMapError {}

/** An operation that is not allowed in the current state (e.g. two snapshots at once, use after close). */
export class StateError extends VmMapError {}

/** Out of frames: every resident page is pinned and none can be reclaimed. */
export class OutOfFramesError extends VmMapError {}
