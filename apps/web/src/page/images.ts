// What an opened file is: a multiboot kernel (ELF or a multiboot header in its first 8 KiB), a
// floppy (one of the PC floppy sizes) or else a hard disk. The user can override the guess.

export type ImageKind = 'floppy' | 'hard-disk' | 'kernel';

const FLOPPY_KIB = new Set([160, 180, 320, 360, 720, 1200, 1440, 2880]);
const MULTIBOOT_MAGIC = 0x1badb002;

export function detectImageKind(bytes: Uint8Array): ImageKind {
  if (bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46) {
    return 'kernel';
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0; at + 12 <= Math.min(bytes.length, 8192); at += 4) {
    if (view.getUint32(at, true) === MULTIBOOT_MAGIC) {
      const flags = view.getUint32(at + 4, true);
      // the header's checksum makes magic + flags + checksum wrap to zero
      if ((MULTIBOOT_MAGIC + flags + view.getUint32(at + 8, true)) >>> 0 === 0) return 'kernel';
    }
  }
  if (bytes.length % 1024 === 0 && FLOPPY_KIB.has(bytes.length / 1024)) return 'floppy';
  return 'hard-disk';
}

export const KIND_LABEL: Record<ImageKind, string> = {
  floppy: 'floppy A:',
  'hard-disk': 'hard disk C:',
  kernel: 'multiboot kernel',
};
