import { readFileSync } from 'node:fs';
import { PhysicalMemory } from '@phantasm/mmu';
import { Cpu } from '../src/index.js';

const bin = readFileSync('/work/main/packages/cpu-ia32/bench/programs/' + (process.argv[2] ?? 'loop32.bin'));
const memory = new PhysicalMemory({ ramSize: 8 * 1024 * 1024 });
memory.ram.set(bin, 0x10000);
const cpu = new Cpu({ memory });
if (process.argv[3] === 'real') {
  cpu.setSegment('cs', { selector: 0x1000, base: 0x10000, limit: 0xffff, rights: 0x9b });
  cpu.eip = 0;
} else {
  cpu.setControl(0, cpu.cr0 | 1);
  for (const s of ['ds', 'es', 'ss'] as const)
    cpu.setSegment(s, { selector: 0x10, base: 0, limit: 0xffffffff, rights: 0xc093 });
  cpu.setSegment('cs', { selector: 0x08, base: 0, limit: 0xffffffff, rights: 0xc09b });
  cpu.eip = 0x10000;
}
const t0 = performance.now();
let stop = 'budget';
while (stop === 'budget') stop = cpu.run(1_000_000);
const dt = (performance.now() - t0) / 1000;
console.log(stop, cpu.instructions, (cpu.instructions / dt / 1e6).toFixed(1), 'M/s');
