// A vm-map BlockDevice on a file of the Origin Private File System, through the synchronous access
// handle that dedicated workers get (reads and writes at an offset, flush = durable). The handle
// holds an exclusive lock on the file: a second tab cannot open the same disk while one runs it.
import { BLOCK_SIZE, type BlockDevice, BlockDeviceError } from '@phantasm/vm-map';

/** The part of FileSystemSyncAccessHandle used here (lib.dom lacks it; lib.webworker has it). */
export interface SyncAccessHandle {
  read(buffer: Uint8Array, options: { at: number }): number;
  write(buffer: Uint8Array, options: { at: number }): number;
  flush(): void;
  getSize(): number;
  close(): void;
}

/** How long to wait for another worker's lock on the file to go before giving up. */
const LOCK_WAIT_MS = 3000;

export class OpfsBlockDevice implements BlockDevice {
  readonly blockSize = BLOCK_SIZE;
  private count: number;
  private open = true;

  constructor(
    private readonly handle: SyncAccessHandle,
    readonly name: string,
  ) {
    this.count = Math.ceil(handle.getSize() / BLOCK_SIZE);
  }

  /** Open (creating it if absent) `name` in the origin's private file system. */
  static async open(name: string): Promise<OpfsBlockDevice> {
    const root = await navigator.storage.getDirectory();
    const file = await root.getFileHandle(name, { create: true });
    const sync = (file as unknown as { createSyncAccessHandle(): Promise<SyncAccessHandle> })
      .createSyncAccessHandle;
    if (typeof sync !== 'function') {
      throw new BlockDeviceError(`${name}: this browser has no synchronous OPFS access (a worker needs it)`);
    }
    // Right after a reload the old page's worker may still hold the file's lock for a moment.
    for (const deadline = performance.now() + LOCK_WAIT_MS; ; ) {
      try {
        return new OpfsBlockDevice(await sync.call(file), name);
      } catch (e) {
        const locked = (e as DOMException).name === 'NoModificationAllowedError';
        if (locked && performance.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          continue;
        }
        throw new BlockDeviceError(
          `${name}: cannot open the disk in the origin's private file system (${(e as Error).message})${locked ? '; is it open in another tab?' : ''}`,
        );
      }
    }
  }

  /** Delete `name` from the origin's private file system (absent is fine). */
  static async remove(name: string): Promise<void> {
    const root = await navigator.storage.getDirectory();
    try {
      await root.removeEntry(name);
    } catch (e) {
      if ((e as DOMException).name !== 'NotFoundError') throw e;
    }
  }

  get blockCount(): number {
    return this.count;
  }

  read(block: number, into: Uint8Array): void {
    this.check('read', block, into.length);
    const n = this.handle.read(into, { at: block * BLOCK_SIZE });
    // Past the end of the file: never-written blocks read as zeros.
    if (n < BLOCK_SIZE) into.fill(0, Math.max(0, n));
  }

  write(block: number, data: Uint8Array): void {
    this.check('write', block, data.length);
    this.writeAll(block, data);
  }

  writeRun(first: number, data: Uint8Array): void {
    if (data.length === 0 || data.length % BLOCK_SIZE !== 0) {
      throw new BlockDeviceError(
        `write of blocks from ${first}: ${data.length} bytes is not a positive multiple of ${BLOCK_SIZE}`,
      );
    }
    this.check('write', first, BLOCK_SIZE);
    this.writeAll(first, data);
  }

  flush(): void {
    this.checkOpen('flush');
    this.handle.flush();
  }

  close(): void {
    if (!this.open) return;
    this.handle.close();
    this.open = false;
  }

  private writeAll(first: number, data: Uint8Array): void {
    let done = 0;
    while (done < data.length) {
      const n = this.handle.write(data.subarray(done), { at: first * BLOCK_SIZE + done });
      if (n <= 0)
        throw new BlockDeviceError(`${this.name}: write of block ${first} made no progress (disk full?)`);
      done += n;
    }
    this.count = Math.max(this.count, first + data.length / BLOCK_SIZE);
  }

  private check(op: string, block: number, length: number): void {
    this.checkOpen(op);
    if (!Number.isInteger(block) || block < 0) {
      throw new BlockDeviceError(`${this.name}: ${op} of block ${block}: not a block number`);
    }
    if (length !== BLOCK_SIZE) {
      throw new BlockDeviceError(
        `${this.name}: ${op} of block ${block}: buffer is ${length} bytes, expected ${BLOCK_SIZE}`,
      );
    }
  }

  private checkOpen(op: string): void {
    if (!this.open) throw new BlockDeviceError(`${this.name}: ${op} after close`);
  }
}
