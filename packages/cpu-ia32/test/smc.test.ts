// Self-modifying code and writes that bypass the CPU: the decoder must see the bytes in RAM
// at the start of every instruction (BIOSes and DOS patch code, devices DMA into it).
import { PhysicalMemory } from '@phantasm/mmu';
import { describe, expect, it } from 'vitest';
import { Cpu } from '../src/index.js';

const LOAD = 0x10000;

function realMode(code: number[]) {
  const memory = new PhysicalMemory({ ramSize: 1024 * 1024 });
  memory.ram.set(code, LOAD);
  const cpu = new Cpu({ memory });
  cpu.setSegment('cs', { selector: LOAD >> 4, base: LOAD, limit: 0xffff, rights: 0x9b });
  cpu.eip = 0;
  return { cpu, memory };
}

/** Flat 32-bit ring 0, paging on: the first 4 MiB identity-mapped, 400000h aliasing frame 10000h. */
function pagedMode(code: number[]) {
  const memory = new PhysicalMemory({ ramSize: 8 * 1024 * 1024 });
  memory.ram.set(code, LOAD);
  const cpu = new Cpu({ memory });
  const pd = 0x1000;
  memory.write32(pd, 0x2000 | 3);
  for (let i = 0; i < 1024; i++) memory.write32(0x2000 + i * 4, (i * 0x1000) | 3);
  memory.write32(pd + 4, 0x3000 | 3);
  memory.write32(0x3000, LOAD | 3);
  cpu.setControl(3, pd);
  cpu.setControl(0, cpu.cr0 | 1 | 0x80000000);
  for (const s of ['ds', 'es', 'ss'] as const)
    cpu.setSegment(s, { selector: 0x10, base: 0, limit: 0xffffffff, rights: 0xc093 });
  cpu.setSegment('cs', { selector: 0x08, base: 0, limit: 0xffffffff, rights: 0xc09b });
  cpu.eip = LOAD;
  cpu.esp = 0x90000;
  return { cpu, memory };
}

describe('self-modifying code', () => {
  it('real mode: a store into the immediate of the next instruction takes effect', () => {
    // mov byte [cs:7], 42h; mov al, 0 (patched to mov al, 42h); hlt
    const { cpu } = realMode([0x2e, 0xc6, 0x06, 0x07, 0x00, 0x42, 0xb0, 0x00, 0xf4]);
    expect(cpu.run(10)).toBe('hlt');
    expect(cpu.eax & 0xff).toBe(0x42);
  });

  it('real mode: a store that replaces the next opcode takes effect', () => {
    // mov byte [cs:6], 40h; nop (patched to inc ax); hlt
    const { cpu } = realMode([0x2e, 0xc6, 0x06, 0x06, 0x00, 0x40, 0x90, 0xf4]);
    expect(cpu.run(10)).toBe('hlt');
    expect(cpu.eax & 0xffff).toBe(1);
  });

  it('real mode: host and device writes between instructions are seen', () => {
    // mov al, 1; mov al, 2; mov al, 3; hlt
    const { cpu, memory } = realMode([0xb0, 0x01, 0xb0, 0x02, 0xb0, 0x03, 0xf4]);
    expect(cpu.run(1)).toBe('budget');
    memory.ram[LOAD + 3] = 0x22; // a direct RAM poke (DMA)
    expect(cpu.run(1)).toBe('budget');
    expect(cpu.eax & 0xff).toBe(0x22);
    memory.write8(LOAD + 5, 0x33); // through the bus
    expect(cpu.run(1)).toBe('budget');
    expect(cpu.eax & 0xff).toBe(0x33);
    expect(cpu.run(1)).toBe('hlt');
  });

  it('real mode: a loop that patches its own body sees every version', () => {
    // mov cx, 3; l: add bx, [cs:imm]; ... increments the immediate of `add ax, 1` each pass.
    //  0: B9 03 00          mov cx, 3
    //  3: 05 01 00          add ax, 1        (immediate at 4)
    //  6: 2E FE 06 04 00    inc byte [cs:4]
    //  B: E2 F6             loop 3
    //  D: F4                hlt
    const { cpu } = realMode([
      0xb9, 0x03, 0x00, 0x05, 0x01, 0x00, 0x2e, 0xfe, 0x06, 0x04, 0x00, 0xe2, 0xf6, 0xf4,
    ]);
    expect(cpu.run(100)).toBe('hlt');
    expect(cpu.eax & 0xffff).toBe(1 + 2 + 3);
  });

  it('paged mode: stores to the next instruction, directly and through another mapping', () => {
    //  10000: C6 05 08 00 01 00 42      mov byte [10008h], 42h
    //  10007: B0 00                     mov al, 0        (patched to 42h)
    //  10009: C6 05 11 00 40 00 43      mov byte [400011h], 43h  (alias of 10011h)
    //  10010: B3 00                     mov bl, 0        (patched to 43h)
    //  10012: F4                        hlt
    const { cpu } = pagedMode([
      0xc6, 0x05, 0x08, 0x00, 0x01, 0x00, 0x42, 0xb0, 0x00, 0xc6, 0x05, 0x11, 0x00, 0x40, 0x00, 0x43, 0xb3,
      0x00, 0xf4,
    ]);
    expect(cpu.run(10)).toBe('hlt');
    expect(cpu.eax & 0xff).toBe(0x42);
    expect(cpu.ebx & 0xff).toBe(0x43);
  });

  it('paged mode: a remapped code page is fetched from the new frame after INVLPG by the host', () => {
    //  400000: B0 01  mov al, 1 ; F4 hlt (through the alias of frame 10000h)
    const { cpu, memory } = pagedMode([0xb0, 0x01, 0xf4]);
    memory.ram.set([0xb0, 0x02, 0xf4], 0x20000);
    cpu.eip = 0x400000;
    expect(cpu.run(10)).toBe('hlt');
    expect(cpu.eax & 0xff).toBe(1);
    memory.write32(0x3000, 0x20000 | 3);
    cpu.mmu?.invlpg(0x400000);
    cpu.halted = false;
    cpu.eip = 0x400000;
    expect(cpu.run(10)).toBe('hlt');
    expect(cpu.eax & 0xff).toBe(2);
  });
});

