// Branches and delay slots, branch-likely nullification, exceptions and their vectors (BEV, EXL
// nesting, refill vs general, delay slots), interrupts and Count/Compare, WAIT, hooks, state.
import { MIPS_MODE_USER, PhysicalMemory } from '@phantasm/mmu';
import { describe, expect, it } from 'vitest';
import { disassemble, EXC, MipsCpu, MipsStateError } from '../src/index.js';
import { CODE, excCode, exec, I, machine, pathOptions, R, stoppedAt } from './helpers.js';

const { a0, a1, v0, t0, ra } = R;

describe('branches and delay slots', () => {
  type Row = [name: string, branch: number, a: number, taken: boolean, likely: boolean];
  const rows: Row[] = [
    ['beq taken', I.beq(a0, a1, 3), 0, true, false],
    ['beq not taken', I.beq(a0, a1, 3), 1, false, false],
    ['bne', I.bne(a0, a1, 3), 1, true, false],
    ['blez', I.blez(a0, 3), 0, true, false],
    ['bgtz', I.bgtz(a0, 3), 0, false, false],
    ['bltz', I.bltz(a0, 3), -1, true, false],
    ['bgez', I.bgez(a0, 3), -1, false, false],
    ['beql taken', I.beql(a0, a1, 3), 0, true, true],
    ['beql not taken nullifies', I.beql(a0, a1, 3), 1, false, true],
    ['bnel not taken', I.bnel(a0, a1, 3), 0, false, true],
    ['blezl', I.blezl(a0, 3), 5, false, true],
    ['bgtzl', I.bgtzl(a0, 3), 5, true, true],
    ['bltzl', I.bltzl(a0, 3), 5, false, true],
    ['bgezl', I.bgezl(a0, 3), 5, true, true],
  ];
  it.each(rows)('%s', (_n, branch, a, taken, likely) => {
    // branch; slot: v0 += 1; skipped: v0 += 10; skipped: v0 += 100; target: v0 += 1000
    const { cpu } = exec(
      [branch, I.addiu(v0, v0, 1), I.addiu(v0, v0, 10), I.addiu(v0, v0, 100), I.addiu(v0, v0, 1000)],
      {
        [a0]: a,
        [a1]: 0,
      },
    );
    const slot = likely && !taken ? 0 : 1;
    expect(cpu.r[v0]).toBe(slot + (taken ? 1000 : 1110));
  });

  it('link registers: jal, jalr, bltzal (written even when not taken), bgezall', () => {
    const m = machine([I.jal(CODE + 16), I.nop(), I.wait(), I.wait(), I.bltzal(a0, 2), I.nop(), I.wait()]);
    m.cpu.r[a0] = 1;
    m.cpu.run(100);
    expect(m.cpu.r[ra]).toBe((CODE + 24) | 0); // bltzal at CODE+16 not taken, link = +8
    const m2 = machine([I.jalr(t0, a1), I.nop(), I.wait(), I.wait(), I.bgezall(0, -3), I.nop(), I.wait()]);
    m2.cpu.r[a1] = CODE + 16;
    m2.cpu.run(100);
    expect(m2.cpu.r[t0]).toBe((CODE + 8) | 0);
    expect(m2.cpu.r[ra]).toBe((CODE + 24) | 0);
    expect(stoppedAt(m2.cpu)).toBe(CODE + 8); // bgezall r0 taken back to CODE+8 (WAIT)
  });

  it('jr reads its target before the delay slot changes the register; jr.hb behaves as jr', () => {
    const m = machine([I.jr(a0), I.addiu(a0, a0, 64), I.wait(), I.wait(), I.jrhb(a0), I.nop()]);
    m.cpu.r[a0] = CODE + 16;
    m.cpu.run(4);
    expect(m.cpu.pc).toBe(CODE + 80);
    expect(m.cpu.r[a0]).toBe((CODE + 80) | 0);
  });

  it('an exception in a delay slot sets EPC to the branch and Cause.BD', () => {
    const m = machine([I.nop(), I.beq(0, 0, 4), I.lw(t0, 1, 0)]);
    m.cpu.run(100);
    expect(stoppedAt(m.cpu)).toBe(0x8000_0180);
    expect(excCode(m.cpu)).toBe(EXC.AdEL);
    expect(m.cpu.epc).toBe(CODE + 4);
    expect(m.cpu.readCp0(13, 0) >>> 31).toBe(1);
    expect(m.cpu.tlb.badVAddr).toBe(1);
  });
});

