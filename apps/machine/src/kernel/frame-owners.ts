// Who holds each physical frame, for the memory-map picture: every frame source the kernel hands
// to a package (page tables, kernel heap, object space, vm86) is wrapped so that its frames are
// tagged as they come and go. physalloc itself stays the single allocator.
import type { FrameSource } from '@phantasm/mmu';
import type { PhysicalOwner } from './types.js';

export const OWNER_CODES: readonly PhysicalOwner[] = [
  'free',
  'bios',
  'low-free',
  'vm86',
  'kernel-image',
  'page-tables',
  'kernel-heap',
  'object-space',
];
const code = (owner: PhysicalOwner) => OWNER_CODES.indexOf(owner);

export class FrameOwners {
  /** One byte per 4 KiB frame of RAM: an index into OWNER_CODES (0 = not handed out). */
  readonly owners: Uint8Array;

  constructor(ramBytes: number) {
    this.owners = new Uint8Array(Math.ceil(ramBytes / 4096));
  }

  mark(start: number, end: number, owner: PhysicalOwner): void {
    this.owners.fill(code(owner), start >>> 12, Math.min(this.owners.length, Math.ceil(end / 4096)));
  }

  /** A FrameSource that tags what it hands out with `owner` and clears the tag on return. */
  tagged(source: FrameSource, owner: PhysicalOwner): FrameSource {
    const owners = this.owners;
    const c = code(owner);
    return {
      allocFrame: () => {
        const frame = source.allocFrame();
        owners[frame >>> 12] = c;
        return frame;
      },
      freeFrame: (frame: number) => {
        source.freeFrame(frame);
        owners[frame >>> 12] = 0;
      },
    };
  }

  /** Low-memory arena (vm86): contiguous runs tagged the same way. */
  taggedLow<T extends { allocContiguous(n: number): number; free(address: number, n?: number): void }>(
    arena: T,
    owner: PhysicalOwner,
  ): { allocContiguous(n: number): number; free(address: number, n?: number): void } {
    return {
      allocContiguous: (n: number) => {
        const at = arena.allocContiguous(n);
        this.mark(at, at + n * 4096, owner);
        return at;
      },
      free: (address: number, n = 1) => {
        arena.free(address, n);
        this.mark(address, address + n * 4096, 'low-free');
      },
    };
  }
}
