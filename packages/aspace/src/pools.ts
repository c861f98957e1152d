// The per-architecture pools of unbacked kernel address space (DESIGN.md §2).

export interface Pool {
  /** First byte of the pool (page aligned). */
  start: number;
  /** First byte after the pool (page aligned). */
  end: number;
}

/** IA-32: 1 GiB - 2 GiB, between the kernel heap and the object space. */
export const IA32_POOL: Pool = { start: 0x4000_0000, end: 0x8000_0000 };

/**
 * MIPS32: kseg2, the TLB-mapped kernel segment, 0xC0000000 - 0xE0000000. We stop at kseg3
 * (0xE0000000 up), which EJTAG debug hardware may claim, so the pool never reaches it.
 */
export const MIPS32_POOL: Pool = { start: 0xc000_0000, end: 0xe000_0000 };

/** IA-64: the same 1 GiB - 2 GiB window as IA-32, in region 0. */
export const IA64_POOL: Pool = { start: 0x4000_0000, end: 0x8000_0000 };

export const POOLS = { ia32: IA32_POOL, mips32: MIPS32_POOL, ia64: IA64_POOL } as const;
export type Arch = keyof typeof POOLS;
