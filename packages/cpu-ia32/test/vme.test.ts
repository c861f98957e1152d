// CR4.VME (virtual-8086 mode extensions) and CR4.PVI (protected-mode virtual interrupts)
// against the Intel SDM (Vol. 3A §20.3-20.4, Table 20-2; Vol. 2: CLI, STI, PUSHF, POPF, INT n,
// IRET); not compared with QEMU (no QEMU program was written for these).
import { PhysicalMemory } from '@phantasm/mmu';
import { describe, expect, it } from 'vitest';
import { CPUID_FEATURES, Cpu } from '../src/index.js';

const GP = 13;
const TF = 0x100;
const IF = 0x200;
const IOPL3 = 0x3000;
const VM = 0x20000;
const VIF = 0x80000;
const VIP = 0x100000;
const CR4_VME = 1;
const CR4_PVI = 2;
const TSS = 0x3000;
/** The TSS's I/O map base: the redirection bitmap is the 32 bytes below it. */
const IOMAP = 0x88;
const REDIRECT = TSS + IOMAP - 32;
const HANDLER = 0x7000;
const V86_CS = 0x1000;
const V86_SS = 0x2000;
const V86_SP = 0x1000;
const V86_STACK = V86_SS * 16 + V86_SP;

interface Machine {
  cpu: Cpu;
  memory: PhysicalMemory;
  faults: [number, number | undefined][];
}

function descriptor(base: number, limit: number, access: number, flags: number): [number, number] {
  const lo = ((base & 0xffff) << 16) | (limit & 0xffff);
  const hi = (base & 0xff000000) | (flags << 20) | (limit & 0xf0000) | (access << 8) | ((base >>> 16) & 0xff);
  return [lo >>> 0, hi >>> 0];
}

/**
 * Flat protected mode (GDT 08 code0, 10 data0, 18 code3, 20 data3, 28 TSS with a redirection
 * bitmap and I/O map), an IDT whose DPL-3 interrupt gates 03h and 21h enter HANDLER at CPL 0,
 * and the 8086 program's vector 21h at 4000:0010.
 */
function machine(cr4: number): Machine {
  const memory = new PhysicalMemory({ ramSize: 4 << 20 });
  const cpu = new Cpu({ memory });
  const faults: Machine['faults'] = [];
  cpu.hooks = {
    onException: (vector, code) => {
      faults.push([vector, code]);
      cpu.requestStop();
      return true;
    },
  };
  const gdt = [
    [0, 0],
    descriptor(0, 0xfffff, 0x9a, 0xc),
    descriptor(0, 0xfffff, 0x92, 0xc),
    descriptor(0, 0xfffff, 0xfa, 0xc),
    descriptor(0, 0xfffff, 0xf2, 0xc),
    descriptor(TSS, IOMAP + 0x2000, 0x89, 0),
  ];
  gdt.forEach(([lo, hi], i) => {
    memory.write32(0x1000 + i * 8, lo);
    memory.write32(0x1004 + i * 8, hi);
  });
  memory.write32(TSS + 4, 0x80000); // ESP0
  memory.write32(TSS + 8, 0x10); // SS0
  memory.write16(TSS + 0x66, IOMAP);
  for (const v of [3, 0x21]) {
    memory.write32(0x6000 + v * 8, (0x08 << 16) | HANDLER);
    memory.write32(0x6004 + v * 8, 0xee00); // present, DPL 3, 32-bit interrupt gate
  }
  memory.write16(0x21 * 4, 0x0010); // the 8086 program's IVT entry 21h
  memory.write16(0x21 * 4 + 2, 0x4000);
  cpu.gdtr = { base: 0x1000, limit: gdt.length * 8 - 1 };
  cpu.idtr = { base: 0x6000, limit: 0x7ff };
  cpu.setControl(0, cpu.cr0 | 1);
  cpu.setControl(4, cr4);
  cpu.loadSegment('cs', 0x08);
  for (const s of ['ss', 'ds', 'es'] as const) cpu.loadSegment(s, 0x10);
  cpu.tr = { selector: 0x28, base: TSS, limit: IOMAP + 0x2000, rights: 0x8b };
  cpu.esp = 0x80000;
  return { cpu, memory, faults };
}

