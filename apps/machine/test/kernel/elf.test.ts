// The guest ELF loader (src/kernel/elf.ts): the committed guests (guests/bin, built by
// guests/build.sh with Debian's gcc and GNU ld) parse and relocate; every defect is refused with an
// ElfError naming it; random corruption of a real image never escapes as another exception.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { slotBase } from '../../src/kernel/abi.js';
import {
  DEFAULT_MAX_SPAN,
  ElfError,
  flattenGuestElf,
  type GuestElf,
  loadGuestElf,
  parseGuestElf,
  placeGuestElf,
} from '../../src/kernel/elf.js';

const BIN = fileURLToPath(new URL('../../guests/bin/', import.meta.url));
const GUESTS = ['counter', 'hostile', 'kvshell', 'spin', 'stress', 'syscallbench'];
const guest = (name: string): Uint8Array => new Uint8Array(readFileSync(`${BIN}${name}.elf`));

const u32 = (b: Uint8Array, at: number): number => new DataView(b.buffer, b.byteOffset).getUint32(at, true);
const u16 = (b: Uint8Array, at: number): number => new DataView(b.buffer, b.byteOffset).getUint16(at, true);
function put32(b: Uint8Array, at: number, v: number): void {
  new DataView(b.buffer, b.byteOffset).setUint32(at, v >>> 0, true);
}
function put16(b: Uint8Array, at: number, v: number): void {
  new DataView(b.buffer, b.byteOffset).setUint16(at, v, true);
}

/** File offsets of the program headers of a type. */
function phdrsOf(b: Uint8Array, type: number): number[] {
  const found: number[] = [];
  for (let i = 0; i < u16(b, 44); i++) {
    const at = u32(b, 28) + i * 32;
    if (u32(b, at) === type) found.push(at);
  }
  return found;
}

/** File offset of the dynamic entry with this tag (the guests' dynamic section is in the file). */
function dynamicEntry(b: Uint8Array, tag: number): number {
  const [dyn] = phdrsOf(b, 2);
  for (let at = u32(b, dyn + 4); u32(b, at) !== 0; at += 8) if (u32(b, at) === tag) return at;
  throw new Error(`no dynamic tag ${tag}`);
}

/** File offset of the first relocation (DT_REL lies in the first segment, linked at 0 = offset 0). */
const firstRelocation = (b: Uint8Array): number => u32(b, dynamicEntry(b, 17) + 4);

function mutated(edit: (b: Uint8Array) => void, name = 'hostile'): Uint8Array {
  const b = guest(name);
  edit(b);
  return b;
}

/** The image cut one byte into its data segment's file bytes. */
function truncatedInData(name: string): Uint8Array {
  const b = guest(name);
  return b.subarray(0, u32(b, phdrsOf(b, 1)[1] + 4) + 1);
}

function expectElfError(image: Uint8Array, message: string | RegExp, maxSpan?: number): void {
  let error: unknown;
  try {
    parseGuestElf(image, maxSpan === undefined ? {} : { maxSpan });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ElfError);
  expect((error as Error).message).toMatch(message);
}

interface TestSegment {
  vaddr: number;
  data: Uint8Array;
  memsz?: number;
  flags: number;
}

