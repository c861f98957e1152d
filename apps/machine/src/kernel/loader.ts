// Guest loading: an ELF image into a slot of the object space (elf.ts places and relocates it),
// and the initial stack for `_start(const char *arg, int argLen)`.
import { ElfError, loadGuestElf, parseGuestElf } from './elf.js';
import type { ObjectMemory } from './object-space.js';

export interface LoadedGuest {
  entry: number;
  stack: number;
}

export function loadGuest(
  memory: ObjectMemory,
  image: Uint8Array,
  slotBase: number,
  slotSize: number,
  arg: string,
): LoadedGuest {
  // The image takes at most the lower half of the slot; the stack grows down from its top.
  const elf = parseGuestElf(image, { maxSpan: slotSize / 2 });
  if (elf.type === 'exec' && (elf.lowest < slotBase || elf.lowest + elf.span > slotBase + slotSize / 2)) {
    throw new ElfError(
      `fixed-address image at 0x${elf.lowest.toString(16)} is not inside its slot at 0x${slotBase.toString(16)}`,
    );
  }
  const placed = loadGuestElf(elf, slotBase, memory);
  const bytes = new TextEncoder().encode(arg);
  const top = slotBase + slotSize - 16;
  const argAt = ((top - bytes.length - 1) & ~3) >>> 0;
  memory.writeBytes(argAt, bytes);
  memory.write8(argAt + bytes.length, 0);
  const sp = ((argAt - 16) & ~15) >>> 0;
  memory.write32(sp, 0); // return address: _start never returns
  memory.write32(sp + 4, argAt);
  memory.write32(sp + 8, bytes.length);
  return { entry: placed.entry, stack: sp >>> 0 };
}
