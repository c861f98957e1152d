import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AddressRangeError,
  AlreadyMappedError,
  BumpFrameSource,
  MIPS_INVALID,
  MIPS_MODE_KERNEL,
  MIPS_MODE_USER,
  MIPS_MODIFIED,
  MIPS_REFILL,
  MipsPageTableEditor,
  MipsTlb,
  NotMappedError,
  PhysicalMemory,
} from '../src/index.js';

function setup(bigEndian = true) {
  const memory = new PhysicalMemory({ ramSize: 0x200000, bigEndian });
  const frames = new BumpFrameSource(0x100000, 0x200000);
  const tlb = new MipsTlb({ entries: 16 });
  const dir = MipsPageTableEditor.createDirectory(memory, frames);
  const editor = new MipsPageTableEditor(memory, dir, frames, (v) => tlb.invalidatePage(v));
  return { memory, frames, tlb, dir, editor };
}

/** What a kernel's access loop does: translate, refill on a refill outcome, translate again. */
function access(tlb: MipsTlb, editor: MipsPageTableEditor, va: number, write: boolean, mode: 0 | 1 | 2) {
  const first = tlb.translate(va, write, mode);
  if (first !== MIPS_REFILL) return first;
  if (!editor.refill(tlb, va)) return MIPS_REFILL;
  return tlb.translate(va, write, mode);
}

