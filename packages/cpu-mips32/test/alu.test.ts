// Integer ALU, shifts, multiply/divide and the release-2 bit instructions, table-driven: each row
// runs one instruction with a = $a0, b = $a1 and checks the destination (or HI/LO).
import { describe, expect, it } from 'vitest';
import { exec, I, R } from './helpers.js';

const { a0, a1, v0 } = R;
type Row = [name: string, word: number, a: number, b: number, expected: number];

const h = (v: number) => v | 0;
const rows: Row[] = [
  ['addu wraps', I.addu(v0, a0, a1), 0x7fffffff, 1, h(0x80000000)],
  ['add', I.add(v0, a0, a1), 5, -7, -2],
  ['subu wraps', I.subu(v0, a0, a1), 0, 1, -1],
  ['sub', I.sub(v0, a0, a1), 100, 58, 42],
  ['and', I.and(v0, a0, a1), 0xff00ff00, 0x0ff00ff0, h(0x0f000f00)],
  ['or', I.or(v0, a0, a1), 0xf0, 0x0f, 0xff],
  ['xor', I.xor(v0, a0, a1), 0xffff0000, 0xff00ff00, h(0x00ffff00)],
  ['nor', I.nor(v0, a0, a1), 0xf0f0f0f0, 0x0f0f0f00, 0x0000000f],
  ['slt signed', I.slt(v0, a0, a1), -1, 0, 1],
  ['slt equal', I.slt(v0, a0, a1), 3, 3, 0],
  ['sltu unsigned', I.sltu(v0, a0, a1), -1, 0, 0],
  ['sltu', I.sltu(v0, a0, a1), 1, -1, 1],
  ['addi', I.addi(v0, a0, -1), 0, 0, -1],
  ['addiu', I.addiu(v0, a0, 0x8000), 0x10000, 0, 0x8000],
  ['slti', I.slti(v0, a0, -5), -6, 0, 1],
  ['sltiu sign-extends then compares unsigned', I.sltiu(v0, a0, -1), 0xfffffffe, 0, 1],
  ['sltiu', I.sltiu(v0, a0, 1), 0, 0, 1],
  ['andi zero-extends', I.andi(v0, a0, 0xffff), -1, 0, 0xffff],
  ['ori', I.ori(v0, a0, 0x8001), 0x10000, 0, 0x18001],
  ['xori', I.xori(v0, a0, 0xffff), 0x1234, 0, 0xedcb],
  ['lui', I.lui(v0, 0x8765), 0, 0, h(0x87650000)],
  ['sll', I.sll(v0, a1, 31), 0, 1, h(0x80000000)],
  ['srl', I.srl(v0, a1, 4), 0, h(0x80000000), 0x08000000],
  ['sra', I.sra(v0, a1, 4), 0, h(0x80000000), h(0xf8000000)],
  ['rotr', I.rotr(v0, a1, 8), 0, 0x12345678, 0x78123456],
  ['rotr 0', I.rotr(v0, a1, 0), 0, 0x12345678, 0x12345678],
  ['sllv uses low 5 bits', I.sllv(v0, a1, a0), 33, 1, 2],
  ['srlv', I.srlv(v0, a1, a0), 28, -1, 0xf],
  ['srav', I.srav(v0, a1, a0), 28, h(0x80000000), -8],
  ['rotrv', I.rotrv(v0, a1, a0), 4, 0x12345678, h(0x81234567)],
  ['movz moves on zero', I.movz(v0, a0, a1), 7, 0, 7],
  ['movn keeps on zero', I.movn(v0, a0, a1), 7, 0, 0x5a5a],
  ['movn moves', I.movn(v0, a0, a1), 7, 1, 7],
  ['mul', I.mul(v0, a0, a1), -3, 0x40000001, 0x3ffffffd],
  ['clz 0', I.clz(v0, a0), 0, 0, 32],
  ['clz', I.clz(v0, a0), 0x00010000, 0, 15],
  ['clo', I.clo(v0, a0), h(0xfff00000), 0, 12],
  ['clo none', I.clo(v0, a0), 0x7fffffff, 0, 0],
  ['ext', I.ext(v0, a0, 4, 8), 0x12345678, 0, 0x67],
  ['ext whole', I.ext(v0, a0, 0, 32), -2, 0, -2],
  ['ins', I.ins(v0, a0, 8, 8), 0xab, 0, 0x5a5a ^ 0x5a00 ^ 0xab00],
  ['wsbh', I.wsbh(v0, a1), 0, 0x11223344, 0x22114433],
  ['seb', I.seb(v0, a1), 0, 0x80, -128],
  ['seh', I.seh(v0, a1), 0, 0x18000, -0x8000],
];

