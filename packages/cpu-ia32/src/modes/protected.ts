// Protected-mode rules: descriptor loads with their privilege and type checks, far
// transfers through code segments, call gates and task gates, interrupt/exception delivery
// through the IDT (including from virtual-8086 mode), IRET, and hardware task switches.
// References: Intel SDM Vol. 2 (JMP, CALL, RET, IRET, INT n, LAR/LSL, LLDT/LTR, VERR) and
// Vol. 3A chapters 5-7 and 20.
import type { Cpu } from '../cpu.js';
import {
  AC,
  CR0_TS,
  CS,
  DS,
  ES,
  ESP,
  FS,
  GP,
  GS,
  ID,
  IF,
  IOPL,
  NP,
  NT,
  R_DB,
  RF,
  RIGHTS_REAL_DATA,
  SS,
  SSV,
  TF,
  TS,
  VIF,
  VIP,
  VM,
  ZF,
} from '../state.js';

// --- descriptor access ---------------------------------------------------------------------

type LinearAccess = (c: Cpu, lin: number, v: number) => number;
const readLin32: LinearAccess = (c, lin) => c.readLin32(lin);
const readLin16: LinearAccess = (c, lin) => c.readLin16(lin);
const writeLin32: LinearAccess = (c, lin, v) => {
  c.writeLin32(lin, v);
  return 0;
};
const writeLin16: LinearAccess = (c, lin, v) => {
  c.writeLin16(lin, v);
  return 0;
};

/**
 * One access to a system structure (GDT, LDT, IDT, TSS): supervisor rights whatever the CPL,
 * and the previous mode restored even when the access faults.
 */
function systemAccess(c: Cpu, access: LinearAccess, lin: number, v: number): number {
  const prev = c.sysAccess;
  c.sysAccess = true;
  try {
    return access(c, lin | 0, v);
  } finally {
    c.sysAccess = prev;
  }
}
const sysRead32 = (c: Cpu, lin: number): number => systemAccess(c, readLin32, lin, 0);
const sysRead16 = (c: Cpu, lin: number): number => systemAccess(c, readLin16, lin, 0);
const sysWrite32 = (c: Cpu, lin: number, v: number): void => void systemAccess(c, writeLin32, lin, v);
const sysWrite16 = (c: Cpu, lin: number, v: number): void => void systemAccess(c, writeLin16, lin, v);

/** A decoded segment or gate descriptor. */
export interface Descriptor {
  lo: number;
  hi: number;
  /** Linear address of the descriptor in its table. */
  addr: number;
  base: number;
  limit: number;
  /** SegmentState rights: access byte | flags nibble << 12. */
  rights: number;
  type: number;
  system: boolean;
  dpl: number;
  present: boolean;
}

function decode(lo: number, hi: number, addr: number): Descriptor {
  let limit = (lo & 0xffff) | (hi & 0xf0000);
  if (hi & 0x800000) limit = ((limit << 12) | 0xfff) >>> 0;
  return {
    lo,
    hi,
    addr,
    base: ((lo >>> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000)) >>> 0,
    limit,
    rights: (hi >>> 8) & 0xf0ff,
    type: (hi >>> 8) & 0xf,
    system: (hi & 0x1000) === 0,
    dpl: (hi >>> 13) & 3,
    present: (hi & 0x8000) !== 0,
  };
}

/**
 * Fetch the descriptor for `sel` from the GDT or LDT, or undefined when the selector is
 * outside the table (callers pick the exception).
 */
export function fetchDescriptor(c: Cpu, sel: number): Descriptor | undefined {
  const index = sel & 0xfff8;
  let base: number;
  let limit: number;
  if (sel & 4) {
    if ((c.ldtr.selector & 0xfffc) === 0 || !(c.ldtr.rights & 0x80)) return undefined;
    base = c.ldtr.base;
    limit = c.ldtr.limit;
  } else {
    base = c.gdtrBase;
    limit = c.gdtrLimit;
  }
  if (index + 7 > limit) return undefined;
  const addr = (base + index) | 0;
  return decode(sysRead32(c, addr), sysRead32(c, addr + 4), addr);
}

function descriptorOrFault(c: Cpu, sel: number, vector = GP): Descriptor {
  const d = fetchDescriptor(c, sel);
  if (d === undefined) c.fault(vector, sel & 0xfffc);
  return d;
}

function setAccessed(c: Cpu, d: Descriptor): void {
  if (!(d.hi & 0x100)) {
    d.hi |= 0x100;
    sysWrite32(c, d.addr + 4, d.hi);
  }
}

