// The whole memory stack under vm-map: frames from physalloc, page tables and dirty logging from the
// mmu, and a heap (in-band metadata) living inside the persistent object space, reopened after a
// snapshot as Phantom's persistent object heap would be.
import { Heap, type HeapRegion } from '@phantasm/heap';
import { FAULT, type Ia32Mmu, PF_W, PhysicalMemory } from '@phantasm/mmu';
import { PhysAllocator } from '@phantasm/physalloc';
import { describe, expect, it } from 'vitest';
import { formatDisk, MemoryBlockDevice, PersistentSpace } from '../src/index.js';
import { pagedMmu } from './ia32-paging.js';

const BASE = 0x8000_0000;
const PAGES = 1024; // 4 MiB object space
const RAM = 8 << 20;

/** A heap region inside the object space, accessed through the mmu like guest code would. */
class SpaceRegion implements HeapRegion {
  readonly base = BASE;
  readonly capacity = PAGES * 4096;
  constructor(
    private readonly mmu: Ia32Mmu,
    private readonly space: PersistentSpace,
  ) {}
  private fault(): void {
    this.space.handleFault((this.mmu.faultAddress & ~0xfff) >>> 0, (this.mmu.faultErrorCode & PF_W) !== 0);
  }
  readI32(offset: number): number {
    for (;;) {
      const v = this.mmu.readLinear32(BASE + offset, false);
      if (v !== FAULT) return v | 0;
      this.fault();
    }
  }
  writeI32(offset: number, value: number): void {
    while (this.mmu.writeLinear32(BASE + offset, value >>> 0, false) === FAULT) this.fault();
  }
  readU8(offset: number): number {
    for (;;) {
      const v = this.mmu.readLinear8(BASE + offset, false);
      if (v !== FAULT) return v;
      this.fault();
    }
  }
  writeU8(offset: number, value: number): void {
    while (this.mmu.writeLinear8(BASE + offset, value, false) === FAULT) this.fault();
  }
  copy(dst: number, src: number, length: number): void {
    const tmp = new Uint8Array(length);
    for (let i = 0; i < length; i++) tmp[i] = this.readU8(src + i);
    for (let i = 0; i < length; i++) this.writeU8(dst + i, tmp[i]);
  }
  fill(offset: number, length: number, value: number): void {
    for (let i = 0; i < length; i++) this.writeU8(offset + i, value);
  }
}

function boot(device: MemoryBlockDevice) {
  const memory = new PhysicalMemory({ ramSize: RAM });
  const phys = new PhysAllocator([{ base: 0, length: RAM, type: 'usable' }]);
  const { mmu, mapper } = pagedMmu(memory, phys);
  // A working set far smaller than the space: at most 24 frames for 1024 pages.
  const space = PersistentSpace.open(device, {
    ram: memory.ram,
    frames: phys,
    mapper,
    maxResidentPages: 24,
  });
  return { space, phys, region: new SpaceRegion(mmu, space) };
}

describe('vm-map with physalloc, mmu and heap', () => {
  it('a heap inside the object space survives snapshot and reopen', () => {
    const device = new MemoryBlockDevice();
    formatDisk(device, { base: BASE, pages: PAGES });
    const m = boot(device);
    const freeBefore = m.phys.stats().main.free;
    const heap = Heap.create(m.region);
    const blocks: { ptr: number; text: string }[] = [];
    for (let i = 0; i < 200; i++) {
      const text = `object ${i} `.repeat(1 + (i % 40) * 8);
      const ptr = heap.malloc(text.length);
      for (let j = 0; j < text.length; j++) m.region.writeU8(ptr - BASE + j, text.charCodeAt(j));
      blocks.push({ ptr, text });
    }
    for (let i = 0; i < 200; i += 3) heap.free(blocks[i].ptr);
    expect(heap.check()).toBeUndefined();
    expect(m.space.stats.residentPages).toBeLessThanOrEqual(24);
    expect(m.space.stats.evictions).toBeGreaterThan(0);
    m.space.snapshot();
    m.space.close();
    // Every data frame went back to physalloc; only the page table covering the 4 MiB space stays.
    expect(m.phys.stats().main.free).toBe(freeBefore - 1);

    const r = boot(device);
    const again = Heap.open(r.region, { verify: true });
    expect(again.check()).toBeUndefined();
    for (let i = 0; i < 200; i++) {
      if (i % 3 === 0) continue;
      const { ptr, text } = blocks[i];
      let got = '';
      for (let j = 0; j < text.length; j++) got += String.fromCharCode(r.region.readU8(ptr - BASE + j));
      expect(got).toBe(text);
    }
  });
});
