// The host processor in IA-32 mode as the oracle: random user-mode sequences (integer, x87, stack,
// CALL/RET, ENTER/LEAVE, strings, BCD, branches, deliberate faults; see host32/gen.ts) run natively
// in a 32-bit process (native/ia32-harness.c, built with gcc -m32) and here from the same state at
// the same addresses, compared on all eight registers, OF DF SF ZF AF PF CF (flags the SDM leaves
// undefined masked), the 256-byte data and stack blocks and the x87 registers, control and status
// words — or, when the host faults, on the signal, the faulting EIP and the state at the fault.
//
// The live comparison needs gcc-multilib and a host that runs 32-bit code; it is skipped plainly
// otherwise. The host's answers to a fixed stream are committed as hashes (host32/expected.txt), so
// that part runs everywhere. PHANTASM_HOST32_FUZZ=N adds N live sequences (PHANTASM_HOST32_SEED picks
// another stream).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { answerHash, expectedCases, inputHash, readExpected } from './host32/expected.js';
import { type Case, caseFromLine, caseLine, maskLine, Rng, randomCase } from './host32/gen.js';
import { buildHost } from './host32/host.js';
import { host32Machine } from './host32/machine.js';

describe('IA-32 sequences against the host processor’s committed answers', () => {
  it('every case of the fixed stream gives the answer the host gave (interpreter and compiler)', () => {
    const expected = readExpected();
    const cases = expectedCases();
    expect(cases.length).toBe(expected.length);
    const interpreted = host32Machine(false);
    const failures: string[] = [];
    cases.forEach((c, i) => {
      expect(inputHash(c), `case ${i}: the generator changed; re-record host32/expected.txt`).toBe(
        expected[i].input,
      );
      for (const [how, m] of [
        ['interpreted', interpreted],
        ['compiled', host32Machine({ threshold: 0 })],
      ] as const) {
        const ours = m.run(c);
        if (answerHash(ours, c) !== expected[i].answer)
          failures.push(`case ${i} ${how}: ${c.names.join('; ')}\n  in   ${caseLine(c)}\n  ours ${ours}`);
      }
    });
    expect(failures.slice(0, 3)).toEqual([]);
  });

  it('kept cases the larger runs found (host32/kept.txt: a comment, the input, the host’s answer)', () => {
    const lines = readFileSync(join(import.meta.dirname, 'host32', 'kept.txt'), 'utf8')
      .trim()
      .split('\n');
    const kept = lines.filter((l) => !l.startsWith('#'));
    expect(kept.length % 2).toBe(0);
    for (let i = 0; i < kept.length; i += 2) {
      const c = caseFromLine(kept[i]);
      for (const jit of [false, { threshold: 0 }] as const)
        expect(maskLine(host32Machine(jit).run(c), c), lines[0]).toBe(maskLine(kept[i + 1], c));
    }
  });
});

const host = buildHost();
const skip = typeof host === 'string' ? host : undefined;
afterAll(() => {
  if (typeof host !== 'string') host.dispose();
});

function compare(cases: Case[], run: (c: Case) => string): string[] {
  if (typeof host === 'string') return [];
  const lines = cases.map(caseLine);
  const want = host.run(lines);
  const failures: string[] = [];
  cases.forEach((c, i) => {
    const wanted = maskLine(want[i], c);
    const ours = maskLine(run(c), c);
    if (wanted !== ours)
      failures.push(`${c.names.join('; ')}\n  in   ${lines[i]}\n  host ${wanted}\n  ours ${ours}`);
  });
  return failures;
}

describe.skipIf(skip !== undefined)(
  `IA-32 sequences against the host processor, live${skip ? ` — skipped: ${skip}` : ''}`,
  () => {
    const seed = Number(process.env.PHANTASM_HOST32_SEED ?? 0x3232);
    const extra = Number(process.env.PHANTASM_HOST32_FUZZ ?? 0);

    it('random sequences from random states agree (interpreter; PHANTASM_HOST32_FUZZ=N for more)', {
      timeout: 60_000 + extra * 2,
    }, () => {
      const r = new Rng(seed);
      const m = host32Machine(false);
      const count = 3000 + extra;
      let failures: string[] = [];
      let faulted = 0;
      for (let done = 0; done < count; done += 10000) {
        const cases = Array.from({ length: Math.min(10000, count - done) }, () =>
          randomCase(r, 1 + r.int(14)),
        );
        failures = failures.concat(
          compare(cases, (c) => {
            const out = m.run(c);
            if (out.startsWith('fault')) faulted++;
            return out;
          }),
        );
      }
      console.log(
        `host32 fuzz: ${count - failures.length} of ${count} sequences agree, ${failures.length} differ ` +
          `(${faulted} ended in a fault)`,
      );
      expect(faulted).toBeGreaterThan(0);
      expect(failures.slice(0, 5)).toEqual([]);
    });

    // Threshold 0 looks up and compiles at every instruction; 1 only at block entries (branch
    // targets and after prefixed or 0F opcodes), so interpreted and compiled stretches alternate.
    for (const [threshold, base] of [
      [0, 400],
      [1, 200],
    ] as const) {
      it(`the same kind of sequences through the block compiler (threshold ${threshold}, a fresh machine each)`, {
        timeout: 60_000 + extra * 20,
      }, () => {
        const r = new Rng(seed + 1 + threshold);
        const count = base + Math.floor(extra / 10);
        const cases = Array.from({ length: count }, () => randomCase(r, 1 + r.int(14)));
        let compiled = 0;
        const failures = compare(cases, (c) => {
          const m = host32Machine({ threshold });
          const out = m.run(c);
          compiled += m.cpu.jitStats?.instructions ?? 0;
          return out;
        });
        console.log(
          `host32 fuzz, compiled at ${threshold}: ${count - failures.length} of ${count} agree; ${compiled} instructions in compiled blocks`,
        );
        expect(compiled).toBeGreaterThan(count);
        expect(failures.slice(0, 5)).toEqual([]);
      });
    }
  },
);
