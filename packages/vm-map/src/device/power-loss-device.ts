import { BlockDeviceError, PowerCutError } from '../errors.js';
import { Prng } from '../prng.js';
import { BLOCK_SIZE, type BlockDevice, checkBlockArgs, SECTOR_SIZE } from './block-device.js';
import { MemoryBlockDevice } from './memory-device.js';

/**
 * What a power cut does to writes that were not yet flushed:
 * - `pessimistic`: in a random order, each pending write is applied, dropped, or torn (a random
 *   subset of its 512-byte sectors lands, the rest keep the old bytes). Later writes to a block may
 *   land before earlier ones.
 * - `atomic4k`: in a random order, each pending write is applied whole or dropped.
 */
export type CrashModel = 'pessimistic' | 'atomic4k';

export interface PowerLossOptions {
  /** Throw PowerCutError when this operation (0-based count of read/write/flush calls) starts. */
  crashAtOp?: number;
  /** Initial durable contents (copied). */
  image?: ReadonlyMap<number, Uint8Array>;
}

interface PendingWrite {
  block: number;
  data: Uint8Array;
}

/**
 * A device for crash tests in the style of SQLite's test6.c: it remembers unflushed writes and, at a
 * simulated power cut, keeps, drops or garbles each one. It counts every operation so that a test can
 * run a workload once to learn the count, then cut the power at each operation in turn.
 */
export class PowerLossBlockDevice implements BlockDevice {
  readonly blockSize = BLOCK_SIZE;
  private readonly durable = new Map<number, Uint8Array>();
  private pending: PendingWrite[] = [];
  private count = 0;
  private operations = 0;
  private cut = false;
  crashAtOp: number | undefined;
  readonly stats = { reads: 0, writes: 0, flushes: 0 };

  constructor(options: PowerLossOptions = {}) {
    this.crashAtOp = options.crashAtOp;
    if (options.image) {
      for (const [n, data] of options.image) {
        this.durable.set(n, data.slice());
        if (n >= this.count) this.count = n + 1;
      }
    }
  }

  /** Operations started so far (the next operation has this index). */
  get operationCount(): number {
    return this.operations;
  }

  get blockCount(): number {
    return this.count;
  }

  get pendingWrites(): number {
    return this.pending.length;
  }

  get powerCut(): boolean {
    return this.cut;
  }

  read(block: number, into: Uint8Array): void {
    this.begin('read', block, into);
    this.stats.reads++;
    for (let i = this.pending.length - 1; i >= 0; i--) {
      if (this.pending[i].block === block) {
        into.set(this.pending[i].data);
        return;
      }
    }
    const data = this.durable.get(block);
    if (data) into.set(data);
    else into.fill(0);
  }

  write(block: number, data: Uint8Array): void {
    this.begin('write', block, data);
    this.stats.writes++;
    this.pending.push({ block, data: data.slice() });
    if (block >= this.count) this.count = block + 1;
  }

  /** One operation; at a crash each block of the run is a separate pending write (applied, dropped or torn). */
  writeRun(first: number, data: Uint8Array): void {
    const n = data.length / BLOCK_SIZE;
    for (let i = 0; i < n; i++)
      checkBlockArgs('write', first + i, data.subarray(i * BLOCK_SIZE, (i + 1) * BLOCK_SIZE));
    this.begin('write', first, data.subarray(0, BLOCK_SIZE));
    this.stats.writes++;
    for (let i = 0; i < n; i++) {
      this.pending.push({ block: first + i, data: data.slice(i * BLOCK_SIZE, (i + 1) * BLOCK_SIZE) });
    }
    if (first + n > this.count) this.count = first + n;
  }

  flush(): void {
    this.begin('flush');
    this.stats.flushes++;
    for (const w of this.pending) this.durable.set(w.block, w.data);
    this.pending = [];
  }

  close(): void {}

  /** Cut the power now (if the scheduled cut has not already happened). Later operations throw. */
  cutPower(): void {
    this.cut = true;
  }

  /**
   * The image that survives the power cut: the durable blocks plus whatever the crash model lets
   * through from the pending writes, chosen by `seed`. Does not change this device.
   */
  survivingImage(model: CrashModel, seed: number): Map<number, Uint8Array> {
    const image = new Map<number, Uint8Array>();
    for (const [n, data] of this.durable) image.set(n, data.slice());
    const rng = new Prng(seed);
    const order = this.pending.slice();
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.below(i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (const w of order) {
      const fate = model === 'atomic4k' ? rng.below(2) : rng.below(3);
      if (fate === 0) image.set(w.block, w.data.slice());
      else if (fate === 2) {
        const torn = image.get(w.block)?.slice() ?? new Uint8Array(BLOCK_SIZE);
        for (let s = 0; s < BLOCK_SIZE; s += SECTOR_SIZE) {
          if (rng.chance(0.5)) torn.set(w.data.subarray(s, s + SECTOR_SIZE), s);
        }
        image.set(w.block, torn);
      }
    }
    return image;
  }

  /** The surviving image as a fresh in-memory device. */
  survivor(model: CrashModel, seed: number): MemoryBlockDevice {
    return MemoryBlockDevice.fromBlocks(this.survivingImage(model, seed));
  }

  private begin(op: string, block?: number, buf?: Uint8Array): void {
    if (this.crashAtOp !== undefined && this.operations === this.crashAtOp) this.cut = true;
    if (this.cut) throw new PowerCutError(this.operations);
    if (block !== undefined && buf !== undefined) checkBlockArgs(op, block, buf);
    else if (op !== 'flush') throw new BlockDeviceError(`${op}: missing arguments`);
    this.operations++;
  }
}