const isCode = (d: Descriptor) => !d.system && (d.type & 8) !== 0;
const isConforming = (d: Descriptor) => (d.type & 0xc) === 0xc;
const isWritableData = (d: Descriptor) => !d.system && (d.type & 0xa) === 2;
const isReadable = (d: Descriptor) => !d.system && ((d.type & 8) === 0 || (d.type & 2) !== 0);

function loadCache(c: Cpu, s: number, sel: number, d: Descriptor): void {
  c.setSegmentCache(s, sel, d.base, d.limit, d.rights | 1);
}

// --- segment register loads -----------------------------------------------------------------

/** MOV/POP/LxS to a data or stack segment register in protected mode. */
export function loadSegmentProtected(c: Cpu, s: number, sel: number): void {
  loadDataSegment(c, s, sel, c.cpl, GP);
}

/** Data/stack segment load at privilege `cpl`; `vector` is #GP normally, #TS in task switches. */
function loadDataSegment(c: Cpu, s: number, sel: number, cpl: number, vector: number): void {
  const rpl = sel & 3;
  if ((sel & 0xfffc) === 0) {
    if (s === SS) c.fault(vector, 0);
    c.setSegmentCache(s, sel, 0, 0, 0);
    return;
  }
  const d = descriptorOrFault(c, sel, vector);
  if (s === SS) {
    if (rpl !== cpl || !isWritableData(d) || d.dpl !== cpl) c.fault(vector, sel & 0xfffc);
    if (!d.present) c.fault(vector === TS ? TS : SSV, sel & 0xfffc);
  } else {
    if (!isReadable(d)) c.fault(vector, sel & 0xfffc);
    if ((!isCode(d) || !isConforming(d)) && (rpl > d.dpl || cpl > d.dpl)) c.fault(vector, sel & 0xfffc);
    if (!d.present) c.fault(vector === TS ? TS : NP, sel & 0xfffc);
  }
  setAccessed(c, d);
  loadCache(c, s, sel, d);
}

/**
 * Host-side CS load (Cpu.loadSegment('cs', sel) in protected mode): the selector must name a
 * present code segment; CPL becomes its RPL. Used by loaders that start the CPU mid-flight.
 */
export function loadCodeSegment(c: Cpu, sel: number): void {
  if ((sel & 0xfffc) === 0) c.fault(GP, 0);
  const d = descriptorOrFault(c, sel);
  if (!isCode(d)) c.fault(GP, sel & 0xfffc);
  if (!d.present) c.fault(NP, sel & 0xfffc);
  enterCode(c, sel, d, sel & 3, c.eip);
}

/** Load CS for a transfer to code descriptor `d` at privilege `cpl`. */
function enterCode(c: Cpu, sel: number, d: Descriptor, cpl: number, eip: number): void {
  setAccessed(c, d);
  c.setSegmentCache(CS, (sel & 0xfffc) | cpl, d.base, d.limit, d.rights | 1);
  c.setCpl(cpl);
  c.eip = eip >>> 0;
}

/** After a return to an outer level: null data segments the new CPL may not use. */
function invalidateOuterSegments(c: Cpu): void {
  for (const s of [ES, DS, FS, GS]) {
    const r = c.segRights[s];
    const dpl = (r >> 5) & 3;
    const conformingCode = (r & 0x0c) === 0x0c;
    if ((r & 0x10) !== 0 && !conformingCode && dpl < c.cpl) c.setSegmentCache(s, 0, 0, 0, 0);
  }
}

// --- stacks ---------------------------------------------------------------------------------

/** A stack being built before it is committed (inter-privilege calls, interrupts). */
class NewStack {
  constructor(
    private readonly c: Cpu,
    readonly sel: number,
    private readonly d: { base: number; limit: number; rights: number },
    public esp: number,
  ) {}
  get big(): boolean {
    return (this.d.rights & R_DB) !== 0;
  }
  push(v: number, size: number): void {
    const c = this.c;
    const esp = this.big ? (this.esp - size) >>> 0 : (this.esp - size) & 0xffff;
    const expandDown = (this.d.rights & 0x1c) === 0x14;
    const ok = expandDown
      ? esp > this.d.limit && esp + size - 1 <= (this.big ? 0xffffffff : 0xffff)
      : esp + size - 1 <= this.d.limit;
    if (!ok) c.fault(SSV, this.sel & 0xfffc);
    const lin = (this.d.base + esp) | 0;
    const prev = c.sysAccess;
    c.sysAccess = true;
    try {
      if (size === 4) c.writeLin32(lin, v);
      else c.writeLin16(lin, v);
    } finally {
      c.sysAccess = prev;
    }
    this.esp = esp;
  }
}

