// A tiny MIPS32 encoder and a bare test machine (RAM only) for the unit tests.
import { MipsTlb, PhysicalMemory } from '@phantasm/mmu';
import { MipsCpu, type MipsCpuHooks, type MipsCpuOptions } from '../src/index.js';

/**
 * Which execution path the tests in this file run on. The test files run on the fast path with
 * blocks compiled at their first entry (so even short programs run compiled); plain-path.test.ts
 * imports the same files again after `useCpuPath('plain')`, so every test runs both ways.
 */
export type CpuPath = 'fast' | 'plain';
let cpuPath: CpuPath = 'fast';
export function useCpuPath(path: CpuPath): void {
  cpuPath = path;
}
/** Constructor options selecting the current path. */
export function pathOptions(): Pick<MipsCpuOptions, 'fastPath' | 'compileThreshold'> {
  return cpuPath === 'plain' ? { fastPath: false } : { fastPath: true, compileThreshold: 1 };
}

const u = (v: number) => v >>> 0;
export const special = (funct: number, rs: number, rt: number, rd: number, sa = 0) =>
  u((rs << 21) | (rt << 16) | (rd << 11) | (sa << 6) | funct);
export const itype = (op: number, rs: number, rt: number, imm: number) =>
  u((op << 26) | (rs << 21) | (rt << 16) | (imm & 0xffff));
export const regimm = (rt: number, rs: number, imm: number) => itype(1, rs, rt, imm);
export const special2 = (funct: number, rs: number, rt: number, rd: number) =>
  u((0x1c << 26) | (rs << 21) | (rt << 16) | (rd << 11) | funct);
export const special3 = (funct: number, rs: number, rt: number, rd: number, sa: number) =>
  u((0x1f << 26) | (rs << 21) | (rt << 16) | (rd << 11) | (sa << 6) | funct);

