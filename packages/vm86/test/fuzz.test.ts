// Random handler code never crashes the host: every call either returns or ends with a
// Vm86Error, and the caller's CPU state is intact either way.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Vm86Error, Vm86Monitor } from '../src/index.js';
import { bareMachine, cpuState, enterKernelMode, installHandler } from './helpers.js';

describe('fuzz', () => {
  it('random real-mode handlers end in a result or a typed error, and the CPU comes back intact', () => {
    const kinds = new Map<string, number>();
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 48 }),
        fc.record({
          eax: fc.nat(),
          ebx: fc.nat(),
          ds: fc.nat(0xffff),
          es: fc.nat(0xffff),
          eflags: fc.nat(0xffff),
        }),
        (code, registers) => {
          const { cpu, memory } = bareMachine({ ramSize: 4 << 20 });
          enterKernelMode(cpu, memory);
          installHandler(memory, 0x40, 0xf1000, [...code]);
          const monitor = new Vm86Monitor({ cpu, budget: 20_000 });
          const before = cpuState(cpu);
          let kind = 'returned';
          try {
            monitor.call(0x40, registers);
          } catch (e) {
            if (!(e instanceof Vm86Error)) throw e;
            kind = e.name;
          }
          kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
          expect(cpuState(cpu)).toEqual(before);
        },
      ),
      { numRuns: 300, seed: 86 },
    );
    // The generator reaches the interesting outcomes, not just one of them.
    expect(kinds.get('Vm86AccessError') ?? 0).toBeGreaterThan(0);
    expect(kinds.get('Vm86FaultError') ?? 0).toBeGreaterThan(0);
    expect(kinds.get('Vm86BudgetError') ?? 0).toBeGreaterThan(0);
  });
});
