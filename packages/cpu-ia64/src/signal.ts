// Guest faults unwind the host stack with one preallocated object that is not an Error: no stack
// trace, no allocation on the hot path. The CPU records what happened in `cpu.fault` before throwing.

export class GuestFaultSignal {
  readonly guestFault = true;
}

export const GUEST_FAULT = new GuestFaultSignal();

/** Base class of the host-facing errors of this package (bad API use or bad input files). */
export class Ia64Error extends Error {
  override name = 'Ia64Error';
}

/** An ELF file that is not a static little-endian ELF64 IA-64 executable, or is damaged. */
export class Ia64ElfError extends Ia64Error {
  override name = 'Ia64ElfError';
}
