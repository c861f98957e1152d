import { Heap, type HeapOptions, HeapOutOfMemoryError, type HeapRegion } from '../src/index.js';
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

/**
 * A relocatable heap behind a handle table, as an owner that can follow moved blocks would use it:
 * malloc returns a handle (>= 1), compaction updates the table through onMove.
 */
export class HandleHeap implements Allocator {
  readonly heap: Heap;
  private readonly raw: Allocator;
  private readonly pointerOf: number[] = [0];
  private readonly handleAt = new Map<number, number>();
  private readonly spare: number[] = [];

  constructor(region: HeapRegion, options: HeapOptions = {}) {
    // Moves come in address order and only downwards, so a destination is never a key still waiting.
    const onMove = (from: number, to: number) => {
      const handle = this.handleAt.get(from)!;
      this.handleAt.delete(from);
      this.handleAt.set(to, handle);
      this.pointerOf[handle] = to;
    };
    this.heap = Heap.create(region, { ...options, relocatable: true, onMove });
    this.raw = heapAllocator(this.heap);
  }

  pointer(handle: number): number {
    return this.pointerOf[handle];
  }

  malloc(size: number): number {
    const p = this.raw.malloc(size);
    if (p === 0) return 0;
    const handle = this.spare.pop() ?? this.pointerOf.length;
    this.pointerOf[handle] = p;
    this.handleAt.set(p, handle);
    return handle;
  }

  free(handle: number): void {
    const p = this.pointerOf[handle];
    this.heap.free(p);
    this.handleAt.delete(p);
    this.spare.push(handle);
  }
}
