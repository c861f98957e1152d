// Integer arithmetic, logic, shifts, multiply/divide and the release-2 bit-field instructions.
import { EXC } from '../cp0.js';
import type { MipsCpu } from '../cpu.js';
import { rd, rs, rt, sa, simm, uimm } from './fields.js';

// ---- three-register ALU ----
export function add(c: MipsCpu, i: number): void {
  const a = c.r[rs(i)];
  const b = c.r[rt(i)];
  const s = (a + b) | 0;
  if (((a ^ s) & (b ^ s)) < 0) c.exception(EXC.Ov);
  c.r[rd(i)] = s;
}
export function addu(c: MipsCpu, i: number): void {
  c.r[rd(i)] = c.r[rs(i)] + c.r[rt(i)];
}
export function sub(c: MipsCpu, i: number): void {
  const a = c.r[rs(i)];
  const b = c.r[rt(i)];
  const s = (a - b) | 0;
  if (((a ^ b) & (a ^ s)) < 0) c.exception(EXC.Ov);
  c.r[rd(i)] = s;
}
export function subu(c: MipsCpu, i: number): void {
  c.r[rd(i)] = c.r[rs(i)] - c.r[rt(i)];
}
export function and(c: MipsCpu, i: number): void {
  c.r[rd(i)] = c.r[rs(i)] & c.r[rt(i)];
}
export function or(c: MipsCpu, i: number): void {
  c.r[rd(i)] = c.r[rs(i)] | c.r[rt(i)];
}
export function xor(c: MipsCpu, i: number): void {
  c.r[rd(i)] = c.r[rs(i)] ^ c.r[rt(i)];
}
export function nor(c: MipsCpu, i: number): void {
  c.r[rd(i)] = ~(c.r[rs(i)] | c.r[rt(i)]);
}
export function slt(c: MipsCpu, i: number): void {
  c.r[rd(i)] = c.r[rs(i)] < c.r[rt(i)] ? 1 : 0;
}
export function sltu(c: MipsCpu, i: number): void {
  c.r[rd(i)] = c.r[rs(i)] >>> 0 < c.r[rt(i)] >>> 0 ? 1 : 0;
}
export function movz(c: MipsCpu, i: number): void {
  if (c.r[rt(i)] === 0) c.r[rd(i)] = c.r[rs(i)];
}
export function movn(c: MipsCpu, i: number): void {
  if (c.r[rt(i)] !== 0) c.r[rd(i)] = c.r[rs(i)];
}

// ---- immediates ----
export function addi(c: MipsCpu, i: number): void {
  const a = c.r[rs(i)];
  const b = simm(i);
  const s = (a + b) | 0;
  if (((a ^ s) & (b ^ s)) < 0) c.exception(EXC.Ov);
  c.r[rt(i)] = s;
}
export function addiu(c: MipsCpu, i: number): void {
  c.r[rt(i)] = c.r[rs(i)] + simm(i);
}
export function slti(c: MipsCpu, i: number): void {
  c.r[rt(i)] = c.r[rs(i)] < simm(i) ? 1 : 0;
}
export function sltiu(c: MipsCpu, i: number): void {
  c.r[rt(i)] = c.r[rs(i)] >>> 0 < simm(i) >>> 0 ? 1 : 0;
}
export function andi(c: MipsCpu, i: number): void {
  c.r[rt(i)] = c.r[rs(i)] & uimm(i);
}
export function ori(c: MipsCpu, i: number): void {
  c.r[rt(i)] = c.r[rs(i)] | uimm(i);
}
export function xori(c: MipsCpu, i: number): void {
  c.r[rt(i)] = c.r[rs(i)] ^ uimm(i);
}
export function lui(c: MipsCpu, i: number): void {
  c.r[rt(i)] = i << 16;
}

// ---- shifts (SRL/SRLV with bit 21 / bit 6 set are ROTR/ROTRV) ----
export function sll(c: MipsCpu, i: number): void {
  c.r[rd(i)] = c.r[rt(i)] << sa(i);
}
export function srl(c: MipsCpu, i: number): void {
  const x = c.r[rt(i)];
  const n = sa(i);
  c.r[rd(i)] = (i & (1 << 21)) !== 0 ? (x >>> n) | (x << (32 - n)) : x >>> n;
}
export function sra(c: MipsCpu, i: number): void {
  c.r[rd(i)] = c.r[rt(i)] >> sa(i);
}
export function sllv(c: MipsCpu, i: number): void {
  c.r[rd(i)] = c.r[rt(i)] << (c.r[rs(i)] & 31);
}
export function srlv(c: MipsCpu, i: number): void {
  const x = c.r[rt(i)];
  const n = c.r[rs(i)] & 31;
  c.r[rd(i)] = (i & (1 << 6)) !== 0 ? (x >>> n) | (x << (32 - n)) : x >>> n;
}
export function srav(c: MipsCpu, i: number): void {
  c.r[rd(i)] = c.r[rt(i)] >> (c.r[rs(i)] & 31);
}

