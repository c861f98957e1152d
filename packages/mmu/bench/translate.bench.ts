// Translations per second: the soft-TLB hit path, the miss path that walks the tables, and the
// MIPS TLB, side by side with two references in the same run — a Map<vpn, frame> lookup (what a
// simple emulator keeps) and an uncached two-level walk in emulated RAM without a TLB.
import {
  ACCESS_READ,
  ACCESS_WRITE,
  BumpFrameSource,
  CR0_PE,
  CR0_PG,
  Ia32Mmu,
  Ia32PageTableEditor,
  MIPS_MODE_USER,
  MIPS_REFILL,
  MipsPageTableEditor,
  MipsTlb,
  PhysicalMemory,
  PTE_FRAME,
  PTE_P,
  PTE_US,
} from '../src/index.js';

const PAGES = 4096; // 16 MiB of linear space mapped
const BASE = 0x40000000;
const OPS = 1 << 20; // addresses per pass

// Deterministic PRNG (xorshift32): frames and access order are the same every run.
let seed = 0x2545f491;
const rand = (): number => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return seed >>> 0;
};

const memory = new PhysicalMemory({ ramSize: 64 << 20 });
const frames = new BumpFrameSource(48 << 20, 64 << 20);
const cr3 = Ia32PageTableEditor.createPageDirectory(memory, frames);
const mmu = new Ia32Mmu(memory);
const editor = new Ia32PageTableEditor(memory, cr3, frames, (v) => mmu.invlpg(v));
const reference = new Map<number, number>();
// Frames shuffled over the first 32 MiB so neighbouring pages do not share frames.
const order = Array.from({ length: 8192 }, (_, i) => i);
for (let i = order.length - 1; i > 0; i--) {
  const j = rand() % (i + 1);
  [order[i], order[j]] = [order[j], order[i]];
}
for (let p = 0; p < PAGES; p++) {
  const physical = order[p] * 4096;
  editor.map(BASE + p * 4096, physical, { writable: true, user: true });
  reference.set((BASE >>> 12) + p, physical);
}
mmu.setCr3(cr3);
mmu.setCr0(CR0_PE | CR0_PG);

const addresses = new Int32Array(OPS);
for (let i = 0; i < OPS; i++) addresses[i] = BASE + (rand() % (PAGES * 4096));

/** The reference walk: what a translator without a TLB does on every access. */
function uncachedWalk(linear: number): number {
  const pde = memory.read32(((cr3 & PTE_FRAME) >>> 0) + (linear >>> 22) * 4);
  if ((pde & PTE_P) === 0) return -1;
  const pte = memory.read32(((pde & PTE_FRAME) >>> 0) + ((linear >>> 10) & 0xffc));
  if ((pte & PTE_P) === 0 || (pde & pte & PTE_US) === 0) return -1;
  return ((pte & PTE_FRAME) | (linear & 0xfff)) >>> 0;
}

// MIPS: 64-entry TLB, refilled from a software table; the working set below fits in it.
const mipsMemory = new PhysicalMemory({ ramSize: 8 << 20, bigEndian: true });
const mipsFrames = new BumpFrameSource(4 << 20, 8 << 20);
const tlb = new MipsTlb({ entries: 64 });
const mipsEditor = new MipsPageTableEditor(
  mipsMemory,
  MipsPageTableEditor.createDirectory(mipsMemory, mipsFrames),
  mipsFrames,
);
for (let p = 0; p < 1024; p++)
  mipsEditor.map(0x00400000 + p * 4096, order[p] * 4096, { writable: true, user: true });
/** Addresses over `pages` pages: 128 pages (64 pairs) fit a 64-entry TLB, 1024 pages thrash it. */
function mipsAddressesOver(pages: number): Int32Array {
  const out = new Int32Array(OPS);
  for (let i = 0; i < OPS; i++) out[i] = 0x00400000 + (rand() % (pages * 4096));
  return out;
}
const mipsFitting = mipsAddressesOver(128);
const mipsThrashing = mipsAddressesOver(1024);
let refills = 0;
let mipsAccesses = 0;
function mipsPass(list: Int32Array): number {
  let s = 0;
  mipsAccesses += OPS;
  for (let i = 0; i < OPS; i++) {
    const a = list[i];
    let r = tlb.translate(a, false, MIPS_MODE_USER);
    if (r === MIPS_REFILL) {
      refills++;
      mipsEditor.refill(tlb, a);
      r = tlb.translate(a, false, MIPS_MODE_USER);
    }
    s += r;
  }
  return s;
}