/** A hand-made ELF32: header, program headers, then each segment's bytes in order. */
function makeElf(o: {
  type?: number;
  entry: number;
  segments: TestSegment[];
  extraPhdrs?: { type: number; offset: number; filesz: number; vaddr?: number }[];
}): Uint8Array {
  const phnum = o.segments.length + (o.extraPhdrs?.length ?? 0);
  let offset = 52 + phnum * 32;
  const fileOffsets = o.segments.map((s) => {
    const at = offset;
    offset += s.data.length;
    return at;
  });
  const b = new Uint8Array(offset);
  b.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]);
  put16(b, 16, o.type ?? 3);
  put16(b, 18, 3);
  put32(b, 20, 1);
  put32(b, 24, o.entry);
  put32(b, 28, 52);
  put16(b, 40, 52);
  put16(b, 42, 32);
  put16(b, 44, phnum);
  o.segments.forEach((s, i) => {
    const at = 52 + i * 32;
    put32(b, at, 1);
    put32(b, at + 4, fileOffsets[i]);
    put32(b, at + 8, s.vaddr);
    put32(b, at + 12, s.vaddr);
    put32(b, at + 16, s.data.length);
    put32(b, at + 20, s.memsz ?? s.data.length);
    put32(b, at + 24, s.flags);
    put32(b, at + 28, 0x1000);
    b.set(s.data, fileOffsets[i]);
  });
  (o.extraPhdrs ?? []).forEach((p, i) => {
    const at = 52 + (o.segments.length + i) * 32;
    put32(b, at, p.type);
    put32(b, at + 4, p.offset);
    put32(b, at + 8, p.vaddr ?? 0);
    put32(b, at + 16, p.filesz);
    put32(b, at + 20, p.filesz);
  });
  return b;
}

const words = (...values: number[]): Uint8Array => {
  const b = new Uint8Array(values.length * 4);
  for (const [i, v] of values.entries()) put32(b, i * 4, v);
  return b;
};

/** An ET_DYN with code at 0x1000, data at 0x2000 and a dynamic section + relocation table in the
 * data segment; `dynamic` is the list of (tag, value) pairs before DT_NULL. */
function makeDyn(dynamic: [number, number][], rel: [number, number][] = []): Uint8Array {
  // data segment: [rel table][dynamic][two pointers]
  const relBytes = rel.flat();
  const dynWords = [...dynamic.flat(), 0, 0];
  const data = words(...relBytes, ...dynWords, 0x1000, 0x1004);
  const image = makeElf({
    entry: 0x1000,
    segments: [
      { vaddr: 0x1000, data: new Uint8Array(16).fill(0x90), flags: 5 },
      { vaddr: 0x2000, data, memsz: data.length + 64, flags: 6 },
    ],
    extraPhdrs: [{ type: 2, offset: 0, filesz: dynWords.length * 4 }],
  });
  // the dynamic section's file offset: the data segment's file offset + the table's length
  const dataAt = u32(image, 52 + 32 + 4);
  put32(image, 52 + 64 + 4, dataAt + relBytes.length * 4);
  return image;
}

