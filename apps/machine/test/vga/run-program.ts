// Boots one VGA test program (programs/*.bin, a floppy head) on a PC board and renders the frame it
// leaves. Shared by the tests and by the script that refreshes the reference pictures.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PcBoard } from '../../src/boards/pc/pc-board.js';
import { DiskImage } from '../../src/devices/disk-image.js';
import type { VgaFrame } from '../../src/devices/vga/frame.js';

export const HERE = dirname(fileURLToPath(import.meta.url));
export const PROGRAMS = [
  'text80',
  'text80x50',
  'text40',
  'mode13',
  'mode12',
  'mode0d',
  'vbe640',
  'vbe1024',
  'gfxtext',
  'mode0e',
  'mode10',
  'mode11',
  'cga04',
  'cga05',
  'cga06',
  'mono07',
] as const;
export type Program = (typeof PROGRAMS)[number];
export const SEABIOS = '/usr/share/seabios/bios.bin';
export const SEAVGABIOS = '/usr/share/seabios/vgabios-stdvga.bin';
export const haveSeabios = existsSync(SEABIOS) && existsSync(SEAVGABIOS);
export type Firmware = 'builtin' | 'seabios';

/** The program's sectors at the start of a 1.44 MB floppy. */
export function floppyFor(program: Program): DiskImage {
  const image = new Uint8Array(1474560);
  image.set(readFileSync(join(HERE, 'programs', `${program}.bin`)));
  return DiskImage.floppy(image);
}

/** Boot `program` under `firmware` until it halts; the frame rendered then, and the board. */
export function runProgram(program: Program, firmware: Firmware): { frame: VgaFrame; board: PcBoard } {
  const board = new PcBoard({
    memoryMiB: 16,
    floppyA: floppyFor(program),
    ...(firmware === 'seabios'
      ? { bios: new Uint8Array(readFileSync(SEABIOS)), vgaRom: new Uint8Array(readFileSync(SEAVGABIOS)) }
      : {}),
  });
  const result = board.run({ maxInstructions: 200_000_000, timeoutMs: 120_000 });
  if (result.stop !== 'halted') throw new Error(`${program} under ${firmware}: stopped with ${result.stop}`);
  return { frame: board.vgaRenderer().render(), board };
}

/** Programs that draw text through the BIOS: the two BIOSes' fonts differ, so each has its own picture. */
const DRAWS_TEXT: readonly Program[] = [
  'text80',
  'text80x50',
  'text40',
  'gfxtext',
  'cga04',
  'cga06',
  'mono07',
];

/** The reference picture's path: one per firmware where text is drawn (their fonts differ), else shared. */
export function referencePath(program: Program, firmware: Firmware): string {
  const shared = !DRAWS_TEXT.includes(program);
  return join(HERE, 'expected', shared ? `${program}.png` : `${program}-${firmware}.png`);
}