let sink = 0;
interface Row {
  name: string;
  opsPerSecond: number;
}

function measure(name: string, body: () => void, opsPerCall: number): Row {
  body(); // warm up (JIT)
  body();
  let calls = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    body();
    calls++;
    elapsed = performance.now() - start;
  } while (elapsed < 700);
  return { name, opsPerSecond: (calls * opsPerCall) / (elapsed / 1000) };
}

const rows: Row[] = [];
rows.push(
  measure(
    'reference: Map<vpn, frame> lookup',
    () => {
      let s = 0;
      for (let i = 0; i < OPS; i++) {
        const a = addresses[i];
        s += (reference.get(a >>> 12) as number) + (a & 0xfff);
      }
      sink += s;
    },
    OPS,
  ),
);
rows.push(
  measure(
    'reference: uncached 2-level walk',
    () => {
      let s = 0;
      for (let i = 0; i < OPS; i++) s += uncachedWalk(addresses[i]);
      sink += s;
    },
    OPS,
  ),
);
// Warm every page into the TLB once, then measure hits.
for (let p = 0; p < PAGES; p++) {
  mmu.translate(BASE + p * 4096, ACCESS_READ, true);
  mmu.translate(BASE + p * 4096, ACCESS_WRITE, true);
}
const walksBeforeHits = mmu.walks;
rows.push(
  measure(
    'Ia32Mmu.translate, TLB hit',
    () => {
      let s = 0;
      for (let i = 0; i < OPS; i++) s += mmu.translate(addresses[i], ACCESS_READ, true);
      sink += s;
    },
    OPS,
  ),
);
rows.push(
  measure(
    'Ia32Mmu.readLinear32, TLB hit (translate + load)',
    () => {
      let s = 0;
      for (let i = 0; i < OPS; i++) s += mmu.readLinear32(addresses[i] & ~3, true);
      sink += s;
    },
    OPS,
  ),
);
rows.push(
  measure(
    'Ia32Mmu.writeLinear32, TLB hit (translate + store)',
    () => {
      for (let i = 0; i < OPS; i++) mmu.writeLinear32(addresses[i] & ~3, i, true);
    },
    OPS,
  ),
);
const hitWalks = mmu.walks - walksBeforeHits;
const MISS_OPS = OPS >>> 2;
rows.push(
  measure(
    'Ia32Mmu.translate, miss (INVLPG + walk + fill)',
    () => {
      let s = 0;
      for (let i = 0; i < MISS_OPS; i++) {
        const a = addresses[i];
        mmu.invlpg(a);
        s += mmu.translate(a, ACCESS_READ, true);
      }
      sink += s;
    },
    MISS_OPS,
  ),
);
rows.push(
  measure(
    'Ia32Mmu.translate, miss after CR3 reload',
    () => {
      let s = 0;
      for (let i = 0; i < MISS_OPS; i += 8) {
        mmu.setCr3(cr3);
        for (let k = 0; k < 8; k++) s += mmu.translate(addresses[i + k], ACCESS_READ, true);
      }
      sink += s;
    },
    MISS_OPS,
  ),
);
rows.push(
  measure('MipsTlb.translate, 128 pages (fit in 64 entries)', () => (sink += mipsPass(mipsFitting)), OPS),
);
refills = 0;
mipsAccesses = 0;
rows.push(
  measure('MipsTlb.translate, 1024 pages (refill from table)', () => (sink += mipsPass(mipsThrashing)), OPS),
);
const refillShare = refills / mipsAccesses;

