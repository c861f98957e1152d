import { describe, expect, it } from 'vitest';
import { DiskImage } from '../../src/devices/disk-image.js';
import { Dma8237 } from '../../src/devices/dma8237.js';
import { FloppyController } from '../../src/devices/fdc.js';
import { FlatMemory, IrqRecorder } from './helpers.js';

function setup() {
  const bytes = new Uint8Array(1_474_560);
  for (let s = 0; s < 2880; s++) bytes.fill(s & 0xff, s * 512, s * 512 + 512);
  const mem = new FlatMemory(1 << 20);
  const irq = new IrqRecorder();
  const dma = new Dma8237(mem);
  const fdc = new FloppyController(irq, dma, [DiskImage.floppy(bytes), undefined]);
  return { mem, irq, dma, fdc };
}

function command(fdc: FloppyController, bytes: number[]): number[] {
  for (const b of bytes) {
    expect(fdc.read(0x3f4) & 0xc0).toBe(0x80); // ready for a command byte
    fdc.write(0x3f5, 1, b);
  }
  const result: number[] = [];
  while ((fdc.read(0x3f4) & 0xc0) === 0xc0) result.push(fdc.read(0x3f5));
  return result;
}

/** Program DMA channel 2 for a transfer of `length` bytes at `addr` (mode: 0x46 read, 0x4A write). */
function programDma(dma: Dma8237, addr: number, length: number, mode: number): void {
  dma.write(0x0a, 1, 0x06);
  dma.write(0x0c, 1, 0);
  dma.write(0x0b, 1, mode);
  dma.write(0x04, 1, addr & 0xff);
  dma.write(0x04, 1, (addr >> 8) & 0xff);
  dma.write(0x81, 1, addr >> 16);
  dma.write(0x05, 1, (length - 1) & 0xff);
  dma.write(0x05, 1, (length - 1) >> 8);
  dma.write(0x0a, 1, 0x02);
}

describe('FloppyController', () => {
  it('raises IRQ6 after reset and reports four sense-interrupt results', () => {
    const { irq, fdc } = setup();
    fdc.write(0x3f2, 1, 0x00);
    fdc.write(0x3f2, 1, 0x0c);
    expect(irq.edgeCount(6)).toBe(1);
    for (let d = 0; d < 4; d++) expect(command(fdc, [0x08])).toEqual([0xc0 | d, 0]);
    expect(command(fdc, [0x10])).toEqual([0x90]);
  });

  it('seeks and recalibrates, reporting the cylinder through sense interrupt', () => {
    const { irq, fdc } = setup();
    expect(command(fdc, [0x0f, 0x00, 40])).toEqual([]);
    expect(irq.edgeCount(6)).toBe(1);
    expect(command(fdc, [0x08])).toEqual([0x20, 40]);
    command(fdc, [0x07, 0x00]);
    expect(command(fdc, [0x08])).toEqual([0x20, 0]);
  });

  it('reads sectors into memory through DMA channel 2 and reports the next sector', () => {
    const { mem, irq, dma, fdc } = setup();
    programDma(dma, 0x12000, 1024, 0x46);
    // read C=1 H=1 S=17, two sectors with multi-track: S=17, S=18 (LBA 70, 71)
    const result = command(fdc, [0xe6, 0x04, 1, 1, 17, 2, 18, 0x1b, 0xff]);
    expect(irq.edgeCount(6)).toBe(1);
    expect(result.slice(0, 3)).toEqual([0x04, 0, 0]);
    expect(result.slice(3)).toEqual([2, 0, 1, 2]);
    expect(mem.bytes[0x12000]).toBe(70);
    expect(mem.bytes[0x12000 + 1023]).toBe(71);
    expect(dma.read(0x08) & 0x04).toBe(0x04); // terminal count on channel 2
  });

  it('writes a sector from memory', () => {
    const { mem, dma, fdc } = setup();
    mem.bytes.fill(0xab, 0x3000, 0x3200);
    programDma(dma, 0x3000, 512, 0x4a);
    const result = command(fdc, [0xc5, 0x00, 0, 0, 5, 2, 18, 0x1b, 0xff]);
    expect(result[0] & 0xc0).toBe(0);
    expect(fdc.drives[0]!.bytes[4 * 512]).toBe(0xab);
  });

  it('reports "not ready" for an empty drive', () => {
    const { dma, fdc } = setup();
    programDma(dma, 0x3000, 512, 0x46);
    const result = command(fdc, [0xe6, 0x01, 0, 0, 1, 2, 18, 0x1b, 0xff]);
    expect(result[0] & 0xc8).toBe(0x48);
  });
});
