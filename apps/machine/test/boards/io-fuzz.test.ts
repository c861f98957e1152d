// Whatever a guest does with port I/O, the devices answer or ignore it: no host exception (and the
// VGA renderer still draws whatever the registers say).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PcBoard } from '../../src/boards/pc/pc-board.js';
import { DiskImage } from '../../src/devices/disk-image.js';

/** Ports with devices behind them on the PC board, plus a few unclaimed ones. */
const PORTS = [
  0x00, 0x04, 0x05, 0x08, 0x0a, 0x0b, 0x0c, 0x20, 0x21, 0x40, 0x41, 0x42, 0x43, 0x60, 0x61, 0x64, 0x70, 0x71,
  0x80, 0x81, 0x92, 0xa0, 0xa1, 0xc0, 0xe9, 0x1f0, 0x1f1, 0x1f2, 0x1f3, 0x1f4, 0x1f5, 0x1f6, 0x1f7, 0x3b4,
  0x3c0, 0x3c1, 0x3c4, 0x3c5, 0x3c7, 0x3c8, 0x3c9, 0x3ce, 0x3cf, 0x3d4, 0x3d5, 0x3da, 0x3f0, 0x3f2, 0x3f4,
  0x3f5, 0x3f6, 0x3f7, 0x3f8, 0x3f9, 0x3fa, 0x3fb, 0x3fc, 0x3fd, 0x402, 0x4d0, 0x510, 0x511, 0x580, 0x582,
  0x584, 0x586, 0x588, 0x58a, 0x58c, 0x58e, 0x590, 0x592, 0x1ce, 0x1cf, 0x594, 0x598, 0xcf8, 0xcf9, 0xcfc,
  0xcfe, 0x1234, 0xffff,
];

const access = fc.record({
  port: fc.constantFrom(...PORTS),
  size: fc.constantFrom<1 | 2 | 4>(1, 2, 4),
  write: fc.boolean(),
  value: fc.integer({ min: 0, max: 0xffffffff }),
});

describe('PC board port I/O', () => {
  it('never throws for any sequence of guest port accesses', () => {
    const hd = DiskImage.hardDisk(new Uint8Array(64 * 512));
    const fd = DiskImage.floppy(new Uint8Array(737_280));
    fc.assert(
      fc.property(fc.array(access, { maxLength: 200 }), (accesses) => {
        const board = new PcBoard({ memoryMiB: 2, floppyA: fd, hardDisk: hd });
        for (const a of accesses) {
          if (a.write) board.io.write(a.port, a.size, a.value);
          else {
            const v = board.io.read(a.port, a.size);
            expect(v).toBeGreaterThanOrEqual(0);
            expect(v).toBeLessThanOrEqual(a.size === 4 ? 0xffffffff : a.size === 2 ? 0xffff : 0xff);
          }
        }
        // whatever the VGA registers now hold, the renderer draws a frame of the size it reports
        const frame = board.vgaRenderer().render();
        expect(frame.rgba.length).toBe(frame.width * frame.height * 4);
      }),
      { numRuns: 150 },
    );
  });
});
