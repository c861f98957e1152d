// Reference trees: the one structure behind the page list, the allocation bitmap and the client state.
// A tree's leaves are 8-byte references {block u32, crc32c u32}; they are packed 512 to a block, the
// blocks' own references are packed the same way one level up, and so on until one block remains,
// whose reference lives in the superblock. Every checksum sits in the parent (a Merkle tree), so a
// block read back is verified against a value that was itself verified. A block of all zeros is not
// written: its reference is {0, 0}.
import { crc32c } from '../crc32c.js';
import { BLOCK_SIZE, type BlockDevice } from '../device/block-device.js';
import { ChecksumError, FormatError } from '../errors.js';
import { isZero, REFS_PER_BLOCK, type TreeRef, ZERO_BLOCK } from './layout.js';

/** Where a writer puts new blocks. */
export interface BlockSink {
  readonly device: BlockDevice;
  /** A block that no durable snapshot references. */
  allocate(): number;
}

/** Number of blocks on each level, leaves first: [entries, level-1 blocks, ..., 1]. */
export function levelSizes(count: number): number[] {
  const sizes = [count];
  if (count === 0) return sizes;
  let n = count;
  do {
    n = Math.ceil(n / REFS_PER_BLOCK);
    sizes.push(n);
  } while (n > 1);
  return sizes;
}

/** Write one block unless it is all zeros; returns its reference into `out[at]`, `out[at+1]`. */
export function writeBlock(sink: BlockSink, data: Uint8Array, out: Uint32Array, at: number): void {
  if (isZero(data)) {
    out[at] = ZERO_BLOCK;
    out[at + 1] = 0;
    return;
  }
  const block = sink.allocate();
  sink.device.write(block, data);
  out[at] = block;
  out[at + 1] = crc32c(data);
}

/** Write the tree over `entries` (2 words per entry) and return its root. */
export function writeTree(sink: BlockSink, entries: Uint32Array, count: number): TreeRef {
  if (count === 0) return { root: ZERO_BLOCK, crc: 0, depth: 0 };
  const block = new Uint8Array(BLOCK_SIZE);
  const words = new Uint32Array(block.buffer);
  let level = entries;
  let n = count;
  let depth = 0;
  for (;;) {
    const blocks = Math.ceil(n / REFS_PER_BLOCK);
    const next = new Uint32Array(blocks * 2);
    for (let b = 0; b < blocks; b++) {
      const from = b * REFS_PER_BLOCK * 2;
      const to = Math.min(n * 2, from + REFS_PER_BLOCK * 2);
      words.fill(0);
      words.set(level.subarray(from, to));
      toLittleEndian(words);
      writeBlock(sink, block, next, b * 2);
    }
    depth++;
    if (blocks === 1) return { root: next[0], crc: next[1], depth };
    level = next;
    n = blocks;
  }
}

/**
 * Read and verify a tree of `count` entries. `onBlock` sees every tree block read (for fsck and the
 * allocator). Throws ChecksumError on a damaged block, FormatError on a malformed tree.
 */
export function readTree(
  device: BlockDevice,
  ref: TreeRef,
  count: number,
  what: string,
  blockLimit: number,
  onBlock?: (block: number) => void,
): Uint32Array {
  const sizes = levelSizes(count);
  const depth = sizes.length - 1;
  if (ref.depth !== depth) throw new FormatError(`${what}: depth ${ref.depth} does not fit ${count} entries`);
  if (count === 0) return new Uint32Array(0);
  const buf = new Uint8Array(BLOCK_SIZE);
  const words = new Uint32Array(buf.buffer);
  let refs = Uint32Array.of(ref.root, ref.crc);
  for (let level = depth; level >= 1; level--) {
    const below = sizes[level - 1];
    const next = new Uint32Array(below * 2);
    for (let b = 0; b < sizes[level]; b++) {
      readVerified(device, refs[b * 2], refs[b * 2 + 1], buf, `${what} level ${level}`, blockLimit);
      if (refs[b * 2] !== ZERO_BLOCK) onBlock?.(refs[b * 2]);
      fromLittleEndian(words);
      const from = b * REFS_PER_BLOCK * 2;
      const n = Math.min(below * 2 - from, REFS_PER_BLOCK * 2);
      next.set(words.subarray(0, n), from);
    }
    refs = next;
  }
  return refs;
}

/** Read a referenced block into `into` and check it; a zero reference yields zeros. */
export function readVerified(
  device: BlockDevice,
  block: number,
  crc: number,
  into: Uint8Array,
  what: string,
  blockLimit: number,
): void {
  if (block === ZERO_BLOCK) {
    if (crc !== 0) throw new ChecksumError(block, what, crc, 0);
    into.fill(0);
    return;
  }
  if (block < 2 || block >= blockLimit) {
    throw new FormatError(`${what}: reference to block ${block} outside the format (2..${blockLimit - 1})`);
  }
  device.read(block, into);
  const actual = crc32c(into);
  if (actual !== crc) throw new ChecksumError(block, what, crc, actual);
}

/** Write a byte string as data blocks plus a tree over their references. */
export function writeBlob(sink: BlockSink, bytes: Uint8Array): TreeRef {
  const blocks = Math.ceil(bytes.length / BLOCK_SIZE);
  const entries = new Uint32Array(blocks * 2);
  const buf = new Uint8Array(BLOCK_SIZE);
  for (let b = 0; b < blocks; b++) {
    buf.fill(0);
    buf.set(bytes.subarray(b * BLOCK_SIZE, (b + 1) * BLOCK_SIZE));
    writeBlock(sink, buf, entries, b * 2);
  }
  return writeTree(sink, entries, blocks);
}

/** Read and verify a blob written by writeBlob. */
export function readBlob(
  device: BlockDevice,
  ref: TreeRef,
  length: number,
  what: string,
  blockLimit: number,
  onBlock?: (block: number) => void,
): Uint8Array {
  const blocks = Math.ceil(length / BLOCK_SIZE);
  const entries = readTree(device, ref, blocks, `${what} index`, blockLimit, onBlock);
  const out = new Uint8Array(blocks * BLOCK_SIZE);
  for (let b = 0; b < blocks; b++) {
    const block = entries[b * 2];
    readVerified(
      device,
      block,
      entries[b * 2 + 1],
      out.subarray(b * BLOCK_SIZE, (b + 1) * BLOCK_SIZE),
      what,
      blockLimit,
    );
    if (block !== ZERO_BLOCK) onBlock?.(block);
  }
  return out.subarray(0, length);
}

// The format is little-endian; typed arrays use host order, so swap on a big-endian host.
const BIG_ENDIAN_HOST = new Uint8Array(Uint32Array.of(1).buffer)[0] === 0;

function toLittleEndian(words: Uint32Array): void {
  if (BIG_ENDIAN_HOST) swapWords(words);
}
const fromLittleEndian = toLittleEndian;

function swapWords(words: Uint32Array): void {
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    words[i] = ((w & 0xff) << 24) | ((w & 0xff00) << 8) | ((w >>> 8) & 0xff00) | (w >>> 24);
  }
}
