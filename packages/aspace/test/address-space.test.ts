import { describe, expect, it } from 'vitest';
import {
  AddressSpaceAllocator,
  AlignmentError,
  DoubleFreeError,
  IA32_POOL,
  InvalidRequestError,
  IoMapper,
  MIPS32_POOL,
  OutOfAddressSpaceError,
  OverlapError,
  UnknownRangeError,
} from '../src/index.js';
import { FakeEditor } from './fake-editor.js';

const PAGE = 4096;

/** Everything observable about an allocator, for "nothing changed" checks. */
function snapshot(space: AddressSpaceAllocator) {
  return { stats: space.stats(), free: space.freeRanges() };
}

describe('pools', () => {
  it('uses the per-architecture pools of DESIGN.md', () => {
    const ia32 = AddressSpaceAllocator.forArch('ia32');
    expect([ia32.start, ia32.end]).toEqual([0x40000000, 0x80000000]);
    expect(ia32.stats().poolPages).toBe(0x40000);
    const mips = AddressSpaceAllocator.forArch('mips32');
    expect(mips.start).toBe(0xc0000000);
    expect(mips.end).toBe(MIPS32_POOL.end);
    expect(mips.alloc(1)).toBe(0xc0000000);
  });
});

describe('alloc, free, reserve', () => {
  it('allocates lowest first, aligned, and coalesces on free', () => {
    const space = new AddressSpaceAllocator(IA32_POOL);
    const a = space.alloc(1);
    const b = space.alloc(16, { align: 0x10000 });
    const c = space.alloc(3);
    expect(a).toBe(0x40000000);
    expect(b).toBe(0x40010000);
    expect(c).toBe(0x40001000); // fills the gap below b
    expect(space.stats().freeRanges).toBe(2);
    space.free(b);
    space.free(a);
    space.free(c);
    expect(space.freeRanges()).toEqual([{ address: IA32_POOL.start, pages: 0x40000 }]);
    expect(space.check()).toBeUndefined();
  });

  it('finds an exactly fitting aligned range when no larger one is left', () => {
    const space = new AddressSpaceAllocator({ start: 0x10000, end: 0x20000 }); // 16 pages, aligned to 64 KiB
    expect(space.alloc(16, { align: 0x10000 })).toBe(0x10000);
    expect(() => space.alloc(1)).toThrow(OutOfAddressSpaceError);
  });

  it('reserves a wholly free range and refuses overlaps', () => {
    const space = new AddressSpaceAllocator(IA32_POOL);
    space.reserve(0x40100000, 4);
    expect(space.stats().reservedPages).toBe(4);
    const before = snapshot(space);
    expect(() => space.reserve(0x40103000, 2)).toThrow(OverlapError);
    expect(() => space.reserve(0x3ffff000, 2)).toThrow(OverlapError);
    expect(() => space.free(0x40100000)).toThrow(UnknownRangeError);
    expect(snapshot(space)).toEqual(before);
    expect(space.alloc(0x100)).toBe(0x40000000);
    expect(space.alloc(1)).toBe(0x40104000);
  });
});

describe('misuse throws typed errors and changes nothing', () => {
  const cases: Array<
    [string, (s: AddressSpaceAllocator, held: number) => void, new (...a: never[]) => Error]
  > = [
    ['freeing a foreign range', (s) => s.free(0x1000), UnknownRangeError],
    ['freeing inside an allocation', (s, held) => s.free(held + PAGE), UnknownRangeError],
    ['freeing an unaligned address', (s, held) => s.free(held + 1), AlignmentError],
    ['freeing never-allocated pool space', (s) => s.free(0x7000_0000), DoubleFreeError],
    ['a zero-page request', (s) => s.alloc(0), InvalidRequestError],
    ['a non power-of-two alignment', (s) => s.alloc(1, { align: 0x3000 }), AlignmentError],
    ['a request larger than the pool', (s) => s.alloc(0x40001), OutOfAddressSpaceError],
    ['reserving over an allocation', (s, held) => s.reserve(held, 1), OverlapError],
    ['reserving unaligned', (s) => s.reserve(0x40800010, 1), AlignmentError],
  ];
  for (const [what, act, type] of cases) {
    it(what, () => {
      const space = new AddressSpaceAllocator(IA32_POOL);
      const held = space.alloc(2);
      const before = snapshot(space);
      expect(() => act(space, held)).toThrow(type);
      expect(snapshot(space)).toEqual(before);
      expect(space.check()).toBeUndefined();
    });
  }

  it('double free', () => {
    const space = new AddressSpaceAllocator(IA32_POOL);
    const held = space.alloc(2);
    space.alloc(1);
    space.free(held);
    const before = snapshot(space);
    expect(() => space.free(held)).toThrow(DoubleFreeError);
    expect(() => space.free(held)).toThrow('0x40000000');
    expect(snapshot(space)).toEqual(before);
  });
});

describe('mapIo', () => {
  it('maps every page uncached and returns the address with the sub-page offset', () => {
    const space = new AddressSpaceAllocator(IA32_POOL);
    const editor = new FakeEditor();
    const io = new IoMapper(space, editor);
    const v = io.mapIo(0xfee00020, 0x1fe8); // 0x20 .. 0x2008: three pages
    expect(v % PAGE).toBe(0x20);
    const base = v - 0x20;
    expect(space.sizeOf(base)).toBe(3);
    for (let i = 0; i < 3; i++) {
      expect(editor.lookup(base + i * PAGE)).toEqual({
        physical: 0xfee00000 + i * PAGE,
        attributes: { writable: true, user: false, uncached: true },
      });
    }
    expect(editor.pages.size).toBe(3);
    io.unmapIo(v);
    expect(editor.pages.size).toBe(0);
    expect(space.freeRanges()).toEqual([{ address: IA32_POOL.start, pages: 0x40000 }]);
  });

  it('rolls back when the editor fails part way', () => {
    const space = new AddressSpaceAllocator(IA32_POOL);
    const editor = new FakeEditor();
    const io = new IoMapper(space, editor);
    editor.failAtMapIo = 2;
    const before = snapshot(space);
    expect(() => io.mapIo(0xe0000000, 5 * PAGE)).toThrow('out of page-table frames');
    expect(editor.pages.size).toBe(0);
    expect(snapshot(space)).toEqual(before);
    expect(io.list()).toEqual([]);
  });

  it('refuses unknown, repeated or altered unmaps and bad requests', () => {
    const space = new AddressSpaceAllocator(IA32_POOL);
    const editor = new FakeEditor();
    const io = new IoMapper(space, editor);
    const v = io.mapIo(0xb8000, 0x1000);
    const before = snapshot(space);
    expect(() => io.unmapIo(v + 4)).toThrow(UnknownRangeError);
    expect(() => io.unmapIo(0x50000000)).toThrow(UnknownRangeError);
    expect(() => io.mapIo(0xb8000, 0)).toThrow(InvalidRequestError);
    expect(() => io.mapIo(0xfffff000, 0x2000)).toThrow(InvalidRequestError);
    expect(snapshot(space)).toEqual(before);
    expect(editor.pages.size).toBe(1);
    io.unmapIo(v);
    expect(() => io.unmapIo(v)).toThrow(UnknownRangeError);
  });
});
