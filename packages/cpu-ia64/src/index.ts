// Public API of @phantasm/cpu-ia64.

export type { FaultInfo, FaultKind, Ia64CpuHooks, StopReason } from './contract.js';
export { AR, FPSR_DEFAULT, Ia64Cpu, type Ia64CpuOptions, NPHYS, rseSkip } from './cpu.js';
export { TEMPLATES, type Template, type Unit } from './decode/bundle.js';
export { type DecodedBundle, decodeBundle, decodeSlot, findRow } from './decode/decoder.js';
export { Insn } from './decode/insn.js';
export { ROWS as DECODE_TABLE, type Row } from './decode/table.js';
export { type ElfImage, type ElfSegment, parseElf } from './linux/elf.js';
export {
  type LinuxOptions,
  LinuxProcess,
  type LinuxResult,
  MMAP_BASE,
  RBS_BASE,
  runLinuxElf,
  STACK_TOP,
} from './linux/process.js';
export { NR as LINUX_SYSCALLS } from './linux/syscalls.js';
export { GuestMemory, PAGE_SIZE } from './memory.js';
export { GUEST_FAULT, GuestFaultSignal, Ia64ElfError, Ia64Error } from './signal.js';
export * from './system/index.js';
