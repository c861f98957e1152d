// The x87 opcode map below the one-byte table: per ESC opcode (D8-DF), eight rows for memory
// operands (by ModRM.reg) and 64 for register forms (by ModRM & 3Fh). A missing row is #UD.
// `control` rows are the non-arithmetic instructions that do not update FIP/FDP/FOP;
// `noWait` rows (FNINIT, FNCLEX, FNSTENV, FNSAVE, FNSTSW, FNSTCW) ignore pending exceptions.
import * as E from './env.js';
import type { X87Handler } from './ops.js';
import * as O from './ops.js';

export interface X87Row {
  name: string;
  exec: X87Handler;
  control?: boolean;
  noWait?: boolean;
}

const row = (name: string, exec: X87Handler, extra: Partial<X87Row> = {}): X87Row => ({
  name,
  exec,
  ...extra,
});
const ARITH = ['fadd', 'fmul', 'fcom', 'fcomp', 'fsub', 'fsubr', 'fdiv', 'fdivr'];

/** MEM[esc * 8 + reg] (esc = opcode - D8h). */
export const MEM: (X87Row | undefined)[] = new Array(64).fill(undefined);
/** REG[esc * 64 + (modrm & 3Fh)]. */
export const REG: (X87Row | undefined)[] = new Array(512).fill(undefined);

for (const esc of [0, 2, 4, 6]) {
  const kind = ['m32real', '', 'm32int', '', 'm64real', '', 'm16int'][esc];
  for (let r = 0; r < 8; r++)
    MEM[esc * 8 + r] = row(`${esc & 2 ? 'fi' : 'f'}${ARITH[r].slice(1)} ${kind}`, O.memArith);
}
const mem = (esc: number, reg: number, r: X87Row) => {
  MEM[esc * 8 + reg] = r;
};
mem(1, 0, row('fld m32real', O.fldM32));
mem(1, 2, row('fst m32real', O.fstM32));
mem(1, 3, row('fstp m32real', O.fstM32));
mem(1, 4, row('fldenv', E.fldenv, { control: true }));
mem(1, 5, row('fldcw', E.fldcw, { control: true }));
mem(1, 6, row('fnstenv', E.fnstenv, { control: true, noWait: true }));
mem(1, 7, row('fnstcw', E.fnstcw, { control: true, noWait: true }));
mem(3, 0, row('fild m32int', O.fildM32));
mem(3, 2, row('fist m32int', O.fistM(32, false)));
mem(3, 3, row('fistp m32int', O.fistM(32, false)));
mem(3, 5, row('fld m80real', O.fldM80));
mem(3, 7, row('fstp m80real', O.fstpM80));
mem(5, 0, row('fld m64real', O.fldM64));
mem(5, 2, row('fst m64real', O.fstM64));
mem(5, 3, row('fstp m64real', O.fstM64));
mem(5, 4, row('frstor', E.frstor, { control: true }));
mem(5, 6, row('fnsave', E.fnsave, { control: true, noWait: true }));
mem(5, 7, row('fnstsw m16', E.fnstswMem, { control: true, noWait: true }));
mem(7, 0, row('fild m16int', O.fildM16));
mem(7, 2, row('fist m16int', O.fistM(16, false)));
mem(7, 3, row('fistp m16int', O.fistM(16, false)));
mem(7, 4, row('fbld m80bcd', O.fbld));
mem(7, 5, row('fild m64int', O.fildM64));
mem(7, 6, row('fbstp m80bcd', O.fbstp));
mem(7, 7, row('fistp m64int', O.fistM(64, true)));

