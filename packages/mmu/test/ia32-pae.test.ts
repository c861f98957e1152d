// PAE paging (SDM 3A §4.4) on Ia32Mmu, as a P6 without XD: 64-bit entries, PDPT → PD → PT,
// 2 MiB pages, the reserved bits (the high dword with MAXPHYADDR = 32 and no NX, PDPTE bits 1-2
// and 5-8, a 2 MiB PDE's bits 20:13) as #PF with RSVD, permissions and A/D as in 32-bit paging.
// Tables are written by hand here, entry by entry, from the SDM's formats (Tables 4-8 to 4-11).
import { describe, expect, it } from 'vitest';
import {
  CR0_PE,
  CR0_PG,
  CR4_PAE,
  CR4_PGE,
  FAULT,
  Ia32Mmu,
  PhysicalMemory,
  PTE_A,
  PTE_D,
  PTE_G,
  PTE_P,
  PTE_RW,
  PTE_US,
} from '../src/index.js';

const PDPT = 0x1000;
const PD = 0x2000;
const PT = 0x3000;
const FRAME = 0x5000;
const BIG = 0x400000; // a 2 MiB frame
/** PDPTE 1, PDE 3, PTE 7, offset 123h. */
const V = ((1 << 30) | (3 << 21) | (7 << 12) | 0x123) >>> 0;
/** PDPTE 1, PDE 4 (a 2 MiB page), offset 12345h. */
const L = ((1 << 30) | (4 << 21) | 0x12345) >>> 0;
const URW = PTE_P | PTE_RW | PTE_US;

function entry(memory: PhysicalMemory, at: number, lo: number, hi = 0): void {
  memory.write32(at, lo >>> 0);
  memory.write32(at + 4, hi >>> 0);
}

function machine(cr4 = CR4_PAE) {
  const memory = new PhysicalMemory({ ramSize: 0x800000 });
  entry(memory, PDPT + 1 * 8, PD | PTE_P);
  entry(memory, PD + 3 * 8, PT | URW);
  entry(memory, PT + 7 * 8, FRAME | URW);
  entry(memory, PD + 4 * 8, BIG | URW | 0x80);
  const mmu = new Ia32Mmu(memory);
  mmu.setCr4(cr4);
  mmu.setCr3(PDPT);
  mmu.setCr0(CR0_PE | CR0_PG);
  return { memory, mmu };
}