/** SS:ESP for privilege level `dpl` from the current TSS. */
function tssStack(c: Cpu, dpl: number): { ss: number; esp: number } {
  const tr = c.tr;
  const is32 = (tr.rights & 8) !== 0;
  const at = is32 ? 4 + dpl * 8 : 2 + dpl * 4;
  if (at + (is32 ? 5 : 3) > tr.limit) c.fault(TS, tr.selector & 0xfffc);
  if (is32) return { esp: sysRead32(c, tr.base + at), ss: sysRead16(c, tr.base + at + 4) };
  return { esp: sysRead16(c, tr.base + at), ss: sysRead16(c, tr.base + at + 2) };
}

/** Validate the inner stack selector taken from the TSS for level `dpl` (#TS / #SS). */
function innerStackDescriptor(c: Cpu, ss: number, dpl: number): Descriptor {
  if ((ss & 0xfffc) === 0) c.fault(TS, 0);
  const d = fetchDescriptor(c, ss);
  if (d === undefined || (ss & 3) !== dpl || d.dpl !== dpl || !isWritableData(d)) c.fault(TS, ss & 0xfffc);
  if (!d.present) c.fault(SSV, ss & 0xfffc);
  return d;
}

// --- far JMP / CALL / RET -------------------------------------------------------------------

export function farJumpProtected(c: Cpu, sel: number, off: number): void {
  if ((sel & 0xfffc) === 0) c.fault(GP, 0);
  const d = descriptorOrFault(c, sel);
  const rpl = sel & 3;
  if (isCode(d)) {
    checkDirectCode(c, sel, d, rpl);
    if (off > d.limit) c.fault(GP, 0);
    enterCode(c, sel, d, c.cpl, off);
    return;
  }
  if (!d.system) c.fault(GP, sel & 0xfffc);
  switch (d.type) {
    case 4:
    case 12: {
      if (d.dpl < c.cpl || d.dpl < rpl) c.fault(GP, sel & 0xfffc);
      if (!d.present) c.fault(NP, sel & 0xfffc);
      const { tsel, toff, td } = gateTarget(c, d);
      if (isConforming(td) ? td.dpl > c.cpl : td.dpl !== c.cpl) c.fault(GP, tsel & 0xfffc);
      if (!td.present) c.fault(NP, tsel & 0xfffc);
      if (toff > td.limit) c.fault(GP, 0);
      enterCode(c, tsel, td, c.cpl, toff);
      return;
    }
    case 5:
    case 1:
    case 9:
      taskGateOrTss(c, sel, d, 'jmp');
      return;
    default:
      c.fault(GP, sel & 0xfffc);
  }
}

/** Privilege rules for a direct far JMP/CALL to a code segment. */
function checkDirectCode(c: Cpu, sel: number, d: Descriptor, rpl: number): void {
  if (isConforming(d)) {
    if (d.dpl > c.cpl) c.fault(GP, sel & 0xfffc);
  } else if (rpl > c.cpl || d.dpl !== c.cpl) c.fault(GP, sel & 0xfffc);
  if (!d.present) c.fault(NP, sel & 0xfffc);
}

/** Target code segment of a call gate. */
function gateTarget(c: Cpu, gate: Descriptor): { tsel: number; toff: number; td: Descriptor } {
  const tsel = gate.lo >>> 16;
  const toff = gate.type === 12 ? ((gate.hi & 0xffff0000) | (gate.lo & 0xffff)) >>> 0 : gate.lo & 0xffff;
  if ((tsel & 0xfffc) === 0) c.fault(GP, 0);
  const td = descriptorOrFault(c, tsel);
  if (!isCode(td) || td.dpl > c.cpl) c.fault(GP, tsel & 0xfffc);
  return { tsel, toff, td };
}

