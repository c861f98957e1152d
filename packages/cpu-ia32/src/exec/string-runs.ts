// REP MOVS, STOS, CMPS and SCAS in runs: the semantics of one iteration at a time (string.ts),
// with whole runs of iterations done at once (a fill, a copy, a scan of RAM) where every element
// of the run lies in one page of plain RAM reached by the fast path (segment limit, soft TLB or
// the flat write map). Anything else (a page crossing, MMIO, a code page, a TLB miss, a fault)
// runs one iteration through the CPU's accessors, so faults, device accesses and code
// invalidation behave exactly as one at a time. Registers are updated after each run, so a fault
// sees completed iterations. A REP instruction stops after CHUNK iterations and rewinds EIP
// (counted once per chunk), for the interpreter and compiled blocks alike.
import type { Cpu } from '../cpu.js';
import { DF, DS, EAX, ECX, EDI, ES, ESI } from '../state.js';
import { alu } from './arith.js';

export const CHUNK = 4096;

/**
 * Whether REP MOVS/STOS/CMPS/SCAS run in runs (not part of the package's API: tests turn it off
 * to compare the runs with one iteration at a time).
 */
export const stringRuns = { enabled: true };

/**
 * Physical address of a run of `bytes` bytes at seg:off for a write (or read), or -1 when the
 * run is not entirely in one page of plain RAM reached without a slow path.
 */
function fastPhys(c: Cpu, seg: number, off: number, bytes: number, write: boolean): number {
  if (off < c.segLo[seg] || off + bytes - 1 > (write ? c.segHiW[seg] : c.segHiR[seg])) return -1;
  const lin = (c.segBase[seg] + off) | 0;
  if ((lin & 0xfff) + bytes > 0x1000) return -1;
  if (!c.pagingOn) {
    const p = lin & c.a20Mask;
    return (write ? c.slowW : c.slow)[p >>> 12] === 0 ? p >>> 0 : -1;
  }
  const m = c.mmu;
  if (m === undefined) return -1;
  const user = c.cpl === 3;
  if (write) {
    const e = ~(user ? m.tlbUserWrite : m.tlbWrite)[lin >>> 12];
    const t = m.writeTag;
    return (e & 0xfff) === t ? ((e ^ t) | (lin & 0xfff)) >>> 0 : -1;
  }
  const e = ~(user ? m.tlbUserRead : m.tlbRead)[lin >>> 12];
  return (e & 0xfff) === 0 ? (e | (lin & 0xfff)) >>> 0 : -1;
}

/** Elements of `size` bytes from `off` (going up) that stay in the page and the address size. */
function fitting(c: Cpu, seg: number, off: number, size: number, a32: boolean): number {
  const lin = (c.segBase[seg] + off) | 0;
  const inPage = ((0x1000 - (lin & 0xfff)) / size) | 0;
  const inSpace = Math.floor(((a32 ? 0x100000000 : 0x10000) - off) / size);
  return Math.min(inPage, inSpace);
}

function setIndex(r: Int32Array, reg: number, a32: boolean, v: number): void {
  if (a32) r[reg] = v;
  else r[reg] = (r[reg] & ~0xffff) | (v & 0xffff);
}

function fill(c: Cpu, p: number, k: number, size: number, v: number): void {
  const ram = c.ram;
  if (size === 1) {
    ram.fill(v & 0xff, p, p + k);
    return;
  }
  for (let j = 0; j < k; j++) {
    const at = p + j * size;
    ram[at] = v;
    ram[at + 1] = v >> 8;
    if (size === 4) {
      ram[at + 2] = v >> 16;
      ram[at + 3] = v >> 24;
    }
  }
}

/** REP STOSB/W/D. */
export function repStos(c: Cpu): void {
  const size = (c.opByte & 1) === 0 ? 1 : c.opsize32 ? 4 : 2;
  const a32 = c.addr32;
  const r = c.regs;
  const up = (c.flags & DF) === 0;
  let n = 0;
  for (;;) {
    const count = a32 ? r[ECX] >>> 0 : r[ECX] & 0xffff;
    if (count === 0) return;
    if (n === CHUNK) {
      c.eip = c.startEip;
      return;
    }
    const di = a32 ? r[EDI] >>> 0 : r[EDI] & 0xffff;
    if (up) {
      const k = Math.min(count, CHUNK - n, fitting(c, ES, di, size, a32));
      const p = k > 0 ? fastPhys(c, ES, di, k * size, true) : -1;
      if (p >= 0) {
        fill(c, p, k, size, r[EAX]);
        setIndex(r, EDI, a32, di + k * size);
        setIndex(r, ECX, a32, count - k);
        n += k;
        continue;
      }
    }
    if (size === 1) c.writeMem8(ES, di, r[EAX]);
    else if (size === 2) c.writeMem16(ES, di, r[EAX]);
    else c.writeMem32(ES, di, r[EAX]);
    setIndex(r, EDI, a32, up ? di + size : di - size);
    setIndex(r, ECX, a32, count - 1);
    n++;
  }
}

