// Random operation sequences (fast-check prints the seed and the shrunk sequence on failure).
// After every step: check() finds nothing, no two live blocks overlap, and every live block still
// holds the pattern written into it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArrayRegion, Heap, HeapOutOfMemoryError } from '../src/index.js';
import { fillPattern, fixedHeap, strictHeap, verifyPattern } from './helpers.js';

type Op =
  | { t: 'malloc'; size: number; align: number }
  | { t: 'calloc'; size: number }
  | { t: 'free'; i: number }
  | { t: 'realloc'; i: number; size: number }
  | { t: 'reopen' };

const size = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 64 }) },
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 1100 }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 9000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 60_000, max: 140_000 }) }, // the large-request path
);
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant('malloc' as const),
      size,
      align: fc.constantFrom(8, 8, 16, 64, 512, 4096),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('calloc' as const), size }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('free' as const), i: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('realloc' as const), i: fc.nat(), size }) },
  { weight: 1, arbitrary: fc.constant({ t: 'reopen' as const }) },
);

interface Live {
  p: number;
  length: number;
  tag: number;
}

function run(ops: Op[], make: () => { heap: Heap; region: ArrayRegion; bytes: Uint8Array }): void {
  let { heap, region } = make();
  const base = region.base;
  const live: Live[] = [];
  let tag = 0;
  const oom = (fn: () => void) => {
    try {
      fn();
    } catch (e) {
      if (!(e instanceof HeapOutOfMemoryError)) throw e;
    }
  };
  for (const o of ops) {
    switch (o.t) {
      case 'malloc':
        oom(() => {
          const p = heap.malloc(o.size, o.align);
          expect(p % o.align).toBe(0);
          live.push({ p, length: o.size, tag: ++tag });
          fillPattern(region, p, o.size, tag);
        });
        break;
      case 'calloc':
        oom(() => {
          const p = heap.calloc(1, o.size);
          expect(region.bytes.subarray(p - base, p - base + o.size).every((b) => b === 0)).toBe(true);
          live.push({ p, length: o.size, tag: ++tag });
          fillPattern(region, p, o.size, tag);
        });
        break;
      case 'free':
        if (live.length > 0) heap.free(live.splice(o.i % live.length, 1)[0].p);
        break;
      case 'realloc':
        if (live.length > 0) {
          const b = live[o.i % live.length];
          oom(() => {
            const q = heap.realloc(b.p, o.size);
            expect(verifyPattern(region, q, Math.min(b.length, o.size), b.tag)).toBe(-1);
            b.p = q;
            b.length = o.size;
            b.tag = ++tag;
            fillPattern(region, q, o.size, b.tag);
          });
        }
        break;
      case 'reopen': {
        // Continue on a byte copy of the region: the image alone must be the whole heap.
        region = new ArrayRegion(region.bytes.slice(), base);
        heap = Heap.open(region);
        break;
      }
    }
    const problem = heap.check();
    if (problem) throw problem;
    const sorted = [...live].sort((a, b) => a.p - b.p);
    for (let k = 0; k < sorted.length; k++) {
      const b = sorted[k];
      expect(heap.usableSize(b.p)).toBeGreaterThanOrEqual(b.length);
      if (k > 0) expect(sorted[k - 1].p + heap.usableSize(sorted[k - 1].p)).toBeLessThanOrEqual(b.p - 8);
      expect(verifyPattern(region, b.p, b.length, b.tag)).toBe(-1);
    }
    const s = heap.stats();
    expect(s.usedBlocks).toBe(live.length);
  }
}

describe('random operation sequences', () => {
  // Regions below 1 MiB default to the version 1 layout; each case runs with and without quick lists.
  for (const quickLists of [false, true]) {
    const layout = quickLists ? 'quick lists' : 'no quick lists';
    it(`fixed 32 KiB heap, ${layout}: consistent, disjoint, contents intact (out-of-memory included)`, () => {
      fc.assert(
        fc.property(fc.array(op, { maxLength: 200 }), (ops) =>
          run(ops, () => fixedHeap(32 * 1024, 0x4000_0000, { quickLists, parkAbove: 0 })),
        ),
        { numRuns: 300 },
      );
    });

    it(`growing heap (grows and trims through a backing), ${layout}: the same properties`, () => {
      fc.assert(
        fc.property(fc.array(op, { maxLength: 200 }), (ops) =>
          // The region faults outside what the backing handed out. Reopened copies have no backing:
          // growth is exercised before the first reopen.
          run(ops, () => strictHeap(512 * 1024, true, 0x8000_1000, { quickLists, parkAbove: 0 })),
        ),
        { numRuns: 300 },
      );
    });
  }
});
