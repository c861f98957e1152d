// IA-64 translation (Itanium SDM vol. 2, ch. 4): eight region registers, instruction and data
// translation registers (TRs, pinned by software) and translation caches (TCs, replaced by the
// processor), purges, protection keys, the VHPT hash functions and a VHPT walker, and the
// translation faults.
//
// Outcomes are returned, never thrown: translate() gives IA64_OK (the address is in `physical`) or
// one of the IA64_FAULT_* codes; the CPU turns a code into an interruption at IA64_FAULT_VECTOR[code]
// and reads `faultItir` / `faultIha` for cr.itir / cr.iha. Hits go through a direct-mapped micro-TLB
// keyed by 4 KiB virtual page and privilege level, which only caches accesses that cannot fault.
import { InvalidArgumentError } from '../errors.js';
import {
  IA64_EXEC,
  IA64_MA_NATPAGE,
  IA64_MA_UCE,
  IA64_MA_WB,
  IA64_NON_ACCESS,
  IA64_PAGE_SIZE_MASK,
  IA64_PKR_RD,
  IA64_PKR_V,
  IA64_PKR_WD,
  IA64_PKR_XD,
  IA64_PTA_BASE_MASK,
  IA64_PTA_VE,
  IA64_PTA_VF,
  IA64_PTE_A,
  IA64_PTE_D,
  IA64_PTE_ED,
  IA64_PTE_P,
  IA64_PTE_PPN_MASK,
  IA64_READ,
  IA64_RR_RESERVED,
  IA64_RR_VE,
  IA64_SEMAPHORE,
  IA64_VA_OFFSET_MASK,
  IA64_WRITE,
  ia64Itir,
} from './bits.js';

export const IA64_OK = 0;
export const IA64_FAULT_ALT_ITLB = 1;
export const IA64_FAULT_ALT_DTLB = 2;
export const IA64_FAULT_ITLB = 3;
export const IA64_FAULT_DTLB = 4;
/** The VHPT walker's own reference to the VHPT missed the TLB. */
export const IA64_FAULT_VHPT_TRANSLATION = 5;
/** A data TLB miss with psr.ic = 0 (inside a handler, before it collected state). */
export const IA64_FAULT_DATA_NESTED_TLB = 6;
export const IA64_FAULT_PAGE_NOT_PRESENT = 7;
export const IA64_FAULT_NAT_PAGE = 8;
export const IA64_FAULT_IKEY_MISS = 9;
export const IA64_FAULT_DKEY_MISS = 10;
export const IA64_FAULT_KEY_PERMISSION = 11;
export const IA64_FAULT_IACCESS_RIGHTS = 12;
export const IA64_FAULT_DACCESS_RIGHTS = 13;
export const IA64_FAULT_DIRTY_BIT = 14;
export const IA64_FAULT_IACCESS_BIT = 15;
export const IA64_FAULT_DACCESS_BIT = 16;
export const IA64_FAULT_UNSUPPORTED_DATA_REFERENCE = 17;

/** Interruption vector offset (from cr.iva) of each fault code. */
export const IA64_FAULT_VECTOR: readonly number[] = [
  -1, 0x0c00, 0x1000, 0x0400, 0x0800, 0x0000, 0x1400, 0x5000, 0x5600, 0x1800, 0x1c00, 0x5100, 0x5200, 0x5300,
  0x2000, 0x2400, 0x2800, 0x5b00,
];

/** SDM name of each fault code. */
export const IA64_FAULT_NAME: readonly string[] = [
  'ok',
  'Alternate Instruction TLB',
  'Alternate Data TLB',
  'Instruction TLB',
  'Data TLB',
  'VHPT Translation',
  'Data Nested TLB',
  'Page Not Present',
  'NaT Page Consumption',
  'Instruction Key Miss',
  'Data Key Miss',
  'Key Permission',
  'Instruction Access Rights',
  'Data Access Rights',
  'Dirty Bit',
  'Instruction Access Bit',
  'Data Access Bit',
  'Unsupported Data Reference',
];

/** Results of inserts and purges that the architecture calls a Machine Check (overlapping TRs). */
export const IA64_INSERT_OK = 0;
export const IA64_INSERT_OVERLAP = 1;
/** Reserved fields in the PTE/ITIR, unsupported page size, or a TR slot that does not exist. */
export const IA64_INSERT_RESERVED = 2;

