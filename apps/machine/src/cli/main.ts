#!/usr/bin/env node
// The `phantasm` command: `boot` (the default) runs the Phantasm system on a persistent disk, `pc`
// boots real PC software, `malta` boots MIPS Linux on the Malta board, `ia64` runs a bare-metal
// IA-64 program, `inspect` describes a disk
// at rest. Guest console on stdout; our own progress and one line per error on stderr. Exit: 0 ok,
// 1 failure, 2 (pc: screen text not seen; inspect: untrusted disk; malta: a limit ended the run
// before the guest powered off), 64 usage, 130/143 SIGINT/SIGTERM, or a guest's isa-debug-exit
// status.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { VmMapError } from '@phantasm/vm-map';
import { MaltaBootError } from '../boards/malta/kernel-loader.js';
import { FirmwareError } from '../boards/pc/firmware.js';
import { MultibootError } from '../boards/pc/multiboot.js';
import { DiskImageError } from '../devices/disk-image.js';
import { DeviceStateError } from '../devices/state.js';
import { DeviceConfigError } from '../devices/types.js';
import { ElfError } from '../kernel/elf.js';
import { DiskFailure, KernelPanic } from '../kernel/kernel.js';
import { BootError } from '../kernel/system.js';
import { MachineStateError } from '../persist/state-format.js';
import { type Invocation, parseCommandLine } from './args.js';
import { bootCommand } from './boot.js';
import { EXIT, errorLine, InspectError, UsageError } from './errors.js';
import { ia64Command } from './ia64.js';
import { inspectCommand } from './inspect.js';
import { maltaCommand } from './malta.js';
import { pcCommand } from './pc.js';
import { runCommand } from './run.js';

/** Errors that are the command line's or the input files' fault: exit 64, as before for `pc`. */
const USAGE_ERRORS = [
  UsageError,
  DiskImageError,
  FirmwareError,
  MultibootError,
  MaltaBootError,
  DeviceConfigError,
];
/** Errors that stop `boot` with a clear reason (vm-map's: a bad disk, untrusted or damaged): exit 1. */
const BOOT_ERRORS = [
  BootError,
  ElfError,
  KernelPanic,
  DiskFailure,
  VmMapError,
  MachineStateError,
  DeviceStateError,
];

export interface MainIo {
  stdin: NodeJS.ReadStream;
}

function run(invocation: Invocation, io: MainIo): Promise<number> | number {
  switch (invocation.command) {
    case 'help':
      process.stdout.write(invocation.text);
      return EXIT.ok;
    case 'boot':
      return bootCommand(invocation.args, io);
    case 'pc':
      return pcCommand(invocation.args, invocation.bare, io);
    case 'inspect':
      return inspectCommand(invocation.args);
    case 'malta':
      return maltaCommand(invocation.args, io);
    case 'ia64':
      return ia64Command(invocation.args);
    case 'run':
      return runCommand(invocation.args);
  }
}

/** Run the command line (without the program name); resolves to the exit status. */
export async function main(argv: string[], io: MainIo = { stdin: process.stdin }): Promise<number> {
  try {
    return await run(parseCommandLine(argv), io);
  } catch (e) {
    if (!(e instanceof Error)) throw e;
    if (USAGE_ERRORS.some((type) => e instanceof type)) {
      process.stderr.write(`${errorLine(e)}\n`);
      if (e instanceof UsageError) process.stderr.write('phantasm: see `phantasm --help`\n');
      return EXIT.usage;
    }
    if (e instanceof InspectError) {
      process.stderr.write(`phantasm: inspect: ${e.message}\n`);
      return e.status;
    }
    if (BOOT_ERRORS.some((type) => e instanceof type)) {
      process.stderr.write(`${errorLine(e)}\n`);
      return EXIT.failure;
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

if (isEntryPoint()) {
  main(process.argv.slice(2)).then(
    (status) => {
      process.exitCode = status;
    },
    (e: unknown) => {
      // A bug, not a user's mistake: keep the stack for the report.
      process.stderr.write(`phantasm: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
      process.exitCode = EXIT.failure;
    },
  );
}
