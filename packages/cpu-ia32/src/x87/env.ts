// The x87 control instructions: control and status word access, FNCLEX/FNINIT, and the
// environment and full-state images (FNSTENV/FLDENV, FNSAVE/FRSTOR) in the four layouts:
// 16- or 32-bit operand size × real/v86 or protected mode.
import type { Cpu } from '../cpu.js';
import { CR0_PE, VM } from '../state.js';
import type { F80 } from './float80.js';
import { C0, C1, C2, C3, type Fpu } from './fpu.js';
import * as M from './memory.js';
import type { X87Handler } from './ops.js';

export const fldcw: X87Handler = (c, f) => {
  f.cw = M.read16(c) | 0x40;
  f.updateSummary();
};
export const fnstcw: X87Handler = (c, f) => M.write16(c, f.cw);
export const fnstswMem: X87Handler = (c, f) => M.write16(c, f.status);
export const fnstswAx: X87Handler = (c, f) => c.setReg16(0, f.status);
export const fnclex: X87Handler = (_c, f) => {
  f.sw &= C0 | C1 | C2 | C3;
};
export const fninit: X87Handler = (_c, f) => f.init();
/** FNENI, FNDISI (8087) and FNSETPM (287): no operation on a 387 and later. */
export const fnopControl: X87Handler = () => {};

const realLayout = (c: Cpu) => (c.cr0 & CR0_PE) === 0 || (c.flags & VM) !== 0;

/** Write the environment at the operand; returns its size (14 or 28 bytes). */
function storeEnv(c: Cpu, f: Fpu): number {
  const wide = c.opsize32;
  const size = wide ? 28 : 14;
  M.checkStore(c, size);
  const fields = [f.cw, f.status, f.tagWord];
  const ip = f.fip >>> 0;
  const dp = f.fdp >>> 0;
  if (realLayout(c)) {
    // Real and v86 layouts hold 20/32-bit linear pointers and the opcode.
    const lip = (ip + (f.fcs << 4)) >>> 0;
    const ldp = (dp + (f.fds << 4)) >>> 0;
    fields.push(lip & 0xffff, ((lip >>> 16) << 12) | f.fop, ldp & 0xffff, (ldp >>> 16) << 12);
  } else if (wide) {
    fields.push(ip, f.fcs | (f.fop << 16), dp, f.fds);
  } else {
    fields.push(ip & 0xffff, f.fcs, dp & 0xffff, f.fds);
  }
  for (let i = 0; i < 7; i++) {
    if (wide) M.write32(c, i < 3 ? fields[i] | 0xffff0000 : fields[i], i * 4);
    else M.write16(c, fields[i], i * 2);
  }
  return size;
}

/** Read an environment image (and, for FRSTOR, the registers after it) before changing anything. */
function loadEnv(c: Cpu, f: Fpu, regsAfter: (size: number) => F80[] | undefined): void {
  const wide = c.opsize32;
  const size = wide ? 28 : 14;
  const v: number[] = [];
  for (let i = 0; i < 7; i++) v.push(wide ? M.read32(c, i * 4) : M.read16(c, i * 2));
  const regs = regsAfter(size);
  f.cw = (v[0] & 0xffff) | 0x40;
  f.tagWord = v[2];
  if (realLayout(c)) {
    f.fip = ((v[4] >>> 12) << 16) | (v[3] & 0xffff);
    f.fcs = 0;
    f.fop = v[4] & 0x7ff;
    f.fdp = ((v[6] >>> 12) << 16) | (v[5] & 0xffff);
    f.fds = 0;
  } else {
    f.fip = v[3];
    f.fcs = v[4] & 0xffff;
    f.fop = wide ? (v[4] >>> 16) & 0x7ff : f.fop;
    f.fdp = v[5];
    f.fds = v[6] & 0xffff;
  }
  const top = (v[1] >> 11) & 7;
  if (regs !== undefined) for (let i = 0; i < 8; i++) f.regs[(top + i) & 7] = regs[i];
  f.status = v[1] & 0xffff;
}

/** FNSTENV: store the environment, then mask all exceptions. */
export const fnstenv: X87Handler = (c, f) => {
  storeEnv(c, f);
  f.cw |= 0x3f;
  f.updateSummary();
};
export const fldenv: X87Handler = (c, f) => loadEnv(c, f, () => undefined);

/** FNSAVE: environment and the eight registers in stack order, then FNINIT. */
export const fnsave: X87Handler = (c, f) => {
  const wide = c.opsize32;
  M.checkStore(c, wide ? 108 : 94);
  const size = storeEnv(c, f);
  for (let i = 0; i < 8; i++) M.writeF80(c, f.st(i), size + i * 10);
  f.init();
};
export const frstor: X87Handler = (c, f) =>
  loadEnv(c, f, (size) => Array.from({ length: 8 }, (_, i) => M.readF80(c, size + i * 10)));
