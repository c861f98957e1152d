import { describe, expect, it } from 'vitest';
import { type MmioDevice, MmioNotMappedError, MmioOverlapError, PhysicalMemory } from '../src/index.js';

/** A device that records every access and answers reads with a value derived from offset and size. */
class Recorder implements MmioDevice {
  log: string[] = [];
  read(offset: number, size: 1 | 2 | 4): number {
    this.log.push(`r${size}@${offset}`);
    return size === 1 ? 0x80 + offset : size === 2 ? 0x1200 + offset : 0xdead0000 + offset;
  }
  write(offset: number, size: 1 | 2 | 4, value: number): void {
    this.log.push(`w${size}@${offset}=${value.toString(16)}`);
  }
}

describe('PhysicalMemory RAM', () => {
  it('reads back 8/16/32/64-bit little-endian values byte by byte', () => {
    const mem = new PhysicalMemory({ ramSize: 0x10000 });
    mem.write32(0x100, 0x11223344);
    expect([...mem.ram.subarray(0x100, 0x104)]).toEqual([0x44, 0x33, 0x22, 0x11]);
    expect(mem.read16(0x101)).toBe(0x2233);
    expect(mem.read8(0x103)).toBe(0x11);
    mem.write64(0x200, 0x0102030405060708n);
    expect(mem.read32(0x200)).toBe(0x05060708);
    expect(mem.read64(0x200)).toBe(0x0102030405060708n);
    mem.write32(0x300, -1);
    expect(mem.read32(0x300)).toBe(0xffffffff);
  });

  it('big-endian variant puts the most significant byte first', () => {
    const mem = new PhysicalMemory({ ramSize: 0x10000, bigEndian: true });
    mem.write32(0x100, 0x11223344);
    expect([...mem.ram.subarray(0x100, 0x104)]).toEqual([0x11, 0x22, 0x33, 0x44]);
    mem.write64(0x200, 0x0102030405060708n);
    expect(mem.ram[0x200]).toBe(1);
    expect(mem.read64(0x200)).toBe(0x0102030405060708n);
  });

  it('handles accesses that cross a page boundary and a 64-bit access crossing the RAM end', () => {
    const mem = new PhysicalMemory({ ramSize: 0x2000 });
    mem.write32(0xffe, 0xaabbccdd);
    expect(mem.read32(0xffe)).toBe(0xaabbccdd);
    expect(mem.read16(0xfff)).toBe(0xbbcc);
    mem.write64(0x1ff8, 0x1122334455667788n);
    expect(mem.read64(0x1ff8)).toBe(0x1122334455667788n);
    // Half in RAM, half open bus.
    expect(mem.read64(0x1ffc)).toBe(0xffffffff11223344n);
  });

  it('rejects a bad RAM size with a typed error', () => {
    expect(() => new PhysicalMemory({ ramSize: -1 })).toThrow(/ramSize/);
    expect(() => new PhysicalMemory({ ramSize: 1.5 })).toThrow(/ramSize/);
  });
});

describe('PhysicalMemory open bus', () => {
  it('reads all ones, ignores writes and counts both', () => {
    const mem = new PhysicalMemory({ ramSize: 0x1000 });
    expect(mem.read8(0x5000)).toBe(0xff);
    expect(mem.read16(0x5000)).toBe(0xffff);
    expect(mem.read32(0xfffffffc)).toBe(0xffffffff);
    expect(mem.read64(0x8000)).toBe(0xffffffffffffffffn);
    expect(mem.openBusReads).toBe(5); // the 64-bit read is two bus cycles
    mem.write32(0x5000, 0x12345678);
    mem.write8(0x5000, 1);
    expect(mem.openBusWrites).toBe(2);
    expect(mem.read32(0x5000)).toBe(0xffffffff);
  });

  it('splits an access straddling the end of RAM into bytes', () => {
    const mem = new PhysicalMemory({ ramSize: 0x1000 });
    mem.write8(0xffe, 0x34);
    mem.write8(0xfff, 0x12);
    expect(mem.read32(0xffe)).toBe(0xffff1234);
    mem.write32(0xffe, 0xaaaabbbb);
    expect(mem.read16(0xffe)).toBe(0xbbbb);
    expect(mem.openBusWrites).toBe(2);
  });
});

