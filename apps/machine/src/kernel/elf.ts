// The guest ELF loader: parses and checks an ELF32 i386 executable before the kernel puts it in
// guest memory. Pure: no I/O, the image is never modified, every defect is an `ElfError` with one
// message naming it (never a host RangeError or TypeError).
//
// Accepted: ET_EXEC images lying inside the object space (placed at their link addresses) and
// ET_DYN (position-independent) images, whose addresses are offsets from the load base the kernel
// chooses (a guest slot base) and whose only relocations are R_386_RELATIVE (and R_386_NONE) in
// DT_REL. Refused: anything needing a dynamic linker (PT_INTERP, DT_NEEDED, PLT or DT_RELA
// relocations, initialisers), thread-local storage, segments outside the file or overlapping.
//
// Loading (`loadGuestElf`): every segment written at its address plus the bias (0 for ET_EXEC, the
// load base for ET_DYN), the rest of its memory size zeroed, then each relocation target
// read, increased by the bias and written back.

/** ELF page size: spans are counted in whole pages. */
export const ELF_PAGE_SIZE = 0x1000;
/** Default largest image: half of a 4 MiB guest slot (the other half is stack). */
export const DEFAULT_MAX_SPAN = 0x20_0000;

const OBJECT_SPACE_START = 0x8000_0000;
const OBJECT_SPACE_END = 0xc000_0000;
const ADDRESS_SPACE_END = 0x1_0000_0000;

const EHDR_SIZE = 52;
const PHDR_SIZE = 32;
const MAX_PROGRAM_HEADERS = 64;

const ET_REL = 1;
const ET_EXEC = 2;
const ET_DYN = 3;
const ET_CORE = 4;
const EM_386 = 3;

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const PT_SHLIB = 5;
const PT_TLS = 7;
const PF_X = 1;
const PF_W = 2;

const DT_NULL = 0;
const DT_NEEDED = 1;
const DT_PLTRELSZ = 2;
const DT_RELA = 7;
const DT_RELASZ = 8;
const DT_INIT = 12;
const DT_REL = 17;
const DT_RELSZ = 18;
const DT_RELENT = 19;
const DT_JMPREL = 23;
const DT_INIT_ARRAYSZ = 27;
const DT_FLAGS = 30;
const DT_PREINIT_ARRAYSZ = 33;
const DF_STATIC_TLS = 0x10;
const REL_SIZE = 8;

const R_386_NONE = 0;
const R_386_RELATIVE = 8;

const MACHINE_NAMES: Record<number, string> = {
  2: 'SPARC',
  8: 'MIPS',
  20: 'PowerPC',
  40: 'ARM',
  50: 'IA-64',
  62: 'x86-64',
  183: 'AArch64',
  243: 'RISC-V',
};

const RELOCATION_NAMES: Record<number, string> = {
  1: 'R_386_32',
  2: 'R_386_PC32',
  3: 'R_386_GOT32',
  4: 'R_386_PLT32',
  5: 'R_386_COPY',
  6: 'R_386_GLOB_DAT',
  7: 'R_386_JMP_SLOT',
  9: 'R_386_GOTOFF',
  10: 'R_386_GOTPC',
  14: 'R_386_TLS_TPOFF',
  35: 'R_386_TLS_DTPMOD32',
  36: 'R_386_TLS_DTPOFF32',
  42: 'R_386_IRELATIVE',
};

/** A guest image the kernel cannot load; `message` says what is wrong with it. */
export class ElfError extends Error {
  override name = 'ElfError';
}

export interface GuestElfSegment {
  /** Link-time address (ET_DYN: offset from the load base). */
  vaddr: number;
  /** The bytes from the file (p_filesz of them): a copy, not a view of the image. */
  data: Uint8Array;
  /** Bytes in memory (≥ data.length); the rest is zero. */
  memsz: number;
  writable: boolean;
  executable: boolean;
}

export interface GuestElf {
  /** 'exec': ET_EXEC at fixed addresses in the object space; 'dyn': ET_DYN, placed at a load base. */
  type: 'exec' | 'dyn';
  /** Link-time entry point: inside an executable segment. */
  entry: number;
  /** The lowest segment's address rounded down to a page. */
  lowest: number;
  /** Bytes from `lowest` to the end of the highest segment, rounded up to a page. */
  span: number;
  /** PT_LOAD segments with a memory size, in address order, not overlapping. */
  segments: GuestElfSegment[];
  /** Link-time addresses of the R_386_RELATIVE fixups (each 4 bytes inside one segment). */
  relocations: number[];
}

export interface ParseGuestElfOptions {
  /** Largest image in bytes (default 2 MiB): `span` for ET_EXEC, `lowest + span` (the extent from
   * the load base) for ET_DYN. */
  maxSpan?: number;
}

