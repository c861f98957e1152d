// Where did a #GP out of v86 mode try to go? In virtual-8086 mode every segment has a 64 KiB
// limit, so an address-size-prefixed access beyond it (`mov eax, [dword 200000h]`) faults with
// #GP(0) before paging sees it. This decoder finds the memory operand of the faulting
// instruction so the monitor can report the address instead of a bare #GP.
import type { V86State } from './emulate.js';

/** One-byte opcodes followed by a ModRM byte. */
const MODRM1 = new Uint8Array(256);
for (let op = 0; op < 0x40; op++) if ((op & 7) < 4 && op !== 0x0f) MODRM1[op] = 1;
for (const op of [0x62, 0x63, 0x69, 0x6b, 0xc0, 0xc1, 0xc4, 0xc5, 0xc6, 0xc7, 0xf6, 0xf7, 0xfe, 0xff])
  MODRM1[op] = 1;
for (let op = 0x80; op <= 0x8f; op++) MODRM1[op] = 1;
for (let op = 0xd0; op <= 0xdf; op++) if (op < 0xd4 || op >= 0xd8) MODRM1[op] = 1;
/** Two-byte (0F xx) opcodes with a memory-capable ModRM. */
const MODRM2 = new Uint8Array(256);
for (const op of [0x00, 0x01, 0x02, 0x03, 0xa3, 0xa4, 0xa5, 0xab, 0xac, 0xad, 0xaf, 0xc0, 0xc1, 0xc7])
  MODRM2[op] = 1;
for (let op = 0x90; op <= 0x9f; op++) MODRM2[op] = 1;
for (let op = 0xb0; op <= 0xbf; op++) if (op !== 0xb8 && op !== 0xb9) MODRM2[op] = 1;

export interface MemoryOperand {
  /** Segment register index (ES CS SS DS FS GS) and its real-mode value. */
  segment: number;
  offset: number;
  linear: number;
}

const ESP = 4;
const EBP = 5;

/**
 * Decode the instruction at CS:IP and return the memory operand whose offset lies at the
 * segment's end (where a multi-byte access crosses the 64 KiB limit), or undefined.
 */
export function operandBeyondLimit(s: V86State, read8: (lin: number) => number): MemoryOperand | undefined {
  let ip = s.eip & 0xffff;
  const fetch = (): number => {
    const b = read8(((s.cs << 4) + ip) >>> 0);
    ip = (ip + 1) & 0xffff;
    return b;
  };
  const fetch16 = () => fetch() | (fetch() << 8);
  const fetch32 = () => (fetch16() | (fetch16() << 16)) >>> 0;
  const reg = (r: number): number => (r === ESP ? s.esp : s.regs[r]) >>> 0;
  let addr32 = false;
  let seg = -1;
  let op = fetch();
  for (let n = 0; n < 15; n++) {
    if (op === 0x67) addr32 = true;
    else if (op === 0x26 || op === 0x2e || op === 0x36 || op === 0x3e) seg = (op >> 3) & 3;
    else if (op === 0x64 || op === 0x65) seg = op - 0x60;
    else if (op !== 0x66 && op !== 0xf0 && op !== 0xf2 && op !== 0xf3) break;
    op = fetch();
  }
  const candidates: Array<[number, number]> = [];
  const mask = addr32 ? 0xffffffff : 0xffff;
  if (op >= 0xa0 && op <= 0xa3) {
    candidates.push([seg < 0 ? 3 : seg, addr32 ? fetch32() : fetch16()]);
  } else if ((op >= 0xa4 && op <= 0xa7) || (op >= 0xaa && op <= 0xaf)) {
    const usesSi = op <= 0xa7 || op === 0xac || op === 0xad;
    const usesDi = op <= 0xa7 || op === 0xaa || op === 0xab || op === 0xae || op === 0xaf;
    if (usesSi) candidates.push([seg < 0 ? 3 : seg, reg(6) & mask]);
    if (usesDi) candidates.push([0, reg(7) & mask]);
  } else {
    const two = op === 0x0f;
    if (two) op = fetch();
    if (!(two ? MODRM2[op] : MODRM1[op])) return undefined;
    const m = fetch();
    const mod = m >> 6;
    const rm = m & 7;
    if (mod === 3) return undefined;
    let off: number;
    let defSeg = 3;
    if (!addr32) {
      const bases = [
        reg(3) + reg(6),
        reg(3) + reg(7),
        reg(EBP) + reg(6),
        reg(EBP) + reg(7),
        reg(6),
        reg(7),
        reg(EBP),
        reg(3),
      ];
      if (rm === 6 && mod === 0) off = fetch16();
      else {
        off = bases[rm];
        if (rm === 2 || rm === 3 || rm === 6) defSeg = 2;
      }
      if (mod === 1) off += (fetch() << 24) >> 24;
      else if (mod === 2) off += fetch16();
      off &= 0xffff;
    } else {
      if (rm === 4) {
        const sib = fetch();
        const base = sib & 7;
        const index = (sib >> 3) & 7;
        off = index === 4 ? 0 : reg(index) << (sib >> 6);
        if (base === 5 && mod === 0) off += fetch32();
        else {
          off += reg(base);
          if (base === ESP || base === EBP) defSeg = 2;
        }
      } else if (rm === 5 && mod === 0) off = fetch32();
      else {
        off = reg(rm);
        if (rm === EBP) defSeg = 2;
      }
      if (mod === 1) off += (fetch() << 24) >> 24;
      else if (mod === 2) off += fetch32() | 0;
      off >>>= 0;
    }
    candidates.push([seg < 0 ? defSeg : seg, off]);
  }
  const values = [s.es, s.cs, s.ss, s.ds, s.fs, s.gs];
  for (const [segment, offset] of candidates) {
    // A byte at FFFFh is fine; anything wider than a dword at FFFCh or beyond cannot be.
    if (offset > 0xfffc) return { segment, offset, linear: ((values[segment] << 4) + offset) >>> 0 };
  }
  return undefined;
}