export function farCallProtected(c: Cpu, sel: number, off: number): void {
  if ((sel & 0xfffc) === 0) c.fault(GP, 0);
  const d = descriptorOrFault(c, sel);
  const rpl = sel & 3;
  if (isCode(d)) {
    checkDirectCode(c, sel, d, rpl);
    if (off > d.limit) c.fault(GP, 0);
    c.pushV(c.segSel[CS]);
    c.pushV(c.eip);
    enterCode(c, sel, d, c.cpl, off);
    return;
  }
  if (!d.system) c.fault(GP, sel & 0xfffc);
  if (d.type === 5 || d.type === 1 || d.type === 9) {
    taskGateOrTss(c, sel, d, 'call');
    return;
  }
  if (d.type !== 4 && d.type !== 12) c.fault(GP, sel & 0xfffc);
  if (d.dpl < c.cpl || d.dpl < rpl) c.fault(GP, sel & 0xfffc);
  if (!d.present) c.fault(NP, sel & 0xfffc);
  const { tsel, toff, td } = gateTarget(c, d);
  if (!td.present) c.fault(NP, tsel & 0xfffc);
  const size = d.type === 12 ? 4 : 2;
  if (!isConforming(td) && td.dpl < c.cpl) {
    // Inter-privilege call: switch to the inner stack and copy the parameters.
    const newCpl = td.dpl;
    const { ss, esp } = tssStack(c, newCpl);
    const sd = innerStackDescriptor(c, ss, newCpl);
    const st = new NewStack(c, ss, sd, esp);
    const oldSs = c.segSel[SS];
    const oldEsp = c.regs[ESP];
    const count = d.hi & 0x1f;
    st.push(oldSs, size);
    st.push(oldEsp, size);
    for (let i = count - 1; i >= 0; i--) {
      const at = c.stackOff(i * size);
      st.push(size === 4 ? c.readMem32(SS, at) : c.readMem16(SS, at), size);
    }
    st.push(c.segSel[CS], size);
    st.push(c.eip, size);
    if (toff > td.limit) c.fault(GP, 0);
    setAccessed(c, sd);
    loadCache(c, SS, (ss & 0xfffc) | newCpl, sd);
    c.regs[ESP] = st.big ? st.esp : (esp & ~0xffff) | st.esp;
    enterCode(c, tsel, td, newCpl, toff);
    return;
  }
  if (toff > td.limit) c.fault(GP, 0);
  if (size === 4) {
    c.push32(c.segSel[CS]);
    c.push32(c.eip);
  } else {
    c.push16(c.segSel[CS]);
    c.push16(c.eip);
  }
  enterCode(c, tsel, td, c.cpl, toff);
}

export function farReturnProtected(c: Cpu, extra: number): void {
  const w = c.opsize32 ? 4 : 2;
  const read = (delta: number) =>
    w === 4 ? c.readMem32(SS, c.stackOff(delta)) : c.readMem16(SS, c.stackOff(delta));
  const eip = read(0);
  const sel = read(w) & 0xffff;
  if ((sel & 0xfffc) === 0) c.fault(GP, 0);
  const d = descriptorOrFault(c, sel);
  const rpl = sel & 3;
  if (rpl < c.cpl || !isCode(d)) c.fault(GP, sel & 0xfffc);
  if (isConforming(d) ? d.dpl > rpl : d.dpl !== rpl) c.fault(GP, sel & 0xfffc);
  if (!d.present) c.fault(NP, sel & 0xfffc);
  if (eip > d.limit) c.fault(GP, 0);
  if (rpl === c.cpl) {
    c.adjustSp(2 * w + extra);
    enterCode(c, sel, d, rpl, eip);
    return;
  }
  // Return to an outer level: the outer SS:ESP follow the parameters.
  const esp = read(2 * w + extra);
  const ss = read(3 * w + extra) & 0xffff;
  if ((ss & 0xfffc) === 0) c.fault(GP, 0);
  const sd = descriptorOrFault(c, ss);
  if ((ss & 3) !== rpl || sd.dpl !== rpl || !isWritableData(sd)) c.fault(GP, ss & 0xfffc);
  if (!sd.present) c.fault(SSV, ss & 0xfffc);
  enterCode(c, sel, d, rpl, eip);
  setAccessed(c, sd);
  loadCache(c, SS, ss, sd);
  c.regs[ESP] = (sd.rights & R_DB ? esp + extra : (c.regs[ESP] & ~0xffff) | ((esp + extra) & 0xffff)) | 0;
  invalidateOuterSegments(c);
}

// --- IRET -----------------------------------------------------------------------------------

