// `phantasm ia64 --kernel ELF`: the bare-metal IA-64 board (src/boards/ia64). The UART console is on
// stdout; the guest's store to the exit port ends the run with that status; a fault that has no
// interruption vector (no memory behind an address, a machine check) is reported on stderr, status 1;
// reaching --max-instructions first gives status 2.
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Ia64Error } from '@phantasm/cpu-ia64';
import type { Command } from 'commander';
import { Ia64Board } from '../boards/ia64/ia64-board.js';
import { EXIT, UsageError } from './errors.js';
import { progress } from './progress.js';

export interface Ia64Args {
  kernel: string;
  memoryMiB?: number;
  maxInstructions?: number;
}

function positiveInteger(option: string): (text: string) => number {
  return (text) => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isInteger(n) || n <= 0)
      throw new UsageError(`${option} needs a positive integer, got ${JSON.stringify(text)}`);
    return n;
  };
}

/** The `ia64` subcommand's options; `done` receives the parsed arguments. */
export function defineIa64Command(program: Command, done: (args: Ia64Args) => void): void {
  program
    .command('ia64')
    .summary('run a bare-metal IA-64 program on the ia64 board')
    .description(
      'An Itanium CPU in system mode with RAM from physical 0, a 16550 UART at 0xf0000000 (console on ' +
        'stdout) and an exit port at 0xf0001000 (the stored value is the exit status). The ELF is loaded ' +
        'at its addresses and started at its entry with translation and interruption collection off.',
    )
    .requiredOption('--kernel <FILE>', 'ELF64 IA-64 program, linked at physical addresses')
    .option('--memory <MiB>', 'RAM size, 1 to 3840 (default 64)', positiveInteger('--memory'))
    .option(
      '--max-instructions <N>',
      'stop after N instructions (status 2)',
      positiveInteger('--max-instructions'),
    )
    .action((o: Record<string, unknown>) => {
      const args: Ia64Args = { kernel: o.kernel as string };
      if (o.memory !== undefined) args.memoryMiB = o.memory as number;
      if (o.maxInstructions !== undefined) args.maxInstructions = o.maxInstructions as number;
      done(args);
    });
}

export function ia64Command(args: Ia64Args): number {
  if (!existsSync(args.kernel)) throw new UsageError(`kernel ${args.kernel}: no such file`);
  const out: number[] = [];
  const flush = () => {
    if (out.length) process.stdout.write(Buffer.from(out));
    out.length = 0;
  };
  let board: Ia64Board;
  try {
    board = new Ia64Board({
      memoryMiB: args.memoryMiB,
      serial: (b) => {
        out.push(b);
        if (b === 10 || out.length >= 4096) flush();
      },
    });
  } catch (e) {
    if (e instanceof Ia64Error) throw new UsageError(e.message);
    throw e;
  }
  let image: ReturnType<Ia64Board['loadKernel']>;
  try {
    image = board.loadKernel(new Uint8Array(readFileSync(args.kernel)), basename(args.kernel));
  } catch (e) {
    if (e instanceof Ia64Error) throw new UsageError(e.message);
    throw e;
  }
  progress(`ia64: ${board.memoryMiB} MiB, entry 0x${image.entry.toString(16)}`);
  const r = board.run({ maxInstructions: args.maxInstructions });
  flush();
  progress(
    `stopped (${r.stop}) after ${r.instructions} instructions, ${(r.wallMs / 1000).toFixed(2)} s wall`,
  );
  if (r.stop === 'exit') return r.status ?? EXIT.ok;
  if (r.stop === 'fault') {
    process.stderr.write(`phantasm ia64: ${r.fault}\n`);
    return EXIT.failure;
  }
  return 2;
}
