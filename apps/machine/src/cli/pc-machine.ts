// The PC board as `phantasm pc` builds it from its arguments: firmware, disks, multiboot kernel,
// COM1 and the debug console as byte sinks (stdout or a file); the default machine's floppy.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isLinuxKernel } from '../boards/pc/linux-boot.js';
import { PcBoard, type PcBoardOptions, type RunResult } from '../boards/pc/pc-board.js';
import { DiskImage } from '../devices/disk-image.js';
import { loadMachineState, saveMachineState } from '../persist/machine-state.js';
import { type CommitReport, PersistentPc } from '../persist/persistent-pc.js';
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

/**
 * SeaBIOS needs a VGA BIOS for a screen: use SeaVGABIOS when it sits beside the BIOS image, the
 * build for QEMU's standard VGA (VBE, linear framebuffer) first, as the board's VGA is that one.
 */
function vgaRomBeside(biosPath: string): Uint8Array | undefined {
  for (const name of ['vgabios-stdvga.bin', 'vgabios-isavga.bin', 'vgabios.bin']) {
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
  /** With --state: the persistent space the board's RAM and disks are snapshotted to. */
  persistent?: PersistentPc;
}

const DEFAULT_SNAPSHOT_SECONDS = 2;

/** Periodic snapshots of a --state machine, driven from the run loops between guest slices. */
export class SnapshotClock {
  private next: number;
  constructor(
    private readonly machine: PcMachine,
    private readonly intervalMs: number,
  ) {
    this.next = performance.now() + intervalMs;
  }

  static for(machine: PcMachine, args: PcArgs): SnapshotClock | undefined {
    if (!machine.persistent) return undefined;
    return new SnapshotClock(machine, (args.snapshotIntervalSeconds ?? DEFAULT_SNAPSHOT_SECONDS) * 1000);
  }

  /** Between slices: walk a snapshot in progress, or start one when it is due. A line when one commits. */
  tick(): string | undefined {
    const pc = this.machine.persistent!;
    if (pc.snapshotInProgress) {
      const done = pc.stepSnapshot(16_384);
      return done ? commitLine(done) : undefined;
    }
    if (performance.now() < this.next) return undefined;
    this.next = performance.now() + this.intervalMs;
    pc.beginSnapshot();
    return undefined;
  }
}

function commitLine(r: CommitReport): string {
  return (
    `snapshot ${r.generation} committed at instruction ${r.instructions}: pause ${r.pauseMs.toFixed(1)} ms ` +
    `(${r.ramPages} RAM + ${r.diskPages} disk pages changed), durable after ${r.commitMs.toFixed(1)} ms`
  );
}

/**
 * At the end of a run: the last snapshot of a --state machine (durable when this returns), the
 * portable state for --save-state. Progress lines on stderr.
 */
export function persistAtExit(machine: PcMachine, args: PcArgs): void {
  const pc = machine.persistent;
  if (pc) {
    pc.finishSnapshot();
    const r = pc.snapshotNow();
    progress(commitLine(r));
    pc.close();
  }
  if (args.saveState) {
    const started = performance.now();
    const bytes = saveMachineState(machine.board);
    writeFileSync(args.saveState, bytes);
    progress(
      `machine state written to ${args.saveState} (${bytes.length} bytes, ${(performance.now() - started).toFixed(0)} ms)`,
    );
  }
}

/** The board of --load-state or --state (resumed or new), else a new one from the arguments. */
export function buildPc(args: PcArgs): PcMachine {
  if (args.state && args.loadState) {
    throw new UsageError('--state and --load-state both give the machine to start: choose one');
  }
  const serial = new Sink(args.serial);
  const debugcon = args.debugcon ? new Sink(args.debugcon) : undefined;
  const io = { serial: serial.push, debugcon: debugcon?.push, jit: jitOption(args) };
  if (args.loadState) {
    const started = performance.now();
    const board = loadMachineState(readInput('--load-state', args.loadState), io, args.loadState);
    ignoredWithState(args, '--load-state');
    if (args.type) board.type(args.type);
    progress(
      `machine state ${args.loadState} loaded in ${(performance.now() - started).toFixed(0)} ms: ` +
        `${board.memory.ramSize >> 20} MiB, resumed at instruction ${board.cpu.instructions}`,
    );
    return { board, serial, debugcon };
  }
  if (args.state) {
    const path = args.state;
    const persistent = PersistentPc.open(path, { io, create: () => newBoard(args, serial, debugcon) });
    const board = persistent.board;
    if (persistent.resumedFrom !== undefined) {
      ignoredWithState(args, '--state');
      progress(
        `resumed ${path} from snapshot ${persistent.resumedFrom} in ${persistent.openMs.toFixed(0)} ms ` +
          `(instruction ${board.cpu.instructions}, ${(board.clock.nanos / 1e9).toFixed(2)} s virtual)`,
      );
      const recovery = persistent.recovery;
      if (recovery.fellBack || recovery.problems.length > 0) {
        progress(
          `${path}: passed over: ${recovery.problems.join('; ')}; resumed snapshot ${persistent.resumedFrom}`,
        );
      }
    } else progress(`new machine state ${path}: snapshot ${persistent.generation} is the power-on state`);
    if (args.type) board.type(args.type);
    return { board, serial, debugcon, persistent };
  }
  const board = newBoard(args, serial, debugcon);
  if (args.type) board.type(args.type);
  return { board, serial, debugcon };
}

/** `--jit` as cpu-ia32's option (absent: the environment decides). */
function jitOption(args: PcArgs): PcBoardOptions['jit'] {
  return args.jit === undefined || args.jit === false ? args.jit : { threshold: args.jit };
}

/** A saved machine brings its own firmware, memory and disks: say so when others were given. */
function ignoredWithState(args: PcArgs, how: string): void {
  const given = (['bios', 'fda', 'hda', 'kernel', 'memoryMiB'] as const).filter((k) => args[k] !== undefined);
  if (given.length > 0) {
    const names = given.map((k) => (k === 'memoryMiB' ? '--memory' : `--${k}`)).join(', ');
    progress(`${how}: the saved machine has its own firmware, memory and disks; ${names} ignored`);
  }
}

function newBoard(args: PcArgs, serial: Sink, debugcon: Sink | undefined): PcBoard {
  const options: PcBoardOptions = {
    memoryMiB: args.memoryMiB,
    serial: serial.push,
    debugcon: debugcon?.push,
    startTime: new Date(),
    jit: jitOption(args),
  };
  if (args.bios) {
    options.bios = readInput('--bios', args.bios);
    options.vgaRom = vgaRomBeside(args.bios);
  }
  if (args.fda) options.floppyA = DiskImage.floppy(readInput('--fda', args.fda));
  if (args.hda) options.hardDisk = DiskImage.hardDisk(readInput('--hda', args.hda));
  const board = new PcBoard(options);
  if (args.kernel) {
    const image = readInput('--kernel', args.kernel);
    if (isLinuxKernel(image)) {
      const initrd = args.initrd ? readInput('--initrd', args.initrd) : undefined;
      const k = board.loadLinux(image, { cmdline: args.append ?? '', initrd });
      progress(
        `Linux kernel loaded (boot protocol ${k.protocol >> 8}.${(k.protocol & 0xff).toString().padStart(2, '0')}, ` +
          `${k.kernelBytes} bytes at 0x100000${k.initrd ? `, initrd ${k.initrd.size} bytes at 0x${k.initrd.address.toString(16)}` : ''})`,
      );
    } else {
      if (args.initrd || args.append)
        throw new UsageError('--initrd and --append need a Linux (bzImage) --kernel');
      const k = board.loadMultiboot(image, args.kernel);
      progress(`multiboot kernel loaded, entry 0x${k.entry.toString(16)}`);
    }
  } else if (args.initrd || args.append) throw new UsageError('--initrd and --append need --kernel');
  progress(
    `PC board, ${board.memory.ramSize >> 20} MiB, ${args.bios ? `BIOS ${args.bios}` : 'built-in BIOS'}` +
      `${args.fda ? `, A: ${args.fda}` : ''}${args.hda ? `, C: ${args.hda}` : ''}`,
  );
  return board;
}

export function reportStop(result: RunResult, wallMs: number): void {
  const mips = wallMs > 0 ? (result.instructions / wallMs / 1000).toFixed(1) : '-';
  progress(
    `stopped (${result.stop}) after ${result.instructions} instructions, ${(wallMs / 1000).toFixed(2)} s wall, ` +
      `${result.virtualSeconds.toFixed(2)} s virtual, ${mips} MIPS`,
  );
}
