// The device serialisation interface: every PC device saves a versioned record and loads it into a
// fresh device with the same state and the same behaviour afterwards (port traffic, IRQs); records
// of an unknown version or with a damaged field are refused with a DeviceStateError and change
// nothing; an ATA transfer saved halfway goes on with the right data.
import { describe, expect, it } from 'vitest';
import { PC_DEVICE_NAMES, PcBoard } from '../../src/boards/pc/pc-board.js';
import { AtaChannel } from '../../src/devices/ata.js';
import { DiskImage } from '../../src/devices/disk-image.js';
import { DeviceStateError } from '../../src/devices/state.js';
import { IrqRecorder } from './helpers.js';

/** A small deterministic PRNG (xorshift32). */
function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

/** Ports of every device, except the ones that reset the machine or end the run. */
const PORTS = [
  0x00, 0x01, 0x04, 0x05, 0x08, 0x0a, 0x0b, 0x0c, 0x20, 0x21, 0x40, 0x41, 0x42, 0x43, 0x60, 0x61, 0x64, 0x70,
  0x71, 0x81, 0x87, 0xa0, 0xa1, 0xc0, 0xe9, 0x1f1, 0x1f2, 0x1f3, 0x1f4, 0x1f5, 0x1f6, 0x1f7, 0x1f0, 0x3f6,
  0x3b4, 0x3b5, 0x3c0, 0x3c1, 0x3c4, 0x3c5, 0x3c7, 0x3c8, 0x3c9, 0x3ce, 0x3cf, 0x3d4, 0x3d5, 0x3da, 0x3f2,
  0x3f4, 0x3f5, 0x3f7, 0x3f8, 0x3f9, 0x3fa, 0x3fb, 0x3fc, 0x3fd, 0x3ff, 0x4d0, 0x4d1, 0x510, 0x511, 0x580,
  0x582, 0x58e, 0xcf8, 0xcfc, 0xcfd,
];

function board(): PcBoard {
  const floppy = new Uint8Array(1_474_560);
  const disk = new Uint8Array(1 << 20);
  for (let i = 0; i < disk.length; i++) disk[i] = (i * 7) & 0xff;
  return new PcBoard({
    memoryMiB: 4,
    floppyA: DiskImage.floppy(floppy),
    hardDisk: DiskImage.hardDisk(disk),
  });
}

/** Random port traffic; returns what was read. Writes that would reset the board are masked. */
function traffic(b: PcBoard, rnd: () => number, n: number): number[] {
  const reads: number[] = [];
  for (let i = 0; i < n; i++) {
    const port = PORTS[Math.floor(rnd() * PORTS.length)];
    const wide = port === 0xcf8 || port === 0x510 ? 4 : port === 0x1f0 ? 2 : 1;
    if (rnd() < 0.5) {
      let value = Math.floor(rnd() * 2 ** 32) >>> 0;
      if (port === 0x64 || port === 0x60) value &= 0x7f; // no 0xFE pulse, no output-port write
      if (port === 0xcf8) value = ((0x80000000 | (Math.floor(rnd() * 16) << 8) | (rnd() * 256)) >>> 0) & ~3;
      if (port === 0x510) value &= 0x1f;
      b.io.write(port, wide, value);
    } else reads.push(b.io.read(port, wide));
    if (i % 50 === 0) b.clock.advance(rnd() * 2e6);
  }
  return reads;
}

