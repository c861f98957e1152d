// TEST, the bit instructions (BT/BTS/BTR/BTC, BSF/BSR) and SETcc.
import { type Cpu, LAZY_LOGIC } from '../cpu.js';
import { ARITH, CF, ZF } from '../state.js';
import { alu } from './arith.js';

export function testEbGb(c: Cpu): void {
  alu(c, 4, c.rm8(), c.getReg8(c.reg), 8);
}
export function testEvGv(c: Cpu): void {
  alu(c, 4, c.rmv(), c.getRegV(c.reg), c.opsize32 ? 32 : 16);
}
export function testALIb(c: Cpu): void {
  alu(c, 4, c.regs[0] & 0xff, c.imm & 0xff, 8);
}
export function testAXIz(c: Cpu): void {
  alu(c, 4, c.getRegV(0), c.opsize32 ? c.imm >>> 0 : c.imm & 0xffff, c.opsize32 ? 32 : 16);
}

/**
 * BT family core: `kind` 0 BT, 1 BTS, 2 BTR, 3 BTC. A register bit offset may address
 * memory outside the operand (signed, in operand-size units); an immediate is masked.
 */
function bitOp(c: Cpu, kind: number, offset: number, fromImm: boolean): void {
  const size = c.opsize32 ? 32 : 16;
  let bit: number;
  if (!c.isMem) {
    bit = offset & (size - 1);
    const v = c.getRegV(c.rm);
    c.putFlags(CF, (v >>> bit) & 1);
    if (kind !== 0) c.setRegV(c.rm, apply(kind, v, bit));
    return;
  }
  if (fromImm) bit = offset & (size - 1);
  else {
    const signed = size === 32 ? offset | 0 : (offset << 16) >> 16;
    const disp = Math.floor(signed / size) * (size >> 3);
    bit = signed & (size - 1);
    const base = c.eaOff;
    c.eaOff = c.addr32 ? (base + disp) >>> 0 : (base + disp) & 0xffff;
  }
  const v = size === 32 ? c.readMem32(c.eaSeg, c.eaOff) : c.readMem16(c.eaSeg, c.eaOff);
  if (kind !== 0) c.setRmv(apply(kind, v, bit));
  c.putFlags(CF, (v >>> bit) & 1);
}
function apply(kind: number, v: number, bit: number): number {
  const m = 1 << bit;
  return kind === 1 ? v | m : kind === 2 ? v & ~m : v ^ m;
}

/** 0F A3/AB/B3/BB: BT/BTS/BTR/BTC Ev, Gv. */
export const btEvGv = (kind: number) =>
  function btEvGv(c: Cpu): void {
    bitOp(c, kind, c.getRegV(c.reg), false);
  };
/** 0F BA group 8: /4 BT, /5 BTS, /6 BTR, /7 BTC with an immediate bit offset. */
export function grp8(c: Cpu): void {
  if (c.reg < 4) c.fault(6);
  bitOp(c, c.reg - 4, c.imm, true);
}

/** 0F BC / 0F BD: BSF / BSR. */
export const bitScan = (reverse: boolean) =>
  function bitScan(c: Cpu): void {
    const v = c.rmv();
    if (v === 0) {
      c.putFlags(ZF, ZF);
      return;
    }
    const idx = reverse ? 31 - Math.clz32(v) : 31 - Math.clz32(v & -v);
    c.setLazy(LAZY_LOGIC, 0, 0, 1, 8, ARITH & ~CF);
    c.setRegV(c.reg, idx);
  };

/** 0F 90-9F: SETcc Eb. */
export function setcc(c: Cpu): void {
  c.setRm8(c.cond(c.opByte & 15) ? 1 : 0);
}
