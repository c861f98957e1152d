import { describe, expect, it } from 'vitest';
import {
  AddressError,
  MemoryBlockDevice,
  OutOfFramesError,
  PersistentSpace,
  PowerLossBlockDevice,
  Prng,
  RangeFrameSource,
  SoftMmu,
  StateError,
} from '../src/index.js';
import { BASE, formatRig, openRig, PAGE, readAll } from './harness.js';

describe('PersistentSpace', () => {
  it('zero-fills never-written pages and keeps them off the disk', () => {
    const dev = new MemoryBlockDevice();
    const rig = formatRig(dev, 16);
    expect(rig.mmu.read(BASE + 5 * PAGE, 16)).toEqual(new Uint8Array(16));
    expect(rig.space.stats.zeroFills).toBe(1);
    const blocksBefore = dev.blockCount;
    rig.space.snapshot();
    // Only superblock slots and small metadata; no data blocks for zero pages.
    expect(dev.blockCount - blocksBefore).toBeLessThanOrEqual(1);
  });

  it('survives close and reopen: the newest snapshot comes back byte for byte with its client state', () => {
    const dev = new MemoryBlockDevice();
    const rig = formatRig(dev, 64, { maxResidentPages: 4 });
    const rng = new Prng(1);
    const expected = new Uint8Array(64 * PAGE);
    for (let i = 0; i < 300; i++) {
      const at = rng.below(64 * PAGE - 100);
      const data = new Uint8Array(1 + rng.below(99));
      rng.fill(data);
      rig.mmu.write(BASE + at, data);
      expected.set(data, at);
    }
    expect(rig.space.stats.residentPages).toBeLessThanOrEqual(4);
    rig.space.snapshot(new TextEncoder().encode('cpu state 1'));
    rig.mmu.write(BASE, new Uint8Array([1, 2, 3])); // not in any snapshot
    rig.space.close();
    const again = openRig(dev, { maxResidentPages: 3 });
    expect(again.space.generation).toBe(2);
    expect(new TextDecoder().decode(again.space.clientState)).toBe('cpu state 1');
    expect(readAll(again)).toEqual(expected);
  });

  it('write-protects on pageout and dirties on the first write after it', () => {
    const dev = new MemoryBlockDevice();
    const rig = formatRig(dev, 8);
    rig.mmu.write(BASE + PAGE, new Uint8Array([9]));
    expect(rig.mmu.isWritable(BASE + PAGE)).toBe(true);
    expect(rig.space.stats.dirtyPages).toBe(1);
    expect(rig.space.pageoutStep(10)).toBe(1);
    expect(rig.mmu.isWritable(BASE + PAGE)).toBe(false);
    expect(rig.space.stats.dirtyPages).toBe(0);
    rig.mmu.write(BASE + PAGE + 1, new Uint8Array([8]));
    expect(rig.space.stats.dirtyPages).toBe(1);
    expect(rig.mmu.isWritable(BASE + PAGE)).toBe(true);
  });

  it('reclaims clean frames under memory pressure and reads them back from curr', () => {
    const dev = new MemoryBlockDevice();
    const rig = formatRig(dev, 32, { frames: 8 });
    for (let p = 0; p < 32; p++) rig.mmu.write(BASE + p * PAGE, new Uint8Array([p + 1]));
    expect(rig.space.stats.residentPages).toBeLessThanOrEqual(8);
    expect(rig.space.stats.evictions).toBeGreaterThan(0);
    for (let p = 0; p < 32; p++) expect(rig.mmu.read(BASE + p * PAGE, 1)[0]).toBe(p + 1);
    rig.space.pageoutStep(100);
    expect(rig.space.reclaim(2)).toBeGreaterThan(0);
    expect(rig.space.stats.residentPages).toBe(2);
  });

  it('copies on write a page written after the pause before its snapshot copy is on disk', () => {
    const dev = new MemoryBlockDevice();
    const rig = formatRig(dev, 8);
    rig.mmu.write(BASE, new Uint8Array([1]));
    const job = rig.space.beginSnapshot(new Uint8Array([42]));
    // The world resumes: this write must not leak into the snapshot.
    rig.mmu.write(BASE, new Uint8Array([2]));
    expect(rig.space.stats.cowCopies).toBe(1);
    const r = job.finish();
    expect(r.cowPages).toBe(1);
    expect(rig.mmu.read(BASE, 1)[0]).toBe(2);
    rig.space.close();
    const again = openRig(dev);
    expect(again.mmu.read(BASE, 1)[0]).toBe(1);
    expect([...again.space.clientState]).toEqual([42]);
  });

  it('pages that are clean at the pause need no copy', () => {
    const dev = new MemoryBlockDevice();
    const rig = formatRig(dev, 8);
    for (let p = 0; p < 8; p++) rig.mmu.write(BASE + p * PAGE, new Uint8Array([p]));
    rig.space.pageoutStep(100);
    const job = rig.space.beginSnapshot();
    for (let p = 0; p < 8; p++) rig.mmu.write(BASE + p * PAGE, new Uint8Array([100 + p]));
    expect(job.finish().cowPages).toBe(0);
    rig.space.snapshot();
    rig.space.close();
    const again = openRig(dev);
    for (let p = 0; p < 8; p++) expect(again.mmu.read(BASE + p * PAGE, 1)[0]).toBe(100 + p);
  });

  it('steps a snapshot while the world writes', () => {
    const dev = new MemoryBlockDevice();
    const rig = formatRig(dev, 64);
    const rng = new Prng(5);
    const model = new Uint8Array(64 * PAGE);
    const write = (at: number, v: number) => {
      rig.mmu.write(BASE + at, new Uint8Array([v]));
      model[at] = v;
    };
    for (let i = 0; i < 200; i++) write(rng.below(64 * PAGE), rng.below(256));
    const atPause = model.slice();
    const job = rig.space.beginSnapshot();
    while (!job.done) {
      job.step(5);
      for (let i = 0; i < 10; i++) write(rng.below(64 * PAGE), rng.below(256));
    }
    expect(() => rig.space.beginSnapshot().finish()).not.toThrow();
    rig.space.close();
    // Reopen sees the second snapshot, which holds everything written.
    expect(readAll(openRig(dev))).toEqual(model);
    expect(atPause).not.toEqual(model);
  });

  it('keeps the snapshot taken at the pause, not later writes', () => {
    const dev = new MemoryBlockDevice();
    const rig = formatRig(dev, 64);
    const rng = new Prng(6);
    const model = new Uint8Array(64 * PAGE);
    for (let i = 0; i < 200; i++) {
      const at = rng.below(64 * PAGE);
      const v = rng.below(256);
      rig.mmu.write(BASE + at, new Uint8Array([v]));
      model[at] = v;
    }
    const job = rig.space.beginSnapshot();
    while (!job.done) {
      job.step(3);
      rig.mmu.write(BASE + rng.below(64 * PAGE), new Uint8Array([1 + rng.below(255)]));
    }
    rig.space.close();
    expect(readAll(openRig(dev))).toEqual(model);
  });

  it('rejects addresses outside the space and a second concurrent snapshot with typed errors', () => {
    const rig = formatRig(new MemoryBlockDevice(), 4);
    expect(() => rig.space.handleFault(BASE - PAGE, false)).toThrow(AddressError);
    expect(() => rig.space.handleFault(BASE + 4 * PAGE, true)).toThrow(/outside the object space/);
    rig.space.beginSnapshot();
    expect(() => rig.space.beginSnapshot()).toThrow(StateError);
  });

  it('reuses blocks freed by older snapshots: the device stops growing', () => {
    const dev = new MemoryBlockDevice();
    const rig = formatRig(dev, 16);
    const sizes: number[] = [];
    for (let round = 0; round < 12; round++) {
      for (let p = 0; p < 16; p++) rig.mmu.write(BASE + p * PAGE, new Uint8Array([round + 1, p]));
      rig.space.snapshot();
      sizes.push(dev.blockCount);
    }
    // Three snapshots' worth of pages plus metadata at most, reached after a few rounds.
    expect(sizes[11]).toBe(sizes[5]);
    expect(sizes[11]).toBeLessThan(2 + 3 * 20);
  });
});

