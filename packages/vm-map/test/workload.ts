// A deterministic workload of writes, pageouts, reclaims and snapshots, with a model of what each
// snapshot must contain. Client state of snapshot i starts with i (u32), so recovery can say which
// snapshot it found.
import { type BlockDevice, PowerCutError, Prng } from '../src/index.js';
import { BASE, openRig, PAGE, type Rig } from './harness.js';

export const PAGES = 24;

export interface WorkloadResult {
  /** Snapshots whose commit returned before the power cut (the formatted disk is snapshot 0). */
  completed: number;
  cut: boolean;
}

export interface Expected {
  /** models[i] = object space bytes of snapshot i; states[i] its client state. */
  models: Uint8Array[];
  states: Uint8Array[];
}

export function stateFor(index: number, rng: Prng): Uint8Array {
  const s = new Uint8Array(8 + rng.below(40));
  rng.fill(s);
  new DataView(s.buffer).setUint32(0, index, true);
  return s;
}

export function snapshotIndexOf(state: Uint8Array): number {
  if (state.length < 4) return 0;
  return new DataView(state.buffer, state.byteOffset).getUint32(0, true);
}

/**
 * Run `snapshots` rounds on an already formatted `device` (its space holds `startModel`, snapshot
 * `startIndex`; the space's size is startModel's). Fills `expected` when given. Stops quietly at a PowerCutError.
 */
export function runWorkload(
  device: BlockDevice,
  seed: number,
  snapshots: number,
  expected?: Expected,
  startIndex = 0,
  startModel: Uint8Array = new Uint8Array(PAGES * PAGE),
): WorkloadResult {
  const rng = new Prng(seed);
  const model = startModel.slice();
  const pages = model.length / PAGE;
  let completed = startIndex;
  let rig: Rig | undefined;
  try {
    rig = openRig(device, { frames: 64, maxResidentPages: 5 + rng.below(6) });
    const mmu = rig.mmu;
    const write = (at: number, data: Uint8Array) => {
      mmu.write(BASE + at, data);
      model.set(data, at);
    };
    const randomWrites = (n: number) => {
      for (let i = 0; i < n; i++) {
        const kind = rng.below(10);
        if (kind === 0) {
          // A whole page of zeros: exercises zero-page elision.
          write(rng.below(pages) * PAGE, new Uint8Array(PAGE));
        } else if (kind === 1) {
          const data = new Uint8Array(PAGE + rng.below(PAGE));
          rng.fill(data);
          write(rng.below(pages * PAGE - data.length), data);
        } else {
          const data = new Uint8Array(1 + rng.below(64));
          rng.fill(data);
          write(rng.below(pages * PAGE - data.length), data);
        }
      }
    };
    for (let s = startIndex + 1; s <= startIndex + snapshots; s++) {
      randomWrites(2 + rng.below(10));
      if (rng.chance(0.5)) rig.space.pageoutStep(rng.below(4));
      if (rng.chance(0.3)) rig.space.reclaim(rng.below(4));
      const state = stateFor(s, rng);
      if (rng.chance(0.5)) {
        rig.space.pageoutStep(Number.POSITIVE_INFINITY);
        // Dirt at the pause: these pages are copied on write if the world writes them before the walk.
        randomWrites(rng.below(4));
        const job = rig.space.beginSnapshot(state);
        if (expected) record(expected, s, model, state);
        // The world runs between the walk's steps: copy-on-write and fresh dirt.
        while (!job.done) {
          job.step(1 + rng.below(8));
          randomWrites(rng.below(3));
        }
      } else {
        if (expected) record(expected, s, model, state);
        rig.space.snapshot(state);
      }
      completed = s;
    }
    randomWrites(3);
    rig.space.pageoutStep(Number.POSITIVE_INFINITY);
    return { completed, cut: false };
  } catch (e) {
    if (e instanceof PowerCutError) return { completed, cut: true };
    throw e;
  }
}

function record(expected: Expected, index: number, model: Uint8Array, state: Uint8Array): void {
  expected.models[index] = model.slice();
  expected.states[index] = state.slice();
}

/** Index of the first differing byte, or -1. */
export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}
