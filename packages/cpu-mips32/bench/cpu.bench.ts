// Guest MIPS instructions per second on a tight loop and a word-by-word memory copy, running from
// kseg0 (unmapped) and from kuseg (TLB-mapped, user mode).
// No QEMU column yet: the same loop as a `-bios` image under qemu-system-mipsel did not terminate
// through SOFTRES within 20 s (not investigated); a `-kernel` ELF variant is the next step.
import { PhysicalMemory } from '@phantasm/mmu';
import { MipsCpu } from '../src/index.js';

const enc = {
  addiu: (t: number, s: number, i: number) => ((9 << 26) | (s << 21) | (t << 16) | (i & 0xffff)) >>> 0,
  bne: (s: number, t: number, o: number) => ((5 << 26) | (s << 21) | (t << 16) | (o & 0xffff)) >>> 0,
  lw: (t: number, o: number, s: number) => ((0x23 << 26) | (s << 21) | (t << 16) | (o & 0xffff)) >>> 0,
  sw: (t: number, o: number, s: number) => ((0x2b << 26) | (s << 21) | (t << 16) | (o & 0xffff)) >>> 0,
  lui: (t: number, i: number) => ((0xf << 26) | (t << 16) | (i & 0xffff)) >>> 0,
  wait: () => 0x42000020,
};
// t0 = counter; loop: addiu t0,t0,-1 ; bne t0,zero,loop ; addiu t1,t1,1 (delay slot)
const LOOP = (n: number) => [
  enc.lui(8, n >>> 16),
  enc.addiu(8, 8, 0),
  enc.addiu(8, 8, -1),
  enc.bne(8, 0, -2),
  enc.addiu(9, 9, 1),
];
// copy 64 KiB from a0 to a1 word by word, repeated: lw, sw, addiu, addiu, bne, (slot) addiu
const COPY = [
  enc.lw(10, 0, 4),
  enc.sw(10, 0, 5),
  enc.addiu(4, 4, 4),
  enc.addiu(5, 5, 4),
  enc.bne(4, 6, -5),
  enc.addiu(11, 11, 1),
];

function setup(code: number[], user: boolean): MipsCpu {
  const memory = new PhysicalMemory({ ramSize: 4 << 20 });
  const cpu = new MipsCpu({ memory });
  code.forEach((w, k) => {
    memory.write32(0x1000 + 4 * k, w);
  });
  cpu.writeCp0(12, 0, 0);
  if (user) {
    // map virtual 0x00000000..0x003fffff onto physical 0..4 MiB with 4 KiB pages (TLB entries 0..15
    // cover 128 KiB; the rest refills through the host: a bench keeps its working set inside them)
    for (let i = 0; i < 16; i++) {
      cpu.tlb.setIndex(i);
      cpu.tlb.setEntryHi(i * 0x2000);
      cpu.tlb.setEntryLo0((((i * 2) << 6) | 0x1f) >>> 0);
      cpu.tlb.setEntryLo1((((i * 2 + 1) << 6) | 0x1f) >>> 0);
      cpu.tlb.tlbwi();
    }
    cpu.writeCp0(12, 0, 0x10);
  }
  cpu.jump(user ? 0x1000 : 0x8000_1000);
  return cpu;
}

function rate(make: () => MipsCpu, budget: number): number {
  let best = 0;
  for (let rep = 0; rep < 3; rep++) {
    const cpu = make();
    const t0 = process.hrtime.bigint();
    cpu.run(budget);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    best = Math.max(best, cpu.cycles / seconds / 1e6);
  }
  return best;
}

const rows = [
  { workload: 'tight loop', mode: 'kernel kseg0', mips: rate(() => setup(LOOP(1 << 24), false), 30_000_000) },
  {
    workload: 'tight loop',
    mode: 'user kuseg (TLB)',
    mips: rate(() => setup(LOOP(1 << 24), true), 30_000_000),
  },
  {
    workload: 'memory copy 64 KiB',
    mode: 'kernel kseg0',
    mips: rate(() => {
      const cpu = setup(COPY, false);
      cpu.r[4] = 0x8010_0000 | 0;
      cpu.r[5] = 0x8020_0000 | 0;
      cpu.r[6] = 0x8011_0000 | 0;
      return cpu;
    }, 6 * 16384),
  },
  {
    workload: 'memory copy 48 KiB',
    mode: 'user kuseg (TLB)',
    mips: rate(() => {
      const cpu = setup(COPY, true);
      cpu.r[4] = 0x4000;
      cpu.r[5] = 0x10000;
      cpu.r[6] = 0x10000;
      return cpu;
    }, 6 * 12288),
  },
];
console.table(rows.map((r) => ({ ...r, mips: `${r.mips.toFixed(1)} M/s` })));
