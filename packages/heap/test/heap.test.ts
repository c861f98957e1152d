import { describe, expect, it } from 'vitest';
import {
  ArrayBacking,
  ArrayRegion,
  CorruptedHeaderError,
  DoubleFreeError,
  Heap,
  HeapArgumentError,
  HeapFormatError,
  HeapOutOfMemoryError,
  type HeapRegion,
  InteriorPointerError,
  InvalidPointerError,
  OutsideHeapError,
} from '../src/index.js';
import { fillPattern, fixedHeap, growingHeap, strictHeap, verifyPattern } from './helpers.js';

describe('malloc / free', () => {
  it('returns 8-aligned, disjoint blocks inside the heap with at least the asked size', () => {
    const { heap } = fixedHeap();
    const blocks = [0, 1, 7, 8, 16, 100, 255, 256, 1000, 4000].map((n) => ({ n, p: heap.malloc(n) }));
    const { start, end } = heap.stats();
    blocks.sort((a, b) => a.p - b.p);
    for (const [i, { n, p }] of blocks.entries()) {
      expect(p % 8).toBe(0);
      expect(p).toBeGreaterThan(start);
      expect(heap.usableSize(p)).toBeGreaterThanOrEqual(n);
      expect(p + heap.usableSize(p)).toBeLessThanOrEqual(end);
      if (i > 0) expect(blocks[i - 1].p + heap.usableSize(blocks[i - 1].p)).toBeLessThanOrEqual(p);
    }
    expect(heap.check()).toBeUndefined();
    for (const { p } of blocks) heap.free(p);
    expect(heap.check()).toBeUndefined();
    expect(heap.stats()).toMatchObject({ usedBlocks: 0, usedBytes: 0, freeBlocks: 1 });
  });

  it('aligns to every power of two up to 4096, also from a base that is not page aligned', () => {
    const { heap } = fixedHeap(256 * 1024, 0x10008);
    const live: number[] = [];
    for (const align of [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096]) {
      for (const n of [1, 24, 300]) {
        const p = heap.malloc(n, align);
        expect(p % Math.max(align, 8), `align ${align}`).toBe(0);
        live.push(p);
        expect(heap.check()).toBeUndefined();
      }
    }
    for (const p of live) heap.free(p);
    expect(heap.check()).toBeUndefined();
    expect(heap.stats().freeBlocks).toBe(1);
  });

  it('rejects impossible alignments and sizes with typed errors', () => {
    const { heap } = fixedHeap();
    for (const align of [0, 3, 24, 8192, -8]) expect(() => heap.malloc(16, align)).toThrow(HeapArgumentError);
    expect(() => heap.malloc(-1)).toThrow(HeapArgumentError);
    expect(() => heap.malloc(Number.NaN)).toThrow(HeapArgumentError);
    expect(() => heap.malloc(2 ** 31)).toThrow(HeapOutOfMemoryError);
    expect(() => heap.malloc(2 ** 30 - 100, 4096)).toThrow(HeapOutOfMemoryError); // padding pushes it past 1 GiB
    const g = growingHeap();
    expect(() => g.heap.malloc(2 ** 30 - 100, 4096)).toThrow(HeapOutOfMemoryError);
    expect(g.heap.check()).toBeUndefined();
    expect(() => heap.calloc(-1, 4)).toThrow(HeapArgumentError);
  });

  it('refuses a region too small for the control block and one block', () => {
    // The control block is sized for the region (272 bytes for one class, 1,296 for 64 KiB, 3,088 above 512 MiB).
    expect(() => Heap.create(new ArrayRegion(new Uint8Array(256)))).toThrow(HeapArgumentError);
    expect(() => Heap.create(new ArrayRegion(new Uint8Array(65536)), { initialSize: 1296 + 24 })).toThrow(
      HeapArgumentError,
    );
    const smallest = Heap.create(new ArrayRegion(new Uint8Array(65536)), { initialSize: 1296 + 24 + 8 });
    expect(smallest.start - smallest.region.base).toBe(1296);
    expect(smallest.check()).toBeUndefined();
  });

  it('calloc zero-fills memory that held data before', () => {
    const { heap, region } = fixedHeap();
    const p = heap.malloc(500);
    region.bytes.fill(0xab, p - region.base, p - region.base + 500);
    heap.free(p);
    const q = heap.calloc(25, 20);
    expect(q).toBe(p);
    expect(region.bytes.subarray(q - region.base, q - region.base + 500).every((b) => b === 0)).toBe(true);
  });
});