describe('exceptions', () => {
  type Row = [name: string, code: number[], exc: number, regs?: Record<number, number>, badVAddr?: number];
  const rows: Row[] = [
    ['add overflow', [I.add(v0, a0, a0)], EXC.Ov, { [a0]: 0x40000000 }],
    ['sub overflow', [I.sub(v0, a0, a1)], EXC.Ov, { [a0]: -0x80000000, [a1]: 1 }],
    ['addi overflow', [I.addi(v0, a0, 1)], EXC.Ov, { [a0]: 0x7fffffff }],
    ['teq', [I.teq(a0, a0)], EXC.Tr],
    ['tne', [I.tne(a0, a1)], EXC.Tr, { [a1]: 1 }],
    ['tge', [I.tge(a0, a1)], EXC.Tr, { [a0]: 0, [a1]: -1 }],
    ['tgeu', [I.tgeu(a0, a1)], EXC.Tr, { [a0]: -1, [a1]: 1 }],
    ['tlt', [I.tlt(a0, a1)], EXC.Tr, { [a0]: -1, [a1]: 1 }],
    ['tltu', [I.tltu(a0, a1)], EXC.Tr, { [a0]: 1, [a1]: -1 }],
    ['teqi', [I.teqi(a0, -1)], EXC.Tr, { [a0]: -1 }],
    ['tnei', [I.tnei(a0, 0)], EXC.Tr, { [a0]: 1 }],
    ['tgei', [I.tgei(a0, -1)], EXC.Tr, { [a0]: 0 }],
    ['tgeiu', [I.tgeiu(a0, -1)], EXC.Tr, { [a0]: -1 }],
    ['tlti', [I.tlti(a0, 0)], EXC.Tr, { [a0]: -1 }],
    ['tltiu', [I.tltiu(a0, -1)], EXC.Tr, { [a0]: 5 }],
    ['syscall', [I.syscall()], EXC.Sys],
    ['break', [I.brk()], EXC.Bp],
    ['reserved opcode', [0xfc000000], EXC.RI],
    ['reserved SPECIAL funct', [0x0000003f], EXC.RI],
    ['lw misaligned', [I.lw(v0, 2, a0)], EXC.AdEL, { [a0]: 0x80000100 }, 0x80000102],
    ['lh misaligned', [I.lh(v0, 1, a0)], EXC.AdEL, { [a0]: 0x80000100 }, 0x80000101],
    ['sw misaligned', [I.sw(v0, 1, a0)], EXC.AdES, { [a0]: 0x80000100 }, 0x80000101],
    ['sh misaligned', [I.sh(v0, 3, a0)], EXC.AdES, { [a0]: 0x80000100 }, 0x80000103],
    ['sc misaligned', [I.sc(v0, 2, a0)], EXC.AdES, { [a0]: 0x80000100 }, 0x80000102],
    ['TLB refill load (kuseg, no entry)', [I.lw(v0, 0, a0)], EXC.TLBL, { [a0]: 0x00400000 }, 0x00400000],
    ['synci translates', [I.synci(a0, 0)], EXC.TLBL, { [a0]: 0x00500000 }, 0x00500000],
    ['cache translates', [I.cache(0x15, 0, a0)], EXC.TLBL, { [a0]: 0x00500000 }, 0x00500000],
    ['rdhwr of an absent register', [I.rdhwr(v0, 5)], EXC.RI],
  ];
  it.each(rows)('%s', (_n, code, exc, regs = {}, badVAddr) => {
    const m = machine([I.addiu(v0, 0, 77), ...code, I.wait()]);
    for (const [k, v] of Object.entries(regs)) m.cpu.r[Number(k)] = v;
    expect(m.cpu.run(100)).toBe('wait');
    expect(excCode(m.cpu)).toBe(exc);
    expect(m.cpu.epc).toBe(CODE + 4);
    expect(m.cpu.r[v0]).toBe(77); // the destination is not written
    if (badVAddr !== undefined) expect(m.cpu.tlb.badVAddr).toBe(badVAddr);
    const vector = exc === EXC.TLBL ? 0x8000_0000 : 0x8000_0180;
    expect(stoppedAt(m.cpu)).toBe(vector);
    expect(m.cpu.status & 2).toBe(2); // EXL
  });

  it('coprocessor unusable sets Cause.CE; CP0 and CACHE are unusable in user mode', () => {
    for (const [word, ce] of [
      [I.cop1(), 1],
      [I.lwc1(0, 0, 0), 1],
      [I.cop2(), 2],
    ] as const) {
      const m = machine([word]);
      m.cpu.run(10);
      expect([excCode(m.cpu), (m.cpu.readCp0(13, 0) >>> 28) & 3]).toEqual([EXC.CpU, ce]);
    }
    for (const word of [I.mfc0(t0, 12), I.cache(0, 0, 0), I.eret(), I.wait(), I.di(0)]) {
      const m = machine([]);
      m.cpu.tlb.setIndex(0);
      m.cpu.tlb.setEntryHi(0);
      m.cpu.tlb.setEntryLo0(((0x1000 >> 12) << 6) | 0x1f);
      m.cpu.tlb.setEntryLo1(0x1f);
      m.cpu.tlb.tlbwi();
      m.memory.write32(0x1000, word);
      m.cpu.epc = 0;
      m.cpu.writeCp0(12, 0, 0x12); // UM + EXL
      m.cpu.eret();
      expect(m.cpu.mode).toBe(MIPS_MODE_USER);
      m.cpu.jump(0);
      m.cpu.run(10);
      expect([excCode(m.cpu), (m.cpu.readCp0(13, 0) >>> 28) & 3]).toEqual([EXC.CpU, 0]);
      expect(m.cpu.epc).toBe(0);
    }
  });

  it('user mode: kseg0 access is an address error; RDHWR obeys HWREna', () => {
    const m = machine([]);
    m.cpu.writeCp0(12, 0, 0x10);
    m.cpu.writeCp0(12, 0, 0x10);
    expect(m.cpu.mode).toBe(MIPS_MODE_USER);
    m.cpu.jump(CODE); // user fetch from kseg0: AdEL with BadVAddr = pc
    m.cpu.run(1);
    expect([excCode(m.cpu), m.cpu.tlb.badVAddr, m.cpu.epc]).toEqual([EXC.AdEL, CODE, CODE]);
  });

  it('EXL nesting: EPC kept, refill goes to the general vector; BEV=1 uses the boot ROM vectors', () => {
    const m = machine([I.lw(v0, 0, a0)]);
    m.cpu.r[a0] = 0x00400000;
    m.cpu.writeCp0(12, 0, 0x2); // EXL
    m.cpu.epc = 0x1234;
    m.cpu.run(10);
    expect([stoppedAt(m.cpu), m.cpu.epc, excCode(m.cpu)]).toEqual([0x8000_0180, 0x1234, EXC.TLBL]);
    const b = machine([I.lw(v0, 0, a0)]);
    b.cpu.r[a0] = 0x00400000;
    b.cpu.writeCp0(12, 0, 1 << 22); // BEV
    b.cpu.run(10);
    expect(stoppedAt(b.cpu)).toBe(0xbfc0_0200);
    const g = machine([I.syscall()]);
    g.cpu.writeCp0(12, 0, 1 << 22);
    g.cpu.run(10);
    expect(stoppedAt(g.cpu)).toBe(0xbfc0_0380);
  });

  it('EBase moves the vectors; reset starts at 0xBFC00000 with ERL and BEV', () => {
    const m = machine([I.syscall()]);
    m.cpu.writeCp0(15, 1, 0x8004_0000);
    m.memory.write32(0x40180, I.wait());
    m.cpu.run(10);
    expect(stoppedAt(m.cpu)).toBe(0x8004_0180);
    m.cpu.reset();
    expect([m.cpu.pc, m.cpu.status]).toEqual([0xbfc0_0000, (1 << 22) | 4]);
    expect(m.cpu.readCp0(15, 0)).toBe(0x0001_9300);
  });

  it('LL/SC: SC succeeds after LL, fails after ERET cleared LLbit', () => {
    const m = exec([I.ll(t0, 0, a0), I.addiu(t0, t0, 1), I.sc(t0, 0, a0)], { [a0]: 0x80000100 });
    expect([m.cpu.r[t0], m.memory.read32(0x100)]).toEqual([1, 1]);
    const n = machine([I.ll(t0, 0, a0), I.addiu(t0, t0, 1), I.sc(t0, 0, a0), I.wait()]);
    n.cpu.r[a0] = 0x80000100;
    n.cpu.step();
    n.cpu.epc = n.cpu.pc;
    n.cpu.writeCp0(12, 0, 2);
    n.cpu.eret();
    n.cpu.run(10);
    expect([n.cpu.r[t0], n.memory.read32(0x100)]).toEqual([0, 0]);
  });

  it('hooks: a handled exception leaves CP0 alone and resumes where the host says', () => {
    const seen: Array<[number, number, boolean]> = [];
    const m = machine([I.syscall(), I.addiu(v0, 0, 5), I.wait()], {
      hooks: {
        onException(code, epc, bd, cpu) {
          seen.push([code, epc, bd]);
          cpu.jump(epc + 4);
          return true;
        },
      },
    });
    expect(m.cpu.run(100)).toBe('wait');
    expect(seen).toEqual([[EXC.Sys, CODE, false]]);
    expect([m.cpu.r[v0], m.cpu.status & 2]).toEqual([5, 0]);
  });
});

