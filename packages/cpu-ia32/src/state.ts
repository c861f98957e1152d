// Architectural constants shared by the core and the instruction handlers.

export const ES = 0;
export const CS = 1;
export const SS = 2;
export const DS = 3;
export const FS = 4;
export const GS = 5;

export const EAX = 0;
export const ECX = 1;
export const EDX = 2;
export const EBX = 3;
export const ESP = 4;
export const EBP = 5;
export const ESI = 6;
export const EDI = 7;

// EFLAGS bits.
export const CF = 0x1;
export const PF = 0x4;
export const AF = 0x10;
export const ZF = 0x40;
export const SF = 0x80;
export const TF = 0x100;
export const IF = 0x200;
export const DF = 0x400;
export const OF = 0x800;
export const IOPL = 0x3000;
export const NT = 0x4000;
export const RF = 0x10000;
export const VM = 0x20000;
export const AC = 0x40000;
export const ID = 0x200000;
/** Virtual interrupt flag and virtual interrupt pending (CR4.VME / CR4.PVI). */
export const VIF = 0x80000;
export const VIP = 0x100000;
/** The EFLAGS bits by name, for monitors and kernels that build or inspect flag images. */
export const EFLAGS = { CF, PF, AF, ZF, SF, TF, IF, DF, OF, IOPL, NT, RF, VM, AC, ID } as const;
/** The six arithmetic flags that the lazy-flag machinery computes. */
export const ARITH = CF | PF | AF | ZF | SF | OF;
/** The flags each condition code (the low nibble of Jcc/SETcc/CMOVcc) reads. */
export const CONDITION_FLAGS = [
  OF,
  OF,
  CF,
  CF,
  ZF,
  ZF,
  CF | ZF,
  CF | ZF,
  SF,
  SF,
  PF,
  PF,
  SF | OF,
  SF | OF,
  ZF | SF | OF,
  ZF | SF | OF,
];
/** Bits a 486 lets software change through POPF/IRET at CPL 0 (others are fixed). */
export const FLAGS_WRITABLE = ARITH | TF | IF | DF | IOPL | NT | RF | VM | AC | ID;

// CR0 bits.
export const CR0_PE = 0x1;
export const CR0_MP = 0x2;
export const CR0_EM = 0x4;
export const CR0_TS = 0x8;
export const CR0_ET = 0x10;
export const CR0_NE = 0x20;
export const CR0_WP = 0x10000;
export const CR0_AM = 0x40000;
export const CR0_NW = 0x20000000;
export const CR0_CD = 0x40000000;
export const CR0_PG = 0x80000000;

export const CR4_VME = 0x1;
export const CR4_PVI = 0x2;
export const CR4_TSD = 0x4;
export const CR4_DE = 0x8;
export const CR4_PSE = 0x10;
export const CR4_PAE = 0x20;
export const CR4_PGE = 0x80;
/**
 * The CR4 bits this processor implements (MOV CR4 with any other bit set is #GP(0)): TSD
 * (RDTSC at CPL 0 only), DE (DR4/DR5 #UD), PSE (4 MiB pages), PGE (global pages). No VME/PVI.
 */
export const CR4_IMPLEMENTED = CR4_VME | CR4_PVI | CR4_TSD | CR4_DE | CR4_PSE | CR4_PAE | CR4_PGE;

// Exception vectors.
export const DE = 0;
export const DB = 1;
export const NMI = 2;
export const BP = 3;
export const OFV = 4;
export const BR = 5;
export const UD = 6;
export const NM = 7;
export const DFV = 8;
export const TS = 10;
export const NP = 11;
export const SSV = 12;
export const GP = 13;
export const PFV = 14;
export const MF = 16;

/** Descriptor access rights (rights word as in SegmentState: access byte | flags << 8). */
export const R_ACCESSED = 0x01;
export const R_RW = 0x02; // writable (data) / readable (code)
export const R_DC = 0x04; // expand-down (data) / conforming (code)
export const R_CODE = 0x08;
export const R_S = 0x10;
export const R_P = 0x80;
export const R_DB = 0x4000;
export const R_G = 0x8000;

/** Hidden rights a real-mode or v86 load gives a data segment: present, writable, accessed. */
export const RIGHTS_REAL_DATA = R_P | R_S | R_RW | R_ACCESSED;
