// The Pentium / Pentium Pro integer additions, checked against the Intel SDM (Vol. 2 for the
// instructions, Vol. 3A/4 for CR4, the TSC and the MSRs): CPUID, RDTSC and CR4.TSD, RDMSR/WRMSR,
// RDPMC, UD2, CMOVcc, CMPXCHG8B, SYSENTER/SYSEXIT, the CR4 bits, and the state snapshot. CMOVcc
// and CMPXCHG8B are also compared with the host processor (test/native/pentium-harness.c).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PhysicalMemory } from '@phantasm/mmu';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CPUID_FEATURES,
  CPUID_MAX_LEAF,
  CPUID_SIGNATURE,
  Cpu,
  CpuError,
  type CpuState,
  MSR,
} from '../src/index.js';

const CODE = 0x10000;
const DATA = 0x20000;
const UD = 6;
const GP = 13;
const PF = 14;
// EFLAGS
const CF = 0x1;
const PF_FLAG = 0x4;
const AF = 0x10;
const ZF = 0x40;
const SF = 0x80;
const IF = 0x200;
const OF = 0x800;
const RF = 0x10000;
const VM = 0x20000;
const ARITH = CF | PF_FLAG | AF | ZF | SF | OF;

function descriptor(base: number, limit: number, access: number, flags: number): [number, number] {
  const lo = ((base & 0xffff) << 16) | (limit & 0xffff);
  const hi = (base & 0xff000000) | (flags << 20) | (limit & 0xf0000) | (access << 8) | ((base >>> 16) & 0xff);
  return [lo >>> 0, hi >>> 0];
}

interface Machine {
  cpu: Cpu;
  memory: PhysicalMemory;
  /** Exceptions raised: [vector, error code]; each one stops `run`. */
  faults: [number, number | undefined][];
}

function attachFaultLog(cpu: Cpu, faults: Machine['faults']): void {
  cpu.hooks = {
    onException: (vector, code) => {
      faults.push([vector, code]);
      cpu.requestStop();
      return true;
    },
  };
}

/** Real mode, CS = 0, code at 0000:1000. */
function realMode(options: { tsc?: () => bigint | number } = {}): Machine {
  const memory = new PhysicalMemory({ ramSize: 4 << 20 });
  const cpu = new Cpu({ memory, tsc: options.tsc });
  const faults: Machine['faults'] = [];
  attachFaultLog(cpu, faults);
  cpu.setSegment('cs', { selector: 0, base: 0, limit: 0xffff, rights: 0x9b });
  cpu.eip = 0x1000;
  cpu.esp = 0x8000;
  return { cpu, memory, faults };
}

/**
 * Flat 32-bit protected mode at CPL 0: GDT 08 code0, 10 data0, 18 code3, 20 data3 (the
 * SYSENTER layout for IA32_SYSENTER_CS = 08h), 28 TSS, 30 read-only data, 38 data with limit
 * FFFh. With `paging`, the first 4 MiB are identity-mapped (user, writable) by the page table
 * at 4000h.
 */
function flat(options: { paging?: boolean; tsc?: () => bigint | number } = {}): Machine {
  const memory = new PhysicalMemory({ ramSize: 4 << 20 });
  const cpu = new Cpu({ memory, tsc: options.tsc });
  const faults: Machine['faults'] = [];
  attachFaultLog(cpu, faults);
  const gdt: [number, number][] = [
    [0, 0],
    descriptor(0, 0xfffff, 0x9a, 0xc),
    descriptor(0, 0xfffff, 0x92, 0xc),
    descriptor(0, 0xfffff, 0xfa, 0xc),
    descriptor(0, 0xfffff, 0xf2, 0xc),
    descriptor(0x3000, 0x67, 0x89, 0),
    descriptor(0, 0xfffff, 0x90, 0xc),
    descriptor(0, 0xfff, 0x92, 0x4),
  ];
  gdt.forEach(([lo, hi], i) => {
    memory.write32(0x1000 + i * 8, lo);
    memory.write32(0x1004 + i * 8, hi);
  });
  memory.write32(0x3004, 0x80000);
  memory.write32(0x3008, 0x10);
  cpu.gdtr = { base: 0x1000, limit: gdt.length * 8 - 1 };
  cpu.setControl(0, cpu.cr0 | 1);
  cpu.loadSegment('cs', 0x08);
  for (const s of ['ss', 'ds', 'es'] as const) cpu.loadSegment(s, 0x10);
  cpu.tr = { selector: 0x28, base: 0x3000, limit: 0x67, rights: 0x8b };
  if (options.paging) {
    memory.write32(0x5000, 0x4007);
    for (let i = 0; i < 1024; i++) memory.write32(0x4000 + i * 4, (i << 12) | 7);
    cpu.setControl(3, 0x5000);
    cpu.setControl(0, cpu.cr0 | 0x80010000); // PG, WP
  }
  cpu.eip = CODE;
  cpu.esp = 0x80000;
  return { cpu, memory, faults };
}

/** Map page `linear` (first 4 MiB) with PTE flags `flags` (0 = not present). */
function setPte(m: Machine, linear: number, flags: number): void {
  m.memory.write32(0x4000 + (linear >>> 12) * 4, (linear & ~0xfff) | flags);
  m.cpu.paging.invalidate(linear);
}

function ring3(cpu: Cpu): void {
  cpu.setSegment('cs', { selector: 0x1b, base: 0, limit: 0xffffffff, rights: 0xc0fb });
  for (const s of ['ss', 'ds', 'es'] as const)
    cpu.setSegment(s, { selector: 0x23, base: 0, limit: 0xffffffff, rights: 0xc0f3 });
}

function v86(cpu: Cpu): void {
  cpu.eflags = VM | 2;
  for (const s of ['ss', 'ds', 'es', 'fs', 'gs'] as const) cpu.loadSegment(s, 0x2000);
  cpu.loadSegment('cs', 0x1000);
  cpu.eip = 0;
}

/** Place `bytes` at EIP's linear address and run `count` instructions. */
function exec(m: Machine, bytes: number[], count = 1): void {
  const lin = (m.cpu.getSegment('cs').base + m.cpu.eip) >>> 0;
  m.memory.ram.set(bytes, lin);
  m.cpu.run(count);
}

const RDTSC = [0x0f, 0x31];
const RDMSR = [0x0f, 0x32];
const WRMSR = [0x0f, 0x30];
const RDPMC = [0x0f, 0x33];
const SYSENTER = [0x0f, 0x34];
const SYSEXIT = [0x0f, 0x35];
const CPUID = [0x0f, 0xa2];
const NOP = 0x90;

