// Guest IA-64 instructions per second on three committed programs (test/programs/src/bench_*.s): a
// br.cloop loop (30 M instructions), naive fib(27), a register-stack-heavy recursion (12.4 M), and a
// floating-point kernel, a sum of squares with ldfd/fma.d (12.3 M).
// Ski, when present (SKI=/path/to/bski, or bski on PATH), runs the same images in the same run;
// its rate is the one it reports itself (-stats: instructions over wall-clock run time), the best of
// three runs as ours is. Ours runs
// with the block compiler (the default) and, for the ratio, with the interpreter alone (jit: false).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LinuxProcess } from '../src/index.js';

const ELF = join(import.meta.dirname, '../test/programs/elf');
const SKI = process.env.SKI ?? 'bski';

function ours(name: string, jit: boolean, reps: number): { mips: number; instructions: number } {
  const image = new Uint8Array(readFileSync(join(ELF, `${name}.elf`)));
  let best = 0;
  let instructions = 0;
  for (let rep = 0; rep < reps; rep++) {
    const p = new LinuxProcess(image, { stdout: () => {}, jit });
    const t0 = process.hrtime.bigint();
    const r = p.run();
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    if (r.exitCode !== 0) throw new Error(`${name}: ${r.fault?.message ?? `exit ${r.exitCode}`}`);
    instructions = r.instructions;
    best = Math.max(best, r.instructions / seconds / 1e6);
  }
  return { mips: best, instructions };
}

/** Ski's best rate over `reps` runs (as ours: the host's load swings both). */
function ski(name: string, reps: number): number | undefined {
  let best: number | undefined;
  for (let rep = 0; rep < reps; rep++) {
    const run = spawnSync(SKI, ['-forceuser', '-noconsole', '-stats', join(ELF, `${name}.elf`)], {
      encoding: 'utf8',
    });
    if (run.error) return undefined;
    const m = /(\d+) i\/s/.exec(`${run.stdout}\n${run.stderr}`);
    if (m) best = Math.max(best ?? 0, Number(m[1]) / 1e6);
  }
  return best;
}

const rows = ['bench_cloop', 'bench_recursion', 'bench_fp'].map((name) => {
  const o = ours(name, true, 3);
  const interp = ours(name, false, 1);
  const s = ski(name, 3);
  return {
    program: name,
    instructions: o.instructions,
    phantasm: `${o.mips.toFixed(2)} M/s`,
    interpreter: `${interp.mips.toFixed(2)} M/s`,
    ski: s === undefined ? 'not present' : `${s.toFixed(1)} M/s`,
    ratio: s === undefined ? '-' : `${(o.mips / s).toFixed(3)}`,
  };
});
console.table(rows);
