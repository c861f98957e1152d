// A minimal ELF32 loader for the bare-metal oracle programs (little-endian, kseg0 addresses).
import type { PhysicalMemory } from '@phantasm/mmu';

/** Loads the PT_LOAD segments of a little-endian ELF32 into RAM (kseg0 addresses); returns the entry. */
export function loadElf(memory: PhysicalMemory, elf: Uint8Array): number {
  const v = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
  if (v.getUint32(0) !== 0x7f454c46 || elf[4] !== 1 || elf[5] !== 1) throw new Error('not an ELF32 LE file');
  const phoff = v.getUint32(28, true);
  const phentsize = v.getUint16(42, true);
  const phnum = v.getUint16(44, true);
  for (let k = 0; k < phnum; k++) {
    const p = phoff + k * phentsize;
    if (v.getUint32(p, true) !== 1) continue;
    const offset = v.getUint32(p + 4, true);
    const paddr = v.getUint32(p + 8, true) & 0x1fff_ffff;
    const filesz = v.getUint32(p + 16, true);
    const memsz = v.getUint32(p + 20, true);
    memory.ram.fill(0, paddr, paddr + memsz);
    memory.ram.set(elf.subarray(offset, offset + filesz), paddr);
  }
  return v.getUint32(24, true);
}