export function iretProtected(c: Cpu): void {
  if (c.flags & NT) {
    // Return from a nested task: the back link of the current TSS names the previous task.
    const back = sysRead16(c, c.tr.base);
    const d = descriptorOrFault(c, back, TS);
    if (!d.system || (d.type & 7) !== 3) c.fault(TS, back & 0xfffc);
    taskSwitch(c, back, d, 'iret');
    return;
  }
  const w = c.opsize32 ? 4 : 2;
  const read = (delta: number) =>
    w === 4 ? c.readMem32(SS, c.stackOff(delta)) : c.readMem16(SS, c.stackOff(delta));
  const eip = read(0);
  const sel = read(w) & 0xffff;
  const flags = read(2 * w);
  if (w === 4 && flags & VM && c.cpl === 0) {
    returnToV86(c, eip, sel, flags);
    return;
  }
  if ((sel & 0xfffc) === 0) c.fault(GP, 0);
  const d = descriptorOrFault(c, sel);
  const rpl = sel & 3;
  if (rpl < c.cpl || !isCode(d)) c.fault(GP, sel & 0xfffc);
  if (isConforming(d) ? d.dpl > rpl : d.dpl !== rpl) c.fault(GP, sel & 0xfffc);
  if (!d.present) c.fault(NP, sel & 0xfffc);
  if (eip > d.limit) c.fault(GP, 0);
  // Flag bits this privilege level may change (evaluated at the old CPL).
  let mask = 0x7fd5 | (w === 4 ? AC | ID | RF : 0);
  if (c.cpl > 0) mask &= ~IOPL;
  else if (w === 4) mask |= VIF | VIP; // IRETD at CPL 0 loads the virtual flags too
  if (c.cpl > (c.flags & IOPL) >> 12) mask &= ~IF;
  const newFlags = (c.getFlags() & ~mask) | (flags & mask);
  if (rpl === c.cpl) {
    c.adjustSp(3 * w);
    enterCode(c, sel, d, rpl, eip);
    c.setFlags(newFlags);
    return;
  }
  const esp = read(3 * w);
  const ss = read(4 * w) & 0xffff;
  if ((ss & 0xfffc) === 0) c.fault(GP, 0);
  const sd = descriptorOrFault(c, ss);
  if ((ss & 3) !== rpl || sd.dpl !== rpl || !isWritableData(sd)) c.fault(GP, ss & 0xfffc);
  if (!sd.present) c.fault(SSV, ss & 0xfffc);
  enterCode(c, sel, d, rpl, eip);
  c.setFlags(newFlags);
  setAccessed(c, sd);
  loadCache(c, SS, ss, sd);
  c.regs[ESP] = sd.rights & R_DB ? esp : (c.regs[ESP] & ~0xffff) | (esp & 0xffff);
  invalidateOuterSegments(c);
}

/** IRETD at CPL 0 with VM set in the image: enter virtual-8086 mode (SDM IRET, "RETURN-TO-VIRTUAL-8086-MODE"). */
function returnToV86(c: Cpu, eip: number, cs: number, flags: number): void {
  const read = (delta: number) => c.readMem32(SS, c.stackOff(delta));
  const esp = read(12);
  const ss = read(16) & 0xffff;
  const es = read(20) & 0xffff;
  const ds = read(24) & 0xffff;
  const fs = read(28) & 0xffff;
  const gs = read(32) & 0xffff;
  c.setFlags((flags & (0x257fd5 | VIF | VIP)) | VM);
  const v86 = RIGHTS_REAL_DATA | 0x60;
  c.setSegmentCache(CS, cs, cs << 4, 0xffff, v86 | 8);
  c.setSegmentCache(SS, ss, ss << 4, 0xffff, v86);
  c.setSegmentCache(ES, es, es << 4, 0xffff, v86);
  c.setSegmentCache(DS, ds, ds << 4, 0xffff, v86);
  c.setSegmentCache(FS, fs, fs << 4, 0xffff, v86);
  c.setSegmentCache(GS, gs, gs << 4, 0xffff, v86);
  c.regs[ESP] = esp;
  c.eip = eip & 0xffff;
  c.setCpl(3);
}

// --- interrupts and exceptions ----------------------------------------------------------------

/**
 * Deliver vector `vec` through the IDT. `code` >= 0 is pushed as the error code;
 * `software` marks INT n/INT3/INTO (gate DPL is checked against CPL, EXT = 0).
 */
