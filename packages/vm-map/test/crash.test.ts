// Crash-point enumeration: run a workload once to count its device operations, then cut the power at
// every operation in turn, let the crash model decide the fate of unflushed writes, recover, and check
// that the object space is exactly snapshot N or N+1 (byte for byte, with its client state) and that
// fsck finds nothing wrong. A sample of crash points also cuts the power again inside the recovery
// and the first commit after it. VMMAP_CRASH_SWEEP=<n> multiplies the number of workload seeds.
import { describe, expect, it } from 'vitest';
import {
  type BlockDevice,
  type CrashModel,
  fsck,
  MemoryBlockDevice,
  PowerLossBlockDevice,
} from '../src/index.js';
import { BASE, formatRig, openRig, PAGE, readAll } from './harness.js';
import { type Expected, firstDifference, PAGES, runWorkload, snapshotIndexOf } from './workload.js';

const SWEEP = Math.max(1, Number(process.env.VMMAP_CRASH_SWEEP ?? 1) || 1);
const SNAPSHOTS = 7;
const NESTED_EVERY = 37;

function formattedImage(pages = PAGES): Map<number, Uint8Array> {
  const dev = new MemoryBlockDevice();
  formatRig(dev, pages).space.close();
  return dev.snapshotBlocks();
}

/** Open `device` and check it holds snapshot `completed` or `completed + 1` exactly. Returns the index. */
function verifyRecovery(device: BlockDevice, expected: Expected, completed: number, where: string): number {
  let index: number;
  try {
    const rig = openRig(device, { frames: 64, maxResidentPages: 6 });
    index = snapshotIndexOf(rig.space.clientState);
    if (index !== completed && index !== completed + 1) {
      throw new Error(`recovered snapshot ${index}, expected ${completed} or ${completed + 1}`);
    }
    const want = expected.models[index];
    const got = readAll(rig);
    const diff = firstDifference(got, want);
    if (diff >= 0) {
      throw new Error(
        `snapshot ${index} differs at offset 0x${diff.toString(16)} (page ${Math.floor(diff / PAGE)}): ` +
          `got ${got[diff]}, want ${want[diff]}`,
      );
    }
    if (firstDifference(rig.space.clientState, expected.states[index]) >= 0) {
      throw new Error(`client state of snapshot ${index} differs`);
    }
    rig.space.close();
    const report = fsck(device);
    if (!report.clean) throw new Error(`fsck: ${report.errors.join('; ')}`);
  } catch (e) {
    throw new Error(`${where}: ${(e as Error).message}`, { cause: e });
  }
  return index;
}

function sweep(
  model: CrashModel,
  seed: number,
  image: Map<number, Uint8Array>,
  pages = PAGES,
  snapshots = SNAPSHOTS,
  nestedEvery = NESTED_EVERY,
): number {
  const start = new Uint8Array(pages * PAGE);
  const expected: Expected = { models: [start], states: [new Uint8Array(0)] };
  const counting = new PowerLossBlockDevice({ image });
  const full = runWorkload(counting, seed, snapshots, expected, 0, start);
  expect(full.completed).toBe(snapshots);
  const total = counting.operationCount;
  let points = 0;
  for (let k = 0; k <= total; k++) {
    const dev = new PowerLossBlockDevice({ image, crashAtOp: k });
    const run = runWorkload(dev, seed, snapshots, undefined, 0, start);
    dev.cutPower();
    const crashSeed = seed * 100_003 + k;
    const where = `model ${model}, workload seed ${seed}, crash at op ${k} of ${total}, crash seed ${crashSeed}`;
    const survivorImage = dev.survivingImage(model, crashSeed);
    const recovered = verifyRecovery(
      MemoryBlockDevice.fromBlocks(survivorImage),
      expected,
      run.completed,
      where,
    );
    points++;
    if (k % nestedEvery === nestedEvery - 1)
      points += nested(model, seed, k, survivorImage, recovered, expected);
  }
  return points;
}

