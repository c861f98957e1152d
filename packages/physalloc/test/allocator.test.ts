import { describe, expect, it } from 'vitest';
import type { FrameSource } from '../../mmu/src/contract.js';
import {
  AddressRangeError,
  DoubleFreeError,
  fromE820,
  InvalidRequestError,
  NotAllocatedError,
  OutOfMemoryError,
  PhysAllocator,
  PhysArena,
  ReserveConflictError,
  usableFrames,
} from '../src/index.js';

const MiB = 0x100000;

/** A typical small PC: 639 KiB low RAM, EBDA, ROM, 15 MiB of RAM from 1 MiB, ACPI at the top. */
function smallPc(kernelEnd = 2 * MiB): PhysAllocator {
  return new PhysAllocator(
    fromE820([
      { base: 0, length: 0x9fc00, type: 1 },
      { base: 0x9fc00, length: 0x400, type: 2 },
      { base: 0xf0000, length: 0x10000, type: 2 },
      { base: MiB, length: 15 * MiB - 0x10000, type: 1 },
      { base: 16 * MiB - 0x10000, length: 0x10000, type: 3 },
    ]),
    { kernelImage: { start: MiB, end: kernelEnd } },
  );
}

describe('building from a memory map', () => {
  it('keeps the BIOS data area, the hole, the EBDA page, the kernel and ACPI out of both arenas', () => {
    const phys = smallPc();
    const { low, main } = phys.stats();
    // Low: frames 1..0x9e (0x9f contains the EBDA start at 0x9fc00); frame 0 holds the BDA.
    expect(low.total).toBe(0x9e);
    // Main: 2 MiB .. 16 MiB - 64 KiB.
    expect(main.total).toBe((16 * MiB - 0x10000 - 2 * MiB) / 4096);
    expect(phys.low.isFree(0x1000)).toBe(true);
    expect(phys.low.isFree(0)).toBe(false);
    expect(phys.low.isFree(0x9f000)).toBe(false);
    expect(phys.main.isFree(MiB)).toBe(false);
    expect(phys.main.isFree(2 * MiB)).toBe(true);
    expect(phys.check()).toBeUndefined();
  });

  it('rounds usable entries inwards and lets non-usable entries win where they overlap', () => {
    const frames = usableFrames(
      [
        { base: 0x100800, length: 0x10000, type: 'usable' },
        { base: 0x108000, length: 0x100, type: 'acpi-nvs' },
      ],
      [],
    );
    expect(frames).toEqual([
      [0x101, 0x108],
      [0x109, 0x110],
    ]);
  });

  it('rejects malformed entries with a typed error', () => {
    expect(() => new PhysAllocator([{ base: -1, length: 10, type: 'usable' }])).toThrow(InvalidRequestError);
  });
});

