// Expected values follow the MIPS32 PRA (Vol. III): §4.3 segments, §4.9 TLB match and page-pair
// selection, §9.3–9.11 the CP0 registers, and the TLBP/TLBR/TLBWI/TLBWR instruction descriptions.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  INDEX_P,
  MIPS_ADDRESS_ERROR,
  MIPS_INVALID,
  MIPS_MODE_KERNEL,
  MIPS_MODE_SUPERVISOR,
  MIPS_MODE_USER,
  MIPS_MODIFIED,
  MIPS_REFILL,
  MipsTlb,
  PAGEMASK_1M,
  PAGEMASK_4K,
  PAGEMASK_4M,
  PAGEMASK_16K,
  PAGEMASK_16M,
  PAGEMASK_64K,
  PAGEMASK_64M,
  PAGEMASK_256K,
  PAGEMASK_256M,
} from '../src/index.js';

const K = MIPS_MODE_KERNEL;
const U = MIPS_MODE_USER;
const S = MIPS_MODE_SUPERVISOR;

/** EntryLo from a physical address and flags (C=3 unless given). */
function lo(physical: number, { v = true, d = true, g = false, c = 3 } = {}): number {
  return ((physical / 4096) << 6) | (c << 3) | (d ? 4 : 0) | (v ? 2 : 0) | (g ? 1 : 0);
}

function write(tlb: MipsTlb, index: number, hi: number, lo0: number, lo1: number, mask = PAGEMASK_4K): void {
  tlb.setIndex(index);
  tlb.setEntryHi(hi);
  tlb.setEntryLo0(lo0);
  tlb.setEntryLo1(lo1);
  tlb.setPageMask(mask);
  expect(tlb.tlbwi()).toBe(true);
}

describe('MipsTlb unmapped segments and modes (PRA §4.3)', () => {
  it('kseg0 and kseg1 map to physical 0 with C=K0 and C=2', () => {
    const tlb = new MipsTlb({ k0: 3 });
    expect(tlb.translate(0x80001234, false, K)).toBe(0x1234);
    expect(tlb.lastCacheAttribute).toBe(3);
    expect(tlb.translate(0xbfc00000, true, K)).toBe(0x1fc00000);
    expect(tlb.lastCacheAttribute).toBe(2);
    expect(tlb.searches).toBe(0);
  });

  it('user mode may only use kuseg; supervisor also ksseg; the rest is an address error', () => {
    const tlb = new MipsTlb();
    const cases: Array<[number, number, boolean]> = [
      [0x80000000, U, false],
      [0xa0000000, U, false],
      [0xc0000000, U, false],
      [0xe0000000, U, false],
      [0x80000000, S, false],
      [0xa0000000, S, false],
      [0xe0000000, S, false],
      [0xc0000000, S, true],
      [0x7ffff000, U, true],
    ];
    for (const [va, mode, allowed] of cases) {
      const r = tlb.translate(va + 8, false, mode as 0 | 1 | 2);
      if (allowed) expect(r).toBe(MIPS_REFILL);
      else {
        expect(r).toBe(MIPS_ADDRESS_ERROR);
        expect(tlb.badVAddr).toBe(va + 8);
      }
    }
  });

  it('Status.ERL makes kuseg an unmapped uncached window in kernel mode only', () => {
    const tlb = new MipsTlb();
    tlb.erl = true;
    expect(tlb.translate(0x00123456, false, K)).toBe(0x00123456);
    expect(tlb.lastCacheAttribute).toBe(2);
    expect(tlb.translate(0x00123456, false, U)).toBe(MIPS_REFILL);
  });
});

