import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BlockDeviceError,
  crc32c,
  FileBlockDevice,
  MemoryBlockDevice,
  PowerCutError,
  PowerLossBlockDevice,
  writeBlocks,
} from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'vmmap-dev-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const block = (fill: number) => new Uint8Array(4096).fill(fill);

describe('crc32c', () => {
  it('matches the published check value and chains', () => {
    const digits = new TextEncoder().encode('123456789');
    expect(crc32c(digits)).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa); // RFC 3720 B.4: 32 bytes of zeros
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43); // RFC 3720 B.4: 32 bytes of ones
    expect(crc32c(digits.subarray(4), crc32c(digits.subarray(0, 4)))).toBe(0xe3069283);
    // Unaligned views take the byte path first and agree with aligned ones.
    const buf = new Uint8Array(40);
    buf.set(digits, 3);
    expect(crc32c(buf.subarray(3, 12))).toBe(0xe3069283);
  });
});

describe.each([
  ['memory', () => new MemoryBlockDevice()],
  ['file', () => new FileBlockDevice(join(dir, `d${Math.random()}.img`))],
  ['power-loss', () => new PowerLossBlockDevice()],
])('%s block device', (_name, make) => {
  it('reads back what was written, zeros where nothing was, and grows on demand', () => {
    const dev = make();
    expect(dev.blockCount).toBe(0);
    dev.write(5, block(7));
    dev.flush();
    const out = block(1);
    dev.read(5, out);
    expect(out.every((b) => b === 7)).toBe(true);
    dev.read(3, out);
    expect(out.every((b) => b === 0)).toBe(true);
    dev.read(100, out);
    expect(out.every((b) => b === 0)).toBe(true);
    expect(dev.blockCount).toBe(6);
    dev.close();
  });

  it('writes runs of consecutive blocks', () => {
    const dev = make();
    const run = new Uint8Array(3 * 4096);
    for (let i = 0; i < 3; i++) run.fill(10 + i, i * 4096, (i + 1) * 4096);
    writeBlocks(dev, 7, run);
    dev.flush();
    const out = block(0);
    for (let i = 0; i < 3; i++) {
      dev.read(7 + i, out);
      expect(out.every((b) => b === 10 + i)).toBe(true);
    }
    expect(dev.blockCount).toBe(10);
    expect(() => writeBlocks(dev, 1, new Uint8Array(100))).toThrow(BlockDeviceError);
    dev.close();
  });

  it('rejects bad block numbers and buffer sizes with a typed error', () => {
    const dev = make();
    expect(() => dev.write(-1, block(0))).toThrow(BlockDeviceError);
    expect(() => dev.read(1.5, block(0))).toThrow(/block number 1.5/);
    expect(() => dev.write(0, new Uint8Array(512))).toThrow(/512 bytes, expected 4096/);
    expect(dev.blockCount).toBe(0);
    dev.close();
  });
});

describe('FileBlockDevice', () => {
  it('creates and sizes the file on demand and persists across reopen', () => {
    const path = join(dir, 'persist.img');
    const dev = new FileBlockDevice(path, { minBlocks: 4 });
    expect(statSync(path).size).toBe(4 * 4096);
    dev.write(9, block(0x5a));
    dev.flush();
    dev.close();
    expect(statSync(path).size).toBe(10 * 4096);
    const again = new FileBlockDevice(path, { create: false });
    const out = block(0);
    again.read(9, out);
    expect(out[4095]).toBe(0x5a);
    again.close();
    expect(() => again.read(0, out)).toThrow(/closed/);
    expect(() => new FileBlockDevice(join(dir, 'missing.img'), { create: false })).toThrow(BlockDeviceError);
  });
});

describe('PowerLossBlockDevice', () => {
  it('counts operations and cuts the power at the chosen one', () => {
    const dev = new PowerLossBlockDevice({ crashAtOp: 3 });
    dev.write(2, block(1));
    dev.flush();
    dev.read(2, block(0));
    expect(dev.operationCount).toBe(3);
    expect(() => dev.write(3, block(2))).toThrow(PowerCutError);
    expect(() => dev.flush()).toThrow(/operation 3/);
    expect(dev.powerCut).toBe(true);
  });

  it('counts a run as one operation whose blocks meet their fates separately', () => {
    const dev = new PowerLossBlockDevice();
    writeBlocks(dev, 2, new Uint8Array(8 * 4096).fill(3));
    expect(dev.operationCount).toBe(1);
    expect(dev.pendingWrites).toBe(8);
    const sizes = new Set<number>();
    for (let seed = 0; seed < 20; seed++) sizes.add(dev.survivingImage('atomic4k', seed).size);
    expect(sizes.size).toBeGreaterThan(2);
  });

  it('keeps flushed writes and decides the fate of pending ones from the seed, reproducibly', () => {
    const dev = new PowerLossBlockDevice();
    dev.write(2, block(1));
    dev.flush();
    for (let b = 3; b < 13; b++) dev.write(b, block(b));
    dev.write(2, block(9));
    const a = dev.survivingImage('pessimistic', 42);
    const b = dev.survivingImage('pessimistic', 42);
    expect([...a.entries()]).toEqual([...b.entries()]);
    for (let seed = 0; seed < 20; seed++) {
      const img = dev.survivingImage('atomic4k', seed);
      // Durable data is never lost; atomic writes are all-or-nothing.
      const two = img.get(2)!;
      expect(two.every((x) => x === 1) || two.every((x) => x === 9)).toBe(true);
      for (let n = 3; n < 13; n++) {
        const d = img.get(n);
        if (d) expect(d.every((x) => x === n)).toBe(true);
      }
    }
    // Pessimistic tears happen at 512-byte boundaries only.
    let torn = 0;
    for (let seed = 0; seed < 30; seed++) {
      const d = dev.survivingImage('pessimistic', seed).get(2)!;
      for (let s = 0; s < 4096; s += 512) {
        const sector = d.subarray(s, s + 512);
        expect(sector.every((x) => x === sector[0])).toBe(true);
      }
      if (!d.every((x) => x === d[0])) torn++;
    }
    expect(torn).toBeGreaterThan(0);
  });
});
