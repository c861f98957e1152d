// What an opened file is taken for: kernels by their ELF magic or a valid multiboot header,
// floppies by the PC floppy sizes, everything else a hard disk.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectImageKind } from '../src/page/images.js';

const programs = resolve(import.meta.dirname, '../../machine/test/programs');

function withMultibootHeader(size: number, at: number, checksumOk: boolean): Uint8Array {
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  const magic = 0x1badb002;
  const flags = 0x00010003;
  view.setUint32(at, magic, true);
  view.setUint32(at + 4, flags, true);
  view.setUint32(at + 8, (-(magic + flags) + (checksumOk ? 0 : 1)) >>> 0, true);
  return bytes;
}

describe('detectImageKind', () => {
  it('takes the machine’s multiboot test kernels (flat binary and ELF) for kernels', () => {
    expect(detectImageKind(new Uint8Array(readFileSync(resolve(programs, 'mbhello.bin'))))).toBe('kernel');
    expect(detectImageKind(new Uint8Array(readFileSync(resolve(programs, 'mbhello.elf'))))).toBe('kernel');
  });

  it('needs the header checksum, within the first 8 KiB', () => {
    expect(detectImageKind(withMultibootHeader(65536 + 512, 4096, true))).toBe('kernel');
    expect(detectImageKind(withMultibootHeader(65536 + 512, 4096, false))).toBe('hard-disk');
    expect(detectImageKind(withMultibootHeader(65536 + 512, 8192, true))).toBe('hard-disk');
  });

  it.each([160, 180, 320, 360, 720, 1200, 1440, 2880])('takes a %i KiB image for a floppy', (kib) => {
    expect(detectImageKind(new Uint8Array(kib * 1024))).toBe('floppy');
  });

  it('takes other sizes for a hard disk', () => {
    expect(detectImageKind(new Uint8Array(10 * 1024 * 1024))).toBe('hard-disk');
    expect(detectImageKind(new Uint8Array(1440 * 1024 + 512))).toBe('hard-disk');
    expect(detectImageKind(new Uint8Array(0))).toBe('hard-disk');
  });
});
