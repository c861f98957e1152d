// Test machines in every mode (GDT, IDT with a handler area per vector, TSS, page tables),
// shared by the random-stream fuzz and the block compiler's differential fuzz.
import { PhysicalMemory } from '@phantasm/mmu';
import { Cpu, type CpuOptions, IA32_WASM_TABLE_BYTES } from '../src/index.js';

export const CODE = 0x10000;
export type Mode = 'real' | 'protected' | 'pm16' | 'ring3' | 'paged' | 'v86';
export const MODES: readonly Mode[] = ['real', 'protected', 'pm16', 'ring3', 'paged', 'v86'];

function descriptor(base: number, limit: number, access: number, flags: number): [number, number] {
  const lo = ((base & 0xffff) << 16) | (limit & 0xffff);
  const hi = (base & 0xff000000) | (flags << 20) | (limit & 0xf0000) | (access << 8) | ((base >>> 16) & 0xff);
  return [lo >>> 0, hi >>> 0];
}

/** Build GDT, IDT (every vector -> a random handler area), TSS and optional page tables. */
export function machine(
  mode: Mode,
  bytes: Uint8Array,
  noise: Uint8Array,
  options: Partial<CpuOptions> = {},
  /** RAM in a WebAssembly arena: blocks of the subset are compiled to WebAssembly. */
  wasm = false,
): Cpu {
  const memory = new PhysicalMemory({
    ramSize: 2 * 1024 * 1024,
    wasmTableBytes: wasm ? IA32_WASM_TABLE_BYTES : 0,
  });
  const ram = memory.ram;
  ram.set(bytes, CODE);
  ram.set(noise, 0x30000); // handlers and data the random code may reach
  const cpu = new Cpu({ memory, ...options });
  if (mode === 'real') {
    cpu.setSegment('cs', { selector: CODE >> 4, base: CODE, limit: 0xffff, rights: 0x9b });
    cpu.eip = 0;
    return cpu;
  }
  const gdt = 0x1000;
  const entries: [number, number][] = [
    [0, 0],
    descriptor(0, 0xfffff, 0x9a, 0xc), // 08 code0
    descriptor(0, 0xfffff, 0x92, 0xc), // 10 data0
    descriptor(0, 0xfffff, 0xfa, 0xc), // 18 code3
    descriptor(0, 0xfffff, 0xf2, 0xc), // 20 data3
    descriptor(0x3000, 0x2067, 0x89, 0), // 28 tss
    descriptor(0, 0xffff, 0x9a, 0), // 30 code16
  ];
  entries.forEach(([lo, hi], i) => {
    memory.write32(gdt + i * 8, lo);
    memory.write32(gdt + i * 8 + 4, hi);
  });
  for (let v = 0; v < 256; v++) {
    const handler = 0x30000 + v * 16;
    memory.write32(0x2000 + v * 8, (0x08 << 16) | (handler & 0xffff));
    memory.write32(0x2000 + v * 8 + 4, ((handler & 0xffff0000) | 0xee00) >>> 0);
  }
  memory.write32(0x3004, 0x80000); // esp0
  memory.write32(0x3008, 0x10); // ss0
  memory.write16(0x3066, 0x68);
  cpu.gdtr = { base: gdt, limit: entries.length * 8 - 1 };
  cpu.idtr = { base: 0x2000, limit: 0x7ff };
  cpu.setControl(0, cpu.cr0 | 1);
  cpu.loadSegment('ss', 0x10);
  cpu.loadSegment('ds', 0x10);
  cpu.loadSegment('es', 0x10);
  cpu.tr = { selector: 0x28, base: 0x3000, limit: 0x2067, rights: 0x8b };
  cpu.setSegment('cs', { selector: 0x08, base: 0, limit: 0xffffffff, rights: 0xc09b });
  cpu.esp = 0x70000;
  cpu.eip = CODE;
  if (mode === 'paged') {
    for (let i = 0; i < 1024; i++) memory.write32(0x5000 + i * 4, (i * 0x1000) | (i % 7 === 3 ? 5 : 7));
    memory.write32(0x4000, 0x5007);
    cpu.setControl(3, 0x4000);
    cpu.setControl(0, cpu.cr0 | 0x80000000);
  }
  if (mode === 'pm16') {
    // 16-bit code and stack segments in protected mode (CS.D = SS.B = 0).
    cpu.setSegment('cs', { selector: 0x30, base: CODE, limit: 0xffff, rights: 0x9b });
    cpu.setSegment('ss', { selector: 0x10, base: 0, limit: 0xffff, rights: 0x93 });
    cpu.eip = 0;
    cpu.esp = 0x8000;
  }
  if (mode === 'ring3') {
    cpu.setSegment('cs', { selector: 0x1b, base: 0, limit: 0xffffffff, rights: 0xc0fb });
    cpu.setSegment('ss', { selector: 0x23, base: 0, limit: 0xffffffff, rights: 0xc0f3 });
    cpu.setSegment('ds', { selector: 0x23, base: 0, limit: 0xffffffff, rights: 0xc0f3 });
  }
  if (mode === 'v86') {
    cpu.eflags = 0x20002;
    for (const s of ['es', 'ds', 'fs', 'gs', 'ss'] as const) cpu.loadSegment(s, 0);
    cpu.setSegment('cs', { selector: CODE >> 4, base: CODE, limit: 0xffff, rights: 0xfb });
    cpu.eip = 0;
    cpu.esp = 0x8000;
  }
  return cpu;
}