/** REP MOVSB/W/D. */
export function repMovs(c: Cpu): void {
  const size = (c.opByte & 1) === 0 ? 1 : c.opsize32 ? 4 : 2;
  const a32 = c.addr32;
  const r = c.regs;
  const up = (c.flags & DF) === 0;
  const src = c.segOvr >= 0 ? c.segOvr : DS;
  const ram = c.ram;
  let n = 0;
  for (;;) {
    const count = a32 ? r[ECX] >>> 0 : r[ECX] & 0xffff;
    if (count === 0) return;
    if (n === CHUNK) {
      c.eip = c.startEip;
      return;
    }
    const si = a32 ? r[ESI] >>> 0 : r[ESI] & 0xffff;
    const di = a32 ? r[EDI] >>> 0 : r[EDI] & 0xffff;
    if (up) {
      const k = Math.min(count, CHUNK - n, fitting(c, src, si, size, a32), fitting(c, ES, di, size, a32));
      const bytes = k * size;
      const ps = k > 0 ? fastPhys(c, src, si, bytes, false) : -1;
      const pd = ps >= 0 ? fastPhys(c, ES, di, bytes, true) : -1;
      // Forward element copies equal a memmove unless the destination starts less than one
      // element after the source (then the overlap pattern differs: one at a time).
      if (pd >= 0 && (pd <= ps || pd >= ps + size || size === 1)) {
        if (pd > ps && pd < ps + bytes) for (let j = 0; j < bytes; j++) ram[pd + j] = ram[ps + j];
        else ram.copyWithin(pd, ps, ps + bytes);
        setIndex(r, ESI, a32, si + bytes);
        setIndex(r, EDI, a32, di + bytes);
        setIndex(r, ECX, a32, count - k);
        n += k;
        continue;
      }
    }
    if (size === 1) c.writeMem8(ES, di, c.readMem8(src, si));
    else if (size === 2) c.writeMem16(ES, di, c.readMem16(src, si));
    else c.writeMem32(ES, di, c.readMem32(src, si));
    const d = up ? size : -size;
    setIndex(r, ESI, a32, si + d);
    setIndex(r, EDI, a32, di + d);
    setIndex(r, ECX, a32, count - 1);
    n++;
  }
}

/** The little-endian element of `size` bytes at RAM offset p. */
function element(ram: Uint8Array, p: number, size: number): number {
  if (size === 1) return ram[p];
  if (size === 2) return ram[p] | (ram[p + 1] << 8);
  return (ram[p] | (ram[p + 1] << 8) | (ram[p + 2] << 16) | (ram[p + 3] << 24)) >>> 0;
}

/**
 * REPE/REPNE CMPS (`scas` false: [src:ESI] against ES:[EDI]) and SCAS (eAX against ES:[EDI]).
 * A run compares in RAM up to the element that ends the loop; the flags are those of the last
 * compare, as when every iteration sets them.
 */
export function repCompare(c: Cpu, scas: boolean): void {
  const size = (c.opByte & 1) === 0 ? 1 : c.opsize32 ? 4 : 2;
  const a32 = c.addr32;
  const r = c.regs;
  const up = (c.flags & DF) === 0;
  const src = c.segOvr >= 0 ? c.segOvr : DS;
  // REPE (F3) goes on while equal, REPNE (F2) while different.
  const whileEqual = c.rep === 2;
  const bits = size * 8;
  const mask = size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff;
  const ram = c.ram;
  let n = 0;
  for (;;) {
    const count = a32 ? r[ECX] >>> 0 : r[ECX] & 0xffff;
    if (count === 0) return;
    if (n === CHUNK) {
      c.eip = c.startEip;
      return;
    }
    const si = a32 ? r[ESI] >>> 0 : r[ESI] & 0xffff;
    const di = a32 ? r[EDI] >>> 0 : r[EDI] & 0xffff;
    let a = 0;
    let b = 0;
    let k = 0;
    if (up) {
      const most = Math.min(count, CHUNK - n, fitting(c, ES, di, size, a32));
      const fit = scas ? most : Math.min(most, fitting(c, src, si, size, a32));
      const pd = fit > 0 ? fastPhys(c, ES, di, fit * size, false) : -1;
      const ps = scas || pd < 0 ? 0 : fastPhys(c, src, si, fit * size, false);
      if (pd >= 0 && ps >= 0) {
        const value = (r[EAX] & mask) >>> 0;
        while (k < fit) {
          a = scas ? value : element(ram, ps + k * size, size);
          b = element(ram, pd + k * size, size);
          k++;
          if ((a === b) !== whileEqual) break;
        }
      }
    }
    const delta = up ? size : -size;
    if (k === 0) {
      // One iteration through the accessors (source before destination, as string.ts reads).
      a = scas ? (r[EAX] & mask) >>> 0 : read(c, src, si, size);
      b = read(c, ES, di, size);
      k = 1;
    }
    alu(c, 7, a, b, bits);
    if (!scas) setIndex(r, ESI, a32, si + k * delta);
    setIndex(r, EDI, a32, di + k * delta);
    setIndex(r, ECX, a32, count - k);
    n += k;
    if ((a === b) !== whileEqual) return;
  }
}

function read(c: Cpu, seg: number, off: number, size: number): number {
  return size === 1 ? c.readMem8(seg, off) : size === 2 ? c.readMem16(seg, off) : c.readMem32(seg, off);
}
