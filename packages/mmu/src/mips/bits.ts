// MIPS32 Privileged Resource Architecture (PRA) constants: CP0 TLB registers and address segments.
// References: "MIPS32 Architecture For Programmers Volume III: The MIPS32 Privileged Resource
// Architecture", chapter 4 (Virtual memory) and chapter 9 (CP0 registers).

/** EntryLo0/EntryLo1 fields (PRA §9.6): PFN 29:6, C 5:3, D 2, V 1, G 0. */
export const ENTRYLO_G = 0x01;
export const ENTRYLO_V = 0x02;
export const ENTRYLO_D = 0x04;
export const ENTRYLO_C_SHIFT = 3;
export const ENTRYLO_C_MASK = 0x38;
export const ENTRYLO_PFN_SHIFT = 6;
export const ENTRYLO_WRITABLE_BITS = 0x3fff_ffff;

/** Cache coherency attributes (C field): 2 = uncached, 3 = cacheable noncoherent (write-back). */
export const CACHE_UNCACHED = 2;
export const CACHE_CACHEABLE = 3;

/** EntryHi fields (PRA §9.11): VPN2 31:13, ASID 7:0. */
export const ENTRYHI_VPN2_MASK = 0xffff_e000;
export const ENTRYHI_ASID_MASK = 0xff;

/** PageMask (PRA §9.7): Mask 28:13, pages of 4 KiB … 256 MiB. */
export const PAGEMASK_MASK = 0x1fff_e000;
/** PageMask values for each supported page size (even/odd pages of that size each). */
export const PAGEMASK_4K = 0x0000_0000;
export const PAGEMASK_16K = 0x0000_6000;
export const PAGEMASK_64K = 0x0001_e000;
export const PAGEMASK_256K = 0x0007_e000;
export const PAGEMASK_1M = 0x001f_e000;
export const PAGEMASK_4M = 0x007f_e000;
export const PAGEMASK_16M = 0x01ff_e000;
export const PAGEMASK_64M = 0x07ff_e000;
export const PAGEMASK_256M = 0x1fff_e000;

/** Index register probe-failure bit (PRA §9.3). */
export const INDEX_P = 0x8000_0000;

/** Context (PRA §9.5): PTEBase 31:23 (software), BadVPN2 22:4 (set on TLB exceptions). */
export const CONTEXT_PTEBASE_MASK = 0xff80_0000;
export const CONTEXT_BADVPN2_MASK = 0x007f_fff0;

/** Segment bases (PRA §4.3). */
export const KSEG0 = 0x8000_0000;
export const KSEG1 = 0xa000_0000;
export const KSSEG = 0xc000_0000;
export const KSEG3 = 0xe000_0000;
