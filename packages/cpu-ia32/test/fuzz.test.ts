// Random byte streams in every mode: the CPU may raise any guest exception (or shut down),
// but it must never throw a host exception. Seeds are printed by fast-check on failure.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { machine } from './machines.js';

/**
 * Fewer cases when the block compiler is forced on (compiled.test.ts): at threshold 0 every
 * random block is compiled once, which costs far more than running it; jit.test.ts is the
 * compiler's own differential fuzz.
 */
const jitScaled = (runs: number) => (process.env.PHANTASM_IA32_JIT ? Math.ceil(runs / 40) : runs);

describe('fuzz: random instruction streams', () => {
  for (const mode of ['real', 'protected', 'pm16', 'ring3', 'paged', 'v86'] as const) {
    it(`never throws a host exception in ${mode} mode`, () => {
      fc.assert(
        fc.property(
          fc.uint8Array({ minLength: 16, maxLength: 512 }),
          fc.uint8Array({ minLength: 64, maxLength: 4096 }),
          (bytes, noise) => {
            const cpu = machine(mode, bytes, noise);
            let steps = 0;
            for (let round = 0; round < 40 && steps < 4000; round++) {
              const stop = cpu.run(100);
              steps += 100;
              if (stop === 'reset') cpu.reset();
              else if (stop === 'hlt') cpu.halted = false;
            }
            // Architectural invariants that must survive any instruction stream.
            expect(cpu.eflags & 0x2).toBe(0x2);
            expect(cpu.eflags & 0x8028).toBe(0);
            expect([0, 1, 2, 3]).toContain(cpu.cpl);
            if (cpu.isV86()) expect(cpu.cpl).toBe(3);
            if (!cpu.isProtected()) expect(cpu.cpl).toBe(0);
            expect(Number.isInteger(cpu.eip) && cpu.eip >= 0 && cpu.eip <= 0xffffffff).toBe(true);
            for (const s of ['es', 'cs', 'ss', 'ds', 'fs', 'gs'] as const) {
              expect(cpu.getSegment(s).selector).toBeLessThanOrEqual(0xffff);
            }
          },
        ),
        { numRuns: jitScaled(120) },
      );
      // Compile-bound under compiled.test.ts (every random block compiled): over a minute on a loaded host.
    }, 600_000);
  }

  // Without paging (whose TLB may legitimately hold stale entries), a snapshot taken anywhere
  // and resumed on a fresh CPU must follow exactly the same path: nothing is hidden outside it.
  for (const mode of ['real', 'protected', 'v86'] as const) {
    it(`resumes identically from a snapshot in ${mode} mode`, () => {
      fc.assert(
        fc.property(
          fc.uint8Array({ minLength: 16, maxLength: 512 }),
          fc.uint8Array({ minLength: 64, maxLength: 4096 }),
          fc.integer({ min: 1, max: 300 }),
          (bytes, noise, cut) => {
            const a = machine(mode, bytes, noise);
            if (a.run(cut) === 'reset') return;
            const state = a.saveState();
            const b = machine(mode, bytes, noise);
            b.memory.ram.set(a.memory.ram);
            b.loadState(state);
            const ra = a.run(300);
            const rb = b.run(300);
            expect(rb).toBe(ra);
            expect(b.saveState()).toEqual(a.saveState());
            expect(Buffer.compare(b.memory.ram, a.memory.ram)).toBe(0);
          },
        ),
        { numRuns: jitScaled(60) },
      );
    });
  }
});