describe('interrupts and the timer', () => {
  it('Count/Compare raises TI on IP7; writing Compare clears it; the interrupt vector follows Cause.IV', () => {
    const loop = [I.beq(0, 0, -1), I.nop()];
    const m = machine(loop);
    m.cpu.writeCp0(11, 0, 100);
    m.cpu.writeCp0(9, 0, 0);
    m.cpu.run(150);
    expect(m.cpu.timerPending).toBe(false);
    m.cpu.run(60);
    expect(m.cpu.readCp0(13, 0) & 0x4000_8000).toBe(0x4000_8000 | 0);
    expect(m.cpu.count).toBe(105);
    m.cpu.writeCp0(11, 0, 300);
    expect(m.cpu.readCp0(13, 0) & 0x4000_8000).toBe(0);
    m.cpu.writeCp0(13, 0, 1 << 23); // IV
    m.cpu.writeCp0(12, 0, 0x8001); // IM7, IE
    m.cpu.run(1000);
    expect(stoppedAt(m.cpu)).toBe(0x8000_0200);
    expect(excCode(m.cpu)).toBe(EXC.Int);
    expect(m.cpu.epc === CODE || m.cpu.epc === CODE + 4).toBe(true);
  });

  it('software interrupts, hardware lines, masking by IM/IE/EXL; EI/DI', () => {
    const m = machine([I.ei(t0), I.nop(), I.nop(), I.wait()]);
    m.cpu.writeCp0(12, 0, 0x0400); // IM2, IE clear
    m.cpu.setInterruptLine(0, true);
    m.cpu.run(1);
    expect(m.cpu.r[t0]).toBe(0x0400);
    m.cpu.run(1);
    expect(stoppedAt(m.cpu) === 0x8000_0180 || m.cpu.pc === 0x8000_0180).toBe(true);
    expect(excCode(m.cpu)).toBe(EXC.Int);
    expect(m.cpu.epc).toBe(CODE + 4);
    expect(m.cpu.readCp0(13, 0) & 0xff00).toBe(0x0400);
    expect(() => m.cpu.setInterruptLine(6, true)).toThrow();
    const s = machine([I.nop(), I.nop(), I.wait()]);
    s.cpu.writeCp0(12, 0, 0x0201);
    s.cpu.writeCp0(13, 0, 0x0200); // IP1
    s.cpu.run(5);
    expect(stoppedAt(s.cpu)).toBe(0x8000_0180);
    expect(s.cpu.epc).toBe(CODE);
  });

  it('an interrupt pending before a delay slot returns to the branch (BD)', () => {
    const m = machine([I.beq(0, 0, 3), I.nop()]);
    m.cpu.writeCp0(12, 0, 0x0401);
    m.cpu.run(1);
    m.cpu.setInterruptLine(0, true);
    m.cpu.run(1);
    expect([m.cpu.epc, m.cpu.readCp0(13, 0) >>> 31]).toEqual([CODE, 1]);
  });

  it('WAIT: returns "wait", lets time pass to the timer, wakes on the timer interrupt', () => {
    const m = machine([I.wait(), I.nop()]);
    expect(m.cpu.run(10)).toBe('wait');
    m.cpu.writeCp0(11, 0, m.cpu.count + 1000);
    m.cpu.writeCp0(12, 0, 0x8001);
    expect(m.cpu.run(5000)).toBe('wait'); // woke, took the interrupt, WAIT at the vector
    expect(stoppedAt(m.cpu)).toBe(0x8000_0180);
    expect(m.cpu.epc).toBe(CODE + 4);
  });

  it('requestStop returns breakpoint', () => {
    const m = machine([I.beq(0, 0, -1), I.nop()]);
    m.cpu.requestStop();
    expect(m.cpu.run(100)).toBe('breakpoint');
    expect(m.cpu.run(100)).toBe('budget');
  });
});