describe('allocation', () => {
  it('hands out main frames at or above 1 MiB and low frames below it', () => {
    const phys = smallPc();
    const a = phys.alloc();
    const b = phys.low.alloc();
    expect(a).toBeGreaterThanOrEqual(2 * MiB);
    expect(b).toBeGreaterThan(0);
    expect(b).toBeLessThan(0xa0000);
    expect(phys.stats().main.allocated).toBe(1);
    expect(phys.stats().low.allocated).toBe(1);
  });

  it('reuses the most recently freed frame', () => {
    const phys = smallPc();
    const frames = [phys.alloc(), phys.alloc(), phys.alloc()];
    phys.free(frames[1]);
    expect(phys.alloc()).toBe(frames[1]);
  });

  it('never hands out a freed frame that was reserved since', () => {
    const phys = smallPc();
    const a = phys.alloc();
    const b = phys.alloc();
    phys.free(a);
    phys.free(b);
    phys.reserve(b);
    expect(phys.alloc()).toBe(a);
    expect(phys.alloc()).not.toBe(b);
    expect(phys.check()).toBeUndefined();
  });

  it('allocates aligned contiguous runs below a limit', () => {
    const phys = smallPc();
    phys.alloc();
    const run = phys.allocContiguous(64, { align: 64 * 4096, below: 8 * MiB });
    expect(run % (64 * 4096)).toBe(0);
    expect(run + 64 * 4096).toBeLessThanOrEqual(8 * MiB);
    for (let i = 0; i < 64; i++) expect(phys.main.isFree(run + i * 4096)).toBe(false);
    expect(() => phys.allocContiguous(16, { below: 2 * MiB })).toThrow(OutOfMemoryError);
    const low = phys.low.allocContiguous(16, { align: 0x10000 });
    expect(low % 0x10000).toBe(0);
    expect(low + 16 * 4096).toBeLessThanOrEqual(0xa0000);
  });

  it('throws OutOfMemoryError on exhaustion and stays usable', () => {
    const phys = new PhysAllocator([{ base: 0, length: MiB + 8 * 4096, type: 'usable' }]);
    const got = Array.from({ length: 8 }, () => phys.alloc());
    const before = phys.stats();
    expect(() => phys.alloc()).toThrow(OutOfMemoryError);
    expect(() => phys.allocContiguous(2)).toThrow(OutOfMemoryError);
    expect(phys.stats()).toEqual(before);
    phys.free(got[3]);
    expect(phys.alloc()).toBe(got[3]);
  });

  it('is a FrameSource for page-table editors', () => {
    const phys = smallPc();
    const source: FrameSource = phys;
    const frame = source.allocFrame();
    expect(frame % 4096).toBe(0);
    source.freeFrame(frame);
    expect(phys.main.isFree(frame)).toBe(true);
  });
});

describe('misuse throws typed errors and changes nothing', () => {
  const cases: Array<[string, (phys: PhysAllocator, held: number) => void, new (...a: never[]) => Error]> = [
    ['double free', (p, held) => p.free(held + 4096), DoubleFreeError],
    ['freeing a reserved (kernel) frame', (p) => p.free(MiB), NotAllocatedError],
    ['freeing the BIOS data area', (p) => p.free(0), NotAllocatedError],
    ['freeing the ROM hole', (p) => p.free(0xc0000), NotAllocatedError],
    ['freeing beyond RAM', (p) => p.free(64 * MiB), AddressRangeError],
    ['freeing an unaligned address', (p, held) => p.free(held + 12), AddressRangeError],
    ['a run that is partly free', (p, held) => p.free(held, 2), DoubleFreeError],
    ['a run leaving the arena', (p) => p.free(p.main.end - 4096, 2), AddressRangeError],
    ['reserving an allocated frame', (p, held) => p.reserve(held), ReserveConflictError],
    ['a zero-page request', (p) => p.allocContiguous(0), InvalidRequestError],
    ['a non power-of-two alignment', (p) => p.allocContiguous(2, { align: 3 * 4096 }), InvalidRequestError],
    ['an order beyond 10', (p) => p.main.fragmentationIndex(11), InvalidRequestError],
  ];
  for (const [what, act, type] of cases) {
    it(what, () => {
      const phys = smallPc();
      const held = phys.alloc();
      const before = phys.stats();
      expect(() => act(phys, held)).toThrow(type);
      expect(phys.stats()).toEqual(before);
      expect(phys.check()).toBeUndefined();
    });
  }

  it('names the address in the message', () => {
    const phys = smallPc();
    const held = phys.alloc();
    phys.free(held);
    expect(() => phys.free(held)).toThrow(`0x${held.toString(16)}`);
  });
});

describe('reserve', () => {
  it('takes free frames out of the total for good', () => {
    const phys = smallPc();
    const before = phys.stats().main;
    phys.reserve(4 * MiB, 4);
    const after = phys.stats().main;
    expect(after.total).toBe(before.total - 4);
    expect(after.free).toBe(before.free - 4);
    expect(after.reserved).toBe(before.reserved + 4);
    expect(() => phys.free(4 * MiB)).toThrow(NotAllocatedError);
  });
});

