// Where the firmware images come from: the built-in BIOS shipped beside the package sources
// (firmware/bios.bin), or any image the user names (SeaBIOS and friends).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export class FirmwareError extends Error {
  override name = 'FirmwareError';
}

/** Path of the committed built-in BIOS image. */
export const BUILTIN_BIOS_PATH = fileURLToPath(new URL('../../../firmware/bios.bin', import.meta.url));

export function builtinBios(): Uint8Array {
  return new Uint8Array(readFileSync(BUILTIN_BIOS_PATH));
}

/** Check that an image can be a PC BIOS: 64 KiB multiple, at most 16 MiB. */
export function validateBiosImage(image: Uint8Array, name = 'BIOS image'): Uint8Array {
  if (image.length === 0 || image.length % 0x10000 !== 0 || image.length > 16 << 20) {
    throw new FirmwareError(
      `${name}: ${image.length} bytes; a BIOS image is a multiple of 64 KiB up to 16 MiB`,
    );
  }
  return image;
}