describe('device state records', () => {
  it('every device comes back equal and behaves the same afterwards (random port traffic)', () => {
    for (let seed = 1; seed <= 6; seed++) {
      const a = board();
      traffic(a, prng(seed), 3000);
      const records = a.saveDevices();
      expect(Object.keys(records)).toEqual([...PC_DEVICE_NAMES]);
      // the VGA (with video memory) and the 8042 (with the mouse) are at version 2, the rest at 1
      for (const [name, r] of Object.entries(records))
        expect(r.version).toBe(['vga', 'kbc'].includes(name) ? 2 : 1);
      const b = board();
      b.memory.ram.set(a.memory.ram);
      b.loadDevices(JSON.parse(JSON.stringify(records)));
      expect(b.saveDevices(), `seed ${seed}`).toEqual(records);
      // the same traffic from here gives the same reads and the same state
      const ra = traffic(a, prng(seed + 100), 2000);
      const rb = traffic(b, prng(seed + 100), 2000);
      expect(rb, `seed ${seed}`).toEqual(ra);
      expect(b.saveDevices(), `seed ${seed}`).toEqual(a.saveDevices());
      expect([b.pic.master.irr, b.pic.slave.irr]).toEqual([a.pic.master.irr, a.pic.slave.irr]);
    }
  });

  it('an ATA READ SECTORS saved halfway through its data goes on with the right bytes', () => {
    const bytes = new Uint8Array(64 * 512);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 13 + (i >> 9)) & 0xff;
    const make = () => new AtaChannel(0x1f0, 0x3f6, 14, new IrqRecorder(), DiskImage.hardDisk(bytes.slice()));
    const a = make();
    a.write(0x1f6, 1, 0xe0); // LBA, master
    a.write(0x1f2, 1, 3);
    a.write(0x1f3, 1, 5);
    a.write(0x1f4, 1, 0);
    a.write(0x1f5, 1, 0);
    a.write(0x1f7, 1, 0x20);
    const got: number[] = [];
    for (let i = 0; i < 300; i++) got.push(a.read(0x1f0, 2));
    const b = make();
    b.load(JSON.parse(JSON.stringify(a.save())));
    for (let i = 300; i < 768; i++) got.push(b.read(0x1f0, 2));
    const expected = [...bytes.subarray(5 * 512, 8 * 512)];
    const words = got.flatMap((w) => [w & 0xff, w >> 8]);
    expect(words).toEqual(expected);
    expect(b.status & 0x08).toBe(0); // DRQ off: the command finished
  });

  it('an ATA WRITE SECTORS saved halfway writes the whole sector after loading', () => {
    const make = () =>
      new AtaChannel(0x1f0, 0x3f6, 14, new IrqRecorder(), DiskImage.hardDisk(new Uint8Array(8 * 512)));
    const a = make();
    a.write(0x1f6, 1, 0xe0);
    a.write(0x1f2, 1, 1);
    a.write(0x1f3, 1, 2);
    a.write(0x1f7, 1, 0x30);
    for (let i = 0; i < 100; i++) a.write(0x1f0, 2, 0x0100 + i);
    const b = make();
    b.load(a.save());
    for (let i = 100; i < 256; i++) b.write(0x1f0, 2, 0x0100 + i);
    const sector = b.disk!.read(2, 1);
    expect(sector[0]).toBe(0x00);
    expect(sector[1]).toBe(0x01);
    expect(sector[510]).toBe(0xff);
  });

  it('refuses unknown versions and damaged fields, and a refused board keeps its state', () => {
    const a = board();
    traffic(a, prng(7), 1000);
    const before = a.saveDevices();
    const other = board();
    traffic(other, prng(8), 1000);
    const records = other.saveDevices();
    const bad = structuredClone(records);
    bad.vga.version = 3;
    expect(() => a.loadDevices(bad)).toThrow(DeviceStateError);
    expect(() => a.loadDevices(bad)).toThrow(
      /vga state: record version 3 is unknown \(this release reads 1, 2\)/,
    );
    expect(a.saveDevices()).toEqual(before); // devices loaded before vga were put back
    const damaged = structuredClone(records);
    damaged.dma.pages = 'not base64!';
    expect(() => a.loadDevices(damaged)).toThrow(/dma state: field "pages" must be base64 text/);
    const range = structuredClone(records);
    (range.pit.channels as { mode: number }[])[1].mode = 9;
    expect(() => a.loadDevices(range)).toThrow(/pit.channels\[1\] state: field "mode"/);
    expect(a.saveDevices()).toEqual(before);
    a.loadDevices(records);
    expect(a.saveDevices()).toEqual(records);
  });
});
