// On-disk layout constants and the superblock codec. See README.md "Disk format".
import { crc32c } from '../crc32c.js';
import { BLOCK_SIZE } from '../device/block-device.js';

export const MAGIC = 'PHVMSNAP';
export const FORMAT_VERSION = 1;
/** Blocks 0 and 1 hold the two superblocks; generation g is written to slot g % 2. */
export const SUPERBLOCK_SLOTS = 2;
/** First block the allocator may hand out. */
export const FIRST_DATA_BLOCK = SUPERBLOCK_SLOTS;
/** A reference {block, crc} is 8 bytes; one tree block holds 512 of them. */
export const REF_BYTES = 8;
export const REFS_PER_BLOCK = BLOCK_SIZE / REF_BYTES;
/** Block number 0 in a reference means "all zeros, not stored" (block 0 is a superblock, never data). */
export const ZERO_BLOCK = 0;
const CRC_OFFSET = BLOCK_SIZE - 4;

/** The lowest generation above `newest` that belongs in superblock slot `slot`. */
export function generationForSlot(newest: number, slot: number): number {
  const next = newest + 1;
  return next % SUPERBLOCK_SLOTS === slot ? next : next + 1;
}

/** Root of a reference tree: the block of its top level, that block's checksum and the number of levels. */
export interface TreeRef {
  root: number;
  crc: number;
  depth: number;
}

export interface Superblock {
  generation: number;
  diskId: Uint8Array;
  baseAddress: number;
  pageCount: number;
  /** One past the highest block the format may reference. */
  blockCount: number;
  /** Milliseconds since the epoch when the snapshot was committed (informational). */
  committedAt: number;
  /** Tree of page references: entry i is {block, crc32c} of page i's data. */
  pages: TreeRef;
  /** Allocation bitmap blob (bit per block, 1 = in use by this snapshot or the one before it). */
  bitmap: TreeRef;
  bitmapBytes: number;
  /** Client state blob, saved with the snapshot. */
  state: TreeRef;
  stateBytes: number;
}

export function encodeSuperblock(sb: Superblock): Uint8Array {
  const buf = new Uint8Array(BLOCK_SIZE);
  const v = new DataView(buf.buffer);
  for (let i = 0; i < MAGIC.length; i++) buf[i] = MAGIC.charCodeAt(i);
  v.setUint32(8, FORMAT_VERSION, true);
  v.setUint32(12, BLOCK_SIZE, true);
  buf.set(sb.diskId.subarray(0, 16), 16);
  v.setBigUint64(32, BigInt(sb.generation), true);
  v.setUint32(40, sb.baseAddress, true);
  v.setUint32(44, sb.pageCount, true);
  v.setUint32(48, sb.blockCount, true);
  putTree(v, 52, sb.pages);
  putTree(v, 64, sb.bitmap);
  v.setUint32(76, sb.bitmapBytes, true);
  putTree(v, 80, sb.state);
  v.setUint32(92, sb.stateBytes, true);
  v.setBigUint64(96, BigInt(Math.floor(sb.committedAt)), true);
  v.setUint32(CRC_OFFSET, crc32c(buf, 0, 0, CRC_OFFSET), true);
  return buf;
}

/** Decode a superblock, or return the reason it cannot be used. */
export function decodeSuperblock(buf: Uint8Array): Superblock | string {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let allZero = true;
  for (let i = 0; i < BLOCK_SIZE; i++) {
    if (buf[i] !== 0) {
      allZero = false;
      break;
    }
  }
  if (allZero) return 'empty (never written)';
  const stored = v.getUint32(CRC_OFFSET, true);
  const actual = crc32c(buf, 0, 0, CRC_OFFSET);
  if (stored !== actual) {
    return `checksum mismatch (stored 0x${hex(stored)}, computed 0x${hex(actual)}): torn or damaged`;
  }
  for (let i = 0; i < MAGIC.length; i++) {
    if (buf[i] !== MAGIC.charCodeAt(i)) return 'not a vm-map superblock (bad magic)';
  }
  const version = v.getUint32(8, true);
  if (version !== FORMAT_VERSION) return `unsupported format version ${version}`;
  const blockSize = v.getUint32(12, true);
  if (blockSize !== BLOCK_SIZE) return `unsupported block size ${blockSize}`;
  return {
    diskId: buf.slice(16, 32),
    generation: Number(v.getBigUint64(32, true)),
    baseAddress: v.getUint32(40, true),
    pageCount: v.getUint32(44, true),
    blockCount: v.getUint32(48, true),
    pages: getTree(v, 52),
    bitmap: getTree(v, 64),
    bitmapBytes: v.getUint32(76, true),
    state: getTree(v, 80),
    stateBytes: v.getUint32(92, true),
    committedAt: Number(v.getBigUint64(96, true)),
  };
}

function putTree(v: DataView, at: number, t: TreeRef): void {
  v.setUint32(at, t.root, true);
  v.setUint32(at + 4, t.crc, true);
  v.setUint32(at + 8, t.depth, true);
}

function getTree(v: DataView, at: number): TreeRef {
  return { root: v.getUint32(at, true), crc: v.getUint32(at + 4, true), depth: v.getUint32(at + 8, true) };
}

function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}

export function isZero(buf: Uint8Array): boolean {
  // Word-wise scan: zero pages are common and worth skipping on disk.
  if ((buf.byteOffset & 3) === 0 && (buf.length & 3) === 0) {
    const w = new Uint32Array(buf.buffer, buf.byteOffset, buf.length >>> 2);
    for (let i = 0; i < w.length; i++) if (w[i] !== 0) return false;
    return true;
  }
  for (let i = 0; i < buf.length; i++) if (buf[i] !== 0) return false;
  return true;
}
