// Guest exceptions unwind the host stack with one preallocated object that is not an Error: no stack
// trace, no allocation on the hot path. By the time it is thrown the CPU has already entered the
// exception (CP0 updated, pc at the vector), so the run loop only has to continue.

export class GuestExceptionSignal {
  readonly guestException = true;
}

export const GUEST_EXCEPTION = new GuestExceptionSignal();

/** Base class of the host-facing errors of this package (bad API use, never guest faults). */
export class MipsCpuError extends Error {
  override name = 'MipsCpuError';
}

/** A constructor option, interrupt line number or register name was out of range. */
export class MipsArgumentError extends MipsCpuError {
  override name = 'MipsArgumentError';
}

/** `loadState` was given something that is not a state this version can load; the CPU is unchanged. */
export class MipsStateError extends MipsCpuError {
  override name = 'MipsStateError';
}