describe('CPUID', () => {
  it('leaf 0: maximum leaf 1 and "GenuineIntel"', () => {
    const m = realMode();
    m.cpu.eax = 0;
    exec(m, CPUID);
    expect(m.cpu.eax).toBe(CPUID_MAX_LEAF);
    expect(CPUID_MAX_LEAF).toBe(1);
    const vendor = [m.cpu.ebx, m.cpu.edx, m.cpu.ecx]
      .map((v) => Buffer.from(new Uint32Array([v]).buffer).toString('latin1'))
      .join('');
    expect(vendor).toBe('GenuineIntel');
  });

  it('leaf 1: family 6 model 3 stepping 3 and exactly the implemented features', () => {
    const m = realMode();
    m.cpu.eax = 1;
    exec(m, CPUID);
    expect(m.cpu.eax).toBe(0x633);
    expect(CPUID_SIGNATURE).toBe(0x633);
    expect((m.cpu.eax >> 8) & 0xf).toBe(6);
    expect([m.cpu.ebx, m.cpu.ecx]).toEqual([0, 0]);
    expect(m.cpu.edx).toBe(CPUID_FEATURES);
    const bits = Array.from({ length: 32 }, (_, i) => i).filter((i) => (CPUID_FEATURES >>> i) & 1);
    // FPU (the x87 in src/x87) VME DE PSE TSC MSR PAE CX8 SEP PGE CMOV.
    expect(bits).toEqual([0, 1, 2, 3, 4, 5, 6, 8, 11, 13, 15]);
  });

  it('answers a leaf above the maximum (80000000h included) with leaf 1, as Intel processors do', () => {
    for (const leaf of [2, 4, 0x80000000, 0x80000001]) {
      const m = realMode();
      m.cpu.eax = leaf;
      exec(m, [0x66, ...CPUID]);
      expect([m.cpu.eax, m.cpu.ebx, m.cpu.ecx, m.cpu.edx]).toEqual([0x633, 0, 0, CPUID_FEATURES]);
    }
  });

  it('holds the signature in EDX after RESET', () => {
    const cpu = new Cpu({ memory: new PhysicalMemory({ ramSize: 1 << 20 }) });
    expect(cpu.edx).toBe(CPUID_SIGNATURE);
    cpu.edx = 0;
    cpu.reset();
    expect(cpu.edx).toBe(0x633);
  });
});

describe('RDTSC and the time-stamp counter', () => {
  it('counts retired instructions from 0 at RESET, whatever the run budgets', () => {
    const program = [...RDTSC, 0x89, 0xc6, NOP, NOP, ...RDTSC]; // rdtsc; mov esi,eax; nop; nop; rdtsc
    for (const budgets of [[5], [1, 4], [2, 1, 1, 1], [1, 1, 1, 1, 1]]) {
      const m = realMode();
      m.memory.ram.set(program, 0x1000);
      for (const b of budgets) m.cpu.run(b);
      expect(m.cpu.esi).toBe(0);
      expect([m.cpu.eax, m.cpu.edx]).toEqual([4, 0]);
      expect(m.cpu.tsc).toBe(5n);
      expect(m.cpu.instructions).toBe(5);
    }
  });

  it('reads the board clock when one is supplied (offset by a TSC write)', () => {
    let clock = 1000n; // RESET sets the TSC to 0: it counts the clock from here
    const m = realMode({ tsc: () => clock });
    clock = 1500n;
    exec(m, RDTSC);
    expect([m.cpu.eax, m.cpu.edx]).toEqual([500, 0]);
    clock = 1000n + 0x1_0000_0005n;
    m.cpu.eip = 0x1000;
    exec(m, RDTSC);
    expect([m.cpu.eax, m.cpu.edx]).toEqual([5, 1]);
    m.cpu.tsc = 7n; // TSC = 7 now, clock keeps running
    clock += 10n;
    m.cpu.eip = 0x1000;
    exec(m, RDTSC);
    expect([m.cpu.eax, m.cpu.edx]).toEqual([17, 0]);
  });

  it('reads a board clock given as a number exactly, below and above 2^53', () => {
    let clock = 0; // a number clock (as the PC board's) takes the path without BigInt
    const m = realMode({ tsc: () => clock });
    const read = (at: number) => {
      clock = at;
      m.cpu.eip = 0x1000;
      exec(m, RDTSC);
      return [m.cpu.edx >>> 0, m.cpu.eax >>> 0];
    };
    expect(read(0x3_8000_0005)).toEqual([3, 0x8000_0005]);
    expect(read(0xffff_ffff)).toEqual([0, 0xffff_ffff]);
    expect(read(12.75)).toEqual([0, 12]);
    expect(read(2 ** 53 - 1)).toEqual([0x1f_ffff, 0xffff_ffff]);
    expect(read(2 ** 53 + 2)).toEqual([0x20_0000, 2]); // past 2^53: through BigInt
    m.cpu.tsc = 0n; // an offset (-clock): through BigInt too
    expect(read(2 ** 53 + 2 + 0x1_0000_0008)).toEqual([1, 8]); // (even: exact above 2^53)
  });

  it('WRMSR 10h writes the low 32 bits and clears the high 32 bits (P6); the count goes on', () => {
    const m = realMode();
    m.cpu.ecx = MSR.TSC;
    m.cpu.edx = 0x1234;
    m.cpu.eax = 0xfffffffe;
    exec(m, [...WRMSR, NOP, NOP, ...RDTSC], 4);
    // The TSC holds FFFFFFFEh as the WRMSR retires; the RDTSC three instructions later reads + 3.
    expect([m.cpu.edx, m.cpu.eax]).toEqual([1, 1]);
    expect(m.cpu.tsc).toBe(0x1_0000_0002n);
  });

  it('RDMSR 10h reads the same counter as RDTSC', () => {
    const m = realMode();
    m.cpu.tsc = 0xaabbccdd_00000000n;
    m.cpu.ecx = MSR.TSC;
    exec(m, [NOP, ...RDMSR], 2);
    expect([m.cpu.edx, m.cpu.eax]).toEqual([0xaabbccdd, 1]);
  });

  it('wraps at 2^64 and survives reset as 0', () => {
    const m = realMode();
    m.cpu.tsc = (1n << 64n) - 1n;
    exec(m, [NOP, NOP], 2);
    expect(m.cpu.tsc).toBe(1n);
    m.cpu.reset();
    expect(m.cpu.tsc).toBe(0n);
  });

  it('CR4.TSD: #GP(0) at CPL 3 and in v86 mode, allowed at CPL 0 and in real mode', () => {
    const user = flat();
    user.cpu.setControl(4, 0x4);
    ring3(user.cpu);
    user.cpu.eax = 0x55;
    exec(user, RDTSC);
    expect(user.faults).toEqual([[GP, 0]]);
    expect(user.cpu.eax).toBe(0x55);
    expect(user.cpu.eip).toBe(CODE);

    const vm = flat();
    vm.cpu.setControl(4, 0x4);
    v86(vm.cpu);
    exec(vm, RDTSC);
    expect(vm.faults).toEqual([[GP, 0]]);

    const kernel = flat();
    kernel.cpu.setControl(4, 0x4);
    exec(kernel, RDTSC);
    expect(kernel.faults).toEqual([]);

    const real = realMode();
    real.cpu.setControl(4, 0x4);
    exec(real, RDTSC);
    expect(real.faults).toEqual([]);

    const open = flat(); // TSD clear: any privilege may read the TSC
    ring3(open.cpu);
    exec(open, [NOP, ...RDTSC], 2);
    expect(open.faults).toEqual([]);
    expect(open.cpu.eax).toBe(1);
  });
});

