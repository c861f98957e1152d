// Compiled blocks are shared by every CPU in the process that runs the same code (same bytes,
// EIP and mode): a block reads its CPU's memory and tables from `c.jit.consts` at entry instead of
// closing over them. Two machines running the same loop over different data must each see their
// own RAM, segment state and TLB — in flat protected mode and with paging (the fuzz covers CPL 3).
import { describe, expect, it } from 'vitest';
import type { Cpu } from '../src/index.js';
import { type Mode, machine } from './machines.js';

// mov ecx,8; xor eax,eax; l: add eax,[esi]; add esi,4; dec ecx; jnz l; mov [edi],eax; hlt
const SUM = [
  0xb9, 0x08, 0x00, 0x00, 0x00, 0x31, 0xc0, 0x03, 0x06, 0x83, 0xc6, 0x04, 0x49, 0x75, 0xf8, 0x89, 0x07, 0xf4,
];
const DATA = 0x40000;

function run(cpu: Cpu, seed: number): number {
  const words = Array.from({ length: 8 }, (_, i) => (seed * (i + 1) * 2654435761) >>> 0);
  for (let i = 0; i < 8; i++) cpu.memory.write32(DATA + 4 * i, words[i]);
  cpu.esi = DATA;
  cpu.edi = DATA + 0x100;
  cpu.halted = false;
  cpu.run(1000);
  expect(cpu.halted).toBe(true);
  const want = words.reduce((a, b) => (a + b) >>> 0, 0);
  expect(cpu.memory.read32(DATA + 0x100) >>> 0).toBe(want);
  return cpu.eax >>> 0;
}

/** White box: the functions of every block the CPU compiled. */
function blockFns(cpu: Cpu): Set<unknown> {
  const table = (
    cpu.jit as unknown as { blocks: { slot: Int32Array; list(page: number): { fn: unknown }[] | undefined } }
  ).blocks;
  const fns = new Set<unknown>();
  for (let page = 0; page < table.slot.length; page++)
    for (const b of table.list(page) ?? []) if (typeof b.fn === 'function') fns.add(b.fn);
  return fns;
}

describe('block compiler: one compiled function per code in the process', () => {
  for (const mode of ['protected', 'paged'] as Mode[]) {
    it(`two CPUs share the block and each reads its own RAM (${mode})`, () => {
      const a = machine(mode, Uint8Array.from(SUM), new Uint8Array(0), { jit: { threshold: 0 } });
      const b = machine(mode, Uint8Array.from(SUM), new Uint8Array(0), { jit: { threshold: 0 } });
      const start = [a.eip, b.eip];
      run(a, 3);
      run(b, 7);
      const fnsA = blockFns(a);
      expect(fnsA.size).toBeGreaterThan(0);
      expect([...blockFns(b)].filter((f) => fnsA.has(f)).length).toBe(fnsA.size);
      // interleaved again with new data: still each CPU's own memory
      a.eip = start[0];
      b.eip = start[1];
      run(b, 11);
      a.eip = start[0];
      run(a, 13);
      expect(a.jitStats?.instructions).toBeGreaterThan(0);
      expect(b.jitStats?.instructions).toBeGreaterThan(0);
    });
  }
});
