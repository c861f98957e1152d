// `phantasm boot` (the default command): the Phantasm system on a persistent disk. Boot stages and
// snapshots on stderr, the guest console on stdout, keys from the terminal or a pipe. Every way out
// but a kernel panic ends with a final snapshot.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { FileBlockDevice } from '@phantasm/vm-map';
import { builtinPrograms } from '../kernel/guests.js';
import { BootError, PhantasmSystem } from '../kernel/system.js';
import type { SystemOptions } from '../kernel/types.js';
import { renderMemoryMapSvg } from '../render/memmap-svg.js';
import type { BootArgs } from './args.js';
import { defaultDiskPath, resolveGuests } from './boot-options.js';
import { ConsoleOutput } from './console-output.js';
import { hasSuperblockMagic } from './disk-report.js';
import { EXIT, UsageError } from './errors.js';
import { ESCAPE_HELP } from './keys.js';
import { type LoopEnd, SystemLoop } from './system-loop.js';
import { TerminalInput } from './terminal-input.js';

export interface BootIo {
  stdin: NodeJS.ReadStream;
}

function readFile(what: string, path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch {
    throw new UsageError(`${what} ${path}: cannot be read`);
  }
}

/** Everything but the disk, checked before the disk is touched (a usage error leaves no file behind). */
function systemOptions(args: BootArgs, out: ConsoleOutput): Omit<SystemOptions, 'disk'> {
  const guests = resolveGuests(args.guests, builtinPrograms());
  return {
    memoryMiB: args.memoryMiB,
    bios: args.bios ? readFile('--bios', args.bios) : undefined,
    programs: guests.programs,
    initial: guests.initial,
    snapshotIntervalMs:
      args.snapshotIntervalSeconds === undefined
        ? undefined
        : Math.round(args.snapshotIntervalSeconds * 1000),
    console: out.console,
    log: out.log,
  };
}

function writeMemmap(system: PhantasmSystem, path: string, when: string, out: ConsoleOutput): void {
  const svg = renderMemoryMapSvg(system.memoryMap(), { title: `Phantasm memory map ${when}` });
  writeFileSync(path, svg);
  out.progress(`memory map (${when}) written to ${path}`);
}

const STATUS: Record<LoopEnd, number> = {
  quit: EXIT.ok,
  'input-ended': EXIT.ok,
  'no-threads': EXIT.ok,
  'max-instructions': EXIT.ok,
  timeout: EXIT.ok,
  sigint: EXIT.sigint,
  sigterm: EXIT.sigterm,
};

const WHY: Record<LoopEnd, string> = {
  quit: 'Ctrl-A X',
  'input-ended': 'the input has ended and every guest waits for a key',
  'no-threads': 'every guest has ended',
  'max-instructions': '--max-instructions reached',
  timeout: '--timeout reached',
  sigint: 'SIGINT',
  sigterm: 'SIGTERM',
};

/** Run the booted system until it ends; returns why. */
async function session(
  system: PhantasmSystem,
  args: BootArgs,
  io: BootIo,
  out: ConsoleOutput,
): Promise<LoopEnd> {
  let loop: SystemLoop | undefined;
  const input = new TerminalInput(io.stdin, (event) => {
    if (event.kind === 'text') system.typeKeys(event.text);
    else if (event.kind === 'quit') loop?.stop('quit');
    else if (event.kind === 'help') out.log(ESCAPE_HELP.join('\n'));
    else if (event.kind === 'interrupt') out.progress('Ctrl-C is no key the guest can read: Ctrl-A X quits');
    else out.progress(`snapshot ${system.snapshotNow().generation} committed (Ctrl-A S)`);
  });
  loop = new SystemLoop(system, input, {
    maxInstructions: args.maxInstructions,
    timeoutMs: args.timeoutSeconds === undefined ? undefined : args.timeoutSeconds * 1000,
  });
  const sigint = () => loop?.stop('sigint');
  const sigterm = () => loop?.stop('sigterm');
  process.on('SIGINT', sigint);
  process.on('SIGTERM', sigterm);
  if (input.tty) out.progress('console on this terminal: Ctrl-A X quits, Ctrl-A H for help');
  try {
    return await loop.run();
  } finally {
    input.close();
    process.off('SIGINT', sigint);
    process.off('SIGTERM', sigterm);
  }
}

export async function bootCommand(args: BootArgs, io: BootIo): Promise<number> {
  const out = new ConsoleOutput();
  const options = systemOptions(args, out);
  const path = args.disk ?? defaultDiskPath();
  mkdirSync(dirname(path), { recursive: true });
  const disk = new FileBlockDevice(path);
  try {
    if (disk.blockCount > 0 && !hasSuperblockMagic(disk)) {
      throw new BootError(`${path} is not a Phantasm disk (no vm-map superblock); it is left as it is`);
    }
    out.progress(`disk ${path}${disk.blockCount === 0 ? ' (new: it will be formatted)' : ''}`);
    const system = PhantasmSystem.boot({ ...options, disk });
    if (args.memmap) writeMemmap(system, args.memmap, 'after boot', out);
    const end = await session(system, args, io, out);
    if (args.memmap) writeMemmap(system, args.memmap, 'at exit', out);
    const final = system.shutdown();
    out.progress(
      `stopped: ${WHY[end]}; final snapshot ${final.generation} committed (${final.pagesWritten} pages written)`,
    );
    return STATUS[end];
  } finally {
    disk.close();
  }
}
