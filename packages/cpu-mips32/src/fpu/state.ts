// CP1 state of the 24Kf FPU: 32 floating-point registers of 64 bits and the control registers
// (FIR read-only, FCSR with its FCCR/FEXR/FENR views), and the register-file views Status.FR selects.
//
// Storage follows QEMU: every FPR is 64 bits (`lo`, `hi` words). With Status.FR = 1 a double is one
// whole FPR; with FR = 0 a double is the low words of the even/odd pair (even = low half), and the
// high words are not visible (they keep their values across FR changes). A single is always the
// low word of its FPR.

/** FIR as QEMU's 24Kf reports it: F64, L, W, D, S, processor id 0x93, revision 0. */
export const FIR_24KF = (1 << 22) | (1 << 21) | (1 << 20) | (1 << 17) | (1 << 16) | (0x93 << 8);

// FCSR fields.
export const FCSR_RM = 3;
export const FCSR_FLAGS_SHIFT = 2;
export const FCSR_ENABLES_SHIFT = 7;
export const FCSR_CAUSE_SHIFT = 12;
export const FCSR_CAUSE_MASK = 0x3f << FCSR_CAUSE_SHIFT;
export const FCSR_FS = 1 << 24;
/** Bits of FCSR that CTC1 $31 can change (NAN2008/ABS2008 and bits 22..18 read zero on a 24Kf). */
export const FCSR_WRITABLE = 0xff83_ffff | 0;
/** Cause.ExcCode of the Floating-Point exception. */
export const EXC_FPE = 15;

export class Fpu {
  /** Low words of FPR 0..31 (signed 32-bit storage). */
  readonly lo = new Int32Array(32);
  /** High words of FPR 0..31. */
  readonly hi = new Int32Array(32);
  /** FCSR (CP1 control register 31). */
  fcsr = 0;
  readonly fir = FIR_24KF;

  reset(): void {
    this.fcsr = 0;
  }

  /** Condition code `cc` (0..7): FCSR bit 23 for cc 0, bits 25..31 for cc 1..7. */
  cond(cc: number): boolean {
    return ((this.fcsr >>> (cc === 0 ? 23 : 24 + cc)) & 1) !== 0;
  }
  setCond(cc: number, on: boolean): void {
    const bit = 1 << (cc === 0 ? 23 : 24 + cc);
    this.fcsr = on ? this.fcsr | bit : this.fcsr & ~bit;
  }

  /** A single (a 32-bit word) as an unsigned number. */
  getS(n: number): number {
    return this.lo[n] >>> 0;
  }
  setS(n: number, v: number): void {
    this.lo[n] = v;
  }

  /** A double (or a 64-bit integer) as an unsigned BigInt, for FR = `fr`. */
  getD(n: number, fr: boolean): bigint {
    const low = this.lo[fr ? n : n & ~1] >>> 0;
    const high = fr ? this.hi[n] >>> 0 : this.lo[n | 1] >>> 0;
    return (BigInt(high) << 32n) | BigInt(low);
  }
  setD(n: number, v: bigint, fr: boolean): void {
    this.setWords(n, Number(v & 0xffff_ffffn), Number(v >> 32n), fr);
  }
  /** Write a 64-bit value given as its two words. */
  setWords(n: number, low: number, high: number, fr: boolean): void {
    if (fr) {
      this.lo[n] = low;
      this.hi[n] = high;
    } else {
      this.lo[n & ~1] = low;
      this.lo[n | 1] = high;
    }
  }
  lowWord(n: number, fr: boolean): number {
    return this.lo[fr ? n : n & ~1];
  }
  highWord(n: number, fr: boolean): number {
    return fr ? this.hi[n] : this.lo[n | 1];
  }

  /**
   * CFC1: FIR (0), FCCR (25), FEXR (26), FENR (28), zero for 1 and 5 (UFR/FRE, which a 24Kf lacks),
   * and FCSR for every other number (as QEMU).
   */
  readControl(fs: number): number {
    const f = this.fcsr;
    switch (fs) {
      case 0:
        return this.fir;
      case 1:
      case 5:
        return 0;
      case 25:
        return ((f >>> 24) & 0xfe) | ((f >>> 23) & 1);
      case 26:
        return f & 0x0003_f07c;
      case 28:
        return (f & 0x0000_0f83) | ((f >>> 22) & 4);
      default:
        return f | 0;
    }
  }

  /**
   * CTC1 to FCCR/FEXR/FENR/FCSR (others are ignored; a view write with reserved bits set is ignored,
   * as QEMU does). Returns true when the new FCSR has a Cause bit whose exception is enabled (or
   * Cause.E): the caller raises the Floating-Point exception.
   */
  writeControl(fs: number, v: number): boolean {
    const f = this.fcsr;
    switch (fs) {
      case 25:
        if ((v & 0xffff_ff00) !== 0) return false;
        this.fcsr = (f & 0x017f_ffff) | ((v & 0xfe) << 24) | ((v & 1) << 23);
        break;
      case 26:
        if ((v & 0x007c_0000) !== 0) return false;
        this.fcsr = (f & 0xfffc_0f83) | (v & 0x0003_f07c);
        break;
      case 28:
        if ((v & 0x007c_0000) !== 0) return false;
        this.fcsr = (f & 0xfeff_f07c) | (v & 0x0000_0f83) | ((v & 4) << 22);
        break;
      case 31:
        this.fcsr = (v & FCSR_WRITABLE) | (f & ~FCSR_WRITABLE);
        break;
      default:
        return false;
    }
    const enables = (this.fcsr >>> FCSR_ENABLES_SHIFT) & 0x1f;
    return ((enables | 0x20) & (this.fcsr >>> FCSR_CAUSE_SHIFT) & 0x3f) !== 0;
  }
}
