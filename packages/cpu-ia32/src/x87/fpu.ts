// The x87 register file and its control state: eight physical registers addressed through
// TOP, the control, status and tag words, the last-instruction pointers, and the exception
// rules (flags, masks, ES/B, and what an unmasked exception does to the result).
import { classify, type F80, fromHex, INDEFINITE, K_NORMAL, K_ZERO, toHex } from './float80.js';

// Status word bits.
export const IE = 0x01;
export const DE = 0x02;
export const ZE = 0x04;
export const OE = 0x08;
export const UE = 0x10;
export const PE = 0x20;
export const SF = 0x40;
export const ES = 0x80;
export const C0 = 0x100;
export const C1 = 0x200;
export const C2 = 0x400;
export const C3 = 0x4000;
export const BUSY = 0x8000;
export const CC_MASK = C0 | C1 | C2 | C3;
/** Exceptions whose unmasked occurrence suppresses the result (checked before the operation). */
export const PRE_EXC = IE | DE | ZE;

export const CW_INIT = 0x037f;

/** An invalid operation hides a denormal operand: DE is not reported together with IE (measured). */
const effective = (flags: number) => (flags & IE ? flags & ~DE : flags);

/** Plain-data FPU state for snapshots (registers by physical number, raw 80-bit as hex). */
export interface FpuState {
  cw: number;
  /** Status word including TOP. */
  sw: number;
  /** Full tag word (only "empty" is kept; the other tags are recomputed from the contents). */
  tw: number;
  regs: string[];
  fip: number;
  fcs: number;
  fop: number;
  fdp: number;
  fds: number;
}

export class Fpu {
  /** Physical registers R0-R7. */
  readonly regs: F80[] = Array.from({ length: 8 }, () => ({ s: 0, e: 0, m: 0n }));
  /** Bit i set: physical register i is empty. */
  empty = 0xff;
  top = 0;
  /** Status word without TOP (bits 11-13 kept zero). */
  sw = 0;
  cw = CW_INIT;
  fip = 0;
  fcs = 0;
  fop = 0;
  fdp = 0;
  fds = 0;
  /** Exceptions raised by the instruction in progress (merged by `commit`). */
  exc = 0;
  /** The instruction in progress rounded its result up (C1). */
  up = false;

  /** RESET: control word 0040h, tags all valid, registers +0 (SDM Vol. 3, table 9-1). */
  reset(): void {
    this.init();
    this.cw = 0x0040;
    this.empty = 0;
    for (let p = 0; p < 8; p++) this.regs[p] = { s: 0, e: 0, m: 0n };
  }

  /** FNINIT. */
  init(): void {
    this.cw = CW_INIT;
    this.sw = 0;
    this.top = 0;
    this.empty = 0xff;
    this.fip = 0;
    this.fcs = 0;
    this.fop = 0;
    this.fdp = 0;
    this.fds = 0;
  }

  get status(): number {
    return (this.sw & ~0x3800) | (this.top << 11);
  }
  set status(v: number) {
    this.top = (v >> 11) & 7;
    this.sw = v & ~0x3800 & 0xffff;
    this.updateSummary();
  }

  /** ES and B follow the unmasked exception flags. */
  updateSummary(): void {
    if (this.sw & ~this.cw & 0x3f) this.sw |= ES | BUSY;
    else this.sw &= ~(ES | BUSY);
  }

  phys(i: number): number {
    return (this.top + i) & 7;
  }
  isEmpty(i: number): boolean {
    return ((this.empty >> this.phys(i)) & 1) !== 0;
  }
  st(i: number): F80 {
    return this.regs[this.phys(i)];
  }
  setSt(i: number, v: F80): void {
    const p = this.phys(i);
    this.regs[p] = v;
    this.empty &= ~(1 << p);
  }
  /** Decrement TOP and store v in the new ST(0). */
  push(v: F80): void {
    this.top = (this.top - 1) & 7;
    this.setSt(0, v);
  }
  pop(): void {
    this.empty |= 1 << this.top;
    this.top = (this.top + 1) & 7;
  }

