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
export * from './ia64/bits.js';
export {
  IA64_FAULT_ALT_DTLB,
  IA64_FAULT_ALT_ITLB,
  IA64_FAULT_DACCESS_BIT,
  IA64_FAULT_DACCESS_RIGHTS,
  IA64_FAULT_DATA_NESTED_TLB,
  IA64_FAULT_DIRTY_BIT,
  IA64_FAULT_DKEY_MISS,
  IA64_FAULT_DTLB,
  IA64_FAULT_IACCESS_BIT,
  IA64_FAULT_IACCESS_RIGHTS,
  IA64_FAULT_IKEY_MISS,
  IA64_FAULT_ITLB,
  IA64_FAULT_KEY_PERMISSION,
  IA64_FAULT_NAME,
  IA64_FAULT_NAT_PAGE,
  IA64_FAULT_PAGE_NOT_PRESENT,
  IA64_FAULT_UNSUPPORTED_DATA_REFERENCE,
  IA64_FAULT_VECTOR,
  IA64_FAULT_VHPT_TRANSLATION,
  IA64_INSERT_OK,
  IA64_INSERT_OVERLAP,
  IA64_INSERT_RESERVED,
  IA64_OK,
  Ia64Tlb,
  type Ia64TlbEntry,
  type Ia64TlbOptions,
  type Ia64TranslationContext,
  ia64Rights,
} from './ia64/tlb.js';
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
export { WasmArena, type WasmMemory } from './wasm-arena.js';
