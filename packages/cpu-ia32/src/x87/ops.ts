// The x87 value instructions: arithmetic, compares, loads and stores, stack manipulation,
// the value functions and the transcendentals. Each reads its operands (memory first, so a
// fault leaves the FPU untouched), computes into f.exc / f.up, then commits: an unmasked IE,
// DE or ZE suppresses the result (and any pop); otherwise the result is stored, C1 is set
// from the rounding and the flags are merged.
import type { Cpu } from '../cpu.js';
import { AF, CF, SF as EF_SF, OF, PF, ZF } from '../state.js';
import { arith, compare, pcFormat, sqrt } from './arith.js';
import {
  DOUBLE,
  loadBcd,
  loadDouble,
  loadInt,
  loadSingle,
  SINGLE,
  storeBcd,
  storeInt,
  storeReal,
} from './convert.js';
import { classify, type F80, K_QNAN, zero } from './float80.js';
import { C0, C1, C2, C3, DE, type Fpu, IE, indefinite } from './fpu.js';
import * as M from './memory.js';
import { prem, rndint, scale, xtract } from './misc.js';
import { atan2, f2xm1, loadConstant, ONE, outOfTrigRange, sinCos, tan, yl2x, yl2xp1 } from './transcend.js';

export type X87Handler = (c: Cpu, f: Fpu) => void;

/** Merge the instruction's flags; C1 from rounding unless a stack fault decided it. */
function commit(f: Fpu): void {
  f.setCc(C1, f.up ? C1 : 0);
  f.raise(f.exc);
}

// --- memory operand readers by ESC opcode (D8 m32real, DA m32int, DC m64real, DE m16int) -----
type Reader = (c: Cpu, f: Fpu) => F80;
const MEM_SOURCE: Reader[] = [
  (c, f) => loadSingle(f, M.read32(c), true),
  () => zero(0),
  (c) => loadInt(BigInt(M.read32(c) | 0)),
  () => zero(0),
  (c, f) => loadDouble(f, M.read32(c), M.read32(c, 4), true),
  () => zero(0),
  (c) => loadInt(BigInt((M.read16(c) << 16) >> 16)),
  () => zero(0),
];

/**
 * One of the eight arithmetic operations (reg field: add, mul, com, comp, sub, subr, div, divr)
 * on x = ST(0) and y, the result to ST(dest); `pop` after.
 */
function arithmetic(f: Fpu, reg: number, y: F80 | undefined, dest: number, pop: boolean): void {
  if (y === undefined || f.isEmpty(0)) {
    if (f.stackUnderflow()) {
      f.setSt(dest, indefinite());
      if (pop) f.pop();
    }
    return;
  }
  const x = f.st(0);
  const fmt = pcFormat(f);
  let r: F80;
  switch (reg) {
    case 0:
      r = arith(f, 0, x, y, fmt);
      break;
    case 1:
      r = arith(f, 1, x, y, fmt);
      break;
    case 4:
      r = arith(f, 4, x, y, fmt);
      break;
    case 5:
      r = arith(f, 4, y, x, fmt);
      break;
    case 6:
      r = arith(f, 6, x, y, fmt);
      break;
    default:
      r = arith(f, 6, y, x, fmt);
      break;
  }
  if (f.suppresses(f.exc)) {
    f.suppress();
    return;
  }
  f.setSt(dest, r);
  commit(f);
  if (pop) f.pop();
}

const CC_OF = [0, C0, C3, C3 | C2 | C0];

/** Compare ST(0) with y; `pops` registers popped after. `quiet` for FUCOM*. */
function compareOp(f: Fpu, y: F80 | undefined, pops: number, quiet: boolean): void {
  if (y === undefined || f.isEmpty(0)) {
    f.setCc(C0 | C1 | C2 | C3, C0 | C2 | C3);
    if (f.stackUnderflow()) for (let i = 0; i < pops; i++) f.pop();
    return;
  }
  const r = compare(f, f.st(0), y, quiet);
  if (f.suppresses(f.exc)) {
    // Unmasked IE: "unordered"; unmasked DE: the comparison's result (measured); no pop.
    f.setCc(C0 | C2 | C3, f.exc & IE ? C0 | C2 | C3 : CC_OF[r]);
    f.suppress();
    return;
  }
  f.setCc(C0 | C1 | C2 | C3, CC_OF[r]);
  f.raise(f.exc);
  for (let i = 0; i < pops; i++) f.pop();
}

