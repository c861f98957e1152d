// The JSON-serialisable CPU state (saveState/loadState). Numbers are unsigned 32-bit unless noted.

export const MIPS_STATE_VERSION = 1;

export interface MipsTlbEntryState {
  entryHi: number;
  pageMask: number;
  entryLo0: number;
  entryLo1: number;
}

export interface MipsCpuState {
  version: number;
  bigEndian: boolean;
  /** r0..r31 as signed 32-bit values. */
  gpr: number[];
  hi: number;
  lo: number;
  pc: number;
  nextPc: number;
  delayNext: boolean;
  llbit: boolean;
  waiting: boolean;
  /** Instructions retired (a double). */
  cycles: number;
  /** Count had the value `countBase` when `cycles` was `countEpoch` (it advances every 2 instructions). */
  countBase: number;
  countEpoch: number;
  cp0: {
    status: number;
    /** Cause without IP7..2/TI (those come from `lines` and `timerPending`). */
    cause: number;
    epc: number;
    errorEpc: number;
    ebase: number;
    compare: number;
    intCtl: number;
    hwrEna: number;
    userLocal: number;
    llAddr: number;
    watchLo: number;
    watchHi: number;
    config0: number;
    tagLo: number;
    dataLo: number;
    tagHi: number;
    timerPending: boolean;
    lines: number;
  };
  tlb: {
    index: number;
    random: number;
    wired: number;
    entryHi: number;
    entryLo0: number;
    entryLo1: number;
    pageMask: number;
    context: number;
    badVAddr: number;
    entries: MipsTlbEntryState[];
  };
  /** CP1 of a 24Kf (absent for a 4Kc and in states saved before the FPU existed). */
  fpu?: {
    /** Low and high words of FPR 0..31 (signed or unsigned 32-bit). */
    lo: number[];
    hi: number[];
    fcsr: number;
  };
}
