// The virtual interrupt flag: CR4.VME (virtual-8086 mode extensions) and CR4.PVI
// (protected-mode virtual interrupts), SDM Vol. 3A §20.3-20.4 and the CLI, STI, PUSHF, POPF,
// INT n and IRET pages of Vol. 2. Where IOPL would make these instructions #GP(0), they work
// on EFLAGS.VIF instead, so a monitor sees only the interrupts it must: STI (or a POPF/IRET
// setting IF) while VIP is set raises #GP(0) for it to deliver the pending interrupt. INT n
// in virtual-8086 mode consults the TSS's interrupt redirection bitmap: a clear bit sends it
// to the 8086 program's own vector table without leaving virtual-8086 mode.
import type { Cpu } from '../cpu.js';
import { CR4_PVI, CR4_VME, CS, GP, IF, IOPL, RF, TF, VIF, VIP, VM } from '../state.js';

/** v86 mode with IOPL < 3 and CR4.VME: CLI, STI, PUSHF, POPF and IRET use VIF. */
export const v86Virtual = (c: Cpu): boolean =>
  (c.flags & VM) !== 0 && (c.flags & IOPL) !== IOPL && (c.cr4 & CR4_VME) !== 0;

/** Protected mode at CPL 3 with IOPL < 3 and CR4.PVI: CLI and STI use VIF. */
export const pmVirtual = (c: Cpu): boolean =>
  (c.flags & VM) === 0 && c.cpl === 3 && (c.flags & IOPL) !== IOPL && (c.cr4 & CR4_PVI) !== 0;

/** CLI (clear = true) or STI under VME/PVI: VIF instead of IF; STI with VIP set is #GP(0). */
export function virtualCliSti(c: Cpu, clear: boolean): void {
  if (clear) c.flags &= ~VIF;
  else {
    if (c.flags & VIP) c.fault(GP, 0);
    c.flags |= VIF;
  }
}

/** The 16-bit FLAGS image PUSHF/INT push under VME: VIF in place of IF, IOPL reading 3. */
export function virtualFlagsImage(c: Cpu): number {
  const f = c.getFlags();
  return ((f & ~IF & 0xffff) | IOPL | (f & VIF ? IF : 0)) & 0xffff;
}

/**
 * POPF/IRET's 16-bit FLAGS image under VME: #GP(0) when it sets TF, or sets IF while VIP is
 * set; otherwise its IF becomes VIF, and IF and IOPL stay.
 */
export function loadVirtualFlags(c: Cpu, image: number): void {
  if (image & TF || (image & IF && c.flags & VIP)) c.fault(GP, 0);
  const f = c.getFlags();
  const keep = IF | IOPL | 0xffff0000;
  const next = (f & keep) | (image & 0xffff & ~keep);
  c.setFlags(image & IF ? next | VIF : next & ~VIF);
}

/**
 * INT n in v86 mode with CR4.VME: true when the redirection bitmap (the 32 bytes below the
 * TSS's I/O map base) has the vector's bit clear — then the 8086 handler was entered here.
 * With the bit set the caller goes on as without VME (#GP(0) below IOPL 3, else the IDT).
 */
export function redirectV86Interrupt(c: Cpu, vector: number, retIp: number): boolean {
  const tr = c.tr;
  if ((tr.rights & 0x0f) !== 0x09 && (tr.rights & 0x0f) !== 0x0b) c.fault(GP, 0);
  if (tr.limit < 0x67) c.fault(GP, 0);
  let bits: number;
  c.sysAccess = true;
  try {
    const at = c.readLin16((tr.base + 0x66) | 0) - 32 + (vector >>> 3);
    if (at > tr.limit) c.fault(GP, 0);
    bits = c.readLin8((tr.base + at) | 0);
  } finally {
    c.sysAccess = false;
  }
  if ((bits >>> (vector & 7)) & 1) return false;
  const hook = c.hooks.onInterrupt;
  if (hook !== undefined) c.hookWillRun();
  if (hook?.call(c.hooks, vector, true)) {
    c.eip = retIp; // the host served it (as Cpu.interrupt)
    return true;
  }
  // The 8086 program's vector table at linear 0 (read at CPL 3, through paging as the program's).
  const ip = c.readLin16(vector * 4);
  const cs = c.readLin16(vector * 4 + 2);
  const iopl3 = (c.flags & IOPL) === IOPL;
  const image = iopl3 ? c.getFlags() & 0xffff : virtualFlagsImage(c);
  c.push16(image);
  c.push16(c.segSel[CS]);
  c.push16(retIp);
  c.loadSeg(CS, cs);
  c.eip = ip;
  c.flags &= ~(TF | RF | (iopl3 ? IF : VIF));
  return true;
}
