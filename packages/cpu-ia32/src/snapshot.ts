// Whole-CPU state as plain data, for snapshots (vm-map persists guest threads) and tests.
import type { SegmentName, SegmentState } from './contract.js';
import type { Cpu, TableRegister } from './cpu.js';
import { CpuError } from './signal.js';

const SEG_NAMES: readonly SegmentName[] = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'];

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
  a20: boolean;
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
    a20: c.a20Mask === -1,
  };
}

/** Restore a state produced by `saveCpuState` (the TLB starts empty). */
export function loadCpuState(c: Cpu, s: CpuState): void {
  if (s.regs.length !== 8 || s.cr.length !== 4 || s.dr.length !== 8) {
    throw new CpuError('loadState: malformed state (regs, cr and dr must have 8, 4 and 8 entries)');
  }
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
  c.setA20(s.a20);
  c.lazyMask = 0;
}
