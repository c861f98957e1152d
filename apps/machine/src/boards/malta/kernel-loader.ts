// QEMU's -kernel convention for Malta: an ELF32 kernel copied to its segments' addresses (kseg0/
// kseg1 virtual → physical), an initrd near the top of low RAM (as QEMU: 128 KiB left above it for
// the kernel's boot map, 64 KiB aligned), and the YAMON environment the boot loader leaves: argc = 2,
// argv = [kernel name, "rd_start=0x… rd_size=… " + command line], envp = memsize, ememsize,
// modetty0 and (as QEMU since 7.1) rngseed, a hex seed Linux credits to its RNG at boot, each string
// in the 16 × 256-byte table at phys 0x2000, and a3 = memsize.

/** A kernel or initrd the board cannot use: a clear message, never a host crash. */
export class MaltaBootError extends Error {
  override name = 'MaltaBootError';
}

/** The YAMON environment table (QEMU's ENVP_PADDR): 16 pointers, then 256-byte strings. */
export const ENVP_PADDR = 0x2000;
const ENVP_ENTRIES = 16;
const ENVP_ENTRY_SIZE = 256;
const KSEG0 = 0x8000_0000;
/** Low RAM the kernel can reach through kseg0 (the rest of the 512 MiB window is I/O). */
export const LOW_RAM_LIMIT = 0x1000_0000;

export interface ElfImage {
  entry: number;
  /** Physical end (exclusive) of the highest loaded segment. */
  physicalEnd: number;
  segments: { physical: number; fileOffset: number; fileSize: number; memSize: number }[];
}

/** Kernel-segment virtual address → physical (kseg0 and kseg1 are direct maps of the low 512 MiB). */
function toPhysical(va: number): number {
  const region = va >>> 29;
  if (region === 4 || region === 5) return va & 0x1fff_ffff;
  throw new MaltaBootError(
    `segment at 0x${va.toString(16)} is not in kseg0/kseg1 (not loadable without a TLB)`,
  );
}

/** Parse an ELF32 little-endian MIPS executable's loadable segments. */
export function parseMipsElf(image: Uint8Array): ElfImage {
  if (image.length < 52 || image[0] !== 0x7f || image[1] !== 0x45 || image[2] !== 0x4c || image[3] !== 0x46) {
    throw new MaltaBootError('kernel is not an ELF file');
  }
  if (image[4] !== 1) throw new MaltaBootError('kernel is not ELF32 (a 64-bit kernel needs a 64-bit CPU)');
  if (image[5] !== 1) throw new MaltaBootError('kernel is big-endian; this Malta board is little-endian');
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const machine = view.getUint16(18, true);
  if (machine !== 8) throw new MaltaBootError(`kernel is for ELF machine ${machine}, not MIPS (8)`);
  const entry = view.getUint32(24, true);
  const phoff = view.getUint32(28, true);
  const phentsize = view.getUint16(42, true);
  const phnum = view.getUint16(44, true);
  if (phentsize < 32 || phoff + phnum * phentsize > image.length) {
    throw new MaltaBootError('kernel program headers lie outside the file');
  }
  const segments: ElfImage['segments'] = [];
  let physicalEnd = 0;
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (view.getUint32(at, true) !== 1) continue; // PT_LOAD only
    const fileOffset = view.getUint32(at + 4, true);
    const vaddr = view.getUint32(at + 8, true);
    const fileSize = view.getUint32(at + 16, true);
    const memSize = view.getUint32(at + 20, true);
    if (fileOffset + fileSize > image.length || fileSize > memSize) {
      throw new MaltaBootError(`kernel segment ${i} is truncated or larger on file than in memory`);
    }
    const physical = toPhysical(vaddr);
    segments.push({ physical, fileOffset, fileSize, memSize });
    physicalEnd = Math.max(physicalEnd, physical + memSize);
  }
  if (segments.length === 0) throw new MaltaBootError('kernel has no loadable segment');
  return { entry, physicalEnd, segments };
}

export interface BootPlan {
  entry: number;
  /** a0..a3 and sp at kernel entry. */
  registers: { a0: number; a1: number; a2: number; a3: number; sp: number };
  initrd?: { physical: number; size: number };
  /** The argument strings as the kernel will see them (argv then envp). */
  argv: string[];
  envp: string[];
}