/** PSR bits the translator reads; the CPU keeps them in step (then the micro-TLB is flushed). */
export interface Ia64TranslationContext {
  cpl: number;
  /** psr.pk: protection keys checked. */
  pk: boolean;
  /** psr.ic: interruption collection on (a data miss with ic = 0 is a Data Nested TLB fault). */
  ic: boolean;
  /** psr.da / psr.ia: access-bit faults disabled for the next data / instruction reference. */
  da: boolean;
  ia: boolean;
  /** psr.dd: dirty-bit faults disabled. */
  dd: boolean;
}

export interface Ia64TlbOptions {
  /** TR slots per side (8 …64). Default 8. */
  trs?: number;
  /** TC entries per side (1 … 1024). Default 128. */
  tcs?: number;
  /** Protection key registers (≥ 16 architected). Default 16. */
  pkrs?: number;
  /** The VHPT walker's 8-byte physical read; without it, the walker is absent (misses fault). */
  readPhysical?: (physical: bigint) => bigint | undefined;
}

/** One TLB entry, as inserted. */
export interface Ia64TlbEntry {
  valid: boolean;
  rid: number;
  /** Virtual page base within the region (bits 60:ps of the address). */
  vpn: bigint;
  ps: number;
  key: number;
  pte: bigint;
}

/** Micro-TLB slots: 256 for data references, then 256 for instruction fetches. */
const MICRO_SLOTS = 512;
const M64 = 0xffff_ffff_ffff_ffffn;

function emptyEntry(): Ia64TlbEntry {
  return { valid: false, rid: 0, vpn: 0n, ps: 12, key: 0, pte: 0n };
}

/**
 * Access rights of a page for a privilege level (SDM vol. 2, Table 4-3): bit set of READ/WRITE/EXEC.
 * ar 0..3: R, RX, RW, RWX when cpl <= pl. ar 4..6: R/RW, R/RX, RX/RWX (at pl / more privileged).
 * ar 7: execute at every level (promoting via epc when cpl > pl), read+execute at cpl 0.
 */
export function ia64Rights(ar: number, pl: number, cpl: number): number {
  const R = IA64_READ;
  const W = IA64_WRITE;
  const X = IA64_EXEC;
  if (ar === 7) return cpl === 0 ? R | X : X;
  if (cpl > pl) return 0;
  switch (ar) {
    case 0:
      return R;
    case 1:
      return R | X;
    case 2:
      return R | W;
    case 3:
      return R | W | X;
    case 4:
      return cpl === pl ? R : R | W;
    case 5:
      return cpl === pl ? R : R | X;
    default:
      return cpl === pl ? R | X : R | W | X;
  }
}

export class Ia64Tlb {
  /** Region registers rr0..rr7 (write through setRr). */
  readonly rr = new BigUint64Array(8);
  /** cr.pta: VHPT base, size, format, enable. */
  pta = 0n;
  /** Protection key registers. */
  declare readonly pkr: BigUint64Array;
  readonly itr: Ia64TlbEntry[];
  readonly dtr: Ia64TlbEntry[];
  readonly itc: Ia64TlbEntry[];
  readonly dtc: Ia64TlbEntry[];
  readonly context: Ia64TranslationContext = {
    cpl: 0,
    pk: false,
    ic: false,
    da: false,
    ia: false,
    dd: false,
  };
  readPhysical: ((physical: bigint) => bigint | undefined) | undefined;

  /** Result of the last successful translate(). */
  physical = 0n;
  /** Memory attribute of the last translated page. */
  ma = 0;
  /** After a fault: the itir (ps, key) cr.itir gets, and the VHPT hash address cr.iha gets. */
  faultItir = 0n;
  faultIha = 0n;
  /** pte.ed of the page behind the last fault (isr.ed), 0 when there was none. */
  faultEd = 0;
  /** TC searches done (micro-TLB misses); a statistic. */
  searches = 0;

  private nextItc = 0;
  private nextDtc = 0;

  // micro-TLB, one half per side: 4 KiB page tag (va >> 12, all 52 bits), privilege level, allowed access kinds
  private readonly microTag = new BigUint64Array(MICRO_SLOTS);
  private readonly microValid = new Uint8Array(MICRO_SLOTS);
  private readonly microCpl = new Uint8Array(MICRO_SLOTS);
  private readonly microAllow = new Uint8Array(MICRO_SLOTS);
  private readonly microPage = new BigUint64Array(MICRO_SLOTS);
  private readonly microMa = new Uint8Array(MICRO_SLOTS);

