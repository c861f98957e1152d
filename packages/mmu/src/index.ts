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
export { allocZeroedFrame, Ia32PageTableEditor, ia32FlagsFor } from './ia32/page-table-editor.js';
export { type MmioRegion, PhysicalMemory, type PhysicalMemoryOptions } from './physical-memory.js';
