// The machine's frame allocator: a main arena (RAM from 1 MiB up) and a low arena (below 1 MiB,
// for vm86 and devices). The main arena never hands out a frame below 1 MiB.
import { type ArenaStats, type ContiguousOptions, PAGE_SIZE, PhysArena } from './arena.js';
import { AddressRangeError } from './errors.js';
import {
  MAX_FRAME,
  type MemoryMapEntry,
  PC_RESERVED,
  type ReservedRange,
  usableFrames,
} from './memory-map.js';

/** First frame of the main arena: 1 MiB. */
export const LOW_FRAMES = 256;

export interface PhysAllocatorOptions {
  /** The kernel image [start, end) in bytes: reserved. */
  kernelImage?: { start: number; end: number };
  /** More reserved byte ranges (added to the BIOS data area and the 640 KiB - 1 MiB hole). */
  reserved?: readonly ReservedRange[];
}

export interface PhysStats {
  main: ArenaStats;
  low: ArenaStats;
}

/** Also a FrameSource for @phantasm/mmu page-table editors (allocFrame / freeFrame, main arena). */
export class PhysAllocator {
  readonly main: PhysArena;
  readonly low: PhysArena;

  constructor(map: readonly MemoryMapEntry[], options: PhysAllocatorOptions = {}) {
    const reserved: ReservedRange[] = [...PC_RESERVED, ...(options.reserved ?? [])];
    if (options.kernelImage) {
      const { start, end } = options.kernelImage;
      reserved.push({ base: start, length: Math.max(0, end - start), label: 'kernel image' });
    }
    const frames = usableFrames(map, reserved);
    const top = Math.min(
      MAX_FRAME,
      frames.reduce((max, [, e]) => Math.max(max, e), LOW_FRAMES),
    );
    this.low = new PhysArena('low', 0, LOW_FRAMES, frames);
    this.main = new PhysArena('main', LOW_FRAMES, top - LOW_FRAMES, frames);
  }

  /** One frame of main RAM. */
  alloc(): number {
    return this.main.alloc();
  }

  /** `n` contiguous frames of main RAM; use `low.allocContiguous` for memory below 1 MiB. */
  allocContiguous(n: number, options?: ContiguousOptions): number {
    return this.main.allocContiguous(n, options);
  }

  /** Frees frames of either arena; the address decides which. */
  free(address: number, n?: number): void {
    // Below 1 MiB is the low arena; each arena rejects addresses outside itself.
    (address < LOW_FRAMES * PAGE_SIZE ? this.low : this.main).free(address, n);
  }

  reserve(address: number, n = 1): void {
    this.arenaFor(address).reserve(address, n);
  }

  allocFrame(): number {
    return this.main.alloc();
  }

  freeFrame(physical: number): void {
    this.main.free(physical);
  }

  arenaFor(address: number): PhysArena {
    if (this.low.contains(address)) return this.low;
    if (this.main.contains(address)) return this.main;
    throw new AddressRangeError(address, `outside physical memory (0x0-0x${this.main.end.toString(16)})`);
  }

  stats(): PhysStats {
    return { main: this.main.stats(), low: this.low.stats() };
  }

  check(): string | undefined {
    return this.low.check() ?? this.main.check();
  }

  static readonly pageSize = PAGE_SIZE;
}
