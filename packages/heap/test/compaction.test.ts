// Relocatable heaps: compact() slides live blocks down and reports each move; an allocation that
// finds no room compacts and tries again, so it fails only when the free bytes together are too few.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HandleHeap } from '../bench/heap-allocator.js';
import { fillToShare } from '../bench/workloads.js';
import {
  ArrayRegion,
  CorruptedHeaderError,
  Heap,
  HeapArgumentError,
  HeapOutOfMemoryError,
} from '../src/index.js';
import { fillPattern, fixedHeap, verifyPattern } from './helpers.js';

const BASE = 0x100000;

describe('compaction', () => {
  it('slides live blocks down in address order, keeps their bytes, and reports every move', () => {
    const { heap, region } = fixedHeap(64 * 1024, BASE, { relocatable: true });
    const ps = Array.from({ length: 40 }, (_, i) => heap.malloc(20 + i * 13));
    for (const [i, p] of ps.entries()) fillPattern(region, p, 20 + i * 13, i);
    const kept = ps.filter((_, i) => i % 3 === 1);
    for (const [i, p] of ps.entries()) if (i % 3 !== 1) heap.free(p);
    const used = heap.stats().usedBytes;
    const moves: Array<[number, number, number]> = [];
    const free = heap.compact((from, to, bytes) => moves.push([from, to, bytes]));
    expect(heap.check()).toBeUndefined();
    const where = new Map(moves.map(([from, to]) => [from, to]));
    let expected = heap.start + 8;
    for (const p of kept) {
      const now = where.get(p) ?? p;
      expect(now).toBe(expected); // packed from the start, in the old order
      const i = ps.indexOf(p);
      expect(verifyPattern(region, now, 20 + i * 13, i)).toBe(-1);
      expected += heap.usableSize(now) + 8;
    }
    expect(moves.every(([from, to, bytes]) => to < from && bytes === heap.usableSize(to))).toBe(true);
    expect(heap.stats()).toMatchObject({ usedBytes: used, freeBlocks: 1, freeBytes: free });
  });

  it('is refused on a heap that was not created relocatable, and relocatable heaps refuse alignment', () => {
    const plain = fixedHeap(64 * 1024).heap;
    expect(() => plain.compact(() => {})).toThrow(HeapArgumentError);
    const { heap } = fixedHeap(64 * 1024, BASE, { relocatable: true });
    expect(() => heap.malloc(100, 16)).toThrow(HeapArgumentError);
    expect(heap.malloc(100, 8) % 8).toBe(0);
  });

  it('a damaged image is a typed error and nothing moves', () => {
    const { heap, bytes, region } = fixedHeap(64 * 1024, BASE, { relocatable: true });
    const a = heap.malloc(100);
    const b = heap.malloc(100);
    heap.malloc(100);
    heap.free(a);
    region.writeI32(b - BASE - 8, 12345); // b's size word
    const image = bytes.slice();
    expect(() => heap.compact(() => {})).toThrow(CorruptedHeaderError);
    expect(bytes).toEqual(image);
  });

  it('a move handler that throws: the heap is consistent, every move is reported, the first error is thrown', () => {
    const { heap } = fixedHeap(64 * 1024, BASE, { relocatable: true });
    const ps = Array.from({ length: 10 }, () => heap.malloc(64));
    for (const p of ps.filter((_, i) => i % 2 === 0)) heap.free(p);
    let calls = 0;
    expect(() =>
      heap.compact(() => {
        calls++;
        throw new Error(`move ${calls}`);
      }),
    ).toThrow('move 1');
    expect(calls).toBe(5);
    expect(heap.check()).toBeUndefined();
  });

  it('survives a byte copy: the reopened image is still relocatable', () => {
    const { heap, bytes } = fixedHeap(64 * 1024, BASE, { relocatable: true });
    const a = heap.malloc(100);
    heap.malloc(100);
    heap.free(a);
    const again = Heap.open(new ArrayRegion(bytes.slice(), BASE), { verify: true });
    expect(() => again.malloc(10, 64)).toThrow(HeapArgumentError);
    expect(again.compact(() => {})).toBe(again.stats().freeBytes);
    expect(again.check()).toBeUndefined();
  });

  it('an allocation that finds no room compacts with onMove and succeeds; realloc follows its own block', () => {
    const moved = new Map<number, number>();
    const { heap, region } = fixedHeap(16 * 1024, BASE, {
      relocatable: true,
      onMove: (from, to) => moved.set(from, to),
    });
    const ps: number[] = [];
    for (;;) {
      try {
        ps.push(heap.malloc(200));
      } catch (e) {
        expect(e).toBeInstanceOf(HeapOutOfMemoryError);
        break;
      }
    }
    for (let i = 0; i < ps.length; i += 2) heap.free(ps[i]); // half free, in 208-byte holes
    const last = ps[ps.length - 1 - (ps.length % 2)]; // the last block still live (odd index)
    fillPattern(region, last, 200, 7);
    const grown = heap.realloc(last, 1500); // no hole fits: compaction, then a move
    expect(moved.has(last)).toBe(true); // compaction moved the block realloc was copying from
    expect(verifyPattern(region, grown, 200, 7)).toBe(-1);
    expect(heap.malloc(1500)).toBeGreaterThan(0);
    expect(heap.check()).toBeUndefined();
  });

  it('random operations with compactions: consistent, contents intact, owners follow every move', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: 0, max: 1200 }), fc.constant(-1), fc.constant(-2)), {
          maxLength: 300,
        }),
        fc.boolean(),
        (ops, quickLists) => {
          const live = new Map<number, { length: number; tag: number }>();
          const { heap, region } = fixedHeap(16 * 1024, BASE, {
            relocatable: true,
            quickLists,
            parkAbove: 0,
            onMove: (from, to) => {
              const b = live.get(from)!;
              live.delete(from);
              live.set(to, b);
            },
          });
          let tag = 0;
          for (const op of ops) {
            if (op === -1 && live.size > 0) {
              const [p] = [...live.keys()];
              live.delete(p);
              heap.free(p);
            } else if (op === -2) {
              const moves: number[] = [];
              heap.compact((from, to) => moves.push(from, to));
              for (let i = 0; i < moves.length; i += 2) {
                const b = live.get(moves[i])!;
                live.delete(moves[i]);
                live.set(moves[i + 1], b);
              }
            } else if (op >= 0) {
              try {
                const p = heap.malloc(op);
                live.set(p, { length: op, tag: ++tag });
                fillPattern(region, p, op, tag);
              } catch (e) {
                if (!(e instanceof HeapOutOfMemoryError)) throw e;
              }
            }
            const problem = heap.check();
            if (problem) throw problem;
            for (const [p, b] of live) expect(verifyPattern(region, p, b.length, b.tag)).toBe(-1);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

// The 90 % line for an owner that can follow moved blocks: at every arena size, including those
// where no placement policy reaches zero (test/capacity.test.ts).
describe('with compaction, allocation never fails below 90 % of the arena (16 B - 1 KiB churn)', () => {
  for (const arena of [128 << 10, 256 << 10, 512 << 10]) {
    it(`${arena >> 10} KiB arena, seeds 1-3`, () => {
      for (const seed of [1, 2, 3]) {
        const owner = new HandleHeap(new ArrayRegion(new Uint8Array(arena), BASE));
        const { failures, peakLive, budget } = fillToShare(arena, owner, 20_000, seed);
        expect(peakLive).toBeGreaterThan(budget * 0.99);
        expect(failures).toBe(0);
        expect(owner.heap.check()).toBeUndefined();
      }
    });
  }
});
