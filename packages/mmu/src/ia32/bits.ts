// IA-32 32-bit paging constants (Intel SDM Vol. 3A §4.3, Tables 4-4 to 4-6; §4.7 for #PF codes).

/** Page-directory / page-table entry bits. */
export const PTE_P = 0x001;
export const PTE_RW = 0x002;
export const PTE_US = 0x004;
export const PTE_PWT = 0x008;
export const PTE_PCD = 0x010;
export const PTE_A = 0x020;
export const PTE_D = 0x040;
/** In a PDE: page size (with CR4.PSE, maps a 4 MiB page). In a 4 KiB PTE the same bit is PAT. */
export const PDE_PS = 0x080;
export const PTE_PAT = 0x080;
/** Global (with CR4.PGE); only in entries that map a page. */
export const PTE_G = 0x100;
/** 4 MiB PDE: PAT is bit 12; bits 21:13 are reserved with MAXPHYADDR = 32 (no PSE-36 here). */
export const PDE_LARGE_PAT = 0x1000;
export const PDE_LARGE_RESERVED = 0x003f_e000;
export const PTE_FRAME = 0xffff_f000;
export const PDE_LARGE_FRAME = 0xffc0_0000;

/** #PF error code bits (SDM §4.7). */
export const PF_P = 0x01;
export const PF_W = 0x02;
export const PF_U = 0x04;
export const PF_RSVD = 0x08;
/** Instruction fetch: only with SMEP or PAE+NXE, neither of which this model has, so never set. */
export const PF_ID = 0x10;

export const CR0_PE = 0x0000_0001;
export const CR0_WP = 0x0001_0000;
export const CR0_PG = 0x8000_0000;
export const CR3_PWT = 0x08;
export const CR3_PCD = 0x10;
export const CR4_PSE = 0x10;
export const CR4_PAE = 0x20;
export const CR4_PGE = 0x80;

export const PAGE_SIZE = 4096;
export const LARGE_PAGE_SIZE = 0x40_0000;
