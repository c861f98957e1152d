// FreeDOS boots identically with cpu-ia32's block compiler off and forced on (threshold 0: every
// block compiled the first time it is reached): power-on to A:\> under the built-in BIOS and
// under SeaBIOS takes the same number of guest instructions and leaves the same screen (with exact
// time slices; the board's default lets a compiled block end a slice late, and reaches the same screen).
// Needs the shared image (and Debian's seabios package for the second case); skips plainly.
// The SeaBIOS case (about 11 M instructions, every block compiled: ~40 s of CPU, minutes on a
// loaded host) runs with PHANTASM_FREEDOS_JIT_SEABIOS=1.
import { existsSync, readFileSync } from 'node:fs';
import { findShared, missingMessage } from '@phantasm/test-support';
import { describe, expect, it } from 'vitest';
import { PcBoard, type PcBoardOptions } from '../../src/boards/pc/pc-board.js';
import { DiskImage } from '../../src/devices/disk-image.js';

const FREEDOS = 'images/freedos722.img';
const SEABIOS = '/usr/share/seabios/bios.bin';
const SEAVGABIOS = '/usr/share/seabios/vgabios-isavga.bin';
const freedosPath = findShared(FREEDOS);
const seabiosPresent = existsSync(SEABIOS) && existsSync(SEAVGABIOS);
const seabiosEnabled = process.env.PHANTASM_FREEDOS_JIT_SEABIOS === '1';
const seabiosSkip = !seabiosPresent
  ? ` — skipped: ${SEABIOS} not installed`
  : !seabiosEnabled
    ? ' — skipped: set PHANTASM_FREEDOS_JIT_SEABIOS=1 (long)'
    : '';

/** Power-on to the prompt with the compiler setting `jit` (PHANTASM_IA32_JIT, read by new Cpu). */
function boot(jit: 'off' | '0', extra: Partial<PcBoardOptions>, exactSlices = true) {
  const saved = process.env.PHANTASM_IA32_JIT;
  process.env.PHANTASM_IA32_JIT = jit;
  let board: PcBoard;
  try {
    const floppy = DiskImage.floppy(new Uint8Array(readFileSync(freedosPath as string)));
    board = new PcBoard({ floppyA: floppy, ...extra });
  } finally {
    if (saved === undefined) delete process.env.PHANTASM_IA32_JIT;
    else process.env.PHANTASM_IA32_JIT = saved;
  }
  // Exact slices: by default a compiled block may end a time slice past its budget.
  const r = board.run({
    untilScreen: 'A:\\>',
    maxInstructions: 100_000_000,
    timeoutMs: 120_000,
    exactSlices,
  });
  return {
    stop: r.stop,
    instructions: r.instructions,
    screen: board.screenText(),
    stats: board.cpu.jitStats,
  };
}

function sameBoth(extra: () => Partial<PcBoardOptions>): void {
  const off = boot('off', extra());
  const on = boot('0', extra());
  expect(off.stop).toBe('screen');
  expect(off.stats).toBeUndefined();
  // The compiler did run most of the boot.
  expect(on.stats?.blocksCompiled).toBeGreaterThan(1000);
  expect(on.stats?.instructions).toBeGreaterThan(off.instructions / 2);
  expect(on.stop).toBe('screen');
  expect(on.instructions).toBe(off.instructions);
  expect(on.screen).toBe(off.screen);
  // The default slices (a block may finish its pass past a slice) reach the same prompt.
  const loose = boot('0', extra(), false);
  expect(loose.stop).toBe('screen');
  expect(loose.screen).toBe(off.screen);
}

describe.skipIf(!freedosPath)(
  `FreeDOS with the block compiler off and at threshold 0 (${freedosPath ? FREEDOS : missingMessage(FREEDOS)})`,
  () => {
    it('built-in BIOS: the same instruction count and screen at A:\\>', () => {
      sameBoth(() => ({}));
    }, 300_000);

    it.skipIf(seabiosSkip !== '')(
      `SeaBIOS: the same instruction count and screen at A:\\>${seabiosSkip}`,
      () => {
        sameBoth(() => ({
          bios: new Uint8Array(readFileSync(SEABIOS)),
          vgaRom: new Uint8Array(readFileSync(SEAVGABIOS)),
        }));
      },
      300_000,
    );
  },
);