describe('RDMSR / WRMSR', () => {
  function rdmsr(m: Machine, index: number): [number, number] {
    m.cpu.ecx = index;
    const eip = m.cpu.eip;
    exec(m, RDMSR);
    m.cpu.eip = eip;
    return [m.cpu.edx, m.cpu.eax];
  }
  function wrmsr(m: Machine, index: number, edx: number, eax: number): void {
    m.cpu.ecx = index;
    m.cpu.edx = edx;
    m.cpu.eax = eax;
    const eip = m.cpu.eip;
    exec(m, WRMSR);
    m.cpu.eip = eip;
  }

  it('power-on values', () => {
    const m = flat();
    expect(rdmsr(m, MSR.PLATFORM_ID)).toEqual([0, 0]);
    // A P6 whose local APIC is globally disabled: base FEE00000h, BSP, enable (bit 11) clear.
    expect(rdmsr(m, MSR.APIC_BASE)).toEqual([0, 0xfee00100]);
    expect(rdmsr(m, MSR.BIOS_SIGN_ID)).toEqual([0, 0]);
    expect(rdmsr(m, MSR.MTRRCAP)).toEqual([0, 0]);
    expect(rdmsr(m, MSR.SYSENTER_CS)).toEqual([0, 0]);
    expect(rdmsr(m, MSR.SYSENTER_ESP)).toEqual([0, 0]);
    expect(rdmsr(m, MSR.SYSENTER_EIP)).toEqual([0, 0]);
    expect(rdmsr(m, MSR.MISC_ENABLE)).toEqual([0, 1]); // fast strings
    expect(m.faults).toEqual([]);
  });

  it('SYSENTER MSRs are read/write (32 bits on this 32-bit processor)', () => {
    const m = flat();
    wrmsr(m, MSR.SYSENTER_CS, 0, 0x12340008);
    wrmsr(m, MSR.SYSENTER_ESP, 0xdead, 0x80001000);
    wrmsr(m, MSR.SYSENTER_EIP, 0, 0xc0100000);
    expect(rdmsr(m, MSR.SYSENTER_CS)).toEqual([0, 0x12340008]);
    expect(rdmsr(m, MSR.SYSENTER_ESP)).toEqual([0, 0x80001000]);
    expect(rdmsr(m, MSR.SYSENTER_EIP)).toEqual([0, 0xc0100000]);
    expect(m.cpu.readMsr(MSR.SYSENTER_EIP)).toBe(0xc0100000n);
    expect(m.faults).toEqual([]);
  });

  it('IA32_APIC_BASE: the base moves, the APIC stays disabled, reserved bits #GP(0)', () => {
    const m = flat();
    wrmsr(m, MSR.APIC_BASE, 0, 0xfed00900); // Linux's "lapic" re-enable attempt: enable + base
    expect(m.faults).toEqual([]);
    expect(rdmsr(m, MSR.APIC_BASE)).toEqual([0, 0xfed00100]);
    for (const [edx, eax] of [
      [0, 0xfee00101],
      [0, 0xfee00300],
      [0, 0xfee00500],
      [1, 0xfee00100],
    ]) {
      m.faults.length = 0;
      wrmsr(m, MSR.APIC_BASE, edx, eax);
      expect(m.faults).toEqual([[GP, 0]]);
    }
    expect(rdmsr(m, MSR.APIC_BASE)).toEqual([0, 0xfed00100]);
  });

  it('IA32_MISC_ENABLE: fast strings writable, other bits #GP(0)', () => {
    const m = flat();
    wrmsr(m, MSR.MISC_ENABLE, 0, 0);
    expect(rdmsr(m, MSR.MISC_ENABLE)).toEqual([0, 0]);
    wrmsr(m, MSR.MISC_ENABLE, 0, 0x400000);
    expect(m.faults).toEqual([[GP, 0]]);
    expect(rdmsr(m, MSR.MISC_ENABLE)).toEqual([0, 0]);
  });

  it('IA32_BIOS_SIGN_ID: write 0, CPUID(1), read the update signature (none: 0)', () => {
    const m = flat();
    wrmsr(m, MSR.BIOS_SIGN_ID, 0x5a5a, 0x1234);
    expect(rdmsr(m, MSR.BIOS_SIGN_ID)).toEqual([0x5a5a, 0x1234]);
    m.cpu.eax = 1;
    exec(m, CPUID);
    m.cpu.eip = CODE;
    expect(rdmsr(m, MSR.BIOS_SIGN_ID)).toEqual([0, 0x1234]);
  });

  it('read-only MSRs (PLATFORM_ID, MTRRcap) refuse writes with #GP(0)', () => {
    for (const index of [MSR.PLATFORM_ID, MSR.MTRRCAP]) {
      const m = flat();
      wrmsr(m, index, 0, 0);
      expect(m.faults).toEqual([[GP, 0]]);
    }
  });

  it('an MSR this processor does not have is #GP(0) for RDMSR and WRMSR, registers unchanged', () => {
    for (const index of [0, 1, 0x11, 0x3a, 0x79, 0x1d9, 0x2ff, 0xc0000080, 0xffffffff]) {
      const r = flat();
      r.cpu.edx = 0x1111;
      r.cpu.eax = 0x2222;
      rdmsr(r, index);
      expect(r.faults, `rdmsr ${index.toString(16)}`).toEqual([[GP, 0]]);
      expect([r.cpu.edx, r.cpu.eax]).toEqual([0x1111, 0x2222]);
      const w = flat();
      wrmsr(w, index, 0, 0);
      expect(w.faults, `wrmsr ${index.toString(16)}`).toEqual([[GP, 0]]);
    }
    const m = flat();
    expect(() => m.cpu.readMsr(0xc0000080)).toThrow(CpuError);
    expect(() => m.cpu.writeMsr(MSR.MTRRCAP, 0n)).toThrow(CpuError);
  });

  it('#GP(0) outside CPL 0 (ring 3, v86 mode); allowed in real mode', () => {
    for (const op of [RDMSR, WRMSR]) {
      const user = flat();
      ring3(user.cpu);
      user.cpu.ecx = MSR.SYSENTER_CS;
      exec(user, op);
      expect(user.faults).toEqual([[GP, 0]]);
      const vm = flat();
      v86(vm.cpu);
      vm.cpu.ecx = MSR.SYSENTER_CS;
      exec(vm, op);
      expect(vm.faults).toEqual([[GP, 0]]);
      const real = realMode();
      real.cpu.ecx = MSR.SYSENTER_CS;
      real.cpu.eax = 8;
      real.cpu.edx = 0;
      exec(real, op);
      expect(real.faults).toEqual([]);
    }
  });
});

