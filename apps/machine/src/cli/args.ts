// Command-line parsing for `phantasm`: QEMU-style options, every value checked, errors typed.

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface PcArgs {
  bios?: string;
  fda?: string;
  hda?: string;
  kernel?: string;
  memoryMiB?: number;
  serial: string; // 'stdio' or a file
  debugcon?: string; // 'stdio' or a file
  maxInstructions?: number;
  untilScreen?: string;
  type?: string;
  screenDump?: string;
  timeoutSeconds?: number;
}

export const USAGE = `usage: phantasm [pc] [options]
  --bios FILE             firmware image (default: the built-in BIOS)
  --fda FILE              floppy image for drive A:
  --hda FILE              hard disk image (ATA primary master)
  --kernel FILE           multiboot kernel (ELF32 or a.out kludge), entered in protected mode
  --memory MiB            RAM size (default 32)
  --serial stdio|FILE     COM1 output (default stdio)
  --debugcon stdio|FILE   debug console output (ports 0x402, 0xE9)
  --max-instructions N    stop after N instructions
  --until-screen TEXT     exit 0 as soon as TEXT is on screen, non-zero on timeout
  --type TEXT             type TEXT once the machine waits for input (\\n or \\r: Enter)
  --screen-dump FILE      write the final text screen to FILE
  --timeout SECONDS       wall-clock limit
With no arguments: boot FreeDOS from the shared image to the A:\\> prompt and print the screen.`;

const VALUE_OPTIONS = new Set([
  '--bios',
  '--fda',
  '--hda',
  '--kernel',
  '--memory',
  '--serial',
  '--debugcon',
  '--max-instructions',
  '--until-screen',
  '--type',
  '--screen-dump',
  '--timeout',
]);

function positiveNumber(option: string, text: string, integer: boolean): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new UsageError(
      `${option} needs a positive ${integer ? 'integer' : 'number'}, got ${JSON.stringify(text)}`,
    );
  }
  return n;
}

/** Turn the escapes \n, \r and \\ of a --type argument into keys (newline = Enter). */
export function unescapeTyped(text: string): string {
  return text.replace(/\\(n|r|\\)/g, (_m, c: string) => (c === '\\' ? '\\' : '\r'));
}

export function parsePcArgs(argv: string[]): PcArgs {
  const args: PcArgs = { serial: 'stdio' };
  const rest = argv[0] === 'pc' ? argv.slice(1) : argv;
  for (let i = 0; i < rest.length; i++) {
    let option = rest[i];
    let value: string | undefined;
    const eq = option.indexOf('=');
    if (option.startsWith('--') && eq > 0) {
      value = option.slice(eq + 1);
      option = option.slice(0, eq);
    }
    if (!VALUE_OPTIONS.has(option)) throw new UsageError(`unknown option ${JSON.stringify(rest[i])}`);
    if (value === undefined) {
      value = rest[++i];
      if (value === undefined) throw new UsageError(`${option} needs a value`);
    }
    switch (option) {
      case '--bios':
        args.bios = value;
        break;
      case '--fda':
        args.fda = value;
        break;
      case '--hda':
        args.hda = value;
        break;
      case '--kernel':
        args.kernel = value;
        break;
      case '--memory':
        args.memoryMiB = positiveNumber(option, value, true);
        break;
      case '--serial':
        args.serial = value;
        break;
      case '--debugcon':
        args.debugcon = value;
        break;
      case '--max-instructions':
        args.maxInstructions = positiveNumber(option, value, true);
        break;
      case '--until-screen':
        args.untilScreen = value;
        break;
      case '--type':
        args.type = unescapeTyped(value);
        break;
      case '--screen-dump':
        args.screenDump = value;
        break;
      case '--timeout':
        args.timeoutSeconds = positiveNumber(option, value, false);
        break;
    }
  }
  return args;
}
