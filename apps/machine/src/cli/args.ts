// Command-line parsing for `phantasm` (commander): the subcommands boot (the default), pc and
// inspect, QEMU-style options, every value checked, errors typed (UsageError → exit 64).
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { UsageError } from './errors.js';
import { defineIa64Command, type Ia64Args } from './ia64.js';
import { defineMaltaCommand, type MaltaArgs } from './malta.js';
import { defineRunCommand, type RunArgs } from './run.js';

export { UsageError } from './errors.js';

export interface PcArgs {
  bios?: string;
  fda?: string;
  hda?: string;
  kernel?: string;
  /** Linux initrd and command line (with a bzImage --kernel). */
  initrd?: string;
  append?: string;
  memoryMiB?: number;
  serial: string; // 'stdio' or a file
  debugcon?: string; // 'stdio' or a file
  maxInstructions?: number;
  untilScreen?: string;
  type?: string;
  screenDump?: string;
  /** PNG of the VGA picture at exit (and on Ctrl-A P in the interactive console). */
  screenshot?: string;
  timeoutSeconds?: number;
  /** Persistent machine: RAM and disks in a vm-map space on this file, snapshotted. */
  state?: string;
  snapshotIntervalSeconds?: number;
  /** One-shot portable state written at exit / loaded at start. */
  saveState?: string;
  loadState?: string;
  /** cpu-ia32's block compiler: a threshold, or false for the interpreter alone (absent: PHANTASM_IA32_JIT). */
  jit?: number | false;
}

export interface BootArgs {
  arch: 'ia32';
  /** The vm-map disk (default: the user's data directory, see defaultDiskPath). */
  disk?: string;
  memoryMiB?: number;
  /** Built-in program names or ELF files, started on a fresh disk (default: kvshell). */
  guests: string[];
  snapshotIntervalSeconds?: number;
  bios?: string;
  memmap?: string;
  maxInstructions?: number;
  timeoutSeconds?: number;
}

export interface InspectArgs {
  disk: string;
  json: boolean;
  memmap?: string;
}

export type Invocation =
  | { command: 'boot'; args: BootArgs }
  /** bare: `phantasm pc` with no options (the default PC machine). */
  | { command: 'pc'; args: PcArgs; bare: boolean }
  | { command: 'inspect'; args: InspectArgs }
  | { command: 'malta'; args: MaltaArgs }
  | { command: 'ia64'; args: Ia64Args }
  | { command: 'run'; args: RunArgs }
  /** --help, --version, `phantasm help [command]`: print text, exit 0. */
  | { command: 'help'; text: string };

const COMMANDS = ['boot', 'pc', 'malta', 'ia64', 'run', 'inspect', 'help'];

function positiveNumber(option: string, integer: boolean): (text: string) => number {
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

/** `--jit`: `off`, or a block compiler threshold (an integer >= 0). */
function jitSetting(text: string): number | false {
  if (text === 'off') return false;
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n) || n < 0) {
    throw new UsageError(`--jit needs "off" or a threshold (an integer >= 0), got ${JSON.stringify(text)}`);
  }
  return n;
}

/** A non-negative number of seconds (0 = off). */
function seconds(option: string): (text: string) => number {
  return (text) => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n) || n < 0) {
      throw new UsageError(`${option} needs a number of seconds (0 = none), got ${JSON.stringify(text)}`);
    }
    return n;
  };
}

/** Turn the escapes \n, \r and \\ of a --type argument into keys (newline = Enter). */
export function unescapeTyped(text: string): string {
  return text.replace(/\\(n|r|\\)/g, (_m, c: string) => (c === '\\' ? '\\' : '\r'));
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    return String(pkg.version);
  } catch {
    return 'unknown';
  }
}

/** Commander's own error texts, reworded where ours were clearer. */
function usageErrorFrom(e: CommanderError): UsageError {
  const text = e.message.replace(/^error: /, '');
  const missing = /^option '(--[\w-]+)[^']*' argument missing/.exec(text);
  if (missing) return new UsageError(`${missing[1]} needs a value`);
  const unknown = /^unknown option '([^']+)'/.exec(text);
  if (unknown) return new UsageError(`unknown option ${JSON.stringify(unknown[1])}`);
  return new UsageError(text);
}

type Sink = { result?: Invocation };

