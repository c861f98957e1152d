import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readSync,
  writeSync,
} from 'node:fs';
import { BlockDeviceError } from '../errors.js';
import { BLOCK_SIZE, type BlockDevice, checkBlockArgs } from './block-device.js';

export interface FileBlockDeviceOptions {
  /** Create the file if it does not exist (default true). */
  create?: boolean;
  /** Grow the file to at least this many blocks when opening. */
  minBlocks?: number;
}

/** A device backed by a host file: pread/pwrite per block, fsync on flush. The file grows on demand. */
export class FileBlockDevice implements BlockDevice {
  readonly blockSize = BLOCK_SIZE;
  private fd: number;
  private count: number;

  constructor(
    readonly path: string,
    options: FileBlockDeviceOptions = {},
  ) {
    const exists = existsSync(path);
    if (!exists && options.create === false) throw new BlockDeviceError(`${path}: no such disk image`);
    try {
      this.fd = openSync(path, exists ? 'r+' : 'w+');
    } catch (e) {
      throw new BlockDeviceError(`${path}: cannot open disk image (${(e as Error).message})`);
    }
    const size = fstatSync(this.fd).size;
    this.count = Math.ceil(size / BLOCK_SIZE);
    if (options.minBlocks !== undefined && options.minBlocks > this.count) {
      ftruncateSync(this.fd, options.minBlocks * BLOCK_SIZE);
      this.count = options.minBlocks;
    }
  }

  get blockCount(): number {
    return this.count;
  }

  read(block: number, into: Uint8Array): void {
    this.check('read', block, into);
    let done = 0;
    while (done < BLOCK_SIZE) {
      const n = readSync(this.fd, into, done, BLOCK_SIZE - done, block * BLOCK_SIZE + done);
      if (n === 0) break;
      done += n;
    }
    // Past the end of the file: never-written blocks read as zeros.
    if (done < BLOCK_SIZE) into.fill(0, done);
  }

  write(block: number, data: Uint8Array): void {
    this.check('write', block, data);
    let done = 0;
    while (done < BLOCK_SIZE)
      done += writeSync(this.fd, data, done, BLOCK_SIZE - done, block * BLOCK_SIZE + done);
    if (block >= this.count) this.count = block + 1;
  }

  /** Consecutive blocks in one pwrite: far fewer system calls for the pageout of adjacent blocks. */
  writeRun(first: number, data: Uint8Array): void {
    const n = data.length / BLOCK_SIZE;
    this.check('write', first + n - 1, data.subarray(0, BLOCK_SIZE));
    checkBlockArgs('write', first, data.subarray(0, BLOCK_SIZE));
    let done = 0;
    while (done < data.length)
      done += writeSync(this.fd, data, done, data.length - done, first * BLOCK_SIZE + done);
    if (first + n > this.count) this.count = first + n;
  }

  flush(): void {
    this.checkOpen('flush');
    fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd < 0) return;
    closeSync(this.fd);
    this.fd = -1;
  }

  private checkOpen(op: string): void {
    if (this.fd < 0) throw new BlockDeviceError(`${op}: ${this.path} is closed`);
  }

  private check(op: string, block: number, buf: Uint8Array): void {
    this.checkOpen(op);
    checkBlockArgs(op, block, buf);
  }
}
