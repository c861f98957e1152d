// x87 rules that a user-mode oracle cannot show, checked against the Intel SDM: #NM from
// CR0.EM/MP/TS, #MF (CR0.NE = 1) or FERR# (CR0.NE = 0) for pending unmasked exceptions, the
// environment and state images in the four layouts, the last-instruction pointers, RESET and
// snapshots.
import { PhysicalMemory } from '@phantasm/mmu';
import { describe, expect, it } from 'vitest';
import { Cpu, CpuError, type CpuState } from '../src/index.js';
import { CODE, DATA, x87Machine } from './x87/machine.js';

const FLD1 = [0xd9, 0xe8];
const FLDZ = [0xd9, 0xee];
const FDIVP = [0xde, 0xf9]; // ST(1) = ST(1) / ST(0), pop
const FLDCW_ESI = [0xd9, 0x2e]; // fldcw [esi]
const FWAIT = [0x9b];
const HLT = [0xf4];

/** Flat 32-bit machine with the program at CODE; `cw` stored at DATA for FLDCW. */
function program(bytes: number[], cr0Set = 0, cr0Clear = 0) {
  const m = x87Machine();
  m.memory.ram.set(bytes, CODE);
  m.cpu.setControl(0, (m.cpu.cr0 | cr0Set) & ~cr0Clear);
  m.cpu.eip = CODE;
  m.cpu.esi = DATA;
  m.cpu.fpu.init();
  return m;
}

describe('x87: CR0.EM, MP and TS', () => {
  it('ESC is #NM with EM or TS; WAIT is #NM only with MP and TS together', () => {
    const cases: [number, number[], number[]][] = [
      [0x4, FLD1, [7]], // EM
      [0x8, FLD1, [7]], // TS
      [0x2 | 0x8, FWAIT, [7]], // MP + TS
      [0x8, FWAIT, []], // TS alone: WAIT runs
      [0x4 | 0x2, FWAIT, []], // EM does not affect WAIT
      [0, FLD1, []],
    ];
    for (const [bits, code, vectors] of cases) {
      const m = program([...code, ...HLT], bits, (0x2 | 0x4 | 0x8) & ~bits);
      m.cpu.run(5);
      expect(m.faults, `CR0 bits ${bits.toString(16)} ${code}`).toEqual(vectors);
    }
  });
});

describe('x87: pending unmasked exceptions', () => {
  const divideByZero = [...FLDCW_ESI, ...FLD1, ...FLDZ, ...FDIVP];

  it('CR0.NE = 1: the next waiting instruction raises #MF at its own address; FNSTSW, FNCLEX do not', () => {
    const m = program([...divideByZero, ...FLD1, ...HLT]);
    m.memory.write16(DATA, 0x037b); // ZE unmasked
    m.cpu.run(20);
    expect(m.faults).toEqual([16]);
    expect(m.cpu.eip).toBe(CODE + divideByZero.length);
    expect(m.cpu.fpu.status & 0x8084).toBe(0x8084); // B, ES, ZE
    // FDIVP did not complete: no pop, ST(0) still 0 and ST(1) 1.
    expect(m.cpu.fpu.top).toBe(6);

    const w = program([...divideByZero, ...FWAIT, ...HLT]);
    w.memory.write16(DATA, 0x037b);
    w.cpu.run(20);
    expect(w.faults).toEqual([16]);
    expect(w.cpu.eip).toBe(CODE + divideByZero.length);

    // fnstsw ax; fnclex; fld1; hlt — no fault; AX has the ES and ZE bits.
    const n = program([...divideByZero, 0xdf, 0xe0, 0xdb, 0xe2, ...FLD1, ...HLT]);
    n.memory.write16(DATA, 0x037b);
    expect(n.cpu.run(20)).toBe('hlt');
    expect(n.faults).toEqual([]);
    expect(n.cpu.eax & 0x84).toBe(0x84);
    expect(n.cpu.fpu.status & 0xff).toBe(0);
  });

  it('CR0.NE = 0: FERR# (onFpuError) when the exception occurs, and execution goes on (IGNNE#)', () => {
    const m = program([...divideByZero, ...FLD1, ...HLT], 0, 0x20);
    m.memory.write16(DATA, 0x037b);
    let ferr = 0;
    m.cpu.hooks.onFpuError = () => {
      ferr++;
    };
    expect(m.cpu.run(20)).toBe('hlt');
    expect(m.faults).toEqual([]);
    expect(ferr).toBe(1);
  });

  it('a masked exception only sets its flag: divide by zero gives infinity', () => {
    const m = program([...FLD1, ...FLDZ, ...FDIVP, ...HLT]);
    m.cpu.run(20);
    expect(m.faults).toEqual([]);
    expect(m.cpu.fpu.status & 0x3f).toBe(0x04);
    expect(m.cpu.fpu.st(0)).toEqual({ s: 0, e: 0x7fff, m: 1n << 63n });
  });
});

