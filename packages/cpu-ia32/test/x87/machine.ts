// cpu-ia32 side of the x87 differential test: a flat 32-bit protected-mode machine that runs
// "frstor [edi]; CODE; fnsave [edi]; hlt" and reports the result in the harness's format.
import { PhysicalMemory } from '@phantasm/mmu';
import { Cpu, type CpuOptions } from '../../src/index.js';
import type { Case } from './gen.js';

export const CODE = 0x10000;
export const IMAGE = 0x20000;
export const DATA = 0x30000;

function descriptor(base: number, limit: number, access: number, flags: number): [number, number] {
  const lo = ((base & 0xffff) << 16) | (limit & 0xffff);
  const hi = (base & 0xff000000) | (flags << 20) | (limit & 0xf0000) | (access << 8) | ((base >>> 16) & 0xff);
  return [lo >>> 0, hi >>> 0];
}

export interface X87Machine {
  cpu: Cpu;
  memory: PhysicalMemory;
  faults: number[];
}

/** Flat 32-bit protected mode at CPL 0 with CR0.NE = 1 (unmasked x87 exceptions are #MF). */
export function x87Machine(jit?: CpuOptions['jit'], ramSize = 1 << 20): X87Machine {
  const memory = new PhysicalMemory({ ramSize });
  const cpu = new Cpu({ memory, jit });
  const faults: number[] = [];
  cpu.hooks = {
    onException: (vector) => {
      faults.push(vector);
      cpu.requestStop();
      return true;
    },
  };
  const gdt = [[0, 0], descriptor(0, 0xfffff, 0x9a, 0xc), descriptor(0, 0xfffff, 0x92, 0xc)];
  gdt.forEach(([lo, hi], i) => {
    memory.write32(0x1000 + i * 8, lo);
    memory.write32(0x1004 + i * 8, hi);
  });
  cpu.gdtr = { base: 0x1000, limit: gdt.length * 8 - 1 };
  cpu.setControl(0, (cpu.cr0 | 0x21) & ~0x6000000c);
  cpu.loadSegment('cs', 0x08);
  for (const s of ['ss', 'ds', 'es'] as const) cpu.loadSegment(s, 0x10);
  cpu.esp = 0x80000;
  return { cpu, memory, faults };
}

const hex = (v: number | bigint, digits: number) => v.toString(16).toUpperCase().padStart(digits, '0');

export function regHex(cpu: Cpu, i: number): string {
  const x = cpu.fpu.st(i);
  return hex((x.s << 15) | x.e, 4) + hex(x.m, 16);
}

/** Run one case; the output line in the harness's format. */
export function runCase(m: X87Machine, c: Case): string {
  const { cpu, memory } = m;
  memory.ram.set(c.image, IMAGE);
  memory.ram.set(c.mem, DATA);
  const code = [0xdd, 0x27, ...c.code, 0xdd, 0x37, 0xf4];
  memory.ram.set(code, CODE);
  m.faults.length = 0;
  cpu.halted = false;
  cpu.fpu.init(); // as the harness leaves the host FPU between cases
  cpu.eip = CODE;
  cpu.edi = IMAGE;
  cpu.esi = DATA;
  cpu.eax = c.ax;
  cpu.eflags = (c.flags & 0x8d5) | 2;
  cpu.run(1000);
  const memHex = Array.from(memory.ram.subarray(DATA, DATA + 64), (b) => hex(b, 2)).join('');
  if (m.faults.length > 0) {
    const f = cpu.fpu;
    if (m.faults[0] !== 16) return `fault ${m.faults[0]} at ${hex(cpu.eip - CODE - 2, 1)}`;
    const regs = Array.from({ length: 8 }, (_, i) => regHex(cpu, i)).join(' ');
    return `mf ${hex(cpu.eip - CODE - 2, 1)} ${hex(f.cw, 4)} ${hex(f.status, 4)} ${hex(f.empty, 2)} ${regs} ${memHex}`;
  }
  const img = memory.ram.subarray(IMAGE, IMAGE + 108);
  const w = (o: number) => img[o] | (img[o + 1] << 8);
  const tw = w(8);
  let empty = 0;
  for (let p = 0; p < 8; p++) if (((tw >> (2 * p)) & 3) === 3) empty |= 1 << p;
  const regs: string[] = [];
  for (let i = 0; i < 8; i++) {
    const o = 28 + i * 10;
    regs.push(
      Array.from(img.subarray(o, o + 10))
        .reverse()
        .map((b) => hex(b, 2))
        .join(''),
    );
  }
  return `ok ${hex(w(0), 4)} ${hex(w(4), 4)} ${hex(empty, 2)} ${regs.join(' ')} ${memHex} ${hex(cpu.eax & 0xffff, 4)} ${hex(cpu.eflags & 0x8d5, 3)}`;
}
