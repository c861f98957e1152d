export { LOW_FRAMES, PhysAllocator, type PhysAllocatorOptions, type PhysStats } from './allocator.js';
export { type ArenaStats, type ContiguousOptions, PAGE_SIZE, PhysArena } from './arena.js';
export {
  AddressRangeError,
  DoubleFreeError,
  InvalidRequestError,
  NotAllocatedError,
  OutOfMemoryError,
  PhysAllocError,
  ReserveConflictError,
} from './errors.js';
export {
  E820_TYPES,
  fromE820,
  type MemoryMapEntry,
  MemoryMapError,
  type MemoryType,
  PC_RESERVED,
  type ReservedRange,
  usableFrames,
} from './memory-map.js';
export { buddyBlocks, fragmentationIndex, MAX_ORDER } from './stats.js';
