// Random bundles must never throw a host exception: every outcome is a guest fault or a result.
import { describe, expect, it } from 'vitest';
import { GuestMemory, Ia64Cpu } from '../src/index.js';
import { rng } from './random.js';

describe.each([
  ['interpreter', false],
  ['compiled', true],
])('random bundles (%s)', (_engine, jit) => {
  const SEED = 0x1a64;
  it(`run without host exceptions (seed ${SEED})`, () => {
    const random = rng(SEED);
    const kinds = new Map<string, number>();
    for (let trial = 0; trial < 300; trial++) {
      const memory = new GuestMemory();
      const code = 0x4000_0000_0000_0000n;
      memory.map(code, 4096);
      memory.map(0x6000_0000_0000_0000n, 65536);
      for (let i = 0; i < 4096; i += 4)
        memory.write(code + BigInt(i), 4, BigInt(Math.floor(random() * 2 ** 32)));
      const cpu = new Ia64Cpu({ memory, jit, jitThreshold: 0, hooks: { onBreak: () => random() < 0.5 } });
      cpu.bsp = cpu.bspstore = 0x6000_0000_0000_8000n;
      for (let r = 1; r < 32; r++) cpu.setGr(r, 0x6000_0000_0000_0100n + BigInt(r * 8));
      cpu.jump(code);
      const stop = cpu.run(2000);
      const key = stop === 'fault' ? (cpu.fault?.kind ?? '?') : stop;
      kinds.set(key, (kinds.get(key) ?? 0) + 1);
    }
    expect([...kinds.values()].reduce((a, b) => a + b, 0)).toBe(300);
  });
});
