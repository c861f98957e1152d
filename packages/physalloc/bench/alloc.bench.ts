// Our arena against the model of Phantom's allocator (phantom-reference.ts), same run, same
// 1 Mi pages (4 GiB), same occupancy patterns, same random choices.
//
// single:  occupancy p made by random pre-allocation of single pages (a random p·N subset is
//          used). One op = free a random used page + allocate a page (occupancy stays p).
//          Victims come from walking a shuffled list of the used pages.
// bursts:  the same occupancy; free 256 random used pages, then allocate 256.
// run64:   the free (1-p)·N pages are half whole 64-page aligned free blocks at random places,
//          half single free pages scattered through the other blocks. One op = allocate a
//          64-page run aligned to 64 pages + free the oldest of 8 outstanding runs.
// Timing: CPU time of this process (the machine is shared), every case warmed up before any is
// timed, then per case 5 alternating rounds of ours and the reference, best round each.
import { PhysArena } from '../src/index.js';
import { PhantomReferenceAllocator } from './phantom-reference.js';

const PAGES = 2 ** 20;
const PAGE = 4096;
const OCCUPANCIES = [0.01, 0.5, 0.99];
const seed = Number(process.env.BENCH_SEED ?? 0x5eed1234) >>> 0;

function rng(s: number): () => number {
  let x = s || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/** used[i] = 1 for used pages. */
function singlePattern(p: number, random: () => number): Uint8Array {
  const used = new Uint8Array(PAGES);
  const order = shuffled(PAGES, random);
  const count = Math.round(p * PAGES);
  for (let i = 0; i < count; i++) used[order[i]] = 1;
  return used;
}

function runPattern(p: number, random: () => number): Uint8Array {
  const used = new Uint8Array(PAGES).fill(1);
  const freePages = Math.round((1 - p) * PAGES);
  const blocks = shuffled(PAGES / 64, random);
  const freeBlocks = Math.floor(freePages / 2 / 64);
  for (let b = 0; b < freeBlocks; b++) used.fill(0, blocks[b] * 64, blocks[b] * 64 + 64);
  // Scatter the rest as single pages through the blocks that stay partly used.
  const rest: number[] = [];
  for (let b = freeBlocks; b < blocks.length; b++) for (let i = 0; i < 64; i++) rest.push(blocks[b] * 64 + i);
  const order = shuffled(rest.length, random);
  for (let i = 0; i < freePages - freeBlocks * 64; i++) used[rest[order[i]]] = 0;
  return used;
}

function shuffled(n: number, random: () => number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a;
}

function build(used: Uint8Array): { ours: PhysArena; ref: PhantomReferenceAllocator; usedList: Int32Array } {
  const ours = new PhysArena('main', 0, PAGES, [[0, PAGES]]);
  const ref = new PhantomReferenceAllocator(PAGES);
  for (let i = 0; i < PAGES; i++) ours.alloc();
  ref.map.fill(-1);
  ref.usedPages = PAGES;
  let count = 0;
  for (let i = 0; i < PAGES; i++) if (used[i]) count++;
  const usedList = new Int32Array(count);
  let k = 0;
  for (let i = 0; i < PAGES; i++) {
    if (used[i]) usedList[k++] = i;
    else {
      ours.free(i * PAGE);
      ref.freePage(i);
    }
  }
  return { ours, ref, usedList };
}

/** Process CPU time in ms: other jobs on the shared machine then cost us no time while we wait. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Ops per CPU-second of `batch(n)` over at least `ms` milliseconds of CPU time. */
function rate(batch: (n: number) => void, ms: number): number {
  let ops = 0;
  let n = 5000;
  const t0 = cpuMs();
  let elapsed = 0;
  while (elapsed < ms) {
    batch(n);
    ops += n;
    elapsed = cpuMs() - t0;
    if (elapsed < ms / 10) n *= 2;
  }
  return (ops / elapsed) * 1000;
}

/**
 * The machine is shared, so load comes and goes: ours and the reference run in alternating
 * rounds and each keeps its best round, so neither is measured only in a busy moment.
 */
function compare(ours: (n: number) => void, reference: (n: number) => void, rounds = 5): [number, number] {
  let a = 0;
  let b = 0;
  for (let r = 0; r < rounds; r++) {
    a = Math.max(a, rate(ours, 120));
    b = Math.max(b, rate(reference, 120));
  }
  return [a, b];
}

interface Case {
  name: string;
  occupancy: string;
  ours: (n: number) => void;
  reference: (n: number) => void;
  check: () => string | undefined;
}
const cases: Case[] = [];

interface Row {
  case: string;
  occupancy: string;
  ours: number;
  reference: number;
}

const rows: Row[] = [];
const random = rng(seed);

for (const p of OCCUPANCIES) {
  const { ours, ref, usedList } = build(singlePattern(p, random));
  // The used pages in random order; victims are taken walking this list, so each victim is a
  // random used page while the walk itself stays cheap and the same for both allocators.
  // Both keep page numbers in an Int32Array (same cache footprint); ours converts to addresses.
  const order = shuffled(usedList.length, random);
  const oursList = Int32Array.from(order, (i) => usedList[i]);
  const refList = Int32Array.from(oursList);
  const len = oursList.length;
  let j1 = 0;
  let j2 = 0;
  cases.push({
    name: 'single page alloc+free',
    occupancy: `${p * 100}%`,
    check: () => ours.check(),
    ours: (n) => {
      for (let i = 0; i < n; i++) {
        ours.free(oursList[j1] * PAGE);
        oursList[j1] = ours.alloc() * (1 / PAGE);
        j1 = j1 + 1 === len ? 0 : j1 + 1;
      }
    },
    reference: (n) => {
      for (let i = 0; i < n; i++) {
        ref.freePage(refList[j2]);
        refList[j2] = ref.allocPage();
        j2 = j2 + 1 === len ? 0 : j2 + 1;
      }
    },
  });
}

// Bursts: free 256 random used pages, then allocate 256. Only the first allocation of a burst
// can reuse the frame freed last; the others search (ours: the summary levels).
const BURST = 256;
for (const p of OCCUPANCIES) {
  const { ours, ref, usedList } = build(singlePattern(p, random));
  const order = shuffled(usedList.length, random);
  const oursList = Int32Array.from(order, (i) => usedList[i]);
  const refList = Int32Array.from(oursList);
  const len = oursList.length - (oursList.length % BURST);
  let j1 = 0;
  let j2 = 0;
  cases.push({
    name: `single pages, bursts of ${BURST}`,
    occupancy: `${p * 100}%`,
    check: () => ours.check(),
    ours: (n) => {
      for (let done = 0; done < n; done += BURST) {
        for (let i = 0; i < BURST; i++) ours.free(oursList[j1 + i] * PAGE);
        for (let i = 0; i < BURST; i++) oursList[j1 + i] = ours.alloc() * (1 / PAGE);
        j1 = j1 + BURST === len ? 0 : j1 + BURST;
      }
    },
    reference: (n) => {
      for (let done = 0; done < n; done += BURST) {
        for (let i = 0; i < BURST; i++) ref.freePage(refList[j2 + i]);
        for (let i = 0; i < BURST; i++) refList[j2 + i] = ref.allocPage();
        j2 = j2 + BURST === len ? 0 : j2 + BURST;
      }
    },
  });
}

for (const p of OCCUPANCIES) {
  const { ours, ref } = build(runPattern(p, random));
  const K = 8;
  const oursRing = new Float64Array(K);
  const refRing = new Int32Array(K);
  for (let i = 0; i < K; i++) {
    oursRing[i] = ours.allocContiguous(64, { align: 64 * PAGE });
    refRing[i] = ref.allocRegion(64, 64);
    if (refRing[i] < 0) throw new Error('reference out of memory while filling the ring');
  }
  let k1 = 0;
  let k2 = 0;
  cases.push({
    name: '64-page aligned run alloc+free',
    occupancy: `${p * 100}%`,
    check: () => ours.check(),
    ours: (n) => {
      for (let i = 0; i < n; i++) {
        const slot = k1++ & (K - 1);
        ours.free(oursRing[slot], 64);
        oursRing[slot] = ours.allocContiguous(64, { align: 64 * PAGE });
      }
    },
    reference: (n) => {
      for (let i = 0; i < n; i++) {
        const slot = k2++ & (K - 1);
        ref.freeRegion(refRing[slot], 64);
        const r = ref.allocRegion(64, 64);
        if (r < 0) throw new Error('reference out of memory');
        refRing[slot] = r;
      }
    },
  });
}

// Every case runs once before any is measured, so each allocator's code has seen all of its
// paths (as in a kernel that does all of these) and no case is timed with a JIT state that was
// specialised to it alone.
for (const c of cases) {
  rate(c.ours, 60);
  rate(c.reference, 60);
}
for (const c of cases) {
  const [a, b] = compare(c.ours, c.reference);
  const problem = c.check();
  if (problem) throw new Error(problem);
  rows.push({ case: c.name, occupancy: c.occupancy, ours: a, reference: b });
}

const fmt = (x: number): string => `${(x / 1e6).toFixed(2)} M`;
console.log(
  `physalloc: 1 Mi pages (4 GiB), seed 0x${seed.toString(16)}; ops per CPU second, best of 5 alternating rounds; one op = one alloc + one free`,
);
console.table(
  rows.map((r) => ({
    case: r.case,
    occupancy: r.occupancy,
    'ours ops/s': fmt(r.ours),
    'Phantom model ops/s': fmt(r.reference),
    'ours / Phantom': `${(r.ours / r.reference).toFixed(2)}x`,
  })),
);
// The goals, checked on this run's numbers (a benchmark reports; it never fails on timing).
const singles = rows.filter((r) => r.case.startsWith('single')).map((r) => r.ours);
const slowest = Math.min(...rows.map((r) => r.ours / r.reference));
console.log(
  `single-page pairs: min ${fmt(Math.min(...singles))}/s (goal >= 10 M), ` +
    `max/min across occupancy ${(Math.max(...singles) / Math.min(...singles)).toFixed(2)} (flat = 1); ` +
    `lowest ratio to the Phantom model ${slowest.toFixed(2)}x (goal > 1 everywhere)`,
);