export function deliverProtected(c: Cpu, vec: number, code: number, retEip: number, software: boolean): void {
  const ext = software ? 0 : 1;
  const entry = vec * 8;
  if (entry + 7 > c.idtrLimit) c.fault(GP, entry + 2 + ext);
  const lo = sysRead32(c, c.idtrBase + entry);
  const hi = sysRead32(c, c.idtrBase + entry + 4);
  const gate = decode(lo, hi, (c.idtrBase + entry) | 0);
  const type = gate.type;
  if (!gate.system || (type !== 5 && type !== 6 && type !== 7 && type !== 14 && type !== 15)) {
    c.fault(GP, entry + 2 + ext);
  }
  if (software && gate.dpl < c.cpl) c.fault(GP, entry + 2);
  if (!gate.present) c.fault(NP, entry + 2 + ext);
  if (type === 5) {
    const tss = lo >>> 16;
    const d = descriptorOrFault(c, tss, TS);
    if (tss & 4 || !d.system || (d.type & 7) !== 1) c.fault(TS, tss & 0xfffc);
    c.eip = retEip;
    taskSwitch(c, tss, d, 'call');
    if (code >= 0) {
      if (c.stack32()) c.push32(code);
      else c.push16(code);
    }
    return;
  }
  const tsel = lo >>> 16;
  const toff = type >= 14 ? ((hi & 0xffff0000) | (lo & 0xffff)) >>> 0 : lo & 0xffff;
  if ((tsel & 0xfffc) === 0) c.fault(GP, ext);
  const td = fetchDescriptor(c, tsel);
  if (td === undefined || !isCode(td) || td.dpl > c.cpl) c.fault(GP, (tsel & 0xfffc) + ext);
  if (!td.present) c.fault(NP, (tsel & 0xfffc) + ext);
  const size = type >= 14 ? 4 : 2;
  const fromV86 = (c.flags & VM) !== 0;
  const oldFlags = c.getFlags();
  if (!isConforming(td) && td.dpl < c.cpl) {
    const newCpl = td.dpl;
    if (fromV86 && newCpl !== 0) c.fault(GP, (tsel & 0xfffc) + ext);
    const { ss, esp } = tssStack(c, newCpl);
    const sd = innerStackDescriptor(c, ss, newCpl);
    const st = new NewStack(c, ss, sd, esp);
    if (fromV86) {
      st.push(c.segSel[GS], size);
      st.push(c.segSel[FS], size);
      st.push(c.segSel[DS], size);
      st.push(c.segSel[ES], size);
    }
    st.push(c.segSel[SS], size);
    st.push(c.regs[ESP], size);
    st.push(oldFlags, size);
    st.push(c.segSel[CS], size);
    st.push(retEip, size);
    if (code >= 0) st.push(code, size);
    if (toff > td.limit) c.fault(GP, ext);
    c.setFlags(oldFlags & ~(TF | NT | RF | VM | (type & 1 ? 0 : IF)));
    if (fromV86) for (const s of [GS, FS, DS, ES]) c.setSegmentCache(s, 0, 0, 0, 0);
    setAccessed(c, sd);
    loadCache(c, SS, (ss & 0xfffc) | newCpl, sd);
    c.regs[ESP] = st.big ? st.esp : (esp & ~0xffff) | st.esp;
    enterCode(c, tsel, td, newCpl, toff);
    return;
  }
  if (fromV86) c.fault(GP, (tsel & 0xfffc) + ext);
  if (toff > td.limit) c.fault(GP, ext);
  if (size === 4) {
    c.push32(oldFlags);
    c.push32(c.segSel[CS]);
    c.push32(retEip);
    if (code >= 0) c.push32(code);
  } else {
    c.push16(oldFlags);
    c.push16(c.segSel[CS]);
    c.push16(retEip);
    if (code >= 0) c.push16(code);
  }
  c.setFlags(oldFlags & ~(TF | NT | RF | VM | (type & 1 ? 0 : IF)));
  enterCode(c, tsel, td, c.cpl, toff);
}

// --- task switches --------------------------------------------------------------------------

type TaskSource = 'jmp' | 'call' | 'iret';

/** JMP/CALL to a task gate or directly to a TSS descriptor. */
function taskGateOrTss(c: Cpu, sel: number, d: Descriptor, source: TaskSource): void {
  const rpl = sel & 3;
  if (d.dpl < c.cpl || d.dpl < rpl) c.fault(GP, sel & 0xfffc);
  if (!d.present) c.fault(NP, sel & 0xfffc);
  if (d.type === 5) {
    const tss = d.lo >>> 16;
    const td = descriptorOrFault(c, tss);
    if (tss & 4 || !td.system || (td.type & 7) !== 1) c.fault(GP, tss & 0xfffc);
    if (!td.present) c.fault(NP, tss & 0xfffc);
    taskSwitch(c, tss, td, source);
    return;
  }
  if ((d.type & 7) !== 1) c.fault(GP, sel & 0xfffc);
  taskSwitch(c, sel, d, source);
}

