import { describe, expect, it } from 'vitest';
import { encodeSuperblock } from '../src/format/layout.js';
import { candidates, loadSnapshot, readSlots } from '../src/format/reader.js';
import { writeBlob } from '../src/format/tree.js';
import {
  type BlockDevice,
  fsck,
  MemoryBlockDevice,
  PowerCutError,
  PowerLossBlockDevice,
} from '../src/index.js';
import { BASE, formatRig, openRig, PAGE, readAll } from './harness.js';
import { firstDifference } from './workload.js';

function diskWithSnapshots(): MemoryBlockDevice {
  const dev = new MemoryBlockDevice();
  const rig = formatRig(dev, 32);
  for (let s = 1; s <= 4; s++) {
    for (let p = 0; p < 32; p += s) rig.mmu.write(BASE + p * PAGE, new Uint8Array([s, p, 1, 2, 3]));
    rig.space.snapshot(new Uint8Array([s]));
  }
  rig.space.close();
  return dev;
}

/** Commit the newest snapshot again with `extra` blocks wrongly marked in use (a leak). */
function leak(dev: BlockDevice, extra: number[]): void {
  const [newest] = candidates(readSlots(dev));
  const loaded = loadSnapshot(dev, newest.slot, newest.superblock);
  const sb = newest.superblock;
  const bitmap = new Uint8Array(sb.bitmapBytes + 8);
  const mark = (b: number) => {
    bitmap[b >>> 3] |= 1 << (b & 7);
  };
  for (let p = 0; p < sb.pageCount; p++) if (loaded.pages[p * 2]) mark(loaded.pages[p * 2]);
  for (const b of [...loaded.metaBlocks, ...loaded.bitmapBlocks]) mark(b);
  for (const b of extra) mark(b);
  let next = sb.blockCount + 80;
  const ref = writeBlob({ device: dev, allocate: () => next++ }, bitmap);
  const forged = {
    ...sb,
    generation: sb.generation + 1,
    bitmap: ref,
    bitmapBytes: bitmap.length,
    blockCount: next,
  };
  dev.write(newest.slot ^ 1, encodeSuperblock(forged));
}

describe('fsck', () => {
  it('reports a healthy disk as clean, in plain words', () => {
    const dev = diskWithSnapshots();
    const report = fsck(dev);
    expect(report.clean).toBe(true);
    expect(report.errors).toEqual([]);
    expect(report.generation).toBe(5);
    expect(report.snapshots.map((s) => s.generation)).toEqual([5, 4]);
    expect(report.lines.join('\n')).toMatch(/generation 5: \d+ of 32 pages stored, every block verifies/);
    expect(report.lines.at(-1)).toBe('result: clean');
  });

  it('finds leaked blocks and repairs them without touching the data', () => {
    const dev = diskWithSnapshots();
    const before = readAll(openRig(dev));
    const free = dev.blockCount + 3;
    leak(dev, [free, free + 1]);
    const report = fsck(dev);
    expect(report.clean).toBe(false);
    expect(report.leakedBlocks).toBe(2);
    expect(report.errors.join()).toMatch(/2 leaked blocks/);
    const fixed = fsck(dev, { repair: true });
    expect(fixed.clean).toBe(true);
    expect(fixed.leakedBlocks).toBe(0);
    expect(fixed.repairs.join()).toMatch(/committed generation 6 again as generation 7/);
    const rig = openRig(dev);
    expect(readAll(rig)).toEqual(before);
    // Life goes on after the repair: another snapshot keeps the disk clean.
    rig.mmu.write(BASE, new Uint8Array([99]));
    rig.space.snapshot();
    rig.space.close();
    expect(fsck(dev).clean).toBe(true);
  });

  it('finds blocks in use that the bitmap marks free', () => {
    const dev = diskWithSnapshots();
    const [newest] = candidates(readSlots(dev));
    const loaded = loadSnapshot(dev, newest.slot, newest.superblock);
    const sb = newest.superblock;
    // Forge a bitmap that forgets everything.
    let next = sb.blockCount + 4;
    const ref = writeBlob({ device: dev, allocate: () => next++ }, new Uint8Array([0, 0, 0, 1]));
    dev.write(
      newest.slot ^ 1,
      encodeSuperblock({
        ...sb,
        generation: sb.generation + 1,
        bitmap: ref,
        bitmapBytes: 4,
        blockCount: next,
      }),
    );
    const report = fsck(dev);
    expect(report.unmarkedBlocks).toBeGreaterThan(0);
    expect(report.errors.join()).toMatch(/marked free in the bitmap/);
    expect(fsck(dev, { repair: true }).clean).toBe(true);
    expect(loaded.pages.length).toBe(64);
  });
});

describe('fsck --repair under power loss', () => {
  it('a power cut at any operation of a repair leaves a disk that recovers the same data and repairs clean', () => {
    const base = diskWithSnapshots();
    const content = readAll(openRig(base));
    leak(base, [base.blockCount + 3]);
    const image = base.snapshotBlocks();
    const counting = new PowerLossBlockDevice({ image });
    fsck(counting, { repair: true });
    const total = counting.operationCount;
    expect(total).toBeGreaterThan(10);
    for (let k = 0; k <= total; k++) {
      for (const model of ['pessimistic', 'atomic4k'] as const) {
        const dev = new PowerLossBlockDevice({ image, crashAtOp: k });
        try {
          fsck(dev, { repair: true });
        } catch (e) {
          if (!(e instanceof PowerCutError)) throw e;
        }
        dev.cutPower();
        const after = dev.survivor(model, k);
        const where = `repair cut at op ${k} of ${total}, ${model}, crash seed ${k}`;
        expect(firstDifference(readAll(openRig(after)), content), where).toBe(-1);
        expect(fsck(after, { repair: true }).clean, where).toBe(true);
      }
    }
  });
});
