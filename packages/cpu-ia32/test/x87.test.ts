// The x87 FPU (src/x87). Three parts:
// - the host processor as the oracle: random instruction sequences from random states run
//   natively (test/native/x87-harness.c, built with the host's cc) and here, compared bit for
//   bit (registers, status/control/tag words, memory, AX, flags, the #MF point); the
//   transcendentals compared within one unit in the last place. PHANTASM_X87_FUZZ=N runs N
//   more sequences;
// - committed expected outputs (test/x87/expected/*.txt, the host's answers to fixed cases),
//   replayed without a compiler;
// - the architectural rules the oracle cannot show (CR0.EM/MP/TS/NE, FERR#, environment
//   layouts in real and protected mode, FIP/FDP/FOP, snapshots), against the SDM.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { caseLine, Rng, randomCase, randomF80, TRANSCENDENTAL, transcendentalCase } from './x87/gen.js';
import { buildHost } from './x87/host.js';
import { CODE, runCase, x87Machine } from './x87/machine.js';

/** Compare two result lines; 'exact', 'ulp' (registers within one ulp, the rest equal) or 'differ'. */
function judge(want: string, got: string): 'exact' | 'ulp' | 'differ' {
  if (want === got) return 'exact';
  const a = want.split(' ');
  const b = got.split(' ');
  if (a[0] !== 'ok' || b[0] !== 'ok' || a.length !== b.length) return 'differ';
  for (let k = 1; k < a.length; k++) {
    if (a[k] === b[k]) continue;
    if (k === 2) {
      // Status word: only C1 (the "rounded up" bit) may differ with a one-ulp result.
      if ((Number.parseInt(a[k], 16) ^ Number.parseInt(b[k], 16)) !== 0x200) return 'differ';
      continue;
    }
    if (k < 4 || k > 11) return 'differ';
    const d = BigInt(`0x${a[k]}`) - BigInt(`0x${b[k]}`);
    if (d !== 1n && d !== -1n) return 'differ';
  }
  return 'ulp';
}

const host = buildHost();
const skip = typeof host === 'string' ? host : undefined;
afterAll(() => {
  if (typeof host !== 'string') host.dispose();
});

describe.skipIf(skip !== undefined)(
  `x87 against the host processor${skip ? ` — skipped: ${skip}` : ''}`,
  () => {
    const run = (lines: string[]) => (typeof host === 'string' ? [] : host.run(lines));

    it('random sequences from random states agree bit for bit (a short pass; PHANTASM_X87_FUZZ=N for more)', () => {
      const count = 600 + Number(process.env.PHANTASM_X87_FUZZ ?? 0);
      const r = new Rng(Number(process.env.PHANTASM_X87_SEED ?? 0x87));
      const cases = Array.from({ length: count }, () => randomCase(r, 6));
      const lines = cases.map(caseLine);
      const want = run(lines);
      const m = x87Machine();
      const failures: string[] = [];
      cases.forEach((c, i) => {
        const got = runCase(m, c);
        if (got !== want[i]) failures.push(`${lines[i]}\n  host ${want[i]}\n  ours ${got}`);
      });
      console.log(
        `x87 fuzz: ${count - failures.length} of ${count} sequences agree, ${failures.length} differ`,
      );
      expect(failures.slice(0, 3)).toEqual([]);
    });

    it('the transcendentals agree within one ulp (counts by instruction)', () => {
      const names = ['f2xm1', 'fyl2x', 'fptan', 'fpatan', 'fyl2xp1', 'fsincos', 'fsin', 'fcos'];
      const m = x87Machine();
      const bad: string[] = [];
      const summary: string[] = [];
      TRANSCENDENTAL.forEach((op, k) => {
        const r = new Rng(op * 31);
        const cases = Array.from({ length: 40 }, () => transcendentalCase(r, op));
        const lines = cases.map(caseLine);
        const want = run(lines);
        const tally = { exact: 0, ulp: 0, differ: 0 };
        cases.forEach((c, i) => {
          const v = judge(want[i], runCase(m, c));
          tally[v]++;
          if (v === 'differ') bad.push(`${lines[i]}\n  host ${want[i]}`);
        });
        summary.push(`${names[k]} ${tally.exact}/${tally.ulp}/${tally.differ}`);
      });
      console.log(`x87 transcendentals (exact/1 ulp/differ of 40 each): ${summary.join(', ')}`);
      expect(bad.slice(0, 3)).toEqual([]);
    });
  },
);

describe('x87 expected outputs (the host processor’s answers, committed)', () => {
  for (const name of ['sequences', 'transcendentals']) {
    it(`${name}.txt replays`, () => {
      const text = readFileSync(join(import.meta.dirname, 'x87', 'expected', `${name}.txt`), 'utf8');
      const m = x87Machine();
      const tally = { exact: 0, ulp: 0, differ: 0 };
      const bad: string[] = [];
      const bytes = (h: string) => (h.match(/../g) ?? []).map((b) => Number.parseInt(b, 16));
      for (const entry of text.trim().split('\n\n')) {
        const [input, want] = entry.split('\n');
        const [image, mem, ax, flags, code] = input.split(' ');
        const got = runCase(m, {
          image: bytes(image),
          mem: bytes(mem),
          ax: Number.parseInt(ax, 16),
          flags: Number.parseInt(flags, 16),
          code: bytes(code),
        });
        const v = name === 'sequences' ? (got === want ? 'exact' : 'differ') : judge(want, got);
        tally[v]++;
        if (v === 'differ') bad.push(`${input}\n  host ${want}\n  ours ${got}`);
      }
      console.log(`x87 ${name}.txt: ${tally.exact} exact, ${tally.ulp} within 1 ulp, ${tally.differ} differ`);
      expect(tally.exact + tally.ulp).toBeGreaterThan(0);
      expect(bad.slice(0, 3)).toEqual([]);
    });
  }
});

describe('x87 transcendentals on operands of every class (outside their domains too)', () => {
  it('finish with a result, never a host exception, for 100 random operand pairs each', () => {
    const r = new Rng(0xbad);
    const m = x87Machine();
    const f = m.cpu.fpu;
    let done = 0;
    for (const op of TRANSCENDENTAL) {
      for (let i = 0; i < 100; i++) {
        f.init();
        for (let k = 0; k < 2; k++) {
          const [se, sig] = randomF80(r);
          f.push({ s: se >> 15, e: se & 0x7fff, m: sig });
        }
        m.memory.ram.set([0xd9, op, 0xf4], CODE);
        m.cpu.eip = CODE;
        m.cpu.halted = false;
        m.faults.length = 0;
        expect(m.cpu.run(5)).toBe('hlt');
        expect(m.faults).toEqual([]);
        done++;
      }
    }
    expect(done).toBe(800);
  });
});
