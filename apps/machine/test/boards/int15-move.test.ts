// int 15h AH=87h (extended memory block move, what "Fatal - Int 0x15 move failed" asks for): the
// int15move boot sector copies 256 bytes above 1 MiB and back through the BIOS, under the built-in
// BIOS and SeaBIOS (which has its own, the reference).
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PcBoard } from '../../src/boards/pc/pc-board.js';
import { DiskImage } from '../../src/devices/disk-image.js';
import { floppyWithBootSector, program } from './helpers.js';

const SEABIOS = '/usr/share/seabios/bios.bin';
const pattern = Uint8Array.from({ length: 256 }, (_, i) => (i * 7 + 3) & 0xff);

for (const firmware of ['built-in BIOS', 'SeaBIOS'] as const) {
  const skip = firmware === 'SeaBIOS' && !existsSync(SEABIOS);
  describe.skipIf(skip)(
    `int 15h AH=87h under ${firmware}${skip ? ` (skipped: ${SEABIOS} absent)` : ''}`,
    () => {
      it('copies 128 words to 1 MiB + 64 KiB and back, AH = 0 and CF clear both times', () => {
        const board = new PcBoard({
          memoryMiB: 4,
          floppyA: DiskImage.floppy(floppyWithBootSector(program('int15move.bin'))),
          ...(firmware === 'SeaBIOS' ? { bios: new Uint8Array(readFileSync(SEABIOS)) } : {}),
        });
        const result = board.run({ maxInstructions: 50_000_000, timeoutMs: 60_000 });
        expect(result.stop).toBe('halted');
        expect([...board.memory.ram.subarray(0x7000, 0x7004)]).toEqual([0, 0, 0, 0]);
        expect(board.memory.ram.subarray(0x110000, 0x110100)).toEqual(pattern);
        expect(board.memory.ram.subarray(0x9000, 0x9100)).toEqual(pattern);
      }, 90_000);
    },
  );
}
