// cpu-mips32's QEMU oracle programs, booted on the whole Malta board with the -kernel convention:
// each ELF prints through COM1 at phys 0x180003F8 (the GT-64120 I/O window) and ends with a
// SOFTRES reset; the serial output must equal what qemu-system-mipsel -M malta printed for it (with
// the lines where QEMU departs from the MIPS32 manual replaced, see programs/expected.ts).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { expectedOutput } from '../../../../packages/cpu-mips32/test/programs/expected.js';
import { MaltaBoard } from '../../src/boards/malta/malta-board.js';

const programs = fileURLToPath(new URL('../../../../packages/cpu-mips32/test/programs/', import.meta.url));

describe('cpu-mips32 oracle programs on the Malta board', () => {
  for (const name of ['alu', 'mem', 'exc', 'branch']) {
    it(`${name}.elf prints what QEMU's Malta printed, then resets the board`, () => {
      let out = '';
      const board = new MaltaBoard({ memoryMiB: 64, serial: (b) => (out += String.fromCharCode(b)) });
      board.loadKernel({ kernel: readFileSync(`${programs}${name}.elf`), kernelName: `${name}.elf` });
      const result = board.run({ maxInstructions: 50_000_000, stopOnReset: true });
      expect(result.stop).toBe('reset');
      expect(out).toBe(expectedOutput(name));
    });
  }
});