  constructor(options: Ia64TlbOptions = {}) {
    const trs = options.trs ?? 8;
    const tcs = options.tcs ?? 128;
    const pkrs = options.pkrs ?? 16;
    if (!Number.isInteger(trs) || trs < 8 || trs > 64)
      throw new InvalidArgumentError(`IA-64 TR count ${trs} must be an integer from 8 to 64`);
    if (!Number.isInteger(tcs) || tcs < 1 || tcs > 1024)
      throw new InvalidArgumentError(`IA-64 TC count ${tcs} must be an integer from 1 to 1024`);
    if (!Number.isInteger(pkrs) || pkrs < 16 || pkrs > 256)
      throw new InvalidArgumentError(`IA-64 PKR count ${pkrs} must be an integer from 16 to 256`);
    this.itr = Array.from({ length: trs }, emptyEntry);
    this.dtr = Array.from({ length: trs }, emptyEntry);
    this.itc = Array.from({ length: tcs }, emptyEntry);
    this.dtc = Array.from({ length: tcs }, emptyEntry);
    this.pkr = new BigUint64Array(pkrs);
    this.readPhysical = options.readPhysical;
  }

  // ---- registers ------------------------------------------------------------------------------

  /** mov rr[va] = value: false (nothing written) for reserved bits or an unsupported page size. */
  setRr(vrn: number, value: bigint): boolean {
    const v = value & M64;
    if ((v & IA64_RR_RESERVED) !== 0n || !this.pageSizeSupported(Number((v >> 2n) & 63n))) return false;
    this.rr[vrn & 7] = v;
    this.flushMicro();
    return true;
  }

  /** mov pkr[n] = value: false for a register that does not exist. */
  setPkr(index: number, value: bigint): boolean {
    if (index < 0 || index >= this.pkr.length) return false;
    this.pkr[index] = value & 0xffff_ff0fn;
    this.flushMicro();
    return true;
  }

  setPta(value: bigint): void {
    this.pta = value & M64;
  }

  pageSizeSupported(ps: number): boolean {
    return ps < 64 && ((IA64_PAGE_SIZE_MASK >> BigInt(ps)) & 1n) === 1n;
  }

  /** Forget cached hits: after a change of the translation context (psr.cpl, pk, da, dd, ia). */
  flushMicro(): void {
    this.microValid.fill(0);
  }

  private rid(va: bigint): number {
    return Number((this.rr[Number(va >> 61n)] >> 8n) & 0xff_ffffn);
  }

  private rrPs(va: bigint): number {
    return Number((this.rr[Number(va >> 61n)] >> 2n) & 63n);
  }

  // ---- inserts and purges -----------------------------------------------------------------

  private overlaps(e: Ia64TlbEntry, rid: number, base: bigint, ps: number): boolean {
    if (!e.valid || e.rid !== rid) return false;
    const size = 1n << BigInt(Math.max(e.ps, ps));
    return (e.vpn & ~(size - 1n)) === (base & ~(size - 1n));
  }

  private check(pte: bigint, itir: bigint): number {
    const ps = Number((itir >> 2n) & 63n);
    if (!this.pageSizeSupported(ps)) return IA64_INSERT_RESERVED;
    if ((itir & ~0xffff_fffcn & M64) !== 0n || (itir & 3n) !== 0n) return IA64_INSERT_RESERVED;
    // reserved PTE fields matter only for present pages (bits 1, 63:53, 51:50; ma 1..3)
    if ((pte & IA64_PTE_P) !== 0n) {
      if ((pte & 0xffe0_0000_0000_0002n & M64) !== 0n || (pte & (3n << 50n)) !== 0n)
        return IA64_INSERT_RESERVED;
      const ma = Number((pte >> 2n) & 7n);
      if (ma >= 1 && ma <= 3) return IA64_INSERT_RESERVED;
    }
    return IA64_INSERT_OK;
  }

  private fill(e: Ia64TlbEntry, va: bigint, pte: bigint, itir: bigint): void {
    const ps = Number((itir >> 2n) & 63n);
    e.valid = true;
    e.rid = this.rid(va);
    e.ps = ps;
    e.vpn = va & IA64_VA_OFFSET_MASK & ~((1n << BigInt(ps)) - 1n);
    e.key = Number((itir >> 8n) & 0xff_ffffn);
    e.pte = pte & M64;
  }

