import { describe, expect, it } from 'vitest';
import { ArrayRegion, BusRegion, Heap } from '../src/index.js';
import { FakeBus } from './fakes.js';

describe('regions', () => {
  it('a heap kept in physical memory through a MemoryBus is the same image as over a buffer', () => {
    const bus = new FakeBus(1 << 20);
    const physical = 0x20000;
    const heap = Heap.create(new BusRegion(bus, physical, 128 * 1024, 0x8000_0000));
    const a = heap.malloc(300);
    const b = heap.malloc(5000, 4096);
    heap.region.fill(a - 0x8000_0000, 300, 0x5a);
    heap.region.copy(b - 0x8000_0000, a - 0x8000_0000, 300);
    expect(b % 4096).toBe(0);
    expect(bus.ram[physical + (b - 0x8000_0000) + 299]).toBe(0x5a);
    expect(heap.check()).toBeUndefined();
    // The same bytes, viewed through a buffer window, open as the same heap.
    const view = new ArrayRegion(bus.ram.subarray(physical, physical + 128 * 1024), 0x8000_0000);
    const same = Heap.open(view, { verify: true });
    expect(same.stats()).toEqual(heap.stats());
    same.free(a);
    same.free(b);
    expect(heap.stats().usedBlocks).toBe(0); // one image, two views
    expect(heap.check()).toBeUndefined();
  });

  it('ArrayRegion copy is a memmove', () => {
    const r = new ArrayRegion(new Uint8Array(64));
    for (let i = 0; i < 16; i++) r.writeU8(i, i);
    r.copy(4, 0, 12);
    expect([...r.bytes.subarray(0, 16)]).toEqual([0, 1, 2, 3, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('refuses misaligned windows', () => {
    expect(() => new ArrayRegion(new Uint8Array(new ArrayBuffer(64), 4))).toThrow(RangeError);
    expect(() => new ArrayRegion(new ArrayBuffer(64), 4)).toThrow(RangeError);
  });
});
