// The surface runners and tests use to drive the processor. Types only.
import type { Ia64Cpu } from './cpu.js';
import type { Insn } from './decode/insn.js';

/** Why `run(budget)` returned. */
export type StopReason =
  | 'budget' // the instruction budget ran out
  | 'fault' // a guest fault nobody handled: see `cpu.fault`
  | 'stop'; // a hook asked to stop (requestStop), e.g. the program called exit

/** The architectural interruption a fault would raise (names as in the Itanium SDM, vol. 2 §5). */
export type FaultKind =
  | 'illegal-operation'
  | 'break'
  | 'register-nat-consumption'
  | 'data-access' // an address with no memory behind it (user mode: SIGSEGV)
  | 'instruction-access'
  | 'unaligned-reference'
  | 'reserved-register'
  | 'privileged-operation'
  | 'disabled-fp-register'
  | 'speculative-operation'
  | 'translation' // system mode: a TLB fault; the code is in the Ia64System that raised it
  | 'machine-check'; // system mode: an insert or purge over a translation register

export interface FaultInfo {
  kind: FaultKind;
  /** Address of the bundle and slot of the faulting instruction. */
  ip: bigint;
  slot: number;
  /** Faulting data address (data-access) or break immediate (break). */
  detail: bigint;
  message: string;
}

/**
 * `onBreak` is called for `break` with the 21-bit immediate; `cpu.ip`/`cpu.slot` hold the break
 * instruction. Return true when handled: execution continues with the next instruction (as after the
 * Linux kernel returns from a `break 0x100000` system call). Returning false makes the break a fault.
 */
export interface Ia64CpuHooks {
  onBreak?(imm: number, cpu: Ia64Cpu): boolean;
  /**
   * System mode (src/system): privileged instructions and cover are offered here first. Return true
   * when handled; false leaves the user-mode behaviour (Privileged Operation fault, plain cover).
   */
  onSystem?(d: Insn, cpu: Ia64Cpu): boolean;
}
