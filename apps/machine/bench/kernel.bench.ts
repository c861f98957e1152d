// The Phantasm kernel (src/kernel) booted in-process on the PC board, four measures, each with a
// reference from the same run side by side:
//   1. boot to the kvshell prompt `kv> ` on a fresh disk, and restoring a 256 MiB object space
//      (filled by `spin fill 256`, snapshotted, closed); a FileBlockDevice in the temp directory, so
//      real fsyncs are included. Reference: the fresh boot.
//   2. snapshot pause and commit while the `stress` guest runs (a periodic snapshot every 500 ms).
//      Reference: as many blocks as the commit wrote, written raw + fsync, then one block + fsync.
//   3. the system-call round trip (int 0x80 → IDT stub → TypeScript kernel → IRETD) of `syscallbench`
//      (gettid in a tight loop). Reference: the bare cpu-ia32 running int 0x80 from ring 3 into an
//      IRETD handler at ring 0 (the CPU's part of the trip alone).
//   4. guest instructions per second inside the machine (`spin`, ring 3, object space) against the
//      bare cpu-ia32 on the workload bytes of packages/cpu-ia32/bench/programs (flat ring 0, paging).
// Benchmarks, not tests: nothing is asserted on timings.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cpu } from '@phantasm/cpu-ia32';
import { PhysicalMemory } from '@phantasm/mmu';
import { FileBlockDevice, MemoryBlockDevice, type PersistentSpace } from '@phantasm/vm-map';
import { GUEST_BIN_DIR } from '../src/kernel/guests.js';
import { type BootStage, PhantasmSystem } from '../src/kernel/system.js';
import type { SystemOptions } from '../src/kernel/types.js';

const PROGRAMS = join(import.meta.dirname, '../../../packages/cpu-ia32/bench/programs');
const FILL_MIB = 256;
const STRESS_MIB = '16';
const SNAPSHOT_INTERVAL_MS = 500;
const SYSCALLS = 100_000;
const ROUNDS = 4;

