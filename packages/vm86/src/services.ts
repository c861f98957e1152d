// Helpers for BIOS services that pass memory: int 15h E820 (the memory map) and int 10h
// AX=4F00h (VBE controller information). Both use a buffer from the monitor's low arena.
import { E820_TYPES, type MemoryMapEntry } from '@phantasm/physalloc';
import { Vm86ServiceError } from './errors.js';
import type { Vm86Monitor } from './monitor.js';

const SMAP = 0x534d4150;
const MAX_E820_ENTRIES = 128;

/** The firmware's memory map through int 15h AX=E820h, in the order the BIOS reports it. */
export function readE820(monitor: Vm86Monitor): MemoryMapEntry[] {
  const buffer = monitor.allocLowBuffer(24);
  try {
    const out: MemoryMapEntry[] = [];
    let continuation = 0;
    for (let i = 0; i < MAX_E820_ENTRIES; i++) {
      // ACPI 3.0 extended attributes: preset "valid" so a BIOS that returns 20 bytes still counts.
      const init = new Uint8Array(24);
      init[20] = 1;
      monitor.writeBuffer(buffer, init);
      const r = monitor.call(0x15, {
        eax: 0xe820,
        ebx: continuation,
        ecx: 24,
        edx: SMAP,
        es: buffer.segment,
        edi: buffer.offset,
      });
      if ((r.eflags & 1) !== 0 || r.eax !== SMAP) {
        if (i === 0)
          throw new Vm86ServiceError(`int 15h E820 is not supported (AX=0x${(r.eax & 0xffff).toString(16)})`);
        break; // some BIOSes end the list with CF set on the call after the last entry
      }
      const bytes = monitor.readBuffer(buffer);
      const v = new DataView(bytes.buffer);
      const base = v.getUint32(0, true) + v.getUint32(4, true) * 2 ** 32;
      const length = v.getUint32(8, true) + v.getUint32(12, true) * 2 ** 32;
      const type = v.getUint32(16, true);
      const valid = (r.ecx & 0xff) < 24 || (v.getUint32(20, true) & 1) !== 0;
      if (valid && length > 0) out.push({ base, length, type: E820_TYPES[type] ?? 'reserved' });
      continuation = r.ebx;
      if (continuation === 0) break;
    }
    return out;
  } finally {
    monitor.freeLowBuffer(buffer);
  }
}

export interface VbeInfo {
  /** BCD version, e.g. 0x0300 for VBE 3.0. */
  version: number;
  oem: string;
  /** Video memory in bytes. */
  totalMemory: number;
  modes: number[];
}

/** VBE controller information (int 10h AX=4F00h), or undefined when the BIOS has no VBE. */
export function readVbeInfo(monitor: Vm86Monitor): VbeInfo | undefined {
  const buffer = monitor.allocLowBuffer(512);
  try {
    const init = new Uint8Array(512);
    init.set([0x56, 0x42, 0x45, 0x32]); // "VBE2": ask for the VBE 2.0+ layout
    monitor.writeBuffer(buffer, init);
    const r = monitor.call(0x10, { eax: 0x4f00, es: buffer.segment, edi: buffer.offset });
    if ((r.eax & 0xffff) !== 0x004f) return undefined;
    const b = monitor.readBuffer(buffer);
    if (String.fromCharCode(b[0], b[1], b[2], b[3]) !== 'VESA') return undefined;
    const v = new DataView(b.buffer);
    const mem = monitor.memory;
    const far = (at: number) => (v.getUint16(at + 2, true) << 4) + v.getUint16(at, true);
    let oem = '';
    for (let p = far(6), n = 0; n < 256; n++, p++) {
      const c = mem.read8(p);
      if (c === 0) break;
      oem += String.fromCharCode(c);
    }
    const modes: number[] = [];
    for (let p = far(14), n = 0; n < 512; n++, p += 2) {
      const m = mem.read16(p);
      if (m === 0xffff) break;
      modes.push(m);
    }
    return { version: v.getUint16(4, true), oem, totalMemory: v.getUint16(18, true) * 0x10000, modes };
  } finally {
    monitor.freeLowBuffer(buffer);
  }
}