describe('free-list nodes moved in place', () => {
  it('split and merge keep the list neighbours linked', () => {
    const { heap } = fixedHeap();
    // Two free blocks of 5112 bytes: the top of their list's range, so 5112 - 32 stays in that list.
    const a = heap.malloc(5104);
    heap.malloc(16);
    const b = heap.malloc(5104);
    heap.malloc(16);
    heap.free(b);
    heap.free(a); // list: a -> b
    const p = heap.malloc(20); // splits a from the front; a's node moves up, b must follow
    expect(p).toBe(a);
    expect(heap.check()).toBeUndefined();
    heap.free(p); // merges into the moved node, which moves back down
    expect(heap.check()).toBeUndefined();
    expect(heap.malloc(5104)).toBe(a);
    expect(heap.malloc(5104)).toBe(b);
    expect(heap.check()).toBeUndefined();
  });
});

describe('large requests (>= 64 KiB)', () => {
  it('take the lowest-addressed free block that fits, skipping smaller ones in the same list', () => {
    const { heap } = fixedHeap(1 << 20);
    const a = heap.malloc(99_000); // blocks a and b share one free list (same size class)
    heap.malloc(16);
    const b = heap.malloc(100_000);
    heap.malloc(16);
    const c = heap.malloc(200_000);
    heap.malloc(16);
    heap.free(c);
    heap.free(b);
    heap.free(a); // list order now: a, b; a is too small for the next request
    expect(heap.malloc(99_500)).toBe(b);
    expect(heap.check()).toBeUndefined();
    // c (bigger, higher) and a (fits, lower): the lower one wins even though c's list is searched too.
    expect(heap.malloc(90_000)).toBe(a);
    expect(heap.check()).toBeUndefined();
  });
});

describe('realloc', () => {
  it('grows in place when the next block is free and keeps the contents', () => {
    const { heap, region } = fixedHeap();
    const a = heap.malloc(100);
    const b = heap.malloc(400);
    const c = heap.malloc(100);
    fillPattern(region, a, 100, 1);
    heap.free(b);
    const a2 = heap.realloc(a, 450);
    expect(a2).toBe(a);
    expect(heap.usableSize(a2)).toBeGreaterThanOrEqual(450);
    expect(verifyPattern(region, a2, 100, 1)).toBe(-1);
    expect(heap.check()).toBeUndefined();
    heap.free(c);
    heap.free(a2);
  });

  it('shrinks in place and frees the tail', () => {
    const { heap } = fixedHeap();
    const a = heap.malloc(1000);
    heap.malloc(16); // keeps the tail from merging with the rest of the heap
    const before = heap.stats();
    expect(heap.realloc(a, 100)).toBe(a);
    expect(heap.usableSize(a)).toBeLessThan(1000);
    expect(heap.stats().usedBytes).toBeLessThan(before.usedBytes);
    expect(heap.stats().freeBlocks).toBe(before.freeBlocks + 1);
    expect(heap.check()).toBeUndefined();
  });

  it('copies exactly the old usable size when it has to move', () => {
    const { heap, region } = fixedHeap();
    const copies: number[] = [];
    const copy = region.copy.bind(region);
    region.copy = (dst: number, src: number, length: number) => {
      copies.push(length);
      copy(dst, src, length);
    };
    const a = heap.malloc(200);
    heap.malloc(16); // blocks growth in place
    fillPattern(region, a, heap.usableSize(a), 9);
    const old = heap.usableSize(a);
    const moved = heap.realloc(a, 5000);
    expect(moved).not.toBe(a);
    expect(copies).toEqual([old]);
    expect(verifyPattern(region, moved, old, 9)).toBe(-1);
    expect(() => heap.usableSize(a)).toThrow(DoubleFreeError);
    expect(heap.check()).toBeUndefined();
  });

  it('realloc(0, n) allocates; a failed realloc leaves the block untouched', () => {
    const { heap, region } = fixedHeap(16 * 1024);
    const a = heap.realloc(0, 64);
    fillPattern(region, a, 64, 3);
    heap.malloc(16);
    expect(() => heap.realloc(a, 100_000)).toThrow(HeapOutOfMemoryError);
    expect(verifyPattern(region, a, 64, 3)).toBe(-1);
    expect(heap.usableSize(a)).toBeGreaterThanOrEqual(64);
    expect(heap.check()).toBeUndefined();
  });
});

