// REP MOVS/STOS/CMPS/SCAS in runs (src/exec/string-runs.ts: whole runs as one fill, copy or
// scan), in the interpreter and in compiled blocks, and MOVS/STOS/LODS/SCAS without REP (inline
// code), against the interpreter running one iteration at a time: random counts, addresses (page
// and segment ends, overlapping copies, equal compares, the code page itself), directions,
// operand and address sizes, in every mode; the state, instruction count and memory must be the
// reference's after every slice.
import { describe, expect, it } from 'vitest';
import type { Cpu } from '../src/index.js';
import { compare, lcg } from './differential.js';
import { CODE, MODES, type Mode, machine } from './machines.js';

// After the package (string-runs.ts alone would start an import cycle at the wrong end).
const { stringRuns } = await import('../src/exec/string-runs.js');

/** mov reg, imm in the code's default size (B8+r). */
function movImm(reg: number, v: number, code32: boolean): number[] {
  return code32
    ? [0xb8 + reg, v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff]
    : [0xb8 + reg, v & 0xff, (v >> 8) & 0xff];
}

/** Offsets worth hitting: page ends, segment ends, the code itself, and random ones. */
function offset(rnd: (n: number) => number, code32: boolean): number {
  const picks = code32
    ? [CODE + rnd(64), 0x40000 + rnd(0x3000), 0x40ffe - rnd(8), 0x1fff0 + rnd(32), 0x31000 + rnd(0x800)]
    : [rnd(64), 0xfff0 + rnd(16), 0x0ffe - rnd(8), 0x4000 + rnd(0x3000), rnd(0x10000)];
  return picks[rnd(picks.length)];
}

function program(rnd: (n: number) => number, code32: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < 6; i++) {
    // (0x40000001: a byte count that overflows 32 bits for doublewords)
    const count = [0, 1, 2, 3, 5000, 4097, rnd(0x3000), rnd(20), 0x40000001][rnd(9)];
    const di = offset(rnd, code32);
    // Overlapping copies: the source a few bytes below or above the destination; compares of a
    // string with itself (REPE CMPS runs to the count).
    const si = rnd(3) === 0 ? di + rnd(9) - 4 : rnd(4) === 0 ? di : offset(rnd, code32);
    out.push(...movImm(1, count, code32), ...movImm(7, di, code32), ...movImm(6, si, code32));
    out.push(...movImm(0, rnd(0x10000) * 0x10001, code32));
    out.push(rnd(5) === 0 ? 0xfd : 0xfc); // STD / CLD
    if (rnd(4) === 0) out.push(0x66);
    if (rnd(6) === 0) out.push(0x67);
    if (rnd(3) !== 0)
      out.push(rnd(4) === 0 ? 0xf2 : 0xf3, [0xa4, 0xa5, 0xaa, 0xab, 0xa6, 0xa7, 0xae, 0xaf][rnd(8)]);
    else {
      // One iteration without REP (inline code), twice, with a segment override at times; SETcc
      // keeps SCAS's flags in a register.
      if (rnd(3) === 0) out.push([0x26, 0x2e, 0x36][rnd(3)]);
      const op = [0xa4, 0xa5, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf][rnd(8)];
      out.push(op, op, 0x0f, 0x90 + rnd(16), 0xc0 | rnd(8));
    }
  }
  out.push(0xfc, 0xeb, 0xfe);
  return out;
}

function differential(mode: Mode, seed: number): number {
  const rnd = lcg(seed);
  const code32 = mode === 'protected' || mode === 'ring3' || mode === 'paged';
  const bytes = Uint8Array.from(program(rnd, code32));
  const noise = Uint8Array.from({ length: 2048 }, () => rnd(256));
  // The reference: the interpreter with one iteration at a time; then the interpreter and
  // compiled blocks with runs.
  const cpus = [
    machine(mode, bytes, noise, { jit: false }),
    machine(mode, bytes, noise, { jit: false }),
    machine(mode, bytes, noise, { jit: { threshold: 0 } }),
  ];
  for (const cpu of cpus) {
    if (mode === 'real' || mode === 'v86') cpu.loadSegment('ds', CODE >> 4);
    if (mode === 'real' || mode === 'v86') cpu.loadSegment('es', (CODE >> 4) + 0x10);
  }
  for (let slice = 0; slice < 10; slice++) {
    const budget = 1 + rnd(30);
    stringRuns.enabled = false;
    let ra: ReturnType<Cpu['run']>;
    try {
      ra = cpus[0].run(budget);
    } finally {
      stringRuns.enabled = true;
    }
    for (const [k, cpu] of cpus.entries()) {
      if (k === 0) continue;
      const rb = cpu.run(budget);
      const where = `(${mode}, seed ${seed}, slice ${slice}, ${k === 1 ? 'interpreter' : 'compiled'})`;
      expect(rb, `stop ${where}`).toBe(ra);
      compare(cpus[0], cpu, where);
    }
    for (const cpu of cpus) {
      if (ra === 'reset') cpu.reset();
      else if (ra === 'hlt') cpu.halted = false;
    }
  }
  return cpus[2].jitStats?.instructions ?? 0;
}

describe('REP MOVS/STOS/CMPS/SCAS runs', () => {
  for (const mode of MODES) {
    it(`match one iteration at a time in ${mode} mode`, () => {
      let compiled = 0;
      for (let seed = 1; seed <= 24; seed++) compiled += differential(mode, seed * 7919);
      // The compiled side did run string instructions in blocks.
      expect(compiled).toBeGreaterThan(0);
    });
  }
});
