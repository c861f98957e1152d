// Protected-mode rules (placeholder; filled in below).
import type { Cpu } from '../cpu.js';
import { GP } from '../state.js';

export function loadSegmentProtected(c: Cpu, _s: number, sel: number): void {
  c.fault(GP, sel & 0xfffc);
}
export function deliverProtected(c: Cpu, _vec: number, _code: number, _ret: number, _soft: boolean): void {
  c.fault(GP, 0);
}
export function farJumpProtected(c: Cpu, _sel: number, _off: number): void {
  c.fault(GP, 0);
}
export function farCallProtected(c: Cpu, _sel: number, _off: number): void {
  c.fault(GP, 0);
}
export function farReturnProtected(c: Cpu, _extra: number): void {
  c.fault(GP, 0);
}
export function iretProtected(c: Cpu): void {
  c.fault(GP, 0);
}
export function loadLdt(c: Cpu, _sel: number): void {
  c.fault(GP, 0);
}
export function loadTr(c: Cpu, _sel: number): void {
  c.fault(GP, 0);
}
export function verifySegment(c: Cpu, _sel: number, _write: boolean): void {
  c.fault(GP, 0);
}
export function accessRightsOp(c: Cpu, _sel: number, _lsl: boolean): void {
  c.fault(GP, 0);
}
