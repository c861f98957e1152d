// MIPS32 joint TLB (PRA chapter 4): N entries, each mapping an even/odd pair of pages, with the CP0
// registers software uses to manage it, and the translation a CPU calls for every access.
//
// Outcomes are returned, never thrown: translate() gives a physical address (>= 0) or one of the
// negative MIPS_* codes, which the CPU turns into TLB Refill / TLB Invalid / TLB Modified / Address
// Error exceptions (it knows whether the access was a load/fetch (TLBL, AdEL) or a store (TLBS, AdES)).
import { InvalidArgumentError } from '../errors.js';
import {
  CACHE_CACHEABLE,
  CACHE_UNCACHED,
  CONTEXT_BADVPN2_MASK,
  CONTEXT_PTEBASE_MASK,
  ENTRYHI_ASID_MASK,
  ENTRYHI_VPN2_MASK,
  ENTRYLO_C_MASK,
  ENTRYLO_C_SHIFT,
  ENTRYLO_D,
  ENTRYLO_G,
  ENTRYLO_PFN_SHIFT,
  ENTRYLO_V,
  ENTRYLO_WRITABLE_BITS,
  INDEX_P,
  PAGEMASK_MASK,
} from './bits.js';

/** No entry matched: TLB Refill exception (the fast refill vector when Status.EXL = 0). */
export const MIPS_REFILL = -1;
/** An entry matched but the selected page has V = 0: TLB Invalid exception. */
export const MIPS_INVALID = -2;
/** A store matched a valid page with D = 0: TLB Modified exception. */
export const MIPS_MODIFIED = -3;
/** The address is in a segment the current mode may not use: Address Error exception. */
export const MIPS_ADDRESS_ERROR = -4;

export const MIPS_MODE_KERNEL = 0;
export const MIPS_MODE_SUPERVISOR = 1;
export const MIPS_MODE_USER = 2;
export type MipsMode = 0 | 1 | 2;

export interface MipsTlbOptions {
  /** Number of entries (1 … 64; real cores have 16, 32, 48 or 64). Default 32. */
  entries?: number;
  /** Config.K0: cache attribute of kseg0. Default 3 (cacheable). */
  k0?: number;
}

/** Side-effect-free result of probe(). */
export interface MipsTranslation {
  physical: number;
  /** C field (2 = uncached). */
  cacheAttribute: number;
  /** D bit of the page (true for the unmapped segments). */
  dirty: boolean;
  /** TLB entry index, or -1 for kseg0/kseg1 (and kuseg under Status.ERL). */
  index: number;
  pageSize: number;
}

const MICRO_SLOTS = 256;
const BUCKET_MASK = 255;
const MICRO_GLOBAL = -1;

export class MipsTlb {
  declare readonly entries: number;

  // ---- CP0 registers (write them through the setters, which keep read-only fields intact) ----
  index = 0;
  declare random: number;
  wired = 0;
  entryHi = 0;
  entryLo0 = 0;
  entryLo1 = 0;
  pageMask = 0;
  badVAddr = 0;
  context = 0;
  /** Config.K0 (kseg0 cache attribute). */
  declare k0: number;
  /** Status.ERL: kuseg becomes an unmapped, uncached window onto physical memory in kernel mode. */
  erl = false;

  /** C field of the page the last successful translate() hit. */
  lastCacheAttribute = 0;
  /** Full-TLB searches done (micro-TLB misses); a statistic. */
  searches = 0;

  // ---- the entries, as the registers that wrote them ----
  declare private readonly hi: Uint32Array;
  declare private readonly mask: Uint32Array;
  declare private readonly lo0: Uint32Array;
  declare private readonly lo1: Uint32Array;
  declare private readonly indexMask: number;
  private readonly bucketHead = new Int8Array(BUCKET_MASK + 1).fill(-1);
  declare private readonly bucketNext: Int8Array;
  declare private readonly bucketOf: Int16Array;
  declare private readonly largeList: Int8Array;
  declare private readonly largePos: Int8Array;
  private largeCount = 0;