describe('PhysicalMemory MMIO', () => {
  it('routes accesses inside a region to the device with region-relative offsets', () => {
    const mem = new PhysicalMemory({ ramSize: 0x10000 });
    const dev = new Recorder();
    mem.mapMmio(0xfee00000, 0x1000, dev);
    expect(mem.read32(0xfee00020)).toBe(0xdead0020);
    expect(mem.read16(0xfee00002)).toBe(0x1202);
    mem.write8(0xfee00010, 0x1ff);
    expect(dev.log).toEqual(['r4@32', 'r2@2', 'w1@16=ff']);
    expect(mem.openBusReads).toBe(0);
  });

  it('shadows RAM while mapped and lets it show through after unmapMmio', () => {
    const mem = new PhysicalMemory({ ramSize: 0x100000 });
    mem.write8(0xa0000, 0x42);
    const dev = new Recorder();
    mem.mapMmio(0xa0000, 0x20000, dev);
    expect(mem.read8(0xa0000)).toBe(0x80);
    expect(mem.slowPages[0xa0]).toBe(1);
    mem.unmapMmio(0xa0000);
    expect(mem.read8(0xa0000)).toBe(0x42);
    expect(mem.slowPages[0xa0]).toBe(0);
  });

  it('splits an access that straddles a region edge into byte cycles', () => {
    const mem = new PhysicalMemory({ ramSize: 0x10000 });
    const dev = new Recorder();
    mem.mapMmio(0x2002, 2, dev);
    mem.write8(0x2000, 0x11);
    mem.write8(0x2001, 0x22);
    expect(mem.read32(0x2000)).toBe(((0x81 << 24) | (0x80 << 16) | 0x2211) >>> 0);
    expect(dev.log).toEqual(['r1@0', 'r1@1']);
  });

  it('rejects overlapping regions with a typed error and keeps the first mapping', () => {
    const mem = new PhysicalMemory({ ramSize: 0x1000 });
    const a = new Recorder();
    mem.mapMmio(0x10000, 0x100, a);
    expect(() => mem.mapMmio(0x100ff, 0x10, new Recorder())).toThrow(MmioOverlapError);
    expect(() => mem.mapMmio(0xff00, 0x101, new Recorder())).toThrow(/overlaps.*0x00010000/);
    mem.mapMmio(0x10100, 0x10, new Recorder()); // adjacent is fine
    expect(mem.mmioRegions().map((r) => r.base)).toEqual([0x10000, 0x10100]);
    mem.read8(0x10000);
    expect(a.log).toEqual(['r1@0']);
    expect(() => mem.unmapMmio(0x10001)).toThrow(MmioNotMappedError);
    expect(() => mem.mapMmio(0xfffff000, 0x2000, a)).toThrow(/4 GiB/);
  });

  it('notifies layout listeners', () => {
    const mem = new PhysicalMemory({ ramSize: 0x1000 });
    let calls = 0;
    const unsubscribe = mem.onLayoutChange(() => calls++);
    mem.mapMmio(0x4000, 4, new Recorder());
    mem.unmapMmio(0x4000);
    expect(calls).toBe(2);
    expect(mem.layoutGeneration).toBe(2);
    unsubscribe();
    mem.mapMmio(0x4000, 4, new Recorder());
    expect(calls).toBe(2);
  });
});

describe('PhysicalMemory bulk helpers', () => {
  it('readBytes/writeBytes copy RAM and go through devices elsewhere', () => {
    const mem = new PhysicalMemory({ ramSize: 0x2000 });
    mem.writeBytes(0x10, [1, 2, 3]);
    expect([...mem.readBytes(0x10, 3)]).toEqual([1, 2, 3]);
    expect([...mem.readBytes(0x1ffe, 4)]).toEqual([0, 0, 0xff, 0xff]);
    const dev = new Recorder();
    mem.mapMmio(0x100, 2, dev);
    mem.writeBytes(0xff, [9, 8, 7]);
    expect(dev.log).toEqual(['w1@0=8', 'w1@1=7']);
    expect(mem.ram[0xff]).toBe(9);
  });
});
