import { describe, expect, it } from 'vitest';
import {
  createKernelHeap,
  HeapArgumentError,
  HeapOutOfMemoryError,
  KERNEL_HEAP_LIMIT,
  KernelHeapBacking,
  openKernelHeap,
} from '../src/index.js';
import { FakeBus, FakeEditor, FakeFrames } from './fakes.js';

function kernel(options: { frames?: number; limit?: number } = {}) {
  const bus = new FakeBus(8 << 20);
  const editor = new FakeEditor();
  const frames = new FakeFrames(0x100000, 0x100000 + (options.frames ?? 1024) * 4096);
  const kernelEnd = 0x123456;
  const heap = createKernelHeap({
    bus,
    editor,
    frames,
    kernelEnd,
    limit: options.limit,
    growthQuantum: 16 * 1024,
  });
  return { bus, editor, frames, heap, kernelEnd };
}

describe('kernel heap backing (fakes for the mmu contract)', () => {
  it('starts at the first page above the kernel and maps only what it uses', () => {
    const { heap, editor, frames } = kernel();
    expect(heap.stats().start).toBeGreaterThanOrEqual(0x124000);
    expect(heap.region.base).toBe(0x124000);
    expect(editor.pages.size).toBe(frames.outstanding.size);
    expect(editor.pages.size).toBeLessThanOrEqual(8);
    for (const [v, m] of editor.pages) {
      expect(v).toBeGreaterThanOrEqual(0x124000);
      expect(m.attributes).toMatchObject({ writable: true, user: false });
    }
  });

  it('writes land in the mapped frames at the right offsets', () => {
    const { heap, editor, bus } = kernel();
    const p = heap.malloc(10_000);
    for (let i = 0; i < 10_000; i++) heap.region.writeU8(p - heap.region.base + i, i & 0xff);
    for (const i of [0, 1, 4095, 4096, 7777, 9999]) {
      const v = p + i;
      const m = editor.lookup(v - (v % 4096))!;
      expect(bus.ram[m.physical + (v % 4096)]).toBe(i & 0xff);
    }
    expect(heap.check()).toBeUndefined();
  });

  it('grows page by page below 0x40000000 and gives frames back when the end is free', () => {
    const { heap, editor, frames } = kernel();
    const before = frames.outstanding.size;
    const ps: number[] = [];
    for (let i = 0; i < 400; i++) ps.push(heap.malloc(1000));
    expect(frames.outstanding.size).toBeGreaterThan(before + 90);
    const end = heap.stats().end;
    expect(end).toBeLessThan(KERNEL_HEAP_LIMIT);
    // The mapping is contiguous from the heap start to its end.
    for (let v = heap.region.base; v < end; v += 4096) expect(editor.lookup(v)).toBeDefined();
    expect(editor.lookup(end)).toBeUndefined();
    for (const p of ps) heap.free(p);
    heap.trim();
    expect(heap.check()).toBeUndefined();
    expect(frames.outstanding.size).toBe(before);
    expect(editor.pages.size).toBe(before);
  });

  it('running out of frames is a typed out-of-memory error; nothing leaks and the heap goes on', () => {
    const { heap, frames, editor } = kernel({ frames: 40 });
    const ps: number[] = [];
    expect(() => {
      for (;;) ps.push(heap.malloc(3000));
    }).toThrow(HeapOutOfMemoryError);
    expect(editor.pages.size).toBe(frames.outstanding.size); // a half-done grow was rolled back
    expect(heap.check()).toBeUndefined();
    heap.free(ps.pop()!);
    ps.push(heap.malloc(3000));
  });

  it('stops at the limit', () => {
    const { heap } = kernel({ limit: 0x124000 + 64 * 1024 });
    expect(() => {
      for (;;) heap.malloc(4000);
    }).toThrow(HeapOutOfMemoryError);
    expect(heap.stats().end).toBeLessThanOrEqual(0x124000 + 64 * 1024);
  });

  it('refuses ranges outside [kernel end, 0x40000000)', () => {
    const bus = new FakeBus(1 << 20);
    const editor = new FakeEditor();
    const frames = new FakeFrames(0, 1 << 20);
    expect(
      () => new KernelHeapBacking({ bus, editor, frames, kernelEnd: 0x100000, limit: 0x4000_1000 }),
    ).toThrow(HeapArgumentError);
    expect(() => new KernelHeapBacking({ bus, editor, frames, kernelEnd: 0x4000_0000 })).toThrow(
      HeapArgumentError,
    );
  });

  it('re-attaches to a heap whose pages are still mapped', () => {
    const { heap, bus, editor, frames, kernelEnd } = kernel();
    const ps = [100, 5000, 20_000].map((n) => heap.malloc(n));
    const again = openKernelHeap({ bus, editor, frames, kernelEnd });
    expect(again.stats()).toEqual(heap.stats());
    expect(again.check()).toBeUndefined();
    for (const p of ps) again.free(p);
    expect(again.stats().usedBlocks).toBe(0);
  });
});