  // ---- micro-TLB: direct-mapped by 4 KiB virtual page, tagged with the ASID (or global) ----
  private readonly microVpn = new Int32Array(MICRO_SLOTS).fill(-1);
  private readonly microAsid = new Int16Array(MICRO_SLOTS);
  private readonly microPage = new Float64Array(MICRO_SLOTS);
  /** bit 0: D; bits 3..1: C. */
  private readonly microFlags = new Uint8Array(MICRO_SLOTS);
  private readonly microSource = new Int8Array(MICRO_SLOTS);

  constructor(options: MipsTlbOptions = {}) {
    const entries = options.entries ?? 32;
    if (!Number.isInteger(entries) || entries < 1 || entries > 64) {
      throw new InvalidArgumentError(`MIPS TLB size ${entries} must be an integer from 1 to 64`);
    }
    this.entries = entries;
    this.random = entries - 1;
    this.k0 = (options.k0 ?? CACHE_CACHEABLE) & 7;
    this.indexMask = (1 << Math.ceil(Math.log2(entries))) - 1 || 0;
    this.hi = new Uint32Array(entries);
    this.mask = new Uint32Array(entries);
    this.lo0 = new Uint32Array(entries);
    this.lo1 = new Uint32Array(entries);
    this.bucketNext = new Int8Array(entries);
    this.bucketOf = new Int16Array(entries);
    this.largeList = new Int8Array(entries);
    this.largePos = new Int8Array(entries);
    for (let i = 0; i < entries; i++) this.link(i);
  }

  /** Current ASID (EntryHi 7:0). */
  get asid(): number {
    return this.entryHi & ENTRYHI_ASID_MASK;
  }

  setEntryHi(value: number): void {
    this.entryHi = (value & (ENTRYHI_VPN2_MASK | ENTRYHI_ASID_MASK)) >>> 0;
  }
  setEntryLo0(value: number): void {
    this.entryLo0 = (value & ENTRYLO_WRITABLE_BITS) >>> 0;
  }
  setEntryLo1(value: number): void {
    this.entryLo1 = (value & ENTRYLO_WRITABLE_BITS) >>> 0;
  }
  /** Only Mask 28:13 is writable (software probes the supported sizes by writing ones). */
  setPageMask(value: number): void {
    this.pageMask = (value & PAGEMASK_MASK) >>> 0;
  }
  /** Index is writable in its low bits only; P is set by tlbp alone. */
  setIndex(value: number): void {
    this.index = value & this.indexMask;
  }
  /** Writing Wired resets Random to the top entry (PRA §9.4). */
  setWired(value: number): void {
    this.wired = value & this.indexMask;
    this.random = this.entries - 1;
  }
  /** Only PTEBase is writable; BadVPN2 is set by TLB exceptions. */
  setContext(value: number): void {
    this.context = ((value & CONTEXT_PTEBASE_MASK) | (this.context & CONTEXT_BADVPN2_MASK)) >>> 0;
  }

  /**
   * Random counts down from entries-1 to Wired and wraps. The model steps it on every TLBWR; a CPU
   * may also call this once per instruction, as hardware does.
   */
  stepRandom(count = 1): void {
    const span = this.entries - this.wired;
    if (span <= 0) {
      this.random = this.entries - 1;
      return;
    }
    const position = (this.random - this.wired - (count % span) + span) % span;
    this.random = this.wired + position;
  }

  // ---- TLB instructions ----

  /** TLBP: Index = the entry matching EntryHi (VPN2 and ASID or G), or P set when none does. */
  tlbp(): void {
    const found = this.find(this.entryHi >>> 0, this.asid);
    this.index = found < 0 ? INDEX_P : found;
  }