describe('MipsTlb translation', () => {
  it('selects the even or odd page of the pair by the bit above the page offset', () => {
    const tlb = new MipsTlb({ entries: 16 });
    write(tlb, 3, 0x00400000, lo(0x00100000), lo(0x00200000));
    expect(tlb.translate(0x00400123, false, U)).toBe(0x00100123);
    expect(tlb.translate(0x00401ffc, false, U)).toBe(0x00200ffc);
    expect(tlb.translate(0x00402000, false, U)).toBe(MIPS_REFILL);
  });

  const sizes: Array<[number, number]> = [
    [PAGEMASK_4K, 0x1000],
    [PAGEMASK_16K, 0x4000],
    [PAGEMASK_64K, 0x10000],
    [PAGEMASK_256K, 0x40000],
    [PAGEMASK_1M, 0x100000],
    [PAGEMASK_4M, 0x400000],
    [PAGEMASK_16M, 0x1000000],
    [PAGEMASK_64M, 0x4000000],
    [PAGEMASK_256M, 0x10000000],
  ];
  for (const [mask, size] of sizes) {
    it(`page mask 0x${mask.toString(16)} gives ${size / 1024} KiB pages`, () => {
      const tlb = new MipsTlb();
      const base = 0x40000000; // aligned for every size
      // PFN bits below the page size are set on purpose: the hardware ignores them.
      const junk = size > 0x1000 ? 0x1000 : 0;
      write(tlb, 0, base | 7, lo(0x10000000 + junk), lo(0x20000000 + junk), mask);
      tlb.setEntryHi(7);
      expect(tlb.translate(base + size - 4, false, K)).toBe(0x10000000 + size - 4);
      expect(tlb.translate(base + size, false, K)).toBe(0x20000000);
      expect(tlb.translate(base + 2 * size - 1, false, K)).toBe(0x20000000 + size - 1);
      expect(tlb.translate(base + 2 * size, false, K)).toBe(MIPS_REFILL);
      expect(tlb.probe(base + size)?.pageSize).toBe(size);
    });
  }

  it('PageMask keeps only Mask 28:13 (software probes sizes by writing ones)', () => {
    const tlb = new MipsTlb();
    tlb.setPageMask(0xffffffff);
    expect(tlb.pageMask).toBe(0x1fffe000);
  });

  it('matches the ASID unless the entry is global (G = G0 AND G1)', () => {
    const tlb = new MipsTlb();
    write(tlb, 0, 0x00010000 | 5, lo(0x1000), lo(0x2000));
    write(tlb, 1, 0x00020000 | 5, lo(0x3000, { g: true }), lo(0x4000, { g: true }));
    write(tlb, 2, 0x00030000 | 5, lo(0x5000, { g: true }), lo(0x6000));
    tlb.setEntryHi(5);
    expect(tlb.translate(0x00010010, false, U)).toBe(0x1010);
    expect(tlb.translate(0x00020010, false, U)).toBe(0x3010);
    expect(tlb.translate(0x00030010, false, U)).toBe(0x5010);
    tlb.setEntryHi(6);
    expect(tlb.translate(0x00010010, false, U)).toBe(MIPS_REFILL);
    expect(tlb.translate(0x00020010, false, U)).toBe(0x3010);
    expect(tlb.translate(0x00030010, false, U)).toBe(MIPS_REFILL);
    expect(tlb.readEntry(2).entryLo0 & 1).toBe(0);
  });

  it('V=0 gives TLB Invalid; a store to D=0 gives TLB Modified; loads of D=0 pages succeed', () => {
    const tlb = new MipsTlb();
    write(tlb, 0, 0x00010000, lo(0x1000, { d: false }), lo(0x2000, { v: false }));
    expect(tlb.translate(0x00010004, false, U)).toBe(0x1004);
    expect(tlb.translate(0x00010004, true, U)).toBe(MIPS_MODIFIED);
    expect(tlb.translate(0x00011004, false, U)).toBe(MIPS_INVALID);
    expect(tlb.translate(0x00011004, true, U)).toBe(MIPS_INVALID);
  });

  it('TLB exceptions load BadVAddr, Context.BadVPN2 and EntryHi.VPN2, keeping ASID and PTEBase (PRA §4.8)', () => {
    const tlb = new MipsTlb();
    tlb.setEntryHi(0x42);
    tlb.setContext(0xffffffff);
    expect(tlb.context).toBe(0xff800000);
    expect(tlb.translate(0x12345678, true, U)).toBe(MIPS_REFILL);
    expect(tlb.badVAddr).toBe(0x12345678);
    expect(tlb.entryHi).toBe((0x12344000 | 0x42) >>> 0);
    expect(tlb.context).toBe((0xff800000 | ((0x12345678 >>> 13) << 4)) >>> 0);
  });

  it('reports the C attribute (C=2 uncached)', () => {
    const tlb = new MipsTlb();
    write(tlb, 0, 0xc0000000, lo(0x1fc00000, { c: 2 }), lo(0x1000, { c: 3 }));
    expect(tlb.translate(0xc0000010, false, K)).toBe(0x1fc00010);
    expect(tlb.lastCacheAttribute).toBe(2);
    expect(tlb.translate(0xc0001010, false, K)).toBe(0x1010);
    expect(tlb.lastCacheAttribute).toBe(3);
    // A hit in the micro-TLB reports it too.
    expect(tlb.translate(0xc0000020, false, K)).toBe(0x1fc00020);
    expect(tlb.lastCacheAttribute).toBe(2);
  });

  it('rewriting an entry replaces translations cached from it; an ASID switch does not leak them', () => {
    const tlb = new MipsTlb();
    write(tlb, 4, 0x00010000 | 1, lo(0x1000), lo(0x2000));
    tlb.setEntryHi(1);
    expect(tlb.translate(0x00010000, false, U)).toBe(0x1000);
    const searches = tlb.searches;
    expect(tlb.translate(0x00010008, false, U)).toBe(0x1008);
    expect(tlb.searches).toBe(searches); // micro-TLB hit
    write(tlb, 4, 0x00010000 | 1, lo(0x7000), lo(0x8000));
    tlb.setEntryHi(1);
    expect(tlb.translate(0x00010008, false, U)).toBe(0x7008);
    tlb.setEntryHi(2);
    expect(tlb.translate(0x00010008, false, U)).toBe(MIPS_REFILL);
    tlb.setEntryHi(1);
    tlb.invalidatePage(0x00011000);
    expect(tlb.translate(0x00010008, false, U)).toBe(MIPS_REFILL);
  });

  it('a store to a page first cached by a load still sees D=0', () => {
    const tlb = new MipsTlb();
    write(tlb, 0, 0x00010000, lo(0x1000, { d: false }), lo(0x2000));
    expect(tlb.translate(0x00010000, false, K)).toBe(0x1000);
    expect(tlb.translate(0x00010000, true, K)).toBe(MIPS_MODIFIED);
  });
});

