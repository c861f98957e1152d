// Operation streams modeled on mimalloc-bench workloads, generated once from a seed so that every
// allocator runs exactly the same sequence. An operation is (slot, size): size >= 0 allocates
// `size` bytes into the slot, size -1 frees the slot's block.

export interface Stream {
  name: string;
  slots: Int32Array;
  sizes: Int32Array;
  slotCount: number;
  /** Most requested bytes live at once. */
  peakLive: number;
}

/** mulberry32: a small, fast, seedable PRNG. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Builder {
  slots: number[] = [];
  sizes: number[] = [];
  live = 0;
  peak = 0;
  private readonly held: number[] = [];
  alloc(slot: number, size: number): void {
    this.slots.push(slot);
    this.sizes.push(size);
    this.held[slot] = size;
    this.live += size;
    if (this.live > this.peak) this.peak = this.live;
  }
  free(slot: number): void {
    this.slots.push(slot);
    this.sizes.push(-1);
    this.live -= this.held[slot];
  }
  done(name: string, slotCount: number): Stream {
    return {
      name,
      slots: Int32Array.from(this.slots),
      sizes: Int32Array.from(this.sizes),
      slotCount,
      peakLive: this.peak,
    };
  }
}

const uniform = (next: () => number, lo: number, hi: number) => () => lo + Math.floor(next() * (hi - lo + 1));

/** Fill `live` slots, then replace a random one `pairs` times (free + malloc). */
export function churn(
  live: number,
  pairs: number,
  seed = 1,
  sizeOf?: () => number,
  name = `churn ${live} live`,
): Stream {
  const next = rng(seed);
  const size = sizeOf ?? uniform(next, 16, 1024);
  const b = new Builder();
  for (let i = 0; i < live; i++) b.alloc(i, size());
  for (let i = 0; i < pairs; i++) {
    const s = Math.floor(next() * live);
    b.free(s);
    b.alloc(s, size());
  }
  return b.done(name, live);
}

/** Allocate a batch, free it newest first, repeat. */
export function lifo(batch: number, rounds: number, seed = 2): Stream {
  const size = uniform(rng(seed), 16, 1024);
  const b = new Builder();
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < batch; i++) b.alloc(i, size());
    for (let i = batch - 1; i >= 0; i--) b.free(i);
  }
  return b.done(`LIFO batches of ${batch}`, batch);
}

/** Pareto-distributed sizes (alpha 1.2, from 16 B, capped at 64 KiB): many small, a heavy tail. */
export function pareto(live: number, pairs: number, seed = 3): Stream {
  const next = rng(seed);
  const size = () => Math.min(65536, Math.floor(16 / (1 - next()) ** (1 / 1.2)));
  return churn(live, pairs, seed, size, `Pareto sizes, ${live} live`);
}

/** Large blocks, 64 KiB – 4 MiB (log-uniform). */
export function large(live: number, pairs: number, seed = 4): Stream {
  const next = rng(seed);
  const size = () => Math.floor(65536 * 64 ** next());
  return churn(live, pairs, seed, size, `large 64K-4M, ${live} live`);
}

/** Short-lived churn with 1 in `every` blocks kept until the end (long-lived survivors). */
export function survivors(total: number, every: number, window: number, seed = 5): Stream {
  const next = rng(seed);
  const size = uniform(next, 16, 1024);
  const b = new Builder();
  const queue: number[] = [];
  let nextSlot = window + 1;
  const freeSlots: number[] = [];
  for (let s = 0; s <= window; s++) freeSlots.push(s);
  for (let i = 0; i < total; i++) {
    if (i % every === 0) {
      b.alloc(nextSlot++, size()); // survivor: its own slot, never freed
      continue;
    }
    const s = freeSlots.pop()!;
    b.alloc(s, size());
    queue.push(s);
    if (queue.length > window) {
      const old = queue.shift()!;
      b.free(old);
      freeSlots.push(old);
    }
  }
  return b.done(`survivors 1/${every} among churn`, nextSlot);
}

/** An allocator as the capacity runs drive it: malloc returns 0 when it cannot serve the request. */
export interface Allocator {
  malloc(size: number): number;
  free(pointer: number): void;
}

export interface FillResult {
  failures: number;
  /** Most requested bytes live at once (shows the run really reached the line). */
  peakLive: number;
  budget: number;
}

/**
 * Churn 16 B - 1 KiB requests with the requested bytes live kept under `share` of the arena: before
 * each request, random live blocks are freed until the request fits under the line; then it is
 * allocated. A failed request is counted and dropped (nothing is freed for it).
 */
export function fillToShare(
  arena: number,
  alloc: Allocator,
  requests: number,
  seed: number,
  share = 0.9,
): FillResult {
  const next = rng(seed);
  const budget = Math.floor(arena * share);
  const ptrs: number[] = [];
  const sizes: number[] = [];
  let live = 0;
  let peakLive = 0;
  let failures = 0;
  for (let i = 0; i < requests; i++) {
    const size = 16 + Math.floor(next() * 1009);
    while (live + size > budget) {
      const k = Math.floor(next() * ptrs.length);
      alloc.free(ptrs[k]);
      live -= sizes[k];
      ptrs[k] = ptrs[ptrs.length - 1];
      sizes[k] = sizes[sizes.length - 1];
      ptrs.pop();
      sizes.pop();
    }
    const p = alloc.malloc(size);
    if (p === 0) {
      failures++;
      continue;
    }
    ptrs.push(p);
    sizes.push(size);
    live += size;
    if (live > peakLive) peakLive = live;
  }
  return { failures, peakLive, budget };
}
