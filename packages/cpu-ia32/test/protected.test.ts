// Interrupt delivery across privilege levels and out of virtual-8086 mode, #DF and shutdown,
// checked against the frames and register states the Intel SDM (Vol. 3A §6.12, §20.3) prescribes.
import { PhysicalMemory } from '@phantasm/mmu';
import { describe, expect, it } from 'vitest';
import { Cpu, type InterruptController } from '../src/index.js';

function descriptor(base: number, limit: number, access: number, flags: number): [number, number] {
  const lo = ((base & 0xffff) << 16) | (limit & 0xffff);
  const hi = (base & 0xff000000) | (flags << 20) | (limit & 0xf0000) | (access << 8) | ((base >>> 16) & 0xff);
  return [lo >>> 0, hi >>> 0];
}

const HANDLER = 0x40000;
const ESP0 = 0x80000;

/** Flat ring-0/ring-3 segments, a 32-bit TSS with ESP0, an IDT whose every gate enters HANDLER + 16 * vector. */
function setup(pic?: InterruptController) {
  const memory = new PhysicalMemory({ ramSize: 2 * 1024 * 1024 });
  const cpu = new Cpu({ memory, pic });
  const gdt: [number, number][] = [
    [0, 0],
    descriptor(0, 0xfffff, 0x9a, 0xc), // 08
    descriptor(0, 0xfffff, 0x92, 0xc), // 10
    descriptor(0, 0xfffff, 0xfa, 0xc), // 18 (1b)
    descriptor(0, 0xfffff, 0xf2, 0xc), // 20 (23)
    descriptor(0x3000, 0x67, 0x89, 0), // 28
  ];
  gdt.forEach(([lo, hi], i) => {
    memory.write32(0x1000 + i * 8, lo);
    memory.write32(0x1004 + i * 8, hi);
  });
  for (let v = 0; v < 256; v++) {
    const h = HANDLER + v * 16;
    memory.write32(0x2000 + v * 8, (0x08 << 16) | (h & 0xffff));
    memory.write32(0x2004 + v * 8, ((h & 0xffff0000) | 0x8e00) >>> 0);
    memory.write8(h, 0xf4); // hlt
  }
  memory.write32(0x3004, ESP0);
  memory.write32(0x3008, 0x10);
  cpu.gdtr = { base: 0x1000, limit: gdt.length * 8 - 1 };
  cpu.idtr = { base: 0x2000, limit: 0x7ff };
  cpu.setControl(0, cpu.cr0 | 1);
  cpu.loadSegment('cs', 0x08);
  for (const s of ['ss', 'ds', 'es'] as const) cpu.loadSegment(s, 0x10);
  cpu.tr = { selector: 0x28, base: 0x3000, limit: 0x67, rights: 0x8b };
  return { cpu, memory };
}

function irqOnce(vector: number): InterruptController {
  let pending = true;
  return {
    hasInterrupt: () => pending,
    acknowledge: () => {
      pending = false;
      return vector;
    },
  };
}

describe('protected-mode interrupt delivery', () => {
  it('switches to the TSS ring-0 stack for an IRQ taken at CPL 3', () => {
    const { cpu, memory } = setup(irqOnce(0x20));
    memory.write16(0x10000, 0xfeeb); // jmp $
    cpu.setSegment('cs', { selector: 0x1b, base: 0, limit: 0xffffffff, rights: 0xc0fb });
    cpu.setSegment('ss', { selector: 0x23, base: 0, limit: 0xffffffff, rights: 0xc0f3 });
    cpu.eip = 0x10000;
    cpu.esp = 0x9000;
    cpu.eflags = 0x202;
    expect(cpu.run(10)).toBe('hlt');
    expect(cpu.cpl).toBe(0);
    expect(cpu.getSegment('cs').selector).toBe(0x08);
    expect(cpu.getSegment('ss').selector).toBe(0x10);
    expect(cpu.esp).toBe(ESP0 - 20);
    expect(cpu.eip).toBe(HANDLER + 0x20 * 16 + 1);
    expect(cpu.eflags & 0x200).toBe(0); // interrupt gate clears IF
    const frame = [0, 4, 8, 12, 16].map((o) => memory.read32(ESP0 - 20 + o));
    expect(frame).toEqual([0x10000, 0x1b, 0x202, 0x9000, 0x23]);
  });

  it('leaves virtual-8086 mode for an IRQ, pushing the data segments, and IRET returns to it', () => {
    const { cpu, memory } = setup(irqOnce(0x21));
    memory.write16(0x12340 + 0x100, 0xfeeb); // jmp $ at 1234:0100
    memory.write16(HANDLER + 0x21 * 16, 0xcff4); // hlt; iretd
    cpu.eflags = 0x20202; // VM, IF
    const sels = { es: 0x1111, ds: 0x2222, fs: 0x3333, gs: 0x4444, ss: 0x5555 } as const;
    for (const [s, v] of Object.entries(sels)) cpu.loadSegment(s as keyof typeof sels, v);
    cpu.loadSegment('cs', 0x1234);
    cpu.eip = 0x100;
    cpu.esp = 0xfffe;
    expect(cpu.run(1)).toBe('hlt'); // the interrupt is delivered, then the handler's HLT runs
    expect(cpu.isV86()).toBe(false);
    expect(cpu.getSegment('ds').selector).toBe(0);
    const frame = [0, 4, 8, 12, 16, 20, 24, 28, 32].map((o) => memory.read32(cpu.esp + o));
    expect(frame).toEqual([0x100, 0x1234, 0x20202, 0xfffe, 0x5555, 0x1111, 0x2222, 0x3333, 0x4444]);
    cpu.halted = false;
    cpu.run(1);
    expect(cpu.isV86()).toBe(true);
    expect(cpu.cpl).toBe(3);
    expect(cpu.getSegment('gs')).toMatchObject({ selector: 0x4444, base: 0x44440 });
    expect(cpu.getSegment('cs')).toMatchObject({ selector: 0x1234, base: 0x12340 });
    expect([cpu.eip, cpu.esp]).toEqual([0x100, 0xfffe]);
  });

  it('escalates a fault during #PF delivery to #DF, and a fault delivering #DF to shutdown', () => {
    const { cpu, memory } = setup();
    const vectors: number[] = [];
    cpu.hooks = {
      onException: (v) => {
        vectors.push(v);
        return false;
      },
    };
    // Paging with only the first 1 MiB mapped; the stack points into unmapped memory.
    memory.write32(0x5000, 0x6003);
    for (let i = 0; i < 256; i++) memory.write32(0x6000 + i * 4, (i * 0x1000) | 3);
    cpu.setControl(3, 0x5000);
    cpu.setControl(0, cpu.cr0 | 0x80000000);
    memory.write16(0x10000, 0x008b); // mov eax, [eax]
    cpu.eip = 0x10000;
    cpu.eax = 0x300000;
    cpu.esp = 0x200000;
    expect(cpu.run(10)).toBe('reset');
    // The #PF raised while delivering the first #PF is not delivered: it becomes #DF.
    expect(vectors).toEqual([14, 8]);
    expect(cpu.cr2 >>> 0).toBe(0x1ffffc);
  });
});
