// The IA-64 translator against the SDM (vol. 2 ch. 4): inserts, lookups, purges and their overlap
// rules, every fault outcome, thash/ttag and the VHPT walker.
import { describe, expect, it } from 'vitest';
import {
  IA64_EXEC,
  IA64_FAULT_ALT_DTLB,
  IA64_FAULT_ALT_ITLB,
  IA64_FAULT_DACCESS_BIT,
  IA64_FAULT_DACCESS_RIGHTS,
  IA64_FAULT_DATA_NESTED_TLB,
  IA64_FAULT_DIRTY_BIT,
  IA64_FAULT_DKEY_MISS,
  IA64_FAULT_DTLB,
  IA64_FAULT_IACCESS_BIT,
  IA64_FAULT_IACCESS_RIGHTS,
  IA64_FAULT_IKEY_MISS,
  IA64_FAULT_ITLB,
  IA64_FAULT_KEY_PERMISSION,
  IA64_FAULT_NAT_PAGE,
  IA64_FAULT_PAGE_NOT_PRESENT,
  IA64_FAULT_UNSUPPORTED_DATA_REFERENCE,
  IA64_FAULT_VECTOR,
  IA64_FAULT_VHPT_TRANSLATION,
  IA64_INSERT_OK,
  IA64_INSERT_OVERLAP,
  IA64_INSERT_RESERVED,
  IA64_NON_ACCESS,
  IA64_OK,
  IA64_READ,
  IA64_SEMAPHORE,
  IA64_WRITE,
  Ia64Tlb,
  InvalidArgumentError,
  ia64Itir,
  ia64Rights,
} from '../src/index.js';

const R = IA64_READ;
const W = IA64_WRITE;
const X = IA64_EXEC;

/** A present, accessed, dirty, write-back PTE: pl, ar as given. */
function pte(pa: bigint, ar = 3, pl = 0, extra = 0n): bigint {
  return pa | (BigInt(ar) << 9n) | (BigInt(pl) << 7n) | 0x61n | extra; // p, a, d
}

function tlb(): Ia64Tlb {
  const t = new Ia64Tlb();
  for (let r = 0; r < 8; r++) expect(t.setRr(r, (BigInt(r + 1) << 8n) | (12n << 2n))).toBe(true);
  t.context.ic = true;
  return t;
}

const RR4 = 4n << 61n;

describe('Ia64Tlb registers', () => {
  it('rejects reserved region-register bits and unsupported page sizes', () => {
    const t = new Ia64Tlb();
    expect(t.setRr(0, (1n << 8n) | (15n << 2n))).toBe(false); // 32K is not supported
    expect(t.setRr(0, 2n | (12n << 2n))).toBe(false); // bit 1 reserved
    expect(t.setRr(0, (1n << 32n) | (12n << 2n))).toBe(false);
    expect(t.setRr(0, (0x123456n << 8n) | (28n << 2n) | 1n)).toBe(true);
    expect(t.rr[0]).toBe((0x123456n << 8n) | (28n << 2n) | 1n);
    expect(t.setPkr(16, 1n)).toBe(false);
    expect(() => new Ia64Tlb({ trs: 4 })).toThrow(InvalidArgumentError);
  });

  it('maps each fault to its architected vector offset', () => {
    expect(IA64_FAULT_VECTOR[IA64_FAULT_VHPT_TRANSLATION]).toBe(0);
    expect(IA64_FAULT_VECTOR[IA64_FAULT_ITLB]).toBe(0x400);
    expect(IA64_FAULT_VECTOR[IA64_FAULT_DTLB]).toBe(0x800);
    expect(IA64_FAULT_VECTOR[IA64_FAULT_ALT_ITLB]).toBe(0xc00);
    expect(IA64_FAULT_VECTOR[IA64_FAULT_ALT_DTLB]).toBe(0x1000);
    expect(IA64_FAULT_VECTOR[IA64_FAULT_DATA_NESTED_TLB]).toBe(0x1400);
    expect(IA64_FAULT_VECTOR[IA64_FAULT_DIRTY_BIT]).toBe(0x2000);
    expect(IA64_FAULT_VECTOR[IA64_FAULT_PAGE_NOT_PRESENT]).toBe(0x5000);
    expect(IA64_FAULT_VECTOR[IA64_FAULT_DACCESS_RIGHTS]).toBe(0x5300);
    expect(IA64_FAULT_VECTOR[IA64_FAULT_UNSUPPORTED_DATA_REFERENCE]).toBe(0x5b00);
  });
});

