import { BlockDeviceError } from '../errors.js';

/** Every vm-map device uses 4 KiB blocks: one block holds one page. */
export const BLOCK_SIZE = 4096;
/** The unit a power cut may tear a block into (one disk sector). */
export const SECTOR_SIZE = 512;
/** Largest block number a device accepts (block numbers are stored as u32 on disk). */
export const MAX_BLOCKS = 0xffff_fff0;

/**
 * Synchronous block storage. Reads of blocks never written return zeros; writes may be cached
 * by the device until `flush`, after which every earlier write is durable.
 */
export interface BlockDevice {
  readonly blockSize: number;
  /** Number of blocks the device currently holds (one past the highest block ever written or sized). */
  readonly blockCount: number;
  /** Read one block into `into` (exactly blockSize bytes). */
  read(block: number, into: Uint8Array): void;
  /** Write one block from `data` (exactly blockSize bytes). Not durable until `flush`. */
  write(block: number, data: Uint8Array): void;
  /**
   * Optional: write `data.length / blockSize` consecutive blocks starting at `first` in one request
   * (same durability as that many writes). Use `writeBlocks`, which falls back to single writes.
   */
  writeRun?(first: number, data: Uint8Array): void;
  /** Make every earlier write durable. */
  flush(): void;
  close(): void;
}

export function checkBlockArgs(op: string, block: number, buffer: Uint8Array): void {
  if (!Number.isInteger(block) || block < 0 || block >= MAX_BLOCKS) {
    throw new BlockDeviceError(`${op}: block number ${block} is not in [0, ${MAX_BLOCKS})`);
  }
  if (buffer.length !== BLOCK_SIZE) {
    throw new BlockDeviceError(
      `${op} of block ${block}: buffer is ${buffer.length} bytes, expected ${BLOCK_SIZE}`,
    );
  }
}

/** Write consecutive blocks, as one request when the device supports it. */
export function writeBlocks(device: BlockDevice, first: number, data: Uint8Array): void {
  if (data.length % BLOCK_SIZE !== 0 || data.length === 0) {
    throw new BlockDeviceError(
      `write of blocks from ${first}: ${data.length} bytes is not a positive multiple of ${BLOCK_SIZE}`,
    );
  }
  if (device.writeRun) {
    device.writeRun(first, data);
    return;
  }
  for (let i = 0; i < data.length / BLOCK_SIZE; i++) {
    device.write(first + i, data.subarray(i * BLOCK_SIZE, (i + 1) * BLOCK_SIZE));
  }
}
