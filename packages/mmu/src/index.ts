export type {
  FrameSource,
  MemoryBus,
  MmioDevice,
  PageAttributes,
  PageMapping,
  PageTableEditor,
} from './contract.js';
export * from './errors.js';
export { BumpFrameSource } from './frame-source.js';
export * from './ia32/bits.js';
export {
  ACCESS_EXEC,
  ACCESS_READ,
  ACCESS_WRITE,
  FAULT,
  type Ia32Access,
  type Ia32AccessKind,
  Ia32Mmu,
  type Ia32Translation,
  type WriteWatcher,
} from './ia32/mmu.js';
export { allocZeroedFrame, Ia32PageTableEditor, ia32FlagsFor } from './ia32/page-table-editor.js';
export * from './mips/bits.js';
export { MipsMmu } from './mips/mmu.js';
export { MipsPageTableEditor, mipsEntryLoFor, SOFT_USER } from './mips/page-table-editor.js';
export {
  MIPS_ADDRESS_ERROR,
  MIPS_INVALID,
  MIPS_MODE_KERNEL,
  MIPS_MODE_SUPERVISOR,
  MIPS_MODE_USER,
  MIPS_MODIFIED,
  MIPS_REFILL,
  type MipsMode,
  MipsTlb,
  type MipsTlbOptions,
  type MipsTranslation,
} from './mips/tlb.js';
export { type MmioRegion, PhysicalMemory, type PhysicalMemoryOptions } from './physical-memory.js';