describe('Ia64Tlb inserts and lookups', () => {
  it('translates through a TC entry, keeping the page offset', () => {
    const t = tlb();
    expect(t.insertTc(false, RR4 | 0x5000n, pte(0x9000n), ia64Itir(12, 0))).toBe(IA64_INSERT_OK);
    expect(t.translate(RR4 | 0x5abcn, R)).toBe(IA64_OK);
    expect(t.physical).toBe(0x9abcn);
    // hit again through the micro-TLB
    expect(t.translate(RR4 | 0x5ff8n, W)).toBe(IA64_OK);
    expect(t.physical).toBe(0x9ff8n);
    // the instruction side has nothing
    expect(t.translate(RR4 | 0x5000n, X)).toBe(IA64_FAULT_ALT_ITLB);
    // another region with its own rid misses
    expect(t.translate(0x5000n, R)).toBe(IA64_FAULT_ALT_DTLB);
  });

  it('a large page maps its whole range; the ppn bits below ps are ignored', () => {
    const t = tlb();
    expect(t.insertTr(true, 0, RR4 | 0x1234_5678n, pte(0x1_0080_0000n), ia64Itir(24, 0))).toBe(
      IA64_INSERT_OK,
    );
    expect(t.translate(RR4 | 0x12ab_cdefn, X)).toBe(IA64_OK);
    expect(t.physical).toBe(0x1_00ab_cdefn);
    const e = t.lookup(true, RR4 | 0x1200_0000n);
    expect(e?.vpn).toBe(0x1200_0000n);
    expect(e?.rid).toBe(5);
  });

  it('matches by region id: same rid in two regions shares entries', () => {
    const t = tlb();
    t.setRr(1, (5n << 8n) | (12n << 2n)); // region 1 now has rr4's rid
    t.insertTc(false, RR4 | 0x7000n, pte(0x3000n), ia64Itir(12, 0));
    expect(t.translate((1n << 61n) | 0x7010n, R)).toBe(IA64_OK);
    expect(t.physical).toBe(0x3010n);
  });

  it('refuses reserved fields and TR slots that do not exist', () => {
    const t = tlb();
    expect(t.insertTc(false, 0n, pte(0n) | (1n << 2n), ia64Itir(12, 0))).toBe(IA64_INSERT_RESERVED); // ma 1
    expect(t.insertTc(false, 0n, pte(0n), ia64Itir(15, 0))).toBe(IA64_INSERT_RESERVED);
    expect(t.insertTr(false, 8, 0n, pte(0n), ia64Itir(12, 0))).toBe(IA64_INSERT_RESERVED);
    // a not-present PTE may carry anything in its other bits
    expect(t.insertTc(false, 0n, 0xffff_ffff_ffff_fffen, ia64Itir(12, 0))).toBe(IA64_INSERT_OK);
  });

  it('an itc purges the overlapping TC entries of its side', () => {
    const t = tlb();
    t.insertTc(false, RR4 | 0x4000n, pte(0x1000n), ia64Itir(12, 0));
    t.insertTc(false, RR4 | 0x5000n, pte(0x2000n), ia64Itir(12, 0));
    t.insertTc(true, RR4 | 0x4000n, pte(0x1000n), ia64Itir(12, 0));
    t.insertTc(false, RR4, pte(0x10_0000n), ia64Itir(16, 0)); // 64K over both
    expect(t.dtc.filter((e) => e.valid)).toHaveLength(1);
    expect(t.itc.filter((e) => e.valid)).toHaveLength(1);
    expect(t.translate(RR4 | 0x5004n, R)).toBe(IA64_OK);
    expect(t.physical).toBe(0x10_5004n);
  });

  it('overlapping a TR is a machine check, for itc, itr and ptc; the same TR slot may be rewritten', () => {
    const t = tlb();
    expect(t.insertTr(false, 1, RR4, pte(0n), ia64Itir(20, 0))).toBe(IA64_INSERT_OK);
    expect(t.insertTc(false, RR4 | 0x8000n, pte(0n), ia64Itir(12, 0))).toBe(IA64_INSERT_OVERLAP);
    expect(t.insertTr(false, 2, RR4 | 0x8000n, pte(0n), ia64Itir(12, 0))).toBe(IA64_INSERT_OVERLAP);
    expect(t.insertTr(false, 1, RR4 | 0x8000n, pte(0x8000n), ia64Itir(12, 0))).toBe(IA64_INSERT_OK);
    expect(t.purgeTc(RR4 | 0x8000n, 12)).toBe(IA64_INSERT_OVERLAP);
    // the instruction side is separate
    expect(t.insertTc(true, RR4 | 0x8000n, pte(0n), ia64Itir(12, 0))).toBe(IA64_INSERT_OK);
  });

  it('TC replacement is round-robin once every entry is valid', () => {
    const t = new Ia64Tlb({ tcs: 2 });
    t.context.ic = true;
    for (let i = 0n; i < 3n; i++) t.insertTc(false, i << 12n, pte(i << 12n), ia64Itir(12, 0));
    expect(t.translate(0n, R)).toBe(IA64_FAULT_ALT_DTLB);
    expect(t.translate(0x1000n, R)).toBe(IA64_OK);
    expect(t.translate(0x2000n, R)).toBe(IA64_OK);
  });
});