describe('the committed guest images', () => {
  it('are exactly the programs built by guests/build.sh, each a few KiB', () => {
    const built = readdirSync(BIN)
      .filter((f) => f.endsWith('.elf'))
      .map((f) => f.slice(0, -4))
      .sort();
    expect(built).toEqual(GUESTS);
    for (const name of GUESTS) expect(guest(name).length).toBeLessThan(8192);
  });

  for (const name of GUESTS) {
    it(`${name}.elf parses as a position-independent image with a code and a data segment`, () => {
      const elf = parseGuestElf(guest(name));
      expect(elf.type).toBe('dyn');
      expect(elf.lowest).toBe(0);
      expect(elf.span).toBeGreaterThan(0);
      expect(elf.span % 4096).toBe(0);
      expect(elf.span).toBeLessThanOrEqual(0x4000);
      const code = elf.segments.filter((s) => s.executable);
      const data = elf.segments.filter((s) => s.writable);
      expect(code).toHaveLength(1);
      expect(data).toHaveLength(1);
      expect(code[0].writable).toBe(false);
      expect(data[0].executable).toBe(false);
      expect(elf.entry).toBeGreaterThanOrEqual(code[0].vaddr);
      expect(elf.entry).toBeLessThan(code[0].vaddr + code[0].memsz);
      // every fixup is a pointer into the image itself, in the writable segment
      const flat = flattenGuestElf(elf, 0);
      for (const r of elf.relocations) {
        expect(r).toBeGreaterThanOrEqual(data[0].vaddr);
        expect(r + 4).toBeLessThanOrEqual(data[0].vaddr + data[0].memsz);
        expect(u32(flat, r)).toBeLessThan(elf.span);
      }
    });
  }

  it('hostile.elf carries relocations for its table of test names', () => {
    // names[] (11 string pointers) and print_error's table of 9: R_386_RELATIVE fixups
    expect(parseGuestElf(guest('hostile')).relocations.length).toBeGreaterThanOrEqual(20);
  });

  it('relocation to a slot base adds the base to every fixup and to nothing else', () => {
    const elf = parseGuestElf(guest('hostile'));
    const base = slotBase(5);
    const at0 = flattenGuestElf(elf, 0);
    const atBase = flattenGuestElf(elf, base);
    const fixups = new Set(elf.relocations);
    for (let i = 0; i < at0.length; i += 4) {
      const want = fixups.has(i) ? (u32(at0, i) + base) >>> 0 : u32(at0, i);
      if (u32(atBase, i) !== want) throw new Error(`word at ${i.toString(16)} is wrong`);
    }
    const placed = placeGuestElf(elf, base);
    expect(placed.bias).toBe(base);
    expect(placed.entry).toBe(base + elf.entry);
    expect(placed.lowest).toBe(base);
    expect(placed.segments.map((s) => s.vaddr)).toEqual(elf.segments.map((s) => s.vaddr + base));
    expect(placed.relocations).toEqual(elf.relocations.map((r) => r + base));
  });

  it('loadGuestElf writes through the memory callbacks what flattenGuestElf computes', () => {
    const elf = parseGuestElf(guest('kvshell'));
    const base = slotBase(1);
    const ram = new Uint8Array(elf.span).fill(0xee); // stale bytes: the loader must zero the bss
    const view = new DataView(ram.buffer);
    const written: [number, number][] = [];
    const placed = loadGuestElf(elf, base, {
      writeBytes: (address, bytes) => {
        written.push([address, bytes.length]);
        ram.set(bytes, address - base);
      },
      read32: (address) => view.getUint32(address - base, true),
      write32: (address, value) => view.setUint32(address - base, value, true),
    });
    expect(placed.entry).toBe(base + elf.entry);
    const flat = flattenGuestElf(elf, base);
    for (const s of elf.segments) {
      expect(ram.subarray(s.vaddr, s.vaddr + s.memsz)).toEqual(flat.subarray(s.vaddr, s.vaddr + s.memsz));
    }
    expect(written.every(([address]) => address >= base && address < base + elf.span)).toBe(true);
  });

  it('the image bytes handed out are copies: changing them leaves the file and later parses alone', () => {
    const image = guest('counter');
    const before = image.slice();
    const elf = parseGuestElf(image);
    elf.segments[0].data.fill(0);
    expect(image).toEqual(before);
    expect(parseGuestElf(image).segments[0].data).not.toEqual(elf.segments[0].data);
  });

  it('segments parsed from a Node Buffer are copies too', () => {
    const buffer = readFileSync(`${BIN}counter.elf`);
    const elf = parseGuestElf(buffer);
    expect(Buffer.isBuffer(elf.segments[0].data)).toBe(false);
    elf.segments[0].data.fill(0);
    expect(new Uint8Array(buffer)).toEqual(guest('counter'));
  });
});