describe('RDPMC and UD2', () => {
  it('RDPMC is #GP(0) everywhere: this processor has no performance counters', () => {
    for (const make of [realMode, flat]) {
      const m = make();
      m.cpu.ecx = 0;
      exec(m, RDPMC);
      expect(m.faults).toEqual([[GP, 0]]);
    }
    const user = flat();
    ring3(user.cpu);
    exec(user, RDPMC);
    expect(user.faults).toEqual([[GP, 0]]);
  });

  it('UD2 raises #UD (with or without LOCK)', () => {
    for (const bytes of [
      [0x0f, 0x0b],
      [0xf0, 0x0f, 0x0b],
    ]) {
      const m = flat();
      exec(m, bytes);
      expect(m.faults).toEqual([[UD, undefined]]);
      expect(m.cpu.eip).toBe(CODE);
    }
  });
});

describe('multi-byte and hint NOPs (0F 18-0F 1F)', () => {
  it('decode a ModRM with its SIB and displacement and do nothing else', () => {
    const forms = [
      [0x0f, 0x1f, 0x00], // nop [eax]
      [0x0f, 0x1f, 0x40, 0x00], // nop [eax+0]
      [0x0f, 0x1f, 0x44, 0x00, 0x00], // nop [eax+eax*1+0]
      [0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00], // the 6-byte form
      [0x0f, 0x1f, 0x80, 0, 0, 0, 0], // nop [eax+disp32]
      [0x66, 0x0f, 0x1f, 0x84, 0x00, 0, 0, 0, 0], // the 9-byte form
      [0x0f, 0x1f, 0xc0], // register form
      ...[0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e].map((op) => [0x0f, op, 0x04, 0x24]),
    ];
    for (const bytes of forms) {
      const m = flat();
      m.cpu.eax = 0x12345678;
      const before = m.cpu.snapshot();
      exec(m, bytes);
      expect(m.faults).toEqual([]);
      expect(m.cpu.eip).toBe(CODE + bytes.length);
      expect({ ...m.cpu.snapshot(), eip: 0 }).toEqual({ ...before, eip: 0 });
    }
  });

  it('never accesses the memory operand: beyond a segment limit, on a not-present page', () => {
    const m = flat({ paging: true });
    setPte(m, 0x300000, 0);
    m.cpu.eax = 0x300000;
    exec(m, [0x0f, 0x1f, 0x00]); // nop [eax]: page not present
    m.cpu.loadSegment('ds', 0x38); // limit FFFh
    m.cpu.eax = 0x10000;
    exec(m, [0x0f, 0x1f, 0x00], 1);
    expect(m.faults).toEqual([]);
    expect(m.cpu.eip).toBe(CODE + 6);
  });

  it('in real mode too (the kvm-unit-tests realmode "nopl" case), and LOCK is #UD', () => {
    const m = realMode();
    exec(m, [0x66, 0x0f, 0x1f, 0x44, 0x00]); // 16-bit addressing: [si+0]
    expect(m.faults).toEqual([]);
    expect(m.cpu.eip).toBe(0x1005);
    const l = flat();
    exec(l, [0xf0, 0x0f, 0x1f, 0x00]);
    expect(l.faults).toEqual([[UD, undefined]]);
  });
});

/** The SDM's condition table, evaluated directly from EFLAGS. */
function condition(cc: number, f: number): boolean {
  const of = (f & OF) !== 0;
  const sf = (f & SF) !== 0;
  const zf = (f & ZF) !== 0;
  const cf = (f & CF) !== 0;
  const pf = (f & PF_FLAG) !== 0;
  const base = [of, cf, zf, cf || zf, sf, pf, sf !== of, zf || sf !== of][cc >> 1];
  return cc & 1 ? !base : base;
}

describe('CMOVcc', () => {
  it('moves exactly when the condition holds, for all 16 conditions and every flag combination', () => {
    const m = flat();
    for (let cc = 0; cc < 16; cc++) {
      for (let bits = 0; bits < 32; bits++) {
        const f =
          (bits & 1 ? CF : 0) |
          (bits & 2 ? ZF : 0) |
          (bits & 4 ? SF : 0) |
          (bits & 8 ? OF : 0) |
          (bits & 16 ? PF_FLAG : 0);
        m.cpu.eip = CODE;
        m.cpu.eflags = f | 2;
        m.cpu.eax = 0x11111111;
        m.cpu.ecx = 0x22222222;
        exec(m, [0x0f, 0x40 + cc, 0xc1]); // cmovcc eax, ecx
        expect(m.cpu.eax, `cc ${cc} flags ${f.toString(16)}`).toBe(
          condition(cc, f) ? 0x22222222 : 0x11111111,
        );
        expect(m.cpu.eflags).toBe(f | 2);
      }
    }
  });

  it('16-bit form: only AX changes', () => {
    const m = flat();
    m.cpu.eflags = ZF | 2;
    m.cpu.eax = 0xaaaa1111;
    m.cpu.ecx = 0xbbbb2222;
    exec(m, [0x66, 0x0f, 0x44, 0xc1]); // cmovz ax, cx
    expect(m.cpu.eax).toBe(0xaaaa2222);
  });

  it('reads a memory source even when the condition is false: #GP beyond the limit, #PF when not present', () => {
    const seg = flat();
    seg.cpu.loadSegment('ds', 0x38); // limit FFFh
    seg.cpu.esi = 0xffe;
    seg.cpu.eflags = 2; // ZF clear: CMOVZ does not move
    seg.cpu.eax = 7;
    exec(seg, [0x0f, 0x44, 0x06]); // cmovz eax, [esi]
    expect(seg.faults).toEqual([[GP, 0]]);
    expect(seg.cpu.eax).toBe(7);

    const paged = flat({ paging: true });
    setPte(paged, 0x300000, 0);
    paged.cpu.esi = 0x300010;
    paged.cpu.eflags = ZF | 2;
    exec(paged, [0x0f, 0x45, 0x06]); // cmovnz eax, [esi] — false
    expect(paged.faults).toEqual([[PF, 0]]);
    expect(paged.cpu.cr2 >>> 0).toBe(0x300010);
  });

  it('LOCK CMOVcc is #UD', () => {
    const m = flat();
    m.cpu.esi = DATA;
    exec(m, [0xf0, 0x0f, 0x44, 0x06]);
    expect(m.faults).toEqual([[UD, undefined]]);
  });
});

