// The FPU oracle harness: RAM, the Malta ISA UART's transmit register at physical 0x180003F8 as a
// byte sink, SOFTRES at 0x1F000500 ending the run, and a minimal ELF32 loader.
import { readFileSync } from 'node:fs';
import { PhysicalMemory } from '@phantasm/mmu';
import { MipsCpu, type MipsCpuOptions } from '../src/index.js';
import { loadElf } from './load-elf.js';

/** Runs the ELF at `file` on a 24Kf with the UART and SOFTRES of the oracle harness; its serial output. */
export function runFpuElf(file: string, path: Pick<MipsCpuOptions, 'fastPath' | 'compileThreshold'>): string {
  const memory = new PhysicalMemory({ ramSize: 8 << 20 });
  const cpu = new MipsCpu({ memory, model: '24Kf', ...path });
  let output = '';
  memory.mapMmio(0x1800_03f8, 8, {
    read: (offset) => (offset === 5 ? 0x60 : 0),
    write: (offset, _size, value) => {
      if (offset === 0) output += String.fromCharCode(value & 0xff);
    },
  });
  memory.mapMmio(0x1f00_0500, 4, {
    read: () => 0,
    write: (_offset, _size, value) => {
      if ((value & 0xff) === 0x42) cpu.requestStop('reset');
    },
  });
  cpu.jump(loadElf(memory, readFileSync(file)));
  const why = cpu.run(100_000_000);
  if (why !== 'reset') throw new Error(`${file}: stopped with ${why}, not a SOFTRES reset`);
  return output;
}

/** The first differing lines of two outputs, for a readable failure. */
export function firstDifferences(output: string, expected: string): string {
  const a = output.split('\n');
  const b = expected.split('\n');
  const bad: string[] = [];
  for (let k = 0; k < Math.max(a.length, b.length) && bad.length < 12; k++)
    if (a[k] !== b[k]) bad.push(`line ${k + 1}: got ${a[k]} | qemu ${b[k]}`);
  const differing = b.filter((l, k) => a[k] !== l).length;
  return `${differing} of ${b.length} lines differ:\n${bad.join('\n')}`;
}
