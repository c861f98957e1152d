// The entry points the opcode table calls: ESC (D8-DF) and WAIT (9B). They apply CR0.EM/TS/MP
// (#NM), deliver a pending unmasked exception (#MF with CR0.NE, else the FERR# line through
// the onFpuError hook), run the row from the x87 table and record FIP/FCS/FOP/FDP/FDS.
import type { Cpu } from '../cpu.js';
import { CR0_EM, CR0_MP, CR0_NE, CR0_TS, CS, MF, NM, UD } from '../state.js';
import { ES } from './fpu.js';
import { MEM, REG } from './table.js';

/**
 * A waiting instruction found an unmasked exception pending. CR0.NE = 1: #MF. CR0.NE = 0 (the
 * PC's IRQ13 wiring): FERR# was raised when the exception occurred; the instruction proceeds,
 * as it does once the IRQ13 handler has asserted IGNNE# (see README, limits).
 */
function pendingError(c: Cpu): void {
  if (c.cr0 & CR0_NE) c.fault(MF);
}

/** D8-DF. */
export function x87Escape(c: Cpu): void {
  if (c.cr0 & (CR0_EM | CR0_TS)) c.fault(NM);
  const esc = c.opByte & 7;
  const r = c.isMem ? MEM[esc * 8 + c.reg] : REG[esc * 64 + (c.modrm & 0x3f)];
  if (r === undefined) c.fault(UD);
  const f = c.fpu;
  if (!r.noWait && f.sw & ES) pendingError(c);
  const before = f.sw & ES;
  f.exc = 0;
  f.up = false;
  r.exec(c, f);
  if (!r.control) {
    f.fip = c.startEip;
    f.fcs = c.segSel[CS];
    f.fop = (esc << 8) | c.modrm;
    if (c.isMem) {
      f.fdp = c.eaOff;
      f.fds = c.segSel[c.eaSeg];
    }
  }
  if ((f.sw & ES) !== 0 && before === 0 && (c.cr0 & CR0_NE) === 0 && c.hooks.onFpuError) {
    c.hooks.onFpuError();
    // The board raised IRQ13: a compiled block stops after this instruction (the run loop then
    // sees the interrupt at the next boundary, as when interpreting).
    c.jitExit = 1;
  }
}

/** 9B: WAIT/FWAIT — #NM when CR0.MP and CR0.TS are both set; then pending exceptions. */
export function fwait(c: Cpu): void {
  if ((c.cr0 & (CR0_MP | CR0_TS)) === (CR0_MP | CR0_TS)) c.fault(NM);
  if (c.fpu.sw & ES) pendingError(c);
}