const dir = mkdtempSync(join(tmpdir(), 'phantasm-kernel-bench-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/** A file disk that counts block reads, writes and fsyncs (writeRun stays FileBlockDevice's). */
class CountingDisk extends FileBlockDevice {
  reads = 0;
  writes = 0;
  fsyncs = 0;
  override read(block: number, into: Uint8Array): void {
    this.reads++;
    super.read(block, into);
  }
  override write(block: number, data: Uint8Array): void {
    this.writes++;
    super.write(block, data);
  }
  override writeRun(first: number, data: Uint8Array): void {
    this.writes += data.length / 4096;
    super.writeRun(first, data);
  }
  override flush(): void {
    this.fsyncs++;
    super.flush();
  }
}

function boot(options: SystemOptions): PhantasmSystem {
  return PhantasmSystem.boot({ snapshotIntervalMs: 0, ...options });
}

/** Run until the console shows `text` after `from`; fails when the guests stop or time runs out. */
function runUntil(system: PhantasmSystem, text: string, from = 0, maxWallMs = 120_000): number {
  const start = performance.now();
  for (;;) {
    const at = system.consoleText.indexOf(text, from);
    if (at >= 0) return at + text.length;
    const r = system.run({ maxInstructions: 10_000_000, untilConsole: text, consoleFrom: from });
    if ((r.stop === 'idle' || r.stop === 'no-threads') && !system.consoleText.includes(text, from))
      throw new Error(`${JSON.stringify(text)} never appeared (${r.stop}); console:\n${system.consoleText}`);
    if (performance.now() - start > maxWallMs)
      throw new Error(`${JSON.stringify(text)} did not appear within ${maxWallMs} ms`);
  }
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: number[]) => {
  const s = sorted(xs);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fixed = (n: number, digits = 1) => n.toFixed(digits);
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;

function printTable(title: string, header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join(' | ')
      .trimEnd();
  console.log(`\n${title}`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const r of rows) console.log(line(r));
}

// --- 1. boot to the prompt: fresh disk, and restoring a 256 MiB object space ---------------------

interface Boot {
  bootMs: number;
  totalMs: number;
  stages: BootStage[];
  instructions: number;
  reads: number;
  writes: number;
  fsyncs: number;
}

function bootToPrompt(path: string): Boot {
  const t0 = performance.now();
  const disk = new CountingDisk(path);
  const system = boot({ disk });
  const bootMs = performance.now() - t0;
  runUntil(system, 'kv> ');
  const totalMs = performance.now() - t0;
  const b = {
    bootMs,
    totalMs,
    stages: system.stages,
    instructions: system.kernel.arch.instructions,
    reads: disk.reads,
    writes: disk.writes,
    fsyncs: disk.fsyncs,
  };
  disk.close(); // power off without a snapshot: the disk stays as it was for the next boot
  return b;
}

let fresh = 0;
const freshPath = () => join(dir, `fresh-${fresh++}.img`);
const freshCold = bootToPrompt(freshPath());
const freshWarm = Array.from({ length: 3 }, () => bootToPrompt(freshPath()));
const freshBest = freshWarm.reduce((a, b) => (b.totalMs < a.totalMs ? b : a));

const spacePath = join(dir, 'space-256.img');
const fillDisk = new CountingDisk(spacePath);
const f0 = performance.now();
const filler = boot({ disk: fillDisk, initial: [{ program: 'spin', arg: `fill ${FILL_MIB}` }] });
runUntil(filler, `spin: filled ${FILL_MIB} MiB`, 0, 600_000);
while (filler.run({ maxInstructions: 1_000_000 }).stop !== 'no-threads'); // spin exits: a restore starts kvshell
const fillMs = performance.now() - f0;
const fillFaults = filler.kernel.counters.pageFaults;
const s0 = performance.now();
const finalSnapshot = filler.shutdown();
const finalMs = performance.now() - s0;
const spaceBlocks = filler.kernel.space.stats.usedBlocks;
fillDisk.close();
const imageMiB = statSync(spacePath).size / 2 ** 20;

const restores = Array.from({ length: 3 }, () => bootToPrompt(spacePath));
const restoreBest = restores.reduce((a, b) => (b.totalMs < a.totalMs ? b : a));

const stage7 = (b: Boot) => b.stages.find((s) => s.stage === 7)!.ms;
const bootRow = (what: string, b: Boot): string[] => [
  what,
  fixed(b.bootMs),
  fixed(stage7(b)),
  fixed(b.totalMs - b.bootMs),
  fixed(b.totalMs),
  String(b.instructions),
  String(b.reads),
  String(b.writes),
  String(b.fsyncs),
  ratio(b.totalMs, freshBest.totalMs),
];
printTable(
  `1. boot to the kvshell prompt "kv> " (64 MiB RAM, FileBlockDevice in ${tmpdir()}, real fsyncs)`,
  [
    'disk',
    'boot ms (stages 1-8)',
    'stage 7 ms',
    'to prompt ms',
    'total ms',
    'instructions',
    'blocks read',
    'blocks written',
    'fsyncs',
    'total vs fresh (warm)',
  ],
  [
    bootRow('fresh (first boot in the process)', freshCold),
    bootRow('fresh, warm (reference, best of 3)', freshBest),
    bootRow(`restore ${FILL_MIB} MiB space (first)`, restores[0]),
    bootRow(`restore ${FILL_MIB} MiB space (best of 3)`, restoreBest),
  ],
);
printTable(
  'boot stages, ms (fresh warm best vs restore best)',
  ['stage', 'fresh', `restore ${FILL_MIB} MiB`, 'detail (restore)'],
  restoreBest.stages.map((s, i) => [
    `${s.stage} ${s.name}`,
    fixed(freshBest.stages[i].ms, 2),
    fixed(s.ms, 2),
    s.detail,
  ]),
);
console.log(
  `fill: spin fill ${FILL_MIB} wrote one word into each of ${FILL_MIB * 256} pages in ${fixed(fillMs / 1000, 2)} s ` +
    `(${fillFaults} page faults, boot included); final snapshot (generation ${finalSnapshot.generation}): ` +
    `${finalSnapshot.pagesWritten} pages written in ${fixed(finalMs)} ms; ${spaceBlocks} blocks in use, ` +
    `image ${fixed(imageMiB)} MiB. A restore reads the superblocks, page list, bitmap and kernel state; ` +
    'data pages come in on fault.',
);

// --- 2. snapshot pause and commit under the stress guest --------------------------------------------

/** Host time spent inside vm-map for each snapshot (the pause, every walk step, the commit), by
 * generation: the kernel's own work, where the logged commit time is the latency from the pause to
 * durable, with guests running between the walk steps. Wraps the space's method; the kernel is unchanged. */
function timeSnapshotWork(space: PersistentSpace): Map<number, { ms: number; steps: number }> {
  const work = new Map<number, { ms: number; steps: number }>();
  const begin = space.beginSnapshot.bind(space);
  space.beginSnapshot = (state) => {
    const t0 = performance.now();
    const job = begin(state);
    const w = { ms: performance.now() - t0, steps: 0 };
    work.set(job.generation, w);
    const timed =
      <A extends unknown[], R>(f: (...args: A) => R) =>
      (...args: A): R => {
        const t = performance.now();
        try {
          return f(...args);
        } finally {
          w.ms += performance.now() - t;
          w.steps++;
        }
      };
    return {
      generation: job.generation,
      get done() {
        return job.done;
      },
      step: timed(job.step),
      finish: timed(job.finish),
    };
  };
  return work;
}

const snapshotLog: { line: string; writes: number }[] = [];
const stressDisk = new CountingDisk(join(dir, 'stress.img'));
const stress = boot({
  disk: stressDisk,
  snapshotIntervalMs: SNAPSHOT_INTERVAL_MS,
  initial: [{ program: 'stress', arg: STRESS_MIB }],
  log: (line) => {
    if (line.startsWith('snapshot ')) snapshotLog.push({ line, writes: stressDisk.writes });
  },
});
const snapshotWork = timeSnapshotWork(stress.kernel.space);
const st0 = performance.now();
const sti0 = stress.kernel.arch.instructions;
runUntil(stress, 'stress: done', 0, 300_000);
const stressMs = performance.now() - st0;
const stressInstructions = stress.kernel.arch.instructions - sti0;
stressDisk.close();
const pauses: number[] = [];
const commits: { pages: number; cow: number; ms: number; blocks: number; workMs: number; steps: number }[] =
  [];
let writesAtPause = 0;
for (const { line, writes } of snapshotLog) {
  const taken = /^snapshot \d+ taken: pause ([\d.]+) ms/.exec(line);
  if (taken) {
    pauses.push(Number(taken[1]));
    writesAtPause = writes;
  }
  const done = /^snapshot (\d+) committed: (\d+) pages written, (\d+) copied on write, ([\d.]+) ms/.exec(
    line,
  );
  if (done) {
    const work = snapshotWork.get(Number(done[1]));
    commits.push({
      pages: Number(done[2]),
      cow: Number(done[3]),
      ms: Number(done[4]),
      blocks: writes - writesAtPause,
      workMs: work?.ms ?? Number.NaN,
      steps: work?.steps ?? Number.NaN,
    });
  }
}
const lastCommit = stress.kernel.lastCommit;

/** Reference: `blocks` blocks written raw (one contiguous pwrite) + fsync, then one block + fsync:
 * the same amount of I/O with a commit's two fsyncs, and nothing else. */
function rawCommit(blocks: number): number {
  const path = join(dir, 'raw.img');
  const raw = new FileBlockDevice(path);
  const data = new Uint8Array(4096 * Math.max(1, blocks)).fill(0x5a);
  const t0 = performance.now();
  if (blocks > 0) raw.writeRun(0, data);
  raw.flush();
  raw.write(blocks + 1, data.subarray(0, 4096));
  raw.flush();
  const ms = performance.now() - t0;
  raw.close();
  rmSync(path);
  return ms;
}
const commitMs = commits.map((c) => c.ms);
const workMs = commits.map((c) => c.workMs);
const medianBlocks = Math.round(median(commits.map((c) => c.blocks)));
const raws = Array.from({ length: 5 }, () => rawCommit(medianBlocks));
const stats = (xs: number[], digits: number) =>
  xs.length
    ? [fixed(Math.min(...xs), digits), fixed(median(xs), digits), fixed(Math.max(...xs), digits)]
    : ['-', '-', '-'];
const n = String(commits.length);
const per = (f: (c: (typeof commits)[number]) => number) => stats(commits.map(f), 0);
printTable(
  `2. periodic snapshots (every ${SNAPSHOT_INTERVAL_MS} ms) while stress ${STRESS_MIB} runs (64 MiB RAM, FileBlockDevice)`,
  ['measure', 'n', 'min', 'median', 'max', 'vs reference (medians)'],
  [
    ['stop-the-world pause, ms (kernel log)', String(pauses.length), ...stats(pauses, 3)],
    [
      'commit: pause to durable, guests running between walk steps, ms (log)',
      n,
      ...stats(commitMs, 1),
      commits.length ? ratio(median(commitMs), median(raws)) : '-',
    ],
    [
      'snapshot work: host time in vm-map (pause + walk steps + commit), ms',
      n,
      ...stats(workMs, 1),
      commits.length ? ratio(median(workMs), median(raws)) : '-',
    ],
    ['walk steps per snapshot (2,048 of the 262,144 pages each)', n, ...per((c) => c.steps)],
    ['data pages written per snapshot', n, ...per((c) => c.pages)],
    ['blocks written per snapshot (data + page list + bitmap + state)', n, ...per((c) => c.blocks)],
    ['pages copied on write per snapshot', n, ...per((c) => c.cow)],
    [
      `reference: ${medianBlocks} blocks raw pwrite + fsync, 1 block + fsync, ms`,
      String(raws.length),
      ...stats(raws, 1),
      '1.00x',
    ],
  ],
);
console.log(
  `stress ${STRESS_MIB} MiB: ${fixed(stressInstructions / 1e6)} M instructions in ${fixed(stressMs / 1000, 2)} s ` +
    `(${fixed(stressInstructions / stressMs / 1000)} M instr/s, snapshots included), ${stressDisk.fsyncs} fsyncs; ` +
    `kernel.lastCommit: generation ${lastCommit?.generation}, pause ${fixed(lastCommit?.pauseMs ?? Number.NaN, 3)} ms, ` +
    `commit ${fixed(lastCommit?.commitMs ?? Number.NaN)} ms.`,
);

// --- 3 and 4: guests between "<name>: go" and "<name>: end" lines -------------------------------------

interface Round {
  ms: number;
  instructions: number;
  syscalls: number;
  ticks: number;
  pageFaults: number;
}

/** Boot on a memory disk with `program arg`; each call of the result measures the guest's next
 * round, from its go line to its end line. */
function guestRounds(program: string, arg: string): () => Round {
  const system = boot({ disk: new MemoryBlockDevice(), initial: [{ program, arg }] });
  const { counters, arch } = system.kernel;
  let from = 0;
  return () => {
    const go = runUntil(system, `${program}: go\n`, from);
    const c0 = { ...counters };
    const i0 = arch.instructions;
    const t0 = performance.now();
    from = runUntil(system, `${program}: end\n`, go);
    return {
      ms: performance.now() - t0,
      instructions: arch.instructions - i0,
      syscalls: counters.syscalls - c0.syscalls,
      ticks: counters.ticks - c0.ticks,
      pageFaults: counters.pageFaults - c0.pageFaults,
    };
  };
}

/** ROUNDS pairs, a machine round then a bare one, so both see the same load on the shared host. */
function interleaved(machine: () => Round, bare: () => Round): { machine: Round[]; bare: Round[] } {
  const out = { machine: [] as Round[], bare: [] as Round[] };
  for (let r = 0; r < ROUNDS; r++) {
    out.machine.push(machine());
    out.bare.push(bare());
  }
  return out;
}
const fastest = (rounds: Round[]) => rounds.reduce((a, b) => (b.ms < a.ms ? b : a));

/** A bare Cpu: 8 MiB identity-mapped by 4 KiB user pages, a GDT with ring 0 and ring 3 flat segments
 * and a TSS, an IDT whose int 0x80 and 0x81 gates (DPL 3) lead to IRETD and HLT. */
function bareCpu(): { cpu: Cpu; memory: PhysicalMemory } {
  const memory = new PhysicalMemory({ ramSize: 8 * 1024 * 1024 });
  const cpu = new Cpu({ memory });
  const pd = 0x1000;
  for (let t = 0; t < 2; t++) {
    const pt = 0x2000 + t * 0x1000;
    memory.write32(pd + t * 4, pt | 7);
    for (let i = 0; i < 1024; i++) memory.write32(pt + i * 4, ((t * 1024 + i) * 0x1000) | 7);
  }
  const GDT = 0x5000;
  const TSS = 0x5800;
  const IDT = 0x6000;
  const gdt = [
    [0, 0],
    [0x0000ffff, 0x00cf9a00], // 08 ring 0 code
    [0x0000ffff, 0x00cf9200], // 10 ring 0 data
    [0x0000ffff, 0x00cffa00], // 18 ring 3 code
    [0x0000ffff, 0x00cff200], // 20 ring 3 data
    [((TSS & 0xffff) << 16) | 103, 0x00008b00], // 28 TSS (busy), base < 64 KiB
  ];
  gdt.forEach(([lo, hi], i) => {
    memory.write32(GDT + i * 8, lo >>> 0);
    memory.write32(GDT + i * 8 + 4, hi >>> 0);
  });
  memory.write32(TSS + 4, 0x80000); // ESP0
  memory.write32(TSS + 8, 0x10); // SS0
  memory.write16(TSS + 102, 104);
  const gate = (vector: number, handler: number) => {
    memory.write32(IDT + vector * 8, (0x08 << 16) | (handler & 0xffff));
    memory.write32(IDT + vector * 8 + 4, ((handler & 0xffff0000) | 0xee00) >>> 0); // present, DPL 3, 32-bit interrupt gate
  };
  memory.write8(0x7000, 0xcf); // iretd
  memory.write8(0x7010, 0xf4); // hlt
  gate(0x80, 0x7000);
  gate(0x81, 0x7010);
  cpu.gdtr = { base: GDT, limit: 6 * 8 - 1 };
  cpu.idtr = { base: IDT, limit: 256 * 8 - 1 };
  cpu.setControl(3, pd);
  cpu.setControl(0, cpu.cr0 | 1 | 0x80000000);
  for (const s of ['ds', 'es', 'ss'] as const)
    cpu.setSegment(s, { selector: 0x10, base: 0, limit: 0xffffffff, rights: 0xc093 });
  cpu.setSegment('cs', { selector: 0x08, base: 0, limit: 0xffffffff, rights: 0xc09b });
  cpu.tr = { selector: 0x28, base: TSS, limit: 103, rights: 0x8b };
  return { cpu, memory };
}

/** Bare reference for 3: ring 3 code at 0x10000 makes `calls` int 0x80 (handler: IRETD), then int 0x81. */
function bareSyscalls(calls: number): Round {
  const { cpu, memory } = bareCpu();
  // ring 0 at 0x8000: data segments to ring 3, then IRETD to ring 3 at 0x10000, stack 0x70000
  const enter = [
    ...[0x66, 0xb8, 0x23, 0x00, 0x8e, 0xd8, 0x8e, 0xc0], // mov ax, 0x23; mov ds, ax; mov es, ax
    ...[0x6a, 0x23, 0x68, 0x00, 0x00, 0x07, 0x00], // push 0x23; push 0x70000
    ...[0x6a, 0x02, 0x6a, 0x1b, 0x68, 0x00, 0x00, 0x01, 0x00, 0xcf], // push 2; push 0x1b; push 0x10000; iretd
  ];
  // mov ecx, calls; l: mov eax, 11; int 0x80; dec ecx; jnz l; int 0x81
  const user = [0xb9, calls & 0xff, (calls >> 8) & 0xff, (calls >> 16) & 0xff, calls >>> 24];
  user.push(0xb8, 11, 0, 0, 0, 0xcd, 0x80, 0x49, 0x75, 0xf6, 0xcd, 0x81);
  memory.ram.set(enter, 0x8000);
  memory.ram.set(user, 0x10000);
  cpu.eip = 0x8000;
  cpu.esp = 0x80000;
  cpu.run(9); // the nine instructions above: into ring 3
  if (cpu.cpl !== 3 || cpu.eip !== 0x10000)
    throw new Error(`bare cpu: not at ring 3 (eip ${cpu.eip.toString(16)})`);
  const i0 = cpu.instructions;
  const t0 = performance.now();
  let stop = 'budget';
  while (stop === 'budget') stop = cpu.run(1_000_000);
  const ms = performance.now() - t0;
  const at: number = cpu.eip; // after the HLT of the int 0x81 handler
  if (stop !== 'hlt' || at !== 0x7011)
    throw new Error(`bare cpu: stopped with ${stop} at ${at.toString(16)}`);
  return { ms, instructions: cpu.instructions - i0, syscalls: calls, ticks: 0, pageFaults: 0 };
}

/** Bare reference for 4: a bench/programs/*.bin workload at 0x10000 in flat ring 0 with paging (as cpu.bench.ts). */
function bareWorkload(file: string): Round {
  const { cpu, memory } = bareCpu();
  memory.ram.set(readFileSync(join(PROGRAMS, file)), 0x10000);
  cpu.eip = 0x10000;
  cpu.esp = 0x90000;
  const t0 = performance.now();
  let stop = 'budget';
  while (stop === 'budget') stop = cpu.run(1_000_000);
  const ms = performance.now() - t0;
  if (stop !== 'hlt') throw new Error(`${file}: stopped with ${stop} at ${cpu.eip.toString(16)}`);
  return { ms, instructions: cpu.instructions, syscalls: 0, ticks: 0, pageFaults: 0 };
}
const spread = (xs: number[]) =>
  `${fixed(Math.min(...xs), 2)}-${fixed(median(xs), 2)}-${fixed(Math.max(...xs), 2)}`;
const pairRatios = (p: { machine: Round[]; bare: Round[] }, f: (r: Round) => number) =>
  p.machine.map((m, i) => f(m) / f(p.bare[i]));

const calls = interleaved(guestRounds('syscallbench', `${SYSCALLS} ${ROUNDS}`), () => bareSyscalls(SYSCALLS));
const mc = fastest(calls.machine);
const bc = fastest(calls.bare);
const nsPerCall = (r: Round) => (r.ms * 1e6) / r.syscalls;
const callRatios = pairRatios(calls, nsPerCall);
printTable(
  `3. system-call round trip: ${SYSCALLS} gettid() calls in a loop (best of ${ROUNDS} rounds, machine and bare alternating)`,
  [
    'where',
    'calls',
    'wall ms',
    'ns per call',
    'instructions per call',
    'M instr/s',
    'vs bare (best; pairs min-median-max)',
  ],
  [
    [
      'machine: int 0x80 -> stub -> TS kernel -> IRETD',
      String(mc.syscalls),
      fixed(mc.ms),
      fixed(nsPerCall(mc), 0),
      fixed(mc.instructions / mc.syscalls, 2),
      fixed(mc.instructions / mc.ms / 1000),
      `${ratio(nsPerCall(mc), nsPerCall(bc))} (${spread(callRatios)})`,
    ],
    [
      'bare cpu-ia32 (reference): int 0x80 -> IRETD',
      String(bc.syscalls),
      fixed(bc.ms),
      fixed(nsPerCall(bc), 0),
      fixed(bc.instructions / bc.syscalls, 2),
      fixed(bc.instructions / bc.ms / 1000),
      '1.00x',
    ],
  ],
);
console.log(
  `machine rounds, ms: ${calls.machine.map((r) => fixed(r.ms)).join(', ')}; bare: ${calls.bare.map((r) => fixed(r.ms)).join(', ')}. ` +
    `${mc.ticks} timer interrupts in the best machine round (in its instructions, not in its calls).`,
);

// --- 4. guest instructions per second inside the machine vs the bare cpu-ia32 ----------------------

const spinBytes = new Uint8Array(readFileSync(join(GUEST_BIN_DIR, 'spin.elf')));
const loopBytes = new Uint8Array(readFileSync(join(PROGRAMS, 'loop32.bin'))).subarray(0, -1); // less HLT
const contains = (hay: Uint8Array, needle: Uint8Array) =>
  hay.some((_, i) => needle.every((b, j) => hay[i + j] === b));
const workloads = [
  {
    name: 'tight loop (dec/jnz)',
    file: 'loop32.bin',
    arg: 'loop',
    code: contains(spinBytes, loopBytes) ? 'the same bytes' : 'the same loop (bytes differ!)',
  },
  { name: 'sieve', file: 'sieve32.bin', arg: 'sieve', code: 'same loops; [esi+reg] for [0x200000+reg]' },
];
const mips = (r: Round) => r.instructions / r.ms / 1000;
const spinRows = workloads.map((w) => {
  const p = interleaved(guestRounds('spin', `${w.arg} ${ROUNDS}`), () => bareWorkload(w.file));
  const m = fastest(p.machine);
  const b = fastest(p.bare);
  const r = pairRatios(p, mips);
  return [
    w.name,
    w.code,
    fixed(m.instructions / 1e6, 2),
    fixed(m.ms),
    fixed(mips(m)),
    `${m.ticks}/${m.pageFaults}/${p.machine[0].pageFaults}`,
    fixed(b.instructions / 1e6, 2),
    fixed(b.ms),
    fixed(mips(b)),
    `${ratio(mips(m), mips(b))} (${spread(r)})`,
  ];
});
printTable(
  `4. guest instructions per second: spin in the machine (ring 3, object space) vs the bare cpu-ia32 (best of ${ROUNDS}, alternating)`,
  [
    'workload',
    'code',
    'machine M instr',
    'machine ms',
    'machine M instr/s',
    'ticks/faults (best)/faults (1st round)',
    'bare M instr',
    'bare ms',
    'bare M instr/s (reference)',
    'machine/bare (best; pairs min-median-max)',
  ],
  spinRows,
);
console.log(
  '\nMachine rows count every instruction the CPU retired between the guest\'s "go" and "end" lines: the\n' +
    'guest loop, the IDT stubs and IRETDs of timer interrupts and page faults, and the write of "end". The\n' +
    "first sieve round also zero-fills its 2,000,000-byte palloc block (page faults); later rounds don't.\n" +
    'Bare rows: packages/cpu-ia32/bench/programs/*.bin at 0x10000, flat ring 0 with 4 KiB paging, as in\n' +
    'cpu.bench.ts (the sieve writes 0x200000 there, the guest its palloc block through ESI). Each pair ratio\n' +
    'compares a machine round with the bare round right after it (the host is shared, its load varies).',
);