describe('CMPXCHG8B', () => {
  const CX8 = [0x0f, 0xc7, 0x0e]; // cmpxchg8b [esi]

  function setup(mem: [number, number], edxEax: [number, number], ecxEbx: [number, number], flags = 2) {
    const m = flat();
    m.memory.write32(DATA, mem[0]);
    m.memory.write32(DATA + 4, mem[1]);
    m.cpu.esi = DATA;
    [m.cpu.edx, m.cpu.eax] = edxEax;
    [m.cpu.ecx, m.cpu.ebx] = ecxEbx;
    m.cpu.eflags = flags;
    return m;
  }

  it('equal: ZF = 1 and ECX:EBX is stored; no other flag changes', () => {
    for (const other of [0, CF | PF_FLAG | AF | SF | OF]) {
      const m = setup(
        [0x55667788, 0x11223344],
        [0x11223344, 0x55667788],
        [0xaabbccdd, 0xeeff0011],
        other | 2,
      );
      exec(m, CX8);
      expect([m.memory.read32(DATA), m.memory.read32(DATA + 4)]).toEqual([0xeeff0011, 0xaabbccdd]);
      expect([m.cpu.edx, m.cpu.eax]).toEqual([0x11223344, 0x55667788]);
      expect(m.cpu.eflags).toBe(other | ZF | 2);
    }
  });

  it('not equal (either half): ZF = 0, EDX:EAX loaded, memory unchanged; no other flag changes', () => {
    for (const [lo, hi] of [
      [0x55667788, 0x11223345],
      [0x55667789, 0x11223344],
    ]) {
      for (const other of [ZF, ZF | CF | PF_FLAG | AF | SF | OF]) {
        const m = setup([lo, hi], [0x11223344, 0x55667788], [1, 2], other | 2);
        exec(m, CX8);
        expect([m.memory.read32(DATA), m.memory.read32(DATA + 4)]).toEqual([lo, hi]);
        expect([m.cpu.edx, m.cpu.eax]).toEqual([hi, lo]);
        expect([m.cpu.ecx, m.cpu.ebx]).toEqual([1, 2]);
        expect(m.cpu.eflags).toBe((other & ~ZF) | 2);
      }
    }
  });

  it('accepts LOCK and ignores the operand-size prefix', () => {
    for (const prefix of [[0xf0], [0x66], [0xf0, 0x66]]) {
      const m = setup([1, 2], [2, 1], [3, 4]);
      exec(m, [...prefix, ...CX8]);
      expect(m.faults).toEqual([]);
      expect([m.memory.read32(DATA), m.memory.read32(DATA + 4)]).toEqual([4, 3]);
    }
  });

  it('a register operand is #UD, with or without LOCK, and so is every other /reg of 0F C7', () => {
    const forms = [
      [0x0f, 0xc7, 0xc8], // cmpxchg8b eax (mod = 3)
      [0xf0, 0x0f, 0xc7, 0xc8],
      ...[0, 2, 3, 4, 5, 6, 7].map((r) => [0x0f, 0xc7, (r << 3) | 6]),
      [0xf0, 0x0f, 0xc7, 0x06],
    ];
    for (const bytes of forms) {
      const m = setup([1, 2], [2, 1], [3, 4]);
      exec(m, bytes);
      expect(m.faults, bytes.map((b) => b.toString(16)).join(' ')).toEqual([[UD, undefined]]);
      expect(m.memory.read32(DATA)).toBe(1);
    }
  });

  it('checks all eight bytes against the segment limit and needs a writable segment', () => {
    const limit = setup([0, 0], [0, 0], [1, 1]);
    limit.cpu.loadSegment('ds', 0x38); // limit FFFh
    limit.cpu.esi = 0xffc;
    exec(limit, CX8);
    expect(limit.faults).toEqual([[GP, 0]]);
    limit.cpu.esi = 0xff8;
    limit.cpu.eip = CODE;
    limit.faults.length = 0;
    exec(limit, CX8);
    expect(limit.faults).toEqual([]);

    const readOnly = setup([5, 6], [0, 0], [1, 1]); // not equal: would only write back
    readOnly.cpu.loadSegment('ds', 0x30);
    exec(readOnly, CX8);
    expect(readOnly.faults).toEqual([[GP, 0]]);
    expect([readOnly.cpu.edx, readOnly.cpu.eax]).toEqual([0, 0]);
  });

  it('writes even when the comparison fails: a read-only page faults (#PF, W) and nothing changes', () => {
    const m = flat({ paging: true });
    setPte(m, DATA, 5); // present, user, read-only; CR0.WP = 1
    m.memory.write32(DATA, 5);
    m.memory.write32(DATA + 4, 6);
    m.cpu.esi = DATA;
    [m.cpu.edx, m.cpu.eax] = [0, 0];
    m.cpu.eflags = ZF | 2;
    exec(m, CX8);
    expect(m.faults).toEqual([[PF, 3]]);
    expect(m.cpu.cr2 >>> 0).toBe(DATA);
    expect([m.cpu.edx, m.cpu.eax]).toEqual([0, 0]);
    expect(m.cpu.eflags & ZF).toBe(ZF);
  });

  it('a quadword across two pages is written only when both pages allow it', () => {
    const m = flat({ paging: true });
    const at = DATA + 0xffc;
    setPte(m, DATA + 0x1000, 5); // the second page is read-only
    m.memory.write32(at, 0x55667788);
    m.memory.write32(at + 4, 0x11223344);
    m.cpu.esi = at;
    [m.cpu.edx, m.cpu.eax] = [0x11223344, 0x55667788];
    [m.cpu.ecx, m.cpu.ebx] = [0xaaaaaaaa, 0xbbbbbbbb];
    exec(m, CX8);
    expect(m.faults).toEqual([[PF, 3]]);
    expect(m.cpu.cr2 >>> 0).toBe(DATA + 0x1000);
    expect([m.memory.read32(at), m.memory.read32(at + 4)]).toEqual([0x55667788, 0x11223344]);
  });
});

