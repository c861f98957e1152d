// I-unit shifts, field extract/deposit, extensions, zero-byte search and bit counts (I5, I7, I9..I15,
// I29). Fields: d.a = position (or count), d.b = length, d.imm = immediate source.
import { M64, u64 } from '../bits.js';
import type { Exec } from '../decode/insn.js';

const mask = (len: number): bigint => (1n << BigInt(len)) - 1n;

/** shl r1 = r2, r3: counts above 63 give 0. */
export const shl: Exec = (c, d) => {
  const n = c.gr(d.r3);
  c.setGr(d.r1, n > 63n ? 0n : u64(c.gr(d.r2) << n), c.nat(d.r2) | c.nat(d.r3));
};

/** shr r1 = r3, r2 (arithmetic): counts above 63 act as 63. */
export const shr: Exec = (c, d) => {
  const n = c.gr(d.r2);
  c.setGr(d.r1, u64(BigInt.asIntN(64, c.gr(d.r3)) >> (n > 63n ? 63n : n)), c.nat(d.r2) | c.nat(d.r3));
};

export const shrU: Exec = (c, d) => {
  const n = c.gr(d.r2);
  c.setGr(d.r1, n > 63n ? 0n : c.gr(d.r3) >> n, c.nat(d.r2) | c.nat(d.r3));
};

/** shrp r1 = r2, r3, count: the low 64 bits of (r2:r3) >> count. */
export const shrp: Exec = (c, d) => {
  const v = ((c.gr(d.r2) << 64n) | c.gr(d.r3)) >> BigInt(d.a);
  c.setGr(d.r1, v & M64, c.nat(d.r2) | c.nat(d.r3));
};

/** extr / extr.u r1 = r3, pos, len: a field that runs past bit 63 is cut there. */
export const extr =
  (signed: boolean): Exec =>
  (c, d) => {
    const len = Math.min(d.b, 64 - d.a);
    const f = (c.gr(d.r3) >> BigInt(d.a)) & mask(len);
    c.setGr(d.r1, signed ? u64(BigInt.asIntN(len, f)) : f, c.nat(d.r3));
  };

/** dep.z r1 = r2, pos, len (and the imm8 form when `imm`). */
export const depZ =
  (imm: boolean): Exec =>
  (c, d) => {
    const src = imm ? d.imm : c.gr(d.r2);
    c.setGr(d.r1, u64((src & mask(d.b)) << BigInt(d.a)), imm ? 0 : c.nat(d.r2));
  };

function deposit(target: bigint, src: bigint, pos: number, len: number): bigint {
  const m = (mask(len) << BigInt(pos)) & M64;
  return (target & ~m & M64) | ((src << BigInt(pos)) & m);
}

/** dep r1 = r2, r3, pos, len (I15). */
export const dep: Exec = (c, d) =>
  c.setGr(d.r1, deposit(c.gr(d.r3), c.gr(d.r2), d.a, d.b), c.nat(d.r2) | c.nat(d.r3));

/** dep r1 = imm1, r3, pos, len (I14): d.imm is 0 or -1. */
export const depImm: Exec = (c, d) => c.setGr(d.r1, deposit(c.gr(d.r3), u64(d.imm), d.a, d.b), c.nat(d.r3));

export const zxt =
  (bytes: number): Exec =>
  (c, d) =>
    c.setGr(d.r1, BigInt.asUintN(bytes * 8, c.gr(d.r3)), c.nat(d.r3));

export const sxt =
  (bytes: number): Exec =>
  (c, d) =>
    c.setGr(d.r1, u64(BigInt.asIntN(bytes * 8, c.gr(d.r3))), c.nat(d.r3));

/** czx1/czx2 .l (from the most significant end) / .r: index of the first zero element, or the count. */
export const czx =
  (width: 8 | 16, left: boolean): Exec =>
  (c, d) => {
    const v = c.gr(d.r3);
    const n = 64 / width;
    let found = n;
    for (let k = 0; k < n; k++) {
      const lane = left ? n - 1 - k : k;
      if (((v >> BigInt(lane * width)) & mask(width)) === 0n) {
        found = k;
        break;
      }
    }
    c.setGr(d.r1, BigInt(found), c.nat(d.r3));
  };

export const popcnt: Exec = (c, d) => {
  let v = c.gr(d.r3);
  let n = 0n;
  while (v) {
    n += v & 1n;
    v >>= 1n;
  }
  c.setGr(d.r1, n, c.nat(d.r3));
};

export const clz: Exec = (c, d) => {
  const v = c.gr(d.r3);
  c.setGr(d.r1, BigInt(64 - (v === 0n ? 0 : v.toString(2).length)), c.nat(d.r3));
};