  /** TLBR: EntryHi, EntryLo0/1 and PageMask from entry Index (G is copied into both EntryLo). */
  tlbr(): void {
    const i = this.index & this.indexMask;
    if (i >= this.entries) return; // UNPREDICTABLE in the PRA: leave the registers alone
    this.entryHi = this.hi[i];
    this.pageMask = this.mask[i];
    this.entryLo0 = this.lo0[i];
    this.entryLo1 = this.lo1[i];
  }

  /** TLBWI: writes entry Index. Returns false (and writes nothing) when Index names no entry. */
  tlbwi(): boolean {
    const i = this.index & this.indexMask;
    if (i >= this.entries) return false;
    this.writeEntry(i);
    return true;
  }

  /** TLBWR: writes entry Random, then steps Random. Returns the index written. */
  tlbwr(): number {
    const i = this.random;
    this.writeEntry(i);
    this.stepRandom();
    return i;
  }

  /**
   * Makes the entry that maps `virtual` for the current ASID match nothing (what a kernel does with
   * TLBP + TLBWI of an invalid entry after changing a mapping). Registers are left unchanged.
   */
  invalidatePage(virtual: number): void {
    const i = this.find(virtual >>> 0, this.asid);
    if (i >= 0) this.clearEntry(i);
  }

  /** Makes every entry match nothing (a kernel's TLB initialisation). */
  invalidateAll(): void {
    for (let i = 0; i < this.entries; i++) this.clearEntry(i);
  }

  // ---- translation ----

  /**
   * Physical address for `virtual`, or a MIPS_* code. TLB exceptions load BadVAddr, Context.BadVPN2
   * and EntryHi.VPN2 (ASID kept) as the hardware does (PRA §4.8); address errors load BadVAddr only.
   */
  translate(virtual: number, write: boolean, mode: MipsMode): number {
    virtual >>>= 0;
    const segment = virtual >>> 29;
    if (segment >= 4) {
      if (mode !== MIPS_MODE_KERNEL && (mode !== MIPS_MODE_SUPERVISOR || segment !== 6)) {
        return this.addressError(virtual);
      }
      if (segment === 4) {
        this.lastCacheAttribute = this.k0;
        return virtual - 0x8000_0000;
      }
      if (segment === 5) {
        this.lastCacheAttribute = CACHE_UNCACHED;
        return virtual - 0xa000_0000;
      }
    } else if (this.erl && mode === MIPS_MODE_KERNEL) {
      this.lastCacheAttribute = CACHE_UNCACHED;
      return virtual;
    }
    // Mapped: micro-TLB first.
    const vpn = virtual >>> 12;
    const slot = vpn & (MICRO_SLOTS - 1);
    if (this.microVpn[slot] === vpn) {
      const owner = this.microAsid[slot];
      const flags = this.microFlags[slot];
      if ((owner === MICRO_GLOBAL || owner === this.asid) && (!write || (flags & 1) !== 0)) {
        this.lastCacheAttribute = flags >>> 1;
        return this.microPage[slot] + (virtual & 0xfff);
      }
    }
    return this.translateMapped(virtual, write, slot);
  }

  /** What translate() would give for the current ASID, without side effects; undefined when it faults. */
  probe(virtual: number, mode: MipsMode = MIPS_MODE_KERNEL): MipsTranslation | undefined {
    virtual >>>= 0;
    const segment = virtual >>> 29;
    if (segment >= 4 && mode !== MIPS_MODE_KERNEL && (mode !== MIPS_MODE_SUPERVISOR || segment !== 6)) {
      return undefined;
    }
    if (segment === 4 || segment === 5 || (segment < 4 && this.erl && mode === MIPS_MODE_KERNEL)) {
      const physical =
        segment === 4 ? virtual - 0x8000_0000 : segment === 5 ? virtual - 0xa000_0000 : virtual;
      const cacheAttribute = segment === 4 ? this.k0 : CACHE_UNCACHED;
      return { physical, cacheAttribute, dirty: true, index: -1, pageSize: 0x2000_0000 };
    }
    const i = this.find(virtual, this.asid);
    if (i < 0) return undefined;
    const size = this.pageSizeOf(i);
    const lo = (virtual & size) === 0 ? this.lo0[i] : this.lo1[i];
    if ((lo & ENTRYLO_V) === 0) return undefined;
    return {
      physical: this.frameOf(lo, size) + (virtual & (size - 1)),
      cacheAttribute: (lo & ENTRYLO_C_MASK) >>> ENTRYLO_C_SHIFT,
      dirty: (lo & ENTRYLO_D) !== 0,
      index: i,
      pageSize: size,
    };
  }