export const I = {
  nop: () => 0,
  sll: (d: number, t: number, a: number) => special(0x00, 0, t, d, a),
  srl: (d: number, t: number, a: number) => special(0x02, 0, t, d, a),
  rotr: (d: number, t: number, a: number) => special(0x02, 1, t, d, a),
  sra: (d: number, t: number, a: number) => special(0x03, 0, t, d, a),
  sllv: (d: number, t: number, s: number) => special(0x04, s, t, d),
  srlv: (d: number, t: number, s: number) => special(0x06, s, t, d),
  rotrv: (d: number, t: number, s: number) => special(0x06, s, t, d, 1),
  srav: (d: number, t: number, s: number) => special(0x07, s, t, d),
  jr: (s: number) => special(0x08, s, 0, 0),
  jrhb: (s: number) => special(0x08, s, 0, 0, 0x10),
  jalr: (d: number, s: number) => special(0x09, s, 0, d),
  movz: (d: number, s: number, t: number) => special(0x0a, s, t, d),
  movn: (d: number, s: number, t: number) => special(0x0b, s, t, d),
  syscall: () => special(0x0c, 0, 0, 0),
  brk: () => special(0x0d, 0, 0, 0),
  sync: () => special(0x0f, 0, 0, 0),
  mfhi: (d: number) => special(0x10, 0, 0, d),
  mthi: (s: number) => special(0x11, s, 0, 0),
  mflo: (d: number) => special(0x12, 0, 0, d),
  mtlo: (s: number) => special(0x13, s, 0, 0),
  mult: (s: number, t: number) => special(0x18, s, t, 0),
  multu: (s: number, t: number) => special(0x19, s, t, 0),
  div: (s: number, t: number) => special(0x1a, s, t, 0),
  divu: (s: number, t: number) => special(0x1b, s, t, 0),
  add: (d: number, s: number, t: number) => special(0x20, s, t, d),
  addu: (d: number, s: number, t: number) => special(0x21, s, t, d),
  sub: (d: number, s: number, t: number) => special(0x22, s, t, d),
  subu: (d: number, s: number, t: number) => special(0x23, s, t, d),
  and: (d: number, s: number, t: number) => special(0x24, s, t, d),
  or: (d: number, s: number, t: number) => special(0x25, s, t, d),
  xor: (d: number, s: number, t: number) => special(0x26, s, t, d),
  nor: (d: number, s: number, t: number) => special(0x27, s, t, d),
  slt: (d: number, s: number, t: number) => special(0x2a, s, t, d),
  sltu: (d: number, s: number, t: number) => special(0x2b, s, t, d),
  tge: (s: number, t: number) => special(0x30, s, t, 0),
  tgeu: (s: number, t: number) => special(0x31, s, t, 0),
  tlt: (s: number, t: number) => special(0x32, s, t, 0),
  tltu: (s: number, t: number) => special(0x33, s, t, 0),
  teq: (s: number, t: number) => special(0x34, s, t, 0),
  tne: (s: number, t: number) => special(0x36, s, t, 0),
  bltz: (s: number, o: number) => regimm(0x00, s, o),
  bgez: (s: number, o: number) => regimm(0x01, s, o),
  bltzl: (s: number, o: number) => regimm(0x02, s, o),
  bgezl: (s: number, o: number) => regimm(0x03, s, o),
  tgei: (s: number, i: number) => regimm(0x08, s, i),
  tgeiu: (s: number, i: number) => regimm(0x09, s, i),
  tlti: (s: number, i: number) => regimm(0x0a, s, i),
  tltiu: (s: number, i: number) => regimm(0x0b, s, i),
  teqi: (s: number, i: number) => regimm(0x0c, s, i),
  tnei: (s: number, i: number) => regimm(0x0e, s, i),
  bltzal: (s: number, o: number) => regimm(0x10, s, o),
  bgezal: (s: number, o: number) => regimm(0x11, s, o),
  bltzall: (s: number, o: number) => regimm(0x12, s, o),
  bgezall: (s: number, o: number) => regimm(0x13, s, o),
  synci: (s: number, o: number) => regimm(0x1f, s, o),
  j: (target: number) => u((2 << 26) | ((target >>> 2) & 0x3ffffff)),
  jal: (target: number) => u((3 << 26) | ((target >>> 2) & 0x3ffffff)),
  beq: (s: number, t: number, o: number) => itype(0x04, s, t, o),
  bne: (s: number, t: number, o: number) => itype(0x05, s, t, o),
  blez: (s: number, o: number) => itype(0x06, s, 0, o),
  bgtz: (s: number, o: number) => itype(0x07, s, 0, o),
  addi: (t: number, s: number, i: number) => itype(0x08, s, t, i),
  addiu: (t: number, s: number, i: number) => itype(0x09, s, t, i),
  slti: (t: number, s: number, i: number) => itype(0x0a, s, t, i),
  sltiu: (t: number, s: number, i: number) => itype(0x0b, s, t, i),
  andi: (t: number, s: number, i: number) => itype(0x0c, s, t, i),
  ori: (t: number, s: number, i: number) => itype(0x0d, s, t, i),
  xori: (t: number, s: number, i: number) => itype(0x0e, s, t, i),
  lui: (t: number, i: number) => itype(0x0f, 0, t, i),
  beql: (s: number, t: number, o: number) => itype(0x14, s, t, o),
  bnel: (s: number, t: number, o: number) => itype(0x15, s, t, o),
  blezl: (s: number, o: number) => itype(0x16, s, 0, o),
  bgtzl: (s: number, o: number) => itype(0x17, s, 0, o),
  lb: (t: number, o: number, s: number) => itype(0x20, s, t, o),
  lh: (t: number, o: number, s: number) => itype(0x21, s, t, o),
  lwl: (t: number, o: number, s: number) => itype(0x22, s, t, o),
  lw: (t: number, o: number, s: number) => itype(0x23, s, t, o),
  lbu: (t: number, o: number, s: number) => itype(0x24, s, t, o),
  lhu: (t: number, o: number, s: number) => itype(0x25, s, t, o),
  lwr: (t: number, o: number, s: number) => itype(0x26, s, t, o),
  sb: (t: number, o: number, s: number) => itype(0x28, s, t, o),
  sh: (t: number, o: number, s: number) => itype(0x29, s, t, o),
  swl: (t: number, o: number, s: number) => itype(0x2a, s, t, o),
  sw: (t: number, o: number, s: number) => itype(0x2b, s, t, o),
  swr: (t: number, o: number, s: number) => itype(0x2e, s, t, o),
  cache: (op: number, o: number, s: number) => itype(0x2f, s, op, o),
  ll: (t: number, o: number, s: number) => itype(0x30, s, t, o),
  lwc1: (t: number, o: number, s: number) => itype(0x31, s, t, o),
  pref: (h: number, o: number, s: number) => itype(0x33, s, h, o),
  sc: (t: number, o: number, s: number) => itype(0x38, s, t, o),
  madd: (s: number, t: number) => special2(0x00, s, t, 0),
  maddu: (s: number, t: number) => special2(0x01, s, t, 0),
  mul: (d: number, s: number, t: number) => special2(0x02, s, t, d),
  msub: (s: number, t: number) => special2(0x04, s, t, 0),
  msubu: (s: number, t: number) => special2(0x05, s, t, 0),
  clz: (d: number, s: number) => special2(0x20, s, d, d),
  clo: (d: number, s: number) => special2(0x21, s, d, d),
  ext: (t: number, s: number, pos: number, size: number) => special3(0x00, s, t, size - 1, pos),
  ins: (t: number, s: number, pos: number, size: number) => special3(0x04, s, t, pos + size - 1, pos),
  wsbh: (d: number, t: number) => special3(0x20, 0, t, d, 0x02),
  seb: (d: number, t: number) => special3(0x20, 0, t, d, 0x10),
  seh: (d: number, t: number) => special3(0x20, 0, t, d, 0x18),
  rdhwr: (t: number, d: number) => special3(0x3b, 0, t, d, 0),
  mfc0: (t: number, d: number, sel = 0) => u((0x10 << 26) | (0 << 21) | (t << 16) | (d << 11) | sel),
  mtc0: (t: number, d: number, sel = 0) => u((0x10 << 26) | (4 << 21) | (t << 16) | (d << 11) | sel),
  di: (t: number) => u((0x10 << 26) | (0x0b << 21) | (t << 16) | (12 << 11)),
  ei: (t: number) => u((0x10 << 26) | (0x0b << 21) | (t << 16) | (12 << 11) | 0x20),
  tlbr: () => 0x42000001,
  tlbwi: () => 0x42000002,
  tlbwr: () => 0x42000006,
  tlbp: () => 0x42000008,
  eret: () => 0x42000018,
  wait: () => 0x42000020,
  cop1: () => 0x44000000,
  cop2: () => 0x48000000,
};

