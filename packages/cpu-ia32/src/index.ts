// Public API of @phantasm/cpu-ia32.
export type {
  CpuHooks,
  InterruptController,
  IoBus,
  Reg32,
  SegmentName,
  SegmentState,
  StopReason,
} from './contract.js';
export { Cpu, type CpuOptions, type TableRegister } from './cpu.js';
export { type OpRow, ROWS as OPCODE_TABLE } from './decode/table.js';
export { MSR } from './exec/msr.js';
export { CPUID_FEATURES, CPUID_MAX_LEAF, CPUID_SIGNATURE } from './exec/system.js';
export type { JitOptions, JitStats } from './jit/engine.js';
export { IA32_WASM_TABLE_BYTES } from './jit/wasm/state.js';
export { CpuError, SegmentLoadError } from './signal.js';
export type { CpuState, MsrState } from './snapshot.js';
export { EFLAGS } from './state.js';
export type { FpuState } from './x87/fpu.js';