  /** Purge entries of `list` overlapping [va, va + 2^ps) in va's region; count them. */
  private purge(list: Ia64TlbEntry[], va: bigint, ps: number): number {
    const rid = this.rid(va);
    const base = va & IA64_VA_OFFSET_MASK;
    let n = 0;
    for (const e of list)
      if (this.overlaps(e, rid, base, ps)) {
        e.valid = false;
        n++;
      }
    return n;
  }

  private trOverlap(list: Ia64TlbEntry[], va: bigint, ps: number, except = -1): boolean {
    const rid = this.rid(va);
    const base = va & IA64_VA_OFFSET_MASK;
    return list.some((e, i) => i !== except && this.overlaps(e, rid, base, ps));
  }

  /** itc.i / itc.d: insert a translation cache entry for va (cr.ifa) with pte and itir. */
  insertTc(instruction: boolean, va: bigint, pte: bigint, itir: bigint): number {
    const status = this.check(pte, itir);
    if (status !== IA64_INSERT_OK) return status;
    const ps = Number((itir >> 2n) & 63n);
    if (this.trOverlap(instruction ? this.itr : this.dtr, va, ps)) return IA64_INSERT_OVERLAP;
    const list = instruction ? this.itc : this.dtc;
    this.purge(list, va, ps);
    let slot = list.findIndex((e) => !e.valid);
    if (slot < 0) {
      slot = instruction ? this.nextItc : this.nextDtc;
      if (instruction) this.nextItc = (slot + 1) % list.length;
      else this.nextDtc = (slot + 1) % list.length;
    }
    this.fill(list[slot], va, pte, itir);
    this.flushMicro();
    return IA64_INSERT_OK;
  }

  /** itr.i / itr.d: insert into TR slot `index` (overlapping TCs of that side are purged). */
  insertTr(instruction: boolean, index: number, va: bigint, pte: bigint, itir: bigint): number {
    const list = instruction ? this.itr : this.dtr;
    if (!Number.isInteger(index) || index < 0 || index >= list.length) return IA64_INSERT_RESERVED;
    const status = this.check(pte, itir);
    if (status !== IA64_INSERT_OK) return status;
    const ps = Number((itir >> 2n) & 63n);
    if (this.trOverlap(list, va, ps, index)) return IA64_INSERT_OVERLAP;
    this.purge(instruction ? this.itc : this.dtc, va, ps);
    this.fill(list[index], va, pte, itir);
    this.flushMicro();
    return IA64_INSERT_OK;
  }

  /**
   * ptc.l / ptc.g / ptc.ga (one processor: all local): purge TC entries of both sides overlapping
   * [va, va + 2^ps) in va's region. A TR in the range is a Machine Check: IA64_INSERT_OVERLAP.
   */
  purgeTc(va: bigint, ps: number): number {
    if (!this.pageSizeSupported(ps)) return IA64_INSERT_RESERVED;
    if (this.trOverlap(this.itr, va, ps) || this.trOverlap(this.dtr, va, ps)) return IA64_INSERT_OVERLAP;
    this.purge(this.itc, va, ps);
    this.purge(this.dtc, va, ps);
    this.flushMicro();
    return IA64_INSERT_OK;
  }

  /** ptc.e: purge every TC entry (the whole purge loop at once). */
  purgeAllTc(): void {
    for (const e of this.itc) e.valid = false;
    for (const e of this.dtc) e.valid = false;
    this.flushMicro();
  }

  /** ptr.i / ptr.d: purge that side's TRs and TCs overlapping [va, va + 2^ps). */
  purgeTr(instruction: boolean, va: bigint, ps: number): number {
    if (!this.pageSizeSupported(ps)) return IA64_INSERT_RESERVED;
    this.purge(instruction ? this.itr : this.dtr, va, ps);
    this.purge(instruction ? this.itc : this.dtc, va, ps);
    this.flushMicro();
    return IA64_INSERT_OK;
  }

  // ---- lookup ---------------------------------------------------------------------------------