/** Real-mode CPU at 0000:1000 with data at 0000:2000. */
function realMode(bytes: number[]) {
  const memory = new PhysicalMemory({ ramSize: 1 << 20 });
  const cpu = new Cpu({ memory });
  const faults: number[] = [];
  cpu.hooks = {
    onException: (v) => {
      faults.push(v);
      cpu.requestStop();
      return true;
    },
  };
  cpu.setSegment('cs', { selector: 0x100, base: 0x1000, limit: 0xffff, rights: 0x9b });
  cpu.loadSegment('ds', 0x200);
  cpu.eip = 0;
  cpu.esi = 0x10;
  cpu.setControl(0, cpu.cr0 & ~0x6000000e);
  memory.ram.set(bytes, 0x1000);
  cpu.fpu.init();
  return { cpu, memory, faults };
}

describe('x87: environment images (FNSTENV/FLDENV, FNSAVE/FRSTOR)', () => {
  it('32-bit protected layout: CW, SW, TW, FIP, FCS|FOP<<16, FDP, FDS (SDM figure 8-9)', () => {
    // fld1; fld dword [esi+8]; fnstenv [esi+20h]; hlt
    const code = [...FLD1, 0xd9, 0x46, 0x08, 0xd9, 0x76, 0x20, ...HLT];
    const m = program(code);
    m.memory.write32(DATA + 8, 0x40490fdb); // 3.14159274f
    m.cpu.run(10);
    const env = DATA + 0x20;
    const r = (o: number) => m.memory.read32(env + o) >>> 0;
    expect(r(0) & 0xffff).toBe(0x037f);
    expect((r(4) >> 11) & 7).toBe(6);
    expect(r(8) & 0xffff).toBe(0x0fff); // R7 and R6 valid (00), the rest empty
    expect(r(12)).toBe(CODE + 2); // FIP: the FLD m32
    expect(r(16)).toBe(0x08 | ((((0xd9 & 7) << 8) | 0x46) << 16)); // FCS and FOP
    expect(r(20)).toBe(DATA + 8); // FDP
    expect(r(24) & 0xffff).toBe(0x10); // FDS
    // FNSTENV masks every exception afterwards.
    expect(m.cpu.fpu.cw & 0x3f).toBe(0x3f);
  });

  it('16-bit real-mode layout: 20-bit linear instruction and data pointers with the opcode', () => {
    // fld1; fld dword [si+8]; fnstenv [si+20h]; hlt
    const code = [...FLD1, 0xd9, 0x44, 0x08, 0xd9, 0x74, 0x20, ...HLT];
    const m = realMode(code);
    m.cpu.run(10);
    expect(m.faults).toEqual([]);
    const env = 0x2000 + 0x10 + 0x20;
    const w = (i: number) => m.memory.read16(env + i * 2);
    expect(w(0)).toBe(0x037f);
    expect(w(3)).toBe(0x1002 & 0xffff); // FIP[15:0] (linear 1002h)
    expect(w(4)).toBe((0 << 12) | 0x144); // FIP[19:16] << 12 | FOP (D9 44 → 144h)
    expect(w(5)).toBe(0x2018); // FDP[15:0]
    expect(w(6)).toBe(0);
  });

  it('16-bit protected layout (operand-size prefix): CW, SW, TW, FIP, FCS, FDP, FDS as words, no FOP (SDM figure 8-11)', () => {
    // fld1; fld dword [esi+8]; o16 fnstenv [esi+20h]; hlt
    const code = [...FLD1, 0xd9, 0x46, 0x08, 0x66, 0xd9, 0x76, 0x20, ...HLT];
    const m = program(code);
    m.memory.write32(DATA + 8, 0x40490fdb);
    m.cpu.run(10);
    const w = (i: number) => m.memory.read16(DATA + 0x20 + i * 2);
    expect(w(0)).toBe(0x037f);
    expect((w(1) >> 11) & 7).toBe(6);
    expect(w(2)).toBe(0x0fff);
    expect(w(3)).toBe((CODE + 2) & 0xffff); // FIP offset
    expect(w(4)).toBe(0x08); // FCS
    expect(w(5)).toBe((DATA + 8) & 0xffff); // FDP offset
    expect(w(6)).toBe(0x10); // FDS
    expect(m.memory.read16(DATA + 0x20 + 14)).toBe(0); // nothing past the 14-byte image
  });

  it('32-bit real-mode layout (operand-size prefix): linear FIP/FDP split at bit 16, FOP beside FIP[31:16] (SDM figure 8-10)', () => {
    // fld1; fld dword [si+8]; o32 fnstenv [si+20h]; hlt
    const code = [...FLD1, 0xd9, 0x44, 0x08, 0x66, 0xd9, 0x74, 0x20, ...HLT];
    const m = realMode([]);
    // Code at 1100:0000 and data at 2200:0000, so both pointers have bits above 16.
    m.memory.ram.set(code, 0x11000);
    m.cpu.setSegment('cs', { selector: 0x1100, base: 0x11000, limit: 0xffff, rights: 0x9b });
    m.cpu.loadSegment('ds', 0x2200);
    m.memory.write32(0x22000 + 0x10 + 8, 0x40490fdb);
    m.cpu.run(10);
    expect(m.faults).toEqual([]);
    const d = (i: number) => m.memory.read32(0x22000 + 0x10 + 0x20 + i * 4) >>> 0;
    expect(d(0) & 0xffff).toBe(0x037f);
    expect(d(2) & 0xffff).toBe(0x0fff);
    expect(d(3) & 0xffff).toBe(0x1002); // FIP[15:0] (linear 11002h)
    expect(d(4)).toBe((0x1 << 12) | 0x144); // FIP[31:16] << 12 | FOP (D9 44 -> 144h)
    expect(d(5) & 0xffff).toBe(0x2018); // FDP[15:0] (linear 22018h)
    expect(d(6)).toBe(0x2 << 12); // FDP[31:16] << 12
  });

  it('FNSAVE stores the registers in stack order and re-initialises; FRSTOR brings them back (16-bit real)', () => {
    // fld1; fldpi; fnsave [si+20h]; fld1; frstor [si+20h]; hlt
    const code = [...FLD1, 0xd9, 0xeb, 0xdd, 0x74, 0x20, ...FLD1, 0xdd, 0x64, 0x20, ...HLT];
    const m = realMode(code);
    const cpu = m.cpu;
    cpu.run(3);
    expect(cpu.fpu.empty).toBe(0xff); // FNINIT after the save
    expect(cpu.fpu.cw).toBe(0x037f);
    const img = 0x2000 + 0x10 + 0x20;
    // ST(0) = pi at offset 14 (16-bit environment), ST(1) = 1.0 at 24.
    expect(m.memory.read16(img + 14 + 8)).toBe(0x4000);
    expect(m.memory.read16(img + 24 + 8)).toBe(0x3fff);
    cpu.run(3);
    expect(m.faults).toEqual([]);
    expect(cpu.fpu.top).toBe(6);
    expect(cpu.fpu.st(0).e).toBe(0x4000);
    expect(cpu.fpu.st(1)).toEqual({ s: 0, e: 0x3fff, m: 1n << 63n });
  });

  it('FLDENV of an image with an unmasked exception flag makes the next waiting instruction #MF', () => {
    // fldenv [esi+20h]; fld1 — the image has IE set and unmasked
    const code = [0xd9, 0x66, 0x20, ...FLD1, ...HLT];
    const m = program(code);
    const env = DATA + 0x20;
    m.memory.write32(env, 0xffff037e); // IE unmasked
    m.memory.write32(env + 4, 0xffff0001); // IE set
    m.memory.write32(env + 8, 0xffffffff);
    m.cpu.run(10);
    expect(m.faults).toEqual([16]);
    expect(m.cpu.eip).toBe(CODE + 3);
  });
});

