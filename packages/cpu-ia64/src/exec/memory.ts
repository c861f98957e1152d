// M-unit integer loads and stores (M1..M6), semaphores (M16, M17), with register or immediate
// post-increment, speculation (ld.s: faults are deferred into a NaT), advanced loads and checks
// against the ALAT (ld.a, ld.sa, ld.c.nc, ld.c.clr), and spill/fill with ar.unat.
// d.b = access size in bytes; d.c = post-increment source: 0 none, 1 register r2, 2 immediate.
import { u64 } from '../bits.js';
import { AR, type Ia64Cpu } from '../cpu.js';
import type { Exec, Insn } from '../decode/insn.js';

export type LoadKind = 'plain' | 's' | 'a' | 'sa' | 'c.nc' | 'c.clr' | 'fill';
export const POST_NONE = 0;
export const POST_REG = 1;
export const POST_IMM = 2;

/** The base address: r3, which must not be NaT, aligned to the access size (user mode has no
 * unaligned-access emulation: Linux would deliver SIGBUS without its fix-up, Ski stops). */
function address(c: Ia64Cpu, d: Insn): bigint {
  if (c.nat(d.r3)) c.raise('register-nat-consumption', BigInt(d.r3), `address register r${d.r3} is NaT`);
  const a = c.gr(d.r3);
  if ((a & BigInt(d.b - 1)) !== 0n)
    c.raise('unaligned-reference', a, `unaligned ${d.b}-byte access at 0x${a.toString(16)}`);
  return a;
}

/** Post-increment r3 by r2 or the immediate (after the access). */
function postIncrement(c: Ia64Cpu, d: Insn, base: bigint): void {
  if (d.c === POST_REG) c.setGr(d.r3, u64(base + c.gr(d.r2)), c.nat(d.r2));
  else if (d.c === POST_IMM) c.setGr(d.r3, u64(base + d.imm));
}

export function ld(kind: LoadKind): Exec {
  return (c, d) => {
    if (d.c !== POST_NONE && d.r1 === d.r3)
      c.raise('illegal-operation', 0n, 'load with r1 = r3 and post-increment');
    const size = d.b;
    const speculative = kind === 's' || kind === 'sa';
    const natBase = c.nat(d.r3);
    if (natBase && !speculative)
      c.raise('register-nat-consumption', BigInt(d.r3), `address register r${d.r3} is NaT`);
    const base = c.gr(d.r3);
    const reg = c.gidx(d.r1);
    if (kind === 'c.nc' || kind === 'c.clr') {
      if (c.alat.has(reg, base, size)) {
        if (kind === 'c.clr') c.alat.remove(reg);
        postIncrement(c, d, base);
        return;
      }
    }
    const misaligned = (base & BigInt(size - 1)) !== 0n;
    if (misaligned && !speculative)
      c.raise('unaligned-reference', base, `unaligned ${size}-byte load at 0x${base.toString(16)}`);
    const v = natBase || misaligned ? undefined : c.memory.read(base, size);
    if (v === undefined) {
      if (!speculative)
        c.raise('data-access', base, `load of ${size} bytes from unmapped 0x${base.toString(16)}`);
      c.setGr(d.r1, 0n, 1); // deferred: the NaT carries the fault to a later chk.s
      c.alat.remove(reg);
    } else if (kind === 'fill') {
      c.setGr(d.r1, v, Number((c.ar[AR.UNAT] >> ((base >> 3n) & 63n)) & 1n));
    } else {
      c.setGr(d.r1, v);
      if (kind === 'a' || kind === 'sa' || kind === 'c.nc') c.alat.insert(reg, base, size);
      else c.alat.remove(reg);
    }
    postIncrement(c, d, base);
  };
}

export function st(spill: boolean): Exec {
  return (c, d) => {
    const base = address(c, d);
    const nat = c.nat(d.r2);
    if (nat && !spill) c.raise('register-nat-consumption', BigInt(d.r2), `store of NaT register r${d.r2}`);
    c.store(base, d.b, c.gr(d.r2));
    if (spill) {
      const bit = 1n << ((base >> 3n) & 63n);
      c.ar[AR.UNAT] = nat ? c.ar[AR.UNAT] | bit : c.ar[AR.UNAT] & ~bit;
    }
    if (d.c === POST_IMM) c.setGr(d.r3, u64(base + d.imm));
  };
}

/** cmpxchg: store r2 when memory equals ar.ccv (both zero-extended to the size); r1 = old value. */
export const cmpxchg: Exec = (c, d) => {
  const base = address(c, d);
  if (c.nat(d.r2)) c.raise('register-nat-consumption', BigInt(d.r2), `cmpxchg of NaT register r${d.r2}`);
  const old = c.load(base, d.b);
  if (old === BigInt.asUintN(d.b * 8, c.ar[AR.CCV])) c.store(base, d.b, c.gr(d.r2));
  c.setGr(d.r1, old);
};

export const xchg: Exec = (c, d) => {
  const base = address(c, d);
  if (c.nat(d.r2)) c.raise('register-nat-consumption', BigInt(d.r2), `xchg of NaT register r${d.r2}`);
  const old = c.load(base, d.b);
  c.store(base, d.b, c.gr(d.r2));
  c.setGr(d.r1, old);
};

export const fetchadd: Exec = (c, d) => {
  const base = address(c, d);
  const old = c.load(base, d.b);
  c.store(base, d.b, old + d.imm);
  c.setGr(d.r1, old);
};

/** lfetch: a prefetch hint; only the post-increment is architectural. Never faults here. */
export const lfetch: Exec = (c, d) => {
  if (d.c === POST_NONE) return;
  const base = c.gr(d.r3);
  postIncrement(c, d, base);
};
