// The PC board as `phantasm pc` builds it from its arguments: firmware, disks, multiboot kernel,
// COM1 and the debug console as byte sinks (stdout or a file); the default machine's floppy.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PcBoard, type PcBoardOptions, type RunResult } from '../boards/pc/pc-board.js';
import { DiskImage } from '../devices/disk-image.js';
import type { PcArgs } from './args.js';
import { UsageError } from './errors.js';
import { progress } from './progress.js';

const DEFAULT_IMAGE = 'images/freedos722.img';

/** The shared data directory: PHANTASM_SHARED, or ../shared beside the repository root. */
function sharedDir(): string {
  const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
  const configured = process.env.PHANTASM_SHARED;
  if (configured) return isAbsolute(configured) ? configured : resolve(repoRoot, configured);
  return resolve(repoRoot, '../shared');
}

function readInput(what: string, path: string): Uint8Array {
  if (!existsSync(path)) throw new UsageError(`${what} ${path}: no such file`);
  return new Uint8Array(readFileSync(path));
}

/** A byte sink that writes to stdout or appends to a file, flushed between run slices. */
export class Sink {
  private bytes: number[] = [];
  constructor(readonly target: string) {
    if (target !== 'stdio') writeFileSync(target, '');
  }
  push = (b: number): void => {
    this.bytes.push(b);
  };
  flush(): void {
    if (this.bytes.length === 0) return;
    const data = Buffer.from(this.bytes);
    this.bytes = [];
    if (this.target === 'stdio') process.stdout.write(data);
    else writeFileSync(this.target, data, { flag: 'a' });
  }
}

/** SeaBIOS needs a VGA BIOS for a screen: use SeaVGABIOS when it sits beside the BIOS image. */
function vgaRomBeside(biosPath: string): Uint8Array | undefined {
  for (const name of ['vgabios-isavga.bin', 'vgabios.bin']) {
    const path = resolve(dirname(biosPath), name);
    if (existsSync(path)) {
      progress(`VGA option ROM ${path} offered through fw_cfg`);
      return new Uint8Array(readFileSync(path));
    }
  }
  return undefined;
}

/** The default machine's floppy, or undefined (with a note) when the shared image is absent. */
export function defaultFloppy(): string | undefined {
  const image = resolve(sharedDir(), DEFAULT_IMAGE);
  if (existsSync(image)) {
    progress(`default machine: built-in BIOS, FreeDOS floppy ${image}`);
    return image;
  }
  progress(`FreeDOS image not found at ${image} (set PHANTASM_SHARED to the shared data directory);`);
  progress('booting the built-in BIOS alone, which stops at "No bootable disk".');
  return undefined;
}

export interface PcMachine {
  board: PcBoard;
  serial: Sink;
  debugcon?: Sink;
}

export function buildPc(args: PcArgs): PcMachine {
  const serial = new Sink(args.serial);
  const debugcon = args.debugcon ? new Sink(args.debugcon) : undefined;
  const options: PcBoardOptions = {
    memoryMiB: args.memoryMiB,
    serial: serial.push,
    debugcon: debugcon?.push,
    startTime: new Date(),
  };
  if (args.bios) {
    options.bios = readInput('--bios', args.bios);
    options.vgaRom = vgaRomBeside(args.bios);
  }
  if (args.fda) options.floppyA = DiskImage.floppy(readInput('--fda', args.fda));
  if (args.hda) options.hardDisk = DiskImage.hardDisk(readInput('--hda', args.hda));
  const board = new PcBoard(options);
  if (args.kernel) {
    const k = board.loadMultiboot(readInput('--kernel', args.kernel), args.kernel);
    progress(`multiboot kernel loaded, entry 0x${k.entry.toString(16)}`);
  }
  if (args.type) board.type(args.type);
  progress(
    `PC board, ${board.memory.ramSize >> 20} MiB, ${args.bios ? `BIOS ${args.bios}` : 'built-in BIOS'}` +
      `${args.fda ? `, A: ${args.fda}` : ''}${args.hda ? `, C: ${args.hda}` : ''}`,
  );
  return { board, serial, debugcon };
}

export function reportStop(result: RunResult, wallMs: number): void {
  const mips = wallMs > 0 ? (result.instructions / wallMs / 1000).toFixed(1) : '-';
  progress(
    `stopped (${result.stop}) after ${result.instructions} instructions, ${(wallMs / 1000).toFixed(2)} s wall, ` +
      `${result.virtualSeconds.toFixed(2)} s virtual, ${mips} MIPS`,
  );
}
