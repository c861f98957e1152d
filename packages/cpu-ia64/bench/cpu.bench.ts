// Guest IA-64 instructions per second on three committed programs (test/programs/src/bench_*.s): a
// br.cloop loop (30 M instructions), naive fib(27), a register-stack-heavy recursion (12.4 M), and a
// floating-point kernel, a sum of squares with ldfd/fma.d (12.3 M).
// Ski, when present (SKI=/path/to/bski, or bski on PATH), runs the same images in the same run;
// its rate is the one it reports itself (-stats: instructions over wall-clock run time). Ours and Ski
// alternate for five rounds and the best of each is reported. Ours runs
// with the block compiler (the default) and, for the ratio, with the interpreter alone (jit: false).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { LinuxProcess } from '../src/index.js';

const ELF = join(import.meta.dirname, '../test/programs/elf');
const SKI = process.env.SKI ?? 'bski';

/** One run of ours: instructions and the rate (M/s, wall clock). */
function ours(image: Uint8Array, name: string, jit: boolean): { mips: number; instructions: number } {
  const p = new LinuxProcess(image, { stdout: () => {}, jit });
  const t0 = process.hrtime.bigint();
  const r = p.run();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.exitCode !== 0) throw new Error(`${name}: ${r.fault?.message ?? `exit ${r.exitCode}`}`);
  return { mips: r.instructions / seconds / 1e6, instructions: r.instructions };
}

/** One run of Ski: the rate it reports (M/s), undefined when it is absent. */
function ski(name: string): number | undefined {
  const run = spawnSync(SKI, ['-forceuser', '-noconsole', '-stats', join(ELF, `${name}.elf`)], {
    encoding: 'utf8',
  });
  if (run.error) return undefined;
  const m = /(\d+) i\/s/.exec(`${run.stdout}\n${run.stderr}`);
  return m ? Number(m[1]) / 1e6 : undefined;
}

/** Rounds per program: each runs ours (compiled) then Ski, so that the host's load swings hit both;
 * the best of each is reported (our first round also warms the compiler up). */
const ROUNDS = 5;

console.log(
  `load average at start: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
const rows = ['bench_cloop', 'bench_recursion', 'bench_fp'].map((name) => {
  const image = new Uint8Array(readFileSync(join(ELF, `${name}.elf`)));
  let best = 0;
  let instructions = 0;
  let skiBest: number | undefined;
  for (let round = 0; round < ROUNDS; round++) {
    const o = ours(image, name, true);
    best = Math.max(best, o.mips);
    instructions = o.instructions;
    const s = ski(name);
    if (s !== undefined) skiBest = Math.max(skiBest ?? 0, s);
  }
  const interp = ours(image, name, false);
  return {
    program: name,
    instructions,
    phantasm: `${best.toFixed(2)} M/s`,
    interpreter: `${interp.mips.toFixed(2)} M/s`,
    ski: skiBest === undefined ? 'not present' : `${skiBest.toFixed(1)} M/s`,
    ratio: skiBest === undefined ? '-' : `${(best / skiBest).toFixed(3)}`,
  };
});
console.table(rows);
console.log(
  `load average at end: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
