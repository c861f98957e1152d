// Typed errors of the monitor. Every one is thrown after the CPU has been put back in the
// state it had before `call`, so the caller can catch it and carry on.

const hex = (v: number, width = 4): string => `0x${(v >>> 0).toString(16).padStart(width, '0')}`;

export class Vm86Error extends Error {
  override name = 'Vm86Error';
}

/** Bad arguments or an unusable environment (no low memory, a buffer that is not ours, ...). */
export class Vm86ConfigError extends Vm86Error {
  override name = 'Vm86ConfigError';
}

/** Why an access was refused. */
export type Vm86AccessReason =
  | 'outside-window' // the page is not mapped: outside IVT/BDA, EBDA, video/ROM, the window, buffers
  | 'segment-limit'; // an address-size-prefixed offset beyond 64 KiB (v86 segments end at FFFFh)

/** The BIOS code touched memory outside the allowed windows. */
export class Vm86AccessError extends Vm86Error {
  override name = 'Vm86AccessError';
  constructor(
    /** Linear (= physical, identity-mapped) address of the refused access. */
    readonly address: number,
    /** True for a write; false for a read or (segment-limit) an access of unknown direction. */
    readonly write: boolean,
    /** CS:IP of the instruction that made it. */
    readonly cs: number,
    readonly ip: number,
    readonly reason: Vm86AccessReason = 'outside-window',
  ) {
    super(
      reason === 'segment-limit'
        ? `vm86: access to ${hex(address, 5)} is beyond the 64 KiB segment limit (at ${hex(cs)}:${hex(ip)})`
        : `vm86: ${write ? 'write to' : 'read from'} ${hex(address, 5)} is outside the allowed windows ` +
            `(at ${hex(cs)}:${hex(ip)})`,
    );
  }
}

/** The call ran out of its instruction budget (a runaway or waiting BIOS handler). */
export class Vm86BudgetError extends Vm86Error {
  override name = 'Vm86BudgetError';
  constructor(
    readonly budget: number,
    readonly cs: number,
    readonly ip: number,
  ) {
    super(`vm86: call did not return within ${budget} instructions (last at ${hex(cs)}:${hex(ip)})`);
  }
}

/** An exception the monitor cannot emulate or reflect (#UD, #SS, a privileged instruction, ...). */
export class Vm86FaultError extends Vm86Error {
  override name = 'Vm86FaultError';
  constructor(
    readonly vector: number,
    readonly errorCode: number | undefined,
    readonly cs: number,
    readonly ip: number,
    detail = '',
  ) {
    super(
      `vm86: exception ${vector}${errorCode === undefined ? '' : ` (error code ${hex(errorCode)})`} ` +
        `at ${hex(cs)}:${hex(ip)}${detail ? `: ${detail}` : ''}`,
    );
  }
}

/** Port I/O that the I/O policy denies. */
export class Vm86IoError extends Vm86Error {
  override name = 'Vm86IoError';
  constructor(
    readonly port: number,
    readonly write: boolean,
    readonly cs: number,
    readonly ip: number,
  ) {
    super(`vm86: ${write ? 'OUT to' : 'IN from'} port ${hex(port)} denied (at ${hex(cs)}:${hex(ip)})`);
  }
}

/** A BIOS service answered with an error or does not exist (CF set, wrong signature). */
export class Vm86ServiceError extends Vm86Error {
  override name = 'Vm86ServiceError';
}
