// Whole-CPU state as plain data, for snapshots (vm-map persists guest threads) and tests.
import type { SegmentName, SegmentState } from './contract.js';
import type { Cpu, TableRegister } from './cpu.js';
import { readTsc, writeTsc } from './exec/msr.js';
import { CpuError } from './signal.js';
import { type FpuState, validFpuState } from './x87/fpu.js';

const SEG_NAMES: readonly SegmentName[] = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'];

/** The model-specific registers in a `CpuState` (64-bit values as "0x…" strings). */
export interface MsrState {
  /** The time-stamp counter when the state was saved; it counts on from there after a load. */
  tsc: string;
  sysenterCs: number;
  sysenterEsp: number;
  sysenterEip: number;
  apicBase: number;
  miscEnable: number;
  biosSignId: string;
}

/** Everything `saveState` captures: enough to resume a guest exactly where it stopped. */
export interface CpuState {
  /** EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI (unsigned). */
  regs: number[];
  eip: number;
  eflags: number;
  segments: Record<SegmentName, SegmentState>;
  /** CR0, CR2, CR3, CR4. */
  cr: number[];
  /** DR0-DR7. */
  dr: number[];
  gdtr: TableRegister;
  idtr: TableRegister;
  ldtr: SegmentState;
  tr: SegmentState;
  cpl: number;
  halted: boolean;
  inhibit: boolean;
  /** The NMI latch and NMI blocking (absent in older states: neither). */
  nmiPending?: boolean;
  nmiBlocked?: boolean;
  a20: boolean;
  /**
   * MSRs and the TSC. Always saved; states from releases before the Pentium Pro features lack
   * it and load with the power-on MSR values and a TSC of 0.
   */
  msr?: MsrState;
  /**
   * The x87 FPU. Always saved; states from releases without the x87 lack it and load with
   * the FPU as FNINIT leaves it.
   */
  fpu?: FpuState;
}

const HEX64 = /^0x[0-9a-f]{1,16}$/i;
const hex64 = (v: bigint) => `0x${v.toString(16)}`;
const isU32 = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;

function validMsrState(m: MsrState): boolean {
  return (
    typeof m === 'object' &&
    m !== null &&
    typeof m.tsc === 'string' &&
    HEX64.test(m.tsc) &&
    typeof m.biosSignId === 'string' &&
    HEX64.test(m.biosSignId) &&
    [m.sysenterCs, m.sysenterEsp, m.sysenterEip, m.apicBase].every(isU32) &&
    (m.apicBase & 0xfff) === 0x100 && // BSP; APIC disabled, reserved bits clear
    (m.miscEnable === 0 || m.miscEnable === 1)
  );
}

/** The complete architectural state as plain data (JSON-serialisable). */
export function saveCpuState(c: Cpu): CpuState {
  const segments = {} as Record<SegmentName, SegmentState>;
  for (const name of SEG_NAMES) segments[name] = c.getSegment(name);
  return {
    regs: Array.from(c.regs, (v) => v >>> 0),
    eip: c.eip >>> 0,
    eflags: c.eflags,
    segments,
    cr: [c.cr0 >>> 0, c.cr2 >>> 0, c.cr3 >>> 0, c.cr4 >>> 0],
    dr: Array.from(c.dr, (v) => v >>> 0),
    gdtr: c.gdtr,
    idtr: c.idtr,
    ldtr: { ...c.ldtr },
    tr: { ...c.tr },
    cpl: c.cpl,
    halted: c.halted,
    inhibit: c.inhibit,
    nmiPending: c.nmiPending,
    nmiBlocked: c.nmiBlocked,
    a20: c.a20Mask === -1,
    msr: {
      tsc: hex64(readTsc(c, false)),
      sysenterCs: c.msr.sysenterCs >>> 0,
      sysenterEsp: c.msr.sysenterEsp >>> 0,
      sysenterEip: c.msr.sysenterEip >>> 0,
      apicBase: c.msr.apicBase >>> 0,
      miscEnable: c.msr.miscEnable >>> 0,
      biosSignId: hex64((BigInt(c.msr.biosSignHi >>> 0) << 32n) | BigInt(c.msr.biosSignLo >>> 0)),
    },
    fpu: c.fpu.save(),
  };
}

/** Restore a state produced by `saveCpuState` (the TLB starts empty). */
export function loadCpuState(c: Cpu, s: CpuState): void {
  if (s.regs.length !== 8 || s.cr.length !== 4 || s.dr.length !== 8) {
    throw new CpuError('loadState: malformed state (regs, cr and dr must have 8, 4 and 8 entries)');
  }
  if (s.msr !== undefined && !validMsrState(s.msr)) {
    throw new CpuError('loadState: malformed msr record (64-bit values as 0x strings, the rest 32-bit)');
  }
  if (s.fpu !== undefined && !validFpuState(s.fpu)) {
    throw new CpuError('loadState: malformed fpu record (16-bit words, 8 registers as 20 hex digits)');
  }
  if (s.fpu === undefined) c.fpu.init();
  else c.fpu.load(s.fpu);
  c.setFlags(s.eflags);
  c.setControl(4, s.cr[3]);
  c.setControl(3, s.cr[2]);
  c.setControl(0, s.cr[0]);
  c.cr2 = s.cr[1] | 0;
  for (let i = 0; i < 8; i++) {
    c.regs[i] = s.regs[i];
    c.dr[i] = s.dr[i];
  }
  c.updateWatching();
  c.gdtr = s.gdtr;
  c.idtr = s.idtr;
  c.ldtr = { ...s.ldtr };
  c.tr = { ...s.tr };
  for (const name of SEG_NAMES) {
    const seg = s.segments[name];
    c.setSegmentCache(SEG_NAMES.indexOf(name), seg.selector, seg.base, seg.limit, seg.rights);
  }
  c.setCpl(s.cpl);
  c.eip = s.eip;
  c.halted = s.halted;
  c.inhibit = s.inhibit;
  c.nmiPending = s.nmiPending === true;
  c.nmiBlocked = s.nmiBlocked === true;
  c.setA20(s.a20);
  c.lazyMask = 0;
  const m = s.msr;
  c.msr.reset();
  if (m === undefined) {
    writeTsc(c, 0n, false);
    return;
  }
  writeTsc(c, BigInt(m.tsc), false);
  c.msr.sysenterCs = m.sysenterCs;
  c.msr.sysenterEsp = m.sysenterEsp;
  c.msr.sysenterEip = m.sysenterEip;
  c.msr.apicBase = m.apicBase;
  c.msr.miscEnable = m.miscEnable;
  const sign = BigInt(m.biosSignId);
  c.msr.biosSignLo = Number(sign & 0xffffffffn);
  c.msr.biosSignHi = Number(sign >> 32n);
}
