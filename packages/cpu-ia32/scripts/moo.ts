// Reader for the SingleStepTests binary "MOO" files (the upstream 80286 suite ships *.MOO.gz;
// the shared subset is JSON). A MOO file is a header chunk followed by TEST chunks; each chunk
// is a 4-byte ASCII tag and a little-endian u32 length. Only what the runner compares is read:
// name, instruction bytes, the initial and final registers and RAM, the exception record.
import type { SstTest } from './sst-lib.js';

/** The register order of a REGS chunk's presence bitmask (bit i = REG_ORDER[i]). */
const REG_ORDER = ['ax', 'bx', 'cx', 'dx', 'cs', 'ss', 'ds', 'es', 'sp', 'bp', 'si', 'di', 'ip', 'flags'];

export class MooFormatError extends Error {
  constructor(message: string) {
    super(`MOO: ${message}`);
    this.name = 'MooFormatError';
  }
}

type CpuState = SstTest['initial'];

export function parseMoo(data: Uint8Array): SstTest[] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const tag = (at: number) => String.fromCharCode(data[at], data[at + 1], data[at + 2], data[at + 3]);
  if (data.length < 8 || tag(0) !== 'MOO ') throw new MooFormatError('not a MOO file (no "MOO " tag)');
  const u32 = (at: number) => view.getUint32(at, true);
  const u16 = (at: number) => view.getUint16(at, true);

  // Walk the sub-chunks of [start, end), calling visit(tag, bodyStart, bodyLength).
  const chunks = (start: number, end: number, visit: (t: string, at: number, len: number) => void) => {
    let at = start;
    while (at < end) {
      if (at + 8 > end) throw new MooFormatError(`truncated chunk header at ${at}`);
      const len = u32(at + 4);
      if (at + 8 + len > end) throw new MooFormatError(`chunk ${tag(at)} at ${at} runs past its parent`);
      visit(tag(at), at + 8, len);
      at += 8 + len;
    }
  };

  const readState = (start: number, len: number): CpuState => {
    const state: CpuState = { regs: {}, ram: [] };
    chunks(start, start + len, (t, at) => {
      if (t === 'REGS') {
        const present = u16(at);
        let p = at + 2;
        REG_ORDER.forEach((name, i) => {
          if (present & (1 << i)) {
            state.regs[name] = u16(p);
            p += 2;
          }
        });
      } else if (t === 'RAM ') {
        const count = u32(at);
        for (let i = 0, p = at + 4; i < count; i++, p += 5) state.ram.push([u32(p), data[p + 4]]);
      }
    });
    return state;
  };

  const tests: SstTest[] = [];
  const headerLength = u32(4);
  chunks(8 + headerLength, data.length, (t, at, len) => {
    if (t !== 'TEST') return;
    const test: SstTest = {
      idx: u32(at),
      name: '',
      bytes: [],
      initial: { regs: {}, ram: [] },
      final: { regs: {}, ram: [] },
    };
    chunks(at + 4, at + len, (sub, p, sublen) => {
      if (sub === 'NAME') test.name = new TextDecoder().decode(data.subarray(p + 4, p + 4 + u32(p)));
      else if (sub === 'BYTS') test.bytes = Array.from(data.subarray(p + 4, p + 4 + u32(p)));
      else if (sub === 'INIT') test.initial = readState(p, sublen);
      else if (sub === 'FINA') test.final = readState(p, sublen);
      else if (sub === 'EXCP') test.exception = { number: data[p], flag_address: u32(p + 1) };
    });
    tests.push(test);
  });
  return tests;
}