/** Register numbers by ABI name. */
export const R = {
  zero: 0,
  at: 1,
  v0: 2,
  v1: 3,
  a0: 4,
  a1: 5,
  a2: 6,
  a3: 7,
  t0: 8,
  t1: 9,
  t2: 10,
  t3: 11,
  s0: 16,
  k0: 26,
  k1: 27,
  sp: 29,
  ra: 31,
};

export const CODE = 0x8000_1000;

export interface TestMachine {
  cpu: MipsCpu;
  memory: PhysicalMemory;
}

/** 1 MiB of RAM, the CPU after reset but with BEV = ERL = 0, EBase 0x80000000, pc at CODE. */
export function machine(
  code: number[],
  options: { bigEndian?: boolean; hooks?: MipsCpuHooks } = {},
): TestMachine {
  const memory = new PhysicalMemory({ ramSize: 1 << 20, bigEndian: options.bigEndian });
  const cpu = new MipsCpu({
    memory,
    tlb: new MipsTlb({ entries: 16 }),
    hooks: options.hooks,
    ...pathOptions(),
  });
  cpu.writeCp0(12, 0, 0);
  load(memory, CODE, code);
  // Exception vectors: each holds WAIT, so a test stops there and sees which vector ran.
  for (const v of [0x8000_0000, 0x8000_0180, 0x8000_0200]) load(memory, v, [I.wait()]);
  // The boot ROM (BEV vectors): every word is WAIT.
  memory.mapMmio(0x1fc0_0000, 0x1000, { read: () => I.wait(), write: () => {} });
  cpu.jump(CODE);
  return { cpu, memory };
}

export function load(memory: PhysicalMemory, va: number, words: number[]): void {
  const pa = va & 0x1fff_ffff;
  words.forEach((w, k) => {
    memory.write32(pa + 4 * k, w);
  });
}

/** Runs `code` (ending in WAIT) with registers preset; returns the machine. */
export function exec(code: number[], regs: Record<number, number> = {}): TestMachine {
  const m = machine([...code, I.wait()]);
  for (const [k, v] of Object.entries(regs)) m.cpu.r[Number(k)] = v;
  const why = m.cpu.run(10_000);
  if (why !== 'wait') throw new Error(`program did not reach WAIT: ${why} at ${m.cpu.pc.toString(16)}`);
  return m;
}

/** The vector the CPU stopped in: its WAIT is at (vector), pc is one past it. */
export const stoppedAt = (cpu: MipsCpu) => (cpu.pc - 4) >>> 0;
export const excCode = (cpu: MipsCpu) => (cpu.readCp0(13, 0) >>> 2) & 31;