  get precision(): number {
    return (this.cw >> 8) & 3;
  }
  get rounding(): number {
    return (this.cw >> 10) & 3;
  }
  masked(flag: number): boolean {
    return (this.cw & flag) !== 0;
  }

  /** The tag word as FSTENV stores it: 00 valid, 01 zero, 10 special, 11 empty. */
  get tagWord(): number {
    let tw = 0;
    for (let p = 0; p < 8; p++) {
      let t = 3;
      if (((this.empty >> p) & 1) === 0) {
        const k = classify(this.regs[p]);
        t = k === K_ZERO ? 1 : k === K_NORMAL ? 0 : 2;
      }
      tw |= t << (p * 2);
    }
    return tw;
  }
  set tagWord(tw: number) {
    let empty = 0;
    for (let p = 0; p < 8; p++) if (((tw >> (p * 2)) & 3) === 3) empty |= 1 << p;
    this.empty = empty;
  }

  /** Set condition codes (the bits in `mask` take `value`). */
  setCc(mask: number, value: number): void {
    this.sw = (this.sw & ~mask) | (value & mask);
  }

  /** Add exception flags; an unmasked one sets ES and B. */
  raise(flags: number): void {
    this.sw |= effective(flags);
    this.updateSummary();
  }

  /** Commit an instruction whose unmasked IE/DE/ZE suppressed the result: flags, C1 = 0. */
  suppress(): void {
    this.sw &= ~C1;
    this.raise(this.exc);
  }

  /** True when `flags` (raised before the operation) suppress the result: some are unmasked. */
  suppresses(flags: number): boolean {
    return (effective(flags) & PRE_EXC & ~this.cw) !== 0;
  }

  /**
   * Stack underflow (reading an empty register): IE+SF with C1 = 0. Returns true when masked
   * (the caller stores the indefinite).
   */
  stackUnderflow(): boolean {
    this.sw &= ~C1;
    this.raise(IE | SF);
    return this.masked(IE);
  }
  /** Stack overflow (pushing onto a full register): IE+SF with C1 = 1. */
  stackOverflow(): boolean {
    this.sw |= C1;
    this.raise(IE | SF);
    return this.masked(IE);
  }

  save(): FpuState {
    return {
      cw: this.cw,
      sw: this.status,
      tw: this.tagWord,
      regs: this.regs.map(toHex),
      fip: this.fip >>> 0,
      fcs: this.fcs,
      fop: this.fop,
      fdp: this.fdp >>> 0,
      fds: this.fds,
    };
  }

  load(s: FpuState): void {
    this.cw = s.cw & 0xffff;
    for (let p = 0; p < 8; p++) this.regs[p] = fromHex(s.regs[p]);
    this.tagWord = s.tw;
    this.status = s.sw;
    this.fip = s.fip;
    this.fcs = s.fcs;
    this.fop = s.fop;
    this.fdp = s.fdp;
    this.fds = s.fds;
  }
}

const HEX80 = /^[0-9a-f]{20}$/i;
const isU = (v: unknown, max: number) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;

/** Shape check for a saved FpuState (loadState refuses anything else). */
export function validFpuState(s: FpuState): boolean {
  return (
    typeof s === 'object' &&
    s !== null &&
    [s.cw, s.sw, s.tw, s.fcs, s.fds].every((v) => isU(v, 0xffff)) &&
    isU(s.fop, 0x7ff) &&
    isU(s.fip, 0xffffffff) &&
    isU(s.fdp, 0xffffffff) &&
    Array.isArray(s.regs) &&
    s.regs.length === 8 &&
    s.regs.every((r) => typeof r === 'string' && HEX80.test(r))
  );
}

/** The masked response to an invalid operation. */
export const indefinite = (): F80 => ({ ...INDEFINITE });