/** FCOMI/FUCOMI(P): the result in ZF, PF, CF (OF, SF, AF cleared). */
function compareEflags(c: Cpu, f: Fpu, quiet: boolean, pop: boolean): void {
  const i = c.rm;
  // EFLAGS take the result even when an unmasked exception suppresses the pop (as measured).
  let r = 3;
  let complete = true;
  if (f.isEmpty(0) || f.isEmpty(i)) complete = f.stackUnderflow();
  else {
    r = compare(f, f.st(0), f.st(i), quiet);
    complete = !f.suppresses(f.exc);
    f.raise(f.exc); // C1 unchanged (measured)
  }
  c.putFlags(CF | PF | AF | ZF | EF_SF | OF, [0, CF, ZF, ZF | PF | CF][r]);
  if (pop && complete) f.pop();
}

/** D8/DC/DA/DE with a memory operand. */
export const memArith: X87Handler = (c, f) => {
  const y = MEM_SOURCE[c.opByte & 7](c, f);
  const reg = c.reg;
  if (reg === 2 || reg === 3) compareOp(f, y, reg - 2, false);
  else arithmetic(f, reg, y, 0, false);
};

/** D8 register forms: ST(0) = ST(0) op ST(i), FCOM/FCOMP ST(i). */
export const regArithSt0: X87Handler = (c, f) => {
  const i = c.rm;
  const y = f.isEmpty(i) ? undefined : f.st(i);
  const reg = c.reg;
  if (reg === 2 || reg === 3) compareOp(f, y, reg - 2, false);
  else arithmetic(f, reg, y, 0, false);
};

/** DC / DE register forms: ST(i) = ST(0) op ST(i) (reversed sense), DE pops. */
export const regArithSti: X87Handler = (c, f) => {
  const i = c.rm;
  const y = f.isEmpty(i) ? undefined : f.st(i);
  const reg = c.reg;
  const pop = (c.opByte & 7) === 6;
  if (reg === 2 || reg === 3) compareOp(f, y, pop ? 1 : reg - 2, false);
  else arithmetic(f, reg, y, i, pop);
};

export const fcompp: X87Handler = (_c, f) => compareOp(f, f.isEmpty(1) ? undefined : f.st(1), 2, false);
export const fucompp: X87Handler = (_c, f) => compareOp(f, f.isEmpty(1) ? undefined : f.st(1), 2, true);
/** DD E0/E8: FUCOM / FUCOMP ST(i). */
export const fucom: X87Handler = (c, f) =>
  compareOp(f, f.isEmpty(c.rm) ? undefined : f.st(c.rm), c.reg - 4, true);
export const ftst: X87Handler = (_c, f) => compareOp(f, zero(0), 0, false);
export const fucomi: X87Handler = (c, f) => compareEflags(c, f, true, (c.opByte & 7) === 7);
export const fcomi: X87Handler = (c, f) => compareEflags(c, f, false, (c.opByte & 7) === 7);

// --- loads and stores -------------------------------------------------------------------------

/** Push a value read or made by `get` (stack overflow if ST(7) is in use). */
function pushValue(f: Fpu, get: () => F80): void {
  if (!f.isEmpty(7)) {
    if (f.stackOverflow()) f.push(indefinite());
    return;
  }
  const v = get();
  // An unmasked DE does not stop a load (measured); an unmasked IE (SNaN source) does.
  if (f.suppresses(f.exc & ~DE)) {
    f.suppress();
    return;
  }
  f.push(v);
  f.setCc(C1, 0);
  f.raise(f.exc);
}

