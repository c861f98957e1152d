// Integer instructions against the host processor: random user-mode sequences (ALU, shifts and
// rotates, SHLD/SHRD, MUL/IMUL, guarded DIV/IDIV, BT*, BSF/BSR, SETcc, CMOVcc, MOVZX/MOVSX, XCHG,
// CMPXCHG, XADD, BSWAP, LEA, CBW/CDQ, LAHF/SAHF, CLC/STC/CMC; 8-, 16- and 32-bit operands) from
// random registers, flags and a 64-byte memory block run natively (int-fuzz/harness.c, built
// with the host's cc) and here, compared on EAX ECX EDX EBX EBP EDI, the arithmetic flags the
// SDM defines after the sequence, and the memory block.
//
// Why the oracle is a 64-bit process: this host cannot execute 32-bit code (its hypervisor keeps
// compatibility mode off: gcc -m32 links but exec fails, and a 32-bit code segment in the LDT
// faults). So the generator (int-fuzz/gen.ts) draws only instructions that encode and behave
// identically in 64-bit mode: no REX, no 40-4F INC/DEC (REX there), no PUSH/POP, nothing invalid
// in 64-bit mode (DAA/AAA/..., 82h, segment pushes), memory only through [esi+disp8] ([rsi+disp8]
// there) with ESI never an operand, and results compared on the low 32 bits.
//
// A short pass runs in the normal run; PHANTASM_INT_FUZZ=N adds N sequences (PHANTASM_INT_FUZZ_SEED
// picks another stream). Without a C compiler or on a non-x86-64 host it is skipped plainly.
import { afterAll, describe, expect, it } from 'vitest';
import { caseLine, maskLine, Rng, randomCase } from './int-fuzz/gen.js';
import { buildHost } from './int-fuzz/host.js';
import { intMachine } from './int-fuzz/machine.js';

const host = buildHost();
const skip = typeof host === 'string' ? host : undefined;
afterAll(() => {
  if (typeof host !== 'string') host.dispose();
});

describe.skipIf(skip !== undefined)(
  `integer instructions against the host processor${skip ? ` — skipped: ${skip}` : ''}`,
  () => {
    const count = 2000 + Number(process.env.PHANTASM_INT_FUZZ ?? 0);
    it('random sequences from random states agree (a short pass; PHANTASM_INT_FUZZ=N for more)', {
      timeout: 60_000 + count * 10,
    }, () => {
      if (typeof host === 'string') return;
      const r = new Rng(Number(process.env.PHANTASM_INT_FUZZ_SEED ?? 0x1e7));
      const m = intMachine();
      const failures: string[] = [];
      const batch = 20000;
      let masked = 0;
      for (let done = 0; done < count; done += batch) {
        const cases = Array.from({ length: Math.min(batch, count - done) }, () =>
          randomCase(r, 1 + r.int(12)),
        );
        const lines = cases.map(caseLine);
        const want = host.run(lines);
        cases.forEach((c, i) => {
          if (c.undefinedFlags) masked++;
          const host = maskLine(want[i], c);
          const ours = maskLine(m.run(c), c);
          if (host !== ours)
            failures.push(`${c.names.join('; ')}\n  in   ${lines[i]}\n  host ${host}\n  ours ${ours}`);
        });
      }
      console.log(
        `integer fuzz: ${count - failures.length} of ${count} sequences agree, ${failures.length} differ ` +
          `(${masked} with some flags undefined by the SDM, masked)`,
      );
      expect(failures.slice(0, 5)).toEqual([]);
    });

    // The machine above backs off compiling its code page (rewritten every case), so the block
    // compiler gets its own pass: a fresh machine per case with every block compiled at once.
    const compiledCount = 300 + Math.floor(Number(process.env.PHANTASM_INT_FUZZ ?? 0) / 10);
    it('the same kind of sequences through the block compiler (threshold 0, a fresh machine each)', {
      timeout: 60_000 + compiledCount * 20,
    }, () => {
      if (typeof host === 'string') return;
      const r = new Rng(Number(process.env.PHANTASM_INT_FUZZ_SEED ?? 0x1e7) + 1);
      const cases = Array.from({ length: compiledCount }, () => randomCase(r, 1 + r.int(12)));
      const lines = cases.map(caseLine);
      const want = host.run(lines);
      const failures: string[] = [];
      let compiled = 0;
      let total = 0;
      cases.forEach((c, i) => {
        const m = intMachine({ threshold: 0 });
        const ours = maskLine(m.run(c), c);
        compiled += m.cpu.jitStats?.instructions ?? 0;
        total += c.names.length;
        const wanted = maskLine(want[i], c);
        if (wanted !== ours)
          failures.push(`${c.names.join('; ')}\n  in   ${lines[i]}\n  host ${wanted}\n  ours ${ours}`);
      });
      console.log(
        `integer fuzz, compiled: ${compiledCount - failures.length} of ${compiledCount} sequences agree, ` +
          `${failures.length} differ; ${compiled} instructions ran in compiled blocks (${total} in the sequences)`,
      );
      expect(compiled).toBeGreaterThan(total / 2);
      expect(failures.slice(0, 5)).toEqual([]);
    });
  },
);
