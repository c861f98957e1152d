// Multiboot (version 1) loading, as QEMU's -kernel: find the header in the first 8 KiB, load
// an ELF32 image by its program headers or a flat image by the a.out-kludge addresses, build
// the information structure (memory sizes and a memory map), and enter the kernel in 32-bit
// protected mode with flat segments, EAX = 0x2BADB002 and EBX = the structure's address.
import type { Cpu } from '@phantasm/cpu-ia32';
import type { PhysicalMemory } from '@phantasm/mmu';

export const MULTIBOOT_MAGIC = 0x1badb002;
export const MULTIBOOT_BOOTLOADER_MAGIC = 0x2badb002;
const HEADER_SEARCH = 8192;
/**
 * The loader's own structures (GDT, information structure, memory map, command line) sit at
 * 0x8000 unless the kernel occupies that place (kvm-unit-tests' realmode.flat is linked there):
 * then just above the kernel's last byte, as QEMU puts them after the image.
 */
const DEFAULT_AREA = 0x8000;
const GDT_OFFSET = 0;
const INFO_OFFSET = 0x1000;
const MMAP_OFFSET = 0x1100;
const CMDLINE_OFFSET = 0x1400;
const CMDLINE_MAX = 0x400;
const AREA_SIZE = CMDLINE_OFFSET + CMDLINE_MAX;
const STACK_TOP = 0x7c00;

export class MultibootError extends Error {
  override name = 'MultibootError';
}

export interface MultibootHeader {
  offset: number;
  flags: number;
}

export interface LoadedKernel {
  entry: number;
  infoAddress: number;
  /** Physical ranges written, [start, end). */
  segments: [number, number][];
}

function u32(b: Uint8Array, off: number): number {
  return (b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) | (b[off + 3] << 24)) >>> 0;
}

function u16(b: Uint8Array, off: number): number {
  return b[off] | (b[off + 1] << 8);
}

/** The multiboot header: 4-byte aligned magic in the first 8 KiB with a valid checksum. */
export function findMultibootHeader(image: Uint8Array): MultibootHeader | undefined {
  const end = Math.min(image.length, HEADER_SEARCH) - 12;
  for (let off = 0; off <= end; off += 4) {
    if (u32(image, off) !== MULTIBOOT_MAGIC) continue;
    const flags = u32(image, off + 4);
    if (((MULTIBOOT_MAGIC + flags + u32(image, off + 8)) & 0xffffffff) >>> 0 === 0)
      return { offset: off, flags };
  }
  return undefined;
}

/** Copy the kernel into memory; returns the entry point and the loaded ranges. */
function loadImage(
  memory: PhysicalMemory,
  image: Uint8Array,
  header: MultibootHeader,
): { entry: number; segments: [number, number][] } {
  const check = (start: number, end: number) => {
    if (start < 0x100000 && end > 0xa0000)
      throw new MultibootError(`kernel range 0x${start.toString(16)} overlaps the ROM hole`);
    if (end > memory.ramSize)
      throw new MultibootError(
        `kernel range ends at 0x${end.toString(16)}, beyond RAM (${memory.ramSize} bytes)`,
      );
  };
  if (header.flags & 0x10000) {
    // a.out kludge: header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr
    const h = header.offset;
    const headerAddr = u32(image, h + 12);
    const loadAddr = u32(image, h + 16);
    const fileStart = header.offset - (headerAddr - loadAddr);
    if (fileStart < 0) throw new MultibootError('a.out kludge: header_addr lies before load_addr');
    // load_end_addr 0 means "the rest of the file"
    const loadEnd = u32(image, h + 20) || loadAddr + (image.length - fileStart);
    const bssEnd = u32(image, h + 24);
    const entry = u32(image, h + 28);
    if (loadEnd < loadAddr) throw new MultibootError('a.out kludge: load_end_addr is below load_addr');
    const data = image.subarray(fileStart, fileStart + (loadEnd - loadAddr));
    const end = Math.max(loadAddr + data.length, bssEnd);
    check(loadAddr, end);
    memory.ram.fill(0, loadAddr, end);
    memory.ram.set(data, loadAddr);
    return { entry, segments: [[loadAddr, end]] };
  }
  if (u32(image, 0) !== 0x464c457f)
    throw new MultibootError('not ELF and no a.out-kludge addresses in the multiboot header');
  if (image[4] !== 1 || image[5] !== 1 || u16(image, 18) !== 3)
    throw new MultibootError('ELF image is not 32-bit little-endian i386');
  const phoff = u32(image, 28);
  const phentsize = u16(image, 42);
  const phnum = u16(image, 44);
  const segments: [number, number][] = [];
  for (let i = 0; i < phnum; i++) {
    const p = phoff + i * phentsize;
    if (u32(image, p) !== 1) continue; // PT_LOAD
    const offset = u32(image, p + 4);
    const paddr = u32(image, p + 12);
    const filesz = u32(image, p + 16);
    const memsz = u32(image, p + 20);
    if (offset + filesz > image.length)
      throw new MultibootError(`ELF segment ${i} lies beyond the end of the file`);
    check(paddr, paddr + memsz);
    memory.ram.fill(0, paddr, paddr + memsz);
    memory.ram.set(image.subarray(offset, offset + filesz), paddr);
    segments.push([paddr, paddr + memsz]);
  }
  if (segments.length === 0) throw new MultibootError('ELF image has no loadable segment');
  return { entry: u32(image, 24), segments };
}