describe('SYSENTER / SYSEXIT', () => {
  function withMsrs(m: Machine, cs = 0x08): Machine {
    m.cpu.writeMsr(MSR.SYSENTER_CS, BigInt(cs));
    m.cpu.writeMsr(MSR.SYSENTER_ESP, 0x7f000n);
    m.cpu.writeMsr(MSR.SYSENTER_EIP, 0x30000n);
    return m;
  }

  it('SYSENTER from CPL 3 enters flat CPL 0 at the MSR values, clearing IF, RF and VM only', () => {
    const m = withMsrs(flat());
    ring3(m.cpu);
    m.cpu.eflags = IF | RF | CF | ZF | 0x100000 | 2; // ... and VIP, which stays
    m.cpu.esp = 0x9000;
    exec(m, SYSENTER);
    expect(m.faults).toEqual([]);
    expect(m.cpu.cpl).toBe(0);
    expect(m.cpu.getSegment('cs')).toEqual({ selector: 0x08, base: 0, limit: 0xffffffff, rights: 0xc09b });
    expect(m.cpu.getSegment('ss')).toEqual({ selector: 0x10, base: 0, limit: 0xffffffff, rights: 0xc093 });
    expect([m.cpu.eip, m.cpu.esp]).toEqual([0x30000, 0x7f000]);
    expect(m.cpu.eflags).toBe(CF | ZF | 0x100000 | 2);
  });

  it('SYSEXIT returns to flat CPL 3: CS = MSR + 16, SS = MSR + 24 (RPL 3), ESP = ECX, EIP = EDX', () => {
    const m = withMsrs(flat());
    m.cpu.eflags = IF | 2;
    m.cpu.ecx = 0x6000;
    m.cpu.edx = 0x12345;
    exec(m, SYSEXIT);
    expect(m.faults).toEqual([]);
    expect(m.cpu.cpl).toBe(3);
    expect(m.cpu.getSegment('cs')).toEqual({ selector: 0x1b, base: 0, limit: 0xffffffff, rights: 0xc0fb });
    expect(m.cpu.getSegment('ss')).toEqual({ selector: 0x23, base: 0, limit: 0xffffffff, rights: 0xc0f3 });
    expect([m.cpu.eip, m.cpu.esp]).toEqual([0x12345, 0x6000]);
    expect(m.cpu.eflags).toBe(IF | 2);
  });

  it('a round trip through the GDT-less fast path, with the MSR RPL bits ignored / forced', () => {
    const m = withMsrs(flat(), 0x0b); // RPL 3 in the MSR
    ring3(m.cpu);
    m.memory.ram.set(SYSEXIT, 0x30000);
    m.cpu.ecx = 0x5000;
    m.cpu.edx = CODE + 2;
    exec(m, [...SYSENTER, NOP], 3); // sysenter; (kernel) sysexit; (user) nop
    expect(m.faults).toEqual([]);
    expect(m.cpu.getSegment('cs').selector).toBe(0x1b);
    expect(m.cpu.getSegment('ss').selector).toBe(0x23);
    expect([m.cpu.eip, m.cpu.esp, m.cpu.cpl]).toEqual([CODE + 3, 0x5000, 3]);
  });

  it('SYSENTER leaves virtual-8086 mode', () => {
    const m = withMsrs(flat());
    v86(m.cpu);
    m.cpu.eflags = VM | IF | 2;
    exec(m, SYSENTER);
    expect(m.faults).toEqual([]);
    expect(m.cpu.isV86()).toBe(false);
    expect([m.cpu.cpl, m.cpu.eip, m.cpu.esp]).toEqual([0, 0x30000, 0x7f000]);
    expect(m.cpu.eflags).toBe(2);
  });

  it('#GP(0): IA32_SYSENTER_CS[15:2] = 0, real mode, SYSEXIT outside CPL 0', () => {
    for (const cs of [0, 3]) {
      const m = withMsrs(flat(), cs);
      ring3(m.cpu);
      exec(m, SYSENTER);
      expect(m.faults, `sysenter cs ${cs}`).toEqual([[GP, 0]]);
      expect(m.cpu.cpl).toBe(3);
      const k = withMsrs(flat(), cs);
      exec(k, SYSEXIT);
      expect(k.faults, `sysexit cs ${cs}`).toEqual([[GP, 0]]);
    }
    for (const op of [SYSENTER, SYSEXIT]) {
      const real = withMsrs(realMode());
      exec(real, op);
      expect(real.faults).toEqual([[GP, 0]]);
    }
    const user = withMsrs(flat());
    ring3(user.cpu);
    exec(user, SYSEXIT);
    expect(user.faults).toEqual([[GP, 0]]);
    const vm = withMsrs(flat());
    v86(vm.cpu);
    exec(vm, SYSEXIT);
    expect(vm.faults).toEqual([[GP, 0]]);
    const locked = withMsrs(flat());
    exec(locked, [0xf0, ...SYSENTER]);
    expect(locked.faults).toEqual([[UD, undefined]]);
  });
});

describe('ENTER and the final stack pointer', () => {
  it('#PF when a write at the final ESP would fault, though the pushes succeeded (SDM ENTER; test386 POST 1Ah)', () => {
    const m = flat({ paging: true });
    ring3(m.cpu);
    setPte(m, 0x20000, 0x3); // supervisor page just below the user stack page
    m.cpu.esp = 0x21004;
    m.cpu.ebp = 0x1234;
    exec(m, [0xc8, 0x01, 0x00, 0x00]); // enter 1, 0: push ebp at 21000h, ESP would be 20FFFh
    expect(m.faults).toEqual([[PF, 7]]);
    expect(m.cpu.cr2).toBe(0x20fff);
    expect([m.cpu.esp, m.cpu.ebp, m.cpu.eip]).toEqual([0x21004, 0x1234, CODE]);
    const ok = flat({ paging: true });
    ring3(ok.cpu);
    ok.cpu.esp = 0x21004;
    exec(ok, [0xc8, 0x01, 0x00, 0x00]);
    expect(ok.faults).toEqual([]);
    expect([ok.cpu.esp, ok.cpu.ebp]).toEqual([0x20fff, 0x21000]);
  });
});

