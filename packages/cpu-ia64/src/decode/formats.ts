// Operand formats: how each instruction format (SDM vol. 3 ch. 4) scatters its immediates, counts and
// positions across the slot. Every format first takes the common register fields.
import { field as f, sextN } from '../bits.js';
import type { Insn } from './insn.js';

export type Form = (d: Insn, s: number) => void;

/** qp, r1/r2/r3 and p1/p2 sit at the same bits in every format that has them. */
export function common(d: Insn, s: number): void {
  d.qp = f(s, 0, 6);
  d.r1 = f(s, 6, 7);
  d.r2 = f(s, 13, 7);
  d.r3 = f(s, 20, 7);
  d.p1 = f(s, 6, 6);
  d.p2 = f(s, 27, 6);
}

const s36 = (s: number) => f(s, 36, 1);

export const FORMS = {
  none: (() => {}) as Form,
  /** A3, A8, I27, M30: imm8 = s:imm7b. */
  imm8: ((d, s) => {
    d.imm = sextN((s36(s) << 7) | f(s, 13, 7), 8);
  }) as Form,
  /** A4: imm14 = s:imm6d:imm7b. */
  imm14: ((d, s) => {
    d.imm = sextN((s36(s) << 13) | (f(s, 27, 6) << 7) | f(s, 13, 7), 14);
  }) as Form,
  /** A5: imm22 = s:imm5c:imm9d:imm7b, r3 only 2 bits. */
  imm22: ((d, s) => {
    d.imm = sextN(s36(s) * 2 ** 21 + (f(s, 22, 5) << 16) + (f(s, 27, 9) << 7) + f(s, 13, 7), 22);
    d.r3 = f(s, 20, 2);
  }) as Form,
  /** A2, A10: shift count 1..4 in ct2d. */
  count2: ((d, s) => {
    d.a = f(s, 27, 2) + 1;
  }) as Form,
  /** I10 shrp: count6d. */
  count6: ((d, s) => {
    d.a = f(s, 27, 6);
  }) as Form,
  /** I11 extr: pos6b, len6d + 1. */
  extr: ((d, s) => {
    d.a = f(s, 14, 6);
    d.b = f(s, 27, 6) + 1;
  }) as Form,
  /** I12 dep.z: pos = 63 - cpos6c, len6d + 1. */
  depZ: ((d, s) => {
    d.a = 63 - f(s, 20, 6);
    d.b = f(s, 27, 6) + 1;
  }) as Form,
  /** I13 dep.z imm8. */
  depZImm: ((d, s) => {
    d.a = 63 - f(s, 20, 6);
    d.b = f(s, 27, 6) + 1;
    d.imm = sextN((s36(s) << 7) | f(s, 13, 7), 8);
  }) as Form,
  /** I14 dep imm1: pos = 63 - cpos6b. */
  depImm1: ((d, s) => {
    d.a = 63 - f(s, 14, 6);
    d.b = f(s, 27, 6) + 1;
    d.imm = s36(s) ? -1n : 0n;
  }) as Form,
  /** I15 dep: pos = 63 - cpos6d, len4d + 1. */
  dep: ((d, s) => {
    d.a = 63 - f(s, 31, 6);
    d.b = f(s, 27, 4) + 1;
  }) as Form,
  /** I16 tbit: pos6b. */
  pos6: ((d, s) => {
    d.a = f(s, 14, 6);
  }) as Form,
  /** I3 mux1 mbtype4, I4 mux2 mhtype8. */
  mux1: ((d, s) => {
    d.a = f(s, 20, 4);
  }) as Form,
  mux2: ((d, s) => {
    d.a = f(s, 20, 8);
  }) as Form,
  /** I8 pshl imm: count = 31 - ccount5c. */
  pshlImm: ((d, s) => {
    d.a = 31 - f(s, 20, 5);
  }) as Form,
  /** I6 pshr imm: count5b. */
  pshrImm: ((d, s) => {
    d.a = f(s, 14, 5);
  }) as Form,
  /** I1 pmpyshr2: ct2d selects 0, 7, 15 or 16. */
  pmpyshr: ((d, s) => {
    d.a = [0, 7, 15, 16][f(s, 30, 2)];
  }) as Form,
  /** I23 mov pr = r2, mask17: mask bits 1..15 explicit, the sign bit covers p16..p63. */
  prMask: ((d, s) => {
    d.imm = sextN((s36(s) << 16) | (f(s, 24, 8) << 8) | (f(s, 6, 7) << 1), 17);
  }) as Form,
  /** I24 mov pr.rot = imm44 (imm28 << 16). */
  prRot: ((d, s) => {
    d.imm = sextN(s36(s) * 2 ** 27 + f(s, 6, 27), 28) << 16n;
  }) as Form,
  /** I19/M37/B9 break and nop: imm21 = i:imm20a. */
  imm21: ((d, s) => {
    d.a = (s36(s) << 20) | f(s, 6, 20);
  }) as Form,
  /** B1/B3 IP-relative: imm21 = s:imm20b, in bundles. b1 in d.a. */
  branch: ((d, s) => {
    d.imm = sextN(s36(s) * 2 ** 20 + f(s, 13, 20), 21) << 4n;
    d.a = f(s, 6, 3);
  }) as Form,
  /** B4/B5 indirect: b2 in d.b, b1 in d.a. */
  branchIndirect: ((d, s) => {
    d.b = f(s, 13, 3);
    d.a = f(s, 6, 3);
  }) as Form,
  /** I20/M20/M21 chk.s: imm21 = s:imm13c:imm7a. */
  chkS: ((d, s) => {
    d.imm = sextN(s36(s) * 2 ** 20 + f(s, 20, 13) * 128 + f(s, 6, 7), 21) << 4n;
  }) as Form,
  /** M22/M23 chk.a: imm21 = s:imm20b. */
  chkA: ((d, s) => {
    d.imm = sextN(s36(s) * 2 ** 20 + f(s, 13, 20), 21) << 4n;
  }) as Form,
  /** M34 alloc: sof, sol, sor. */
  alloc: ((d, s) => {
    d.a = f(s, 13, 7);
    d.b = f(s, 20, 7);
    d.c = f(s, 27, 4);
  }) as Form,
  /** M17 fetchadd inc3. */
  inc3: ((d, s) => {
    const v = [16n, 8n, 4n, 1n][f(s, 13, 2)];
    d.imm = f(s, 15, 1) ? -v : v;
  }) as Form,
  /** M3/M8/M15 loads with imm9 post-increment: s:i:imm7b. */
  postImmLoad: ((d, s) => {
    d.imm = sextN((s36(s) << 8) | (f(s, 27, 1) << 7) | f(s, 13, 7), 9);
  }) as Form,
  /** M5/M10 stores with imm9 post-increment: s:i:imm7a. */
  postImmStore: ((d, s) => {
    d.imm = sextN((s36(s) << 8) | (f(s, 27, 1) << 7) | f(s, 6, 7), 9);
  }) as Form,
  /** F1..F4: f4 in d.a, status field in d.b. */
  fma: ((d, s) => {
    d.a = f(s, 27, 7);
    d.b = f(s, 34, 2);
  }) as Form,
  /** Status field only (fcmp, fcvt, fmin...). */
  sf: ((d, s) => {
    d.b = f(s, 34, 2);
  }) as Form,
  /** F5 fclass.m: fclass9 = fclass7c:fc2. */
  fclass: ((d, s) => {
    d.c = (f(s, 20, 7) << 2) | f(s, 33, 2);
  }) as Form,
  /** F12 fsetc: amask7 in d.a, omask7 in d.c, sf in d.b. */
  fsetc: ((d, s) => {
    d.a = f(s, 13, 7);
    d.c = f(s, 20, 7);
    d.b = f(s, 34, 2);
  }) as Form,
} satisfies Record<string, Form>;

export type FormName = keyof typeof FORMS;
