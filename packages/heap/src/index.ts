export { ArrayBacking, type HeapBacking } from './backing.js';
export {
  CorruptedHeaderError,
  DoubleFreeError,
  HeapArgumentError,
  HeapError,
  HeapFormatError,
  HeapOutOfMemoryError,
  InteriorPointerError,
  InvalidPointerError,
  OutsideHeapError,
} from './errors.js';
export { Heap, type HeapOptions, type HeapStats, type MoveHandler } from './heap.js';
export {
  createKernelHeap,
  KERNEL_HEAP_LIMIT,
  KernelHeapBacking,
  type KernelHeapOptions,
  MappedRegion,
  openKernelHeap,
} from './kernel-heap.js';
export { ArrayRegion, BusRegion, type HeapRegion } from './region.js';