/** Enter v86 mode at 1000:0000 with stack 2000:1000 and the given extra EFLAGS bits. */
function v86(m: Machine, flags: number): void {
  m.cpu.eflags = VM | 2 | flags;
  for (const s of ['ss', 'ds', 'es', 'fs', 'gs'] as const) m.cpu.loadSegment(s, V86_SS);
  m.cpu.loadSegment('cs', V86_CS);
  m.cpu.eip = 0;
  m.cpu.esp = V86_SP;
}

/** Ring 3 of flat protected mode. */
function ring3(m: Machine, flags: number): void {
  m.cpu.setSegment('cs', { selector: 0x1b, base: 0, limit: 0xffffffff, rights: 0xc0fb });
  for (const s of ['ss', 'ds', 'es'] as const)
    m.cpu.setSegment(s, { selector: 0x23, base: 0, limit: 0xffffffff, rights: 0xc0f3 });
  m.cpu.eflags = 2 | flags;
  m.cpu.eip = 0x10000;
}

function exec(m: Machine, bytes: number[], count = 1): void {
  const lin = (m.cpu.getSegment('cs').base + m.cpu.eip) >>> 0;
  m.memory.ram.set(bytes, lin);
  m.cpu.run(count);
}

const CLI = 0xfa;
const STI = 0xfb;
const PUSHF = 0x9c;
const POPF = 0x9d;
const IRET = 0xcf;

describe('CPUID and CR4', () => {
  it('CPUID.1:EDX reports VME; CR4 takes VME and PVI', () => {
    expect(CPUID_FEATURES & 2).toBe(2);
    const m = machine(CR4_VME | CR4_PVI);
    expect(m.cpu.cr4 & 3).toBe(3);
  });
});