function bootCommand(program: Command, sink: Sink): void {
  program
    .command('boot', { isDefault: true })
    .summary('boot the Phantasm system (the default)')
    .description(
      'Boot the Phantasm system: firmware, kernel, the object space on a persistent disk, guests. ' +
        'The guest console is on stdout; boot stages and snapshots on stderr. ' +
        'Keys: Ctrl-A X quits (final snapshot), Ctrl-A S takes a snapshot, Ctrl-A H prints help.',
    )
    .addOption(new Option('--arch <ARCH>', 'processor architecture').choices(['ia32']).default('ia32'))
    .option('--disk <FILE>', 'persistent disk (default $XDG_DATA_HOME/phantasm/system.img)')
    .option('--memory <MiB>', 'RAM size (default 64)', positiveNumber('--memory', true))
    .option(
      '--guest <NAME|FILE>',
      'built-in program or ELF file started on a fresh disk, repeatable (default kvshell)',
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .option(
      '--snapshot-interval <SECONDS>',
      'seconds between periodic snapshots, 0 = none (default 5)',
      seconds('--snapshot-interval'),
    )
    .option('--bios <FILE>', 'firmware image for POST (default: the built-in BIOS)')
    .option('--memmap <FILE.svg>', 'write the memory-map picture after boot and at exit')
    .option('--max-instructions <N>', 'stop after N instructions', positiveNumber('--max-instructions', true))
    .option('--timeout <SECONDS>', 'wall-clock limit', positiveNumber('--timeout', false))
    .action((o: Record<string, unknown>) => {
      sink.result = {
        command: 'boot',
        args: defined({
          arch: 'ia32' as const,
          disk: o.disk as string | undefined,
          memoryMiB: o.memory as number | undefined,
          guests: (o.guest as string[] | undefined) ?? [],
          snapshotIntervalSeconds: o.snapshotInterval as number | undefined,
          bios: o.bios as string | undefined,
          memmap: o.memmap as string | undefined,
          maxInstructions: o.maxInstructions as number | undefined,
          timeoutSeconds: o.timeout as number | undefined,
        }),
      };
    });
}

function pcCommand(program: Command, sink: Sink): void {
  program
    .command('pc')
    .summary('boot real PC software on the PC board')
    .description(
      'The PC board: firmware, then whatever boots from a floppy, disk or multiboot kernel. ' +
        'COM1 on stdout, the text screen at the end; progress on stderr. With no options the ' +
        'built-in BIOS boots the shared FreeDOS floppy. On a terminal with neither --until-screen ' +
        'nor --type, the screen is shown live and keys go to the PC keyboard (Ctrl-A X quits).',
    )
    .option('--bios <FILE>', 'firmware image (default: the built-in BIOS)')
    .option('--fda <FILE>', 'floppy image for drive A:')
    .option('--hda <FILE>', 'hard disk image (ATA primary master)')
    .option('--kernel <FILE>', 'multiboot kernel (ELF32 or a.out kludge), or a Linux bzImage')
    .option('--initrd <FILE>', 'initial RAM disk for a Linux --kernel')
    .option('--append <TEXT>', 'command line for a Linux --kernel')
    .option('--memory <MiB>', 'RAM size (default 32)', positiveNumber('--memory', true))
    .option('--serial <stdio|FILE>', 'COM1 output', 'stdio')
    .option('--debugcon <stdio|FILE>', 'debug console output (ports 0x402, 0xE9)')
    .option('--max-instructions <N>', 'stop after N instructions', positiveNumber('--max-instructions', true))
    .option('--until-screen <TEXT>', 'exit 0 as soon as TEXT is on screen, 2 if it never is')
    .option('--type <TEXT>', 'type TEXT once the machine waits for input (\\n or \\r: Enter)', unescapeTyped)
    .option('--screen-dump <FILE>', 'write the final text screen to FILE')
    .option(
      '--screenshot <FILE.png>',
      'write the VGA picture to FILE.png at exit (interactive: also Ctrl-A P)',
    )
    .option('--timeout <SECONDS>', 'wall-clock limit', positiveNumber('--timeout', false))
    .option(
      '--state <FILE>',
      'persistent machine: resume FILE if it exists, snapshot it while running and at exit',
    )
    .option(
      '--snapshot-interval <SECONDS>',
      'with --state: seconds between snapshots (default 2)',
      positiveNumber('--snapshot-interval', false),
    )
    .option('--save-state <FILE>', 'write a portable machine state to FILE at exit')
    .option('--load-state <FILE>', 'start from a portable machine state (its own firmware, RAM and disks)')
    .option(
      '--jit <THRESHOLD|off>',
      'block compiler: compile code after THRESHOLD runs (Linux: 16000), or off (default: PHANTASM_IA32_JIT, else off)',
      jitSetting,
    )
    .action((o: Record<string, unknown>, command: Command) => {
      sink.result = {
        command: 'pc',
        bare: command.options.every((opt) => command.getOptionValueSource(opt.attributeName()) !== 'cli'),
        args: defined({
          bios: o.bios as string | undefined,
          fda: o.fda as string | undefined,
          hda: o.hda as string | undefined,
          kernel: o.kernel as string | undefined,
          initrd: o.initrd as string | undefined,
          append: o.append as string | undefined,
          memoryMiB: o.memory as number | undefined,
          serial: o.serial as string,
          debugcon: o.debugcon as string | undefined,
          maxInstructions: o.maxInstructions as number | undefined,
          untilScreen: o.untilScreen as string | undefined,
          type: o.type as string | undefined,
          screenDump: o.screenDump as string | undefined,
          screenshot: o.screenshot as string | undefined,
          timeoutSeconds: o.timeout as number | undefined,
          state: o.state as string | undefined,
          snapshotIntervalSeconds: o.snapshotInterval as number | undefined,
          saveState: o.saveState as string | undefined,
          loadState: o.loadState as string | undefined,
          jit: o.jit as number | false | undefined,
        }),
      };
    });
}

function inspectCommand(program: Command, sink: Sink): void {
  program
    .command('inspect')
    .summary('describe a Phantasm disk or a PC machine state at rest')
    .description(
      'Describe a Phantasm disk without booting it: both superblocks, the fsck verdict, the guests ' +
        'of the newest intact snapshot, the object space. A PC machine state (--save-state file or ' +
        '--state file): its devices, memory, disks and screen. Exit 0 clean, 1 errors or neither, ' +
        '2 nothing on it can be trusted.',
    )
    .argument('<FILE>', 'Phantasm disk or PC machine state')
    .option('--json', 'machine-readable output', false)
    .option('--memmap <FILE.svg>', 'write the memory-map picture of what is known at rest')
    .action((disk: string, o: Record<string, unknown>) => {
      sink.result = {
        command: 'inspect',
        args: defined({ disk, json: o.json === true, memmap: o.memmap as string | undefined }),
      };
    });
}

/** Drop undefined fields, so results compare equal to literals without them. */
function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function buildProgram(sink: Sink, out: { text: string }): Command {
  const program = new Command('phantasm')
    .description('The Phantasm machine: a persistent system after Phantom OS, and a PC emulator.')
    .version(packageVersion(), '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => {
        out.text += s;
      },
      writeErr: (s) => {
        out.text += s;
      },
      outputError: () => {},
    })
    .configureHelp({ helpWidth: 100 })
    .showSuggestionAfterError(true);
  bootCommand(program, sink);
  pcCommand(program, sink);
  defineMaltaCommand(program, (args) => {
    sink.result = { command: 'malta', args };
  });
  defineIa64Command(program, (args) => {
    sink.result = { command: 'ia64', args };
  });
  defineRunCommand(program, (args) => {
    sink.result = { command: 'run', args };
  });
  inspectCommand(program, sink);
  program.addHelpText(
    'after',
    "\nWith no command: `phantasm boot`. `phantasm <command> --help` lists a command's options.",
  );
  return program;
}

