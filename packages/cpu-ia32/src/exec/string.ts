// String instructions MOVS CMPS STOS LODS SCAS INS OUTS, with REP/REPE/REPNE.
// A REP instruction runs in chunks: after CHUNK iterations it rewinds EIP so that
// interrupts and the run budget are honoured, exactly like a resumed iteration.
// REP MOVS/STOS/CMPS/SCAS run whole runs of iterations at once in RAM (string-runs.ts).
import type { Cpu } from '../cpu.js';
import { DF, DS, EAX, ECX, EDI, EDX, ES, ESI } from '../state.js';
import { alu } from './arith.js';
import { checkIoPermission } from './io.js';
import { CHUNK, repCompare, repMovs, repStos, stringRuns } from './string-runs.js';

const K_MOVS = 0;
const K_CMPS = 1;
const K_STOS = 2;
const K_LODS = 3;
const K_SCAS = 4;
const K_INS = 5;
const K_OUTS = 6;

function read(c: Cpu, seg: number, off: number, size: number): number {
  return size === 1 ? c.readMem8(seg, off) : size === 2 ? c.readMem16(seg, off) : c.readMem32(seg, off);
}
function write(c: Cpu, seg: number, off: number, size: number, v: number): void {
  if (size === 1) c.writeMem8(seg, off, v);
  else if (size === 2) c.writeMem16(seg, off, v);
  else c.writeMem32(seg, off, v);
}

/** One iteration of string operation `kind`; returns false when a REPE/REPNE compare ends the loop. */
function once(c: Cpu, kind: number, size: number, delta: number, a32: boolean, srcSeg: number): void {
  const r = c.regs;
  const si = a32 ? r[ESI] >>> 0 : r[ESI] & 0xffff;
  const di = a32 ? r[EDI] >>> 0 : r[EDI] & 0xffff;
  let adv = 0; // bit 0: SI advances, bit 1: DI advances
  switch (kind) {
    case K_MOVS:
      write(c, ES, di, size, read(c, srcSeg, si, size));
      adv = 3;
      break;
    case K_CMPS: {
      const a = read(c, srcSeg, si, size);
      const b = read(c, ES, di, size);
      alu(c, 7, a, b, size * 8);
      adv = 3;
      break;
    }
    case K_STOS:
      write(c, ES, di, size, r[EAX]);
      adv = 2;
      break;
    case K_LODS: {
      const v = read(c, srcSeg, si, size);
      if (size === 1) c.setReg8(0, v);
      else if (size === 2) c.setReg16(EAX, v);
      else r[EAX] = v;
      adv = 1;
      break;
    }
    case K_SCAS: {
      const b = read(c, ES, di, size);
      const m = size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff;
      alu(c, 7, (r[EAX] & m) >>> 0, b, size * 8);
      adv = 2;
      break;
    }
    case K_INS: {
      const port = r[EDX] & 0xffff;
      c.checkWrite(ES, di, size);
      c.jitEpoch++;
      write(c, ES, di, size, c.io.read(port, size as 1 | 2 | 4));
      adv = 2;
      break;
    }
    default: {
      const port = r[EDX] & 0xffff;
      c.jitEpoch++;
      c.io.write(port, size as 1 | 2 | 4, read(c, srcSeg, si, size));
      adv = 1;
      break;
    }
  }
  if (adv & 1) {
    if (a32) r[ESI] = r[ESI] + delta;
    else c.setReg16(ESI, r[ESI] + delta);
  }
  if (adv & 2) {
    if (a32) r[EDI] = r[EDI] + delta;
    else c.setReg16(EDI, r[EDI] + delta);
  }
}

/** The handler for one string opcode (even opcode = byte form). */
export const stringOp = (kind: number) =>
  function stringOp(c: Cpu): void {
    const size = (c.opByte & 1) === 0 ? 1 : c.opsize32 ? 4 : 2;
    const delta = c.flags & DF ? -size : size;
    const a32 = c.addr32;
    const srcSeg = c.segOvr >= 0 ? c.segOvr : DS;
    if (kind >= K_INS) checkIoPermission(c, c.regs[EDX] & 0xffff, size);
    if (c.rep === 0) {
      once(c, kind, size, delta, a32, srcSeg);
      return;
    }
    if (kind <= K_SCAS && kind !== K_LODS && stringRuns.enabled) {
      if (kind === K_MOVS) repMovs(c);
      else if (kind === K_STOS) repStos(c);
      else repCompare(c, kind === K_SCAS);
      return;
    }
    const r = c.regs;
    const compares = kind === K_CMPS || kind === K_SCAS;
    for (let n = 0; ; n++) {
      const count = a32 ? r[ECX] : r[ECX] & 0xffff;
      if (count === 0) return;
      if (n === CHUNK) {
        c.eip = c.startEip;
        return;
      }
      once(c, kind, size, delta, a32, srcSeg);
      if (a32) r[ECX] = count - 1;
      else c.setReg16(ECX, count - 1);
      if (compares && c.zf() !== (c.rep === 2)) return;
    }
  };

export const movs = stringOp(K_MOVS);
export const cmps = stringOp(K_CMPS);
export const stos = stringOp(K_STOS);
export const lods = stringOp(K_LODS);
export const scas = stringOp(K_SCAS);
export const ins = stringOp(K_INS);
export const outs = stringOp(K_OUTS);
