// cpu-mips32's FPU oracle programs on the whole Malta board with a 24Kf (`cpu: '24Kf'`, what
// `phantasm malta --cpu 24Kf` builds): the serial output must equal what
// `qemu-system-mipsel -M malta -cpu 24Kf -kernel` printed for the same ELF.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MaltaBoard } from '../../src/boards/malta/malta-board.js';
import { runCli } from '../cli/run-cli.js';

const programs = fileURLToPath(
  new URL('../../../../packages/cpu-mips32/test/fpu-programs/', import.meta.url),
);

describe('cpu-mips32 FPU oracle programs on a 24Kf Malta board', () => {
  for (const name of ['fpu', 'words']) {
    it(`${name}.elf prints what QEMU's 24Kf Malta printed, then resets the board`, () => {
      let out = '';
      const board = new MaltaBoard({
        memoryMiB: 64,
        cpu: '24Kf',
        serial: (b) => (out += String.fromCharCode(b)),
      });
      board.loadKernel({ kernel: readFileSync(`${programs}${name}.elf`), kernelName: `${name}.elf` });
      const result = board.run({ maxInstructions: 50_000_000, stopOnReset: true });
      expect(result.stop).toBe('reset');
      expect(out).toBe(readFileSync(`${programs}${name}.qemu.txt`, 'latin1'));
    });
  }

  it('the default board is a 4Kc: Status.CU1 stays clear and Config1.FP reads 0', () => {
    let out = '';
    const board = new MaltaBoard({ memoryMiB: 64, serial: (b) => (out += String.fromCharCode(b)) });
    board.loadKernel({ kernel: readFileSync(`${programs}fpu.elf`), kernelName: 'fpu.elf' });
    board.run({ maxInstructions: 2_000_000, stopOnReset: true });
    expect(board.cpu.fpu).toBeUndefined();
    expect(out.startsWith('fpu oracle\nstatus.cu1 00000000\nconfig1.fp 00000000\n')).toBe(true);
  });

  it('phantasm malta --cpu 24Kf runs it as QEMU did; --cpu other is a usage error', async () => {
    const run = await runCli([
      'malta',
      '--cpu',
      '24Kf',
      '--kernel',
      `${programs}words.elf`,
      '--max-instructions',
      '3000000',
    ]);
    expect(run.stdout).toContain(readFileSync(`${programs}words.qemu.txt`, 'latin1'));
    expect(run.status).toBe(2); // the program resets the board and runs again until the limit
    const bad = await runCli(['malta', '--cpu', 'R4000', '--kernel', `${programs}words.elf`]);
    expect(bad.status).toBe(64);
  });
});