describe('Ia64Tlb purges', () => {
  it('ptc.l purges both sides in the range only, and the micro-TLB with them', () => {
    const t = tlb();
    t.insertTc(false, RR4 | 0x10000n, pte(0x1000n), ia64Itir(12, 0));
    t.insertTc(true, RR4 | 0x11000n, pte(0x2000n), ia64Itir(12, 0));
    t.insertTc(false, RR4 | 0x20000n, pte(0x3000n), ia64Itir(12, 0));
    expect(t.translate(RR4 | 0x10000n, R)).toBe(IA64_OK);
    expect(t.purgeTc(RR4 | 0x10000n, 16)).toBe(IA64_INSERT_OK);
    expect(t.translate(RR4 | 0x10000n, R)).toBe(IA64_FAULT_ALT_DTLB);
    expect(t.translate(RR4 | 0x11000n, X)).toBe(IA64_FAULT_ALT_ITLB);
    expect(t.translate(RR4 | 0x20000n, R)).toBe(IA64_OK);
  });

  it('a purge of a small range inside a large entry removes the large entry', () => {
    const t = tlb();
    t.insertTc(false, RR4, pte(0n), ia64Itir(28, 0));
    expect(t.purgeTc(RR4 | 0x0123_4000n, 12)).toBe(IA64_INSERT_OK);
    expect(t.translate(RR4 | 0x10n, R)).toBe(IA64_FAULT_ALT_DTLB);
  });

  it('ptr.d purges data TRs and TCs, not the instruction side; ptc.e empties the caches', () => {
    const t = tlb();
    t.insertTr(false, 0, RR4, pte(0n), ia64Itir(14, 0));
    t.insertTr(true, 0, RR4, pte(0n), ia64Itir(14, 0));
    t.insertTc(false, RR4 | 0x8000n, pte(0n), ia64Itir(12, 0));
    t.insertTc(false, RR4 | 0x10000n, pte(0n), ia64Itir(12, 0));
    expect(t.purgeTr(false, RR4, 16)).toBe(IA64_INSERT_OK);
    expect(t.translate(RR4, R)).toBe(IA64_FAULT_ALT_DTLB);
    expect(t.translate(RR4 | 0x8000n, R)).toBe(IA64_FAULT_ALT_DTLB);
    expect(t.translate(RR4, X)).toBe(IA64_OK);
    expect(t.translate(RR4 | 0x10000n, R)).toBe(IA64_OK);
    t.purgeAllTc();
    expect(t.translate(RR4 | 0x10000n, R)).toBe(IA64_FAULT_ALT_DTLB);
    expect(t.translate(RR4, X)).toBe(IA64_OK); // TRs survive ptc.e
  });
});

