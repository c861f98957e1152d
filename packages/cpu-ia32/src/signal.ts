// Guest faults unwind the host stack with one preallocated object. It is not an Error:
// no stack trace is captured, nothing is allocated on the hot path. The fault's vector and
// error code live on the CPU (`excVector`, `excCode`) when it is thrown.

export class GuestFaultSignal {
  readonly guestFault = true;
}

export const GUEST_FAULT = new GuestFaultSignal();

/** Thrown by `run` when a hook asked to stop in the middle of an instruction boundary. */
export class CpuError extends Error {
  override name = 'CpuError';
}
