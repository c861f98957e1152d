// Bit flips in every block of a disk: recovery must use another valid copy or report the damage,
// never return wrong data silently. fsck must notice every flip in a block a kept snapshot uses.
import { describe, expect, it } from 'vitest';
import { candidates, loadSnapshot, readSlots } from '../src/format/reader.js';
import { CorruptPageError, fsck, MemoryBlockDevice, Prng, UntrustedDiskError } from '../src/index.js';
import { BASE, formatRig, openRig, PAGE } from './harness.js';
import { firstDifference, snapshotIndexOf } from './workload.js';

const PAGES = 40;

interface Disk {
  image: Map<number, Uint8Array>;
  models: Uint8Array[];
  /** Blocks referenced by either kept snapshot, and the superblock slots. */
  used: Set<number>;
}

function buildDisk(): Disk {
  const dev = new MemoryBlockDevice();
  const rig = formatRig(dev, PAGES, { maxResidentPages: 8 });
  const rng = new Prng(77);
  const model = new Uint8Array(PAGES * PAGE);
  const models = [model.slice()];
  for (let s = 1; s <= 3; s++) {
    for (let i = 0; i < 30; i++) {
      const data = new Uint8Array(1 + rng.below(300));
      rng.fill(data);
      const at = rng.below(PAGES * PAGE - data.length);
      rig.mmu.write(BASE + at, data);
      model.set(data, at);
    }
    const state = new Uint8Array(5000); // spans two blocks
    rng.fill(state);
    new DataView(state.buffer).setUint32(0, s, true);
    rig.space.snapshot(state);
    models.push(model.slice());
  }
  rig.space.close();
  const used = new Set<number>([0, 1]);
  for (const c of candidates(readSlots(dev))) {
    const l = loadSnapshot(dev, c.slot, c.superblock);
    for (let p = 0; p < PAGES; p++) if (l.pages[p * 2] !== 0) used.add(l.pages[p * 2]);
    for (const b of [...l.metaBlocks, ...l.bitmapBlocks]) used.add(b);
  }
  return { image: dev.snapshotBlocks(), models, used };
}

/** Open and read every page; returns the snapshot index or 'refused'. Fails on any wrong byte. */
let corruptPages = 0;

function recoverAndCheck(
  dev: MemoryBlockDevice,
  models: Uint8Array[],
  where: string,
  newest = 3,
): number | 'refused' {
  let rig: ReturnType<typeof openRig>;
  try {
    rig = openRig(dev, { frames: 64, maxResidentPages: 4 });
  } catch (e) {
    if (e instanceof UntrustedDiskError) return 'refused';
    throw e;
  }
  const index = snapshotIndexOf(rig.space.clientState);
  if (index !== newest) {
    // Falling back is allowed only when recovery says why.
    expect(rig.space.recovery.fellBack || rig.space.recovery.problems.length > 0, where).toBe(true);
  }
  expect([2, 3], where).toContain(index);
  for (let p = 0; p < PAGES; p++) {
    try {
      const got = rig.mmu.read(BASE + p * PAGE, PAGE);
      const want = models[index].subarray(p * PAGE, (p + 1) * PAGE);
      expect(firstDifference(got, want), `${where}: page ${p} of snapshot ${index}`).toBe(-1);
    } catch (e) {
      if (!(e instanceof CorruptPageError)) throw e;
      corruptPages++;
    }
  }
  rig.space.close();
  return index;
}

describe('corruption', () => {
  const disk = buildDisk();
  const blocks = [...disk.image.keys()].sort((a, b) => a - b);

  it('every bit flip in every block is survived or reported, never silently wrong', () => {
    const rng = new Prng(2024);
    let flips = 0;
    let fellBack = 0;
    let refused = 0;
    for (const block of blocks) {
      for (const bit of [0, rng.below(4096 * 8), 4095 * 8 + 7]) {
        const image = new Map(disk.image);
        const damaged = image.get(block)!.slice();
        damaged[bit >>> 3] ^= 1 << (bit & 7);
        image.set(block, damaged);
        const where = `flip of bit ${bit} in block ${block}`;
        const result = recoverAndCheck(MemoryBlockDevice.fromBlocks(image), disk.models, where);
        if (result === 'refused') refused++;
        else if (result !== 3) fellBack++;
        let report: ReturnType<typeof fsck> | undefined;
        try {
          report = fsck(MemoryBlockDevice.fromBlocks(image));
        } catch (e) {
          expect(e, where).toBeInstanceOf(UntrustedDiskError);
        }
        if (report && disk.used.has(block)) {
          expect(report.errors.length + report.warnings.length, `${where}: fsck must notice`).toBeGreaterThan(
            0,
          );
        }
        if (report && !disk.used.has(block)) expect(report.clean, `${where}: free block`).toBe(true);
        flips++;
      }
    }
    expect(flips).toBe(blocks.length * 3);
    // Flipping the newest superblock or its metadata must have fallen back at least once.
    expect(fellBack).toBeGreaterThan(0);
    expect(refused).toBe(0);
    // Flipped data blocks were caught at page-in.
    expect(corruptPages).toBeGreaterThan(0);
  });

  it('fsck --repair brings a disk with a damaged newest snapshot back to clean, on the previous snapshot', () => {
    const dev = MemoryBlockDevice.fromBlocks(disk.image);
    const slots = candidates(readSlots(dev));
    const newest = loadSnapshot(dev, slots[0].slot, slots[0].superblock);
    const victim = newest.metaBlocks[0];
    dev.peek(victim)![100] ^= 0x10;
    const before = fsck(dev);
    expect(before.clean).toBe(false);
    expect(before.errors.join(' ')).toMatch(/newest snapshot \(generation \d+\) is damaged/);
    const after = fsck(dev, { repair: true });
    expect(after.repairs.length).toBeGreaterThan(0);
    expect(after.clean).toBe(true);
    expect(recoverAndCheck(dev, disk.models, 'after repair', 2)).toBe(2);
  });

  it('refuses a disk whose every snapshot is damaged with a typed error', () => {
    const dev = MemoryBlockDevice.fromBlocks(disk.image);
    dev.peek(0)![7] ^= 1;
    dev.peek(1)![7] ^= 1;
    expect(() => openRig(dev)).toThrow(UntrustedDiskError);
    expect(() => fsck(dev)).toThrow(UntrustedDiskError);
    const blank = new MemoryBlockDevice();
    expect(() => fsck(blank)).toThrow(/no valid superblock/);
  });
});