describe('statistics', () => {
  /** An arena of 64 frames at frame 0, everything allocated. */
  function fullArena(): PhysArena {
    const arena = new PhysArena('t', 0, 64, [[0, 64]]);
    for (let i = 0; i < 64; i++) arena.alloc();
    return arena;
  }

  it('splits free runs into buddy blocks per order, as /proc/buddyinfo would', () => {
    const arena = fullArena();
    arena.free(3 * 4096, 17); // frames 3..19: 3 | 4-7 | 8-15 | 16-19
    const s = arena.stats();
    expect(s.freeBlocksPerOrder.slice(0, 4)).toEqual([1, 0, 2, 1]);
    expect(s.largestFreeRun).toBe(17);
    expect(s.free).toBe(17);
  });

  it('computes Linux fragmentation index', () => {
    const arena = fullArena();
    expect(arena.fragmentationIndex(0)).toBe(0); // no free blocks at all
    for (let i = 0; i < 64; i += 2) arena.free(i * 4096); // 32 isolated free frames
    expect(arena.fragmentationIndex(0)).toBe(-1000); // an order-0 request would succeed
    // 1000 - (1000 + 32 * 1000 / 2) / 32 = 1000 - 531 (integer division, as the kernel does)
    expect(arena.fragmentationIndex(1)).toBe(469);
    // 1000 - (1000 + 32 * 1000 / 16) / 32 = 1000 - 93
    expect(arena.fragmentationIndex(4)).toBe(907);
    arena.free(4096, 1);
    expect(arena.fragmentationIndex(1)).toBe(-1000);
  });
});

describe('deferred summary upkeep', () => {
  it('stays exact after more single frees than the pending ring holds', () => {
    const pages = 32 * 4096; // 4096 words
    const arena = new PhysArena('t', 0, pages, [[0, pages]]);
    const held: number[] = [];
    for (let i = 0; i < pages; i++) held.push(arena.alloc());
    // One frame in each of 3000 words: every free empties-to-non-empty a word (all are noted).
    for (let w = 3999; w >= 1000; w--) arena.free(held[w * 32 + 7]);
    expect(arena.check()).toBeUndefined();
    expect(arena.stats().free).toBe(3000);
    // The lowest free frame is found through the summaries once the last-freed one is gone.
    expect(arena.alloc()).toBe((1000 * 32 + 7) * 4096);
    expect(arena.alloc()).toBe((1001 * 32 + 7) * 4096);
    // Whole free words (for runs) are found after many frees too.
    for (let i = 0; i < 32; i++) if (i !== 7) arena.free((2000 * 32 + i) * 4096);
    for (let w = 0; w < 1100; w++) for (const i of [3, 4]) arena.free((w * 32 + i) * 4096);
    expect(arena.allocContiguous(32, { align: 32 * 4096 })).toBe(2000 * 32 * 4096);
    expect(arena.check()).toBeUndefined();
  });
});

describe('edge sizes', () => {
  it('has an empty main arena when there is no RAM above 1 MiB', () => {
    const phys = new PhysAllocator([{ base: 0, length: 0xa0000, type: 'usable' }]);
    expect(phys.stats().main.total).toBe(0);
    expect(() => phys.alloc()).toThrow(OutOfMemoryError);
    expect(() => phys.allocContiguous(64, { align: 64 * 4096 })).toThrow(OutOfMemoryError);
    expect(phys.low.alloc()).toBe(0x1000);
    expect(phys.check()).toBeUndefined();
  });

  it('uses every frame of an arena whose size is not a multiple of 32, and no more', () => {
    const arena = new PhysArena('t', 0, 45, [[0, 45]]);
    const run = arena.allocContiguous(40, { align: 32 * 4096 });
    expect(run).toBe(0);
    expect(() => arena.allocContiguous(6)).toThrow(OutOfMemoryError);
    const rest = Array.from({ length: 5 }, () => arena.alloc());
    expect(rest.sort((a, b) => a - b)).toEqual([40, 41, 42, 43, 44].map((f) => f * 4096));
    expect(() => arena.alloc()).toThrow(OutOfMemoryError);
    expect(() => arena.free(45 * 4096)).toThrow(AddressRangeError);
    arena.free(0, 40);
    expect(arena.stats().largestFreeRun).toBe(40);
    expect(arena.check()).toBeUndefined();
  });
});
