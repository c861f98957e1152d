// Port I/O: IN/OUT and the protection check shared with INS/OUTS.
import type { Cpu } from '../cpu.js';
import { CR0_PE, CR4_DE, EAX, EDX, GP, IOPL, VM } from '../state.js';

/**
 * CR4.DE I/O breakpoints (SDM 3A §17.2.4-17.2.5): a DR0-DR3 enabled in DR7 with R/W = 10b whose
 * LEN-byte range overlaps the ports accessed. The hits (B0-B3) are raised as one #DB trap after the
 * instruction (Cpu.ioBreakHits; a REP INS/OUTS traps at its end).
 */
function noteIoBreakpoints(c: Cpu, port: number, size: number): void {
  const dr7 = c.dr[7];
  for (let n = 0; n < 4; n++) {
    if ((dr7 & (3 << (n * 2))) === 0 || ((dr7 >>> (16 + n * 4)) & 3) !== 2) continue;
    const len = [1, 2, 8, 4][(dr7 >>> (18 + n * 4)) & 3];
    const at = c.dr[n] & 0xffff & ~(len - 1);
    if (port < at + len && at < port + size) c.ioBreakHits |= 1 << n;
  }
}

/**
 * In protected mode with CPL > IOPL, and always in virtual-8086 mode, every port of the
 * access must be allowed by the I/O permission bitmap of the current 32-bit TSS.
 */
export function checkIoPermission(c: Cpu, port: number, size: number): void {
  if (c.watching && c.cr4 & CR4_DE) noteIoBreakpoints(c, port, size);
  if ((c.cr0 & CR0_PE) === 0) return;
  if ((c.flags & VM) === 0 && c.cpl <= (c.flags & IOPL) >> 12) return;
  const tr = c.tr;
  if ((tr.rights & 0x0f) !== 0x09 && (tr.rights & 0x0f) !== 0x0b) c.fault(GP, 0);
  if (tr.limit < 0x67) c.fault(GP, 0);
  c.sysAccess = true;
  try {
    const mapBase = c.readLin16((tr.base + 0x66) | 0);
    const at = mapBase + (port >>> 3);
    if (at + 1 > tr.limit) c.fault(GP, 0);
    const bits = c.readLin16((tr.base + at) | 0);
    if ((bits >>> (port & 7)) & ((1 << size) - 1)) c.fault(GP, 0);
  } finally {
    c.sysAccess = false;
  }
}

/** E4/E5 IN acc, imm8; EC/ED IN acc, DX. */
export function inAcc(c: Cpu): void {
  const op = c.opByte;
  const port = op < 0xe8 ? c.imm & 0xff : c.regs[EDX] & 0xffff;
  const size = (op & 1) === 0 ? 1 : c.opsize32 ? 4 : 2;
  checkIoPermission(c, port, size);
  // A device may write RAM (DMA): compiled code is checked again, unless the bus says it cannot.
  if (c.io.writesRam?.(port, size) !== false) c.jitEpoch++;
  const v = c.io.read(port, size);
  if (size === 1) c.setReg8(0, v);
  else if (size === 2) c.setReg16(EAX, v);
  else c.regs[EAX] = v;
}
/** E6/E7 OUT imm8, acc; EE/EF OUT DX, acc. */
export function outAcc(c: Cpu): void {
  const op = c.opByte;
  const port = op < 0xe8 ? c.imm & 0xff : c.regs[EDX] & 0xffff;
  const size = (op & 1) === 0 ? 1 : c.opsize32 ? 4 : 2;
  checkIoPermission(c, port, size);
  const v = c.regs[EAX];
  if (c.io.writesRam?.(port, size) !== false) c.jitEpoch++;
  c.io.write(port, size, size === 1 ? v & 0xff : size === 2 ? v & 0xffff : v >>> 0);
}