describe('x87: RESET, instruction pointers and snapshots', () => {
  it('RESET leaves CW 0040h, tags valid, registers +0 (SDM Vol. 3, table 9-1); FNINIT gives 037Fh, all empty', () => {
    const cpu = new Cpu({ memory: new PhysicalMemory({ ramSize: 1 << 20 }) });
    expect(cpu.fpu.cw).toBe(0x40);
    expect(cpu.fpu.tagWord).toBe(0x5555);
    cpu.fpu.init();
    expect([cpu.fpu.cw, cpu.fpu.status, cpu.fpu.tagWord]).toEqual([0x37f, 0, 0xffff]);
  });

  it('saveState/loadState carry the whole FPU; a state without it loads as after FNINIT; a bad one is refused', () => {
    const m = program([...FLD1, 0xd9, 0xeb, 0xde, 0xc1, ...HLT]);
    m.memory.write16(DATA, 0x0b7f);
    m.cpu.run(3);
    const state = JSON.parse(JSON.stringify(m.cpu.saveState())) as CpuState;
    const other = x87Machine();
    other.cpu.loadState(state);
    expect(other.cpu.fpu.save()).toEqual(m.cpu.fpu.save());
    expect(other.cpu.fpu.st(0)).toEqual(m.cpu.fpu.st(0));
    const old = { ...state, fpu: undefined };
    other.cpu.loadState(old);
    expect([other.cpu.fpu.cw, other.cpu.fpu.tagWord]).toEqual([0x37f, 0xffff]);
    const bad = { ...state, fpu: { ...state.fpu, regs: ['zz'] } } as CpuState;
    expect(() => other.cpu.loadState(bad)).toThrow(CpuError);
  });
});
