// Shifts and rotates (group 2: C0 C1 D0-D3) and the double shifts SHLD/SHRD.
import { type Cpu, LAZY_LOGIC } from '../cpu.js';
import { AF, CF, OF, PF, SF, ZF } from '../state.js';

const MASK = [0, 0xff, 0xffff, 0, 0xffffffff];

/**
 * ROL ROR RCL RCR SHL SHR SAL SAR of `v` by `count` (already masked to 5 bits).
 * Flags follow the 386: a zero count changes nothing; OF is computed from the last step
 * for every count (MSB xor CF for left rotates/shifts, top two bits for right rotates).
 */
export function shift(c: Cpu, op: number, v: number, count: number, size: number): number {
  if (count === 0) return v;
  const m = MASK[size >> 3];
  const msb = size - 1;
  let res: number;
  let cf: number;
  let of: number;
  switch (op) {
    case 0: {
      const n = count & msb;
      res = ((v << n) | (v >>> (size - n))) & m;
      if (n === 0) res = v;
      cf = res & 1;
      of = ((res >>> msb) & 1) ^ cf;
      break;
    }
    case 1: {
      const n = count & msb;
      res = ((v >>> n) | (v << (size - n))) & m;
      if (n === 0) res = v;
      cf = (res >>> msb) & 1;
      of = cf ^ ((res >>> (msb - 1)) & 1);
      break;
    }
    case 2: {
      const n = size === 32 ? count : count % (size + 1);
      res = v;
      cf = c.cf();
      for (let i = 0; i < n; i++) {
        const out = (res >>> msb) & 1;
        res = ((res << 1) | cf) & m;
        cf = out;
      }
      of = ((res >>> msb) & 1) ^ cf;
      break;
    }
    case 3: {
      const n = size === 32 ? count : count % (size + 1);
      res = v;
      cf = c.cf();
      for (let i = 0; i < n; i++) {
        const out = res & 1;
        res = ((res >>> 1) | (cf << msb)) & m;
        cf = out;
      }
      of = ((res >>> msb) & 1) ^ ((res >>> (msb - 1)) & 1);
      break;
    }
    case 4:
    case 6:
      res = count < 32 ? (v << count) & m : 0;
      cf = count <= size ? (v >>> (size - count)) & 1 : 0;
      of = ((res >>> msb) & 1) ^ cf;
      break;
    case 5:
      res = v >>> count;
      cf = count <= size ? (v >>> (count - 1)) & 1 : 0;
      of = (v >>> msb) & 1;
      if (count > 1) of = 0;
      break;
    default: {
      const sv = size === 8 ? (v << 24) >> 24 : size === 16 ? (v << 16) >> 16 : v | 0;
      res = (sv >> Math.min(count, msb)) & m;
      cf = (sv >> Math.min(count - 1, msb)) & 1;
      of = 0;
      break;
    }
  }
  res >>>= 0;
  if (op < 4) {
    // Rotates leave SF, ZF, AF and PF alone.
    c.putFlags(CF | OF, cf | (of << 11));
  } else {
    c.setLazy(LAZY_LOGIC, 0, 0, res, size, SF | ZF | PF);
    c.putFlags(CF | OF | AF, cf | (of << 11));
  }
  return res;
}

/** Group 2 with the count source chosen by the opcode: C0/C1 imm8, D0/D1 one, D2/D3 CL. */
export function grp2(c: Cpu): void {
  const op = c.opByte;
  const count = (op <= 0xc1 ? c.imm : op <= 0xd1 ? 1 : c.regs[1]) & 0x1f;
  if ((op & 1) === 0) c.setRm8(shift(c, c.reg, c.rm8(), count, 8));
  else if (c.opsize32) c.setRm32(shift(c, c.reg, c.rm32(), count, 32));
  else c.setRm16(shift(c, c.reg, c.rm16(), count, 16));
}

/** 0F A4/A5 SHLD and 0F AC/AD SHRD (imm8 or CL count). */
export function shiftDouble(c: Cpu): void {
  const op = c.opByte;
  const left = op < 0x1a8;
  const count = ((op & 1) === 0 ? c.imm : c.regs[1]) & 0x1f;
  const size = c.opsize32 ? 32 : 16;
  const d = c.rmv();
  if (count === 0) return;
  const s = c.getRegV(c.reg);
  let res: number;
  let cf: number;
  if (size === 32) {
    if (left) {
      res = (d << count) | (s >>> (32 - count));
      cf = (d >>> (32 - count)) & 1;
    } else {
      res = (d >>> count) | (s << (32 - count));
      cf = (d >>> (count - 1)) & 1;
    }
  } else if (left) {
    // 16-bit counts above 16 shift bits of the source back in (undefined by Intel).
    const wide = (d << 16) | s;
    res = count <= 16 ? (d << count) | (s >>> (16 - count)) : (s << (count - 16)) | (d >>> (32 - count));
    cf = count <= 16 ? (d >>> (16 - count)) & 1 : (wide >>> (32 - count)) & 1;
  } else {
    res = count <= 16 ? (d >>> count) | (s << (16 - count)) : (s >>> (count - 16)) | (d << (32 - count));
    cf = count <= 16 ? (d >>> (count - 1)) & 1 : (s >>> (count - 17)) & 1;
  }
  res = (res & MASK[size >> 3]) >>> 0;
  const of = ((res ^ d) >>> (size - 1)) & 1;
  c.setRmv(res);
  c.setLazy(LAZY_LOGIC, 0, 0, res, size, SF | ZF | PF);
  c.putFlags(CF | OF | AF, cf | (of << 11));
}