/**
 * Hardware task switch (SDM Vol. 3A §7.3): save the outgoing state into the current TSS,
 * update busy bits and the back link, load TR, CR3, LDTR, registers and segments from the
 * new TSS (segment errors raise #TS in the context of the new task), set CR0.TS.
 */
function taskSwitch(c: Cpu, sel: number, nd: Descriptor, source: TaskSource): void {
  const new32 = (nd.type & 8) !== 0;
  if (nd.limit < (new32 ? 0x67 : 0x2b)) c.fault(TS, sel & 0xfffc);
  const old = c.tr;
  const old32 = (old.rights & 8) !== 0;
  const ob = old.base;
  let flags = c.getFlags();
  if (source === 'iret') flags &= ~NT;
  // Save the outgoing task.
  if (old32) {
    sysWrite32(c, ob + 0x20, c.eip);
    sysWrite32(c, ob + 0x24, flags);
    for (let r = 0; r < 8; r++) sysWrite32(c, ob + 0x28 + r * 4, c.regs[r]);
    for (let s = 0; s < 6; s++) sysWrite16(c, ob + 0x48 + s * 4, c.segSel[s]);
  } else {
    sysWrite16(c, ob + 0x0e, c.eip);
    sysWrite16(c, ob + 0x10, flags);
    for (let r = 0; r < 8; r++) sysWrite16(c, ob + 0x12 + r * 2, c.regs[r]);
    for (let s = 0; s < 4; s++) sysWrite16(c, ob + 0x22 + s * 2, c.segSel[s]);
  }
  if (source !== 'call') {
    // Clear the busy bit of the outgoing task's descriptor.
    const od = fetchDescriptor(c, old.selector);
    if (od !== undefined) sysWrite32(c, od.addr + 4, od.hi & ~0x200);
  }
  const nb = nd.base;
  if (source === 'call') sysWrite16(c, nb, old.selector);
  if (source !== 'iret') sysWrite32(c, nd.addr + 4, nd.hi | 0x200);
  // Read the incoming state.
  let eip: number;
  let nflags: number;
  const regs: number[] = [];
  const sels: number[] = [];
  let ldt: number;
  let cr3 = -1;
  if (new32) {
    cr3 = sysRead32(c, nb + 0x1c);
    eip = sysRead32(c, nb + 0x20);
    nflags = sysRead32(c, nb + 0x24);
    for (let r = 0; r < 8; r++) regs.push(sysRead32(c, nb + 0x28 + r * 4));
    for (let s = 0; s < 6; s++) sels.push(sysRead16(c, nb + 0x48 + s * 4));
    ldt = sysRead16(c, nb + 0x60);
  } else {
    eip = sysRead16(c, nb + 0x0e);
    nflags = sysRead16(c, nb + 0x10) | (c.getFlags() & 0xffff0000);
    for (let r = 0; r < 8; r++) regs.push(sysRead16(c, nb + 0x12 + r * 2) | (c.regs[r] & 0xffff0000));
    for (let s = 0; s < 4; s++) sels.push(sysRead16(c, nb + 0x22 + s * 2));
    sels.push(0, 0);
    ldt = sysRead16(c, nb + 0x2a);
  }
  if (source === 'call') nflags |= NT;
  // Commit: from here on the new task's context is current.
  c.tr = { selector: sel, base: nd.base, limit: nd.limit, rights: (nd.rights | 2) & 0xf0ff };
  c.cr0 |= CR0_TS;
  if (new32 && c.pagingOn) c.setControl(3, cr3);
  c.eip = eip >>> 0;
  for (let r = 0; r < 8; r++) c.regs[r] = regs[r];
  c.setFlags(nflags);
  // Faults from here on (segment checks below) belong to the new task: they must restart it
  // at its own EIP/ESP, not at the instruction that caused the switch.
  c.startEip = c.eip;
  c.startEsp = c.regs[4];
  if (nflags & VM) {
    const v86 = RIGHTS_REAL_DATA | 0x60;
    for (let s = 0; s < 6; s++) c.setSegmentCache(s, sels[s], sels[s] << 4, 0xffff, v86 | (s === CS ? 8 : 0));
    c.setCpl(3);
    loadLdtFor(c, ldt, TS);
    return;
  }
  // Selectors first (so an error leaves them visible), then the descriptor checks.
  for (let s = 0; s < 6; s++) c.segSel[s] = sels[s];
  loadLdtFor(c, ldt, TS);
  const cs = sels[CS];
  if ((cs & 0xfffc) === 0) c.fault(TS, 0);
  const cd = descriptorOrFault(c, cs, TS);
  if (!isCode(cd) || (isConforming(cd) ? cd.dpl > (cs & 3) : cd.dpl !== (cs & 3))) c.fault(TS, cs & 0xfffc);
  if (!cd.present) c.fault(NP, cs & 0xfffc);
  const cpl = cs & 3;
  setAccessed(c, cd);
  c.setSegmentCache(CS, cs, cd.base, cd.limit, cd.rights | 1);
  c.setCpl(cpl);
  loadDataSegment(c, SS, sels[SS], cpl, TS);
  for (const s of [ES, DS, FS, GS]) loadDataSegment(c, s, sels[s], cpl, TS);
  if (c.eip > c.csLimit) c.fault(GP, 0);
}