  /** The TR or TC entry translating va on one side, or undefined (no walker, no side effects). */
  lookup(instruction: boolean, va: bigint): Ia64TlbEntry | undefined {
    const rid = this.rid(va);
    const off = va & IA64_VA_OFFSET_MASK;
    for (const list of instruction ? [this.itr, this.itc] : [this.dtr, this.dtc])
      for (const e of list)
        if (e.valid && e.rid === rid && off >> BigInt(e.ps) === e.vpn >> BigInt(e.ps)) return e;
    return undefined;
  }

  /** thash: the VHPT entry address for va (short format: 8-byte entries in va's region; long: 32). */
  thash(va: bigint): bigint {
    const vrn = va >> 61n;
    const ps = BigInt(this.rrPs(va));
    const size = (this.pta >> 2n) & 63n;
    const mask = (((1n << size) - 1n) >> 15n) & ((1n << 46n) - 1n);
    const hpn = (va & IA64_VA_OFFSET_MASK) >> ps;
    const long = (this.pta & IA64_PTA_VF) !== 0n;
    // long format: the hash is implementation-specific; this is Ski's (hpn xor rid)
    const offset = long ? (hpn ^ BigInt(this.rid(va))) << 5n : hpn << 3n;
    const region = long ? this.pta >> 61n : vrn;
    const base = (this.pta & IA64_PTA_BASE_MASK) >> 15n;
    const mid = (base & ~mask) | ((offset >> 15n) & mask);
    return ((region << 61n) | (mid << 15n) | (offset & 0x7fffn)) & M64;
  }

  /** ttag: the long-format VHPT tag for va (implementation-specific; Ski's: hpn xor rid << 39). */
  ttag(va: bigint): bigint {
    const ps = BigInt(this.rrPs(va));
    return (((va & IA64_VA_OFFSET_MASK) >> ps) ^ (BigInt(this.rid(va)) << 39n)) & M64;
  }

  /**
   * Translate va for `access` (IA64_READ/WRITE/EXEC, optionally | SEMAPHORE | NON_ACCESS) at the
   * context's privilege level. IA64_OK: `physical` holds the address. Otherwise a fault code.
   */
  translate(va: bigint, access: number): number {
    const page = va >> 12n;
    const slot = Number(page & 0xffn) | (access & IA64_EXEC ? 256 : 0);
    const cpl = this.context.cpl;
    if (
      this.microValid[slot] === 1 &&
      this.microTag[slot] === page &&
      this.microCpl[slot] === cpl &&
      (this.microAllow[slot] & access) === access
    ) {
      this.physical = this.microPage[slot] | (va & 0xfffn);
      this.ma = this.microMa[slot];
      return IA64_OK;
    }
    return this.translateSlow(va, access, page, slot);
  }

