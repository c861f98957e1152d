// Static ELF64 IA-64 executables: the header checks and the PT_LOAD segments, nothing else.
import { Ia64ElfError } from '../signal.js';

export interface ElfSegment {
  vaddr: bigint;
  memsz: number;
  data: Uint8Array;
  flags: number;
}

export interface ElfImage {
  entry: bigint;
  segments: ElfSegment[];
  phdrAddr: bigint;
  phnum: number;
}

const EM_IA_64 = 50;
const PT_LOAD = 1;
const PT_INTERP = 3;
const PT_PHDR = 6;

export function parseElf(bytes: Uint8Array, name = 'program'): ElfImage {
  const fail = (why: string): never => {
    throw new Ia64ElfError(`${name}: ${why}`);
  };
  if (bytes.length < 64 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    fail('not an ELF file');
  }
  if (bytes[4] !== 2 || bytes[5] !== 1) fail('not a little-endian ELF64 file');
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (v.getUint16(18, true) !== EM_IA_64)
    fail(`not an IA-64 executable (e_machine ${v.getUint16(18, true)})`);
  if (v.getUint16(16, true) !== 2) fail('not a static executable (ET_EXEC)');
  const entry = v.getBigUint64(24, true);
  const phoff = Number(v.getBigUint64(32, true));
  const phentsize = v.getUint16(54, true);
  const phnum = v.getUint16(56, true);
  if (phentsize < 56 || phoff + phnum * phentsize > bytes.length)
    fail('program headers run past the end of the file');
  const segments: ElfSegment[] = [];
  let phdrAddr = 0n;
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    const type = v.getUint32(o, true);
    if (type === PT_INTERP) fail('dynamically linked (PT_INTERP): only static executables run');
    const offset = Number(v.getBigUint64(o + 8, true));
    const vaddr = v.getBigUint64(o + 16, true);
    const filesz = Number(v.getBigUint64(o + 32, true));
    const memsz = Number(v.getBigUint64(o + 40, true));
    if (type === PT_PHDR) phdrAddr = vaddr;
    if (type !== PT_LOAD) continue;
    if (offset + filesz > bytes.length || filesz > memsz) fail(`segment ${i} runs past the end of the file`);
    if (memsz > 1 << 30) fail(`segment ${i} is larger than 1 GiB`);
    if (offset <= phoff && phoff < offset + filesz && phdrAddr === 0n)
      phdrAddr = vaddr + BigInt(phoff - offset);
    segments.push({
      vaddr,
      memsz,
      data: bytes.subarray(offset, offset + filesz),
      flags: v.getUint32(o + 4, true),
    });
  }
  if (segments.length === 0) fail('no loadable segments');
  return { entry, segments, phdrAddr, phnum };
}