describe('MipsTlb instructions', () => {
  it('TLBP finds the matching entry or sets Index.P', () => {
    const tlb = new MipsTlb();
    write(tlb, 9, 0x00400000 | 3, lo(0x1000), lo(0x2000));
    tlb.setEntryHi(0x00401000 | 3); // VPN2 compares bits 31:13 only
    tlb.tlbp();
    expect(tlb.index).toBe(9);
    tlb.setEntryHi(0x00400000 | 4);
    tlb.tlbp();
    expect(tlb.index).toBe(INDEX_P);
  });

  it('TLBR reads back the entry, G copied into both EntryLo, VPN2 as written (as QEMU does)', () => {
    const tlb = new MipsTlb();
    write(tlb, 2, 0x00c05000 | 9, lo(0x100000, { g: true }), lo(0x200000, { g: true }), PAGEMASK_16K);
    tlb.setEntryHi(0);
    tlb.setEntryLo0(0);
    tlb.setEntryLo1(0);
    tlb.setPageMask(0);
    tlb.setIndex(2);
    tlb.tlbr();
    expect(tlb.entryHi).toBe(0x00c04000 | 9);
    expect(tlb.pageMask).toBe(PAGEMASK_16K);
    expect(tlb.entryLo0).toBe(lo(0x100000, { g: true }));
    expect(tlb.entryLo1).toBe(lo(0x200000, { g: true }));
  });

  it('TLBWR writes entry Random, which counts down from N-1 to Wired and wraps', () => {
    const tlb = new MipsTlb({ entries: 16 });
    tlb.setWired(12);
    expect(tlb.random).toBe(15);
    const written: number[] = [];
    for (let i = 0; i < 6; i++) {
      tlb.setEntryHi(0x00010000 + i * 0x2000);
      tlb.setEntryLo0(lo(0x1000 * i));
      written.push(tlb.tlbwr());
    }
    expect(written).toEqual([15, 14, 13, 12, 15, 14]);
    // Wired entries (0..11) are never replaced by TLBWR.
    expect(tlb.readEntry(0).entryHi).toBe(0);
    tlb.stepRandom(5); // 13 → 12 → 15 → 14 → 13 → 12
    expect(tlb.random).toBe(12);
    tlb.setWired(0);
    expect(tlb.random).toBe(15);
  });

  it('Index keeps only its field bits; TLBWI to an index beyond the TLB writes nothing', () => {
    const tlb = new MipsTlb({ entries: 48 });
    tlb.setIndex(0xffffffff);
    expect(tlb.index).toBe(63);
    tlb.setEntryHi(0x00010000);
    expect(tlb.tlbwi()).toBe(false);
    tlb.setIndex(50);
    tlb.tlbr(); // UNPREDICTABLE: registers are left alone
    expect(tlb.entryHi).toBe(0x00010000);
  });

  it('offers 16, 32, 48 and 64 entries and rejects other sizes with a typed error', () => {
    for (const n of [16, 32, 48, 64]) {
      const tlb = new MipsTlb({ entries: n });
      write(tlb, n - 1, 0x00010000, lo(0x1000), lo(0x2000));
      expect(tlb.translate(0x00010000, false, K)).toBe(0x1000);
    }
    expect(() => new MipsTlb({ entries: 65 })).toThrow(/65/);
    expect(() => new MipsTlb({ entries: 0 })).toThrow(/TLB size/);
  });

  it('invalidateAll leaves no entry that matches a mapped address', () => {
    const tlb = new MipsTlb();
    for (let i = 0; i < 32; i++) write(tlb, i, 0x00010000 + i * 0x2000, lo(0x1000), lo(0x2000));
    tlb.invalidateAll();
    for (let i = 0; i < 32; i++) expect(tlb.translate(0x00010000 + i * 0x2000, false, K)).toBe(MIPS_REFILL);
  });
});