/** An image placed at its final addresses (see `placeGuestElf`). */
export interface PlacedGuestElf {
  /** Added to every link-time address: 0 for ET_EXEC, the load base for ET_DYN. */
  bias: number;
  entry: number;
  lowest: number;
  span: number;
  segments: GuestElfSegment[];
  relocations: number[];
}

/** What `loadGuestElf` needs of guest memory (the kernel's ObjectMemory has this shape). */
export interface GuestImageMemory {
  writeBytes(address: number, bytes: Uint8Array): void;
  read32(address: number): number;
  write32(address: number, value: number): void;
}

const hex = (n: number): string => `0x${n.toString(16)}`;

/** Parses and checks a guest executable; throws `ElfError` naming the first defect found. */
export function parseGuestElf(image: Uint8Array, options: ParseGuestElfOptions = {}): GuestElf {
  const maxSpan = options.maxSpan ?? DEFAULT_MAX_SPAN;
  const size = image.length;
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const u16 = (offset: number): number => view.getUint16(offset, true);
  const u32 = (offset: number): number => view.getUint32(offset, true);

  // ELF header
  if (size < 4 || image[0] !== 0x7f || image[1] !== 0x45 || image[2] !== 0x4c || image[3] !== 0x46) {
    throw new ElfError('not an ELF file (bad magic)');
  }
  if (size < EHDR_SIZE) {
    throw new ElfError(`ELF header truncated: the file has ${size} bytes, the header needs ${EHDR_SIZE}`);
  }
  const elfClass = image[4];
  if (elfClass === 2) throw new ElfError('ELF class 64 is not supported: need ELF32');
  if (elfClass !== 1) throw new ElfError(`bad ELF class ${elfClass}: need 1 (ELF32)`);
  const encoding = image[5];
  if (encoding === 2) throw new ElfError('big-endian ELF is not supported: need little-endian');
  if (encoding !== 1) throw new ElfError(`bad ELF data encoding ${encoding}: need 1 (little-endian)`);
  if (image[6] !== 1) throw new ElfError(`unsupported ELF identification version ${image[6]}: need 1`);

  const type = u16(16);
  if (type !== ET_EXEC && type !== ET_DYN) {
    const what = type === ET_REL ? ' (a relocatable object)' : type === ET_CORE ? ' (a core dump)' : '';
    throw new ElfError(`ELF type ${type}${what} is not executable: need ET_EXEC (2) or ET_DYN (3)`);
  }
  const machine = u16(18);
  if (machine !== EM_386) {
    const name = MACHINE_NAMES[machine] ? ` (${MACHINE_NAMES[machine]})` : '';
    throw new ElfError(`ELF machine ${machine}${name} is not supported: need EM_386 (3)`);
  }
  const version = u32(20);
  if (version !== 1) throw new ElfError(`unsupported ELF version ${version}: need 1`);
  const entry = u32(24);
  const phoff = u32(28);
  const ehsize = u16(40);
  const phentsize = u16(42);
  const phnum = u16(44);
  if (ehsize < EHDR_SIZE) throw new ElfError(`ELF header size ${ehsize} is too small: need ${EHDR_SIZE}`);
  if (phnum === 0) throw new ElfError('no program headers');
  if (phnum > MAX_PROGRAM_HEADERS) {
    throw new ElfError(`${phnum} program headers: at most ${MAX_PROGRAM_HEADERS} are supported`);
  }
  if (phentsize !== PHDR_SIZE) {
    throw new ElfError(`program header size ${phentsize} is wrong: need ${PHDR_SIZE}`);
  }
  if (phoff + phnum * PHDR_SIZE > size) {
    throw new ElfError(
      `program headers (offset ${hex(phoff)}, ${phnum} of ${PHDR_SIZE} bytes) extend past the end of the file (${size} bytes)`,
    );
  }

  // Program headers
  const segments: GuestElfSegment[] = [];
  let dynamic: { offset: number; size: number } | undefined;
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * PHDR_SIZE;
    const pType = u32(at);
    const offset = u32(at + 4);
    const vaddr = u32(at + 8);
    const filesz = u32(at + 16);
    const memsz = u32(at + 20);
    const flags = u32(at + 24);
    if (pType === PT_INTERP)
      throw new ElfError('needs a dynamic linker (PT_INTERP): only static images load');
    if (pType === PT_TLS) throw new ElfError('uses thread-local storage (PT_TLS), which is not supported');
    if (pType === PT_SHLIB) throw new ElfError(`program header ${i} has the reserved type PT_SHLIB`);
    if (pType === PT_DYNAMIC) {
      if (dynamic) throw new ElfError('more than one PT_DYNAMIC program header');
      if (offset + filesz > size) {
        throw new ElfError(`the dynamic section (program header ${i}) extends past the end of the file`);
      }
      dynamic = { offset, size: filesz };
      continue;
    }
    if (pType !== PT_LOAD) continue;
    if (filesz > memsz) {
      throw new ElfError(
        `segment ${i}: file size ${hex(filesz)} is larger than its memory size ${hex(memsz)}`,
      );
    }
    if (memsz === 0) continue;
    if (offset + filesz > size) throw new ElfError(`segment ${i} extends past the end of the file`);
    if (vaddr + memsz > ADDRESS_SPACE_END) {
      throw new ElfError(
        `segment ${i} (${hex(vaddr)}, ${hex(memsz)} bytes) wraps around the 4 GiB address space`,
      );
    }
    const previous = segments[segments.length - 1];
    if (previous && vaddr < previous.vaddr + previous.memsz) {
      throw new ElfError(
        `segment ${i} at ${hex(vaddr)} overlaps or precedes the segment before it (${hex(previous.vaddr)}–${hex(previous.vaddr + previous.memsz)}): segments must be in address order`,
      );
    }
    segments.push({
      vaddr,
      data: new Uint8Array(image.subarray(offset, offset + filesz)), // a plain copy, even of a Buffer
      memsz,
      writable: (flags & PF_W) !== 0,
      executable: (flags & PF_X) !== 0,
    });
  }
  if (segments.length === 0) throw new ElfError('no loadable segment (PT_LOAD)');

  // Extent
  const first = segments[0];
  const last = segments[segments.length - 1];
  const lowest = first.vaddr - (first.vaddr % ELF_PAGE_SIZE);
  const end = Math.ceil((last.vaddr + last.memsz) / ELF_PAGE_SIZE) * ELF_PAGE_SIZE;
  const span = end - lowest;
  const kind = type === ET_EXEC ? 'exec' : 'dyn';
  if (kind === 'exec') {
    if (lowest < OBJECT_SPACE_START || end > OBJECT_SPACE_END) {
      throw new ElfError(
        `ET_EXEC image at ${hex(lowest)}–${hex(end)} lies outside the object space [${hex(OBJECT_SPACE_START)}, ${hex(OBJECT_SPACE_END)})`,
      );
    }
    if (span > maxSpan) throw new ElfError(`the image spans ${span} bytes, more than the maximum ${maxSpan}`);
  } else if (end > maxSpan) {
    throw new ElfError(`the image needs ${end} bytes from its load base, more than the maximum ${maxSpan}`);
  }
  if (!segments.some((s) => s.executable && entry >= s.vaddr && entry < s.vaddr + s.memsz)) {
    throw new ElfError(`entry point ${hex(entry)} is not inside an executable segment`);
  }

  // Dynamic section and relocations
  const relocations: number[] = [];
  if (dynamic) {
    const tags = new Map<number, number>();
    let terminated = false;
    for (let at = dynamic.offset; at + 8 <= dynamic.offset + dynamic.size; at += 8) {
      const tag = view.getInt32(at, true);
      if (tag === DT_NULL) {
        terminated = true;
        break;
      }
      tags.set(tag, u32(at + 4));
    }
    if (!terminated) throw new ElfError('the dynamic section has no DT_NULL terminator');
    if (tags.has(DT_NEEDED))
      throw new ElfError('needs shared libraries (DT_NEEDED): only static images load');
    if (tags.has(DT_RELA) || tags.has(DT_RELASZ)) {
      throw new ElfError('has DT_RELA relocations: only R_386_RELATIVE in DT_REL is supported');
    }
    if (tags.has(DT_JMPREL) || (tags.get(DT_PLTRELSZ) ?? 0) > 0) {
      throw new ElfError('has PLT relocations (DT_JMPREL): only R_386_RELATIVE in DT_REL is supported');
    }
    if (
      tags.has(DT_INIT) ||
      (tags.get(DT_INIT_ARRAYSZ) ?? 0) > 0 ||
      (tags.get(DT_PREINIT_ARRAYSZ) ?? 0) > 0
    ) {
      throw new ElfError(
        'has initialisers (DT_INIT, DT_INIT_ARRAY or DT_PREINIT_ARRAY), which the kernel does not run',
      );
    }
    if (((tags.get(DT_FLAGS) ?? 0) & DF_STATIC_TLS) !== 0) {
      throw new ElfError('uses thread-local storage (DF_STATIC_TLS), which is not supported');
    }
    const relsz = tags.get(DT_RELSZ) ?? 0;
    const rel = tags.get(DT_REL);
    if (relsz > 0 || rel !== undefined) {
      if (rel === undefined) throw new ElfError('DT_RELSZ without DT_REL');
      const relent = tags.get(DT_RELENT) ?? REL_SIZE;
      if (relent !== REL_SIZE) throw new ElfError(`DT_RELENT is ${relent}: need ${REL_SIZE}`);
      if (relsz % REL_SIZE !== 0) throw new ElfError(`DT_RELSZ ${relsz} is not a multiple of ${REL_SIZE}`);
      const holder = segments.find((s) => rel >= s.vaddr && rel + relsz <= s.vaddr + s.data.length);
      if (!holder) {
        throw new ElfError(
          `the relocation table at ${hex(rel)} (${relsz} bytes) is not inside the file part of a loaded segment`,
        );
      }
      const table = holder.data;
      const tableView = new DataView(table.buffer, table.byteOffset, table.byteLength);
      const base = rel - holder.vaddr;
      for (let i = 0; i < relsz / REL_SIZE; i++) {
        const rOffset = tableView.getUint32(base + i * REL_SIZE, true);
        const rInfo = tableView.getUint32(base + i * REL_SIZE + 4, true);
        const rType = rInfo & 0xff;
        const symbol = rInfo >>> 8;
        if (rType === R_386_NONE) continue;
        if (rType !== R_386_RELATIVE) {
          const name = RELOCATION_NAMES[rType] ? ` (${RELOCATION_NAMES[rType]})` : '';
          throw new ElfError(
            `relocation ${i} at ${hex(rOffset)} has type ${rType}${name}: only R_386_RELATIVE (8) is supported`,
          );
        }
        if (symbol !== 0) {
          throw new ElfError(`relocation ${i} at ${hex(rOffset)}: R_386_RELATIVE names symbol ${symbol}`);
        }
        if (!segments.some((s) => rOffset >= s.vaddr && rOffset + 4 <= s.vaddr + s.memsz)) {
          throw new ElfError(`relocation ${i} at ${hex(rOffset)} is outside the loaded segments`);
        }
        relocations.push(rOffset);
      }
    }
  }

  return { type: kind, entry, lowest, span, segments, relocations };
}

