// Public API of @phantasm/cpu-mips32.

export type { MipsCpuHooks, StopReason } from './contract.js';
export * from './cp0.js';
export { MipsCpu, type MipsCpuOptions } from './cpu.js';
export { decode, type Format, type Group, type InsnRow, ROWS as DECODE_TABLE } from './decode/table.js';
export { disassemble } from './disasm.js';
export { ARITH_ROWS as FPU_ARITH_TABLE, type ArithRow } from './fpu/arith.js';
export { FIR_24KF, Fpu } from './fpu/state.js';
export {
  GUEST_EXCEPTION,
  GuestExceptionSignal,
  MipsArgumentError,
  MipsCpuError,
  MipsStateError,
} from './signal.js';
export { MIPS_STATE_VERSION, type MipsCpuState, type MipsTlbEntryState } from './snapshot.js';
