// `phantasm malta`: the MIPS Malta board booting a Linux kernel the way QEMU's -kernel does.
// The serial console (COM1, ttyS0) is on stdout (or a file); stdin goes to it: on a terminal raw,
// key by key, with Ctrl-A X to quit and Ctrl-C passed to the guest; from a pipe or file, its text
// once the guest has the port open. Virtual time is paced to the wall clock. A PIIX4 power-off
// ends the run with status 0.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { type Command, Option } from 'commander';
import { MaltaBoard, type MaltaRunResult } from '../boards/malta/malta-board.js';
import { EXIT, UsageError } from './errors.js';
import { ESCAPE_HELP } from './keys.js';
import { Pacer } from './pacer.js';
import { Sink } from './pc-machine.js';
import { progress } from './progress.js';
import { TerminalInput } from './terminal-input.js';

export interface MaltaArgs {
  kernel: string;
  initrd?: string;
  append?: string;
  memoryMiB?: number;
  serial: string;
  maxInstructions?: number;
  timeoutSeconds?: number;
  cpu?: '4Kc' | '24Kf';
}

const SLICE_MS = 20;
const CTRL_C = '\x03';

function positive(option: string, integer: boolean): (text: string) => number {
  return (text) => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
      throw new UsageError(
        `${option} needs a positive ${integer ? 'integer' : 'number'}, got ${JSON.stringify(text)}`,
      );
    }
    return n;
  };
}

/** The `malta` subcommand's options; `done` receives the parsed arguments. */
export function defineMaltaCommand(program: Command, done: (args: MaltaArgs) => void): void {
  program
    .command('malta')
    .summary('boot a MIPS Linux kernel on the Malta board')
    .description(
      "The MIPS Malta board (24K-class CPU, GT-64120, PIIX4) with QEMU's -kernel convention: an ELF " +
        'kernel, an optional initrd, YAMON-style arguments. The serial console (ttyS0) is on stdout and ' +
        'stdin goes to it (Ctrl-A X quits on a terminal). Power-off by the guest exits 0; a limit ' +
        'reached first, 2.',
    )
    .requiredOption('--kernel <FILE>', 'ELF32 little-endian MIPS kernel (e.g. Debian vmlinuz-*-malta)')
    .option('--initrd <FILE>', 'initial RAM disk (placed near the top of low RAM)')
    .option('--append <ARGS>', 'kernel command line', 'console=ttyS0')
    .option('--memory <MiB>', 'RAM size, 16 to 256 (default 128)', positive('--memory', true))
    .option('--serial <stdio|FILE>', 'serial console output', 'stdio')
    .addOption(
      new Option('--max-instructions <N>', 'stop after N instructions').argParser(
        positive('--max-instructions', true),
      ),
    )
    .option('--timeout <SECONDS>', 'wall-clock limit', positive('--timeout', false))
    .addOption(
      new Option('--cpu <MODEL>', 'processor: 4Kc (no FPU, the default) or 24Kf (with the FPU)').choices([
        '4Kc',
        '24Kf',
      ]),
    )
    .action((o: Record<string, unknown>) => {
      const args: MaltaArgs = {
        kernel: o.kernel as string,
        serial: o.serial as string,
        append: o.append as string,
      };
      if (o.initrd !== undefined) args.initrd = o.initrd as string;
      if (o.memory !== undefined) args.memoryMiB = o.memory as number;
      if (o.maxInstructions !== undefined) args.maxInstructions = o.maxInstructions as number;
      if (o.timeout !== undefined) args.timeoutSeconds = o.timeout as number;
      if (o.cpu !== undefined) args.cpu = o.cpu as '4Kc' | '24Kf';
      done(args);
    });
}

function readInput(what: string, path: string): Uint8Array {
  if (!existsSync(path)) throw new UsageError(`${what} ${path}: no such file`);
  return new Uint8Array(readFileSync(path));
}

export interface MaltaIo {
  stdin: NodeJS.ReadStream;
}

export async function maltaCommand(args: MaltaArgs, io: MaltaIo): Promise<number> {
  const serial = new Sink(args.serial);
  const board = new MaltaBoard({ memoryMiB: args.memoryMiB, serial: serial.push, cpu: args.cpu });
  const plan = board.loadKernel({
    kernel: readInput('kernel', args.kernel),
    initrd: args.initrd === undefined ? undefined : readInput('initrd', args.initrd),
    cmdline: args.append,
    kernelName: basename(args.kernel),
    rngSeed: randomBytes(32), // as QEMU: a fresh seed per boot
  });
  progress(
    `malta: ${board.memoryMiB} MiB, kernel entry 0x${plan.entry.toString(16)}` +
      (plan.initrd ? `, initrd at 0x${plan.initrd.physical.toString(16)} (${plan.initrd.size} bytes)` : '') +
      `, command line "${plan.argv[1]}"`,
  );
  let end: 'quit' | 'sigint' | 'sigterm' | undefined;
  /** Piped input waits until the guest has COM1 open with its receive interrupt on. */
  let pending = '';
  const input = new TerminalInput(io.stdin, (event) => {
    if (event.kind === 'text') {
      if (input.tty) board.type(event.text);
      else pending += event.text;
    } else if (event.kind === 'interrupt') board.type(CTRL_C);
    else if (event.kind === 'quit') end ??= 'quit';
    else if (event.kind === 'help') progress(ESCAPE_HELP.slice(0, 2).join(' | '));
  });
  const onSignal = (signal: 'sigint' | 'sigterm') => () => {
    end ??= signal;
    input.notify();
  };
  const sigint = onSignal('sigint');
  const sigterm = onSignal('sigterm');
  process.on('SIGINT', sigint);
  process.on('SIGTERM', sigterm);
  const pacer = new Pacer(() => board.clock.nanos / 1e6);
  const deadline = performance.now() + (args.timeoutSeconds ?? Number.POSITIVE_INFINITY) * 1000;
  let result: MaltaRunResult | undefined;
  let wall = 0;
  try {
    while (!end && performance.now() < deadline) {
      if (pending && (board.uart.ier & 1) !== 0) {
        board.type(pending);
        pending = '';
      }
      result = board.run({ maxInstructions: args.maxInstructions, timeoutMs: SLICE_MS });
      wall += result.wallMs;
      serial.flush();
      if (result.stop !== 'timeout') break;
      const ahead = pacer.aheadMs();
      await input.wait(ahead > 1 ? Math.min(ahead, deadline - performance.now()) : 0);
    }
  } finally {
    input.close();
    process.off('SIGINT', sigint);
    process.off('SIGTERM', sigterm);
    serial.flush();
  }
  if (result) {
    const mips = wall > 0 ? (result.instructions / wall / 1000).toFixed(1) : '-';
    progress(
      `stopped (${end ?? result.stop}) after ${result.instructions} instructions, ${(wall / 1000).toFixed(2)} s wall, ` +
        `${result.virtualSeconds.toFixed(2)} s virtual, ${mips} MIPS`,
    );
  }
  if (end === 'sigint') return EXIT.sigint;
  if (end === 'sigterm') return EXIT.sigterm;
  if (result?.stop === 'poweroff') return EXIT.ok;
  if (end === 'quit') return EXIT.ok;
  // a limit (instructions or time) ended the run before the guest powered off
  return result?.stop === 'max-instructions' || performance.now() >= deadline ? 2 : EXIT.ok;
}
