// Branches and jumps. Every one has a delay slot: the handler sets `nextPc` (taken) and `delayNext`.
// Branch-likely instructions that are not taken nullify the slot by stepping over it.
import type { MipsCpu } from '../cpu.js';
import { rd, rs, rt, simm } from './fields.js';

function taken(c: MipsCpu, i: number): void {
  c.nextPc = (c.cur + 4 + (simm(i) << 2)) >>> 0;
  c.delayNext = true;
}
function notTaken(c: MipsCpu): void {
  c.delayNext = true;
}
function nullify(c: MipsCpu): void {
  c.pc = c.nextPc;
  c.nextPc = (c.nextPc + 4) >>> 0;
}
const link = (c: MipsCpu): number => (c.cur + 8) | 0;

export function beq(c: MipsCpu, i: number): void {
  if (c.r[rs(i)] === c.r[rt(i)]) taken(c, i);
  else notTaken(c);
}
export function bne(c: MipsCpu, i: number): void {
  if (c.r[rs(i)] !== c.r[rt(i)]) taken(c, i);
  else notTaken(c);
}
export function blez(c: MipsCpu, i: number): void {
  if (c.r[rs(i)] <= 0) taken(c, i);
  else notTaken(c);
}
export function bgtz(c: MipsCpu, i: number): void {
  if (c.r[rs(i)] > 0) taken(c, i);
  else notTaken(c);
}
export function bltz(c: MipsCpu, i: number): void {
  if (c.r[rs(i)] < 0) taken(c, i);
  else notTaken(c);
}
export function bgez(c: MipsCpu, i: number): void {
  if (c.r[rs(i)] >= 0) taken(c, i);
  else notTaken(c);
}
export function bltzal(c: MipsCpu, i: number): void {
  const v = c.r[rs(i)];
  c.r[31] = link(c);
  if (v < 0) taken(c, i);
  else notTaken(c);
}
export function bgezal(c: MipsCpu, i: number): void {
  const v = c.r[rs(i)];
  c.r[31] = link(c);
  if (v >= 0) taken(c, i);
  else notTaken(c);
}

export function beql(c: MipsCpu, i: number): void {
  if (c.r[rs(i)] === c.r[rt(i)]) taken(c, i);
  else nullify(c);
}
export function bnel(c: MipsCpu, i: number): void {
  if (c.r[rs(i)] !== c.r[rt(i)]) taken(c, i);
  else nullify(c);
}
export function blezl(c: MipsCpu, i: number): void {
  if (c.r[rs(i)] <= 0) taken(c, i);
  else nullify(c);
}
export function bgtzl(c: MipsCpu, i: number): void {
  if (c.r[rs(i)] > 0) taken(c, i);
  else nullify(c);
}
export function bltzl(c: MipsCpu, i: number): void {
  if (c.r[rs(i)] < 0) taken(c, i);
  else nullify(c);
}
export function bgezl(c: MipsCpu, i: number): void {
  if (c.r[rs(i)] >= 0) taken(c, i);
  else nullify(c);
}
export function bltzall(c: MipsCpu, i: number): void {
  const v = c.r[rs(i)];
  c.r[31] = link(c);
  if (v < 0) taken(c, i);
  else nullify(c);
}
export function bgezall(c: MipsCpu, i: number): void {
  const v = c.r[rs(i)];
  c.r[31] = link(c);
  if (v >= 0) taken(c, i);
  else nullify(c);
}

export function j(c: MipsCpu, i: number): void {
  c.nextPc = (((c.cur + 4) & 0xf000_0000) | ((i & 0x03ff_ffff) << 2)) >>> 0;
  c.delayNext = true;
}
export function jal(c: MipsCpu, i: number): void {
  c.r[31] = link(c);
  j(c, i);
}
/** JR and JR.HB (hint bit 10: the hazard barrier is implicit in an interpreter). */
export function jr(c: MipsCpu, i: number): void {
  c.nextPc = c.r[rs(i)] >>> 0;
  c.delayNext = true;
}
/** JALR and JALR.HB: the target is read before rd is written. */
export function jalr(c: MipsCpu, i: number): void {
  const target = c.r[rs(i)] >>> 0;
  c.r[rd(i)] = link(c);
  c.nextPc = target;
  c.delayNext = true;
}
