// The built-in guest programs: ELF images built from apps/machine/guests (committed, rebuilt by
// guests/build.sh), found beside the sources in the repository and in the published package.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GuestProgram } from './types.js';

/** apps/machine/guests/bin, from src/kernel or dist/kernel alike. */
export const GUEST_BIN_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../guests/bin');

export function builtinPrograms(dir = GUEST_BIN_DIR): GuestProgram[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.elf'))
    .sort()
    .map((f) => ({ name: f.slice(0, -'.elf'.length), image: new Uint8Array(readFileSync(resolve(dir, f))) }));
}
