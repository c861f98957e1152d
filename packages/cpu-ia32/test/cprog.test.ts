// C programs compiled by gcc -m32 (test/cprog/*.c, freestanding; build.sh builds them and records
// what this machine's own processor printed as the expected output), run on cpu-ia32 from their
// committed ELF images, interpreted and through the block compiler. x87.c exercises the FPU as C
// compiles it — arithmetic in every precision, conversions in every rounding mode, precision
// control, FCOMI/FCMOV (P6 build) or FNSTSW/SAHF (386 build), long-double kernels, packed BCD,
// status flags — and the transcendental instructions through inline assembly. Every result is
// printed as its bit pattern and must be identical, except transcendental results, which may be
// one unit in the last place apart (the host's microcode and our exact algorithm round the last
// bit differently in rare cases; counts are printed). Where this host runs 32-bit code, the
// committed images are also run natively and must still print the committed output, by the same
// rule (another processor model rounds some transcendental results' last bit differently).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runElf32 } from './cprog/run.js';

const DIR = join(import.meta.dirname, 'cprog');
const PROGRAMS = ['x87-p6', 'x87-386'];

/** An 80-bit value printed as "SEXP:MANTISSA" as an ordered integer (sign-magnitude → offset). */
function ordered(field: string): bigint | undefined {
  const m = /^([0-9a-f]{4}):([0-9a-f]{16})$/.exec(field);
  if (!m) return undefined;
  const se = Number.parseInt(m[1], 16);
  const mag = (BigInt(se & 0x7fff) << 64n) | BigInt(`0x${m[2]}`);
  return se & 0x8000 ? -mag : mag;
}

/** Compare outputs: exact outside the transcendental section, within one ulp inside it. */
function compare(ours: string, want: string) {
  const a = ours.split('\n');
  const b = want.split('\n');
  const differences: string[] = [];
  let inTranscendental = false;
  let exact = 0;
  let oneUlp = 0;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (b[i]?.startsWith('transcendental')) inTranscendental = true;
    else if (b[i]?.startsWith('bcd')) inTranscendental = false;
    if (!inTranscendental || b[i]?.startsWith('transcendental')) {
      if (a[i] !== b[i]) differences.push(`line ${i + 1}\n  ours ${a[i]}\n  want ${b[i]}`);
      continue;
    }
    const fa = (a[i] ?? '').split(' ');
    const fb = (b[i] ?? '').split(' ');
    fb.forEach((w, k) => {
      if (fa[k] === w) {
        exact++;
        return;
      }
      const x = ordered(fa[k] ?? '');
      const y = ordered(w);
      const d = x !== undefined && y !== undefined ? x - y : undefined;
      if (d === 1n || d === -1n) oneUlp++;
      else differences.push(`line ${i + 1} field ${k + 1}: ours ${fa[k]} want ${w}`);
    });
  }
  return { differences, exact, oneUlp };
}

const host32 = (() => {
  const probe = spawnSync(join(DIR, 'x87-p6.elf'), [], { encoding: 'latin1' });
  return probe.error || probe.status !== 0
    ? `this host does not run 32-bit programs (${probe.error?.message ?? probe.status})`
    : undefined;
})();

describe('C programs built by gcc -m32 against this machine’s processor', () => {
  for (const name of PROGRAMS) {
    const want = readFileSync(join(DIR, `${name}.expected.txt`), 'latin1');
    for (const [how, jit] of [
      ['interpreted', false],
      ['compiled (threshold 0)', { threshold: 0 }],
    ] as const) {
      it(`${name} prints what the host printed, ${how}`, { timeout: 120_000 }, () => {
        const r = runElf32(join(DIR, `${name}.elf`), jit);
        expect(r.error).toBeUndefined();
        expect(r.exitCode).toBe(0);
        const { differences, exact, oneUlp } = compare(r.stdout, want);
        console.log(
          `${name} ${how}: ${r.instructions} instructions; transcendental results ${exact} exact, ${oneUlp} one ulp apart`,
        );
        expect(differences).toEqual([]);
        expect(exact).toBeGreaterThan(oneUlp * 10);
      });
    }
  }

  it.skipIf(host32 !== undefined)(
    `the committed images still print the committed output on this host${host32 ? ` — skipped: ${host32}` : ''}`,
    () => {
      for (const name of PROGRAMS) {
        const r = spawnSync(join(DIR, `${name}.elf`), [], { encoding: 'latin1' });
        expect(r.status).toBe(0);
        // Processors differ in the last bit of some transcendental results (this workplace's
        // hosts change between sessions): the same rule as for cpu-ia32.
        const { differences, exact, oneUlp } = compare(
          r.stdout,
          readFileSync(join(DIR, `${name}.expected.txt`), 'latin1'),
        );
        console.log(
          `${name} natively: transcendental results ${exact} as committed, ${oneUlp} one ulp apart`,
        );
        expect(differences).toEqual([]);
        expect(exact).toBeGreaterThan(oneUlp * 10);
      }
    },
  );
});