  /** Entry i as the four registers TLBR would load (for debuggers and tests). */
  readEntry(i: number): { entryHi: number; pageMask: number; entryLo0: number; entryLo1: number } {
    if (!Number.isInteger(i) || i < 0 || i >= this.entries) {
      throw new InvalidArgumentError(`TLB index ${i} is outside 0..${this.entries - 1}`);
    }
    return { entryHi: this.hi[i], pageMask: this.mask[i], entryLo0: this.lo0[i], entryLo1: this.lo1[i] };
  }

  // ---- internals ----

  private translateMapped(virtual: number, write: boolean, slot: number): number {
    this.searches++;
    const i = this.find(virtual, this.asid);
    if (i < 0) return this.tlbException(virtual, MIPS_REFILL);
    const size = this.pageSizeOf(i);
    const lo = (virtual & size) === 0 ? this.lo0[i] : this.lo1[i];
    if ((lo & ENTRYLO_V) === 0) return this.tlbException(virtual, MIPS_INVALID);
    const dirty = (lo & ENTRYLO_D) !== 0;
    if (write && !dirty) return this.tlbException(virtual, MIPS_MODIFIED);
    const cache = (lo & ENTRYLO_C_MASK) >>> ENTRYLO_C_SHIFT;
    const page = this.frameOf(lo, size) + (virtual & (size - 1) & ~0xfff);
    this.microVpn[slot] = virtual >>> 12;
    this.microAsid[slot] = this.isGlobal(i) ? MICRO_GLOBAL : this.asid;
    this.microPage[slot] = page;
    this.microFlags[slot] = (cache << 1) | (dirty ? 1 : 0);
    this.microSource[slot] = i;
    this.lastCacheAttribute = cache;
    return page + (virtual & 0xfff);
  }

  /** PRA §4.9.1 (TLB match): VPN2 equal outside the entry's mask, and G set or ASID equal. */
  private find(virtual: number, asid: number): number {
    const hi = this.hi;
    for (let i = this.bucketHead[(virtual >>> 13) & BUCKET_MASK]; i >= 0; i = this.bucketNext[i]) {
      if (
        ((virtual ^ hi[i]) & ENTRYHI_VPN2_MASK) === 0 &&
        (this.isGlobal(i) || (hi[i] & ENTRYHI_ASID_MASK) === asid)
      ) {
        return i;
      }
    }
    for (let k = 0; k < this.largeCount; k++) {
      const i = this.largeList[k];
      if (
        ((virtual ^ hi[i]) & ~(this.mask[i] | 0x1fff)) === 0 &&
        (this.isGlobal(i) || (hi[i] & ENTRYHI_ASID_MASK) === asid)
      ) {
        return i;
      }
    }
    return -1;
  }

  // The search index stands in for the hardware's CAM: 4 KiB-pair entries hang in hash chains keyed
  // by the low VPN2 bits; entries with larger pages sit in a short list searched every time.

  private link(i: number): void {
    if (this.mask[i] === 0) {
      const bucket = (this.hi[i] >>> 13) & BUCKET_MASK;
      this.bucketOf[i] = bucket;
      this.bucketNext[i] = this.bucketHead[bucket];
      this.bucketHead[bucket] = i;
    } else {
      this.bucketOf[i] = -1;
      this.largePos[i] = this.largeCount;
      this.largeList[this.largeCount++] = i;
    }
  }

