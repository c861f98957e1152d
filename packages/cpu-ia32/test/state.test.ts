// saveState/loadState: a guest stopped anywhere resumes exactly on another CPU and memory.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PhysicalMemory } from '@phantasm/mmu';
import { describe, expect, it } from 'vitest';
import { Cpu, CpuError, type CpuState, type IoBus } from '../src/index.js';

const dir = join(import.meta.dirname, 'programs');

function machine(out: { text: string }): { cpu: Cpu; memory: PhysicalMemory } {
  const memory = new PhysicalMemory({ ramSize: 4 * 1024 * 1024 });
  const io: IoBus = {
    read: () => 0xff,
    write: (port, _size, value) => {
      if (port === 0xe9) out.text += String.fromCharCode(value & 0xff);
    },
  };
  return { cpu: new Cpu({ memory, io }), memory };
}

describe('CPU state snapshots', () => {
  it('resumes protected.asm on a fresh CPU from a cut every 97 instructions', () => {
    // The program runs ~7,500 instructions: real mode, task switches, ring 3, paging, faults.
    const expected = readFileSync(join(dir, 'protected.expected.txt'), 'utf8');
    const image = readFileSync(join(dir, 'protected.bin'));
    let cuts = 0;
    for (let cut = 1; ; cut += 97) {
      const first = { text: '' };
      const a = machine(first);
      a.memory.ram.set(image, 0x7c00);
      a.cpu.setSegment('cs', { selector: 0, base: 0, limit: 0xffff, rights: 0x9b });
      a.cpu.eip = 0x7e00;
      if (a.cpu.run(cut) !== 'budget') break;
      const state = JSON.parse(JSON.stringify(a.cpu.saveState())) as CpuState;
      const second = { text: '' };
      const b = machine(second);
      b.memory.ram.set(a.memory.ram);
      b.cpu.loadState(state);
      expect(b.cpu.saveState()).toEqual(state);
      expect(b.cpu.run(2_000_000)).toBe('hlt');
      expect(first.text + second.text, `cut after ${cut} instructions`).toBe(expected);
      cuts++;
    }
    expect(cuts).toBeGreaterThan(70);
    // Compile-bound under compiled.test.ts: each of the ~80 fresh CPUs compiles its blocks anew.
  }, 600_000);

  it('refuses a malformed state without changing the CPU', () => {
    const { cpu } = machine({ text: '' });
    const before = cpu.saveState();
    expect(() => cpu.loadState({ ...before, regs: [1, 2, 3] })).toThrow(CpuError);
    expect(cpu.saveState()).toEqual(before);
  });
});
