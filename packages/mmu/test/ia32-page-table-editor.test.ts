import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AlreadyMappedError,
  BumpFrameSource,
  Ia32PageTableEditor,
  LargePageConflictError,
  NotMappedError,
  PDE_PS,
  PhysicalMemory,
  PTE_A,
  PTE_D,
  PTE_G,
  PTE_P,
  PTE_PCD,
  PTE_PWT,
  PTE_RW,
  PTE_US,
  UnalignedAddressError,
} from '../src/index.js';

function setup() {
  const memory = new PhysicalMemory({ ramSize: 0x400000 });
  const frames = new BumpFrameSource(0x100000, 0x400000);
  const invalidated: number[] = [];
  const cr3 = Ia32PageTableEditor.createPageDirectory(memory, frames);
  const editor = new Ia32PageTableEditor(memory, cr3, frames, (v) => invalidated.push(v));
  return { memory, frames, cr3, editor, invalidated };
}

describe('Ia32PageTableEditor', () => {
  it('writes PDE and PTE in the SDM 32-bit paging format (SDM 3A §4.3, Tables 4-5/4-6)', () => {
    const { memory, cr3, editor } = setup();
    editor.map(0x80123000, 0x5000, { writable: true, user: true });
    const pde = memory.read32(cr3 + (0x80123000 >>> 22) * 4);
    expect(pde & 0xfff).toBe(PTE_P | PTE_RW | PTE_US);
    const table = pde & 0xfffff000;
    const pte = memory.read32(table + ((0x80123000 >>> 12) & 0x3ff) * 4);
    expect(pte).toBe(0x5000 | PTE_P | PTE_RW | PTE_US);
    expect(editor.pteAddress(0x80123000)).toBe(table + 0x123 * 4);
  });

  it('maps device memory with PCD|PWT, supervisor, writable', () => {
    const { memory, editor } = setup();
    editor.mapIo(0x40000000, 0xfee00000);
    const pte = memory.read32(editor.pteAddress(0x40000000)!);
    expect(pte).toBe((0xfee00000 | PTE_P | PTE_RW | PTE_PCD | PTE_PWT) >>> 0);
    expect(editor.lookup(0x40000000)).toEqual({
      physical: 0xfee00000,
      attributes: { writable: true, user: false, uncached: true, global: false },
    });
  });

  it('allocates page tables from the frame source, zeroed, one per 4 MiB region', () => {
    const { memory, frames, editor } = setup();
    // Dirty the next frame the source will hand out: the editor must zero it.
    memory.ram.fill(0xcc, 0x101000, 0x102000);
    editor.map(0x1000, 0x1000, { writable: false, user: false });
    expect(frames.allocated).toBe(2);
    expect(editor.lookup(0x2000)).toBeUndefined();
    editor.map(0x3ff000, 0x2000, { writable: false, user: false });
    expect(frames.allocated).toBe(2);
    editor.map(0x400000, 0x3000, { writable: false, user: false });
    expect(frames.allocated).toBe(3);
    editor.release();
    expect(frames.allocated).toBe(0);
  });

  it('rejects unaligned addresses, double maps and unmapping what is not mapped; state unchanged', () => {
    const { editor, invalidated } = setup();
    expect(() => editor.map(0x1001, 0x2000, { writable: true, user: false })).toThrow(UnalignedAddressError);
    expect(() => editor.map(0x1000, 0x2008, { writable: true, user: false })).toThrow(/0x00002008/);
    editor.map(0x1000, 0x2000, { writable: true, user: false });
    expect(() => editor.map(0x1000, 0x3000, { writable: true, user: false })).toThrow(AlreadyMappedError);
    expect(editor.lookup(0x1000)?.physical).toBe(0x2000);
    expect(() => editor.unmap(0x5000)).toThrow(NotMappedError);
    expect(() => editor.unmap(0x800000)).toThrow(NotMappedError);
    expect(() => editor.protect(0x5000, { writable: false, user: false })).toThrow(NotMappedError);
    expect(invalidated).toEqual([]);
    editor.unmap(0x1000);
    expect(invalidated).toEqual([0x1000]);
    expect(editor.lookup(0x1000)).toBeUndefined();
    expect(() => editor.unmap(0x1000)).toThrow(NotMappedError);
  });

  it('refuses a page directory outside RAM, or a frame source that hands out frames outside RAM', () => {
    const memory = new PhysicalMemory({ ramSize: 0x10000 });
    const frames = new BumpFrameSource(0x20000, 0x30000);
    expect(() => new Ia32PageTableEditor(memory, 0x10000, frames)).toThrow(/outside RAM/);
    expect(() =>
      new Ia32PageTableEditor(memory, 0x1000, frames).map(0, 0, { writable: true, user: false }),
    ).toThrow(/outside RAM/);
    expect(frames.allocated).toBe(0); // the bad frame went back
  });

  it('protect keeps the frame and the accessed/dirty bits, changes permissions, invalidates', () => {
    const { memory, editor, invalidated } = setup();
    editor.map(0x7000, 0x9000, { writable: true, user: true });
    const at = editor.pteAddress(0x7000)!;
    memory.write32(at, memory.read32(at) | PTE_A | PTE_D);
    editor.protect(0x7000, { writable: false, user: true, global: true });
    expect(memory.read32(at)).toBe(0x9000 | PTE_P | PTE_US | PTE_A | PTE_D | PTE_G);
    expect(invalidated).toEqual([0x7000]);
  });

  it('maps, looks up and removes 4 MiB pages and refuses to mix them with page tables', () => {
    const { memory, cr3, editor, invalidated } = setup();
    editor.mapLarge(0xc0000000, 0x00c00000, { writable: true, user: false, global: true });
    expect(memory.read32(cr3 + 0x300 * 4)).toBe(0x00c00000 | PTE_P | PTE_RW | PTE_G | PDE_PS);
    expect(editor.lookup(0xc0123000)?.physical).toBe(0x00d23000);
    expect(() => editor.map(0xc0001000, 0x1000, { writable: true, user: false })).toThrow(
      LargePageConflictError,
    );
    expect(() => editor.unmap(0xc0001000)).toThrow(LargePageConflictError);
    expect(() => editor.mapLarge(0xc0000000, 0, { writable: true, user: false })).toThrow(AlreadyMappedError);
    expect(() => editor.mapLarge(0xc0100000, 0, { writable: true, user: false })).toThrow(
      UnalignedAddressError,
    );
    editor.unmapLarge(0xc0000000);
    expect(invalidated).toEqual([0xc0000000]);
    expect(editor.lookup(0xc0123000)).toBeUndefined();
    editor.map(0x1000, 0x1000, { writable: true, user: false });
    expect(() => editor.mapLarge(0, 0, { writable: true, user: false })).toThrow(LargePageConflictError);
  });

  it('property: map then lookup round-trips; unmap removes exactly that page', () => {
    const page = fc.integer({ min: 0, max: 0xfffff }).map((n) => n * 4096);
    const attrs = fc.record({
      writable: fc.boolean(),
      user: fc.boolean(),
      uncached: fc.boolean(),
      global: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(page, page, attrs), { maxLength: 40, selector: (t) => t[0] }),
        (maps) => {
          const memory = new PhysicalMemory({ ramSize: 0x200000 });
          const frames = new BumpFrameSource(0x100000, 0x200000);
          const editor = new Ia32PageTableEditor(
            memory,
            Ia32PageTableEditor.createPageDirectory(memory, frames),
            frames,
          );
          for (const [v, p, a] of maps) editor.map(v, p, a);
          for (const [v, p, a] of maps) expect(editor.lookup(v)).toEqual({ physical: p, attributes: a });
          if (maps.length > 0) {
            const [v] = maps[0];
            editor.unmap(v);
            expect(editor.lookup(v)).toBeUndefined();
            for (const [w, p] of maps.slice(1)) expect(editor.lookup(w)?.physical).toBe(p);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
