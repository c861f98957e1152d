import { type Heap, HeapOutOfMemoryError } from '../src/index.js';
import type { Allocator } from './workloads.js';

/** The heap as a capacity run drives it: running out is 0, any other error is a real failure. */
export function heapAllocator(heap: Heap): Allocator {
  return {
    malloc(size) {
      try {
        return heap.malloc(size);
      } catch (e) {
        if (e instanceof HeapOutOfMemoryError) return 0;
        throw e;
      }
    },
    free: (pointer) => heap.free(pointer),
  };
}