describe('ALU', () => {
  it.each(rows)('%s', (_name, word, a, b, expected) => {
    const { cpu } = exec([word], { [a0]: a, [a1]: b, [v0]: 0x5a5a });
    expect(cpu.r[v0]).toBe(expected);
  });

  it('writes to $zero are discarded', () => {
    const { cpu } = exec([I.addiu(0, 0, 5), I.addu(v0, 0, 0)]);
    expect(cpu.r[0]).toBe(0);
    expect(cpu.r[v0]).toBe(0);
  });
});

type HiLo = [name: string, code: number[], a: number, b: number, hi: number, lo: number];
const hilo: HiLo[] = [
  ['mult', [I.mult(a0, a1)], -2, 3, -1, -6],
  ['mult big', [I.mult(a0, a1)], 0x7fffffff, 0x7fffffff, 0x3fffffff, 1],
  ['mult min*min', [I.mult(a0, a1)], h(0x80000000), h(0x80000000), 0x40000000, 0],
  ['multu', [I.multu(a0, a1)], -1, -1, -2, 1],
  ['div', [I.div(a0, a1)], -7, 2, -1, -3],
  ['div remainder sign follows dividend', [I.div(a0, a1)], 7, -2, 1, -3],
  ['div INT_MIN/-1 (QEMU: LO=INT_MIN, HI=0)', [I.div(a0, a1)], h(0x80000000), -1, 0, h(0x80000000)],
  ['div by zero (QEMU: LO=dividend, HI=0)', [I.div(a0, a1)], 9, 0, 0, 9],
  ['divu', [I.divu(a0, a1)], -1, 16, 15, 0x0fffffff],
  ['divu by zero', [I.divu(a0, a1)], -1, 0, 0, -1],
  ['mthi/mtlo', [I.mthi(a0), I.mtlo(a1)], 11, 22, 11, 22],
  ['madd', [I.mthi(0), I.mtlo(a1), I.madd(a0, a0)], -0x10000, -1, 1, -1],
  ['madd carry', [I.mthi(0), I.mtlo(a1), I.madd(a0, a0)], 1, -1, 1, 0],
  ['maddu', [I.mthi(0), I.mtlo(0), I.maddu(a0, a1), I.maddu(a0, a1)], -1, 2, 3, -4],
  ['msub borrow', [I.mthi(0), I.mtlo(0), I.msub(a0, a1)], 1, 1, -1, -1],
  ['msubu', [I.mthi(a0), I.mtlo(0), I.msubu(a0, a1)], 2, 3, 1, -6],
];

describe('HI/LO', () => {
  it.each(hilo)('%s', (_name, code, a, b, hi, lo) => {
    const { cpu } = exec([...code, I.mfhi(R.t0), I.mflo(R.t1)], { [a0]: a, [a1]: b });
    expect([cpu.r[R.t0], cpu.r[R.t1]]).toEqual([hi, lo]);
  });

  it('mul leaves HI/LO alone', () => {
    const { cpu } = exec([I.mthi(a0), I.mtlo(a0), I.mul(v0, a0, a1), I.mfhi(R.t0), I.mflo(R.t1)], {
      [a0]: 5,
      [a1]: 6,
    });
    expect([cpu.r[v0], cpu.r[R.t0], cpu.r[R.t1]]).toEqual([30, 5, 5]);
  });

  it('mult matches BigInt on pseudo-random operands', () => {
    let seed = 12345;
    const next = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) | 0;
      return seed;
    };
    for (let k = 0; k < 200; k++) {
      const a = next();
      const b = next();
      const { cpu } = exec(
        [I.mult(a0, a1), I.mfhi(R.t0), I.mflo(R.t1), I.multu(a0, a1), I.mfhi(R.t2), I.mflo(R.t3)],
        {
          [a0]: a,
          [a1]: b,
        },
      );
      const s = BigInt(a) * BigInt(b);
      const uu = BigInt(a >>> 0) * BigInt(b >>> 0);
      expect(cpu.r[R.t0]).toBe(Number(BigInt.asIntN(32, s >> 32n)));
      expect(cpu.r[R.t1]).toBe(Number(BigInt.asIntN(32, s)));
      expect(cpu.r[R.t2]).toBe(Number(BigInt.asIntN(32, uu >> 32n)));
      expect(cpu.r[R.t3]).toBe(Number(BigInt.asIntN(32, uu)));
    }
  });
});