describe('Ia64Tlb faults', () => {
  it('misses: alternate when the VHPT is off, TLB miss with iha/itir when on, nested with ic = 0', () => {
    const t = tlb();
    t.setRr(4, (0x42n << 8n) | (14n << 2n) | 1n);
    expect(t.translate(RR4 | 0x8000n, R)).toBe(IA64_FAULT_ALT_DTLB);
    expect(t.faultItir).toBe(ia64Itir(14, 0x42));
    t.setPta((1n << 61n) - (1n << 20n) + 0n + (20n << 2n) + 1n);
    expect(t.translate(RR4 | 0x8000n, R)).toBe(IA64_FAULT_DTLB);
    expect(t.translate(RR4 | 0x8000n, X)).toBe(IA64_FAULT_ITLB);
    expect(t.faultIha).toBe(t.thash(RR4 | 0x8000n));
    t.context.ic = false;
    expect(t.translate(RR4 | 0x8000n, W)).toBe(IA64_FAULT_DATA_NESTED_TLB);
    expect(t.translate(RR4 | 0x8000n, X)).toBe(IA64_FAULT_ITLB); // instruction misses never nest
  });

  it('page not present, then NaT page (not for execute or non-access references)', () => {
    const t = tlb();
    t.insertTc(false, 0n, pte(0n) & ~1n, ia64Itir(12, 7));
    expect(t.translate(0x10n, R)).toBe(IA64_FAULT_PAGE_NOT_PRESENT);
    expect(t.faultItir).toBe(ia64Itir(12, 1)); // the region's defaults (rr0: rid 1, 4K), not the entry's
    t.insertTc(false, 0n, pte(0n, 3, 0, 7n << 2n), ia64Itir(12, 0));
    expect(t.translate(0x10n, R)).toBe(IA64_FAULT_NAT_PAGE);
    expect(t.translate(0x10n, R | IA64_NON_ACCESS)).toBe(IA64_OK);
  });

  it('access rights follow the ar × pl × cpl table', () => {
    // SDM vol. 2 Table 4-3 rows, as (ar, pl) → rights at cpl 3, 2, 1, 0
    const rows: [number, number, number[]][] = [
      [0, 3, [R, R, R, R]],
      [0, 0, [0, 0, 0, R]],
      [1, 2, [0, R | X, R | X, R | X]],
      [2, 1, [0, 0, R | W, R | W]],
      [3, 3, [R | W | X, R | W | X, R | W | X, R | W | X]],
      [4, 2, [0, R, R | W, R | W]],
      [5, 1, [0, 0, R, R | X]],
      [6, 3, [R | X, R | W | X, R | W | X, R | W | X]],
      [7, 0, [X, X, X, R | X]],
      [7, 3, [X, X, X, R | X]],
    ];
    for (const [ar, pl, byCpl] of rows)
      expect([3, 2, 1, 0].map((cpl) => ia64Rights(ar, pl, cpl))).toEqual(byCpl);
    const t = tlb();
    t.insertTc(false, 0n, pte(0n, 0, 3), ia64Itir(12, 0));
    t.insertTc(true, 0n, pte(0n, 2, 0), ia64Itir(12, 0));
    t.context.cpl = 3;
    expect(t.translate(0n, R)).toBe(IA64_OK);
    expect(t.translate(0n, W)).toBe(IA64_FAULT_DACCESS_RIGHTS);
    expect(t.translate(0n, X)).toBe(IA64_FAULT_IACCESS_RIGHTS);
  });

  it('the micro-TLB does not leak rights across privilege levels', () => {
    const t = tlb();
    t.insertTc(false, 0n, pte(0n, 2, 0), ia64Itir(12, 0));
    expect(t.translate(0n, W)).toBe(IA64_OK);
    t.context.cpl = 3;
    expect(t.translate(0n, W)).toBe(IA64_FAULT_DACCESS_RIGHTS);
  });

  it('dirty bit on a write to a clean page, access bit on any reference to an unaccessed one', () => {
    const t = tlb();
    t.insertTc(false, 0n, pte(0n) & ~0x40n, ia64Itir(12, 0));
    expect(t.translate(0n, R)).toBe(IA64_OK);
    expect(t.translate(0n, W)).toBe(IA64_FAULT_DIRTY_BIT);
    t.context.dd = true;
    t.flushMicro();
    expect(t.translate(0n, W)).toBe(IA64_OK);
    t.insertTc(false, 0n, pte(0n) & ~0x20n, ia64Itir(12, 0));
    t.insertTc(true, 0n, pte(0n) & ~0x20n, ia64Itir(12, 0));
    expect(t.translate(0n, R)).toBe(IA64_FAULT_DACCESS_BIT);
    expect(t.translate(0n, X)).toBe(IA64_FAULT_IACCESS_BIT);
    t.context.da = true;
    expect(t.translate(0n, R)).toBe(IA64_OK);
  });

  it('protection keys: miss when no PKR holds the key, permission when it disables the access', () => {
    const t = tlb();
    t.insertTc(false, 0n, pte(0n), ia64Itir(12, 0x55));
    t.insertTc(true, 0n, pte(0n), ia64Itir(12, 0x55));
    expect(t.translate(0n, W)).toBe(IA64_OK); // psr.pk = 0
    t.context.pk = true;
    t.flushMicro();
    expect(t.translate(0n, R)).toBe(IA64_FAULT_DKEY_MISS);
    expect(t.translate(0n, X)).toBe(IA64_FAULT_IKEY_MISS);
    t.setPkr(3, (0x55n << 8n) | 2n | 1n); // wd
    expect(t.translate(0n, R)).toBe(IA64_OK);
    expect(t.translate(0n, W)).toBe(IA64_FAULT_KEY_PERMISSION);
  });

  it('a semaphore to an uncacheable page is an unsupported data reference', () => {
    const t = tlb();
    t.insertTc(false, 0n, pte(0n, 3, 0, 4n << 2n), ia64Itir(12, 0));
    expect(t.translate(0n, W)).toBe(IA64_OK);
    expect(t.ma).toBe(4);
    expect(t.translate(0n, W | IA64_SEMAPHORE)).toBe(IA64_FAULT_UNSUPPORTED_DATA_REFERENCE);
    t.insertTc(false, 0x1000n, pte(0x1000n), ia64Itir(12, 0));
    expect(t.translate(0x1000n, W | IA64_SEMAPHORE)).toBe(IA64_OK);
  });
});