const overlaps = (segments: [number, number][], start: number, end: number) =>
  segments.some(([s, e]) => s < end && start < e);

/** Where the loader's structures go: 0x8000, else the first 4 KiB boundary above the kernel. */
function loaderArea(memory: PhysicalMemory, segments: [number, number][]): number {
  if (!overlaps(segments, DEFAULT_AREA, DEFAULT_AREA + AREA_SIZE)) return DEFAULT_AREA;
  const top = Math.max(...segments.map(([, e]) => e));
  let area = (top + 0xfff) & ~0xfff;
  if (area < 0x100000 && area + AREA_SIZE > 0xa0000) area = 0x100000;
  if (area + AREA_SIZE + 0x1000 > memory.ramSize)
    throw new MultibootError('no room in RAM for the multiboot information beside the kernel');
  return area;
}

/** Multiboot information: mem_lower/mem_upper, a command line and a BIOS-style memory map. */
function writeInfo(memory: PhysicalMemory, area: number, cmdline: string): number {
  const INFO_ADDR = area + INFO_OFFSET;
  const MMAP_ADDR = area + MMAP_OFFSET;
  const CMDLINE_ADDR = area + CMDLINE_OFFSET;
  const view = new DataView(memory.ram.buffer);
  memory.ram.fill(0, INFO_ADDR, area + AREA_SIZE);
  const ram = memory.ramSize;
  const map: [number, number, number][] = [
    [0, 0xa0000, 1],
    [0xf0000, 0x10000, 2],
    [0x100000, ram - 0x100000, 1],
  ];
  map.forEach(([base, len, type], i) => {
    const e = MMAP_ADDR + i * 24;
    view.setUint32(e, 20, true);
    view.setUint32(e + 4, base, true);
    view.setUint32(e + 12, len, true);
    view.setUint32(e + 20, type, true);
  });
  const text = new TextEncoder().encode(cmdline).subarray(0, CMDLINE_MAX - 1);
  memory.ram.set(text, CMDLINE_ADDR);
  memory.ram[CMDLINE_ADDR + text.length] = 0;
  view.setUint32(INFO_ADDR, 0x1 | 0x4 | 0x40, true); // mem_*, cmdline, mmap
  view.setUint32(INFO_ADDR + 4, 640, true);
  view.setUint32(INFO_ADDR + 8, Math.floor((ram - 0x100000) / 1024), true);
  view.setUint32(INFO_ADDR + 16, CMDLINE_ADDR, true);
  view.setUint32(INFO_ADDR + 44, map.length * 24, true);
  view.setUint32(INFO_ADDR + 48, MMAP_ADDR, true);
  return INFO_ADDR;
}

/** Flat 4 GiB code (0x08) and data (0x10) descriptors. */
function writeGdt(memory: PhysicalMemory, address: number): void {
  const gdt = [0, 0, 0x0000ffff, 0x00cf9a00, 0x0000ffff, 0x00cf9200];
  const view = new DataView(memory.ram.buffer);
  for (let i = 0; i < gdt.length; i++) view.setUint32(address + 4 * i, gdt[i], true);
}

/** Load a multiboot kernel and put the CPU at its entry point, as a multiboot loader leaves it. */
export function bootMultiboot(
  cpu: Cpu,
  memory: PhysicalMemory,
  image: Uint8Array,
  cmdline = '',
): LoadedKernel {
  const header = findMultibootHeader(image);
  if (!header)
    throw new MultibootError('no multiboot header (magic 0x1BADB002 with checksum) in the first 8 KiB');
  const { entry, segments } = loadImage(memory, image, header);
  const area = loaderArea(memory, segments);
  const infoAddress = writeInfo(memory, area, cmdline);
  writeGdt(memory, area + GDT_OFFSET);
  cpu.setA20(true);
  cpu.gdtr = { base: area + GDT_OFFSET, limit: 23 };
  cpu.setControl(0, (cpu.cr0 | 1) >>> 0);
  cpu.loadSegment('cs', 0x08);
  for (const s of ['ds', 'es', 'fs', 'gs', 'ss'] as const) cpu.loadSegment(s, 0x10);
  cpu.eflags = 0x2;
  cpu.eip = entry;
  cpu.eax = MULTIBOOT_BOOTLOADER_MAGIC;
  cpu.ebx = infoAddress;
  // no stack is promised by the specification; one below 0x7C00 unless the kernel lies there
  cpu.esp = overlaps(segments, STACK_TOP - 0x400, STACK_TOP) ? area + AREA_SIZE + 0x1000 : STACK_TOP;
  return { entry, infoAddress, segments };
}
