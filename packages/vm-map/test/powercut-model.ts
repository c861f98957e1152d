import { Prng } from '../src/index.js';

export const POWERCUT_BASE = 0x8000_0000;
export const POWERCUT_PAGES = 48;

/** The writes of round `round` (a pure function of seed and round). */
export function applyRound(seed: number, round: number, write: (at: number, data: Uint8Array) => void): void {
  const rng = new Prng(seed * 100_000 + round);
  const n = 3 + rng.below(12);
  for (let i = 0; i < n; i++) {
    const data = new Uint8Array(1 + rng.below(6000));
    rng.fill(data);
    write(rng.below(POWERCUT_PAGES * 4096 - data.length), data);
  }
}

export function roundOf(state: Uint8Array): number {
  return state.length >= 4 ? new DataView(state.buffer, state.byteOffset).getUint32(0, true) : 0;
}

/** Contents of the space after rounds 1..n, computed incrementally (rounds only grow in the test). */
export class RoundModel {
  private readonly bytes = new Uint8Array(POWERCUT_PAGES * 4096);
  private round = 0;

  constructor(private readonly seed: number) {}

  after(n: number): Uint8Array {
    if (n < this.round) throw new RangeError(`model is at round ${this.round}, cannot go back to ${n}`);
    for (; this.round < n; ) applyRound(this.seed, ++this.round, (at, data) => this.bytes.set(data, at));
    return this.bytes;
  }
}