describe('Ia64Tlb VHPT', () => {
  // PTA: base 0x1fff_ffff_fff0_0000 region 0, 1 MiB table (size 20), short format, enabled
  const PTA = 0x1fff_ffff_fff0_0000n | (20n << 2n) | 1n;

  it('thash and ttag (short format), as the SDM formulas give them', () => {
    const t = tlb();
    t.setRr(4, (0x42n << 8n) | (14n << 2n) | 1n);
    t.setPta(PTA);
    const va = RR4 | 0x0000_0123_4567_8000n;
    const hpn = 0x0000_0123_4567_8000n >> 14n;
    // region of va, pta.base bits above the table size, (hpn * 8) mod 1 MiB below
    expect(t.thash(va)).toBe(RR4 | 0x1fff_ffff_fff0_0000n | ((hpn << 3n) & 0xf_ffffn));
    expect(t.ttag(va)).toBe(hpn ^ (0x42n << 39n));
  });

  it("long format: 32-byte entries, pta region, Ski's hash (hpn xor rid)", () => {
    const t = tlb();
    t.setRr(4, (0x42n << 8n) | (12n << 2n) | 1n);
    t.setPta((7n << 61n) | 0x40_0000n | (16n << 2n) | (1n << 8n) | 1n);
    const hpn = 0x1234n;
    expect(t.thash(RR4 | (hpn << 12n))).toBe((7n << 61n) | 0x40_0000n | (((hpn ^ 0x42n) << 5n) & 0xffffn));
  });

  it('the walker inserts short-format entries; a VHPT page missing is a VHPT Translation fault', () => {
    const mem = new Map<bigint, bigint>();
    const t = new Ia64Tlb({ readPhysical: (pa) => mem.get(pa) ?? 0n });
    t.context.ic = true;
    t.setRr(0, (1n << 8n) | (20n << 2n)); // the table's own region, no walker
    t.setRr(4, (0x42n << 8n) | (12n << 2n) | 1n);
    t.setPta(0x1000_0000n | (20n << 2n) | 1n);
    const va = RR4 | 0x5000n;
    const iha = t.thash(va);
    expect(iha).toBe(RR4 | 0x1000_0000n | (5n << 3n));
    // the VHPT in region 4 is not mapped yet
    expect(t.translate(va, R)).toBe(IA64_FAULT_VHPT_TRANSLATION);
    expect(t.faultItir).toBe(ia64Itir(12, 0x42));
    expect(t.insertTr(false, 0, RR4 | 0x1000_0000n, pte(0x200_0000n), ia64Itir(20, 0))).toBe(IA64_INSERT_OK);
    // the entry reads as 0: inserted anyway (as Ski does), so the reference is Page Not Present
    expect(t.translate(va, R)).toBe(IA64_FAULT_PAGE_NOT_PRESENT);
    t.purgeTc(va, 12);
    mem.set(0x200_0000n + 5n * 8n, pte(0xabc_d000n));
    expect(t.translate(va | 0x123n, R)).toBe(IA64_OK);
    expect(t.physical).toBe(0xabc_d123n);
    expect(t.dtc.some((e) => e.valid && e.vpn === 0x5000n)).toBe(true);
    // an instruction miss walks the same table into the instruction TC
    expect(t.translate(va, X)).toBe(IA64_OK);
    expect(t.itc.some((e) => e.valid && e.vpn === 0x5000n)).toBe(true);
  });

  it("long-format walks insert only when the tag matches, with the entry's itir", () => {
    const mem = new Map<bigint, bigint>();
    const t = new Ia64Tlb({ readPhysical: (pa) => mem.get(pa) ?? 0n });
    t.context.ic = true;
    t.setRr(4, (0x42n << 8n) | (12n << 2n) | 1n);
    t.setPta(0x100_0000n | (16n << 2n) | (1n << 8n) | 1n);
    t.insertTr(false, 0, 0x100_0000n, pte(0x100_0000n), ia64Itir(16, 0)); // identity map in region 0
    const va = RR4 | 0x40_0000n;
    const slot = t.thash(va) & 0xffffn;
    mem.set(0x100_0000n + slot, pte(0x80_0000n));
    mem.set(0x100_0000n + slot + 8n, ia64Itir(16, 9));
    mem.set(0x100_0000n + slot + 16n, t.ttag(va) ^ 1n);
    expect(t.translate(va, R)).toBe(IA64_FAULT_DTLB);
    mem.set(0x100_0000n + slot + 16n, t.ttag(va));
    // the hash and tag use rr.ps (4K), the inserted entry the VHPT entry's itir (64K)
    expect(t.translate(va | 0xedcn, R)).toBe(IA64_OK);
    expect(t.physical).toBe(0x80_0edcn);
    expect(t.translate(va | 0xfedcn, R)).toBe(IA64_OK);
    expect(t.physical).toBe(0x80_fedcn);
    expect(t.lookup(false, va)?.key).toBe(9);
  });
});
