// IA-64 translation formats (Itanium SDM vol. 2, ch. 4): region registers, the translation insertion
// format (PTE), ITIR, PTA, protection key registers, and the interruption vector offsets of the
// translation faults.

/** Access kinds for Ia64Tlb.translate (bit set). */
export const IA64_READ = 1;
export const IA64_WRITE = 2;
export const IA64_EXEC = 4;
/** A semaphore (cmpxchg, xchg, fetchadd): needs a write-back or UCE page. */
export const IA64_SEMAPHORE = 8;
/** Non-access references (probe, tpa, tak): no access-bit/dirty-bit faults (set with READ or WRITE). */
export const IA64_NON_ACCESS = 16;

// ---- region register: ve (bit 0), ps (7:2), rid (31:8) ----
export const IA64_RR_VE = 1n;
export const IA64_RR_RESERVED = ~0xffff_fffdn & 0xffff_ffff_ffff_ffffn;

// ---- translation insertion format (the PTE written by itc/itr and found in the VHPT) ----
export const IA64_PTE_P = 1n;
export const IA64_PTE_MA_SHIFT = 2n;
export const IA64_PTE_A = 1n << 5n;
export const IA64_PTE_D = 1n << 6n;
export const IA64_PTE_PL_SHIFT = 7n;
export const IA64_PTE_AR_SHIFT = 9n;
/** ppn: physical address bits 49:12. */
export const IA64_PTE_PPN_MASK = 0x0003_ffff_ffff_f000n;
export const IA64_PTE_ED = 1n << 52n;

/** Memory attributes (pte.ma). 1..3 are reserved. */
export const IA64_MA_WB = 0;
export const IA64_MA_UC = 4;
export const IA64_MA_UCE = 5;
export const IA64_MA_WC = 6;
export const IA64_MA_NATPAGE = 7;

// ---- ITIR: ps (7:2), key (31:8) ----
export const ia64ItirPs = (itir: bigint): number => Number((itir >> 2n) & 63n);
export const ia64ItirKey = (itir: bigint): number => Number((itir >> 8n) & 0xff_ffffn);
export const ia64Itir = (ps: number, key: number): bigint => (BigInt(key) << 8n) | (BigInt(ps) << 2n);

// ---- PTA: ve (0), size (7:2), vf (8), base (63:15) ----
export const IA64_PTA_VE = 1n;
export const IA64_PTA_VF = 1n << 8n;
export const IA64_PTA_BASE_MASK = ~0x7fffn & 0xffff_ffff_ffff_ffffn;

// ---- protection key register: v (0), wd (1), rd (2), xd (3), key (31:8) ----
export const IA64_PKR_V = 1n;
export const IA64_PKR_WD = 2n;
export const IA64_PKR_RD = 4n;
export const IA64_PKR_XD = 8n;

/** Page sizes this TLB supports (log2): 4K, 8K, 16K, 64K, 256K, 1M, 4M, 16M, 64M, 256M. */
export const IA64_PAGE_SIZES = [12, 13, 14, 16, 18, 20, 22, 24, 26, 28] as const;
export const IA64_PAGE_SIZE_MASK = IA64_PAGE_SIZES.reduce((m, s) => m | (1n << BigInt(s)), 0n);

/** Implemented virtual address bits below the region number (Ski's default va_len 61: all). */
export const IA64_IMPL_VA_BITS = 61n;
export const IA64_VA_OFFSET_MASK = (1n << IA64_IMPL_VA_BITS) - 1n;
/** Implemented physical address bits (ppn covers 49:12). */
export const IA64_IMPL_PA_BITS = 50n;