/** Parse the arguments after the program name. Throws UsageError for anything wrong. */
export function parseCommandLine(argv: string[]): Invocation {
  const first = argv[0];
  if (first !== undefined && !first.startsWith('-') && !COMMANDS.includes(first)) {
    throw new UsageError(
      `unknown command ${JSON.stringify(first)} (commands: boot, pc, malta, ia64, run, inspect)`,
    );
  }
  const sink: Sink = {};
  const out = { text: '' };
  const program = buildProgram(sink, out);
  try {
    program.parse(argv, { from: 'user' });
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    if (e.exitCode === 0) return { command: 'help', text: out.text };
    throw usageErrorFrom(e);
  }
  if (!sink.result) throw new UsageError('no command');
  return sink.result;
}

/** `phantasm pc` arguments, with or without the leading "pc". */
export function parsePcArgs(argv: string[]): PcArgs {
  const r = parseCommandLine(argv[0] === 'pc' ? argv : ['pc', ...argv]);
  if (r.command !== 'pc') throw new UsageError('not a pc command line');
  return r.args;
}

/** The help text of `phantasm [command] --help`. */
export function helpText(command?: string): string {
  const r = parseCommandLine(command ? [command, '--help'] : ['--help']);
  return r.command === 'help' ? r.text : '';
}
