// Random operation sequences against a model: the list of ranges we hold.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AddressSpaceAllocator, AspaceError, IoMapper } from '../src/index.js';
import { FakeEditor } from './fake-editor.js';

const PAGE = 4096;
const POOL = { start: 0x4000_0000, end: 0x4000_0000 + 512 * PAGE }; // small, so it fills up

type Op =
  | { kind: 'alloc'; pages: number; alignLog: number }
  | { kind: 'free'; pick: number }
  | { kind: 'reserve'; page: number; pages: number }
  | { kind: 'bad'; pick: number; how: number }
  | { kind: 'io'; physPage: number; offset: number; size: number }
  | { kind: 'unmap'; pick: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('alloc' as const),
      pages: fc.integer({ min: 1, max: 40 }),
      alignLog: fc.integer({ min: 0, max: 18 }),
    }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('free' as const), pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('reserve' as const),
      page: fc.integer({ min: -4, max: 520 }),
      pages: fc.integer({ min: 1, max: 8 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('bad' as const), pick: fc.nat(), how: fc.nat(3) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('io' as const),
      physPage: fc.integer({ min: 0, max: 0xfffff - 20 }),
      offset: fc.nat(4095),
      size: fc.integer({ min: 1, max: 5 * PAGE }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('unmap' as const), pick: fc.nat() }) },
);

describe('aspace properties', () => {
  it('no overlap; free + allocated + reserved = pool; freeing everything leaves one range', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 150 }), (ops) => {
        const space = new AddressSpaceAllocator(POOL);
        const editor = new FakeEditor();
        const io = new IoMapper(space, editor);
        const held: Array<{ start: number; pages: number }> = [];
        const mapped: number[] = [];
        for (const op of ops) {
          const before = { stats: space.stats(), free: space.freeRanges(), pages: editor.pages.size };
          try {
            if (op.kind === 'alloc') {
              const align = 2 ** op.alignLog;
              const a = space.alloc(op.pages, { align });
              expect(a % Math.max(align, PAGE)).toBe(0);
              expect(a).toBeGreaterThanOrEqual(POOL.start);
              expect(a + op.pages * PAGE).toBeLessThanOrEqual(POOL.end);
              for (const h of held) {
                const overlap = a < h.start + h.pages * PAGE && h.start < a + op.pages * PAGE;
                expect(overlap, `0x${a.toString(16)} overlaps 0x${h.start.toString(16)}`).toBe(false);
              }
              held.push({ start: a, pages: op.pages });
            } else if (op.kind === 'free' && held.length > 0) {
              const [h] = held.splice(op.pick % held.length, 1);
              space.free(h.start);
            } else if (op.kind === 'reserve') {
              space.reserve(POOL.start + op.page * PAGE, op.pages);
            } else if (op.kind === 'bad') {
              const t = held.length > 0 ? held[op.pick % held.length].start : POOL.start;
              const bad = [
                () => space.free(t + 1),
                () => space.free(POOL.end + PAGE),
                () => space.reserve(t, 1),
                () => space.alloc(1, { align: 3 }),
              ][op.how];
              if (held.length > 0 || op.how !== 2) {
                expect(bad).toThrow(AspaceError);
                expect(space.freeRanges()).toEqual(before.free);
                expect(space.stats()).toEqual(before.stats);
              }
            } else if (op.kind === 'io') {
              const phys = op.physPage * PAGE + op.offset;
              const v = io.mapIo(phys, op.size);
              expect(v % PAGE).toBe(op.offset);
              const pages = Math.ceil((op.offset + op.size) / PAGE);
              for (let i = 0; i < pages; i++) {
                const m = editor.lookup(v - op.offset + i * PAGE);
                expect(m?.physical).toBe(op.physPage * PAGE + i * PAGE);
                expect(m?.attributes.uncached).toBe(true);
              }
              mapped.push(v);
            } else if (op.kind === 'unmap' && mapped.length > 0) {
              const [v] = mapped.splice(op.pick % mapped.length, 1);
              io.unmapIo(v);
            }
          } catch (e) {
            if (!(e instanceof AspaceError)) throw e;
            expect(space.freeRanges()).toEqual(before.free);
            expect(space.stats()).toEqual(before.stats);
            expect(editor.pages.size).toBe(before.pages);
          }
          const s = space.stats();
          expect(s.freePages + s.allocatedPages + s.reservedPages).toBe(s.poolPages);
          expect(space.check()).toBeUndefined();
        }
        // Give everything back: one free range per gap between reservations, and with no
        // reservations exactly one range, the whole pool.
        for (const v of mapped) io.unmapIo(v);
        for (const h of held) space.free(h.start);
        expect(editor.pages.size).toBe(0);
        const s = space.stats();
        expect(s.allocatedPages).toBe(0);
        if (s.reservedPages === 0) {
          expect(space.freeRanges()).toEqual([{ address: POOL.start, pages: 512 }]);
        }
        expect(space.check()).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });
});