describe('Ia32Mmu with CR4.PAE', () => {
  it('translates a 4 KiB page through the three levels and sets A, then D', () => {
    const { memory, mmu } = machine();
    memory.write32(FRAME + 0x123, 0xcafef00d);
    expect(mmu.readLinear32(V, true)).toBe(0xcafef00d);
    expect(memory.read32(PD + 3 * 8) & PTE_A).toBe(PTE_A);
    expect(memory.read32(PT + 7 * 8) & (PTE_A | PTE_D)).toBe(PTE_A);
    expect(mmu.writeLinear8(V, 0x5a, true)).toBe(0);
    expect(memory.ram[FRAME + 0x123]).toBe(0x5a);
    expect(memory.read32(PT + 7 * 8) & (PTE_A | PTE_D)).toBe(PTE_A | PTE_D);
    expect(memory.read32(PDPT + 8)).toBe(PD | PTE_P); // a PDPTE has no A bit in PAE paging
    expect(mmu.probe(V)).toMatchObject({ physical: FRAME + 0x123, pageSize: 4096 });
  });

  it('maps a 2 MiB page with PS (CR4.PSE not needed) and sets A/D in the PDE', () => {
    const { memory, mmu } = machine();
    expect(mmu.writeLinear16(L, 0xbeef, false)).toBe(0);
    expect(memory.read16(BIG + 0x12345)).toBe(0xbeef);
    expect(memory.read32(PD + 4 * 8) & (PTE_A | PTE_D)).toBe(PTE_A | PTE_D);
    expect(mmu.probe(L)).toMatchObject({ physical: BIG + 0x12345, pageSize: 0x200000 });
  });

  it('not-present entries at each level: #PF with P clear, CR2 = the address', () => {
    for (const [at, label] of [
      [PDPT + 8, 'pdpte'],
      [PD + 3 * 8, 'pde'],
      [PT + 7 * 8, 'pte'],
    ] as const) {
      const { memory, mmu } = machine();
      memory.write32(at, memory.read32(at) & ~PTE_P);
      expect(mmu.writeLinear8(V, 1, true), label).toBe(FAULT);
      expect([mmu.faultErrorCode, mmu.faultAddress], label).toEqual([0x6, V]);
      expect(mmu.probe(V), label).toBeUndefined();
      // the PDE above a not-present PTE is used, so it is accessed (P6 rule, as in 32-bit paging)
      if (label === 'pte') expect(memory.read32(PD + 3 * 8) & PTE_A).toBe(PTE_A);
      else expect(memory.read32(PD + 3 * 8) & PTE_A).toBe(0);
    }
  });

  it('reserved bits are #PF with RSVD and P: high dwords (bit 63: no NX), PDPTE 1-2/5-8, 2 MiB bits 20:13', () => {
    const cases: [string, (m: PhysicalMemory) => void, number][] = [
      ['pdpte high dword', (m) => entry(m, PDPT + 8, PD | PTE_P, 1), V],
      ['pdpte bit 1', (m) => entry(m, PDPT + 8, PD | PTE_P | PTE_RW), V],
      ['pdpte bit 5', (m) => entry(m, PDPT + 8, PD | PTE_P | 0x20), V],
      ['pde bit 63', (m) => entry(m, PD + 3 * 8, PT | URW, 0x80000000), V],
      ['pte bit 63', (m) => entry(m, PT + 7 * 8, FRAME | URW, 0x80000000), V],
      ['pte bit 32', (m) => entry(m, PT + 7 * 8, FRAME | URW, 1), V],
      ['2 MiB bit 13', (m) => entry(m, PD + 4 * 8, BIG | URW | 0x80 | 0x2000), L],
    ];
    for (const [label, damage, linear] of cases) {
      const { memory, mmu } = machine();
      damage(memory);
      expect(mmu.readLinear8(linear, false), label).toBe(FAULT);
      expect(mmu.faultErrorCode, label).toBe(0x9);
      expect(mmu.probe(linear), label).toBeUndefined();
    }
  });

  it('U/S and R/W combine over PDE and PTE as in 32-bit paging', () => {
    const { memory, mmu } = machine();
    entry(memory, PT + 7 * 8, FRAME | PTE_P | PTE_US); // read-only PTE
    expect(mmu.readLinear8(V, true)).toBe(0);
    expect(mmu.writeLinear8(V, 1, true)).toBe(FAULT);
    expect(mmu.faultErrorCode).toBe(0x7);
    entry(memory, PT + 7 * 8, FRAME | URW);
    entry(memory, PD + 3 * 8, PT | PTE_P | PTE_RW); // supervisor PDE
    mmu.flushAll();
    expect(mmu.readLinear8(V, true)).toBe(FAULT);
    expect(mmu.faultErrorCode).toBe(0x5);
    expect(mmu.writeLinear8(V, 1, false)).toBe(0);
  });

  it('turning PAE on or off flushes cached translations; global PAE pages survive a CR3 load', () => {
    const { memory, mmu } = machine(CR4_PAE | CR4_PGE);
    entry(memory, PT + 7 * 8, FRAME | URW | PTE_G);
    expect(mmu.readLinear8(V, false)).toBe(0);
    entry(memory, PT + 7 * 8, 0);
    mmu.setCr3(PDPT);
    expect(mmu.readLinear8(V, false)).toBe(0); // still cached (global)
    mmu.setCr4(CR4_PGE); // PAE off: the 32-bit walk reads PDPT as a page directory
    expect(mmu.probe(V)).toBeUndefined();
    expect(mmu.readLinear8(V, false)).toBe(FAULT);
  });
});