describe('frames', () => {
  it('reports a typed error when no frame can be had and nothing can be evicted, leaving state intact', () => {
    const dev = new MemoryBlockDevice();
    formatRig(dev, 4).space.close();
    const ram = new Uint8Array(4096);
    const mmu = new SoftMmu(ram);
    const space = PersistentSpace.open(dev, { ram, frames: new RangeFrameSource(0, 0), mapper: mmu });
    mmu.onFault = (v, w) => space.handleFault(v, w);
    expect(() => mmu.read(BASE, 1)).toThrow(OutOfFramesError);
    expect(space.stats.residentPages).toBe(0);
    expect(mmu.isMapped(BASE)).toBe(false);
  });
});

describe('recovery', () => {
  it('loads pages lazily: open reads only metadata, each fault reads one block', () => {
    const dev = new PowerLossBlockDevice();
    const rig = formatRig(dev, 2048);
    for (let p = 0; p < 2048; p += 2) rig.mmu.write(BASE + p * PAGE, new Uint8Array([p & 0xff, 1]));
    rig.space.snapshot(new Uint8Array([5]));
    rig.space.close();
    const before = dev.stats.reads;
    const again = openRig(dev);
    const metadataReads = dev.stats.reads - before;
    // Two superblocks, a two-level page list (1 root + 4 leaves), the state blob and the bitmap blob.
    expect(metadataReads).toBeLessThan(16);
    expect(again.mmu.read(BASE + 100 * PAGE, 2)).toEqual(new Uint8Array([100, 1]));
    expect(dev.stats.reads - before).toBe(metadataReads + 1);
    expect(again.mmu.read(BASE + 101 * PAGE, 2)).toEqual(new Uint8Array([0, 0])); // zero page: no read
    expect(dev.stats.reads - before).toBe(metadataReads + 1);
  });
});
