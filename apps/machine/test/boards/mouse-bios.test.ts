// int 15h AH=C2h, the BIOS's PS/2 mouse services (DOS mouse drivers such as CTMOUSE use them): the
// mousebios boot sector initialises the mouse, installs a handler and enables it; the board's mouse
// then moves and clicks, and the BIOS's IRQ12 handler hands each packet to it. Under the built-in BIOS
// and SeaBIOS (whose services are the reference): the same results.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PcBoard } from '../../src/boards/pc/pc-board.js';
import { DiskImage } from '../../src/devices/disk-image.js';
import { floppyWithBootSector, program } from './helpers.js';

const SEABIOS = '/usr/share/seabios/bios.bin';
const STEP = 2_000_000;

/** Run the board until the guest's word at `addr` is `value` (or the budget is spent). */
function runUntil(board: PcBoard, addr: number, value: number, budget: number): void {
  const ram = board.memory.ram;
  for (let n = STEP; n <= budget; n += STEP) {
    board.run({ maxInstructions: n, timeoutMs: 60_000 });
    if ((ram[addr] | (ram[addr + 1] << 8)) === value) return;
  }
  throw new Error(`the guest did not write ${value.toString(16)} at ${addr.toString(16)}`);
}

const words = (ram: Uint8Array, at: number, n: number) =>
  Array.from({ length: n }, (_, i) => ram[at + 2 * i] | (ram[at + 2 * i + 1] << 8));

function run(firmware: 'built-in BIOS' | 'SeaBIOS') {
  const board = new PcBoard({
    memoryMiB: 4,
    floppyA: DiskImage.floppy(floppyWithBootSector(program('mousebios.bin'))),
    ...(firmware === 'SeaBIOS' ? { bios: new Uint8Array(readFileSync(SEABIOS)) } : {}),
  });
  runUntil(board, 0x7060, 0xbeef, 200_000_000);
  const ram = board.memory.ram;
  const setup = { calls: words(ram, 0x7000, 10), id: ram[0x7040], status: [...ram.subarray(0x7041, 0x7044)] };
  const seen = () => words(ram, 0x7050, 7).map((w, i) => (i >= 5 ? (w << 16) >> 16 : w));
  const before = seen();
  board.mouse({ dx: 5, dy: -3, buttons: 1 }); // right 5, up 3 (screen y grows downwards), left button
  runUntil(board, 0x7050, before[0] + 1, 400_000_000);
  const first = seen();
  board.mouse({ dx: -20, dy: 10, buttons: 2 });
  runUntil(board, 0x7050, before[0] + 2, 600_000_000);
  return { setup, before, first, second: seen() };
}

for (const firmware of ['built-in BIOS', 'SeaBIOS'] as const) {
  const skip = firmware === 'SeaBIOS' && !existsSync(SEABIOS);
  describe.skipIf(skip)(
    `int 15h AH=C2h under ${firmware}${skip ? ` (skipped: ${SEABIOS} absent)` : ''}`,
    () => {
      it('initialises, enables and delivers each packet to the installed handler', () => {
        const r = run(firmware);
        // (CF << 8) | AH per call: enable without a handler (05h), function 08h (01h), then init, id,
        // rate 100, resolution 3 succeed, rate index 7 is bad input (02h), handler, enable, status
        expect(r.setup.calls).toEqual([0x105, 0x101, 0, 0, 0, 0, 0x102, 0, 0, 0]);
        expect(r.setup.id).toBe(0);
        // enabled, 1:1, no buttons; resolution 3; 100 samples/s
        expect(r.setup.status).toEqual([0x20, 3, 100]);
        expect(r.before).toEqual([0, 0, 0, 0, 0, 0, 0]);
        // status (sync bit 3, left button), X 5, Y +3 (PS/2 counts up), Z 0
        expect(r.first).toEqual([1, 0x09, 5, 3, 0, 5, 3]);
        // X -20 (sign bit 4), Y -10 (sign bit 5), right button
        expect(r.second).toEqual([2, 0x3a, 0xec, 0xf6, 0, -15, -7]);
      }, 300_000);
    },
  );
}
