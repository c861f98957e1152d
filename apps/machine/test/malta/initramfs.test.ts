// The initramfs writer: cpio "newc" records as Linux's unpacker reads them (110-byte ASCII header,
// name and data padded to 4 bytes, the TRAILER!!! record), and the busybox tree it builds.
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  BUSYBOX_LINKS,
  buildBusyboxInitramfs,
  cpioNewc,
  INIT_SCRIPT,
} from '../../src/boards/malta/initramfs.js';

interface Parsed {
  name: string;
  mode: number;
  rdev: [number, number];
  data: Uint8Array;
}

/** An independent reader of newc archives (what the kernel's init/initramfs.c does). */
function parseNewc(bytes: Uint8Array): Parsed[] {
  const text = new TextDecoder('latin1');
  const out: Parsed[] = [];
  let at = 0;
  for (;;) {
    const header = text.decode(bytes.subarray(at, at + 110));
    expect(header.slice(0, 6)).toBe('070701');
    const field = (i: number) => Number.parseInt(header.slice(6 + 8 * i, 14 + 8 * i), 16);
    const nameSize = field(11);
    const fileSize = field(6);
    const name = text.decode(bytes.subarray(at + 110, at + 110 + nameSize - 1));
    expect(bytes[at + 110 + nameSize - 1]).toBe(0);
    let next = at + 110 + nameSize;
    next += (4 - (next % 4)) % 4;
    const data = bytes.subarray(next, next + fileSize);
    next += fileSize;
    next += (4 - (next % 4)) % 4;
    if (name === 'TRAILER!!!') {
      expect(next).toBe(bytes.length);
      return out;
    }
    out.push({ name, mode: field(1), rdev: [field(9), field(10)], data });
    at = next;
  }
}

describe('cpio newc writer', () => {
  it('writes directories, files, symlinks and device nodes that read back exactly', () => {
    const data = new Uint8Array([1, 2, 3, 4, 5]);
    const entries = parseNewc(
      cpioNewc([
        { kind: 'dir', path: '/bin' },
        { kind: 'file', path: 'bin/x', data, mode: 0o755 },
        { kind: 'symlink', path: 'bin/y', target: 'x' },
        { kind: 'char', path: 'dev/console', major: 5, minor: 1 },
      ]),
    );
    expect(entries.map((e) => e.name)).toEqual(['bin', 'bin/x', 'bin/y', 'dev/console']);
    expect(entries.map((e) => e.mode.toString(8))).toEqual(['40755', '100755', '120777', '20600']);
    expect([...entries[1].data]).toEqual([1, 2, 3, 4, 5]);
    expect(new TextDecoder().decode(entries[2].data)).toBe('x');
    expect(entries[3].rdev).toEqual([5, 1]);
  });
});

describe('busybox initramfs', () => {
  it('holds /bin/busybox, its links, /dev/console and an executable /init, gzip-compressed', () => {
    const fakeBusybox = new Uint8Array(1000).map((_, i) => i & 0xff);
    const entries = parseNewc(gunzipSync(buildBusyboxInitramfs(fakeBusybox)));
    const byName = new Map(entries.map((e) => [e.name, e]));
    expect([...byName.get('bin/busybox')!.data]).toEqual([...fakeBusybox]);
    for (const link of BUSYBOX_LINKS) {
      expect(new TextDecoder().decode(byName.get(`bin/${link}`)!.data)).toBe('busybox');
    }
    expect(byName.get('dev/console')!.rdev).toEqual([5, 1]);
    const init = byName.get('init')!;
    expect(init.mode & 0o111).toBe(0o111);
    expect(new TextDecoder().decode(init.data)).toBe(INIT_SCRIPT);
    expect(INIT_SCRIPT).toMatch(/^#!\/bin\/sh\n/);
    for (const dir of ['proc', 'sys', 'dev', 'tmp']) expect(byName.get(dir)!.mode >> 12).toBe(0o4);
  });
});
