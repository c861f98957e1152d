// Our treap against a plain sorted list of free ranges (first fit by linear scan, splice on
// insert/remove: the textbook range allocator, written here as the reference), same run, same
// requests, on the IA-32 pool (256 Ki pages) fragmented into F live allocations.
// One op = free a random live allocation + allocate 1..16 pages.
import { AddressSpaceAllocator } from '../src/index.js';

const PAGE = 4096;
const POOL = { start: 0x4000_0000, end: 0x8000_0000 };

class ListAllocator {
  /** Sorted, coalesced free ranges as [startPage, length]. */
  private ranges: Array<[number, number]> = [[POOL.start / PAGE, (POOL.end - POOL.start) / PAGE]];
  private live = new Map<number, number>();

  alloc(pages: number): number {
    for (let i = 0; i < this.ranges.length; i++) {
      const r = this.ranges[i];
      if (r[1] < pages) continue;
      const start = r[0];
      if (r[1] === pages) this.ranges.splice(i, 1);
      else this.ranges[i] = [r[0] + pages, r[1] - pages];
      this.live.set(start, pages);
      return start * PAGE;
    }
    throw new Error('list: out of address space');
  }

  free(address: number): void {
    const start = address / PAGE;
    const pages = this.live.get(start);
    if (pages === undefined) throw new Error('list: unknown range');
    this.live.delete(start);
    let lo = 0;
    let hi = this.ranges.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ranges[mid][0] < start) lo = mid + 1;
      else hi = mid;
    }
    let s = start;
    let len = pages;
    const prev = this.ranges[lo - 1];
    const next = this.ranges[lo];
    let from = lo;
    let count = 0;
    if (prev && prev[0] + prev[1] === s) {
      s = prev[0];
      len += prev[1];
      from = lo - 1;
      count++;
    }
    if (next && next[0] === start + pages) {
      len += next[1];
      count++;
    }
    this.ranges.splice(from, count, [s, len]);
  }
}

function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

interface Allocator {
  alloc(pages: number): number;
  free(address: number): void;
}

/** F live allocations with holes between them, then `ops` churn ops; returns ops per CPU second. */
function run(make: () => Allocator, live: number, ops: number, seed: number): number {
  const a = make();
  const random = rng(seed);
  const held: number[] = [];
  for (let i = 0; i < 2 * live; i++) held.push(a.alloc(1 + Math.floor(random() * 16)));
  // Free every other one: ~`live` free ranges between live allocations.
  const kept: number[] = [];
  for (let i = 0; i < held.length; i++) {
    if (i % 2) a.free(held[i]);
    else kept.push(held[i]);
  }
  const sizes = Array.from({ length: 4096 }, () => 1 + Math.floor(random() * 16));
  const picks = Array.from({ length: 4096 }, () => Math.floor(random() * kept.length));
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const t0 = cpu();
  for (let i = 0; i < ops; i++) {
    const j = picks[i & 4095];
    a.free(kept[j]);
    kept[j] = a.alloc(sizes[i & 4095]);
  }
  return (ops / (cpu() - t0)) * 1000;
}

const rows = [];
for (const live of [100, 1000, 10000]) {
  const ops = live >= 10000 ? 20000 : 100000;
  let ours = 0;
  let list = 0;
  for (let round = 0; round < 3; round++) {
    ours = Math.max(
      ours,
      run(() => new AddressSpaceAllocator(POOL), live, ops, 7 + round),
    );
    list = Math.max(
      list,
      run(() => new ListAllocator(), live, ops, 7 + round),
    );
  }
  rows.push({
    'live allocations (≈ free ranges)': live,
    'treap ops/s': `${(ours / 1e6).toFixed(2)} M`,
    'sorted list ops/s': `${(list / 1e6).toFixed(2)} M`,
    'treap / list': `${(ours / list).toFixed(2)}x`,
  });
}
console.log(
  'aspace: IA-32 pool, one op = free a random allocation + allocate 1-16 pages; ops per CPU second, best of 3',
);
console.table(rows);
