import { describe, expect, it } from 'vitest';
import { decodeSuperblock, encodeSuperblock, type Superblock } from '../src/format/layout.js';
import { levelSizes, readBlob, readTree, writeBlob, writeTree } from '../src/format/tree.js';
import { ChecksumError, FormatError, MemoryBlockDevice, Prng } from '../src/index.js';
import { firstDifference } from './workload.js';

function sink() {
  const device = new MemoryBlockDevice();
  let next = 2;
  const written: number[] = [];
  return {
    device,
    written,
    allocate: () => {
      written.push(next);
      return next++;
    },
  };
}

describe('reference trees', () => {
  it.each([1, 511, 512, 513, 512 * 512, 512 * 512 + 1])('round-trips %i entries', (count) => {
    const s = sink();
    const rng = new Prng(count);
    const entries = new Uint32Array(count * 2);
    // Mostly zero with some stored entries, so zero elision and real blocks both occur.
    for (let i = 0; i < count; i += 1 + rng.below(3000)) {
      entries[i * 2] = 2 + rng.below(1 << 30);
      entries[i * 2 + 1] = rng.nextU32();
    }
    const ref = writeTree(s, entries, count);
    expect(ref.depth).toBe(levelSizes(count).length - 1);
    const seen: number[] = [];
    const back = readTree(s.device, ref, count, 'test tree', 2 ** 32, (b) => seen.push(b));
    expect(back.length).toBe(entries.length);
    expect(
      firstDifference(
        new Uint8Array(back.buffer, back.byteOffset, back.byteLength),
        new Uint8Array(entries.buffer),
      ),
    ).toBe(-1);
    expect(seen.sort((a, b) => a - b)).toEqual(s.written);
  });

  it('stores nothing for an all-zero tree', () => {
    const s = sink();
    const ref = writeTree(s, new Uint32Array(2 * 5000), 5000);
    expect(ref.root).toBe(0);
    expect(s.written).toEqual([]);
    expect(readTree(s.device, ref, 5000, 't', 100).every((w) => w === 0)).toBe(true);
  });

  it('detects a damaged index block, a wrong depth and a reference outside the format', () => {
    const s = sink();
    const entries = new Uint32Array(2 * 1000).fill(7);
    const ref = writeTree(s, entries, 1000);
    expect(() => readTree(s.device, { ...ref, depth: 1 }, 1000, 'page list', 100)).toThrow(FormatError);
    expect(() => readTree(s.device, ref, 1000, 'page list', 3)).toThrow(/outside the format/);
    s.device.peek(ref.root)![9] ^= 4;
    expect(() => readTree(s.device, ref, 1000, 'page list', 100)).toThrow(ChecksumError);
    expect(() => readTree(s.device, ref, 1000, 'page list', 100)).toThrow(/page list level 2 at block/);
  });

  it('round-trips blobs of awkward lengths', () => {
    for (const n of [0, 1, 4095, 4096, 4097, 100_000]) {
      const s = sink();
      const bytes = new Uint8Array(n);
      new Prng(n).fill(bytes);
      const ref = writeBlob(s, bytes);
      expect(readBlob(s.device, ref, n, 'blob', 1000)).toEqual(bytes);
    }
  });
});

describe('superblock', () => {
  const sb: Superblock = {
    generation: 2 ** 40 + 3,
    diskId: new Uint8Array(16).fill(9),
    baseAddress: 0x8000_0000,
    pageCount: 262_144,
    blockCount: 300_000,
    committedAt: 1_700_000_000_000,
    pages: { root: 10, crc: 0xdeadbeef, depth: 2 },
    bitmap: { root: 11, crc: 1, depth: 1 },
    bitmapBytes: 37_500,
    state: { root: 0, crc: 0, depth: 0 },
    stateBytes: 0,
  };

  it('encodes and decodes every field', () => {
    expect(decodeSuperblock(encodeSuperblock(sb))).toEqual(sb);
  });

  it('names what is wrong with a bad one', () => {
    const buf = encodeSuperblock(sb);
    expect(decodeSuperblock(new Uint8Array(4096))).toBe('empty (never written)');
    buf[40] ^= 1;
    expect(decodeSuperblock(buf)).toMatch(/checksum mismatch .* torn or damaged/);
  });
});
