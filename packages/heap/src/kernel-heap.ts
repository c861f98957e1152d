// The kernel heap: frames from a FrameSource (physalloc) mapped at the heap's end through a
// PageTableEditor, inside [kernel end, 0x40000000). Growing maps pages, trimming unmaps them and
// gives the frames back. The heap reaches its bytes through the mapping (MappedRegion).
import type { FrameSource, MemoryBus, PageAttributes, PageTableEditor } from '@phantasm/mmu';
import type { HeapBacking } from './backing.js';
import { HeapArgumentError } from './errors.js';
import { Heap, type HeapOptions } from './heap.js';
import { copyBytes, type HeapRegion } from './region.js';

/** Where the kernel heap must end: the unbacked address space starts at 1 GiB. */
export const KERNEL_HEAP_LIMIT = 0x4000_0000;

const HEAP_PAGE: PageAttributes = { writable: true, user: false, global: true };

export interface KernelHeapOptions {
  frames: FrameSource;
  editor: PageTableEditor;
  bus: MemoryBus;
  /** The kernel image's end: the heap starts at the first page boundary at or above it. */
  kernelEnd: number;
  /** Exclusive upper bound of the heap's virtual range (default and maximum 0x40000000). */
  limit?: number;
}

/**
 * The heap's virtual range seen through the page mapping (the mapping of these pages belongs to the
 * heap's backing; nothing else may remap them): each access is translated with a
 * per-page table this backing keeps (filled from editor.lookup for pages it did not map itself,
 * e.g. after re-attaching to a heap that survived in memory). Unmapped pages read as all ones and
 * ignore writes, like an open bus.
 */
export class MappedRegion implements HeapRegion {
  readonly base: number;
  readonly capacity: number;
  private readonly frames: number[] = [];
  private readonly pageShift: number;
  private readonly pageMask: number;

  constructor(
    private readonly bus: MemoryBus,
    private readonly editor: PageTableEditor,
    start: number,
    limit: number,
  ) {
    this.base = start;
    this.capacity = limit - start;
    this.pageShift = 31 - Math.clz32(editor.pageSize);
    this.pageMask = editor.pageSize - 1;
  }

  /** Physical address of region offset `offset`, or -1 when its page is not mapped. */
  physical(offset: number): number {
    const page = offset >>> this.pageShift;
    let frame = this.frames[page];
    if (frame === undefined || frame < 0) {
      const mapping = this.editor.lookup(this.base + page * this.editor.pageSize);
      if (mapping === undefined) return -1;
      frame = mapping.physical;
      this.frames[page] = frame;
    }
    return frame + (offset & this.pageMask);
  }

  /** Called by the backing when it maps (frame >= 0) or unmaps (-1) a page. */
  setFrame(page: number, frame: number): void {
    this.frames[page] = frame;
  }

  readI32(offset: number): number {
    const p = this.physical(offset);
    return p < 0 ? -1 : this.bus.read32(p) | 0;
  }
  writeI32(offset: number, value: number): void {
    const p = this.physical(offset);
    if (p >= 0) this.bus.write32(p, value >>> 0);
  }
  readU8(offset: number): number {
    const p = this.physical(offset);
    return p < 0 ? 0xff : this.bus.read8(p);
  }
  writeU8(offset: number, value: number): void {
    const p = this.physical(offset);
    if (p >= 0) this.bus.write8(p, value);
  }
  copy(dst: number, src: number, length: number): void {
    copyBytes(this, dst, src, length);
  }
  fill(offset: number, length: number, value: number): void {
    for (let i = 0; i < length; i++) this.writeU8(offset + i, value);
  }
}

export class KernelHeapBacking implements HeapBacking {
  readonly granularity: number;
  readonly region: MappedRegion;
  /** Frames this backing mapped minus those it released (pages mapped before it existed not counted). */
  mappedPages = 0;
  private readonly frames: FrameSource;
  private readonly editor: PageTableEditor;
  private readonly start: number;

  constructor(options: KernelHeapOptions) {
    const { editor } = options;
    const page = editor.pageSize;
    const limit = options.limit ?? KERNEL_HEAP_LIMIT;
    const start = Math.ceil(options.kernelEnd / page) * page;
    if (limit > KERNEL_HEAP_LIMIT || limit % page !== 0 || start >= limit || options.kernelEnd < 0) {
      throw new HeapArgumentError(
        start,
        `kernel heap range [kernel end, limit 0x${limit.toString(16)}) must be page aligned, non-empty, below 0x40000000`,
      );
    }
    this.granularity = page;
    this.frames = options.frames;
    this.editor = editor;
    this.start = start;
    this.region = new MappedRegion(options.bus, editor, start, limit);
  }

  grow(currentEnd: number, minEnd: number): number {
    const page = this.granularity;
    const from = Math.ceil(currentEnd / page) * page;
    const to = Math.ceil(minEnd / page) * page;
    if (to > this.region.capacity) return -1;
    const mapped: number[] = [];
    try {
      for (let off = from; off < to; off += page) {
        let frame: number;
        try {
          frame = this.frames.allocFrame();
        } catch {
          this.rollback(from, mapped);
          return -1; // physical memory exhausted: the heap reports out of memory
        }
        try {
          this.editor.map(this.start + off, frame, HEAP_PAGE);
        } catch (error) {
          this.frames.freeFrame(frame);
          throw error;
        }
        mapped.push(frame);
        this.region.setFrame(off / page, frame);
      }
    } catch (error) {
      this.rollback(from, mapped);
      throw error;
    }
    this.mappedPages += mapped.length;
    return to;
  }

  shrink(currentEnd: number, newEnd: number): void {
    const page = this.granularity;
    const top = Math.ceil(currentEnd / page) * page;
    for (let off = newEnd; off < top; off += page) {
      const frame = this.region.physical(off);
      this.editor.unmap(this.start + off);
      this.region.setFrame(off / page, -1);
      if (frame >= 0) {
        this.frames.freeFrame(frame);
        this.mappedPages--;
      }
    }
  }

  private rollback(from: number, mapped: number[]): void {
    const page = this.granularity;
    mapped.forEach((frame, i) => {
      this.editor.unmap(this.start + from + i * page);
      this.region.setFrame(from / page + i, -1);
      this.frames.freeFrame(frame);
    });
  }
}

/** A kernel heap starting at the first page at or above `kernelEnd`, growing on demand. */
export function createKernelHeap(options: KernelHeapOptions & Omit<HeapOptions, 'backing'>): Heap {
  const backing = new KernelHeapBacking(options);
  return Heap.create(backing.region, { ...options, backing });
}

/** Re-attach to a kernel heap whose pages are still mapped (e.g. after restoring memory and page tables). */
export function openKernelHeap(options: KernelHeapOptions & Omit<HeapOptions, 'backing'>): Heap {
  const backing = new KernelHeapBacking(options);
  return Heap.open(backing.region, { ...options, backing });
}
