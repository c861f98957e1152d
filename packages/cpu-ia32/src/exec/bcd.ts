// Decimal adjust instructions: DAA DAS AAA AAS AAM AAD.
import { type Cpu, LAZY_ADD, LAZY_LOGIC } from '../cpu.js';
import { AF, ARITH, CF, DE, EAX, PF, SF, ZF } from '../state.js';

/** Set SF/ZF/PF from AL and CF/AF explicitly. */
function setBcdFlags(c: Cpu, al: number, cf: number, af: number): void {
  c.setLazy(LAZY_LOGIC, 0, 0, al & 0xff, 8, SF | ZF | PF);
  c.putFlags(CF | AF | 0x800, (cf ? CF : 0) | (af ? AF : 0));
}

/** 27: DAA. */
export function daa(c: Cpu): void {
  const f = c.getFlags();
  const old = c.regs[EAX] & 0xff;
  let al = old;
  let cf = 0;
  let af = 0;
  if ((al & 0x0f) > 9 || f & AF) {
    al += 6;
    cf = f & CF || al > 0xff ? 1 : 0;
    af = 1;
  }
  if (old > 0x99 || f & CF) {
    al += 0x60;
    cf = 1;
  }
  c.setReg8(0, al);
  setBcdFlags(c, al, cf, af);
}

/** 2F: DAS. */
export function das(c: Cpu): void {
  const f = c.getFlags();
  const old = c.regs[EAX] & 0xff;
  let al = old;
  let cf = 0;
  let af = 0;
  if ((al & 0x0f) > 9 || f & AF) {
    al -= 6;
    cf = f & CF || al < 0 ? 1 : 0;
    af = 1;
  }
  if (old > 0x99 || f & CF) {
    al -= 0x60;
    cf = 1;
  }
  c.setReg8(0, al);
  setBcdFlags(c, al, cf, af);
}

/** 37: AAA, 3F: AAS (the 286+ form: the adjustment is applied to AX as a whole). */
export const asciiAdjust = (subtract: boolean) =>
  function asciiAdjust(c: Cpu): void {
    const f = c.getFlags();
    let ax = c.regs[EAX] & 0xffff;
    const adjust = (ax & 0x0f) > 9 || (f & AF) !== 0;
    if (adjust) ax = subtract ? ax - 6 - 0x100 : ax + 0x106;
    ax &= 0xff0f;
    c.setReg16(EAX, ax);
    c.setLazy(LAZY_ADD, 0, 0, ax & 0xff, 8, ARITH);
    c.putFlags(CF | AF, adjust ? CF | AF : 0);
  };

/** D4 ib: AAM (#DE for a zero base). */
export function aam(c: Cpu): void {
  const base = c.imm & 0xff;
  if (base === 0) c.fault(DE);
  const al = c.regs[EAX] & 0xff;
  const res = al % base;
  c.setReg16(EAX, (Math.floor(al / base) << 8) | res);
  c.setLazy(LAZY_LOGIC, 0, 0, res, 8, ARITH);
}

/** D5 ib: AAD. */
export function aad(c: Cpu): void {
  const ax = c.regs[EAX];
  const a = ax & 0xff;
  const b = (((ax >> 8) & 0xff) * (c.imm & 0xff)) & 0xff;
  const res = (a + b) & 0xff;
  c.setReg16(EAX, res);
  c.setLazy(LAZY_ADD, a, b, res, 8, ARITH);
}
