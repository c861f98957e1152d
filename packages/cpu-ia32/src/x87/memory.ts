// Memory operands of the x87 instructions, through the CPU's segment and paging checks:
// 16/32/64-bit words and the 10-byte extended real. Reads complete before any FPU state
// changes; multi-part stores check the whole operand's segment limit first.
import type { Cpu } from '../cpu.js';
import { type F80, sig64 } from './float80.js';

export function read16(c: Cpu, delta = 0): number {
  return c.readMem16(c.eaSeg, c.eaPlus(delta));
}
export function read32(c: Cpu, delta = 0): number {
  return c.readMem32(c.eaSeg, c.eaPlus(delta));
}
export function read64(c: Cpu): bigint {
  const lo = read32(c);
  const hi = read32(c, 4);
  return sig64(hi, lo);
}
export function readF80(c: Cpu, delta = 0): F80 {
  const lo = read32(c, delta);
  const hi = read32(c, delta + 4);
  const se = read16(c, delta + 8);
  return { s: se >> 15, e: se & 0x7fff, m: sig64(hi, lo) };
}
export function readBytes(c: Cpu, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = c.readMem8(c.eaSeg, c.eaPlus(i));
  return out;
}

/** The segment-limit check for an n-byte store (so a multi-part store faults before writing). */
export function checkStore(c: Cpu, n: number): void {
  if (c.eaPlus(n - 1) >= c.eaOff) c.checkWrite(c.eaSeg, c.eaOff, n);
}
export function write16(c: Cpu, v: number, delta = 0): void {
  c.writeMem16(c.eaSeg, c.eaPlus(delta), v);
}
export function write32(c: Cpu, v: number, delta = 0): void {
  c.writeMem32(c.eaSeg, c.eaPlus(delta), v);
}
export function write64(c: Cpu, v: bigint): void {
  checkStore(c, 8);
  const u = BigInt.asUintN(64, v);
  write32(c, Number(u & 0xffffffffn));
  write32(c, Number(u >> 32n), 4);
}
export function writeF80(c: Cpu, x: F80, delta = 0): void {
  write32(c, Number(x.m & 0xffffffffn), delta);
  write32(c, Number(x.m >> 32n), delta + 4);
  write16(c, (x.s << 15) | x.e, delta + 8);
}
export function writeBytes(c: Cpu, bytes: Uint8Array): void {
  checkStore(c, bytes.length);
  for (let i = 0; i < bytes.length; i++) c.writeMem8(c.eaSeg, c.eaPlus(i), bytes[i]);
}
