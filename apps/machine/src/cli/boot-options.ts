// `phantasm boot` arguments → what PhantasmSystem.boot needs: the disk's path (the user's data
// directory by default) and the guest programs (built-in names or ELF files, checked before boot).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, extname, isAbsolute, join } from 'node:path';
import { LAYOUT } from '../kernel/abi.js';
import { parseGuestElf } from '../kernel/elf.js';
import { BootError } from '../kernel/system.js';
import type { GuestProgram } from '../kernel/types.js';
import { UsageError } from './errors.js';

export const DEFAULT_GUEST = 'kvshell';

/** $XDG_DATA_HOME/phantasm/system.img, else ~/.local/share/phantasm/system.img (XDG: a relative
 * XDG_DATA_HOME is ignored). */
export function defaultDiskPath(env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  const xdg = env.XDG_DATA_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(home, '.local', 'share');
  return join(base, 'phantasm', 'system.img');
}

export interface ResolvedGuests {
  /** Every program `spawn` may start: the built-ins, with files given on the command line added. */
  programs: GuestProgram[];
  /** Started when there is no snapshot to resume. */
  initial: { program: string }[];
}

/** A --guest value that names a file: read it and check it is a guest ELF image (throws ElfError). */
function guestFile(path: string): GuestProgram {
  if (!statSync(path).isFile()) throw new UsageError(`--guest ${path}: not a file`);
  const image = new Uint8Array(readFileSync(path));
  parseGuestElf(image, { maxSpan: LAYOUT.guestSlotSize / 2 });
  return { name: basename(path, extname(path)), image };
}

/** `--guest NAME|FILE`... → programs and the initial guests (default: the key-value shell). */
export function resolveGuests(specs: string[], builtins: GuestProgram[]): ResolvedGuests {
  const programs = new Map(builtins.map((p) => [p.name, p]));
  const names = builtins.map((p) => p.name);
  if (specs.length === 0) {
    if (!programs.has(DEFAULT_GUEST)) {
      throw new BootError(
        `the built-in guest ${DEFAULT_GUEST} is missing (guests/bin holds: ${names.join(', ') || 'nothing'})`,
      );
    }
    return { programs: builtins, initial: [{ program: DEFAULT_GUEST }] };
  }
  const initial: { program: string }[] = [];
  for (const spec of specs) {
    if (names.includes(spec)) {
      initial.push({ program: spec });
    } else if (existsSync(spec)) {
      const program = guestFile(spec);
      programs.set(program.name, program);
      initial.push({ program: program.name });
    } else {
      throw new UsageError(
        `--guest ${spec}: neither a built-in program (${names.join(', ') || 'none built'}) nor a file`,
      );
    }
  }
  return { programs: [...programs.values()], initial };
}
