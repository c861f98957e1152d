// Port I/O: IN/OUT and the protection check shared with INS/OUTS.
import type { Cpu } from '../cpu.js';
import { CR0_PE, EAX, EDX, GP, IOPL, VM } from '../state.js';

/**
 * In protected mode with CPL > IOPL, and always in virtual-8086 mode, every port of the
 * access must be allowed by the I/O permission bitmap of the current 32-bit TSS.
 */
export function checkIoPermission(c: Cpu, port: number, size: number): void {
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
  c.jitEpoch++; // a device may write RAM (DMA): compiled code is checked again
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
  c.jitEpoch++; // a device may write RAM (DMA): compiled code is checked again
  c.io.write(port, size, size === 1 ? v & 0xff : size === 2 ? v & 0xffff : v >>> 0);
}