const mapRate = rows[0].opsPerSecond;
const walkRate = rows[1].opsPerSecond;
console.log(
  `translations per second (${OPS} pseudo-random addresses over ${PAGES} pages; walks during hit runs: ${hitWalks})`,
);
console.log(
  `${'path'.padEnd(52)} ${'M/s'.padStart(9)} ${'ns/op'.padStart(8)} ${'vs Map'.padStart(8)} ${'vs walk'.padStart(8)}`,
);
for (const row of rows) {
  const mps = row.opsPerSecond / 1e6;
  console.log(
    `${row.name.padEnd(52)} ${mps.toFixed(1).padStart(9)} ${(1e9 / row.opsPerSecond).toFixed(1).padStart(8)} ${`${(row.opsPerSecond / mapRate).toFixed(2)}x`.padStart(8)} ${`${(row.opsPerSecond / walkRate).toFixed(2)}x`.padStart(8)}`,
  );
}

// Write-protecting the whole object space for a snapshot (DESIGN.md §3/§5): an epoch bump against the
// classic way, clearing R/W in every PTE and invalidating each page. Then the cost of the one slow
// write per page that the epoch causes.
let notified = 0;
mmu.writeWatcher = () => notified++;
const bumpRounds = 1 << 20;
let t0 = performance.now();
for (let i = 0; i < bumpRounds; i++) mmu.bumpWriteEpoch();
const bumpNs = ((performance.now() - t0) * 1e6) / bumpRounds;
const protectRounds = 20;
t0 = performance.now();
for (let round = 0; round < protectRounds; round++) {
  for (let p = 0; p < PAGES; p++) editor.protect(BASE + p * 4096, { writable: round % 2 === 1, user: true });
}
const protectNs = ((performance.now() - t0) * 1e6) / protectRounds;
const firstWrites = 64;
t0 = performance.now();
for (let round = 0; round < firstWrites; round++) {
  mmu.bumpWriteEpoch();
  for (let p = 0; p < PAGES; p++) mmu.writeLinear32(BASE + p * 4096, p, true);
}
const firstWriteNs = ((performance.now() - t0) * 1e6) / (firstWrites * PAGES);
console.log('');
console.log(`write-protect all ${PAGES} pages for a snapshot`);
console.log(`${'bumpWriteEpoch()'.padEnd(52)} ${bumpNs.toFixed(1).padStart(12)} ns`);
console.log(
  `${'reference: clear R/W in every PTE + INVLPG'.padEnd(52)} ${protectNs.toFixed(0).padStart(12)} ns  (${(protectNs / bumpNs).toFixed(0)}x the bump)`,
);
console.log(
  `${'first write per page after a bump (watcher called)'.padEnd(52)} ${firstWriteNs.toFixed(1).padStart(12)} ns  (watcher calls: ${notified})`,
);

// The bus itself: PhysicalMemory.read32 on RAM against a bare DataView over the same bytes.
const physical = new Int32Array(OPS);
for (let i = 0; i < OPS; i++) physical[i] = (rand() % ((32 << 20) - 4)) & ~3;
const bare = new DataView(memory.ram.buffer);
const busRows = [
  measure(
    'reference: DataView.getUint32 on the RAM buffer',
    () => {
      let s = 0;
      for (let i = 0; i < OPS; i++) s += bare.getUint32(physical[i], true);
      sink += s;
    },
    OPS,
  ),
  measure(
    'PhysicalMemory.read32 (RAM)',
    () => {
      let s = 0;
      for (let i = 0; i < OPS; i++) s += memory.read32(physical[i]);
      sink += s;
    },
    OPS,
  ),
];
console.log('');
console.log('physical bus, 32-bit reads');
for (const row of busRows) {
  console.log(
    `${row.name.padEnd(52)} ${(row.opsPerSecond / 1e6).toFixed(1).padStart(9)} M/s ${`${(row.opsPerSecond / busRows[0].opsPerSecond).toFixed(2)}x`.padStart(8)}`,
  );
}
console.log(`MIPS thrashing run: about ${(refillShare * 100).toFixed(0)}% of accesses took a refill`);
console.log(`(checksum ${sink % 1000})`);
