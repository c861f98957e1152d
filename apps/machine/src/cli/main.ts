#!/usr/bin/env node
// The `phantasm` command: `phantasm pc [options]` boots the PC board; with no arguments it
// boots the default machine (built-in BIOS + the shared FreeDOS floppy) to its prompt.
// Guest console (COM1, and the screen at the end) on stdout; our own progress on stderr.
import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FirmwareError } from '../boards/pc/firmware.js';
import { MultibootError } from '../boards/pc/multiboot.js';
import { PcBoard, type PcBoardOptions, type RunResult } from '../boards/pc/pc-board.js';
import { DiskImage, DiskImageError } from '../devices/disk-image.js';
import { DeviceConfigError } from '../devices/types.js';
import { type PcArgs, parsePcArgs, USAGE, UsageError } from './args.js';

const DEFAULT_IMAGE = 'images/freedos722.img';
const DEFAULT_PROMPT = 'A:\\>';
const NO_BOOT_MESSAGE = 'No bootable disk';

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
class Sink {
  private bytes: number[] = [];
  constructor(private readonly target: string) {
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

function progress(text: string): void {
  process.stderr.write(`phantasm: ${text}\n`);
}

/** Fill in the default machine when no arguments were given. */
function defaultMachine(args: PcArgs): { args: PcArgs; expectNoBoot: boolean } {
  const image = resolve(sharedDir(), DEFAULT_IMAGE);
  if (existsSync(image)) {
    progress(`default machine: built-in BIOS, FreeDOS floppy ${image}`);
    return {
      args: { ...args, fda: image, untilScreen: DEFAULT_PROMPT, timeoutSeconds: 60 },
      expectNoBoot: false,
    };
  }
  progress(`FreeDOS image not found at ${image} (set PHANTASM_SHARED to the shared data directory);`);
  progress('booting the built-in BIOS alone, which stops at "No bootable disk".');
  return { args: { ...args, untilScreen: NO_BOOT_MESSAGE, timeoutSeconds: 60 }, expectNoBoot: true };
}

function runMachine(args: PcArgs): number {
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
  const deadline =
    args.timeoutSeconds === undefined
      ? Number.POSITIVE_INFINITY
      : performance.now() + args.timeoutSeconds * 1000;
  let result: RunResult;
  let wall = 0;
  for (;;) {
    // Short wall-clock chunks so console output streams while the guest runs.
    const chunk = Math.max(0, Math.min(250, deadline - performance.now()));
    result = board.run({
      maxInstructions: args.maxInstructions,
      untilScreen: args.untilScreen,
      timeoutMs: chunk,
    });
    wall += result.wallMs;
    serial.flush();
    debugcon?.flush();
    if (result.stop !== 'timeout' || performance.now() >= deadline) break;
  }
  const screen = board.screenText();
  if (args.screenDump) writeFileSync(args.screenDump, `${screen}\n`);
  if (args.serial !== 'stdio' || args.untilScreen !== undefined || result.stop !== 'exit') {
    process.stdout.write(`${screen}\n`);
  }
  const mips = wall > 0 ? (result.instructions / wall / 1000).toFixed(1) : '-';
  progress(
    `stopped (${result.stop}) after ${result.instructions} instructions, ${(wall / 1000).toFixed(2)} s wall, ` +
      `${result.virtualSeconds.toFixed(2)} s virtual, ${mips} MIPS`,
  );
  if (result.stop === 'exit') return result.exitStatus! & 0xff;
  if (args.untilScreen !== undefined) {
    if (result.stop === 'screen') return 0;
    progress(`"${args.untilScreen}" did not appear on screen`);
    return 2;
  }
  return 0;
}

export function main(argv: string[]): number {
  try {
    if (argv.includes('--help') || argv.includes('-h')) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (argv.length > 0 && argv[0] !== 'pc' && !argv[0].startsWith('--')) {
      throw new UsageError(`unknown machine ${JSON.stringify(argv[0])} (only "pc" exists)`);
    }
    let args = parsePcArgs(argv);
    let expectNoBoot = false;
    if (argv.length === 0) ({ args, expectNoBoot } = defaultMachine(args));
    const status = runMachine(args);
    return expectNoBoot && status === 0 ? 0 : status;
  } catch (e) {
    const expected = [UsageError, DiskImageError, FirmwareError, MultibootError, DeviceConfigError];
    if (expected.some((type) => e instanceof type)) {
      const err = e as Error;
      progress(`${err.name}: ${err.message}`);
      if (e instanceof UsageError) process.stderr.write(`${USAGE}\n`);
      return 64;
    }
    throw e;
  }
}

/** True when this file is the program being run (directly, through tsx, or through the bin link). */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) process.exitCode = main(process.argv.slice(2));