// --- LDTR / TR and the descriptor-inspection instructions --------------------------------------

function loadLdtFor(c: Cpu, sel: number, vector: number): void {
  if ((sel & 0xfffc) === 0) {
    c.ldtr = { selector: sel, base: 0, limit: 0, rights: 0 };
    return;
  }
  if (sel & 4) c.fault(vector, sel & 0xfffc);
  const d = descriptorOrFault(c, sel, vector);
  if (!d.system || d.type !== 2) c.fault(vector, sel & 0xfffc);
  if (!d.present) c.fault(vector === TS ? TS : NP, sel & 0xfffc);
  c.ldtr = { selector: sel, base: d.base, limit: d.limit, rights: d.rights };
}

/** 0F 00 /2: LLDT. */
export function loadLdt(c: Cpu, sel: number): void {
  loadLdtFor(c, sel, GP);
}

/** 0F 00 /3: LTR (marks the TSS busy). */
export function loadTr(c: Cpu, sel: number): void {
  if ((sel & 0xfffc) === 0) c.fault(GP, 0);
  if (sel & 4) c.fault(GP, sel & 0xfffc);
  const d = descriptorOrFault(c, sel);
  if (!d.system || (d.type !== 1 && d.type !== 9)) c.fault(GP, sel & 0xfffc);
  if (!d.present) c.fault(NP, sel & 0xfffc);
  sysWrite32(c, d.addr + 4, d.hi | 0x200);
  c.tr = { selector: sel, base: d.base, limit: d.limit, rights: d.rights | 2 };
}

/** 0F 00 /4 VERR, /5 VERW: ZF = the segment is readable/writable at CPL and RPL. */
export function verifySegment(c: Cpu, sel: number, write: boolean): void {
  const d = (sel & 0xfffc) === 0 ? undefined : fetchDescriptor(c, sel);
  let ok = false;
  if (d !== undefined && !d.system) {
    const privOk = (isCode(d) && isConforming(d)) || (d.dpl >= c.cpl && d.dpl >= (sel & 3));
    ok = privOk && (write ? isWritableData(d) : isReadable(d));
  }
  c.putFlags(ZF, ok ? ZF : 0);
}

/** 0F 02 LAR / 0F 03 LSL: access rights or limit when the descriptor is visible at CPL/RPL. */
export function accessRightsOp(c: Cpu, sel: number, lsl: boolean): void {
  const d = (sel & 0xfffc) === 0 ? undefined : fetchDescriptor(c, sel);
  let ok = false;
  if (d !== undefined) {
    if (d.system) {
      // LAR accepts TSS, LDT, call and task gates; LSL only TSS and LDT.
      const t = d.type;
      const valid = lsl ? [1, 2, 3, 9, 11] : [1, 2, 3, 4, 5, 9, 11, 12];
      ok = valid.includes(t) && d.dpl >= c.cpl && d.dpl >= (sel & 3);
    } else {
      ok = (isCode(d) && isConforming(d)) || (d.dpl >= c.cpl && d.dpl >= (sel & 3));
    }
  }
  if (!ok || d === undefined) {
    c.putFlags(ZF, 0);
    return;
  }
  c.putFlags(ZF, ZF);
  const v = lsl ? d.limit : d.hi & 0x00f0ff00;
  c.setRegV(c.reg, v);
}
