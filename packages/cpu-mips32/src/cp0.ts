// MIPS32 PRA constants: exception codes, CP0 register fields, and the identity of the modelled core.
// References: "MIPS32 Architecture For Programmers Volume III: The MIPS32 Privileged Resource
// Architecture" (rev. 2.x), chapter 9, and the MIPS32 24K Processor Core Family Software User's Manual.

/** Cause.ExcCode values (PRA table 9.31). */
export const EXC = {
  Int: 0,
  Mod: 1,
  TLBL: 2,
  TLBS: 3,
  AdEL: 4,
  AdES: 5,
  IBE: 6,
  DBE: 7,
  Sys: 8,
  Bp: 9,
  RI: 10,
  CpU: 11,
  Ov: 12,
  Tr: 13,
  WATCH: 23,
  MCheck: 24,
} as const;

// Status (CP0 12, 0)
export const ST_IE = 1 << 0;
export const ST_EXL = 1 << 1;
export const ST_ERL = 1 << 2;
export const ST_UM = 1 << 4;
export const ST_IM_SHIFT = 8;
export const ST_NMI = 1 << 19;
export const ST_SR = 1 << 20;
export const ST_BEV = 1 << 22;
export const ST_CU0 = 1 << 28;
/** Bits software may change: CU0, BEV, SR, NMI, IM7..0, UM, ERL, EXL, IE (no FPU, no RE, no KSU=01). */
export const STATUS_WRITABLE = 0x1058_ff17;

// Cause (CP0 13, 0)
export const CAUSE_EXC_SHIFT = 2;
export const CAUSE_EXC_MASK = 0x7c;
export const CAUSE_IP_SHIFT = 8;
export const CAUSE_IP_SW = 0x300; // IP1..0
export const CAUSE_IP_MASK = 0xff00;
export const CAUSE_WP = 1 << 22;
export const CAUSE_IV = 1 << 23;
export const CAUSE_DC = 1 << 27;
export const CAUSE_CE_SHIFT = 28;
export const CAUSE_CE_MASK = 3 << 28;
export const CAUSE_TI = 1 << 30;
export const CAUSE_BD = 1 << 31;
/** Bits software may change: IV, DC, IP1..0 (WP is cleared-only; modelled as writable zero). */
export const CAUSE_WRITABLE = CAUSE_IV | CAUSE_DC | CAUSE_IP_SW;

/** Processor identity: MIPS Technologies, 24K family (what QEMU's 24Kc and 24Kf report). */
export const PRID_24K = 0x0001_9300;

/** Config (16, 0): M, BE (set for big-endian), AT=0 (MIPS32), AR=1 (release 2), MT=1 (TLB), K0 = 2 at reset. */
export const CONFIG0_BASE = 0x8000_0000 | (1 << 10) | (1 << 7);
export const CONFIG0_BE = 1 << 15;
/** Config1 without the MMU size field: M, 4-way 256-set 32-byte-line I and D caches, no FPU, no
 * watch registers (WR=0: WatchLo/Hi are storage only), no MIPS16e, no EJTAG, no performance counters. */
export const CONFIG1_BASE =
  0x8000_0000 | (2 << 22) | (4 << 19) | (3 << 16) | (2 << 13) | (4 << 10) | (3 << 7);
/** Config2: M (Config3 follows); no L2/L3. */
export const CONFIG2 = 0x8000_0000;
/** Config3: ULRI (UserLocal and RDHWR $29), VInt (vectored interrupts). No M, no SmartMIPS, no MT. */
export const CONFIG3 = (1 << 13) | (1 << 5);

/** IntCtl reset value: IPTI = 7 (timer on IP7), IPPCI = 7, VS = 0. */
export const INTCTL_RESET = ((7 << 29) | (7 << 26)) >>> 0;
export const INTCTL_VS_MASK = 0x3e0;

/** HWREna bits the core implements: CPUNum, SYNCI_Step, CC, CCRes, UL. */
export const HWRENA_MASK = 0x2000_000f;
/** RDHWR $1: the cache line size SYNCI steps by. */
export const SYNCI_STEP = 32;
/** RDHWR $3: Count advances once every two instructions. */
export const CC_RES = 2;

/** The vector base used while Status.BEV = 1 (the boot ROM). */
export const BEV_BASE = 0xbfc0_0200;
export const RESET_VECTOR = 0xbfc0_0000;
