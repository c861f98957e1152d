// Snapshot benchmark on a 1 GiB object space (262,144 pages) backed by a file in the temp directory,
// side by side with raw writes of the same dirty pages plus one fsync, in the same run.
//   pause      : beginSnapshot() (epoch bump) with 10 % of the pages dirty        goal < 10 ms
//   commit     : ahead-of-time pageout + pause + walk + page list + 2 fsyncs      goal <= 1.5 x raw
//   recovery   : PersistentSpace.open (superblocks, page list, bitmap verified)   goal < 100 ms
//   extra RAM  : copy-on-write pages while the world writes during the walk
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type BlockDevice,
  FileBlockDevice,
  formatDisk,
  PersistentSpace,
  Prng,
  RangeFrameSource,
  SoftMmu,
} from '../src/index.js';

// VMMAP_BENCH_PAGES shrinks the space for a quick look (the goals are stated for 1 GiB).
const PAGES = Number(process.env.VMMAP_BENCH_PAGES ?? 262_144); // 1 GiB
const DIRTY = Math.round(PAGES * 0.1); // 26,214
const BASE = 0x8000_0000;
const FRAMES = 40_960; // 160 MiB of emulated RAM
const dir = mkdtempSync(join(tmpdir(), 'vmmap-bench-'));

/** Counts reads so the recovery row can show it did not touch data pages. */
class CountingDevice implements BlockDevice {
  reads = 0;
  constructor(private readonly inner: FileBlockDevice) {}
  get blockSize() {
    return this.inner.blockSize;
  }
  get blockCount() {
    return this.inner.blockCount;
  }
  read(block: number, into: Uint8Array) {
    this.reads++;
    this.inner.read(block, into);
  }
  write(block: number, data: Uint8Array) {
    this.inner.write(block, data);
  }
  flush() {
    this.inner.flush();
  }
  close() {
    this.inner.close();
  }
}

function ms(t: number) {
  return `${t.toFixed(t < 10 ? 3 : 1)} ms`;
}

function openSpace(device: BlockDevice) {
  const ram = new Uint8Array(FRAMES * 4096);
  const mmu = new SoftMmu(ram);
  const space = PersistentSpace.open(device, {
    ram,
    frames: new RangeFrameSource(0, ram.length),
    mapper: mmu,
    maxResidentPages: FRAMES - 1024,
  });
  mmu.onFault = (v, w) => space.handleFault(v, w);
  return { space, mmu };
}

function pickDistinct(rng: Prng, n: number): number[] {
  const chosen = new Set<number>();
  while (chosen.size < n) chosen.add(rng.below(PAGES));
  return [...chosen];
}

