// Random operation sequences against a model: the set of frames we hold.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PhysAllocator, PhysAllocError, PhysArena } from '../src/index.js';

const PAGE = 4096;
const MiB = 0x100000;

type Op =
  | { kind: 'alloc'; low: boolean }
  | { kind: 'run'; low: boolean; n: number; alignLog: number; belowMiB: number | undefined }
  | { kind: 'free'; pick: number; part: number }
  | { kind: 'bad'; pick: number; how: number }
  | { kind: 'reserve'; frame: number; n: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('alloc' as const), low: fc.boolean() }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('run' as const),
      low: fc.boolean(),
      n: fc.integer({ min: 1, max: 100 }),
      alignLog: fc.integer({ min: 12, max: 19 }),
      belowMiB: fc.option(fc.integer({ min: 1, max: 12 }), { nil: undefined }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('free' as const), pick: fc.nat(), part: fc.nat() }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('bad' as const), pick: fc.nat(), how: fc.nat(5) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('reserve' as const),
      frame: fc.integer({ min: 0, max: 3 * 256 }),
      n: fc.integer({ min: 1, max: 8 }),
    }),
  },
);

interface Held {
  base: number;
  n: number;
}

function makeMachine(holeAt: number): PhysAllocator {
  // 4 MiB of RAM with a reserved hole somewhere in main memory, and a kernel image.
  return new PhysAllocator(
    [
      { base: 0, length: 0x9fc00, type: 'usable' },
      { base: MiB, length: 3 * MiB, type: 'usable' },
      { base: MiB + holeAt * PAGE, length: 5 * PAGE, type: 'reserved' },
    ],
    { kernelImage: { start: MiB, end: MiB + 40 * PAGE } },
  );
}

describe('physalloc properties', () => {
  it('never hands a frame out twice; allocated + free = total; arenas stay apart; runs are real', () => {
    fc.assert(
      fc.property(fc.integer({ min: 64, max: 700 }), fc.array(opArb, { maxLength: 120 }), (holeAt, ops) => {
        const phys = makeMachine(holeAt);
        const held: Held[] = [];
        const owned = new Set<number>();
        const take = (base: number, n: number, low: boolean) => {
          for (let i = 0; i < n; i++) {
            const f = base + i * PAGE;
            expect(owned.has(f), `frame 0x${f.toString(16)} handed out twice`).toBe(false);
            owned.add(f);
            // The main arena never hands out low memory, the low arena nothing above 1 MiB.
            if (low) expect(f).toBeLessThan(MiB);
            else expect(f).toBeGreaterThanOrEqual(MiB);
          }
          held.push({ base, n });
        };
        for (const op of ops) {
          const before = phys.stats();
          try {
            if (op.kind === 'alloc') {
              take(op.low ? phys.low.alloc() : phys.alloc(), 1, op.low);
            } else if (op.kind === 'run') {
              const align = 2 ** op.alignLog;
              const below = op.belowMiB === undefined ? undefined : op.belowMiB * MiB;
              const arena = op.low ? phys.low : phys.main;
              const base = arena.allocContiguous(op.n, { align, below });
              expect(base % align).toBe(0);
              if (below !== undefined) expect(base + op.n * PAGE).toBeLessThanOrEqual(below);
              // Really contiguous: every frame of [base, base + n) is now taken.
              for (let k = 0; k < op.n; k++) expect(arena.isFree(base + k * PAGE)).toBe(false);
              take(base, op.n, op.low);
            } else if (op.kind === 'free' && held.length > 0) {
              const i = op.pick % held.length;
              const h = held[i];
              // Free the whole run, or split it: a prefix now, the rest stays held.
              const n = 1 + (op.part % h.n);
              phys.free(h.base, n);
              for (let k = 0; k < n; k++) owned.delete(h.base + k * PAGE);
              if (n === h.n) held.splice(i, 1);
              else held[i] = { base: h.base + n * PAGE, n: h.n - n };
            } else if (op.kind === 'bad') {
              const target = held.length > 0 ? held[op.pick % held.length].base : MiB;
              const bad = [
                () => phys.free(target + 1),
                () => phys.free(MiB), // kernel image
                () => phys.free(64 * MiB),
                () => phys.reserve(target, 1),
                () => phys.free(MiB + holeAt * PAGE),
                () => {
                  phys.free(target, held[op.pick % held.length]?.n ?? 1);
                  // Undo through the model, then free again: a double free.
                  const i = op.pick % held.length;
                  for (let k = 0; k < held[i].n; k++) owned.delete(held[i].base + k * PAGE);
                  held.splice(i, 1);
                  const after = phys.stats();
                  expect(() => phys.free(target)).toThrow(PhysAllocError);
                  expect(phys.stats()).toEqual(after);
                },
              ][op.how];
              if (op.how === 5 && held.length === 0) continue;
              if (op.how === 5) bad();
              else {
                expect(bad).toThrow(PhysAllocError);
                expect(phys.stats()).toEqual(before);
              }
            } else if (op.kind === 'reserve') {
              const addr = op.frame * PAGE;
              const clash = Array.from({ length: op.n }, (_, k) => addr + k * PAGE).some((f) => owned.has(f));
              phys.reserve(addr, op.n);
              expect(clash).toBe(false);
            }
          } catch (e) {
            // Only typed errors are allowed, and they change nothing.
            if (!(e instanceof PhysAllocError)) throw e;
            expect(phys.stats()).toEqual(before);
          }
          const s = phys.stats();
          expect(s.main.allocated + s.main.free).toBe(s.main.total);
          expect(s.low.allocated + s.low.free).toBe(s.low.total);
          expect(s.main.allocated + s.low.allocated).toBe(owned.size);
          expect(phys.check()).toBeUndefined();
        }
      }),
      { numRuns: 150 },
    );
  });

  it('finds the lowest suitable run exactly when one exists (against a brute-force search)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }).map((k) => k * 64),
        fc
          .tuple(fc.integer({ min: 0, max: 60 }), fc.array(fc.nat(99), { minLength: 1280, maxLength: 1280 }))
          .map(([percent, dice]) => dice.map((d) => d < percent)),
        fc.integer({ min: 1, max: 130 }),
        fc.integer({ min: 0, max: 8 }),
        fc.option(fc.integer({ min: 1, max: 1400 }), { nil: undefined }),
        (base, usedBits, n, alignLog, belowFrame) => {
          const count = usedBits.length;
          const arena = new PhysArena('t', base, count, [[base, base + count]]);
          const addrs = Array.from({ length: count }, () => arena.alloc());
          addrs.forEach((a, i) => {
            if (!usedBits[i]) arena.free(a);
          });
          const alignPages = 2 ** alignLog;
          const limit = belowFrame === undefined ? base + count : Math.min(base + count, belowFrame);
          let expected = -1;
          for (let f = base; f + n <= limit; f++) {
            if (f % alignPages !== 0) continue;
            let ok = true;
            for (let k = 0; k < n && ok; k++) ok = !usedBits[f - base + k];
            if (ok) {
              expected = f;
              break;
            }
          }
          const options = {
            align: alignPages * PAGE,
            below: belowFrame === undefined ? undefined : belowFrame * PAGE,
          };
          if (expected < 0) {
            expect(() => arena.allocContiguous(n, options)).toThrow(PhysAllocError);
          } else {
            expect(arena.allocContiguous(n, options)).toBe(expected * PAGE);
          }
          expect(arena.check()).toBeUndefined();
        },
      ),
      { numRuns: 300 },
    );
  });
});