describe('hand-made images', () => {
  it('ET_EXEC inside the object space is placed as linked, the load base ignored', () => {
    const image = makeElf({
      type: 2,
      entry: 0x8040_0010,
      segments: [
        { vaddr: 0x8040_0000, data: new Uint8Array(32).fill(0x90), flags: 5 },
        { vaddr: 0x8040_1000, data: words(1, 2), memsz: 0x2000, flags: 6 },
      ],
    });
    const elf = parseGuestElf(image);
    expect(elf).toMatchObject({ type: 'exec', entry: 0x8040_0010, lowest: 0x8040_0000, span: 0x3000 });
    expect(elf.segments[1]).toMatchObject({
      vaddr: 0x8040_1000,
      memsz: 0x2000,
      writable: true,
      executable: false,
    });
    const placed = placeGuestElf(elf, slotBase(7));
    expect(placed.bias).toBe(0);
    expect(placed.entry).toBe(0x8040_0010);
    const flat = flattenGuestElf(elf, 12345); // ignored, not even checked
    expect(flat.length).toBe(0x3000);
    expect(u32(flat, 0x1004)).toBe(2);
  });

  it('ET_EXEC outside the object space is refused', () => {
    const image = makeElf({
      type: 2,
      entry: 0x0804_8000,
      segments: [{ vaddr: 0x0804_8000, data: new Uint8Array(16), flags: 5 }],
    });
    expectElfError(image, 'ET_EXEC image at 0x8048000–0x8049000 lies outside the object space');
    const high = makeElf({
      type: 2,
      entry: 0xbfff_f000,
      segments: [{ vaddr: 0xbfff_f000, data: new Uint8Array(16), memsz: 0x2000, flags: 5 }],
    });
    expectElfError(high, /lies outside the object space/);
  });

  it('R_386_NONE entries are skipped; R_386_RELATIVE targets are collected', () => {
    const image = makeDyn(
      [
        [17, 0x2000],
        [18, 16],
        [19, 8],
      ],
      [
        [0x2000 + 16 + 8 * 4, 8], // the first pointer word after the dynamic section
        [0, 0],
      ],
    );
    const elf = parseGuestElf(image);
    expect(elf.relocations).toEqual([0x2000 + 16 + 32]);
    const flat = flattenGuestElf(elf, 0x40_0000);
    expect(u32(flat, 0x2000 + 48 - 0x1000)).toBe(0x40_1000); // lowest is 0x1000
  });

  it('an ET_DYN whose extent from its load base exceeds the maximum is refused', () => {
    const image = makeElf({
      entry: 0x1000,
      segments: [{ vaddr: 0x1000, data: new Uint8Array(8), flags: 5 }],
    });
    expect(parseGuestElf(image, { maxSpan: 0x2000 }).span).toBe(0x1000);
    expectElfError(
      image,
      'the image needs 8192 bytes from its load base, more than the maximum 4096',
      0x1000,
    );
  });

  it('a PT_LOAD without memory is ignored', () => {
    const image = makeElf({
      entry: 0x1000,
      segments: [
        { vaddr: 0x1000, data: new Uint8Array(8), flags: 5 },
        { vaddr: 0x9000, data: new Uint8Array(0), memsz: 0, flags: 6 },
      ],
    });
    expect(parseGuestElf(image).segments).toHaveLength(1);
  });
});