export const fldM32: X87Handler = (c, f) => {
  const bits = M.read32(c);
  pushValue(f, () => loadSingle(f, bits));
};
export const fldM64: X87Handler = (c, f) => {
  const lo = M.read32(c);
  const hi = M.read32(c, 4);
  pushValue(f, () => loadDouble(f, lo, hi));
};
export const fldM80: X87Handler = (c, f) => {
  const v = M.readF80(c);
  pushValue(f, () => v);
};
export const fildM16: X87Handler = (c, f) => {
  const v = (M.read16(c) << 16) >> 16;
  pushValue(f, () => loadInt(BigInt(v)));
};
export const fildM32: X87Handler = (c, f) => {
  const v = M.read32(c) | 0;
  pushValue(f, () => loadInt(BigInt(v)));
};
export const fildM64: X87Handler = (c, f) => {
  const v = BigInt.asIntN(64, M.read64(c));
  pushValue(f, () => loadInt(v));
};
export const fbld: X87Handler = (c, f) => {
  const bytes = M.readBytes(c, 10);
  pushValue(f, () => loadBcd(bytes));
};
/** D9 C0+i: FLD ST(i). */
export const fldSti: X87Handler = (c, f) => {
  const i = c.rm;
  if (f.isEmpty(i)) {
    // An empty source is an underflow (C1 = 0) even when ST(7) is in use too (measured).
    if (f.stackUnderflow()) f.push(indefinite());
    return;
  }
  const v = f.st(i);
  pushValue(f, () => v);
};

/** D9 E8-EE: FLD1, FLDL2T, FLDL2E, FLDPI, FLDLG2, FLDLN2, FLDZ. */
export const fldConst: X87Handler = (c, f) => {
  const k = c.rm;
  pushValue(f, () => (k === 0 ? { ...ONE } : k === 6 ? zero(0) : loadConstant(k - 1, f.rounding)));
};

/**
 * A store of ST(0) through `write` (which returns false when an unmasked exception suppressed
 * it); `pop` after. An empty ST(0) stores the format's indefinite when IE is masked.
 */
function storeOp(f: Fpu, pop: boolean, write: (x: F80 | undefined) => boolean): void {
  if (f.isEmpty(0)) {
    if (f.stackUnderflow()) {
      write(undefined);
      if (pop) f.pop();
    }
    return;
  }
  if (!write(f.st(0))) {
    f.suppress();
    return;
  }
  commit(f);
  if (pop) f.pop();
}

const INDEF_SINGLE = 0xffc00000;
const INDEF_DOUBLE = 0xfff8000000000000n;

export const fstM32: X87Handler = (c, f) =>
  storeOp(f, c.reg === 3, (x) => {
    const v = x === undefined ? INDEF_SINGLE : storeReal(f, x, SINGLE);
    if (v === undefined) return false;
    M.write32(c, Number(v));
    return true;
  });
export const fstM64: X87Handler = (c, f) =>
  storeOp(f, c.reg === 3, (x) => {
    const v = x === undefined ? INDEF_DOUBLE : storeReal(f, x, DOUBLE);
    if (v === undefined) return false;
    M.write64(c, v);
    return true;
  });
export const fstpM80: X87Handler = (c, f) =>
  storeOp(f, true, (x) => {
    M.checkStore(c, 10);
    M.writeF80(c, x ?? indefinite());
    return true;
  });
/** FIST/FISTP m16/m32/m64 (`bits`). */
export const fistM =
  (bits: number, alwaysPop: boolean): X87Handler =>
  (c, f) =>
    storeOp(f, alwaysPop || c.reg === 3, (x) => {
      const v = x === undefined ? -(1n << BigInt(bits - 1)) : storeInt(f, x, bits);
      if (v === undefined) return false;
      if (bits === 16) M.write16(c, Number(v & 0xffffn));
      else if (bits === 32) M.write32(c, Number(v & 0xffffffffn));
      else M.write64(c, v);
      return true;
    });
export const fbstp: X87Handler = (c, f) =>
  storeOp(f, true, (x) => {
    const bytes = x === undefined ? Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0xff) : storeBcd(f, x);
    if (bytes === undefined) return false;
    M.writeBytes(c, bytes);
    return true;
  });
/** DD D0/D8 (and the DF/D9 aliases): FST / FSTP ST(i). */
export const fstSti =
  (pop: boolean): X87Handler =>
  (c, f) =>
    storeOp(f, pop, (x) => {
      f.setSt(c.rm, x ?? indefinite());
      return true;
    });