describe('virtual-8086 mode with CR4.VME, IOPL < 3', () => {
  it('CLI and STI work on VIF, IF stays; without VME they are #GP(0)', () => {
    const m = machine(CR4_VME);
    v86(m, IF | VIF);
    exec(m, [CLI]);
    expect(m.faults).toEqual([]);
    expect(m.cpu.eflags & (IF | VIF)).toBe(IF);
    exec(m, [STI]);
    expect(m.cpu.eflags & (IF | VIF)).toBe(IF | VIF);
    const classic = machine(0);
    v86(classic, IF);
    exec(classic, [CLI]);
    expect(classic.faults).toEqual([[GP, 0]]);
  });

  it('STI with VIP set is #GP(0) and changes nothing', () => {
    const m = machine(CR4_VME);
    v86(m, VIP);
    exec(m, [STI]);
    expect(m.faults).toEqual([[GP, 0]]);
    expect(m.cpu.eflags & VIF).toBe(0);
    expect(m.cpu.eip).toBe(0);
  });

  it('PUSHF pushes VIF as IF and IOPL as 3; PUSHFD is #GP(0)', () => {
    const m = machine(CR4_VME);
    v86(m, VIF | 0x1); // CF set, IF clear, VIF set
    exec(m, [PUSHF]);
    expect(m.faults).toEqual([]);
    expect(m.memory.read16(V86_STACK - 2)).toBe(0x3000 | IF | 0x2 | 0x1);
    m.cpu.eflags = (m.cpu.eflags & ~VIF) | IF;
    exec(m, [PUSHF]);
    expect(m.memory.read16(V86_STACK - 4) & (IF | IOPL3)).toBe(IOPL3);
    exec(m, [0x66, PUSHF]);
    expect(m.faults).toEqual([[GP, 0]]);
  });

  it('POPF moves the image IF to VIF, keeps IF and IOPL; TF, or IF with VIP pending, is #GP(0)', () => {
    const m = machine(CR4_VME);
    v86(m, IF);
    m.cpu.esp = V86_SP - 2;
    m.memory.write16(V86_STACK - 2, 0x3000 | 0x80 | 0x1 | 0x2); // IOPL 3, SF, CF, IF clear
    exec(m, [POPF]);
    expect(m.faults).toEqual([]);
    expect(m.cpu.eflags & 0x3fffff).toBe(VM | IF | 0x80 | 0x1 | 0x2); // VIF clear, IOPL still 0
    expect(m.cpu.esp).toBe(V86_SP);
    m.cpu.esp = V86_SP - 2;
    m.memory.write16(V86_STACK - 2, IF | 0x2);
    exec(m, [POPF]);
    expect(m.cpu.eflags & (VIF | IF)).toBe(VIF | IF);
    for (const [image, flags] of [
      [TF | 0x2, 0],
      [IF | 0x2, VIP],
    ]) {
      const f = machine(CR4_VME);
      v86(f, flags);
      f.cpu.esp = V86_SP - 2;
      f.memory.write16(V86_STACK - 2, image);
      exec(f, [POPF]);
      expect(f.faults).toEqual([[GP, 0]]);
      expect(f.cpu.esp).toBe(V86_SP - 2);
      expect(f.cpu.eflags & (VIF | TF)).toBe(0);
    }
    const d = machine(CR4_VME);
    v86(d, 0);
    exec(d, [0x66, POPF]);
    expect(d.faults).toEqual([[GP, 0]]);
  });

  it('IRET returns with the image IF as VIF; IRETD is #GP(0)', () => {
    const m = machine(CR4_VME);
    v86(m, 0);
    m.cpu.esp = V86_SP - 6;
    m.memory.write16(V86_STACK - 6, 0x1234);
    m.memory.write16(V86_STACK - 4, 0x3000);
    m.memory.write16(V86_STACK - 2, IF | 0x40 | 0x2);
    exec(m, [IRET]);
    expect(m.faults).toEqual([]);
    expect(m.cpu.getSegment('cs').selector).toBe(0x3000);
    expect(m.cpu.eip).toBe(0x1234);
    expect(m.cpu.eflags & (IF | VIF | 0x40)).toBe(VIF | 0x40);
    const d = machine(CR4_VME);
    v86(d, 0);
    exec(d, [0x66, IRET]);
    expect(d.faults).toEqual([[GP, 0]]);
  });

  it('INT n with its redirection bit clear enters the 8086 handler: VIF pushed as IF, VIF and TF cleared', () => {
    const m = machine(CR4_VME);
    v86(m, IF | VIF);
    exec(m, [0xcd, 0x21]);
    expect(m.faults).toEqual([]);
    expect(m.cpu.eflags & VM).toBe(VM);
    expect([m.cpu.getSegment('cs').selector, m.cpu.eip]).toEqual([0x4000, 0x10]);
    expect(m.memory.read16(V86_STACK - 2)).toBe(IOPL3 | IF | 0x2);
    expect(m.memory.read16(V86_STACK - 4)).toBe(V86_CS);
    expect(m.memory.read16(V86_STACK - 6)).toBe(2);
    expect(m.cpu.eflags & (IF | VIF)).toBe(IF);
  });

  it('INT n with its bit set is #GP(0); INT3 is never redirected (IDT)', () => {
    const m = machine(CR4_VME);
    m.memory.ram[REDIRECT + (0x21 >> 3)] = 1 << (0x21 & 7);
    v86(m, 0);
    exec(m, [0xcd, 0x21]);
    expect(m.faults).toEqual([[GP, 0]]);
    const b = machine(CR4_VME);
    v86(b, 0);
    exec(b, [0xcc]);
    expect(b.faults).toEqual([]);
    expect(b.cpu.eflags & VM).toBe(0);
    expect(b.cpu.eip).toBe(HANDLER);
  });
});

