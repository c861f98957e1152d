// Differential test of the fast path: random programs (ALU, multiply/divide, loads and stores —
// misaligned, into unmapped space and into the program itself —, branches and branch-likely, jumps
// through registers, traps, SYSCALL, RDHWR of Count, reserved words) run from the same state on the
// plain interpreter and with compiled blocks (compiled at the 1st, 2nd or 16th entry), in kernel mode
// and in TLB-mapped user mode, little- and big-endian, with a
// Count/Compare interrupt every ~100 instructions and an exception handler that resumes after the
// faulting instruction. The budget is cut into uneven slices. After every slice the saved CPU states
// and RAM must be identical. A failure names its seed. MIPS_DIFFERENTIAL_SEEDS=N runs N seeds (default
// 120, a few seconds) for a longer sweep.
import { MipsTlb, PhysicalMemory } from '@phantasm/mmu';
import { describe, expect, it } from 'vitest';
import { MipsCpu } from '../src/index.js';
import { I, load, R } from './helpers.js';

const { k0, k1 } = R;
const [s0, s1, s2, s3] = [16, 17, 18, 19];

/** mulberry32: a small seeded generator (uniform 32-bit words). */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
  return {
    next,
    below: (n: number) => next() % n,
    pick: <T>(xs: readonly T[]): T => xs[next() % xs.length],
  };
}
type Rng = ReturnType<typeof rng>;

// Destinations avoid the base registers s0..s3 and k0/k1 (so memory operations keep hitting
// interesting places); sources are any register.
const DEST = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 28, 30, 31];
const BASES = [s0, s1, s2];

/** One random instruction for a program of `length` words at `codeVa`. */
function instruction(g: Rng, index: number, length: number, codeVa: number): number {
  const d = () => g.pick(DEST);
  const s = () => g.below(32);
  const imm = () => (g.below(4) === 0 ? g.next() & 0xffff : g.below(64) - 32);
  const branchOffset = () => g.below(17) - 8;
  const target = () => codeVa + 4 * g.below(length);
  const memory = () => {
    const base = g.below(8) === 0 ? s() : g.pick(BASES);
    const offset = g.below(4) === 0 ? g.below(128) - 64 : 4 * (g.below(32) - 16);
    return [base, offset] as const;
  };
  const kind = g.below(100);
  if (kind < 30) {
    const op = g.pick([
      I.addu,
      I.subu,
      I.and,
      I.or,
      I.xor,
      I.nor,
      I.slt,
      I.sltu,
      I.movz,
      I.movn,
      I.add,
      I.sub,
      I.mul,
    ] as const);
    return op(d(), s(), s());
  }
  if (kind < 45) {
    const op = g.pick([I.addiu, I.addi, I.slti, I.sltiu, I.andi, I.ori, I.xori] as const);
    return op(d(), s(), imm());
  }
  if (kind < 52) {
    const op = g.pick([I.sll, I.srl, I.rotr, I.sra] as const);
    return op(d(), s(), g.below(32));
  }
  if (kind < 56) {
    const op = g.pick([I.sllv, I.srlv, I.rotrv, I.srav] as const);
    return op(d(), s(), s());
  }
  if (kind < 60) {
    return g.pick([
      () => I.mult(s(), s()),
      () => I.multu(s(), s()),
      () => I.div(s(), s()),
      () => I.divu(s(), s()),
      () => I.madd(s(), s()),
      () => I.msubu(s(), s()),
      () => I.mfhi(d()),
      () => I.mflo(d()),
      () => I.mthi(s()),
      () => I.mtlo(s()),
      () => I.clz(d(), s()),
      () => I.clo(d(), s()),
      () => I.seb(d(), s()),
      () => I.seh(d(), s()),
      () => I.wsbh(d(), s()),
      () => I.ext(d(), s(), g.below(16), 1 + g.below(16)),
      () => I.ins(d(), s(), g.below(16), 1 + g.below(16)),
      () => I.lui(d(), g.next() & 0xffff),
    ])();
  }
  if (kind < 78) {
    const [base, offset] = memory();
    const op = g.pick([
      I.lw,
      I.lw,
      I.sw,
      I.sw,
      I.lb,
      I.lbu,
      I.lh,
      I.lhu,
      I.sb,
      I.sh,
      I.lwl,
      I.lwr,
      I.swl,
      I.swr,
      I.ll,
      I.sc,
    ] as const);
    return op(d(), offset, base);
  }
  if (kind < 93) {
    if (index >= length - 2) return I.nop();
    return g.pick([
      () => I.beq(s(), s(), branchOffset()),
      () => I.bne(s(), s(), branchOffset()),
      () => I.blez(s(), branchOffset()),
      () => I.bgtz(s(), branchOffset()),
      () => I.bltz(s(), branchOffset()),
      () => I.bgez(s(), branchOffset()),
      () => I.bltzal(s(), branchOffset()),
      () => I.bgezal(s(), branchOffset()),
      () => I.beql(s(), s(), branchOffset()),
      () => I.bnel(s(), s(), branchOffset()),
      () => I.bgezl(s(), branchOffset()),
      () => I.bltzall(s(), branchOffset()),
      () => I.j(target()),
      () => I.jal(target()),
      () => I.jr(s3),
      () => I.jalr(d(), s3),
      () => I.jr(s()),
    ])();
  }
  return g.pick([
    () => I.teq(s(), s()),
    () => I.tne(s(), s()),
    () => I.tgei(s(), imm()),
    () => I.tltiu(s(), imm()),
    () => I.syscall(),
    () => I.rdhwr(d(), 2), // Count: the compiled code must have cycles in place
    () => I.rdhwr(d(), 29),
    () => I.mfc0(d(), 9),
    () => I.pref(0, 0, s0),
    () => I.sync(),
    () => I.synci(s0, 0),
    () => g.next(), // any word: reserved instructions, COP1, ...
  ])();
}