describe('defects are refused with an ElfError naming them', () => {
  const cases: [string, () => Uint8Array, string | RegExp][] = [
    ['an empty file', () => new Uint8Array(0), 'not an ELF file (bad magic)'],
    ['a text file', () => new TextEncoder().encode('#!/bin/sh\necho hi\n'), 'not an ELF file (bad magic)'],
    [
      'a truncated header',
      () => guest('counter').subarray(0, 40),
      /^ELF header truncated: the file has 40 bytes/,
    ],
    ['ELF64', () => mutated((b) => (b[4] = 2)), 'ELF class 64 is not supported: need ELF32'],
    ['class 0', () => mutated((b) => (b[4] = 0)), 'bad ELF class 0: need 1 (ELF32)'],
    ['big-endian', () => mutated((b) => (b[5] = 2)), 'big-endian ELF is not supported: need little-endian'],
    ['identification version 0', () => mutated((b) => (b[6] = 0)), /identification version 0/],
    [
      'a relocatable object',
      () => mutated((b) => put16(b, 16, 1)),
      /ELF type 1 \(a relocatable object\) is not executable/,
    ],
    ['a core dump', () => mutated((b) => put16(b, 16, 4)), /ELF type 4 \(a core dump\)/],
    [
      'x86-64',
      () => mutated((b) => put16(b, 18, 62)),
      'ELF machine 62 (x86-64) is not supported: need EM_386 (3)',
    ],
    ['MIPS', () => mutated((b) => put16(b, 18, 8)), 'ELF machine 8 (MIPS) is not supported: need EM_386 (3)'],
    ['ELF version 2', () => mutated((b) => put32(b, 20, 2)), 'unsupported ELF version 2: need 1'],
    [
      'a short header size',
      () => mutated((b) => put16(b, 40, 40)),
      'ELF header size 40 is too small: need 52',
    ],
    ['no program headers', () => mutated((b) => put16(b, 44, 0)), 'no program headers'],
    [
      '0xffff program headers',
      () => mutated((b) => put16(b, 44, 0xffff)),
      /65535 program headers: at most 64/,
    ],
    [
      'a wrong program header size',
      () => mutated((b) => put16(b, 42, 56)),
      'program header size 56 is wrong: need 32',
    ],
    [
      'a program header offset past the end',
      () => mutated((b) => put32(b, 28, 0xffff_fff0)),
      /^program headers \(offset 0xfffffff0, \d+ of 32 bytes\) extend past the end of the file/,
    ],
    [
      'a program header table cut off',
      () => guest('counter').subarray(0, 100),
      /program headers .* extend past the end of the file \(100 bytes\)/,
    ],
    ['a truncated file', () => truncatedInData('kvshell'), 'segment 1 extends past the end of the file'],
    [
      'a segment offset past the end',
      () => mutated((b) => put32(b, phdrsOf(b, 1)[1] + 4, 0x10_0000)),
      'segment 1 extends past the end of the file',
    ],
    [
      'file size above memory size',
      () => mutated((b) => put32(b, phdrsOf(b, 1)[1] + 20, 4)),
      /^segment 1: file size 0x[0-9a-f]+ is larger than its memory size 0x4$/,
    ],
    [
      'a segment wrapping around 4 GiB',
      () => mutated((b) => put32(b, phdrsOf(b, 1)[1] + 8, 0xffff_ff00)),
      /segment 1 \(0xffffff00, 0x[0-9a-f]+ bytes\) wraps around the 4 GiB address space/,
    ],
    [
      'segments out of order',
      () => mutated((b) => put32(b, phdrsOf(b, 1)[1] + 8, 0x100)),
      /^segment 1 at 0x100 overlaps or precedes the segment before it/,
    ],
    [
      'no loadable segment',
      () =>
        mutated((b) => {
          for (const at of phdrsOf(b, 1)) put32(b, at, 4);
        }),
      'no loadable segment (PT_LOAD)',
    ],
    [
      'a PT_INTERP',
      () => mutated((b) => put32(b, phdrsOf(b, 0x6474e551)[0], 3)),
      'needs a dynamic linker (PT_INTERP): only static images load',
    ],
    [
      'a PT_TLS',
      () => mutated((b) => put32(b, phdrsOf(b, 0x6474e551)[0], 7)),
      'uses thread-local storage (PT_TLS), which is not supported',
    ],
    [
      'a PT_SHLIB',
      () => mutated((b) => put32(b, phdrsOf(b, 0x6474e551)[0], 5)),
      /has the reserved type PT_SHLIB/,
    ],
    [
      'two PT_DYNAMIC',
      () => mutated((b) => b.copyWithin(phdrsOf(b, 0x6474e551)[0], phdrsOf(b, 2)[0], phdrsOf(b, 2)[0] + 32)),
      'more than one PT_DYNAMIC program header',
    ],
    [
      'a dynamic section past the end',
      () => mutated((b) => put32(b, phdrsOf(b, 2)[0] + 4, b.length - 8)),
      /the dynamic section \(program header \d\) extends past the end of the file/,
    ],
    [
      'an entry outside the code',
      () => mutated((b) => put32(b, 24, 0x10_0000)),
      'entry point 0x100000 is not inside an executable segment',
    ],
    [
      'an entry in the data segment',
      () => mutated((b) => put32(b, 24, u32(b, phdrsOf(b, 1)[1] + 8))),
      /^entry point 0x[0-9a-f]+ is not inside an executable segment$/,
    ],
    [
      'more than the maximum span',
      () => mutated((b) => put32(b, phdrsOf(b, 1)[1] + 20, DEFAULT_MAX_SPAN)),
      /from its load base, more than the maximum 2097152$/,
    ],
    [
      'a DT_NEEDED',
      () => mutated((b) => put32(b, dynamicEntry(b, 0x15), 1)),
      'needs shared libraries (DT_NEEDED): only static images load',
    ],
    [
      'DT_RELA',
      () => mutated((b) => put32(b, dynamicEntry(b, 17), 7)),
      'has DT_RELA relocations: only R_386_RELATIVE in DT_REL is supported',
    ],
    [
      'DT_JMPREL',
      () => mutated((b) => put32(b, dynamicEntry(b, 0x15), 23)),
      /has PLT relocations \(DT_JMPREL\)/,
    ],
    ['DT_INIT', () => mutated((b) => put32(b, dynamicEntry(b, 0x15), 12)), /has initialisers \(DT_INIT/],
    [
      'DF_STATIC_TLS',
      () =>
        mutated((b) => {
          const at = dynamicEntry(b, 0x15);
          put32(b, at, 30);
          put32(b, at + 4, 0x10);
        }),
      'uses thread-local storage (DF_STATIC_TLS), which is not supported',
    ],
    [
      'no DT_NULL',
      () => mutated((b) => put32(b, phdrsOf(b, 2)[0] + 16, 8)),
      'the dynamic section has no DT_NULL terminator',
    ],
    [
      'DT_RELSZ without DT_REL',
      () => mutated((b) => put32(b, dynamicEntry(b, 17), 0x15)),
      'DT_RELSZ without DT_REL',
    ],
    ['DT_RELENT 12', () => mutated((b) => put32(b, dynamicEntry(b, 19) + 4, 12)), 'DT_RELENT is 12: need 8'],
    [
      'DT_RELSZ not a multiple of 8',
      () => mutated((b) => put32(b, dynamicEntry(b, 18) + 4, u32(b, dynamicEntry(b, 18) + 4) - 4)),
      /^DT_RELSZ \d+ is not a multiple of 8$/,
    ],
    [
      'a relocation table outside the file',
      () => mutated((b) => put32(b, dynamicEntry(b, 17) + 4, 0x10_0000)),
      /^the relocation table at 0x100000 \(\d+ bytes\) is not inside the file part of a loaded segment$/,
    ],
    [
      'a relocation table running into the bss',
      () => mutated((b) => put32(b, dynamicEntry(b, 18) + 4, 0x10_0000)),
      /is not inside the file part of a loaded segment$/,
    ],
    [
      'an R_386_32 relocation',
      () => mutated((b) => put32(b, firstRelocation(b) + 4, 1)),
      /^relocation 0 at 0x[0-9a-f]+ has type 1 \(R_386_32\): only R_386_RELATIVE \(8\) is supported$/,
    ],
    [
      'an R_386_JMP_SLOT relocation',
      () => mutated((b) => put32(b, firstRelocation(b) + 8 + 4, 7)),
      /^relocation 1 at 0x[0-9a-f]+ has type 7 \(R_386_JMP_SLOT\)/,
    ],
    [
      'an unknown relocation type',
      () => mutated((b) => put32(b, firstRelocation(b) + 4, 0xfe)),
      /has type 254: only R_386_RELATIVE/,
    ],
    [
      'R_386_RELATIVE with a symbol',
      () => mutated((b) => put32(b, firstRelocation(b) + 4, 0x108)),
      /R_386_RELATIVE names symbol 1$/,
    ],
    [
      'a relocation outside the image',
      () => mutated((b) => put32(b, firstRelocation(b), 0x10_0000)),
      'relocation 0 at 0x100000 is outside the loaded segments',
    ],
    [
      'a relocation straddling the end of a segment',
      () =>
        mutated((b) => {
          const data = phdrsOf(b, 1)[1];
          put32(b, firstRelocation(b), u32(b, data + 8) + u32(b, data + 20) - 2);
        }),
      /^relocation 0 at 0x[0-9a-f]+ is outside the loaded segments$/,
    ],
  ];
  for (const [what, image, message] of cases) {
    it(what, () => expectElfError(image(), message));
  }

  it('hand-made: DT_RELA, RELASZ and a bad load base', () => {
    expectElfError(makeDyn([[8, 0]]), /has DT_RELA relocations/);
    expectElfError(makeDyn([[33, 4]]), /has initialisers/);
    expectElfError(makeDyn([[2, 8]]), /has PLT relocations/);
    const elf = parseGuestElf(guest('counter'));
    expect(() => placeGuestElf(elf, 0x8000_0010)).toThrow(
      new ElfError('load base 2147483664 is not a page-aligned address'),
    );
    expect(() => placeGuestElf(elf, 0xffff_f000)).toThrow(/does not fit below 4 GiB at load base 0xfffff000/);
  });

  it('a subarray view of a larger buffer parses like a copy', () => {
    const image = guest('stress');
    const big = new Uint8Array(image.length + 100).fill(0xcc);
    big.set(image, 37);
    expect(parseGuestElf(big.subarray(37, 37 + image.length))).toEqual(parseGuestElf(image));
  });
});

describe('fuzz: corrupted guest images parse or throw ElfError, nothing else', () => {
  /** mulberry32: a small deterministic generator. */
  function random(seed: number): () => number {
    return () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  function check(image: Uint8Array): 'parsed' | 'refused' {
    let elf: GuestElf;
    try {
      elf = parseGuestElf(image);
    } catch (e) {
      if (!(e instanceof ElfError)) throw new Error(`not an ElfError: ${String(e)}`);
      return 'refused';
    }
    // whatever parses can be placed and flattened at a slot base without a host exception
    try {
      flattenGuestElf(elf, slotBase(3));
    } catch (e) {
      if (!(e instanceof ElfError)) throw new Error(`flatten: not an ElfError: ${String(e)}`);
    }
    return 'parsed';
  }

  for (const name of ['hostile', 'kvshell']) {
    it(`${name}.elf: 3000 images with 1–8 bytes changed (mostly in the headers and tables) and truncations`, () => {
      const original = guest(name);
      const next = random(0x5eed + name.length);
      // the interesting bytes: ELF and program headers, the relocation table, the dynamic section
      const headers = 52 + 32 * u16(original, 44);
      const rel = firstRelocation(original);
      const dyn = u32(original, phdrsOf(original, 2)[0] + 4);
      const counts = { parsed: 0, refused: 0 };
      for (let round = 0; round < 3000; round++) {
        let image = original.slice();
        const flips = 1 + Math.floor(next() * 8);
        for (let f = 0; f < flips; f++) {
          const where = next();
          const region =
            where < 0.4
              ? headers * next()
              : where < 0.6
                ? rel + 80 * next()
                : where < 0.8
                  ? dyn + 128 * next()
                  : image.length * next();
          const at = Math.min(Math.floor(region), image.length - 1);
          image[at] = next() < 0.5 ? image[at] ^ (1 << Math.floor(next() * 8)) : next() * 256;
        }
        if (next() < 0.25) image = image.subarray(0, Math.floor(next() * image.length));
        counts[check(image)]++;
      }
      // both outcomes happen: the fuzz reaches past the first checks
      expect(counts.parsed).toBeGreaterThan(100);
      expect(counts.refused).toBeGreaterThan(100);
    });
  }

  it('every truncation of counter.elf is refused or parses', () => {
    const original = guest('counter');
    for (let length = 0; length <= original.length; length++) check(original.subarray(0, length));
  });
});
