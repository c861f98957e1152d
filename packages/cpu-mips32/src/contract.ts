// The surface boards, the kernel and tests use to drive the processor. Types only.
import type { MipsCpu } from './cpu.js';

/** Why `run(budget)` returned. */
export type StopReason =
  | 'budget' // the instruction budget ran out
  | 'wait' // WAIT executed and no enabled interrupt arrived within the budget
  | 'breakpoint' // a host breakpoint, hook or device asked to stop (requestStop)
  | 'reset'; // a reset was requested (a board's SOFTRES register): the board should call reset()

/**
 * Hooks let the kernel and tests observe or take over events.
 *
 * `onException` is called before the CPU delivers an exception (ExcCode as in Cause, 0 for
 * interrupts). When it is called, `cpu.pc` holds the address of the faulting instruction (what EPC
 * would get, the branch when `inDelaySlot`), and BadVAddr/Context/EntryHi already hold what the
 * hardware would load. Returning true means "handled by the host": CP0 is not touched and execution
 * resumes at `cpu.pc` (the hook moves it, e.g. `cpu.jump(epc + 4)` after a SYSCALL).
 */
export interface MipsCpuHooks {
  onException?(excCode: number, epc: number, inDelaySlot: boolean, cpu: MipsCpu): boolean;
}