const CODE_PA = 0x1000;
const DATA_PA = 0x10000;
const LENGTH = 48;

/** Resume after the faulting instruction (word-aligned) and set the next timer interrupt. */
const HANDLER = [
  I.mfc0(k0, 14),
  I.addiu(k0, k0, 4),
  I.addiu(k1, 0, -4),
  I.and(k0, k0, k1),
  I.mtc0(k0, 14),
  I.mfc0(k1, 9),
  I.addiu(k1, k1, 50),
  I.mtc0(k1, 11),
  I.eret(),
];

function build(seed: number, user: boolean, fastPath: boolean, threshold: number, bigEndian: boolean) {
  const g = rng(seed);
  const memory = new PhysicalMemory({ ramSize: 1 << 20, bigEndian });
  const cpu = new MipsCpu({
    memory,
    tlb: new MipsTlb({ entries: 16 }),
    fastPath,
    compileThreshold: threshold,
  });
  const codeVa = user ? 0x0040_1000 : 0x8000_0000 + CODE_PA;
  const dataVa = user ? 0x0041_0000 : 0x8000_0000 + DATA_PA;
  const words: number[] = [];
  for (let k = 0; k < LENGTH; k++) words.push(instruction(g, k, LENGTH, codeVa) >>> 0);
  words.push(I.j(codeVa), I.nop());
  load(memory, 0x8000_0000 + CODE_PA, words);
  for (const v of [0x8000_0000, 0x8000_0180, 0x8000_0200]) load(memory, v, HANDLER);
  for (let k = 0; k < 1024; k++) memory.write32(DATA_PA + 4 * k, g.next());
  if (user) {
    // code and data pages (read/write, ASID 5), each an even/odd pair of 4 KiB pages
    const map = (index: number, va: number, pa: number) => {
      cpu.writeCp0(0, 0, index);
      cpu.writeCp0(10, 0, va | 5);
      cpu.writeCp0(2, 0, ((pa >>> 12) << 6) | 0x16);
      cpu.writeCp0(3, 0, (((pa >>> 12) + 1) << 6) | 0x16);
      cpu.tlb.tlbwi();
    };
    map(0, 0x0040_0000, 0);
    map(1, 0x0041_0000, DATA_PA);
    cpu.flushTranslations();
  }
  cpu.writeCp0(7, 0, 0x2000_000f); // RDHWR allowed in user mode
  cpu.writeCp0(11, 0, 60);
  for (let r = 1; r < 32; r++) cpu.r[r] = g.next();
  cpu.r[s0] = dataVa + 4 * g.below(512);
  cpu.r[s1] = codeVa + 4 * g.below(LENGTH); // stores through s1 modify the program
  cpu.r[s2] = dataVa + 0x800;
  cpu.r[s3] = codeVa + 4 * g.below(LENGTH);
  cpu.writeCp0(12, 0, 0x8001 | (user ? 0x10 : 0)); // IE, IM7 (timer)
  cpu.jump(codeVa);
  return { cpu, memory, slices: Array.from({ length: 40 }, () => 1 + g.below(250)) };
}

describe('fast path against the plain interpreter', () => {
  const trials: Array<[seed: number, user: boolean, threshold: number, bigEndian: boolean]> = [];
  const seeds = Number(process.env.MIPS_DIFFERENTIAL_SEEDS ?? 120);
  for (let seed = 1; seed <= seeds; seed++)
    trials.push([seed, seed % 2 === 0, [1, 2, 16][seed % 3], seed % 5 === 0]);

  it('random programs end in identical states and RAM, slice after slice', () => {
    let compiled = 0;
    for (const [seed, user, threshold, bigEndian] of trials) {
      const plain = build(seed, user, false, threshold, bigEndian);
      const fast = build(seed, user, true, threshold, bigEndian);
      for (const n of plain.slices) {
        const why = plain.cpu.run(n);
        expect(fast.cpu.run(n), `seed ${seed}`).toBe(why);
        expect(fast.cpu.saveState(), `seed ${seed}`).toEqual(plain.cpu.saveState());
      }
      expect(Buffer.compare(fast.memory.ram, plain.memory.ram), `seed ${seed}: RAM differs`).toBe(0);
      compiled += fast.cpu.blocksCompiled;
    }
    // Not vacuous: the fast CPUs really compiled code (and the plain ones ran ~40 x 125 instructions).
    expect(compiled).toBeGreaterThan(trials.length * 5);
  });
});