/** Cut the power again at every operation of recovery plus two more snapshots. */
function nested(
  model: CrashModel,
  seed: number,
  k: number,
  image: Map<number, Uint8Array>,
  recovered: number,
  first: Expected,
): number {
  const seed2 = seed * 7919 + k;
  const expected: Expected = { models: first.models.slice(), states: first.states.slice() };
  const counting = new PowerLossBlockDevice({ image });
  runWorkload(counting, seed2, 2, expected, recovered, first.models[recovered]);
  const total = counting.operationCount;
  let points = 0;
  for (let j = 0; j <= total; j++) {
    const dev = new PowerLossBlockDevice({ image, crashAtOp: j });
    const run = runWorkload(dev, seed2, 2, undefined, recovered, first.models[recovered]);
    dev.cutPower();
    const crashSeed = seed2 * 31 + j;
    const where =
      `model ${model}, workload seed ${seed}, first crash at op ${k}, recovery workload seed ${seed2}, ` +
      `second crash at op ${j} of ${total}, crash seed ${crashSeed}`;
    verifyRecovery(dev.survivor(model, crashSeed), expected, run.completed, where);
    points++;
  }
  return points;
}

describe('crash-point enumeration', () => {
  const image = formattedImage();
  for (const model of ['pessimistic', 'atomic4k'] as CrashModel[]) {
    it(
      `every crash point recovers exactly snapshot N or N+1 (${model} model)`,
      () => {
        let points = 0;
        const seeds = (model === 'pessimistic' ? 7 : 5) * SWEEP;
        for (let s = 1; s <= seeds; s++)
          points += sweep(model, s * 1009 + (model === 'atomic4k' ? 1 : 0), image);
        console.log(`${model}: ${points} crash points verified`);
        expect(points).toBeGreaterThanOrEqual(model === 'pessimistic' ? 1200 : 800);
      },
      60_000 * SWEEP,
    );
  }

  it(
    'every crash point recovers N or N+1 with a two-level page list (700 pages)',
    () => {
      const big = formattedImage(700);
      let points = 0;
      for (const model of ['pessimistic', 'atomic4k'] as CrashModel[]) {
        for (let s = 1; s <= 2 * SWEEP; s++) points += sweep(model, 50_000 + s, big, 700, 3, 1_000_000);
      }
      console.log(`two-level page list: ${points} crash points verified`);
      expect(points).toBeGreaterThan(150);
    },
    60_000 * SWEEP,
  );

  it('the counting run touches every kind of operation', () => {
    const counting = new PowerLossBlockDevice({ image });
    runWorkload(counting, 1009, SNAPSHOTS);
    expect(counting.stats.reads).toBeGreaterThan(0);
    expect(counting.stats.writes).toBeGreaterThan(0);
    expect(counting.stats.flushes).toBeGreaterThanOrEqual(2 * SNAPSHOTS);
  });

  it('a crash after unflushed writes really loses or tears them (the model is not a no-op)', () => {
    const dev = new PowerLossBlockDevice({ image });
    const rig = openRig(dev);
    rig.mmu.write(BASE, new Uint8Array(PAGE).fill(0xaa));
    rig.space.pageoutStep(1);
    expect(dev.pendingWrites).toBe(1);
    const outcomes = new Set<string>();
    for (let seed = 0; seed < 40; seed++) {
      const survivor = dev.survivingImage('pessimistic', seed);
      const blocks = [...survivor.entries()].filter(([n]) => n >= 2 && !image.has(n));
      const data = blocks[0]?.[1];
      if (!data) outcomes.add('dropped');
      else if (data.every((b) => b === 0xaa)) outcomes.add('applied');
      else outcomes.add('torn');
    }
    expect([...outcomes].sort()).toEqual(['applied', 'dropped', 'torn']);
  });
});
