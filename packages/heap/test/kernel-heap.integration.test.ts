// The kernel heap on the real parts: @phantasm/physalloc hands out frames, @phantasm/mmu's IA-32
// page-table editor maps them, and the emulated MMU (paging on) sees the heap's bytes.
import { ACCESS_READ, CR0_PE, CR0_PG, Ia32Mmu, Ia32PageTableEditor, PhysicalMemory } from '@phantasm/mmu';
import { PhysAllocator } from '@phantasm/physalloc';
import { describe, expect, it } from 'vitest';
import { createKernelHeap, HeapOutOfMemoryError } from '../src/index.js';

function machine(ramSize = 16 << 20) {
  const memory = new PhysicalMemory({ ramSize });
  const kernelImage = { start: 0x100000, end: 0x1a3210 };
  const phys = new PhysAllocator([{ base: 0, length: ramSize, type: 'usable' }], { kernelImage });
  const cr3 = Ia32PageTableEditor.createPageDirectory(memory, phys);
  const mmu = new Ia32Mmu(memory);
  const editor = new Ia32PageTableEditor(memory, cr3, phys, (v) => mmu.invlpg(v));
  mmu.setCr3(cr3);
  mmu.setCr0(CR0_PE | CR0_PG);
  const heap = createKernelHeap({ bus: memory, editor, frames: phys, kernelEnd: kernelImage.end });
  return { memory, phys, mmu, editor, heap };
}

describe('kernel heap over physalloc + Ia32PageTableEditor', () => {
  it('the CPU reads through its page tables what the heap wrote', () => {
    const { heap, mmu, memory } = machine();
    const p = heap.malloc(3 * 4096, 4096);
    expect(p % 4096).toBe(0);
    expect(p).toBeGreaterThanOrEqual(0x1a4000);
    for (let i = 0; i < 3 * 4096; i += 4) heap.region.writeI32(p - heap.region.base + i, i * 2654435761);
    for (const i of [0, 4092, 4096, 8196, 12284]) {
      const physical = mmu.translate(p + i, ACCESS_READ, false);
      expect(physical).toBeGreaterThanOrEqual(0);
      expect(memory.read32(physical) | 0).toBe((i * 2654435761) | 0);
    }
    // Supervisor only: a user-mode read faults.
    expect(mmu.translate(p, ACCESS_READ, true)).toBeLessThan(0);
    expect(heap.check()).toBeUndefined();
  });

  it('grows from and returns frames to physalloc', () => {
    const { heap, phys } = machine();
    const free0 = phys.main.stats().free;
    const ps: number[] = [];
    for (let i = 0; i < 2000; i++) ps.push(heap.malloc(500 + (i % 7) * 100));
    const free1 = phys.main.stats().free;
    expect(free0 - free1).toBeGreaterThan((2000 * 500) / 4096);
    let parked = 0; // 1.6 MB in use: frees park blocks in the quick lists (above 1 MiB in use)
    for (const p of ps) {
      heap.free(p);
      parked = Math.max(parked, heap.stats().cachedBlocks);
    }
    expect(parked).toBeGreaterThan(0);
    heap.trim();
    expect(heap.check()).toBeUndefined();
    // Only page-table frames stay taken (the directory's tables are not given back).
    expect(free0 - phys.main.stats().free).toBeLessThanOrEqual(2);
  });

  it('out of physical memory is the heap typed error', () => {
    const { heap } = machine(4 << 20);
    expect(() => {
      for (;;) heap.malloc(64 * 1024);
    }).toThrow(HeapOutOfMemoryError);
    expect(heap.check()).toBeUndefined();
  });
});
