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