  private unlink(i: number): void {
    const bucket = this.bucketOf[i];
    if (bucket >= 0) {
      let previous = -1;
      let current = this.bucketHead[bucket];
      while (current !== i) {
        previous = current;
        current = this.bucketNext[current];
      }
      if (previous < 0) this.bucketHead[bucket] = this.bucketNext[i];
      else this.bucketNext[previous] = this.bucketNext[i];
    } else {
      const position = this.largePos[i];
      const last = this.largeList[--this.largeCount];
      this.largeList[position] = last;
      this.largePos[last] = position;
    }
  }

  /** The entry's G is the AND of the two EntryLo G bits at write time, kept in both. */
  private isGlobal(i: number): boolean {
    return (this.lo0[i] & ENTRYLO_G) !== 0;
  }

  /** Size of each of the entry's two pages: the even/odd select bit is this size. */
  private pageSizeOf(i: number): number {
    return ((this.mask[i] | 0x1fff) + 1) / 2;
  }

  /** PFN → physical page base; PFN bits below the page size are ignored, as the hardware does. */
  private frameOf(lo: number, size: number): number {
    const frame = ((lo >>> ENTRYLO_PFN_SHIFT) & 0xff_ffff) * 4096;
    return frame - (frame % size);
  }

  private writeEntry(i: number): void {
    this.dropMicro(i);
    this.unlink(i);
    const global = this.entryLo0 & this.entryLo1 & ENTRYLO_G;
    this.mask[i] = this.pageMask;
    // VPN2 is kept as written, bits under the mask included (matching ignores them). The PRA lets
    // TLBR return those bits as zero or as written; QEMU returns them as written, and so do we.
    this.hi[i] = this.entryHi;
    this.lo0[i] = ((this.entryLo0 & ~ENTRYLO_G) | global) >>> 0;
    this.lo1[i] = ((this.entryLo1 & ~ENTRYLO_G) | global) >>> 0;
    this.link(i);
  }

  /** An entry that matches no address the TLB is consulted for (a kseg0 VPN2, unique per index). */
  private clearEntry(i: number): void {
    this.dropMicro(i);
    this.unlink(i);
    this.mask[i] = 0;
    this.hi[i] = (0x8000_0000 + i * 0x2000) >>> 0;
    this.lo0[i] = 0;
    this.lo1[i] = 0;
    this.link(i);
  }

  /** Forgets micro-TLB slots filled from entry i (call before the entry changes). */
  private dropMicro(i: number): void {
    const span = (this.mask[i] | 0x1fff) + 1;
    if (span > MICRO_SLOTS * 4096) {
      for (let slot = 0; slot < MICRO_SLOTS; slot++)
        if (this.microSource[slot] === i) this.microVpn[slot] = -1;
      return;
    }
    const first = ((this.hi[i] & ~(span - 1)) >>> 0) / 4096;
    for (let vpn = first; vpn < first + span / 4096; vpn++) {
      const slot = vpn & (MICRO_SLOTS - 1);
      if (this.microSource[slot] === i && this.microVpn[slot] === vpn) this.microVpn[slot] = -1;
    }
  }

  private tlbException(virtual: number, outcome: number): number {
    this.badVAddr = virtual;
    this.context =
      ((this.context & CONTEXT_PTEBASE_MASK) | (((virtual >>> 13) << 4) & CONTEXT_BADVPN2_MASK)) >>> 0;
    this.entryHi = ((virtual & ENTRYHI_VPN2_MASK) | (this.entryHi & ENTRYHI_ASID_MASK)) >>> 0;
    return outcome;
  }

  private addressError(virtual: number): number {
    this.badVAddr = virtual;
    return MIPS_ADDRESS_ERROR;
  }
}
