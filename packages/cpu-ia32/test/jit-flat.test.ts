// Flat data segments in compiled blocks: with ES, SS and DS at base 0 and a 4 GiB limit (the
// Linux kernel's, and its decompressor's), accesses through them skip the segment's base and
// limit. The flatness is part of a block's mode key, a block that loads a segment assumes
// nothing, and an access that would wrap past 4 GiB still faults: each against the interpreter.
import { describe, expect, it } from 'vitest';
import { CODE, machine } from './machines.js';

/** Protected mode, paging off, with one more data descriptor: 38h, base 20000h, limit 4 GiB. */
function based(code: number[], jit: false | { threshold: number }) {
  const cpu = machine('protected', Uint8Array.from(code), new Uint8Array(4096).fill(0xf4), { jit });
  cpu.memory.write32(0x1038, 0x0000ffff);
  cpu.memory.write32(0x103c, 0x00cf9202);
  cpu.gdtr = { base: 0x1000, limit: 0x3f };
  cpu.memory.write32(0x100, 0x11111111); // DS:100h, flat
  cpu.memory.write32(0x20100, 0x22222222); // DS:100h, based
  return cpu;
}

function same(run: (jit: false | { threshold: number }) => ReturnType<typeof based>) {
  const interpreted = run(false);
  const compiled = run({ threshold: 0 });
  expect(compiled.saveState()).toEqual(interpreted.saveState());
  expect(compiled.instructions).toBe(interpreted.instructions);
  expect(compiled.jitStats?.blocksCompiled).toBeGreaterThan(0);
  return interpreted;
}

describe('block compiler: flat data segments', () => {
  it('a block that reloads DS reads through the new base', () => {
    // mov ecx, 50 / l: mov ax, 38h / mov ds, ax / add ebx, [100h] / mov ax, 10h / mov ds, ax /
    // add ebx, [100h] / dec ecx / jnz l / hlt
    const code = [
      0xb9, 50, 0, 0, 0, 0x66, 0xb8, 0x38, 0, 0x8e, 0xd8, 0x03, 0x1d, 0, 1, 0, 0, 0x66, 0xb8, 0x10, 0, 0x8e,
      0xd8, 0x03, 0x1d, 0, 1, 0, 0, 0x49, 0x75, 0xe5, 0xf4,
    ];
    const cpu = same((jit) => {
      const c = based(code, jit);
      expect(c.run(10_000)).toBe('hlt');
      return c;
    });
    expect(cpu.ebx).toBe((50 * 0x33333333) >>> 0);
  });

  it('a block compiled with DS flat is not run once DS has a base', () => {
    // l: add ebx, [100h] / dec ecx / jnz l / hlt — run with DS flat, then with DS = 38h.
    const code = [0x03, 0x1d, 0, 1, 0, 0, 0x49, 0x75, 0xf7, 0xf4];
    const cpu = same((jit) => {
      const c = based(code, jit);
      c.ecx = 20;
      expect(c.run(10_000)).toBe('hlt');
      c.loadSegment('ds', 0x38);
      c.halted = false;
      c.eip = CODE;
      c.ecx = 20;
      expect(c.run(10_000)).toBe('hlt');
      return c;
    });
    expect(cpu.ebx).toBe((20 * 0x11111111 + 20 * 0x22222222) >>> 0);
  });

  it('a dword read at FFFFFFFEh through flat DS faults as when interpreting', () => {
    // mov eax, [FFFFFFFEh] / hlt: #GP(0) (the handler halts).
    const code = [0x8b, 0x05, 0xfe, 0xff, 0xff, 0xff, 0xf4];
    const cpu = same((jit) => {
      const c = based(code, jit);
      expect(c.run(100)).toBe('hlt');
      return c;
    });
    expect(cpu.eip).toBe(0x30000 + 13 * 16 + 1);
  });
});
