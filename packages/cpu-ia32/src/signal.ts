// Guest faults unwind the host stack with one preallocated object. It is not an Error:
// no stack trace is captured, nothing is allocated on the hot path. The fault's vector and
// error code live on the CPU (`excVector`, `excCode`) when it is thrown.

export class GuestFaultSignal {
  readonly guestFault = true;
}

export const GUEST_FAULT = new GuestFaultSignal();

/** Base class of the host-facing errors of this package (bad API use, not guest faults). */
export class CpuError extends Error {
  override name = 'CpuError';
}

/** `Cpu.loadSegment` was refused: loading that selector would raise a guest exception. */
export class SegmentLoadError extends CpuError {
  override name = 'SegmentLoadError';
  constructor(
    readonly segment: string,
    readonly selector: number,
    readonly vector: number,
    readonly errorCode: number,
  ) {
    super(
      `loading ${segment} with selector 0x${selector.toString(16)} raises exception ${vector} (error code 0x${errorCode.toString(16)})`,
    );
  }
}