  private translateSlow(va: bigint, access: number, page: bigint, slot: number): number {
    this.searches++;
    const instruction = (access & IA64_EXEC) !== 0;
    this.faultEd = 0;
    this.faultIha = this.thash(va);
    // cr.itir after any translation fault: the region's defaults (rid as key, preferred page size),
    // as the SDM's "default translation" and Ski have it, not the entry's
    this.faultItir = ia64Itir(this.rrPs(va), this.rid(va));
    let e = this.lookup(instruction, va);
    if (!e) {
      const miss = this.walk(instruction, va);
      if (miss !== IA64_OK) return miss;
      e = this.lookup(instruction, va);
      if (!e) return instruction ? IA64_FAULT_ITLB : IA64_FAULT_DTLB;
    }
    this.faultEd = (e.pte & IA64_PTE_ED) !== 0n ? 1 : 0;
    const pte = e.pte;
    const ma = Number((pte >> 2n) & 7n);
    if ((pte & IA64_PTE_P) === 0n) return IA64_FAULT_PAGE_NOT_PRESENT;
    if (ma === IA64_MA_NATPAGE && !instruction && (access & IA64_NON_ACCESS) === 0)
      return IA64_FAULT_NAT_PAGE;
    const ctx = this.context;
    let keyDeny = 0;
    if (ctx.pk) {
      const k = this.findKey(e.key);
      if (k === undefined) return instruction ? IA64_FAULT_IKEY_MISS : IA64_FAULT_DKEY_MISS;
      keyDeny =
        (k & IA64_PKR_RD ? IA64_READ : 0) |
        (k & IA64_PKR_WD ? IA64_WRITE : 0) |
        (k & IA64_PKR_XD ? IA64_EXEC : 0);
      if ((access & keyDeny & 7) !== 0) return IA64_FAULT_KEY_PERMISSION;
    }
    const rights = ia64Rights(Number((pte >> 9n) & 7n), Number((pte >> 7n) & 3n), ctx.cpl);
    if ((access & 7 & ~rights) !== 0)
      return instruction ? IA64_FAULT_IACCESS_RIGHTS : IA64_FAULT_DACCESS_RIGHTS;
    const real = (access & IA64_NON_ACCESS) === 0;
    if (real && (access & IA64_WRITE) !== 0 && (pte & IA64_PTE_D) === 0n && !ctx.dd)
      return IA64_FAULT_DIRTY_BIT;
    if (real && (pte & IA64_PTE_A) === 0n && !(instruction ? ctx.ia : ctx.da))
      return instruction ? IA64_FAULT_IACCESS_BIT : IA64_FAULT_DACCESS_BIT;
    if ((access & IA64_SEMAPHORE) !== 0 && ma !== IA64_MA_WB && ma !== IA64_MA_UCE)
      return IA64_FAULT_UNSUPPORTED_DATA_REFERENCE;
    const mask = (1n << BigInt(e.ps)) - 1n;
    const base = pte & IA64_PTE_PPN_MASK & ~mask;
    this.physical = base | (va & mask);
    this.ma = ma;
    // cache what this page allows at this level without any fault
    let allow = rights & ~keyDeny & 7;
    if (ma === IA64_MA_NATPAGE) allow &= IA64_EXEC;
    if ((pte & IA64_PTE_A) === 0n) allow = 0;
    if ((pte & IA64_PTE_D) === 0n) allow &= ~IA64_WRITE;
    if (ma === IA64_MA_WB || ma === IA64_MA_UCE) allow |= allow & IA64_WRITE ? IA64_SEMAPHORE : 0;
    if (allow !== 0) allow |= IA64_NON_ACCESS;
    this.microTag[slot] = page;
    this.microValid[slot] = 1;
    this.microCpl[slot] = this.context.cpl;
    this.microAllow[slot] = allow;
    this.microPage[slot] = (base | (va & mask)) & ~0xfffn;
    this.microMa[slot] = ma;
    return IA64_OK;
  }

  private findKey(key: number): bigint | undefined {
    for (const k of this.pkr) if ((k & IA64_PKR_V) !== 0n && Number((k >> 8n) & 0xff_ffffn) === key) return k;
    return undefined;
  }

  /**
   * A TLB miss: with the VHPT enabled for the region (pta.ve, rr.ve), the walker reads the VHPT entry
   * at thash(va) and inserts it (long format: when the tag matches) — present or not, as Ski does, so
   * a not-present entry then gives Page Not Present. IA64_OK means an entry was inserted; otherwise
   * the fault to raise, with faultItir and faultIha set.
   */
  private walk(instruction: boolean, va: bigint): number {
    const vrn = Number(va >> 61n);
    const rr = this.rr[vrn];
    const enabled = (this.pta & IA64_PTA_VE) !== 0n && (rr & IA64_RR_VE) !== 0n;
    if (!instruction && !this.context.ic) return IA64_FAULT_DATA_NESTED_TLB;
    if (!enabled) return instruction ? IA64_FAULT_ALT_ITLB : IA64_FAULT_ALT_DTLB;
    const miss = instruction ? IA64_FAULT_ITLB : IA64_FAULT_DTLB;
    if (!this.readPhysical) return miss;
    const iha = this.faultIha;
    const where = this.lookup(false, iha);
    if (!where || (where.pte & IA64_PTE_P) === 0n) {
      this.faultItir = ia64Itir(this.rrPs(iha), this.rid(iha));
      return IA64_FAULT_VHPT_TRANSLATION;
    }
    const mask = (1n << BigInt(where.ps)) - 1n;
    const pa = (where.pte & IA64_PTE_PPN_MASK & ~mask) | (iha & mask);
    const pte = this.readPhysical(pa);
    if (pte === undefined) return miss;
    let itir = this.faultItir;
    if ((this.pta & IA64_PTA_VF) !== 0n) {
      const entryItir = this.readPhysical(pa + 8n);
      const tag = this.readPhysical(pa + 16n);
      if (entryItir === undefined || tag === undefined || tag !== this.ttag(va)) return miss;
      itir = entryItir & 0xffff_fffcn;
    }
    return this.insertTc(instruction, va, pte, itir) === IA64_INSERT_OK ? IA64_OK : miss;
  }
}