describe('stats', () => {
  it('counts bytes and blocks in use and free, and keeps high-water marks', () => {
    const { heap } = fixedHeap();
    const total = heap.stats().usedBytes + heap.stats().freeBytes;
    const ps = [100, 200, 300].map((n) => heap.malloc(n));
    const s1 = heap.stats();
    expect(s1.usedBlocks).toBe(3);
    expect(s1.usedBytes).toBe(ps.reduce((sum, p) => sum + heap.usableSize(p) + 8, 0));
    expect(s1.usedBytes + s1.freeBytes).toBe(total);
    expect(s1.peakEnd).toBe(Math.max(...ps.map((p) => p + heap.usableSize(p))));
    for (const p of ps) heap.free(p);
    const s2 = heap.stats();
    expect(s2).toMatchObject({ usedBlocks: 0, usedBytes: 0, freeBytes: total, freeBlocks: 1 });
    expect(s2.peakUsedBytes).toBe(s1.usedBytes);
    expect(s2.peakEnd).toBe(s1.peakEnd);
  });
});

describe('bad input: typed errors naming the address, heap unchanged and usable', () => {
  const cases: Array<{
    name: string;
    error: new (...args: never[]) => Error;
    setup: (h: ReturnType<typeof fixedHeap>) => { pointer: number; address: number };
    /** usableSize reads only the block's own header, so it cannot see a damaged neighbour. */
    ownHeaderOnly?: false;
  }> = [
    {
      name: 'double free',
      error: DoubleFreeError,
      setup: ({ heap }) => {
        const p = heap.malloc(64);
        heap.malloc(64);
        heap.free(p);
        return { pointer: p, address: p };
      },
    },
    {
      name: 'double free after the block merged with its free predecessor',
      error: DoubleFreeError,
      setup: ({ heap }) => {
        const a = heap.malloc(64);
        const b = heap.malloc(64);
        heap.malloc(64);
        heap.free(a);
        heap.free(b);
        return { pointer: b, address: b };
      },
    },
    {
      name: 'pointer never returned (inside free space)',
      error: InvalidPointerError,
      setup: ({ heap }) => {
        const p = heap.malloc(64);
        return { pointer: p + 4096, address: p + 4096 };
      },
    },
    {
      name: 'pointer inside a block',
      error: InteriorPointerError,
      setup: ({ heap }) => {
        const p = heap.malloc(64);
        return { pointer: p + 16, address: p + 16 };
      },
    },
    {
      name: 'misaligned pointer inside a block',
      error: InteriorPointerError,
      setup: ({ heap }) => {
        const p = heap.malloc(64);
        return { pointer: p + 3, address: p + 3 };
      },
    },
    {
      name: 'pointer into a block header',
      error: InvalidPointerError,
      setup: ({ heap }) => {
        heap.malloc(64);
        const p = heap.malloc(64);
        return { pointer: p - 4, address: p - 4 };
      },
    },
    {
      name: 'pointer below the heap',
      error: OutsideHeapError,
      setup: ({ base }) => ({ pointer: base + 16, address: base + 16 }),
    },
    {
      name: 'pointer above the heap',
      error: OutsideHeapError,
      setup: ({ heap }) => ({ pointer: heap.stats().end + 64, address: heap.stats().end + 64 }),
    },
    {
      name: 'corrupted header (buffer underflow into it)',
      error: CorruptedHeaderError,
      setup: ({ heap, region }) => {
        heap.malloc(64);
        const p = heap.malloc(64);
        region.bytes[p - region.base - 8] ^= 0x40; // flip a size bit
        return { pointer: p, address: p - 8 };
      },
    },
    {
      name: "corrupted header of the next block (free reads its neighbour's boundary tag)",
      error: CorruptedHeaderError,
      setup: ({ heap, region }) => {
        const a = heap.malloc(64);
        const b = heap.malloc(64);
        region.bytes[b - region.base - 4] ^= 1; // its check word
        return { pointer: a, address: b - 8 };
      },
      ownHeaderOnly: false,
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const h = fixedHeap();
      const { pointer, address } = c.setup(h);
      const image = h.bytes.slice();
      const attempt = (fn: () => unknown) => {
        try {
          fn();
        } catch (e) {
          return e as Error & { address: number };
        }
        throw new Error('expected a throw');
      };
      const calls = [() => h.heap.free(pointer), () => h.heap.realloc(pointer, 10)];
      if (c.ownHeaderOnly !== false) calls.push(() => h.heap.usableSize(pointer));
      for (const fn of calls) {
        const e = attempt(fn);
        expect(e).toBeInstanceOf(c.error);
        expect(e.address).toBe(address);
        expect(e.message).toContain(address.toString(16));
        expect(Buffer.compare(h.bytes, image)).toBe(0); // nothing was written
      }
      // Still usable: allocate, fill, free.
      const q = h.heap.malloc(128);
      fillPattern(h.region, q, 128, 5);
      expect(verifyPattern(h.region, q, 128, 5)).toBe(-1);
      h.heap.free(q);
    });
  }

  it('free(0) does nothing, as in C', () => {
    const h = fixedHeap();
    const image = h.bytes.slice();
    h.heap.free(0);
    expect(Buffer.compare(h.bytes, image)).toBe(0);
    expect(() => h.heap.usableSize(0)).toThrow(OutsideHeapError);
  });

  it('a use-after-free write over free-list links is caught, not followed', () => {
    const { heap, region, bytes } = fixedHeap();
    const a = heap.malloc(64);
    heap.malloc(64);
    heap.free(a);
    const view = new DataView(bytes.buffer);
    view.setInt32(a - region.base, 0x7fff_fff8, true); // next-free link now points far outside
    const image = bytes.slice();
    const e = (() => {
      try {
        heap.malloc(64);
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(CorruptedHeaderError);
    expect(Buffer.compare(bytes, image)).toBe(0);
    expect(heap.check()).toBeInstanceOf(HeapFormatError);
    // Other size classes keep working.
    heap.free(heap.malloc(3000));
  });

  it('out of memory is a typed error and changes nothing', () => {
    const { heap, bytes } = fixedHeap(16 * 1024);
    const p = heap.malloc(8000);
    const image = bytes.slice();
    const e = (() => {
      try {
        heap.malloc(8000);
      } catch (err) {
        return err as HeapOutOfMemoryError;
      }
    })();
    expect(e).toBeInstanceOf(HeapOutOfMemoryError);
    expect(e?.requested).toBe(8000 + 8);
    expect(Buffer.compare(bytes, image)).toBe(0);
    heap.free(p);
    heap.free(heap.malloc(8000));
  });
});

describe('check()', () => {
  // Each tamper breaks one invariant; check() must name the first inconsistency's address.
  const tampers: Array<{ name: string; at: (h: ReturnType<typeof fixedHeap>, ps: number[]) => number }> = [
    { name: 'used-bytes counter', at: (h) => h.base + 20 },
    { name: 'free-block counter', at: (h) => h.base + 28 },
    { name: 'a free block footer', at: (h, ps) => ps[1] + h.heap.usableSize(ps[0]) - 4 },
    { name: 'a second-level bitmap', at: (h) => h.base + 48 + 4 * 0 },
    { name: 'a back link', at: (_h, ps) => ps[1] + 4 },
  ];
  for (const t of tampers) {
    it(`finds a damaged ${t.name}`, () => {
      const h = fixedHeap();
      const ps = [64, 64, 64, 64].map((n) => h.heap.malloc(n));
      h.heap.free(ps[1]); // a free block of the 64-byte class between live ones
      expect(h.heap.check()).toBeUndefined();
      const addr = t.at(h, ps);
      h.bytes[addr - h.base] ^= 0x08;
      const problem = h.heap.check();
      expect(problem).toBeDefined();
      expect(problem!.message).toMatch(/0x[0-9a-f]{8}/);
    });
  }

  it('names a corrupted header by its address', () => {
    const h = fixedHeap();
    const ps = [64, 64, 64].map((n) => h.heap.malloc(n));
    h.bytes[ps[1] - 8 - h.base] ^= 0x10;
    const problem = h.heap.check();
    expect(problem).toBeInstanceOf(CorruptedHeaderError);
    expect(problem!.address).toBe(ps[1] - 8);
  });
});

describe('snapshot as bytes and reopen', () => {
  it('a byte copy of the region is a complete heap', () => {
    const h = fixedHeap(128 * 1024);
    const live = new Map<number, number>();
    for (let i = 0; i < 200; i++) {
      const p = h.heap.malloc(16 + ((i * 37) % 700));
      fillPattern(h.region, p, 16, i);
      live.set(p, i);
      if (i % 3 === 0) {
        const q = [...live.keys()][(i * 7) % live.size];
        h.heap.free(q);
        live.delete(q);
      }
    }
    const copy = h.bytes.slice();
    const region = new ArrayRegion(copy, h.base);
    const reopened = Heap.open(region, { verify: true });
    expect(reopened.stats()).toEqual(h.heap.stats());
    for (const [p, tag] of live) {
      expect(verifyPattern(region, p, 16, tag)).toBe(-1);
      reopened.free(p);
    }
    expect(reopened.check()).toBeUndefined();
    expect(reopened.stats().usedBlocks).toBe(0);
    expect(h.heap.stats().usedBlocks).toBe(live.size); // the original is a separate heap
  });

  // Only the first 64 KiB are ever touched (initialSize); the capacity alone picks the class count.
  function wideRegion(bytes: Uint8Array): () => HeapRegion {
    const inner = new ArrayRegion(bytes, 0x40000);
    return () => ({
      base: inner.base,
      capacity: 2 ** 30,
      readI32: (o) => inner.readI32(o),
      writeI32: (o, v) => inner.writeI32(o, v),
      readU8: (o) => inner.readU8(o),
      writeU8: (o, v) => inner.writeU8(o, v),
      copy: (d, s, n) => inner.copy(d, s, n),
      fill: (o, n, v) => inner.fill(o, n, v),
    });
  }

  for (const [layout, quickLists, version, control] of [
    ['version 1 (the original layout, no quick lists)', false, 1, 3088],
    ['version 2 (quick lists after the TLSF heads)', true, 2, 3088 + 528],
  ] as const) {
    it(`a region that can reach 1 GiB gets the full 23-class control block, ${layout}, and reopens`, () => {
      const bytes = new Uint8Array(64 * 1024);
      const wide = wideRegion(bytes);
      const heap = Heap.create(wide(), { initialSize: 64 * 1024, quickLists });
      expect(heap.start - 0x40000).toBe(control);
      const words = new ArrayRegion(bytes);
      expect(words.readI32(4)).toBe(version);
      expect(words.readI32(8)).toBe(control); // control block size field
      expect(words.readI32(40)).toBe(5 | (23 << 8)); // SL_LOG2 | first-level classes << 8
      const p = heap.malloc(1000);
      const again = Heap.open(wide(), { verify: true });
      expect(again.usableSize(p)).toBe(heap.usableSize(p));
      // The same image in a small region: classes and version come from the image, not the region.
      const small = Heap.open(new ArrayRegion(bytes.slice(), 0x40000), { verify: true });
      expect(small.start - 0x40000).toBe(control);
      small.free(p);
      expect(small.check()).toBeUndefined();
    });
  }

  it('an image with few classes reopened in a larger growable region never grows past its classes', () => {
    const h = fixedHeap(64 * 1024, 0x200000); // 9 classes: blocks below 64 KiB, end at most 64 KiB
    const p = h.heap.malloc(500);
    const bytes = new Uint8Array(1 << 20);
    bytes.set(h.bytes);
    const backing = new ArrayBacking(bytes, 1 << 20, 4096, h.base);
    const heap = Heap.open(new ArrayRegion(bytes, h.base), { backing, verify: true });
    expect(() => heap.malloc(100_000)).toThrow(HeapOutOfMemoryError);
    expect(heap.end - h.base).toBe(64 * 1024);
    const q = heap.malloc(30_000);
    heap.free(p);
    heap.free(q);
    expect(heap.check()).toBeUndefined();
  });

  it('refuses a region that holds no heap', () => {
    const region = new ArrayRegion(new Uint8Array(64 * 1024));
    expect(() => Heap.open(region)).toThrow(HeapFormatError);
    const h = fixedHeap();
    h.bytes[12] ^= 0x80; // the end field
    expect(() => Heap.open(new ArrayRegion(h.bytes, h.base))).toThrow(HeapFormatError);
  });
});

describe('growth through a backing', () => {
  it('grows on demand, gives whole free pages at the end back, and stays consistent', () => {
    const g = growingHeap();
    const start = g.heap.stats().end;
    const ps: number[] = [];
    for (let i = 0; i < 300; i++) ps.push(g.heap.malloc(1000));
    const grown = g.heap.stats().end;
    expect(grown).toBeGreaterThan(start + 300 * 1000);
    expect(g.backing.grows).toBeGreaterThan(1);
    expect(g.heap.check()).toBeUndefined();
    for (const p of ps.reverse()) g.heap.free(p);
    expect(g.heap.check()).toBeUndefined();
    expect(g.backing.shrinks).toBeGreaterThan(0);
    expect(g.heap.stats().end).toBeLessThanOrEqual(start + 16 * 1024);
    expect(g.heap.stats().end % 4096).toBe(0);
    g.heap.trim();
    expect(g.heap.stats().end).toBeLessThanOrEqual(start);
  });

  it('trims a free block that starts 8 bytes below a page boundary (it vanishes; its links were in freed pages)', () => {
    const g = strictHeap(256 * 1024, true); // faults on any access above what the backing handed out
    const a = g.heap.malloc(8192 - 8 - (g.heap.stats().start - g.base) - 8); // ends 8 bytes below a page
    const b = g.heap.malloc(20_000);
    g.heap.free(b); // frees >= trimThreshold at the end: trims
    expect(g.heap.stats().end).toBe(g.base + 8192);
    expect(g.region.mapped).toBe(8192);
    expect(g.heap.check()).toBeUndefined();
    g.heap.free(a);
    expect(g.heap.check()).toBeUndefined();
  });

  it('a backing that fails to shrink leaves the heap as it was', () => {
    const g = growingHeap();
    const p = g.heap.malloc(100_000);
    g.backing.shrink = () => {
      throw new Error('refused');
    };
    g.heap.free(p); // the automatic trim fails quietly
    const before = g.heap.stats();
    expect(() => g.heap.trim()).toThrow('refused');
    expect(g.heap.stats()).toEqual(before);
    expect(g.heap.check()).toBeUndefined();
  });

  it('runs out at the backing limit with a typed error, and keeps working', () => {
    const g = growingHeap(1 << 20, 256 * 1024);
    const ps: number[] = [];
    expect(() => {
      for (;;) ps.push(g.heap.malloc(4000));
    }).toThrow(HeapOutOfMemoryError);
    expect(g.heap.stats().end - g.base).toBeLessThanOrEqual(256 * 1024);
    expect(ps.length).toBeGreaterThan(55);
    expect(g.heap.check()).toBeUndefined();
    g.heap.free(ps.pop()!);
    ps.push(g.heap.malloc(4000));
  });
});