function main() {
  const path = join(dir, 'space.img');
  const rawPath = join(dir, 'raw.img');
  const rng = new Prng(1);
  try {
    const device = new FileBlockDevice(path);
    formatDisk(device, { base: BASE, pages: PAGES });
    const { space, mmu } = openSpace(device);
    const t = performance.now();
    const stamp = new Uint8Array(16);
    for (let p = 0; p < PAGES; p++) {
      rng.fill(stamp);
      mmu.write(BASE + p * 4096, stamp);
    }
    space.snapshot(new Uint8Array(64));
    console.log(`setup: every page of 1 GiB written and snapshotted in ${ms(performance.now() - t)}`);

    // 10 % of the pages dirty.
    const dirty = pickDistinct(rng, DIRTY);
    for (const p of dirty) {
      rng.fill(stamp);
      mmu.write(BASE + p * 4096 + 64, stamp);
    }
    const images = dirty.map((p) => mmu.read(BASE + p * 4096, 4096));

    // Commit: ahead-of-time pageout, pause, walk and commit.
    const t0 = performance.now();
    space.pageoutStep(Number.POSITIVE_INFINITY);
    const t1 = performance.now();
    const job = space.beginSnapshot(new Uint8Array(4096));
    const t2 = performance.now();
    job.finish();
    const t3 = performance.now();

    // Reference: the same dirty pages written raw at their offsets, then one fsync.
    const fd = openSync(rawPath, 'w+');
    const r0 = performance.now();
    for (let i = 0; i < dirty.length; i++) writeSync(fd, images[i], 0, 4096, dirty[i] * 4096);
    fsyncSync(fd);
    const raw = performance.now() - r0;
    closeSync(fd);
    // The same bytes written contiguously (the pattern vm-map's allocator produces on a fresh disk).
    const seqFd = openSync(`${rawPath}.seq`, 'w+');
    const s0 = performance.now();
    for (let i = 0; i < dirty.length; i++) writeSync(seqFd, images[i], 0, 4096, i * 4096);
    fsyncSync(seqFd);
    const rawSeq = performance.now() - s0;
    closeSync(seqFd);

    // Pause with the dirt still in RAM, and copy-on-write while the world keeps writing during the walk.
    const dirty2 = pickDistinct(rng, DIRTY);
    for (const p of dirty2) {
      rng.fill(stamp);
      mmu.write(BASE + p * 4096 + 128, stamp);
    }
    const p0 = performance.now();
    const job2 = space.beginSnapshot(new Uint8Array(4096));
    const pauseDirty = performance.now() - p0;
    let guestWrites = 0;
    const c0 = performance.now();
    while (!job2.done) {
      job2.step(8192);
      for (let i = 0; i < 256; i++) {
        rng.fill(stamp);
        mmu.write(BASE + dirty2[rng.below(DIRTY)] * 4096 + 256, stamp);
        guestWrites++;
      }
    }
    const cowCommit = performance.now() - c0;
    const cow = job2.finish().cowPages;
    const peak = space.stats.peakCowPages;
    space.close();
    device.close();

    // Recovery: open + verify, no data page read.
    const counting = new CountingDevice(new FileBlockDevice(path, { create: false }));
    const o0 = performance.now();
    const reopened = openSpace(counting);
    const recovery = performance.now() - o0;
    const metaReads = counting.reads;
    reopened.mmu.read(BASE + dirty[0] * 4096, 16);
    reopened.space.close();
    counting.close();

    const rows: [string, string, string, string, string][] = [
      ['stop-the-world pause (after pageout)', ms(t2 - t1), '-', '-', '< 10 ms'],
      [`stop-the-world pause (${DIRTY} dirty in RAM)`, ms(pauseDirty), '-', '-', '< 10 ms'],
      [
        `commit ${DIRTY} dirty pages (pageout+pause+walk+list+2 fsync)`,
        ms(t3 - t0),
        `${ms(raw)} raw write+fsync`,
        `${((t3 - t0) / raw).toFixed(2)}x`,
        '<= 1.5x',
      ],
      [
        '  same, against contiguous raw writes',
        ms(t3 - t0),
        `${ms(rawSeq)} raw seq write+fsync`,
        `${((t3 - t0) / rawSeq).toFixed(2)}x`,
        '<= 1.5x',
      ],
      ['  of which ahead-of-time pageout', ms(t1 - t0), '', '', ''],
      ['  of which walk + page list + commit', ms(t3 - t2), '', '', ''],
      [
        'recovery open + verify (1 GiB)',
        ms(recovery),
        `${metaReads} blocks read of ${PAGES} pages`,
        '-',
        '< 100 ms',
      ],
      [
        'extra RAM during snapshot (COW pages)',
        `${cow} pages (${((cow * 4) / 1024).toFixed(1)} MiB)`,
        `${guestWrites} guest writes during walk`,
        `peak ${peak}`,
        'only COW pages',
      ],
      ['  snapshot with dirt at the pause (walk+commit)', ms(cowCommit), '', '', ''],
    ];
    const widths = [0, 1, 2, 3, 4].map((i) => Math.max(...rows.map((r) => r[i].length), 8));
    const header = ['measure', 'vm-map', 'reference (same run)', 'ratio', 'goal'];
    const line = (r: string[]) =>
      r.map((c, i) => c.padEnd(Math.max(widths[i], header[i].length))).join(' | ');
    console.log(line(header));
    console.log(line(header.map((h, i) => '-'.repeat(Math.max(widths[i], h.length)))));
    for (const r of rows) console.log(line(r));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
