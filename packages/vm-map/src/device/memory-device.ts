import { BlockDeviceError } from '../errors.js';
import { BLOCK_SIZE, type BlockDevice, checkBlockArgs } from './block-device.js';

/** A device held in memory: a sparse map of blocks. Writes are durable at once. */
export class MemoryBlockDevice implements BlockDevice {
  readonly blockSize = BLOCK_SIZE;
  private readonly blocks = new Map<number, Uint8Array>();
  private count = 0;
  private closed = false;

  /** Copy of another device's blocks, e.g. the surviving image after a simulated power cut. */
  static fromBlocks(blocks: ReadonlyMap<number, Uint8Array>): MemoryBlockDevice {
    const dev = new MemoryBlockDevice();
    for (const [n, data] of blocks) dev.write(n, data);
    return dev;
  }

  get blockCount(): number {
    return this.count;
  }

  read(block: number, into: Uint8Array): void {
    this.check('read', block, into);
    const data = this.blocks.get(block);
    if (data) into.set(data);
    else into.fill(0);
  }

  write(block: number, data: Uint8Array): void {
    this.check('write', block, data);
    this.blocks.set(block, data.slice());
    if (block >= this.count) this.count = block + 1;
  }

  flush(): void {
    if (this.closed) throw new BlockDeviceError('flush: device is closed');
  }

  close(): void {
    this.closed = true;
  }

  /** The stored blocks (shared, do not modify); for tests that corrupt or copy images. */
  snapshotBlocks(): Map<number, Uint8Array> {
    const copy = new Map<number, Uint8Array>();
    for (const [n, data] of this.blocks) copy.set(n, data.slice());
    return copy;
  }

  /** Direct access for tests that damage the image (bypasses nothing but the copy). */
  peek(block: number): Uint8Array | undefined {
    return this.blocks.get(block);
  }

  private check(op: string, block: number, buf: Uint8Array): void {
    if (this.closed) throw new BlockDeviceError(`${op} of block ${block}: device is closed`);
    checkBlockArgs(op, block, buf);
  }
}
