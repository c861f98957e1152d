// In-memory ownership of every block, from which the allocator and the on-disk bitmap are derived.
// A block may belong to several things at once (a data page unchanged across snapshots):
//   PREV  - referenced by the snapshot before the newest committed one (kept as a fallback)
//   LAST  - referenced by the newest committed snapshot
//   BUILD - referenced by the snapshot being built
//   VOLATILE - a page copy written since the last snapshot, referenced by no snapshot yet
// A block with no owner is free. Invariant: a block referenced by either durable superblock always has
// PREV or LAST, so it is never handed out until a later commit has made both superblocks forget it.
import { MAX_BLOCKS } from '../device/block-device.js';
import { VmMapError } from '../errors.js';
import { FIRST_DATA_BLOCK } from './layout.js';

export const PREV = 1;
export const LAST = 2;
export const BUILD = 4;
export const VOLATILE = 8;

export class BlockMap {
  private owners: Uint8Array;
  private high: number;
  private cursor = FIRST_DATA_BLOCK;
  private used = 0;

  constructor(blockCount: number) {
    this.high = Math.max(FIRST_DATA_BLOCK, blockCount);
    this.owners = new Uint8Array(Math.max(1024, this.high * 2));
  }

  /** One past the highest block ever handed out. */
  get blockCount(): number {
    return this.high;
  }

  /** Blocks with at least one owner. */
  get usedBlocks(): number {
    return this.used;
  }

  add(block: number, bits: number): void {
    if (block < FIRST_DATA_BLOCK) return;
    this.ensure(block + 1);
    if (this.owners[block] === 0) this.used++;
    this.owners[block] |= bits;
  }

  remove(block: number, bits: number): void {
    if (block < FIRST_DATA_BLOCK || block >= this.high) return;
    const before = this.owners[block];
    const after = before & ~bits;
    this.owners[block] = after;
    if (before !== 0 && after === 0) {
      this.used--;
      if (block < this.cursor) this.cursor = block;
    }
  }

  /** A free block (lowest-addressed reuse first, then growth), now owned by `bits`. */
  allocate(bits: number): number {
    let b = this.cursor;
    while (b < this.high && this.owners[b] !== 0) b++;
    if (b === this.high) {
      this.cursor = b;
      if (b >= MAX_BLOCKS) throw new VmMapError(`device full: ${b} blocks in use`);
      this.ensure(b + 1);
    }
    this.owners[b] = bits;
    this.used++;
    this.cursor = b + 1;
    return b;
  }

  /** The bitmap stored with a snapshot: blocks owned by LAST or BUILD. */
  encodeBitmap(): Uint8Array {
    const out = new Uint8Array(Math.ceil(this.high / 8));
    const o = this.owners;
    for (let b = 0; b < this.high; b++) if (o[b] & (LAST | BUILD)) out[b >>> 3] |= 1 << (b & 7);
    return out;
  }

  /** After a commit is durable: the new snapshot becomes LAST, the old LAST becomes the fallback. */
  shiftAfterCommit(): void {
    const o = this.owners;
    for (let b = FIRST_DATA_BLOCK; b < this.high; b++) {
      const v = o[b];
      if (v === 0) continue;
      const n = (v & LAST ? PREV : 0) | (v & BUILD ? LAST : 0) | (v & VOLATILE);
      o[b] = n;
      if (n === 0) {
        this.used--;
        if (b < this.cursor) this.cursor = b;
      }
    }
  }

  private ensure(n: number): void {
    if (n > this.owners.length) {
      const grown = new Uint8Array(Math.max(n, this.owners.length * 2));
      grown.set(this.owners);
      this.owners = grown;
    }
    if (n > this.high) this.high = n;
  }
}

/** Is block `b` set in an on-disk bitmap? */
export function bitmapHas(bitmap: Uint8Array, b: number): boolean {
  return b >>> 3 < bitmap.length && (bitmap[b >>> 3] & (1 << (b & 7))) !== 0;
}
