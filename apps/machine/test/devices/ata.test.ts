import { describe, expect, it } from 'vitest';
import { AtaChannel } from '../../src/devices/ata.js';
import { DiskImage, DiskImageError } from '../../src/devices/disk-image.js';
import { IrqRecorder } from './helpers.js';

function makeDisk(sectors: number): DiskImage {
  const bytes = new Uint8Array(sectors * 512);
  for (let s = 0; s < sectors; s++) bytes.fill(s & 0xff, s * 512, s * 512 + 512);
  return DiskImage.hardDisk(bytes);
}

function setup(sectors = 2048) {
  const irq = new IrqRecorder();
  const ata = new AtaChannel(0x1f0, 0x3f6, 14, irq, makeDisk(sectors));
  return { irq, ata };
}

function readWords(ata: AtaChannel, n: number): number[] {
  const w: number[] = [];
  for (let i = 0; i < n; i++) w.push(ata.read(0x1f0, 2));
  return w;
}

function lba28(ata: AtaChannel, lba: number, count: number, cmd: number): void {
  ata.write(0x1f6, 1, 0xe0 | (lba >> 24));
  ata.write(0x1f2, 1, count);
  ata.write(0x1f3, 1, lba & 0xff);
  ata.write(0x1f4, 1, (lba >> 8) & 0xff);
  ata.write(0x1f5, 1, (lba >> 16) & 0xff);
  ata.write(0x1f7, 1, cmd);
}

describe('AtaChannel', () => {
  it('answers IDENTIFY with geometry, LBA28 capacity and a byte-swapped model string', () => {
    const { irq, ata } = setup(2048);
    ata.write(0x1f6, 1, 0xa0);
    ata.write(0x1f7, 1, 0xec);
    expect(irq.level(14)).toBe(true);
    expect(ata.read(0x1f7, 1) & 0x08).toBe(0x08);
    expect(irq.level(14)).toBe(false); // reading status acknowledges
    const w = readWords(ata, 256);
    expect(w[0]).toBe(0x0040);
    expect(w[49] & 0x0200).toBe(0x0200);
    expect(w[60] | (w[61] << 16)).toBe(2048);
    const model = w
      .slice(27, 47)
      .map((x) => String.fromCharCode(x >> 8, x & 0xff))
      .join('')
      .trim();
    expect(model).toBe('PHANTASM HARDDISK');
    expect(ata.read(0x1f7, 1) & 0x08).toBe(0);
  });

  it('reads sectors by LBA28 with an interrupt per sector', () => {
    const { irq, ata } = setup();
    lba28(ata, 300, 2, 0x20);
    ata.read(0x1f7, 1); // the driver's IRQ handler acknowledges
    const first = readWords(ata, 256);
    expect(new Set(first)).toEqual(new Set([(300 & 0xff) * 0x101]));
    expect(irq.edgeCount(14)).toBe(2);
    ata.read(0x1f7, 1);
    const second = ata.read(0x1f0, 4);
    expect(second).toBe(((301 & 0xff) * 0x01010101) >>> 0);
  });

  it('reads by CHS when the LBA bit is clear', () => {
    const { ata } = setup();
    // C=0 H=1 S=1 → LBA 63 on a 16-head, 63-sector geometry
    ata.write(0x1f6, 1, 0xa1);
    ata.write(0x1f2, 1, 1);
    ata.write(0x1f3, 1, 1);
    ata.write(0x1f4, 1, 0);
    ata.write(0x1f5, 1, 0);
    ata.write(0x1f7, 1, 0x20);
    expect(ata.read(0x1f0, 2)).toBe(63 * 0x101);
  });

  it('writes sectors and reads them back', () => {
    const { ata } = setup();
    lba28(ata, 7, 1, 0x30);
    expect(ata.read(0x1f7, 1) & 0x08).toBe(0x08);
    for (let i = 0; i < 256; i++) ata.write(0x1f0, 2, 0xbeef);
    expect(ata.read(0x1f7, 1) & 0x88).toBe(0);
    expect(ata.disk!.bytes[7 * 512]).toBe(0xef);
    lba28(ata, 7, 1, 0x20);
    expect(ata.read(0x1f0, 2)).toBe(0xbeef);
  });

  it('aborts unknown commands and out-of-range sectors; slave reads as absent', () => {
    const { ata } = setup(100);
    ata.write(0x1f7, 1, 0xa1);
    expect(ata.read(0x1f7, 1) & 0x01).toBe(1);
    expect(ata.read(0x1f1, 1)).toBe(0x04);
    lba28(ata, 99, 2, 0x20);
    expect(ata.read(0x1f1, 1)).toBe(0x10);
    ata.write(0x1f6, 1, 0xb0);
    expect(ata.read(0x1f7, 1)).toBe(0);
  });

  it('leaves the ATA signature after a software reset', () => {
    const { ata } = setup();
    ata.write(0x1f3, 1, 0x55);
    ata.write(0x3f6, 1, 0x04);
    expect(ata.read(0x3f6, 1) & 0x80).toBe(0x80);
    ata.write(0x3f6, 1, 0x00);
    expect([ata.read(0x1f2, 1), ata.read(0x1f3, 1), ata.read(0x1f4, 1), ata.read(0x1f5, 1)]).toEqual([
      1, 1, 0, 0,
    ]);
  });
});

describe('DiskImage', () => {
  it('recognises floppy formats and refuses odd sizes with a typed error', () => {
    const f = DiskImage.floppy(new Uint8Array(737_280));
    expect(f.geometry).toEqual({ cylinders: 80, heads: 2, sectorsPerTrack: 9 });
    expect(f.cmosType).toBe(3);
    expect(f.chsToLba(1, 1, 9)).toBe(35);
    expect(f.chsToLba(0, 0, 10)).toBe(-1);
    expect(() => DiskImage.floppy(new Uint8Array(1000))).toThrow(DiskImageError);
    expect(() => DiskImage.hardDisk(new Uint8Array(1000))).toThrow(/multiple of 512/);
    expect(() => f.read(1439, 2)).toThrow(DiskImageError);
  });
});