describe('MipsTlb search index', () => {
  it('property: TLBP agrees with a plain linear search of the PRA match rule after random writes', () => {
    const masks = [PAGEMASK_4K, PAGEMASK_4K, PAGEMASK_16K, PAGEMASK_1M, PAGEMASK_16M];
    const write = fc.record({
      index: fc.integer({ min: 0, max: 15 }),
      vpn2: fc.integer({ min: 0, max: 63 }),
      mask: fc.constantFrom(...masks),
      asid: fc.integer({ min: 0, max: 3 }),
      global: fc.boolean(),
    });
    const query = fc.record({ vpn2: fc.integer({ min: 0, max: 63 }), asid: fc.integer({ min: 0, max: 3 }) });
    fc.assert(
      fc.property(
        fc.array(write, { maxLength: 40 }),
        fc.array(query, { maxLength: 20 }),
        (writes, queries) => {
          const tlb = new MipsTlb({ entries: 16 });
          tlb.invalidateAll();
          const model: Array<{ hi: number; mask: number; asid: number; global: boolean } | undefined> = [];
          for (const w of writes) {
            const hi = (w.vpn2 * 0x2000 * 97) & ~(w.mask | 0x1fff) & 0x7fffffff;
            tlb.setIndex(w.index);
            tlb.setEntryHi(hi | w.asid);
            tlb.setPageMask(w.mask);
            tlb.setEntryLo0(w.global ? 1 : 0);
            tlb.setEntryLo1(w.global ? 3 : 2);
            tlb.tlbwi();
            model[w.index] = { hi, mask: w.mask, asid: w.asid, global: w.global };
          }
          for (const q of queries) {
            const va = (q.vpn2 * 0x2000 * 97) & 0x7fffffff;
            const matches = model.flatMap((e, i) =>
              e && ((va ^ e.hi) & ~(e.mask | 0x1fff)) === 0 && (e.global || e.asid === q.asid) ? [i] : [],
            );
            tlb.setEntryHi(va | q.asid);
            tlb.tlbp();
            if (matches.length === 0) expect(tlb.index).toBe(INDEX_P);
            else expect(matches).toContain(tlb.index);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
