#!/usr/bin/env node
// phantasm-disk: inspect, check and create vm-map disk images.
import { existsSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FileBlockDevice } from './device/file-device.js';
import { UntrustedDiskError, VmMapError } from './errors.js';
import { candidates, loadSnapshot, readSlots } from './format/reader.js';
import { fsck } from './fsck/fsck.js';
import { formatDisk } from './space/persistent-space.js';

const USAGE = `usage: phantasm-disk <command> <image> [options]
  info <image>                         superblocks, snapshots and sizes
  fsck <image> [--repair]              verify every block; --repair fixes leaks and a damaged newest snapshot
  format <image> --pages N [--base A]  create an empty object space (A defaults to 0x80000000)
           [--force]                   ...even over an existing vm-map disk
exit status: 0 ok, 1 errors found, 2 disk cannot be trusted, 64 usage`;

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

/** Run the command; returns the exit status. */
export function runCli(argv: string[], io: CliIo): number {
  const [command, image, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.out(USAGE);
    return command === undefined ? 64 : 0;
  }
  if (!image) {
    io.err(`phantasm-disk ${command}: missing <image>\n${USAGE}`);
    return 64;
  }
  try {
    switch (command) {
      case 'info':
        return info(image, io);
      case 'fsck':
        return check(image, rest, io);
      case 'format':
        return format(image, rest, io);
      default:
        io.err(`phantasm-disk: unknown command '${command}'\n${USAGE}`);
        return 64;
    }
  } catch (e) {
    if (!(e instanceof VmMapError)) throw e;
    io.err(`phantasm-disk ${command}: ${image}: ${e.message}`);
    return e instanceof UntrustedDiskError ? 2 : 1;
  }
}

function openExisting(image: string): FileBlockDevice {
  return new FileBlockDevice(image, { create: false });
}

function info(image: string, io: CliIo): number {
  const device = openExisting(image);
  try {
    io.out(`image: ${image}, ${device.blockCount} blocks of ${device.blockSize} bytes`);
    const slots = readSlots(device);
    for (const s of slots) {
      if (!s.superblock) {
        io.out(`slot ${s.slot}: no usable superblock (${s.problem})`);
        continue;
      }
      const sb = s.superblock;
      io.out(
        `slot ${s.slot}: generation ${sb.generation}, committed ${new Date(sb.committedAt).toISOString()}, ` +
          `object space 0x${sb.baseAddress.toString(16)} + ${sb.pageCount} pages (${(sb.pageCount * 4) / 1024} MiB), ` +
          `${sb.blockCount} blocks in the format, client state ${sb.stateBytes} bytes`,
      );
    }
    const found = candidates(slots);
    if (found.length === 0) throw new UntrustedDiskError('no valid superblock', []);
    for (const c of found) {
      try {
        const l = loadSnapshot(device, c.slot, c.superblock);
        let stored = 0;
        for (let p = 0; p < c.superblock.pageCount; p++) if (l.pages[p * 2] !== 0) stored++;
        io.out(
          `generation ${c.superblock.generation}: ${stored} pages stored, ${c.superblock.pageCount - stored} zero pages, ` +
            `${l.metaBlocks.length + l.bitmapBlocks.length} metadata blocks`,
        );
      } catch (e) {
        if (!(e instanceof VmMapError)) throw e;
        io.out(`generation ${c.superblock.generation}: damaged (${e.message})`);
      }
    }
    return 0;
  } finally {
    device.close();
  }
}

function check(image: string, args: string[], io: CliIo): number {
  const repair = args.includes('--repair');
  const unknown = args.filter((a) => a !== '--repair');
  if (unknown.length > 0) {
    io.err(`phantasm-disk fsck: unknown option ${unknown[0]}`);
    return 64;
  }
  const device = openExisting(image);
  try {
    const report = fsck(device, { repair });
    for (const line of report.lines) io.out(line);
    return report.clean ? 0 : 1;
  } finally {
    device.close();
  }
}

function format(image: string, args: string[], io: CliIo): number {
  const opt = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const pages = Number(opt('--pages'));
  const base = opt('--base') === undefined ? 0x8000_0000 : Number(opt('--base'));
  if (!Number.isInteger(pages) || pages <= 0) {
    io.err('phantasm-disk format: --pages N (a positive integer) is required');
    return 64;
  }
  if (!Number.isInteger(base)) {
    io.err(`phantasm-disk format: --base ${opt('--base')} is not a number`);
    return 64;
  }
  const existed = existsSync(image);
  const device = new FileBlockDevice(image);
  try {
    if (existed && !args.includes('--force') && readSlots(device).some((s) => s.superblock)) {
      io.err(`phantasm-disk format: ${image} already holds a vm-map disk; add --force to overwrite it`);
      return 1;
    }
    const sb = formatDisk(device, { base, pages });
    io.out(`formatted ${image}: ${pages} pages at 0x${base.toString(16)}, generation ${sb.generation}`);
    return 0;
  } finally {
    device.close();
  }
}

function invokedDirectly(): boolean {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  process.exitCode = runCli(process.argv.slice(2), {
    out: (l) => process.stdout.write(`${l}\n`),
    err: (l) => process.stderr.write(`${l}\n`),
  });
}
