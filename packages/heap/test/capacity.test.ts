// "No failed allocation while live bytes stay under 90 % of the arena": deterministic churn (seeded)
// that keeps the requested bytes live at up to 90 % of the whole region, control block included.
import { describe, expect, it } from 'vitest';
import { rng } from '../bench/workloads.js';
import { fixedHeap } from './helpers.js';

function fillTo90(arena: number, steps: number, seed: number, sizeOf: (next: () => number) => number) {
  const { heap } = fixedHeap(arena, 0x100000);
  const next = rng(seed);
  const budget = Math.floor(arena * 0.9);
  const ptrs: number[] = [];
  const sizes: number[] = [];
  let live = 0;
  let peak = 0;
  let failures = 0;
  for (let i = 0; i < steps; i++) {
    const size = sizeOf(next);
    // Allocate whenever the request keeps live bytes under 90 %; otherwise free a random block.
    while (live + size > budget) {
      const k = Math.floor(next() * ptrs.length);
      heap.free(ptrs[k]);
      live -= sizes[k];
      ptrs[k] = ptrs[ptrs.length - 1];
      sizes[k] = sizes[sizes.length - 1];
      ptrs.pop();
      sizes.pop();
    }
    try {
      ptrs.push(heap.malloc(size));
      sizes.push(size);
      live += size;
      peak = Math.max(peak, live);
    } catch {
      failures++;
    }
  }
  expect(heap.check()).toBeUndefined();
  return { failures, peak, budget, control: heap.start - 0x100000 };
}

// The churn size range of the benchmarks (16 B - 1 KiB). Below 1 MiB the control block and the 8-byte
// headers leave too little slack for any non-moving allocator; with many tiny requests (e.g. Pareto
// sizes) the per-block overhead alone exceeds 10 %. See README "Limits".
describe('allocation never fails below 90 % of the arena (16 B - 1 KiB churn)', () => {
  const uniform = (n: () => number) => 16 + Math.floor(n() * 1009);
  for (const arena of [1 << 20, 4 << 20, 16 << 20]) {
    for (const seed of [1, 2, 3]) {
      it(`${arena >> 20} MiB arena, seed ${seed}`, () => {
        const { failures, peak, budget } = fillTo90(arena, 80_000, seed, uniform);
        expect(peak).toBeGreaterThan(budget * 0.99); // the run really reached the 90 % line
        expect(failures).toBe(0);
      });
    }
  }
});

// 256 KiB: not zero. At every failure no free block is large enough (the free space, ~19 KiB, is split
// into ~120 holes, the largest ~830 bytes): exact best fit over the same block layout fails as often,
// and still fails 1,200-1,900 times per 60,000 requests with no control block at all. The region-sized
// control block (1,552 bytes here instead of 3,088) took the failures from 10,790-12,080 to 3,688-4,056
// per 80,000 requests (seeds 1-3); this pins that, so a regression in placement or overhead shows up.
describe('256 KiB arena: failures stay below 4,500 of 80,000 requests (16 B - 1 KiB churn to 90 %)', () => {
  const uniform = (n: () => number) => 16 + Math.floor(n() * 1009);
  for (const seed of [1, 2, 3]) {
    it(`256 KiB arena, seed ${seed}`, () => {
      const { failures, peak, budget, control } = fillTo90(256 << 10, 80_000, seed, uniform);
      expect(control).toBe(1552);
      expect(peak).toBeGreaterThan(budget * 0.99);
      expect(failures).toBeLessThan(4500);
    });
  }
});
