// A small FrameSource over a physical range, for tests, tools and boards without physalloc.
import type { FrameSource } from './contract.js';
import { AddressRangeError, InvalidArgumentError, UnalignedAddressError } from './errors.js';

/** Hands out 4 KiB frames from [start, end): freed frames first (LIFO), then bump allocation. */
export class BumpFrameSource implements FrameSource {
  declare private next: number;
  private readonly freed: number[] = [];
  private readonly outstanding = new Set<number>();

  constructor(
    readonly start: number,
    readonly end: number,
  ) {
    if (start % 4096 !== 0) throw new UnalignedAddressError(start, 4096, 'frame range start');
    if (end % 4096 !== 0) throw new UnalignedAddressError(end, 4096, 'frame range end');
    if (end < start)
      throw new InvalidArgumentError(`frame range end 0x${end.toString(16)} is below its start`);
    this.next = start;
  }

  allocFrame(): number {
    let frame = this.freed.pop();
    if (frame === undefined) {
      if (this.next >= this.end) throw new AddressRangeError(this.next, 'frame source exhausted');
      frame = this.next;
      this.next += 4096;
    }
    this.outstanding.add(frame);
    return frame;
  }

  freeFrame(physical: number): void {
    if (!this.outstanding.delete(physical)) {
      throw new AddressRangeError(physical, 'freeFrame of a frame this source did not hand out');
    }
    this.freed.push(physical);
  }

  /** Frames handed out and not yet freed. */
  get allocated(): number {
    return this.outstanding.size;
  }
}