describe('MipsPageTableEditor', () => {
  it('stores EntryLo words in emulated memory (big-endian bus) that refill loads into the TLB', () => {
    const { memory, tlb, dir, editor } = setup();
    editor.map(0x00001000, 0x00050000, { writable: true, user: true });
    const table = memory.read32(dir);
    expect(table).toBe(0x101000);
    // PFN 0x50 <<6 | C=3 <<3 | D | V, plus the software user bit 31.
    expect(memory.read32(table + 4)).toBe(((0x50 << 6) | (3 << 3) | 4 | 2 | 0x80000000) >>> 0);
    expect(memory.ram[table + 4]).toBe(0x80); // most significant byte first
    tlb.setEntryHi(7);
    expect(access(tlb, editor, 0x00001234, true, MIPS_MODE_USER)).toBe(0x50234);
    const entry = tlb.readEntry(15);
    expect(entry.entryHi).toBe(0x00000000 | 7);
    expect(entry.entryLo0).toBe(0); // page 0 of the pair is unmapped
    expect(entry.entryLo1 >>> 31).toBe(0); // software bit stripped
    expect(access(tlb, editor, 0x00000010, false, MIPS_MODE_USER)).toBe(MIPS_INVALID);
  });

  it('mapIo sets C=2, writable, not user', () => {
    const { tlb, editor } = setup();
    editor.mapIo(0xc0000000, 0x1f000000);
    expect(editor.lookup(0xc0000000)).toEqual({
      physical: 0x1f000000,
      attributes: { writable: true, user: false, uncached: true, global: false },
    });
    expect(access(tlb, editor, 0xc0000010, true, MIPS_MODE_KERNEL)).toBe(0x1f000010);
    expect(tlb.lastCacheAttribute).toBe(2);
  });

  it('read-only pages give TLB Modified on stores; unmap and protect invalidate the TLB', () => {
    const { tlb, editor } = setup();
    editor.map(0x00400000, 0x3000, { writable: false, user: true });
    expect(access(tlb, editor, 0x00400000, true, MIPS_MODE_USER)).toBe(MIPS_MODIFIED);
    editor.protect(0x00400000, { writable: true, user: true });
    expect(access(tlb, editor, 0x00400000, true, MIPS_MODE_USER)).toBe(0x3000);
    editor.unmap(0x00400000);
    expect(access(tlb, editor, 0x00400000, false, MIPS_MODE_USER)).toBe(MIPS_REFILL);
  });

  it('a global page is global in the TLB even when its pair partner is unmapped', () => {
    const { tlb, editor } = setup();
    editor.map(0xc0002000, 0x4000, { writable: true, user: false, global: true });
    tlb.setEntryHi(1);
    expect(access(tlb, editor, 0xc0002000, false, MIPS_MODE_KERNEL)).toBe(0x4000);
    tlb.setEntryHi(2);
    expect(tlb.translate(0xc0002000, false, MIPS_MODE_KERNEL)).toBe(0x4000);
  });

  it('rejects misuse with typed errors and changes nothing', () => {
    const { editor } = setup();
    expect(() => editor.map(0x80000000, 0, { writable: true, user: false })).toThrow(AddressRangeError);
    expect(() => editor.map(0xc0000000, 0, { writable: true, user: true })).toThrow(/kuseg/);
    expect(() => editor.map(0x1001, 0, { writable: true, user: true })).toThrow(/aligned/);
    editor.map(0x1000, 0x2000, { writable: true, user: true });
    expect(() => editor.map(0x1000, 0x3000, { writable: true, user: true })).toThrow(AlreadyMappedError);
    expect(() => editor.unmap(0x2000)).toThrow(NotMappedError);
    expect(() => editor.protect(0x800000, { writable: true, user: true })).toThrow(NotMappedError);
    expect(editor.lookup(0x1000)?.physical).toBe(0x2000);
  });

  it('release gives every table and the directory back to the frame source', () => {
    const { frames, editor } = setup();
    editor.map(0x00001000, 0x2000, { writable: true, user: true });
    editor.map(0x00801000, 0x3000, { writable: true, user: true });
    editor.map(0xc0000000, 0x4000, { writable: true, user: false });
    expect(frames.allocated).toBe(4);
    editor.release();
    expect(frames.allocated).toBe(0);
  });

  it('probe reports what the TLB holds without faulting', () => {
    const { tlb, editor } = setup();
    editor.map(0x00002000, 0x9000, { writable: false, user: true });
    expect(tlb.probe(0x00002010)).toBeUndefined();
    editor.refill(tlb, 0x00002000);
    expect(tlb.probe(0x00002010)).toEqual({
      physical: 0x9010,
      cacheAttribute: 3,
      dirty: false,
      index: 15,
      pageSize: 4096,
    });
    expect(tlb.probe(0x00003010)).toBeUndefined(); // the odd page is invalid
    expect(tlb.probe(0xa0001000)).toEqual({
      physical: 0x1000,
      cacheAttribute: 2,
      dirty: true,
      index: -1,
      pageSize: 0x20000000,
    });
    expect(tlb.probe(0x80000000, MIPS_MODE_USER)).toBeUndefined();
  });

  it('refill reports false for an unmapped pair and leaves the TLB alone', () => {
    const { tlb, editor } = setup();
    expect(editor.refill(tlb, 0x00400000)).toBe(false);
    expect(tlb.random).toBe(15);
  });

  it('property: map then lookup round-trips on either byte order', () => {
    const page = fc.oneof(fc.integer({ min: 0, max: 0x7ffff }), fc.integer({ min: 0xc0000, max: 0xfffff }));
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.uniqueArray(fc.tuple(page, fc.integer({ min: 0, max: 0xffffff }), fc.boolean(), fc.boolean()), {
          maxLength: 30,
          selector: (t) => t[0],
        }),
        (bigEndian, maps) => {
          const { editor } = setup(bigEndian);
          const expected = maps.map(([vp, pp, writable, flag]) => {
            const virtual = vp * 4096;
            const attributes = {
              writable,
              user: virtual < 0x80000000 && flag,
              uncached: flag,
              global: !flag,
            };
            editor.map(virtual, pp * 4096, attributes);
            return { virtual, mapping: { physical: pp * 4096, attributes } };
          });
          for (const { virtual, mapping } of expected) expect(editor.lookup(virtual)).toEqual(mapping);
        },
      ),
      { numRuns: 60 },
    );
  });
});