/** Eight register forms xx+0..7 sharing a row. */
const regs8 = (esc: number, first: number, r: X87Row) => {
  for (let i = 0; i < 8; i++) REG[esc * 64 + (first & 0x3f) + i] = r;
};
const reg1 = (esc: number, code: number, r: X87Row) => {
  REG[esc * 64 + (code & 0x3f)] = r;
};
for (let r = 0; r < 8; r++) {
  regs8(0, 0xc0 + r * 8, row(`${ARITH[r]} st,st(i)`, O.regArithSt0));
  regs8(4, 0xc0 + r * 8, row(`${ARITH[r]} st(i),st`, O.regArithSti));
  if (r !== 3) regs8(6, 0xc0 + r * 8, row(`${ARITH[r]}p st(i),st`, O.regArithSti));
}
// DC D0-DF and DE D0-D7 are the FCOM/FCOMP aliases (undocumented, present on all x87s).
reg1(6, 0xd9, row('fcompp', O.fcompp));
regs8(1, 0xc0, row('fld st(i)', O.fldSti));
regs8(1, 0xc8, row('fxch st(i)', O.fxch));
reg1(1, 0xd0, row('fnop', O.fnop));
regs8(1, 0xd8, row('fstp1 st(i) (alias)', O.fstSti(true)));
reg1(1, 0xe0, row('fchs', O.fchs));
reg1(1, 0xe1, row('fabs', O.fabs));
reg1(1, 0xe4, row('ftst', O.ftst));
reg1(1, 0xe5, row('fxam', O.fxam));
['fld1', 'fldl2t', 'fldl2e', 'fldpi', 'fldlg2', 'fldln2', 'fldz'].forEach((name, k) => {
  reg1(1, 0xe8 + k, row(name, O.fldConst));
});
const D9F0: [string, X87Handler][] = [
  ['f2xm1', O.f2xm1Op],
  ['fyl2x', O.fyl2x],
  ['fptan', O.fptan],
  ['fpatan', O.fpatan],
  ['fxtract', O.fxtract],
  ['fprem1', O.fprem(true)],
  ['fdecstp', O.fdecstp],
  ['fincstp', O.fincstp],
  ['fprem', O.fprem(false)],
  ['fyl2xp1', O.fyl2xp1],
  ['fsqrt', O.fsqrt],
  ['fsincos', O.fsincos],
  ['frndint', O.frndint],
  ['fscale', O.fscale],
  ['fsin', O.fsinCos('sin')],
  ['fcos', O.fsinCos('cos')],
];
D9F0.forEach(([name, exec], k) => {
  reg1(1, 0xf0 + k, row(name, exec));
});
['fcmovb', 'fcmove', 'fcmovbe', 'fcmovu'].forEach((name, k) => {
  regs8(2, 0xc0 + k * 8, row(name, O.fcmov));
  regs8(3, 0xc0 + k * 8, row(name.replace('fcmov', 'fcmovn'), O.fcmov));
});
reg1(2, 0xe9, row('fucompp', O.fucompp));
reg1(3, 0xe0, row('fneni', E.fnopControl, { control: true, noWait: true }));
reg1(3, 0xe1, row('fndisi', E.fnopControl, { control: true, noWait: true }));
reg1(3, 0xe2, row('fnclex', E.fnclex, { control: true, noWait: true }));
reg1(3, 0xe3, row('fninit', E.fninit, { control: true, noWait: true }));
reg1(3, 0xe4, row('fnsetpm', E.fnopControl, { control: true, noWait: true }));
regs8(3, 0xe8, row('fucomi', O.fucomi));
regs8(3, 0xf0, row('fcomi', O.fcomi));
regs8(5, 0xc0, row('ffree', O.ffree(false)));
regs8(5, 0xc8, row('fxch4 (alias)', O.fxch));
regs8(5, 0xd0, row('fst st(i)', O.fstSti(false)));
regs8(5, 0xd8, row('fstp st(i)', O.fstSti(true)));
regs8(5, 0xe0, row('fucom st(i)', O.fucom));
regs8(5, 0xe8, row('fucomp st(i)', O.fucom));
regs8(7, 0xc0, row('ffreep st(i)', O.ffree(true)));
regs8(7, 0xc8, row('fxch7 (alias)', O.fxch));
regs8(7, 0xd0, row('fstp8 (alias)', O.fstSti(true)));
regs8(7, 0xd8, row('fstp9 (alias)', O.fstSti(true)));
reg1(7, 0xe0, row('fnstsw ax', E.fnstswAx, { control: true, noWait: true }));
regs8(7, 0xe8, row('fucomip', O.fucomi));
regs8(7, 0xf0, row('fcomip', O.fcomi));
