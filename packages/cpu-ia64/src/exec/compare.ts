// Compares and bit tests writing two predicates (A6/A7/A8, I16/I17). The compare type decides what a
// false or NaT result does: none/unc write both, and-type only clears, or-type only sets,
// or.andcm sets p1 and clears p2. unc forms clear both targets even when qp is 0 (rows set `always`).
import type { Ia64Cpu } from '../cpu.js';
import type { Exec, Insn } from '../decode/insn.js';

export type CType = 'none' | 'unc' | 'and' | 'or' | 'or.andcm';
export type Rel = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'ltu';

function writePreds(c: Ia64Cpu, d: Insn, type: CType, rel: boolean, nat: number): void {
  switch (type) {
    case 'none':
    case 'unc':
      if (nat) {
        c.setPr(d.p1, 0);
        c.setPr(d.p2, 0);
      } else {
        c.setPr(d.p1, rel);
        c.setPr(d.p2, !rel);
      }
      return;
    case 'and':
      if (nat || !rel) {
        c.setPr(d.p1, 0);
        c.setPr(d.p2, 0);
      }
      return;
    case 'or':
      if (!nat && rel) {
        c.setPr(d.p1, 1);
        c.setPr(d.p2, 1);
      }
      return;
    case 'or.andcm':
      if (!nat && rel) {
        c.setPr(d.p1, 1);
        c.setPr(d.p2, 0);
      }
  }
}

function relate(rel: Rel, a: bigint, b: bigint, bits: number): boolean {
  if (rel === 'ltu') return BigInt.asUintN(bits, a) < BigInt.asUintN(bits, b);
  const x = BigInt.asIntN(bits, a);
  const y = BigInt.asIntN(bits, b);
  switch (rel) {
    case 'eq':
      return x === y;
    case 'ne':
      return x !== y;
    case 'lt':
      return x < y;
    case 'le':
      return x <= y;
    case 'gt':
      return x > y;
    case 'ge':
      return x >= y;
  }
}

/** Operand sources: r2 register, r0 (the A7 forms compare 0 with r3), or the 8-bit immediate. */
export type Src = 'reg' | 'zero' | 'imm';

export function cmp(rel: Rel, type: CType, bits: 32 | 64, src: Src): Exec {
  return (c, d) => {
    if (type === 'unc' && !c.pr(d.qp)) {
      c.setPr(d.p1, 0);
      c.setPr(d.p2, 0);
      return;
    }
    const a = src === 'reg' ? c.gr(d.r2) : src === 'imm' ? d.imm : 0n;
    const nat = (src === 'reg' ? c.nat(d.r2) : 0) | c.nat(d.r3);
    writePreds(c, d, type, relate(rel, a, c.gr(d.r3), bits), nat);
  };
}

/** tbit (test bit d.a of r3) and tnat (test r3's NaT); `z` tests for zero, else non-zero. */
export function tbit(z: boolean, type: CType, natTest: boolean): Exec {
  return (c, d) => {
    if (type === 'unc' && !c.pr(d.qp)) {
      c.setPr(d.p1, 0);
      c.setPr(d.p2, 0);
      return;
    }
    const n = c.nat(d.r3);
    const bit = natTest ? n : Number((c.gr(d.r3) >> BigInt(d.a)) & 1n);
    writePreds(c, d, type, z ? bit === 0 : bit === 1, natTest ? 0 : n);
  };
}
