// An idealized allocator used as a yardstick for space, never as a heap: exact best fit over an
// address-ordered list of holes, with immediate coalescing and metadata kept outside the arena (a JS
// array), so its only overheads are the ones it is told to model. It is O(holes) per malloc, which
// is fine for a yardstick and the reason no real allocator works this way.
import type { Allocator } from './workloads.js';

export interface BestFitOptions {
  /** Bytes added to every request (a block header); 0 models an allocator with no per-block cost. */
  header?: number;
  /** Bytes at the start of the arena that are never handed out (a control block, a sentinel). */
  reserved?: number;
  /** Smallest block; a hole that would leave less than this is handed out whole. */
  minBlock?: number;
}

const GRANULE = 8;
/** Pointers are offsets plus this, so that 0 can mean "failed". */
const BASE = 0x1000;

export class BestFitModel implements Allocator {
  private readonly header: number;
  private readonly minBlock: number;
  private readonly holeStart: number[] = [];
  private readonly holeSize: number[] = [];
  private readonly blockSize = new Map<number, number>();

  constructor(arena: number, options: BestFitOptions = {}) {
    this.header = options.header ?? 0;
    this.minBlock = options.minBlock ?? GRANULE;
    const reserved = options.reserved ?? 0;
    this.holeStart.push(reserved);
    this.holeSize.push(Math.floor((arena - reserved) / GRANULE) * GRANULE);
  }

  malloc(size: number): number {
    const need = Math.max(this.minBlock, Math.ceil((size + this.header) / GRANULE) * GRANULE);
    let best = -1;
    let bestSize = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.holeSize.length; i++) {
      const s = this.holeSize[i];
      if (s >= need && s < bestSize) {
        best = i;
        bestSize = s;
      }
    }
    if (best < 0) return 0;
    const start = this.holeStart[best];
    if (bestSize - need < this.minBlock) {
      this.holeStart.splice(best, 1);
      this.holeSize.splice(best, 1);
      this.blockSize.set(start, bestSize);
    } else {
      this.holeStart[best] = start + need;
      this.holeSize[best] = bestSize - need;
      this.blockSize.set(start, need);
    }
    return BASE + start + this.header;
  }

  free(pointer: number): void {
    const start = pointer - this.header - BASE;
    let size = this.blockSize.get(start);
    if (size === undefined) throw new Error(`BestFitModel: ${pointer} is not a live block`);
    this.blockSize.delete(start);
    // First hole above the block (binary search on the address-ordered list).
    let lo = 0;
    let hi = this.holeStart.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.holeStart[mid] < start) lo = mid + 1;
      else hi = mid;
    }
    if (lo < this.holeStart.length && this.holeStart[lo] === start + size) {
      size += this.holeSize[lo];
      this.holeStart.splice(lo, 1);
      this.holeSize.splice(lo, 1);
    }
    if (lo > 0 && this.holeStart[lo - 1] + this.holeSize[lo - 1] === start) {
      this.holeSize[lo - 1] += size;
      return;
    }
    this.holeStart.splice(lo, 0, start);
    this.holeSize.splice(lo, 0, size);
  }
}