/** D9 C8+i: FXCH ST(i). */
export const fxch: X87Handler = (c, f) => {
  const i = c.rm;
  if (f.isEmpty(0) || f.isEmpty(i)) {
    if (!f.stackUnderflow()) return;
    if (f.isEmpty(0)) f.setSt(0, indefinite());
    if (f.isEmpty(i)) f.setSt(i, indefinite());
  }
  const a = f.st(0);
  f.setSt(0, f.st(i));
  f.setSt(i, a);
  f.setCc(C1, 0);
};

/** DA/DB C0-DF: FCMOVcc ST(0), ST(i). */
export const fcmov: X87Handler = (c, f) => {
  const cc = ((c.opByte & 1) << 2) | c.reg; // DA: B E BE U; DB: NB NE NBE NU
  const base = [c.cf() !== 0, c.zf(), c.cf() !== 0 || c.zf(), (c.getFlags() & PF) !== 0][cc & 3];
  const take = cc & 4 ? !base : base;
  if (f.isEmpty(0) || f.isEmpty(c.rm)) {
    if (f.stackUnderflow()) f.setSt(0, indefinite());
    return;
  }
  // C1 is left as it was (undefined in the SDM; unchanged on the host processor).
  if (take) f.setSt(0, f.st(c.rm));
};

// --- one-operand functions on ST(0) ---------------------------------------------------------

/** Replace ST(0) by fn(ST(0)) with the usual underflow/suppression rules. */
function unary(f: Fpu, fn: (x: F80) => F80): void {
  if (f.isEmpty(0)) {
    if (f.stackUnderflow()) f.setSt(0, indefinite());
    return;
  }
  const r = fn(f.st(0));
  if (f.suppresses(f.exc)) {
    f.suppress();
    return;
  }
  f.setSt(0, r);
  commit(f);
}

export const fchs: X87Handler = (_c, f) => unary(f, (x) => ({ s: x.s ^ 1, e: x.e, m: x.m }));
export const fabs: X87Handler = (_c, f) => unary(f, (x) => ({ s: 0, e: x.e, m: x.m }));
export const fsqrt: X87Handler = (_c, f) => unary(f, (x) => sqrt(f, x, pcFormat(f)));
export const frndint: X87Handler = (_c, f) => unary(f, (x) => rndint(f, x));
export const f2xm1Op: X87Handler = (_c, f) => unary(f, (x) => f2xm1(f, x));

/** FXAM: the class of ST(0) in C3, C2, C0 and its sign in C1 (empty registers too). */
export const fxam: X87Handler = (_c, f) => {
  const p = f.phys(0);
  const x = f.regs[p];
  let cc: number;
  if (f.isEmpty(0)) cc = C3 | C0;
  else {
    const k = classify(x);
    cc = [C3, C2, C3 | C2, C2 | C0, C0, C0, 0][k];
  }
  f.setCc(C0 | C1 | C2 | C3, cc | (x.s ? C1 : 0));
};

/** FSIN / FCOS: C2 = 1 and ST(0) unchanged when |ST(0)| >= 2^63. */
export const fsinCos =
  (which: 'sin' | 'cos'): X87Handler =>
  (_c, f) => {
    if (!f.isEmpty(0) && outOfTrigRange(f.st(0))) {
      f.setCc(C1 | C2, C2);
      return;
    }
    f.setCc(C2, 0);
    unary(f, (x) => {
      const r = sinCos(f, x, which);
      return 's' in r ? (r as F80) : ((which === 'sin' ? r.sin : r.cos) as F80);
    });
  };

/** Two results: ST(0) = b, and a written below it (FSINCOS, FPTAN, FXTRACT). */
function unaryPush(f: Fpu, fn: (x: F80) => [F80, F80] | F80): void {
  if (f.isEmpty(0)) {
    if (f.stackUnderflow()) {
      f.setSt(0, indefinite());
      f.push(indefinite());
    }
    return;
  }
  if (!f.isEmpty(7)) {
    if (f.stackOverflow()) {
      f.setSt(0, indefinite());
      f.push(indefinite());
    }
    return;
  }
  const r = fn(f.st(0));
  if (f.suppresses(f.exc)) {
    f.suppress();
    return;
  }
  const [below, top] = Array.isArray(r) ? r : [r, r];
  f.setSt(0, below);
  f.push(top);
  commit(f);
}