describe('CR4', () => {
  const MOV_CR4_EAX = [0x0f, 0x22, 0xe0];

  it('accepts exactly VME, PVI, TSD, DE, PSE, PAE and PGE; any other bit is #GP(0) and changes nothing', () => {
    const m = flat();
    m.cpu.eax = 0xbf;
    exec(m, MOV_CR4_EAX);
    expect(m.faults).toEqual([]);
    expect(m.cpu.cr4).toBe(0xbf);
    for (const bit of [0x40, 0x100, 0x200, 0x400, 0x800, 0x2000, 0x80000000]) {
      m.faults.length = 0;
      m.cpu.eip = CODE;
      m.cpu.eax = 0xbf | bit;
      exec(m, MOV_CR4_EAX);
      expect(m.faults, `bit ${bit.toString(16)}`).toEqual([[GP, 0]]);
      expect(m.cpu.cr4).toBe(0xbf);
    }
    m.cpu.setControl(4, 0xffffffff); // the host API keeps the implemented bits
    expect(m.cpu.cr4).toBe(0xbf);
  });

  it('CR4.PAE: the program turns on 3-level paging and reads through a 2 MiB page', () => {
    const m = flat();
    const w64 = (at: number, lo: number) => {
      m.memory.write32(at, lo);
      m.memory.write32(at + 4, 0);
    };
    w64(0x6000, 0x7001); // PDPTE 0 -> page directory at 7000h
    w64(0x7000, 0x0000_0083); // PDE 0: 2 MiB page at 0, identity (code, stack, tables)
    w64(0x7008, 0x0020_0083); // PDE 1: linear 200000h -> physical 200000h
    m.memory.write32(0x20_0010, 0x1234_5678);
    m.cpu.eax = 0x20; // CR4.PAE
    exec(m, MOV_CR4_EAX);
    m.cpu.eip = CODE;
    m.cpu.eax = 0x6000;
    exec(m, [0x0f, 0x22, 0xd8]); // mov cr3, eax
    m.cpu.eip = CODE;
    m.cpu.eax = (m.cpu.cr0 | 0x80000000) >>> 0;
    exec(m, [0x0f, 0x22, 0xc0]); // mov cr0, eax: paging on, PAE walk
    m.cpu.eip = CODE;
    exec(m, [0xa1, 0x10, 0x00, 0x20, 0x00]); // mov eax, [200010h]
    expect(m.faults).toEqual([]);
    expect(m.cpu.eax).toBe(0x1234_5678);
    expect(m.memory.read32(0x7008) & 0x20).toBe(0x20); // the 2 MiB PDE is accessed
  });

  it('CR4.DE makes DR4/DR5 #UD; without it they alias DR6/DR7', () => {
    const m = flat();
    exec(m, [0x0f, 0x21, 0xe0]); // mov eax, dr4
    expect(m.faults).toEqual([]);
    expect(m.cpu.eax).toBe(m.cpu.dr[6] >>> 0);
    m.cpu.setControl(4, 0x8);
    m.cpu.eip = CODE;
    exec(m, [0x0f, 0x21, 0xe0]);
    expect(m.faults).toEqual([[UD, undefined]]);
  });
});

describe('CR4.DE I/O breakpoints (DR7 R/W = 10b)', () => {
  const DB = 1;
  /** DR0 = port 80h, enabled (L0), R/W 10b, LEN as given (0: 1 byte, 1: 2, 3: 4). */
  function armed(de: boolean, len = 0): Machine {
    const m = flat();
    m.cpu.dr[0] = 0x80;
    m.cpu.dr[7] = 0x400 | 1 | (2 << 16) | (len << 18);
    m.cpu.updateWatching();
    m.cpu.setControl(4, de ? 0x8 : 0);
    return m;
  }

  it('an OUT or IN that touches the port traps after the instruction with DR6.B0 (not BS)', () => {
    for (const [bytes, len] of [
      [[0xe6, 0x80], 0], // out 80h, al
      [[0xe5, 0x7f], 0], // in eax, 7Fh: 7F-82 overlaps 80
      [[0xe6, 0x81], 1], // out 81h, al: inside the 2-byte range 80-81
      [[0x66, 0xe7, 0x83], 3], // out 83h, ax: 83-84 overlaps 80-83
    ] as [number[], number][]) {
      const m = armed(true, len);
      m.cpu.dr[6] = 0xffff0ff0 | 0;
      exec(m, bytes);
      expect(m.faults, bytes.join(',')).toEqual([[DB, undefined]]);
      expect(m.cpu.eip).toBe(CODE + bytes.length); // a trap: the instruction completed
      expect(m.cpu.dr[6] & 0x400f).toBe(1);
    }
  });

  it('no trap for other ports, nor without CR4.DE', () => {
    for (const [de, bytes] of [
      [true, [0xe6, 0x81]],
      [true, [0xe6, 0x7f]],
      [false, [0xe6, 0x80]],
    ] as [boolean, number[]][]) {
      const m = armed(de);
      exec(m, [...bytes, 0x90], 2);
      expect(m.faults).toEqual([]);
      expect(m.cpu.eip).toBe(CODE + bytes.length + 1);
    }
  });
});

describe('state snapshots with MSRs and the TSC', () => {
  it('round-trips through JSON; the TSC counts on from the saved value on a fresh CPU', () => {
    const a = flat();
    a.cpu.writeMsr(MSR.SYSENTER_CS, 0x08n);
    a.cpu.writeMsr(MSR.SYSENTER_ESP, 0x7f000n);
    a.cpu.writeMsr(MSR.SYSENTER_EIP, 0x30000n);
    a.cpu.writeMsr(MSR.APIC_BASE, 0xfed00000n);
    a.cpu.writeMsr(MSR.MISC_ENABLE, 0n);
    a.cpu.writeMsr(MSR.BIOS_SIGN_ID, 0x1234_0000_5678n);
    a.memory.ram.set([NOP, NOP, NOP, ...RDTSC], CODE);
    a.cpu.tsc = 0x1_0000_0000n;
    a.cpu.run(2);
    const state = JSON.parse(JSON.stringify(a.cpu.saveState())) as CpuState;
    expect(state.msr).toEqual({
      tsc: '0x100000002',
      sysenterCs: 8,
      sysenterEsp: 0x7f000,
      sysenterEip: 0x30000,
      apicBase: 0xfed00100,
      miscEnable: 0,
      biosSignId: '0x123400005678',
    });
    const b = flat();
    b.memory.ram.set(a.memory.ram);
    b.cpu.run(50); // a different instruction count: the TSC must not depend on it
    b.cpu.loadState(state);
    expect(b.cpu.saveState()).toEqual(state);
    for (const [index, value] of Object.entries(MSR)) {
      if (index !== 'TSC') expect(b.cpu.readMsr(value), index).toBe(a.cpu.readMsr(value));
    }
    a.cpu.run(2);
    b.cpu.run(2);
    expect([b.cpu.edx, b.cpu.eax]).toEqual([a.cpu.edx, a.cpu.eax]);
    expect([b.cpu.edx, b.cpu.eax]).toEqual([1, 3]);
  });

  it('loads a state saved before the MSRs existed: power-on MSRs, TSC 0', () => {
    const a = flat();
    const old = a.cpu.saveState();
    delete old.msr;
    const b = flat();
    b.cpu.writeMsr(MSR.SYSENTER_CS, 0x08n);
    b.cpu.tsc = 99n;
    b.cpu.loadState(old);
    expect(b.cpu.tsc).toBe(0n);
    expect(b.cpu.readMsr(MSR.SYSENTER_CS)).toBe(0n);
    expect(b.cpu.readMsr(MSR.APIC_BASE)).toBe(0xfee00100n);
  });

  it('refuses a malformed MSR record without changing the CPU', () => {
    const m = flat();
    const before = m.cpu.saveState();
    const bad = JSON.parse(JSON.stringify(before)) as CpuState;
    for (const msr of [
      { ...before.msr, tsc: 'zz' },
      { ...before.msr, tsc: '0x10000000000000000' },
      { ...before.msr, sysenterCs: -1 },
      { ...before.msr, biosSignId: 5 },
      { ...before.msr, apicBase: 0xfee00900 },
      { ...before.msr, miscEnable: 2 },
    ]) {
      bad.msr = msr as unknown as CpuState['msr'];
      expect(() => m.cpu.loadState(bad)).toThrow(CpuError);
      expect(m.cpu.saveState()).toEqual(before);
    }
  });
});