/** The image's addresses once placed: ET_DYN moved by `loadBase` (page-aligned), ET_EXEC as linked. */
export function placeGuestElf(elf: GuestElf, loadBase: number): PlacedGuestElf {
  let bias = 0;
  if (elf.type === 'dyn') {
    if (!Number.isInteger(loadBase) || loadBase < 0 || loadBase % ELF_PAGE_SIZE !== 0) {
      throw new ElfError(`load base ${loadBase} is not a page-aligned address`);
    }
    if (loadBase + elf.lowest + elf.span > ADDRESS_SPACE_END) {
      throw new ElfError(`the image does not fit below 4 GiB at load base ${hex(loadBase)}`);
    }
    bias = loadBase;
  }
  return {
    bias,
    entry: elf.entry + bias,
    lowest: elf.lowest + bias,
    span: elf.span,
    segments: elf.segments.map((s) => ({ ...s, vaddr: s.vaddr + bias })),
    relocations: elf.relocations.map((r) => r + bias),
  };
}

/** Writes the image into guest memory at `loadBase` (ignored for ET_EXEC): each segment's bytes,
 * zeros for the rest of its memory size, then the relocations (each target += bias). */
export function loadGuestElf(elf: GuestElf, loadBase: number, memory: GuestImageMemory): PlacedGuestElf {
  const placed = placeGuestElf(elf, loadBase);
  for (const s of placed.segments) {
    memory.writeBytes(s.vaddr, s.data);
    const rest = s.memsz - s.data.length;
    if (rest > 0) memory.writeBytes(s.vaddr + s.data.length, new Uint8Array(rest));
  }
  if (placed.bias !== 0) {
    for (const at of placed.relocations) memory.write32(at, (memory.read32(at) + placed.bias) >>> 0);
  }
  return placed;
}

/** The image as it lies in memory at `loadBase`: `span` bytes for the addresses from `lowest`
 * (placed), segments copied, gaps and bss zero, relocations applied. */
export function flattenGuestElf(elf: GuestElf, loadBase: number): Uint8Array {
  const placed = placeGuestElf(elf, loadBase);
  const bytes = new Uint8Array(placed.span);
  const view = new DataView(bytes.buffer);
  for (const s of placed.segments) bytes.set(s.data, s.vaddr - placed.lowest);
  if (placed.bias !== 0) {
    for (const at of placed.relocations) {
      const offset = at - placed.lowest;
      view.setUint32(offset, (view.getUint32(offset, true) + placed.bias) >>> 0, true);
    }
  }
  return bytes;
}
