import type { FrameSource } from '@phantasm/mmu';
import { OutOfFramesError } from '../errors.js';

/**
 * A stack of 4 KiB frames over a physical range, for hosts without physalloc (tools, tests).
 * The kernel passes physalloc's allocator instead; both satisfy the mmu FrameSource contract.
 */
export class RangeFrameSource implements FrameSource {
  private readonly free: number[] = [];

  constructor(start: number, end: number) {
    if (start % 4096 !== 0 || end % 4096 !== 0 || end < start) {
      throw new RangeError(`frame range 0x${start.toString(16)}-0x${end.toString(16)} is not page aligned`);
    }
    for (let a = end - 4096; a >= start; a -= 4096) this.free.push(a);
  }

  get available(): number {
    return this.free.length;
  }

  allocFrame(): number {
    const f = this.free.pop();
    if (f === undefined) throw new OutOfFramesError('no free frame left in the range');
    return f;
  }

  freeFrame(physical: number): void {
    this.free.push(physical);
  }
}
