// Reading snapshots back: both superblock slots, then the trees a superblock points to, verified.
import { BLOCK_SIZE, type BlockDevice } from '../device/block-device.js';
import { FormatError } from '../errors.js';
import { decodeSuperblock, SUPERBLOCK_SLOTS, type Superblock } from './layout.js';
import { readBlob, readTree } from './tree.js';

export interface SlotInfo {
  slot: number;
  superblock?: Superblock;
  /** Why the slot holds no usable superblock. */
  problem?: string;
}

export interface LoadedSnapshot {
  slot: number;
  superblock: Superblock;
  /** Page references, two words per page: block (0 = zero page), crc32c. */
  pages: Uint32Array;
  state: Uint8Array;
  bitmap: Uint8Array;
  /** Blocks of the page tree and of the state blob. */
  metaBlocks: number[];
  /** Blocks of the bitmap blob (not recorded in the bitmap itself). */
  bitmapBlocks: number[];
}

/** Decode both superblock slots; never throws for damaged contents. */
export function readSlots(device: BlockDevice): SlotInfo[] {
  const buf = new Uint8Array(BLOCK_SIZE);
  const slots: SlotInfo[] = [];
  for (let slot = 0; slot < SUPERBLOCK_SLOTS; slot++) {
    device.read(slot, buf);
    const sb = decodeSuperblock(buf);
    if (typeof sb === 'string') slots.push({ slot, problem: sb });
    else {
      const bad = sanityProblem(sb, slot);
      slots.push(bad ? { slot, problem: bad } : { slot, superblock: sb });
    }
  }
  return slots;
}

/** Valid superblocks, newest generation first. */
export function candidates(slots: SlotInfo[]): Required<Pick<SlotInfo, 'slot' | 'superblock'>>[] {
  return slots
    .filter((s): s is SlotInfo & { superblock: Superblock } => s.superblock !== undefined)
    .map((s) => ({ slot: s.slot, superblock: s.superblock }))
    .sort((a, b) => b.superblock.generation - a.superblock.generation);
}

function sanityProblem(sb: Superblock, slot: number): string | undefined {
  if (sb.generation % SUPERBLOCK_SLOTS !== slot)
    return `generation ${sb.generation} does not belong in slot ${slot}`;
  if (sb.pageCount === 0) return 'page count is 0';
  if (sb.blockCount < SUPERBLOCK_SLOTS) return `block count ${sb.blockCount} is below ${SUPERBLOCK_SLOTS}`;
  if (sb.baseAddress % BLOCK_SIZE !== 0)
    return `base address 0x${sb.baseAddress.toString(16)} is not page aligned`;
  if (sb.bitmapBytes > Math.ceil(sb.blockCount / 8))
    return `bitmap of ${sb.bitmapBytes} bytes exceeds the block count`;
  return undefined;
}

/** Read and verify everything a superblock points to except the data pages. Throws on damage. */
export function loadSnapshot(device: BlockDevice, slot: number, sb: Superblock): LoadedSnapshot {
  const limit = sb.blockCount;
  const metaBlocks: number[] = [];
  const bitmapBlocks: number[] = [];
  const meta = (b: number) => metaBlocks.push(b);
  const gen = `generation ${sb.generation}`;
  const pages = readTree(device, sb.pages, sb.pageCount, `page list of ${gen}`, limit, meta);
  for (let p = 0; p < sb.pageCount; p++) {
    const block = pages[p * 2];
    if (block !== 0 && (block < SUPERBLOCK_SLOTS || block >= limit)) {
      throw new FormatError(
        `page list of ${gen}: page ${p} refers to block ${block}, outside 2..${limit - 1}`,
      );
    }
  }
  const state = readBlob(device, sb.state, sb.stateBytes, `client state of ${gen}`, limit, meta).slice();
  const bitmap = readBlob(device, sb.bitmap, sb.bitmapBytes, `bitmap of ${gen}`, limit, (b) =>
    bitmapBlocks.push(b),
  ).slice();
  return { slot, superblock: sb, pages, state, bitmap, metaBlocks, bitmapBlocks };
}
