// Traps, SYSCALL/BREAK, coprocessor 0 (moves, TLB instructions, ERET, WAIT, EI/DI, shadow-register
// moves), RDHWR, and the Reserved Instruction / Coprocessor Unusable outcomes.
import { EXC, ST_IE } from '../cp0.js';
import type { MipsCpu } from '../cpu.js';
import { rd, rs, rt, simm } from './fields.js';

export function reserved(c: MipsCpu, _i: number): void {
  c.exception(EXC.RI);
}
/** COP1, COP1X, LWC1/SWC1/LDC1/SDC1, MOVF/MOVT: no FPU yet (Config1.FP = 0, CU1 reads zero). */
export function cop1Unusable(c: MipsCpu, _i: number): void {
  c.exception(EXC.CpU, 1);
}
export function cop2Unusable(c: MipsCpu, _i: number): void {
  c.exception(EXC.CpU, 2);
}

export function syscall(c: MipsCpu, _i: number): void {
  c.exception(EXC.Sys);
}
export function brk(c: MipsCpu, _i: number): void {
  c.exception(EXC.Bp);
}

// ---- traps ----
export function teq(c: MipsCpu, i: number): void {
  if (c.r[rs(i)] === c.r[rt(i)]) c.exception(EXC.Tr);
}
export function tne(c: MipsCpu, i: number): void {
  if (c.r[rs(i)] !== c.r[rt(i)]) c.exception(EXC.Tr);
}
export function tge(c: MipsCpu, i: number): void {
  if (c.r[rs(i)] >= c.r[rt(i)]) c.exception(EXC.Tr);
}
export function tgeu(c: MipsCpu, i: number): void {
  if (c.r[rs(i)] >>> 0 >= c.r[rt(i)] >>> 0) c.exception(EXC.Tr);
}
export function tlt(c: MipsCpu, i: number): void {
  if (c.r[rs(i)] < c.r[rt(i)]) c.exception(EXC.Tr);
}
export function tltu(c: MipsCpu, i: number): void {
  if (c.r[rs(i)] >>> 0 < c.r[rt(i)] >>> 0) c.exception(EXC.Tr);
}
export function teqi(c: MipsCpu, i: number): void {
  if (c.r[rs(i)] === simm(i)) c.exception(EXC.Tr);
}
export function tnei(c: MipsCpu, i: number): void {
  if (c.r[rs(i)] !== simm(i)) c.exception(EXC.Tr);
}
export function tgei(c: MipsCpu, i: number): void {
  if (c.r[rs(i)] >= simm(i)) c.exception(EXC.Tr);
}
export function tgeiu(c: MipsCpu, i: number): void {
  if (c.r[rs(i)] >>> 0 >= simm(i) >>> 0) c.exception(EXC.Tr);
}
export function tlti(c: MipsCpu, i: number): void {
  if (c.r[rs(i)] < simm(i)) c.exception(EXC.Tr);
}
export function tltiu(c: MipsCpu, i: number): void {
  if (c.r[rs(i)] >>> 0 < simm(i) >>> 0) c.exception(EXC.Tr);
}

// ---- coprocessor 0 ----
function privileged(c: MipsCpu): void {
  if (!c.cp0Usable()) c.exception(EXC.CpU, 0);
}
export function mfc0(c: MipsCpu, i: number): void {
  privileged(c);
  c.r[rt(i)] = c.readCp0(rd(i), i & 7);
}
export function mtc0(c: MipsCpu, i: number): void {
  privileged(c);
  c.writeCp0(rd(i), i & 7, c.r[rt(i)]);
}
/** MFMC0 with rd = 12: DI (bit 5 clear) or EI (bit 5 set); rt gets Status before the change. */
export function mfmc0(c: MipsCpu, i: number): void {
  privileged(c);
  if (rd(i) !== 12 || (i & 0x7df) !== 0) c.exception(EXC.RI);
  c.r[rt(i)] = c.status;
  c.status = (i & 0x20) !== 0 ? c.status | ST_IE : c.status & ~ST_IE;
  c.statusChanged();
}
/** RDPGPR/WRPGPR: with one shadow set (SRSCtl.HSS = 0) the previous set is the current one. */
export function rdpgpr(c: MipsCpu, i: number): void {
  privileged(c);
  c.r[rd(i)] = c.r[rt(i)];
}
export const wrpgpr = rdpgpr;

export function tlbr(c: MipsCpu, _i: number): void {
  privileged(c);
  c.tlb.tlbr();
  c.asidMayHaveChanged();
}
export function tlbwi(c: MipsCpu, _i: number): void {
  privileged(c);
  c.tlb.tlbwi();
  c.flushTranslations();
}
export function tlbwr(c: MipsCpu, _i: number): void {
  privileged(c);
  c.tlb.tlbwr();
  c.flushTranslations();
}
export function tlbp(c: MipsCpu, _i: number): void {
  privileged(c);
  c.tlb.tlbp();
}
export function eret(c: MipsCpu, _i: number): void {
  privileged(c);
  c.eret();
}
export function wait(c: MipsCpu, _i: number): void {
  privileged(c);
  c.enterWait();
}
/** DERET without EJTAG debug mode is a Reserved Instruction. */
export function deret(c: MipsCpu, _i: number): void {
  privileged(c);
  c.exception(EXC.RI);
}

/** RDHWR rt, rd: CPUNum, SYNCI_Step, CC, CCRes, UserLocal (Config3.ULRI) when enabled by HWREna. */
export function rdhwr(c: MipsCpu, i: number): void {
  const v = c.readHwr(rd(i));
  if (v === undefined) c.exception(EXC.RI);
  else c.r[rt(i)] = v;
}
