// Model-based check of the bus: random reads and writes of every width at addresses around the end of
// RAM, the edges of two MMIO regions and a page boundary, on both byte orders, against a byte-level
// model (region bytes belong to the device, RAM bytes to RAM, everything else is open bus).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type MmioDevice, PhysicalMemory } from '../src/index.js';

/** A device that is just bytes, answering wide accesses in the bus byte order. */
class ByteDevice implements MmioDevice {
  readonly bytes: Uint8Array;
  constructor(
    size: number,
    private readonly bigEndian: boolean,
  ) {
    this.bytes = new Uint8Array(size);
  }
  read(offset: number, size: 1 | 2 | 4): number {
    let value = 0;
    for (let i = 0; i < size; i++) {
      const shift = this.bigEndian ? (size - 1 - i) * 8 : i * 8;
      value += this.bytes[offset + i] * 2 ** shift;
    }
    return value;
  }
  write(offset: number, size: 1 | 2 | 4, value: number): void {
    for (let i = 0; i < size; i++) {
      const shift = this.bigEndian ? (size - 1 - i) * 8 : i * 8;
      this.bytes[offset + i] = Math.floor(value / 2 ** shift) & 0xff;
    }
  }
}

const RAM = 0x3000;
const REGIONS = [
  { base: 0x1ffe, size: 6 }, // across a RAM page boundary (shadows RAM)
  { base: 0x4000, size: 0x10 }, // beyond RAM
];

describe('PhysicalMemory against a byte model', () => {
  it('property: every width, both byte orders, around RAM end, region edges and page boundaries', () => {
    const hotSpots = [0x0ffc, 0x1ff8, 0x2004, 0x2ffa, 0x3ffa, 0x400c];
    const address = fc
      .tuple(fc.constantFrom(...hotSpots), fc.integer({ min: 0, max: 12 }))
      .map(([a, d]) => a + d);
    const op = fc.record({
      write: fc.boolean(),
      size: fc.constantFrom(1, 2, 4, 8),
      addr: address,
      value: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
    });
    fc.assert(
      fc.property(fc.boolean(), fc.array(op, { minLength: 20, maxLength: 80 }), (bigEndian, ops) => {
        const mem = new PhysicalMemory({ ramSize: RAM, bigEndian });
        const devices = REGIONS.map((r) => new ByteDevice(r.size, bigEndian));
        REGIONS.forEach((r, i) => {
          mem.mapMmio(r.base, r.size, devices[i]);
        });
        const ram = new Uint8Array(RAM);
        const owner = (a: number): [Uint8Array, number] | undefined => {
          for (let i = 0; i < REGIONS.length; i++) {
            const r = REGIONS[i];
            if (a >= r.base && a < r.base + r.size) return [devices[i].bytes, a - r.base];
          }
          return a < RAM ? [ram, a] : undefined;
        };
        for (const o of ops) {
          const bytes = Array.from({ length: o.size }, (_, i) => {
            const shift = BigInt(bigEndian ? (o.size - 1 - i) * 8 : i * 8);
            return Number((o.value >> shift) & 0xffn);
          });
          if (o.write) {
            const masked = o.value & ((1n << BigInt(o.size * 8)) - 1n);
            if (o.size === 8) mem.write64(o.addr, masked);
            else if (o.size === 4) mem.write32(o.addr, Number(masked));
            else if (o.size === 2) mem.write16(o.addr, Number(masked));
            else mem.write8(o.addr, Number(masked));
            bytes.forEach((b, i) => {
              const where = owner(o.addr + i);
              if (where) where[0][where[1]] = b;
            });
          } else {
            const expected = Array.from({ length: o.size }, (_, i) => {
              const where = owner(o.addr + i);
              return where ? where[0][where[1]] : 0xff;
            });
            let value = 0n;
            expected.forEach((b, i) => {
              value |= BigInt(b) << BigInt(bigEndian ? (o.size - 1 - i) * 8 : i * 8);
            });
            const got =
              o.size === 8
                ? mem.read64(o.addr)
                : BigInt(
                    o.size === 4 ? mem.read32(o.addr) : o.size === 2 ? mem.read16(o.addr) : mem.read8(o.addr),
                  );
            expect(got.toString(16)).toBe(value.toString(16));
          }
        }
        expect([...mem.ram]).toEqual([...ram].map((b, a) => (owner(a)?.[0] === ram ? b : mem.ram[a])));
      }),
      { numRuns: 200 },
    );
  });
});