// --- the host processor as the oracle ---------------------------------------------------------

const HARNESS_SOURCE = join(import.meta.dirname, 'native', 'pentium-harness.c');
const buildDir = mkdtempSync(join(tmpdir(), 'cpu-ia32-native-'));
afterAll(() => rmSync(buildDir, { recursive: true, force: true }));

/** Compile and run the harness; on failure, why the differential test cannot run here. */
function nativeOracle(): { lines: string[] } | { skip: string } {
  if (process.arch !== 'x64' && process.arch !== 'ia32') return { skip: `host is ${process.arch}, not x86` };
  const exe = join(buildDir, 'pentium-harness');
  const cc = spawnSync('cc', ['-O2', '-mno-red-zone', '-o', exe, HARNESS_SOURCE], { encoding: 'utf8' });
  if (cc.error) return { skip: `no C compiler (cc: ${cc.error.message})` };
  if (cc.status !== 0) return { skip: `cc failed: ${cc.stderr.trim().split('\n')[0]}` };
  const run = spawnSync(exe, ['0x5eed1e55', '40'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (run.error || run.status !== 0)
    return { skip: `the harness did not run: ${run.error?.message ?? run.stderr}` };
  return { lines: run.stdout.trim().split('\n') };
}

const oracle = nativeOracle();
const skipReason = 'skip' in oracle ? oracle.skip : undefined;

describe.skipIf(skipReason !== undefined)(
  `CMOVcc and CMPXCHG8B against the host processor${skipReason ? ` — skipped: ${skipReason}` : ''}`,
  () => {
    const lines = 'lines' in oracle ? oracle.lines : [];
    const hex = (s: string) => Number.parseInt(s, 16);

    it('every random case gives the host processor’s registers, memory and flags', () => {
      const m = flat();
      m.cpu.esi = DATA;
      let cmov = 0;
      let cx8 = 0;
      const mismatches: string[] = [];
      for (const line of lines) {
        const [lhs, rhs] = line.split(' -> ');
        const f = lhs.split(' ');
        const out = rhs.split(' ').map(hex);
        m.cpu.eip = CODE;
        m.cpu.esi = DATA;
        if (f[0] === 'cmov') {
          const [size, mem, cc, flags, dst, src] = [Number(f[1]), Number(f[2]), ...f.slice(3).map(hex)];
          m.cpu.eflags = flags;
          m.cpu.eax = dst;
          m.cpu.ecx = src;
          m.memory.write32(DATA, src);
          exec(m, [...(size === 16 ? [0x66] : []), 0x0f, 0x40 + cc, mem ? 0x06 : 0xc1]);
          const got = [m.cpu.eax, m.cpu.eflags & ARITH];
          if (got.join() !== out.join()) mismatches.push(`${line}  got ${got.map((v) => v.toString(16))}`);
          cmov++;
        } else if (f[0] === 'cx8') {
          const [lock, flags, edx, eax, ecx, ebx, lo, hi] = [Number(f[1]), ...f.slice(2).map(hex)];
          m.cpu.eflags = flags;
          [m.cpu.edx, m.cpu.eax, m.cpu.ecx, m.cpu.ebx] = [edx, eax, ecx, ebx];
          m.memory.write32(DATA, lo);
          m.memory.write32(DATA + 4, hi);
          exec(m, [...(lock ? [0xf0] : []), 0x0f, 0xc7, 0x0e]);
          const got = [
            m.cpu.edx,
            m.cpu.eax,
            m.memory.read32(DATA),
            m.memory.read32(DATA + 4),
            m.cpu.eflags & ARITH,
          ];
          if (got.join() !== out.join() || m.cpu.ecx !== ecx || m.cpu.ebx !== ebx)
            mismatches.push(`${line}  got ${got.map((v) => v.toString(16))}`);
          cx8++;
        }
      }
      expect(m.faults).toEqual([]);
      expect(mismatches.slice(0, 10)).toEqual([]);
      expect(cmov).toBe(40 * 64);
      expect(cx8).toBe(40 * 2);
    });

    it('faults where the host faults: CMOVcc on an inaccessible source, CMPXCHG8B on a read-only page', () => {
      let cases = 0;
      for (const line of lines) {
        const [lhs, rhs] = line.split(' -> ');
        const f = lhs.split(' ');
        if (f[0] !== 'cmovfault' && f[0] !== 'cx8fault') continue;
        // Ring 3 like the host process; the page is not present (CMOV) or read-only (CMPXCHG8B).
        const m = flat({ paging: true });
        ring3(m.cpu);
        m.cpu.esi = DATA;
        if (f[0] === 'cmovfault') {
          setPte(m, DATA, 0);
          m.cpu.eflags = hex(f[3]);
          exec(m, [...(f[1] === '16' ? [0x66] : []), 0x0f, 0x40 + hex(f[2]), 0x06]);
          expect(m.faults, line).toEqual(rhs === '1' ? [[PF, 4]] : []);
        } else {
          setPte(m, DATA, 5);
          m.memory.write32(DATA, 0x55667788);
          m.memory.write32(DATA + 4, 0x11223344);
          [m.cpu.edx, m.cpu.eax] = f[1] === '1' ? [0x11223344, 0x55667788] : [0x11223344, 0];
          exec(m, [0xf0, 0x0f, 0xc7, 0x0e]);
          expect(m.faults, line).toEqual(rhs === '1' ? [[PF, 7]] : []);
        }
        cases++;
      }
      expect(cases).toBe(34);
    });
  },
);