export const fsincos: X87Handler = (_c, f) => {
  if (!f.isEmpty(0) && outOfTrigRange(f.st(0))) {
    f.setCc(C1 | C2, C2);
    return;
  }
  f.setCc(C2, 0);
  unaryPush(f, (x) => {
    const r = sinCos(f, x, 'both');
    if ('s' in r) return r as F80;
    return [r.sin as F80, r.cos as F80];
  });
};
export const fptan: X87Handler = (_c, f) => {
  if (!f.isEmpty(0) && outOfTrigRange(f.st(0))) {
    f.setCc(C1 | C2, C2);
    return;
  }
  f.setCc(C2, 0);
  unaryPush(f, (x) => {
    const t = tan(f, x);
    // A NaN result (NaN operand, or the indefinite of an infinite one) goes to both registers.
    return classify(t) === K_QNAN ? t : [t, { ...ONE }];
  });
};
export const fxtract: X87Handler = (_c, f) => unaryPush(f, (x) => xtract(f, x));

/** ST(1) = fn(ST(1), ST(0)), then pop (FPATAN, FYL2X, FYL2XP1). */
function binaryPop(f: Fpu, fn: (y: F80, x: F80) => F80): void {
  if (f.isEmpty(0) || f.isEmpty(1)) {
    if (f.stackUnderflow()) {
      f.setSt(1, indefinite());
      f.pop();
    }
    return;
  }
  const r = fn(f.st(1), f.st(0));
  if (f.suppresses(f.exc)) {
    f.suppress();
    return;
  }
  f.setSt(1, r);
  commit(f);
  f.pop();
}
export const fpatan: X87Handler = (_c, f) => binaryPop(f, (y, x) => atan2(f, y, x));
export const fyl2x: X87Handler = (_c, f) => binaryPop(f, (y, x) => yl2x(f, y, x));
export const fyl2xp1: X87Handler = (_c, f) => binaryPop(f, (y, x) => yl2xp1(f, y, x));

/** FSCALE: ST(0) = ST(0) * 2^trunc(ST(1)). */
export const fscale: X87Handler = (_c, f) => {
  if (f.isEmpty(0) || f.isEmpty(1)) {
    if (f.stackUnderflow()) f.setSt(0, indefinite());
    return;
  }
  const y = f.st(1);
  unary(f, (x) => scale(f, x, y));
};

/** FPREM / FPREM1. */
export const fprem =
  (nearest: boolean): X87Handler =>
  (_c, f) => {
    if (f.isEmpty(0) || f.isEmpty(1)) {
      f.setCc(C2, 0);
      if (f.stackUnderflow()) f.setSt(0, indefinite());
      return;
    }
    const r = prem(f, f.st(0), f.st(1), nearest);
    if (f.suppresses(f.exc)) {
      f.setCc(C2, 0);
      f.suppress();
      return;
    }
    f.setSt(0, r.r);
    // NaN and invalid operands: C1 = C2 = 0, C0 and C3 unchanged (measured).
    if (r.q < 0) f.setCc(C1 | C2, 0);
    else if (r.partial) f.setCc(C0 | C1 | C2 | C3, C2);
    else {
      const q = r.q;
      f.setCc(C0 | C1 | C2 | C3, (q & 4 ? C0 : 0) | (q & 2 ? C3 : 0) | (q & 1 ? C1 : 0));
    }
    f.raise(f.exc);
  };

// --- stack and register housekeeping --------------------------------------------------------

export const fdecstp: X87Handler = (_c, f) => {
  f.top = (f.top - 1) & 7;
  f.setCc(C1, 0);
};
export const fincstp: X87Handler = (_c, f) => {
  f.top = (f.top + 1) & 7;
  f.setCc(C1, 0);
};
/** DD C0+i: FFREE ST(i); DF C0+i (FFREEP): and pop. */
export const ffree =
  (pop: boolean): X87Handler =>
  (c, f) => {
    f.empty |= 1 << f.phys(c.rm);
    f.setCc(C1, 0);
    if (pop) f.pop();
  };
export const fnop: X87Handler = () => {};
