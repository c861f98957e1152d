// nasm-built test programs (test/programs/*.asm, built .bin committed): each runs from
// 0000:7E00, prints its observations on port 0xE9 and halts. The expected text was
// written from the Intel SDM and compared with QEMU (see README "Test programs").
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PhysicalMemory } from '@phantasm/mmu';
import { describe, expect, it } from 'vitest';
import { Cpu, type IoBus } from '../src/index.js';

const dir = join(import.meta.dirname, 'programs');

export function runProgram(name: string, budget = 2_000_000): { output: string; stop: string; cpu: Cpu } {
  const memory = new PhysicalMemory({ ramSize: 4 * 1024 * 1024 });
  memory.ram.set(readFileSync(join(dir, `${name}.bin`)), 0x7c00);
  let output = '';
  const io: IoBus = {
    read: (_port, size) => (size === 1 ? 0xff : size === 2 ? 0xffff : 0xffffffff),
    write: (port, _size, value) => {
      if (port === 0xe9) output += String.fromCharCode(value & 0xff);
    },
  };
  const cpu = new Cpu({ memory, io });
  cpu.setSegment('cs', { selector: 0, base: 0, limit: 0xffff, rights: 0x9b });
  cpu.eip = 0x7e00;
  const stop = cpu.run(budget);
  return { output, stop, cpu };
}

describe('test programs', () => {
  for (const name of ['protected', 'v86', 'alu', 'mem', 'gates', 'system']) {
    it(`${name}.asm prints the expected output (SDM, checked with QEMU)`, () => {
      const expected = readFileSync(join(dir, `${name}.expected.txt`), 'utf8');
      const { output, stop } = runProgram(name);
      expect(output).toBe(expected);
      expect(stop).toBe('hlt');
    });
  }
});
