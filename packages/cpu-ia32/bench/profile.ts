// Profiling aid for the block compiler (not a benchmark): runs one bench workload compiled and
// prints wall time, slices, compiler counters and, with DUMP=1, the generated sources.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PhysicalMemory } from '@phantasm/mmu';
import { Cpu } from '../src/index.js';

const [file, mode, thr] = process.argv.slice(2);
const bin = readFileSync(join(import.meta.dirname, 'programs', file));
const LOAD = 0x10000;
function make(): Cpu {
  const memory = new PhysicalMemory({ ramSize: 8 * 1024 * 1024 });
  // Touch every page before timing: the host's first write to a fresh page costs ~40 us here
  // (20 ms per 2 MiB under this hypervisor), which v86's best-of-3 runs in one booted machine
  // do not pay; it is the host's cost, not the emulator's.
  memory.ram.fill(0);
  memory.ram.set(bin, LOAD);
  const cpu = new Cpu({
    memory,
    jit: thr === 'off' ? false : { threshold: thr === undefined ? undefined : Number(thr) },
  });
  if (mode === 'real') {
    cpu.setSegment('cs', { selector: LOAD >> 4, base: LOAD, limit: 0xffff, rights: 0x9b });
    cpu.eip = 0;
    return cpu;
  }
  const pd = 0x1000;
  for (let t = 0; t < 2; t++) {
    const pt = 0x2000 + t * 0x1000;
    memory.write32(pd + t * 4, pt | 3);
    for (let i = 0; i < 1024; i++) memory.write32(pt + i * 4, ((t * 1024 + i) * 0x1000) | 3);
  }
  cpu.setControl(3, pd);
  cpu.setControl(0, cpu.cr0 | 1 | 0x80000000);
  for (const s of ['ds', 'es', 'ss'] as const)
    cpu.setSegment(s, { selector: 0x10, base: 0, limit: 0xffffffff, rights: 0xc093 });
  cpu.setSegment('cs', { selector: 0x08, base: 0, limit: 0xffffffff, rights: 0xc09b });
  cpu.eip = LOAD;
  cpu.esp = 0x90000;
  return cpu;
}
const shared = process.env.SAME ? make() : undefined;
const entry = shared?.eip ?? 0;
for (let rep = 0; rep < Number(process.env.REPS ?? 3); rep++) {
  const cpu = shared ?? make();
  if (shared) {
    cpu.eip = entry;
    cpu.halted = false;
  }
  const i0 = cpu.instructions;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const slices: number[] = [];
  let stop = 'budget';
  while (stop === 'budget') {
    const s0 = performance.now();
    stop = cpu.run(Number(process.env.SLICE ?? 1_000_000));
    slices.push(performance.now() - s0);
  }
  const ms = performance.now() - t0;
  const cpuMs = (process.cpuUsage(c0).user + process.cpuUsage(c0).system) / 1000;
  const st = cpu.jitStats;
  console.log(
    `${file} ${mode} rep ${rep}: ${cpu.instructions - i0} instr ${ms.toFixed(1)} ms = ${((cpu.instructions - i0) / ms / 1000).toFixed(1)} M/s (cpu ${cpuMs.toFixed(1)} ms); ` +
      `compiled ${st?.instructions} blocks ${st?.blocksCompiled} lookups ${st?.lookups} hits ${st?.hits} compileMs ${st?.compileMs.toFixed(1)}`,
  );
  console.log(`  slices ms: ${slices.map((s) => s.toFixed(1)).join(' ')}`);
}
