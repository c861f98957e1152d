// Loads and stores, unaligned word access (LWL/LWR/SWL/SWR), LL/SC, and the cache-management
// instructions (CACHE, SYNCI, PREF) with their address checks.
import { EXC } from '../cp0.js';
import type { MipsCpu } from '../cpu.js';
import { rs, rt, simm } from './fields.js';

const ea = (c: MipsCpu, i: number): number => (c.r[rs(i)] + simm(i)) | 0;

export function lb(c: MipsCpu, i: number): void {
  const v = c.load8(ea(c, i));
  c.r[rt(i)] = (v << 24) >> 24;
}
export function lbu(c: MipsCpu, i: number): void {
  c.r[rt(i)] = c.load8(ea(c, i));
}
export function lh(c: MipsCpu, i: number): void {
  const v = c.load16(ea(c, i));
  c.r[rt(i)] = (v << 16) >> 16;
}
export function lhu(c: MipsCpu, i: number): void {
  c.r[rt(i)] = c.load16(ea(c, i));
}
export function lw(c: MipsCpu, i: number): void {
  c.r[rt(i)] = c.load32(ea(c, i));
}
export function sb(c: MipsCpu, i: number): void {
  c.store8(ea(c, i), c.r[rt(i)]);
}
export function sh(c: MipsCpu, i: number): void {
  c.store16(ea(c, i), c.r[rt(i)]);
}
export function sw(c: MipsCpu, i: number): void {
  c.store32(ea(c, i), c.r[rt(i)]);
}

// Unaligned access. `k` is the byte's lane counted from the word's least-significant byte (the
// address's low bits little-endian, their complement big-endian); the merges are then the same for
// both byte orders. The aligned word is what is translated (so BadVAddr is aligned, as in QEMU).
const lane = (c: MipsCpu, a: number): number => (c.bigEndian ? 3 - (a & 3) : a & 3);

export function lwl(c: MipsCpu, i: number): void {
  const a = ea(c, i);
  const w = c.load32(a & ~3);
  const shift = 8 * (3 - lane(c, a));
  const keep = shift === 0 ? 0 : (1 << shift) - 1;
  c.r[rt(i)] = (w << shift) | (c.r[rt(i)] & keep);
}
export function lwr(c: MipsCpu, i: number): void {
  const a = ea(c, i);
  const w = c.load32(a & ~3);
  const shift = 8 * lane(c, a);
  const keep = shift === 0 ? 0 : ~(-1 >>> shift);
  c.r[rt(i)] = (w >>> shift) | (c.r[rt(i)] & keep);
}
export function swl(c: MipsCpu, i: number): void {
  const a = ea(c, i);
  const p = c.physical(a & ~3, true, 4);
  const shift = 8 * (3 - lane(c, a));
  const replace = -1 >>> shift;
  const w = c.memory.read32(p);
  c.memory.write32(p, ((w & ~replace) | (c.r[rt(i)] >>> shift)) >>> 0);
}
export function swr(c: MipsCpu, i: number): void {
  const a = ea(c, i);
  const p = c.physical(a & ~3, true, 4);
  const shift = 8 * lane(c, a);
  const keep = shift === 0 ? 0 : (1 << shift) - 1;
  const w = c.memory.read32(p);
  c.memory.write32(p, ((w & keep) | (c.r[rt(i)] << shift)) >>> 0);
}

/** LL: a load that sets LLbit and LLAddr (the physical address >> 4). */
export function ll(c: MipsCpu, i: number): void {
  const p = c.physical(ea(c, i), false, 4);
  const v = c.memory.read32(p) | 0;
  c.llAddr = p >>> 4;
  c.llbit = true;
  c.r[rt(i)] = v;
}
/** SC: stores only while LLbit is set (ERET and exceptions' returns clear it); rt = success. */
export function sc(c: MipsCpu, i: number): void {
  const a = ea(c, i);
  if ((a & 3) !== 0) {
    c.tlb.badVAddr = a >>> 0;
    c.exception(EXC.AdES);
  }
  if (c.llbit) {
    c.store32(a, c.r[rt(i)]);
    c.llbit = false;
    c.r[rt(i)] = 1;
  } else {
    c.r[rt(i)] = 0;
  }
}

/**
 * CACHE op, offset(base): privileged (Coprocessor Unusable in user mode without CU0). There are no
 * caches to maintain, but the address is translated as a load so it raises the TLB and address-error
 * exceptions a real cache operation would.
 */
export function cache(c: MipsCpu, i: number): void {
  if (!c.cp0Usable()) c.exception(EXC.CpU, 0);
  c.translate(ea(c, i) >>> 0, false);
}
/** SYNCI: allowed in user mode; translated as a load (TLBL, AdEL). No decoded-instruction cache to flush. */
export function synci(c: MipsCpu, i: number): void {
  c.translate(ea(c, i) >>> 0, false);
}
/** PREF: a hint that never raises an exception. */
export function pref(_c: MipsCpu, _i: number): void {}
/** SYNC: every access is already ordered. */
export function sync(_c: MipsCpu, _i: number): void {}
