// "No failed allocation while live bytes stay under 90 % of the arena", measured with deterministic
// churn (bench/workloads.ts fillToShare) that keeps the requested bytes live at up to 90 % of the whole
// region, control block included, and against an exact best-fit yardstick (bench/best-fit-model.ts).
import { describe, expect, it } from 'vitest';
import { BestFitModel } from '../bench/best-fit-model.js';
import { heapAllocator } from '../bench/heap-allocator.js';
import { fillToShare } from '../bench/workloads.js';
import { fixedHeap } from './helpers.js';

const REQUESTS = 80_000;
const BASE = 0x100000;

function heapRun(arena: number, seed: number) {
  const { heap } = fixedHeap(arena, BASE);
  const result = fillToShare(arena, heapAllocator(heap), REQUESTS, seed);
  expect(heap.check()).toBeUndefined();
  return { ...result, control: heap.start - BASE };
}

/** Exact best fit paying what the heap pays: its control block, the end sentinel, 8-byte headers. */
function bestFitRun(arena: number, seed: number, control: number) {
  const model = new BestFitModel(arena, { header: 8, minBlock: 24, reserved: control + 8 });
  return fillToShare(arena, model, REQUESTS, seed).failures;
}

describe('allocation never fails below 90 % of the arena (16 B - 1 KiB churn)', () => {
  for (const arena of [768 << 10, 1 << 20, 4 << 20, 16 << 20]) {
    for (const seed of [1, 2, 3]) {
      it(`${arena >> 10} KiB arena, seed ${seed}`, () => {
        const { failures, peakLive, budget } = heapRun(arena, seed);
        expect(peakLive).toBeGreaterThan(budget * 0.99); // the run really reached the 90 % line
        expect(failures).toBe(0);
      });
    }
  }
});

// Below 768 KiB the free tenth of the arena is split into too few holes: at every failure no free
// block is large enough. Exact best fit with the same overheads fails about as often, so what is left
// is the price of the 8-byte header (the check word that makes bad pointers a typed error), not the
// TLSF placement. Single seeds swing by +-40 % at these counts, so the comparison is over four seeds
// (measured over 12 seeds: heap 45,697 vs best fit 46,557 failures at 256 KiB, 4,919 vs 4,942 at 384 KiB).
describe('small arenas: failures no worse than exact best fit with the same overheads', () => {
  for (const arena of [256 << 10, 384 << 10]) {
    it(`${arena >> 10} KiB arena, seeds 1-4`, () => {
      let heapFailures = 0;
      let yardstick = 0;
      for (const seed of [1, 2, 3, 4]) {
        const { failures, peakLive, budget, control } = heapRun(arena, seed);
        expect(peakLive).toBeGreaterThan(budget * 0.99);
        heapFailures += failures;
        yardstick += bestFitRun(arena, seed, control);
      }
      expect(yardstick).toBeGreaterThan(0); // the line really is out of reach at this size
      expect(heapFailures).toBeLessThanOrEqual(yardstick * 1.1);
    });
  }
});

// The README's claim that no non-moving allocator gets to zero at 256 KiB: exact best fit with no
// header, no control block and no minimum beyond 8 bytes still fails.
describe('256 KiB is out of reach even without any overhead', () => {
  it('zero-overhead exact best fit fails on every seed', () => {
    for (const seed of [1, 2, 3]) {
      const { failures, peakLive, budget } = fillToShare(
        256 << 10,
        new BestFitModel(256 << 10),
        REQUESTS,
        seed,
      );
      expect(peakLive).toBeGreaterThan(budget * 0.99);
      expect(failures).toBeGreaterThan(0);
    }
  });
});
