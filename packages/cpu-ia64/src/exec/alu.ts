// A-unit integer arithmetic and logic (formats A1..A5). Results carry the OR of the sources' NaTs.
import { u64 } from '../bits.js';
import type { Ia64Cpu } from '../cpu.js';
import type { Exec, Insn } from '../decode/insn.js';

type Op2 = (a: bigint, b: bigint) => bigint;

/** r1 = op(r2, r3). */
export const reg3 =
  (op: Op2): Exec =>
  (c: Ia64Cpu, d: Insn) =>
    c.setGr(d.r1, u64(op(c.gr(d.r2), c.gr(d.r3))), c.nat(d.r2) | c.nat(d.r3));

/** r1 = op(imm, r3) (A3/A4/A5: the immediate is the first operand). */
export const imm3 =
  (op: Op2): Exec =>
  (c: Ia64Cpu, d: Insn) =>
    c.setGr(d.r1, u64(op(d.imm, c.gr(d.r3))), c.nat(d.r3));

/** addp4: 32-bit sum with the region bits copied from r3{31:30} into r1{62:61}. */
const p4 = (sum: bigint, r3: bigint): bigint => (sum & 0xffffffffn) | (((r3 >> 30n) & 3n) << 61n);

export const add: Op2 = (a, b) => a + b;
export const addPlus1: Op2 = (a, b) => a + b + 1n;
export const sub: Op2 = (a, b) => a - b;
export const subMinus1: Op2 = (a, b) => a - b - 1n;
export const and: Op2 = (a, b) => a & b;
export const andcm: Op2 = (a, b) => a & ~b;
export const or: Op2 = (a, b) => a | b;
export const xor: Op2 = (a, b) => a ^ b;
export const addp4: Op2 = (a, b) => p4(a + b, b);

/** shladd r1 = r2, count, r3 (count in d.a). */
export const shladd: Exec = (c, d) =>
  c.setGr(d.r1, u64((c.gr(d.r2) << BigInt(d.a)) + c.gr(d.r3)), c.nat(d.r2) | c.nat(d.r3));

export const shladdp4: Exec = (c, d) => {
  const r3 = c.gr(d.r3);
  c.setGr(d.r1, p4((c.gr(d.r2) << BigInt(d.a)) + r3, r3), c.nat(d.r2) | c.nat(d.r3));
};

/** movl r1 = imm64. */
export const movl: Exec = (c, d) => c.setGr(d.r1, u64(d.imm));
