// Differential runs of the block compiler against the interpreter: the same random program and
// state on three CPUs (compiler off; on with threshold 0; on with RAM in a WebAssembly arena, so
// blocks of the integer subset are WebAssembly), run slice by slice; state, instruction count
// and memory must be equal after every slice.
import { expect, it } from 'vitest';
import type { Cpu } from '../src/index.js';
import { CODE, MODES, type Mode, machine } from './machines.js';

/** A small deterministic random source: rnd(n) in [0, n). */
export function lcg(seed: number): (n: number) => number {
  let s = seed >>> 0 || 1;
  return (n) => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 8) % n;
  };
}

/** Compiled CPU `b` against interpreted `a`: state, instruction count, then the first differing byte. */
export function compare(a: Cpu, b: Cpu, where: string): void {
  expect(b.saveState(), `state ${where}`).toEqual(a.saveState());
  expect(b.instructions, `instructions ${where}`).toBe(a.instructions);
  const ra = a.memory.ram;
  const rb = b.memory.ram;
  if (Buffer.compare(ra, rb) !== 0) {
    let i = 0;
    while (ra[i] === rb[i]) i++;
    expect(rb[i], `memory at ${i.toString(16)} ${where}`).toBe(ra[i]);
  }
}

/** Random code for `differential`: the random source and whether the code segment is 32-bit. */
export type ProgramGenerator = (rnd: (n: number) => number, code32: boolean) => number[];

export function differential(
  mode: Mode,
  seed: number,
  generate: ProgramGenerator,
  firstBudget?: number,
  /** The registers' first values (default: small random ones, EBX a loop count). */
  registers?: (rnd: (n: number) => number) => number[],
  /** More state for each CPU before the run (segments, say). */
  setup?: (cpu: Cpu) => void,
): number {
  const rnd = lcg(seed);
  const code32 = mode === 'protected' || mode === 'ring3' || mode === 'paged';
  const bytes = Uint8Array.from(generate(rnd, code32));
  const noise = Uint8Array.from({ length: 2048 }, () => rnd(256));
  const regs = Array.from({ length: 8 }, () => (rnd(2) ? rnd(0x20000) : rnd(0x10000) * 0x10001));
  regs[3] = 1 + rnd(40); // the closing loop's counter
  if (registers !== undefined) regs.splice(0, 8, ...registers(rnd));
  const cpus = [
    machine(mode, bytes, noise, { jit: false }),
    machine(mode, bytes, noise, { jit: { threshold: 0 } }),
    machine(mode, bytes, noise, { jit: { threshold: 0 } }, true),
  ];
  for (const cpu of cpus) {
    for (const r of [0, 1, 2, 3, 5, 6, 7]) cpu.regs[r] = regs[r];
    if (mode === 'real' || mode === 'v86') cpu.loadSegment('ds', CODE >> 4);
    setup?.(cpu);
  }
  for (let slice = 0; slice < 10; slice++) {
    const budget0 = 1 + rnd(300);
    const budget = firstBudget ?? budget0;
    const ra = cpus[0].run(budget);
    const rb = cpus[1].run(budget);
    const rc = cpus[2].run(budget);
    const where = `(${mode}, seed ${seed}, slice ${slice})`;
    expect(rb, `stop ${where}`).toBe(ra);
    compare(cpus[0], cpus[1], where);
    expect(rc, `stop ${where}, WebAssembly`).toBe(ra);
    compare(cpus[0], cpus[2], `${where}, WebAssembly`);
    for (const cpu of cpus) {
      if (ra === 'reset') cpu.reset();
      else if (ra === 'hlt') cpu.halted = false;
    }
  }
  wasmBlocksCompiled += cpus[2].jitStats?.wasmBlocks ?? 0;
  return cpus[1].jitStats?.instructions ?? 0;
}

/** WebAssembly blocks compiled by `differential` so far (the cases must reach some). */
export let wasmBlocksCompiled = 0;

/**
 * One test per mode: `runs` random programs from `generate` (seeds 1..runs, scaled by
 * `seedStep`), each run compiled against interpreted; some code must have been compiled.
 */
export function eachModeMatchesInterpreter(runs: number, seedStep: number, generate: ProgramGenerator): void {
  for (const mode of MODES) {
    it(`match the interpreter in ${mode} mode`, () => {
      let compiled = 0;
      for (let seed = 1; seed <= runs; seed++)
        compiled += differential(mode, seed * seedStep + mode.length, generate);
      expect(compiled).toBeGreaterThan(0);
    });
  }
}
