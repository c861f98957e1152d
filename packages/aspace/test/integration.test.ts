// mapIo through the real IA-32 page-table editor, page tables in emulated RAM.
import { BumpFrameSource, Ia32PageTableEditor, PhysicalMemory } from '@phantasm/mmu';
import { describe, expect, it } from 'vitest';
import { AddressSpaceAllocator, IoMapper } from '../src/index.js';

describe('IoMapper over Ia32PageTableEditor', () => {
  it('maps a device uncached into the 1-2 GiB pool and unmaps it', () => {
    const memory = new PhysicalMemory({ ramSize: 4 * 1024 * 1024 });
    const frames = new BumpFrameSource(0x100000, 0x200000);
    const cr3 = Ia32PageTableEditor.createPageDirectory(memory, frames);
    const invalidated: number[] = [];
    const editor = new Ia32PageTableEditor(memory, cr3, frames, (v) => invalidated.push(v));
    const io = new IoMapper(AddressSpaceAllocator.forArch('ia32'), editor);

    const v = io.mapIo(0xfec00010, 0x2000); // an I/O APIC-like window: offset 0x10, three pages
    expect(v).toBe(0x40000010);
    for (let i = 0; i < 3; i++) {
      const m = editor.lookup(0x40000000 + i * 0x1000);
      expect(m?.physical).toBe(0xfec00000 + i * 0x1000);
      expect(m?.attributes).toMatchObject({ writable: true, user: false, uncached: true });
    }
    // The PTE itself carries PCD|PWT (bits 4 and 3): read it from the page table in RAM.
    const pde = memory.read32(cr3 + (0x40000000 >>> 22) * 4);
    const pte = memory.read32((pde & ~0xfff) + ((0x40000000 >>> 12) & 0x3ff) * 4);
    expect(pte & 0x18).toBe(0x18);

    io.unmapIo(v);
    expect(editor.lookup(0x40000000)).toBeUndefined();
    expect(invalidated).toEqual(expect.arrayContaining([0x40000000, 0x40001000, 0x40002000]));
    expect(io.space.stats().allocatedPages).toBe(0);
  });
});
