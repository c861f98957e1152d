// Low memory (< 1 MiB) for the monitor's own window and for call buffers. A PhysArena from
// @phantasm/physalloc (`phys.low`) fits the interface; without one the monitor manages a fixed
// region itself.
import { Vm86ConfigError } from './errors.js';

export const PAGE = 4096;
/** v86 code can address at most FFFF:FFFF = 0x10FFEF; buffers and the window must lie below 1 MiB. */
export const ONE_MIB = 0x100000;

/** What the monitor needs from a frame allocator: runs of whole 4 KiB pages below 1 MiB. */
export interface LowArena {
  allocContiguous(n: number): number;
  free(address: number, n?: number): void;
}

/** First-fit page allocator over a fixed range; used when no low arena is supplied. */
export class FixedLowArena implements LowArena {
  private readonly used: Uint8Array;

  constructor(
    readonly start: number,
    readonly end: number,
  ) {
    if (start % PAGE !== 0 || end % PAGE !== 0 || start >= end || end > ONE_MIB) {
      throw new Vm86ConfigError(
        `low region 0x${start.toString(16)}-0x${end.toString(16)} must be page-aligned and below 1 MiB`,
      );
    }
    this.used = new Uint8Array((end - start) / PAGE);
  }

  allocContiguous(n: number): number {
    let run = 0;
    for (let i = 0; i < this.used.length; i++) {
      run = this.used[i] ? 0 : run + 1;
      if (run === n) {
        const first = i - n + 1;
        this.used.fill(1, first, i + 1);
        return this.start + first * PAGE;
      }
    }
    throw new Vm86ConfigError(`no ${n} contiguous free pages left in the low region`);
  }

  free(address: number, n = 1): void {
    const first = (address - this.start) / PAGE;
    if (!Number.isInteger(first) || first < 0 || first + n > this.used.length) {
      throw new Vm86ConfigError(`0x${address.toString(16)} was not allocated from the low region`);
    }
    this.used.fill(0, first, first + n);
  }
}

/** A buffer in low memory that real-mode code reaches as segment:offset. */
export interface LowBuffer {
  readonly physical: number;
  readonly size: number;
  /** Real-mode address: segment = physical >> 4, offset = physical & 0xF. */
  readonly segment: number;
  readonly offset: number;
}
