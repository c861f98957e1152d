// System registers (Itanium SDM vol. 2 ch. 3): the PSR bits, the control register numbers, the ISR
// fields, and the interruption vector offsets that are not translation faults.

/** PSR bits by name (bit positions). */
export const PSR = {
  be: 1n << 1n,
  up: 1n << 2n,
  ac: 1n << 3n,
  mfl: 1n << 4n,
  mfh: 1n << 5n,
  ic: 1n << 13n,
  i: 1n << 14n,
  pk: 1n << 15n,
  dt: 1n << 17n,
  dfl: 1n << 18n,
  dfh: 1n << 19n,
  sp: 1n << 20n,
  pp: 1n << 21n,
  di: 1n << 22n,
  si: 1n << 23n,
  db: 1n << 24n,
  lp: 1n << 25n,
  tb: 1n << 26n,
  rt: 1n << 27n,
  cpl: 3n << 32n,
  is: 1n << 34n,
  mc: 1n << 35n,
  it: 1n << 36n,
  id: 1n << 37n,
  da: 1n << 38n,
  dd: 1n << 39n,
  ss: 1n << 40n,
  ri: 3n << 41n,
  ed: 1n << 43n,
  bn: 1n << 44n,
  ia: 1n << 45n,
} as const;

/** The user mask (psr.um, bits 5:0 minus reserved bit 0), kept in Ia64Cpu.psrUm. */
export const PSR_UM = 0x3en;
/** Bits that exist (the rest of the 64 are reserved). */
export const PSR_DEFINED = Object.values(PSR).reduce((a, b) => a | b, 0n);
/** PSR bits an interruption keeps (as Ski does); be and pp come from dcr, the rest become 0. */
export const PSR_KEPT_ON_INTERRUPTION =
  PSR.rt | PSR.up | PSR.mfl | PSR.mfh | PSR.pk | PSR.it | PSR.dt | PSR.mc;

/** Control register numbers. */
export const CR = {
  dcr: 0,
  itm: 1,
  iva: 2,
  pta: 8,
  ipsr: 16,
  isr: 17,
  iip: 19,
  ifa: 20,
  itir: 21,
  iipa: 22,
  ifs: 23,
  iim: 24,
  iha: 25,
  lid: 64,
  ivr: 65,
  tpr: 66,
  eoi: 67,
  irr0: 68,
  irr1: 69,
  irr2: 70,
  irr3: 71,
  itv: 72,
  pmv: 73,
  cmcv: 74,
  lrr0: 80,
  lrr1: 81,
} as const;

export const IMPLEMENTED_CR: ReadonlySet<number> = new Set(Object.values(CR));

/** ISR fields. */
export const ISR = {
  x: 1n << 32n,
  w: 1n << 33n,
  r: 1n << 34n,
  na: 1n << 35n,
  sp: 1n << 36n,
  rs: 1n << 37n,
  ir: 1n << 38n,
  ni: 1n << 39n,
  eiShift: 41n,
  ed: 1n << 43n,
} as const;

/** General Exception codes (isr.code 7:4). */
export const GE_ILLEGAL_OPERATION = 0x00n;
export const GE_PRIVILEGED_OPERATION = 0x10n;
export const GE_PRIVILEGED_REGISTER = 0x20n;
export const GE_RESERVED_REGISTER = 0x30n;

/** NaT Consumption codes (isr.code 7:4): a NaT register, a NaTPage reference. */
export const ISR_CODE_NAT_REGISTER = 0x10n;
export const ISR_CODE_NAT_PAGE = 0x20n;

/** Interruption vector offsets (from cr.iva) besides the translation faults (in @phantasm/mmu). */
export const VECTOR = {
  break: 0x2c00,
  externalInterrupt: 0x3000,
  generalException: 0x5400,
  disabledFp: 0x5500,
  natConsumption: 0x5600,
  speculation: 0x5700,
  unalignedReference: 0x5a00,
} as const;

/** Spurious interrupt vector (cr.ivr when nothing is pending). */
export const SPURIOUS_VECTOR = 15;
