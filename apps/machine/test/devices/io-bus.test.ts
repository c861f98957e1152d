import { describe, expect, it } from 'vitest';
import { IoPortBus } from '../../src/devices/io-bus.js';
import { DeviceConfigError, type PortDevice } from '../../src/devices/types.js';

class Recorder implements PortDevice {
  writes: [number, number, number][] = [];
  read(port: number, size: number): number {
    return (port & 0xff) | (size << 8);
  }
  write(port: number, size: 1 | 2 | 4, value: number): void {
    this.writes.push([port, size, value]);
  }
}

describe('IoPortBus', () => {
  it('reads all ones from unclaimed ports at every size and ignores writes', () => {
    const bus = new IoPortBus();
    expect(bus.read(0x1234, 1)).toBe(0xff);
    expect(bus.read(0x1234, 2)).toBe(0xffff);
    expect(bus.read(0x1234, 4)).toBe(0xffffffff);
    bus.write(0x1234, 1, 0);
  });

  it('dispatches to the owning device and splits wide accesses for narrow devices', () => {
    const bus = new IoPortBus();
    const d = new Recorder();
    bus.register('dev', 0x60, 0x61, d);
    expect(bus.read(0x60, 1)).toBe(0x60);
    // 0x60 and 0x61 are claimed, 0x62/0x63 are not → 0xFF bytes
    expect(bus.read(0x60, 4)).toBe(0xffff6160);
    bus.write(0x60, 2, 0xbbaa);
    expect(d.writes).toEqual([
      [0x60, 1, 0xaa],
      [0x61, 1, 0xbb],
    ]);
  });

  it('keeps only the bytes of the access size from a device answer', () => {
    const bus = new IoPortBus();
    bus.register('wide', 0x580, 0x581, { read: () => 0x1234abcd, write: () => {} }, { wide: true });
    expect(bus.read(0x580, 1)).toBe(0xcd);
    expect(bus.read(0x580, 2)).toBe(0xabcd);
    expect(bus.read(0x580, 4)).toBe(0x1234abcd);
  });

  it('passes wide accesses through to wide devices', () => {
    const bus = new IoPortBus();
    const d = new Recorder();
    bus.register('ata', 0x1f0, 0x1f7, d, { wide: true });
    expect(bus.read(0x1f0, 2)).toBe(0x2f0);
    bus.write(0x1f0, 4, 0x12345678);
    expect(d.writes).toEqual([[0x1f0, 4, 0x12345678]]);
  });

  it('refuses overlapping claims and bad ranges with a typed error', () => {
    const bus = new IoPortBus();
    bus.register('a', 0x20, 0x21, new Recorder());
    expect(() => bus.register('b', 0x21, 0x22, new Recorder())).toThrow(DeviceConfigError);
    expect(() => bus.register('c', 0x30, 0x2f, new Recorder())).toThrow(/bad port range/);
    expect(bus.owner(0x22)).toBeUndefined();
    expect(bus.owner(0x21)).toBe('a');
  });

  it('says which ports may write RAM (devices registered writesRam: false never do)', () => {
    const bus = new IoPortBus();
    bus.register('uart', 0x3f8, 0x3ff, new Recorder(), { writesRam: false });
    bus.register('dma', 0x3f0, 0x3f7, new Recorder());
    expect(bus.writesRam(0x3fd, 1)).toBe(false);
    expect(bus.writesRam(0x3f8, 4)).toBe(false);
    // a byte at 0x3f7 reaches the DMA device; a word at 0x3f7 reaches it and the UART
    expect(bus.writesRam(0x3f7, 1)).toBe(true);
    expect(bus.writesRam(0x3f6, 4)).toBe(true);
    // a word at 0x3ff reaches the UART and the unclaimed 0x400
    expect(bus.writesRam(0x3ff, 2)).toBe(false);
    expect(bus.writesRam(0x3f0, 1)).toBe(true);
    // unclaimed ports answer nothing: nothing there writes RAM
    expect(bus.writesRam(0x500, 4)).toBe(false);
  });
});
