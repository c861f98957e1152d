// A busybox initramfs for the Malta board: our own cpio "newc" writer (the format Linux's
// initramfs unpacker reads) and the tree a shell needs, gzip-compressed with node:zlib.
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

export type CpioEntry =
  | { kind: 'dir'; path: string; mode?: number }
  | { kind: 'file'; path: string; data: Uint8Array; mode?: number }
  | { kind: 'symlink'; path: string; target: string }
  | { kind: 'char'; path: string; major: number; minor: number; mode?: number };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;
const encoder = new TextEncoder();

function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

function pad4(length: number): number {
  return (4 - (length % 4)) % 4;
}

/** One newc record: 110-byte ASCII header, name + NUL padded to 4, data padded to 4. */
function record(ino: number, mode: number, name: string, data: Uint8Array, rdev = [0, 0]): Uint8Array[] {
  const nameBytes = encoder.encode(`${name}\0`);
  const fields = [
    ino,
    mode,
    0, // uid
    0, // gid
    (mode & 0o170000) === S_IFDIR ? 2 : 1, // nlink
    0, // mtime: fixed, so the archive is reproducible
    data.length,
    0, // dev major
    0, // dev minor
    rdev[0],
    rdev[1],
    nameBytes.length,
    0, // check
  ];
  const header = encoder.encode(`070701${fields.map(hex8).join('')}`);
  const headerAndName = header.length + nameBytes.length;
  return [header, nameBytes, new Uint8Array(pad4(headerAndName)), data, new Uint8Array(pad4(data.length))];
}

/** A cpio newc archive of `entries` (paths without a leading slash), ended by the trailer. */
export function cpioNewc(entries: CpioEntry[]): Uint8Array {
  const parts: Uint8Array[] = [];
  let ino = 1;
  for (const e of entries) {
    const path = e.path.replace(/^\/+/, '');
    switch (e.kind) {
      case 'dir':
        parts.push(...record(ino++, S_IFDIR | (e.mode ?? 0o755), path, new Uint8Array(0)));
        break;
      case 'file':
        parts.push(...record(ino++, S_IFREG | (e.mode ?? 0o644), path, e.data));
        break;
      case 'symlink':
        parts.push(...record(ino++, S_IFLNK | 0o777, path, encoder.encode(e.target)));
        break;
      case 'char':
        parts.push(
          ...record(ino++, S_IFCHR | (e.mode ?? 0o600), path, new Uint8Array(0), [e.major, e.minor]),
        );
        break;
    }
  }
  parts.push(...record(0, 0, 'TRAILER!!!', new Uint8Array(0)));
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Applets linked in /bin (the rest are installed by /init with `busybox --install -s`). */
export const BUSYBOX_LINKS = [
  'sh',
  'ash',
  'mount',
  'umount',
  'uname',
  'cat',
  'echo',
  'ls',
  'mkdir',
  'poweroff',
  'reboot',
  'halt',
  'dmesg',
  'ps',
  'setsid',
  'cttyhack',
  'sleep',
  'true',
  'false',
  'rm',
  'cp',
  'mv',
  'ln',
];

/** /init: mount proc, sys and dev, then a shell on the console (a controlling tty through cttyhack). */
export const INIT_SCRIPT = `#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
/bin/busybox --install -s
export PS1='phantasm# '
echo 'initramfs: shell on the console'
exec setsid cttyhack sh
`;

/** The initramfs tree: /bin/busybox and its links, /init, the mount points and /dev/console. */
export function busyboxInitramfsEntries(busybox: Uint8Array): CpioEntry[] {
  const entries: CpioEntry[] = [
    { kind: 'dir', path: 'bin' },
    { kind: 'dir', path: 'sbin' },
    { kind: 'dir', path: 'usr' },
    { kind: 'dir', path: 'usr/bin' },
    { kind: 'dir', path: 'usr/sbin' },
    { kind: 'dir', path: 'dev' },
    { kind: 'dir', path: 'proc' },
    { kind: 'dir', path: 'sys' },
    { kind: 'dir', path: 'tmp', mode: 0o1777 },
    { kind: 'dir', path: 'root', mode: 0o700 },
    { kind: 'char', path: 'dev/console', major: 5, minor: 1 },
    { kind: 'char', path: 'dev/null', major: 1, minor: 3, mode: 0o666 },
    { kind: 'file', path: 'bin/busybox', data: busybox, mode: 0o755 },
  ];
  for (const name of BUSYBOX_LINKS) entries.push({ kind: 'symlink', path: `bin/${name}`, target: 'busybox' });
  entries.push({ kind: 'file', path: 'init', data: encoder.encode(INIT_SCRIPT), mode: 0o755 });
  return entries;
}

/** The gzip-compressed initramfs for `busybox` (a static mipsel busybox binary). */
export function buildBusyboxInitramfs(busybox: Uint8Array): Uint8Array {
  return gzipSync(cpioNewc(busyboxInitramfsEntries(busybox)), { level: 6 });
}

/** Build the initramfs from the busybox binary at `busyboxPath` into `outPath`; returns its size. */
export function writeBusyboxInitramfs(busyboxPath: string, outPath: string): number {
  const image = buildBusyboxInitramfs(new Uint8Array(readFileSync(busyboxPath)));
  writeFileSync(outPath, image);
  return image.length;
}