describe('state, big-endian, robustness', () => {
  it('saveState/loadState round-trips through JSON and rejects bad states', () => {
    const m = machine([I.addiu(v0, v0, 1), I.beq(0, 0, -2), I.nop()]);
    m.cpu.tlb.setIndex(3);
    m.cpu.tlb.setEntryHi(0x00400005);
    m.cpu.tlb.setEntryLo0(0x5f);
    m.cpu.tlb.tlbwi();
    m.cpu.writeCp0(11, 0, 50);
    m.cpu.run(33);
    const saved = JSON.parse(JSON.stringify(m.cpu.saveState()));
    m.cpu.run(77);
    const after = m.cpu.saveState();
    const n = new MipsCpu({ memory: m.memory, ...pathOptions() });
    n.loadState(saved);
    n.run(77);
    expect(n.saveState()).toEqual(after);
    expect(() => n.loadState({ ...saved, version: 99 })).toThrow(MipsStateError);
    expect(() => n.loadState({ ...saved, gpr: [1] })).toThrow(MipsStateError);
    expect(n.saveState()).toEqual(after);
  });

  it('big-endian: loads, stores, LWL/LWR and fetch follow the bus byte order', () => {
    const memory = new PhysicalMemory({ ramSize: 1 << 20, bigEndian: true });
    const cpu = new MipsCpu({ memory, ...pathOptions() });
    const code = [I.lw(t0, 0, a0), I.lb(v0, 0, a0), I.lwl(a1, 1, a0), I.lwr(a1, 4, a0), I.wait()];
    code.forEach((w, k) => {
      memory.write32(0x1000 + 4 * k, w);
    });
    memory.write32(0x100, 0x11223344);
    memory.write32(0x104, 0x55667788);
    cpu.writeCp0(12, 0, 0);
    cpu.jump(CODE);
    cpu.r[a0] = 0x80000100;
    expect(cpu.run(100)).toBe('wait');
    expect([cpu.r[t0], cpu.r[v0], cpu.r[a1]]).toEqual([0x11223344, 0x11, 0x22334455]);
    expect(cpu.readCp0(16, 0) & (1 << 15)).toBe(1 << 15);
  });

  it('random instruction words never throw a host exception, in kernel and user mode', () => {
    let seed = 7;
    for (let trial = 0; trial < 300; trial++) {
      const words: number[] = [];
      for (let k = 0; k < 64; k++) {
        seed = (Math.imul(seed, 1664525) + 1013904223) | 0;
        words.push(seed >>> 0);
      }
      const m = machine(words);
      if (trial % 2 === 1) m.cpu.writeCp0(12, 0, 0x10);
      for (let r = 1; r < 32; r++) m.cpu.r[r] = Math.imul(r, 0x01010101) ^ seed;
      expect(() => m.cpu.run(500)).not.toThrow();
    }
  });

  it('disassembles through the decode table', () => {
    expect(disassemble(I.addu(v0, a0, a1))).toBe('addu $v0, $a0, $a1');
    expect(disassemble(I.lw(t0, -4, R.sp))).toBe('lw $t0, -4($sp)');
    expect(disassemble(I.rotr(v0, a1, 8))).toBe('rotr $v0, $a1, 8');
    expect(disassemble(I.beq(a0, 0, 3), 0x1000)).toBe('beq $a0, $zero, 0x1010');
    expect(disassemble(I.ext(v0, a0, 4, 8))).toBe('ext $v0, $a0, 4, 8');
    expect(disassemble(0xfc000000)).toBe('.word 0xfc000000');
  });
});