export interface LoadOptions {
  kernel: Uint8Array;
  initrd?: Uint8Array;
  cmdline?: string;
  /** Name passed as argv[0] (QEMU passes the kernel's file name). */
  kernelName?: string;
  /**
   * Seed for the guest's RNG, passed as the `rngseed` environment variable (hex). Without one the
   * kernel has no entropy at boot and spends its first seconds gathering some.
   */
  rngSeed?: Uint8Array;
}

/** Copy kernel and initrd into `ram` and write the YAMON environment. */
export function loadMaltaKernel(ram: Uint8Array, options: LoadOptions): BootPlan {
  const elf = parseMipsElf(options.kernel);
  const lowRam = Math.min(ram.length, LOW_RAM_LIMIT);
  if (elf.physicalEnd > lowRam) {
    throw new MaltaBootError(
      `kernel needs RAM up to 0x${elf.physicalEnd.toString(16)}, the board has ${lowRam >> 20} MiB`,
    );
  }
  for (const s of elf.segments) {
    ram.fill(0, s.physical, s.physical + s.memSize);
    ram.set(options.kernel.subarray(s.fileOffset, s.fileOffset + s.fileSize), s.physical);
  }
  let initrd: BootPlan['initrd'];
  if (options.initrd && options.initrd.length > 0) {
    const size = options.initrd.length;
    const at = Math.ceil((lowRam - (size + 128 * 1024)) / 0x10000) * 0x10000;
    if (at < elf.physicalEnd || at + size > lowRam) {
      throw new MaltaBootError(
        `initrd of ${size} bytes does not fit between the kernel (ends 0x${elf.physicalEnd.toString(16)}) and the top of ${lowRam >> 20} MiB`,
      );
    }
    ram.set(options.initrd, at);
    initrd = { physical: at, size };
  }
  const cmdline = options.cmdline ?? '';
  const args = initrd
    ? `rd_start=0x${(KSEG0 + initrd.physical).toString(16)} rd_size=${initrd.size} ${cmdline}`
    : cmdline;
  const argv = [options.kernelName ?? 'vmlinux', args];
  const envp = ['memsize', String(lowRam), 'ememsize', String(ram.length), 'modetty0', '38400n8r'];
  if (options.rngSeed && options.rngSeed.length > 0) {
    envp.push('rngseed', Array.from(options.rngSeed, (b) => b.toString(16).padStart(2, '0')).join(''));
  }
  writeEnvironment(ram, [...argv, ...envp]);
  const base = KSEG0 + ENVP_PADDR;
  return {
    entry: elf.entry,
    registers: { a0: argv.length, a1: base, a2: base + 4 * argv.length, a3: lowRam, sp: base - 64 },
    initrd,
    argv,
    envp,
  };
}

/** The pointer table (NULL-terminated) and its strings, as QEMU's prom_set writes them. */
function writeEnvironment(ram: Uint8Array, strings: string[]): void {
  if (strings.length >= ENVP_ENTRIES) throw new MaltaBootError('too many boot arguments');
  const view = new DataView(ram.buffer, ram.byteOffset, ram.byteLength);
  const encoder = new TextEncoder();
  ram.fill(0, ENVP_PADDR, ENVP_PADDR + 4 * ENVP_ENTRIES + ENVP_ENTRY_SIZE * ENVP_ENTRIES);
  strings.forEach((text, i) => {
    const offset = 4 * ENVP_ENTRIES + i * ENVP_ENTRY_SIZE;
    const bytes = encoder.encode(text);
    if (bytes.length >= ENVP_ENTRY_SIZE) {
      throw new MaltaBootError(
        `boot argument longer than ${ENVP_ENTRY_SIZE - 1} bytes: ${text.slice(0, 40)}…`,
      );
    }
    ram.set(bytes, ENVP_PADDR + offset);
    view.setUint32(ENVP_PADDR + 4 * i, KSEG0 + ENVP_PADDR + offset, true);
  });
  view.setUint32(ENVP_PADDR + 4 * strings.length, 0, true);
}