describe('instruction fetch at the CS limit', () => {
  for (const [name, at, code] of [
    ['an instruction crossing the limit', 0xfffe, [0xb8, 0x34, 0x12]],
    ['a rel8 jump whose displacement lies beyond the limit', 0xffff, [0xeb]],
    ['the instruction after a one-byte NOP at the limit', 0xffff, [0x90]],
  ] as const) {
    it(`raises #GP(0) for ${name}`, () => {
      const memory = new PhysicalMemory({ ramSize: 1024 * 1024 });
      memory.ram.set(code, LOAD + at);
      memory.ram.fill(0x90, LOAD + at + code.length, LOAD + 0x10100); // more code past the limit
      const vectors: number[] = [];
      const cpu = new Cpu({
        memory,
        hooks: {
          onException: (v) => {
            vectors.push(v);
            cpu.requestStop();
            return true;
          },
        },
      });
      cpu.setSegment('cs', { selector: LOAD >> 4, base: LOAD, limit: 0xffff, rights: 0x9b });
      cpu.eip = at;
      cpu.run(3);
      expect(vectors).toEqual([13]);
    });
  }
});

describe('ESP after a fault (the run loop saves it only for instructions that need it)', () => {
  function faulting(code: number[], sp: number) {
    const memory = new PhysicalMemory({ ramSize: 1024 * 1024 });
    memory.ram.set(code, LOAD);
    const seen: Array<[number, number]> = [];
    const cpu = new Cpu({
      memory,
      hooks: {
        onException: (v) => {
          seen.push([v, cpu.esp]);
          cpu.requestStop();
          return true;
        },
      },
    });
    cpu.setSegment('cs', { selector: LOAD >> 4, base: LOAD, limit: 0xffff, rights: 0x9b });
    cpu.eip = 0;
    cpu.esp = sp;
    cpu.run(10);
    return seen;
  }

  it('keeps the SP of a completed PUSH when the next (register-only) instruction faults', () => {
    // push ax; mov ax, [0FFFFh] (#GP: the word crosses the DS limit)
    expect(faulting([0x50, 0xa1, 0xff, 0xff], 0x100)).toEqual([[13, 0xfe]]);
    // push ax; mov ax, [bx+0FFFFh] with a ModRM operand
    expect(faulting([0x50, 0x8b, 0x87, 0xff, 0xff], 0x100)).toEqual([[13, 0xfe]]);
  });

  it('restores SP when a PUSH itself faults', () => {
    // push ax with SP = 1: the word at SS:FFFFh crosses the limit (#SS), SP unchanged
    expect(faulting([0x50], 1)).toEqual([[12, 1]]);
    // pusha with SP = 3: the first word lands at 1, the second crosses SS:FFFFh (#SS); SP restored
    expect(faulting([0x60], 3)).toEqual([[12, 3]]);
  });
});
