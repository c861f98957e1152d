// Test machines: a bare CPU over PhysicalMemory with hand-written real-mode handlers, a
// kernel-like protected-mode context to call from, and a comparable dump of CPU state.
import { Cpu, type InterruptController, type IoBus } from '@phantasm/cpu-ia32';
import { PhysicalMemory } from '@phantasm/mmu';

export function bareMachine(options: { ramSize?: number; io?: IoBus; pic?: InterruptController } = {}): {
  cpu: Cpu;
  memory: PhysicalMemory;
} {
  const memory = new PhysicalMemory({ ramSize: options.ramSize ?? 4 << 20 });
  const cpu = new Cpu({ memory, io: options.io, pic: options.pic });
  return { cpu, memory };
}

/** Place real-mode code at `addr` (physical) and point IVT vector `vector` at it. */
export function installHandler(memory: PhysicalMemory, vector: number, addr: number, code: number[]): void {
  memory.ram.set(code, addr);
  memory.write16(vector * 4, addr & 0xf);
  memory.write16(vector * 4 + 2, addr >>> 4);
}

/**
 * Put the CPU in a kernel-like state: flat ring-0 protected mode with paging (an identity map
 * of the first 4 MiB through a 4 MiB page... built as a page table at `at`), a GDT, an IDT and
 * odd register values, as a kernel would be when it calls the BIOS.
 */
export function enterKernelMode(cpu: Cpu, memory: PhysicalMemory, at = 0x300000): void {
  const gdt = at;
  const pd = at + 0x1000;
  const pt = at + 0x2000;
  memory.write32(gdt + 8, 0x0000ffff);
  memory.write32(gdt + 12, 0x00cf9a00);
  memory.write32(gdt + 16, 0x0000ffff);
  memory.write32(gdt + 20, 0x00cf9200);
  memory.write32(pd, pt | 3);
  for (let i = 1; i < 1024; i++) memory.write32(pt + i * 4, (i << 12) | 3); // page 0 unmapped
  cpu.gdtr = { base: gdt, limit: 0x17 };
  cpu.idtr = { base: at + 0x800, limit: 0x7ff };
  cpu.setControl(3, pd);
  cpu.setControl(0, 0x80000011);
  cpu.setSegment('cs', { selector: 8, base: 0, limit: 0xffffffff, rights: 0xc09b });
  for (const s of ['ss', 'ds', 'es', 'fs', 'gs'] as const) {
    cpu.setSegment(s, { selector: 0x10, base: 0, limit: 0xffffffff, rights: 0xc093 });
  }
  cpu.tr = { selector: 0, base: 0, limit: 0xffff, rights: 0x8b };
  const values = [
    0x11111111, 0x22222222, 0x33333333, 0x44444444, 0x3ff000, 0x66666666, 0x77777777, 0x88888888,
  ];
  values.forEach((v, i) => {
    cpu.regs[i] = v;
  });
  cpu.eip = 0x123456;
  cpu.eflags = 0x246;
}

/** Everything `call` promises to put back. */
export function cpuState(cpu: Cpu): Record<string, unknown> {
  return {
    regs: [...cpu.regs],
    eip: cpu.eip,
    eflags: cpu.eflags,
    segments: (['es', 'cs', 'ss', 'ds', 'fs', 'gs'] as const).map((s) => cpu.getSegment(s)),
    cr: [cpu.cr0, cpu.cr2, cpu.cr3, cpu.cr4],
    gdtr: cpu.gdtr,
    idtr: cpu.idtr,
    ldtr: { ...cpu.ldtr },
    tr: { ...cpu.tr },
    cpl: cpu.cpl,
    protected: cpu.isProtected(),
    v86: cpu.isV86(),
    halted: cpu.halted,
    hooks: cpu.hooks,
    translation: [0x1000, 0x123000, 0x3ff000].map((a) => cpu.linearToPhysical(a)),
  };
}