// ---- HI/LO ----
export function mfhi(c: MipsCpu, i: number): void {
  c.r[rd(i)] = c.hi;
}
export function mflo(c: MipsCpu, i: number): void {
  c.r[rd(i)] = c.lo;
}
export function mthi(c: MipsCpu, i: number): void {
  c.hi = c.r[rs(i)];
}
export function mtlo(c: MipsCpu, i: number): void {
  c.lo = c.r[rs(i)];
}

/** 64-bit product of a and b (signed or unsigned 32-bit) into product[0] = high, product[1] = low. */
const product = new Int32Array(2);
function multiply(a: number, b: number, signed: boolean): void {
  const au = a >>> 0;
  const bu = b >>> 0;
  const a0 = au & 0xffff;
  const a1 = au >>> 16;
  const b0 = bu & 0xffff;
  const b1 = bu >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  let high = a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
  if (signed) {
    if (a < 0) high -= bu;
    if (b < 0) high -= au;
  }
  product[0] = high;
  product[1] = (mid << 16) | (p00 & 0xffff);
}

export function mult(c: MipsCpu, i: number): void {
  multiply(c.r[rs(i)], c.r[rt(i)], true);
  c.hi = product[0];
  c.lo = product[1];
}
export function multu(c: MipsCpu, i: number): void {
  multiply(c.r[rs(i)], c.r[rt(i)], false);
  c.hi = product[0];
  c.lo = product[1];
}
/** MUL (SPECIAL2): low word to rd; HI/LO are left as they were (QEMU does the same). */
export function mul(c: MipsCpu, i: number): void {
  c.r[rd(i)] = Math.imul(c.r[rs(i)], c.r[rt(i)]);
}
function accumulate(c: MipsCpu, i: number, signed: boolean, subtract: boolean): void {
  multiply(c.r[rs(i)], c.r[rt(i)], signed);
  const lo = subtract ? (c.lo >>> 0) - (product[1] >>> 0) : (c.lo >>> 0) + (product[1] >>> 0);
  const carry = subtract ? (lo < 0 ? -1 : 0) : lo > 0xffff_ffff ? 1 : 0;
  c.hi = ((subtract ? c.hi - product[0] : c.hi + product[0]) + carry) | 0;
  c.lo = lo | 0;
}
export function madd(c: MipsCpu, i: number): void {
  accumulate(c, i, true, false);
}
export function maddu(c: MipsCpu, i: number): void {
  accumulate(c, i, false, false);
}
export function msub(c: MipsCpu, i: number): void {
  accumulate(c, i, true, true);
}
export function msubu(c: MipsCpu, i: number): void {
  accumulate(c, i, false, true);
}

/**
 * DIV/DIVU. Division by zero (and INT_MIN / -1 for DIV) is UNPREDICTABLE in the architecture and never
 * traps; like QEMU we divide by 1 instead: LO = the dividend, HI = 0.
 */
export function div(c: MipsCpu, i: number): void {
  const a = c.r[rs(i)];
  let b = c.r[rt(i)];
  if (b === 0 || (a === -0x8000_0000 && b === -1)) b = 1;
  c.lo = (a / b) | 0;
  c.hi = (a % b) | 0;
}
export function divu(c: MipsCpu, i: number): void {
  const a = c.r[rs(i)] >>> 0;
  let b = c.r[rt(i)] >>> 0;
  if (b === 0) b = 1;
  c.lo = Math.floor(a / b) | 0;
  c.hi = (a % b) | 0;
}

// ---- bit operations ----
export function clz(c: MipsCpu, i: number): void {
  c.r[rd(i)] = Math.clz32(c.r[rs(i)]);
}
export function clo(c: MipsCpu, i: number): void {
  c.r[rd(i)] = Math.clz32(~c.r[rs(i)]);
}
/** EXT rt, rs, pos, size: pos = sa, size - 1 = rd (msbd). */
export function ext(c: MipsCpu, i: number): void {
  const size = rd(i) + 1;
  const x = c.r[rs(i)] >>> sa(i);
  c.r[rt(i)] = size === 32 ? x : x & ((1 << size) - 1);
}
/** INS rt, rs, pos, size: lsb = sa, msb = rd. */
export function ins(c: MipsCpu, i: number): void {
  const lsb = sa(i);
  const size = rd(i) - lsb + 1;
  if (size <= 0) return; // UNPREDICTABLE: leave rt
  const mask = (size === 32 ? -1 : (1 << size) - 1) << lsb;
  c.r[rt(i)] = (c.r[rt(i)] & ~mask) | ((c.r[rs(i)] << lsb) & mask);
}
export function wsbh(c: MipsCpu, i: number): void {
  const x = c.r[rt(i)];
  c.r[rd(i)] = ((x & 0x00ff_00ff) << 8) | ((x >>> 8) & 0x00ff_00ff);
}
export function seb(c: MipsCpu, i: number): void {
  c.r[rd(i)] = (c.r[rt(i)] << 24) >> 24;
}
export function seh(c: MipsCpu, i: number): void {
  c.r[rd(i)] = (c.r[rt(i)] << 16) >> 16;
}