describe('virtual-8086 mode with CR4.VME, IOPL 3', () => {
  it('INT n redirected: the real FLAGS pushed, IF cleared', () => {
    const m = machine(CR4_VME);
    v86(m, IOPL3 | IF | TF);
    exec(m, [0xcd, 0x21]);
    expect([m.cpu.getSegment('cs').selector, m.cpu.eip]).toEqual([0x4000, 0x10]);
    expect(m.memory.read16(V86_STACK - 2)).toBe(IOPL3 | IF | TF | 0x2);
    expect(m.cpu.eflags & (IF | TF | VM)).toBe(VM);
  });

  it('INT n with its bit set goes to the protected-mode handler; CLI/PUSHF act on IF as without VME', () => {
    const m = machine(CR4_VME);
    m.memory.ram[REDIRECT + (0x21 >> 3)] = 1 << (0x21 & 7);
    v86(m, IOPL3 | IF);
    exec(m, [CLI]);
    expect(m.cpu.eflags & (IF | VIF)).toBe(0);
    exec(m, [PUSHF]);
    expect(m.memory.read16(V86_STACK - 2)).toBe(IOPL3 | 0x2);
    exec(m, [0xcd, 0x21]);
    expect(m.faults).toEqual([]);
    expect(m.cpu.eflags & VM).toBe(0);
    expect(m.cpu.eip).toBe(HANDLER);
  });

  it('a redirection bitmap beyond the TSS limit is #GP(0)', () => {
    const m = machine(CR4_VME);
    m.memory.write16(TSS + 0x66, 0x68 + 0x4000); // bitmap far past the limit
    v86(m, IOPL3);
    exec(m, [0xcd, 0x21]);
    expect(m.faults).toEqual([[GP, 0]]);
  });
});

describe('protected-mode virtual interrupts (CR4.PVI)', () => {
  it('at CPL 3 below IOPL, CLI and STI work on VIF; STI with VIP is #GP(0); without PVI both are #GP(0)', () => {
    const m = machine(CR4_PVI);
    ring3(m, IF | VIF);
    exec(m, [CLI]);
    expect(m.faults).toEqual([]);
    expect(m.cpu.eflags & (IF | VIF)).toBe(IF);
    exec(m, [STI]);
    expect(m.cpu.eflags & (IF | VIF)).toBe(IF | VIF);
    m.cpu.eflags |= VIP;
    exec(m, [STI]);
    expect(m.faults).toEqual([[GP, 0]]);
    const classic = machine(0);
    ring3(classic, IF);
    exec(classic, [CLI]);
    expect(classic.faults).toEqual([[GP, 0]]);
  });

  it('PUSHF/POPF are not virtualised: POPF leaves IF and VIF alone at CPL 3', () => {
    const m = machine(CR4_PVI);
    ring3(m, IF | VIF);
    m.cpu.esp = 0x8000 - 4;
    m.memory.write32(0x8000 - 4, 0x2);
    exec(m, [POPF]);
    expect(m.faults).toEqual([]);
    expect(m.cpu.eflags & (IF | VIF)).toBe(IF | VIF);
  });

  it('IRETD at CPL 0 loads VIF and VIP; POPFD at CPL 0 does not', () => {
    const m = machine(CR4_PVI);
    m.cpu.eip = 0x10000;
    m.cpu.esp = 0x8000 - 12;
    m.memory.write32(0x8000 - 12, 0x10010);
    m.memory.write32(0x8000 - 8, 0x08);
    m.memory.write32(0x8000 - 4, VIF | VIP | 0x2);
    exec(m, [IRET]);
    expect(m.faults).toEqual([]);
    expect(m.cpu.eip).toBe(0x10010);
    expect(m.cpu.eflags & (VIF | VIP)).toBe(VIF | VIP);
    m.cpu.esp = 0x8000 - 4;
    m.memory.write32(0x8000 - 4, 0x2);
    exec(m, [POPF]);
    expect(m.cpu.eflags & (VIF | VIP)).toBe(VIF | VIP);
  });
});
