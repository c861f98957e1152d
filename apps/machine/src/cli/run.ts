// `phantasm run --arch ia64 PROGRAM [ARGS]`: a user-mode program, as Ski's bskinc runs one: a static
// Linux/ia64 ELF with its Linux system calls emulated on the host. The program's stdout and stderr
// are ours; its exit status is ours. A fault ends the run with a line on stderr and the status a
// shell shows for the matching signal (128 + SIGILL/SIGTRAP/SIGBUS/SIGSEGV).
import { existsSync, readFileSync, readSync } from 'node:fs';
import { type FaultKind, Ia64ElfError, LinuxProcess } from '@phantasm/cpu-ia64';
import type { Command } from 'commander';
import { UsageError } from './errors.js';

export interface RunArgs {
  arch: 'ia64';
  program: string;
  args: string[];
  maxInstructions?: number;
}

const ARCHES = ['ia64'];

/** The `run` subcommand's options; `done` receives the parsed arguments. */
export function defineRunCommand(program: Command, done: (args: RunArgs) => void): void {
  program
    .command('run')
    .summary('run a user-mode Linux program (ia64)')
    .description(
      'Load a static Linux ELF and run it in user mode with its system calls emulated (exit, read, ' +
        'write, open/close of host files read-only, brk, anonymous mmap, clock_gettime, uname), as ' +
        "HP Ski's bskinc does for ia64. The program's exit status is the command's.",
    )
    .requiredOption('--arch <ARCH>', `processor: ${ARCHES.join(', ')}`)
    .option('--max-instructions <N>', 'stop after N instructions (status 2)', (text: string) => {
      const n = Number(text);
      if (!Number.isInteger(n) || n <= 0)
        throw new UsageError(`--max-instructions needs a positive integer, got ${JSON.stringify(text)}`);
      return n;
    })
    .argument('<PROGRAM>', 'static ELF executable')
    .argument('[ARGS...]', "the program's arguments")
    .allowUnknownOption()
    .action((programPath: string, programArgs: string[], o: Record<string, unknown>) => {
      if (!ARCHES.includes(o.arch as string)) {
        throw new UsageError(
          `--arch ${JSON.stringify(o.arch)} is not supported by run (supported: ${ARCHES.join(', ')})`,
        );
      }
      const args: RunArgs = { arch: 'ia64', program: programPath, args: programArgs };
      if (o.maxInstructions !== undefined) args.maxInstructions = o.maxInstructions as number;
      done(args);
    });
}

const SIGNAL_STATUS: Partial<Record<FaultKind, number>> = {
  'illegal-operation': 132,
  'reserved-register': 132,
  'privileged-operation': 132,
  break: 133,
  'unaligned-reference': 135,
};

function readStdin(max: number): Uint8Array {
  const buf = Buffer.alloc(Math.min(max, 65536));
  try {
    const n = readSync(0, buf, 0, buf.length, null);
    return buf.subarray(0, n);
  } catch {
    return new Uint8Array(0);
  }
}

export function runCommand(args: RunArgs): number {
  if (!existsSync(args.program)) throw new UsageError(`${args.program}: no such file`);
  let process_: LinuxProcess;
  try {
    process_ = new LinuxProcess(new Uint8Array(readFileSync(args.program)), {
      argv: [args.program, ...args.args],
      env: ['PATH=/bin:/usr/bin', 'HOME=/'],
      stdin: readStdin,
      stdout: (b) => process.stdout.write(Buffer.from(b)),
      stderr: (b) => process.stderr.write(Buffer.from(b)),
    });
  } catch (e) {
    if (e instanceof Ia64ElfError) throw new UsageError(e.message);
    throw e;
  }
  const r = process_.run(args.maxInstructions);
  if (r.exitCode !== undefined) return r.exitCode;
  if (r.fault) {
    process.stderr.write(`phantasm: run: ${r.fault.kind}: ${r.fault.message}\n`);
    return SIGNAL_STATUS[r.fault.kind] ?? 139;
  }
  process.stderr.write(`phantasm: run: stopped after ${r.instructions} instructions\n`);
  return 2; // a limit ended the run, as for malta
}
