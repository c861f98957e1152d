// Random integer instruction sequences for the host-CPU differential test (int-fuzz.test.ts).
// Every instruction here encodes and behaves the same in 32-bit protected mode and in 64-bit
// mode without REX (see harness.c for why the oracle is a 64-bit process): registers are
// EAX ECX EDX EBX EBP EDI (ESP and ESI never operands: ESI addresses the 64-byte memory block
// as [esi+disp8]), 8-bit registers AL..BH, 16-bit operands through the 66h prefix.
//
// The generator tracks which arithmetic flags are undefined (SDM: logic ops leave AF, MUL SF ZF
// AF PF, DIV all six, shifts OF past a count of 1 and AF, BT* OF SF AF PF, BSF/BSR all but ZF,
// SHL/SHR CF when the count reaches the operand size): an instruction that would read an
// undefined flag (ADC, SBB, RCL/RCR, SETcc, CMOVcc, LAHF, CMC) is not emitted then, and the
// flags still undefined at the end are masked out of the comparison.
import { CONDITION_FLAGS } from '../../src/state.js';
import { Rng } from '../x87/gen.js';

export { Rng };

export const CF = 0x1;
export const PF = 0x4;
export const AF = 0x10;
export const ZF = 0x40;
export const SF = 0x80;
export const OF = 0x800;
export const ARITH = CF | PF | AF | ZF | SF | OF;
export const SZP = SF | ZF | PF;

/** Flags each condition code (the low nibble of Jcc/SETcc/CMOVcc) reads. */
export const CC_READS = CONDITION_FLAGS;

export interface Case {
  regs: number[]; // EAX ECX EDX EBX EBP EDI
  flags: number;
  mem: Uint8Array;
  code: number[];
  /** Arithmetic flags whose final value the SDM leaves undefined after this sequence. */
  undefinedFlags: number;
  /** Mnemonic-ish names of the instructions, for failure reports. */
  names: string[];
}

/** One emitted instruction and its effect on flag definedness. */
export interface Insn {
  bytes: number[];
  name: string;
  reads?: number;
  /** Flags it sets to defined values. */
  defines?: number;
  /** Flags it leaves undefined. */
  undef?: number;
}

export type Size = 8 | 16 | 32;
/** A ModRM r/m operand: a register number, or the memory block at this displacement. */
export type Rm = { reg: number } | { disp: number };

export const WIDE_REGS = [0, 1, 2, 3, 5, 7];
const BYTE_REGS = [0, 1, 2, 3, 4, 5, 6, 7];

export class Gen {
  constructor(private readonly r: Rng) {}

  size(): Size {
    const k = this.r.int(8);
    return k < 5 ? 32 : k < 7 ? 8 : 16;
  }
  reg(size: Size): number {
    return this.r.pick(size === 8 ? BYTE_REGS : WIDE_REGS);
  }
  rm(size: Size, memory = true): Rm {
    if (memory && this.r.int(3) === 0) return { disp: this.r.int(64 - size / 8 + 1) };
    return { reg: this.reg(size) };
  }
  imm(bytes: number): number[] {
    const v = this.r.next();
    return Array.from({ length: bytes }, (_, i) => (v >>> (8 * i)) & 0xff);
  }
  /** Prefix and opcode for an operand size: the 8-bit opcode, +1 for 16/32, 66h for 16. */
  op(size: Size, base: number): number[] {
    return size === 16 ? [0x66, base + 1] : size === 32 ? [base + 1] : [base];
  }
}

/** ModRM (+ disp8) for reg field `reg` and operand `rm`. */
export function modrm(reg: number, rm: Rm): number[] {
  if ('reg' in rm) return [0xc0 | (reg << 3) | rm.reg];
  if (rm.disp === 0) return [(reg << 3) | 6];
  return [0x40 | (reg << 3) | 6, rm.disp];
}

const immBytes = (size: Size) => size / 8;
export const prefix = (size: Size) => (size === 16 ? [0x66] : []);
const ALU = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'];
const SHIFTS = ['rol', 'ror', 'rcl', 'rcr', 'shl', 'shr', '', 'sar'];

/** Flag effect of an ALU operation (0-7). */
export function aluEffect(op: number): Pick<Insn, 'reads' | 'defines' | 'undef'> {
  const reads = op === 2 || op === 3 ? CF : 0;
  if (op === 1 || op === 4 || op === 6) return { reads, defines: ARITH & ~AF, undef: AF };
  return { reads, defines: ARITH };
}

/**
 * Flag effect of a shift or rotate (SHIFTS index) by `count` (undefined: CL, any count). A
 * masked count of 0 changes nothing, so an unknown count can only add undefined flags.
 */
function shiftEffect(
  op: number,
  size: Size,
  count: number | undefined,
): Pick<Insn, 'reads' | 'defines' | 'undef'> {
  const rotate = op < 4;
  const reads = op === 2 || op === 3 ? CF : 0;
  const effect = (masked: number) => {
    let defines = rotate ? CF | OF : ARITH & ~AF;
    let undef = rotate ? 0 : AF;
    if (masked !== 1) {
      defines &= ~OF;
      undef |= OF;
    }
    if ((op === 4 || op === 5) && masked >= size) {
      defines &= ~CF;
      undef |= CF;
    }
    return { defines, undef };
  };
  if (count === undefined) {
    const e = effect(Math.min(size, 31)); // the widest set of undefined flags any non-zero count leaves
    return { reads, defines: 0, undef: e.undef | effect(2).undef };
  }
  const masked = count & 31;
  if (masked === 0) return { reads: 0 };
  return { reads, ...effect(masked) };
}

/** The instruction families, each a function that draws one instance (some emit guards first). */
export const FAMILIES: ((g: Gen, r: Rng) => Insn[])[] = [
  // ALU r/m,reg and reg,r/m
  (g, r) => {
    const size = g.size();
    const op = r.int(8);
    const toRm = r.int(2) === 0;
    const bytes = [...g.op(size, op * 8 + (toRm ? 0 : 2)), ...modrm(g.reg(size), g.rm(size))];
    return [{ bytes, name: `${ALU[op]}${size}`, ...aluEffect(op) }];
  },
  // ALU with an immediate: accumulator, 80/81, 83
  (g, r) => {
    const size = g.size();
    const op = r.int(8);
    const form = r.int(3);
    let bytes: number[];
    if (form === 0) bytes = [...g.op(size, op * 8 + 4), ...g.imm(immBytes(size))];
    else if (form === 1 || size === 8)
      bytes = [...g.op(size, 0x80), ...modrm(op, g.rm(size)), ...g.imm(immBytes(size))];
    else bytes = [...prefix(size), 0x83, ...modrm(op, g.rm(size)), ...g.imm(1)];
    return [{ bytes, name: `${ALU[op]}${size} imm`, ...aluEffect(op) }];
  },
  // TEST
  (g, r) => {
    const size = g.size();
    const form = r.int(3);
    const bytes =
      form === 0
        ? [...g.op(size, 0x84), ...modrm(g.reg(size), g.rm(size))]
        : form === 1
          ? [...g.op(size, 0xa8), ...g.imm(immBytes(size))]
          : [...g.op(size, 0xf6), ...modrm(0, g.rm(size)), ...g.imm(immBytes(size))];
    return [{ bytes, name: `test${size}`, defines: ARITH & ~AF, undef: AF }];
  },
  // MOV in all its forms
  (g, r) => {
    const size = g.size();
    const form = r.int(4);
    let bytes: number[];
    if (form === 0) bytes = [...g.op(size, 0x88), ...modrm(g.reg(size), g.rm(size))];
    else if (form === 1) bytes = [...g.op(size, 0x8a), ...modrm(g.reg(size), g.rm(size))];
    else if (form === 2)
      bytes = [...prefix(size), (size === 8 ? 0xb0 : 0xb8) + g.reg(size), ...g.imm(immBytes(size))];
    else bytes = [...g.op(size, 0xc6), ...modrm(0, g.rm(size)), ...g.imm(immBytes(size))];
    return [{ bytes, name: `mov${size}` }];
  },
  // XCHG
  (g, r) => {
    const size = g.size();
    if (size !== 8 && r.int(2) === 0)
      return [{ bytes: [...prefix(size), 0x90 + g.reg(size)], name: `xchg${size} eax` }];
    return [{ bytes: [...g.op(size, 0x86), ...modrm(g.reg(size), g.rm(size))], name: `xchg${size}` }];
  },
  // INC/DEC (FE/FF long forms), NOT, NEG
  (g, r) => {
    const size = g.size();
    const k = r.int(4);
    if (k < 2)
      return [
        {
          bytes: [...g.op(size, 0xfe), ...modrm(k, g.rm(size))],
          name: k ? 'dec' : 'inc',
          defines: ARITH & ~CF,
        },
      ];
    return [
      {
        bytes: [...g.op(size, 0xf6), ...modrm(k, g.rm(size))],
        name: k === 2 ? 'not' : 'neg',
        defines: k === 2 ? 0 : ARITH,
      },
    ];
  },
  // MUL/IMUL one operand; IMUL r,r/m; IMUL r,r/m,imm
  (g, r) => {
    const k = r.int(3);
    const mulFlags = { defines: CF | OF, undef: SZP | AF };
    if (k === 0) {
      const size = g.size();
      const signed = r.int(2);
      return [
        {
          bytes: [...g.op(size, 0xf6), ...modrm(4 + signed, g.rm(size))],
          name: signed ? 'imul1' : 'mul',
          ...mulFlags,
        },
      ];
    }
    const size: Size = r.int(3) === 0 ? 16 : 32;
    if (k === 1)
      return [
        {
          bytes: [...prefix(size), 0x0f, 0xaf, ...modrm(g.reg(size), g.rm(size))],
          name: 'imul2',
          ...mulFlags,
        },
      ];
    const short = r.int(2) === 0;
    return [
      {
        bytes: [
          ...prefix(size),
          short ? 0x6b : 0x69,
          ...modrm(g.reg(size), g.rm(size)),
          ...g.imm(short ? 1 : immBytes(size)),
        ],
        name: 'imul3',
        ...mulFlags,
      },
    ];
  },
  // DIV/IDIV behind guards that make #DE impossible (a divisor made odd, positive for IDIV; the
  // high half of the dividend zero for DIV, the sign extension for IDIV)
  (g, r) => {
    const size = g.size();
    const signed = r.int(2) === 1;
    const divisor: Rm =
      r.int(3) === 0
        ? { disp: r.int(64 - size / 8 + 1) }
        : { reg: r.pick(size === 8 ? [1, 2, 3, 5, 6, 7] : [1, 3, 5, 7]) };
    const guard: number[] = [];
    if (signed) {
      const max = size === 8 ? [0x7f] : size === 16 ? [0xff, 0x7f] : [0xff, 0xff, 0xff, 0x7f];
      guard.push(...g.op(size, 0x80), ...modrm(4, divisor), ...max); // and divisor, max
    }
    if (size === 8)
      guard.push(0x80, ...modrm(1, divisor), 1); // or divisor, 1
    else guard.push(...prefix(size), 0x83, ...modrm(1, divisor), 1);
    if (signed)
      guard.push(...(size === 8 ? [0x66, 0x98] : [...prefix(size), 0x99])); // cbw / cwd / cdq
    else guard.push(...(size === 8 ? [0xb4, 0x00] : [...prefix(size), 0x31, 0xd2])); // mov ah,0 / xor edx,edx
    return [
      { bytes: guard, name: 'div-guard', defines: ARITH & ~AF, undef: AF },
      {
        bytes: [...g.op(size, 0xf6), ...modrm(signed ? 7 : 6, divisor)],
        name: signed ? `idiv${size}` : `div${size}`,
        undef: ARITH,
      },
    ];
  },
  // shifts and rotates by 1, by an immediate, by CL
  (g, r) => {
    const size = g.size();
    const op = r.pick([0, 1, 2, 3, 4, 5, 7]);
    const form = r.int(3);
    const rm = g.rm(size);
    if (form === 0)
      return [
        {
          bytes: [...g.op(size, 0xd0), ...modrm(op, rm)],
          name: `${SHIFTS[op]}${size} 1`,
          ...shiftEffect(op, size, 1),
        },
      ];
    if (form === 1)
      return [
        {
          bytes: [...g.op(size, 0xd2), ...modrm(op, rm)],
          name: `${SHIFTS[op]}${size} cl`,
          ...shiftEffect(op, size, undefined),
        },
      ];
    const count = r.int(3) === 0 ? r.int(256) : r.int(size + 2);
    return [
      {
        bytes: [...g.op(size, 0xc0), ...modrm(op, rm), count],
        name: `${SHIFTS[op]}${size} ${count}`,
        ...shiftEffect(op, size, count),
      },
    ];
  },
  // SHLD/SHRD (32-bit: a 16-bit count past 16 leaves the result undefined)
  (g, r) => {
    const right = r.int(2);
    const byCl = r.int(2) === 1;
    const count = r.int(40);
    const bytes = [
      0x0f,
      0xa4 + right * 8 + (byCl ? 1 : 0),
      ...modrm(g.reg(32), g.rm(32)),
      ...(byCl ? [] : [count]),
    ];
    const masked = count & 31;
    const effect = byCl
      ? { defines: 0, undef: OF | AF }
      : masked === 0
        ? {}
        : { defines: (ARITH & ~AF & ~OF) | (masked === 1 ? OF : 0), undef: AF | (masked === 1 ? 0 : OF) };
    return [{ bytes, name: right ? 'shrd' : 'shld', ...effect }];
  },
  // BT/BTS/BTR/BTC: register offsets on registers only (on memory they address beyond the block)
  (g, r) => {
    const size: Size = r.int(3) === 0 ? 16 : 32;
    const op = r.int(4);
    const flags = { defines: CF, undef: OF | SF | AF | PF };
    if (r.int(2) === 0)
      return [
        {
          bytes: [...prefix(size), 0x0f, 0xa3 + op * 8, ...modrm(g.reg(size), { reg: g.reg(size) })],
          name: 'bt r',
          ...flags,
        },
      ];
    return [
      {
        bytes: [...prefix(size), 0x0f, 0xba, ...modrm(4 + op, g.rm(size)), r.int(256)],
        name: 'bt imm',
        ...flags,
      },
    ];
  },
  // BSF/BSR of a source made non-zero first (a zero source leaves the destination undefined)
  (g, r) => {
    const size: Size = r.int(3) === 0 ? 16 : 32;
    const src = g.rm(size);
    const bit = r.int(size);
    const mask = [
      (1 << bit) & 0xff,
      ((1 << bit) >>> 8) & 0xff,
      ((1 << bit) >>> 16) & 0xff,
      (1 << bit) >>> 24,
    ];
    return [
      {
        bytes: [...prefix(size), 0x81, ...modrm(1, src), ...mask.slice(0, size / 8)],
        name: 'or-guard',
        defines: ARITH & ~AF,
        undef: AF,
      },
      {
        bytes: [...prefix(size), 0x0f, 0xbc + r.int(2), ...modrm(g.reg(size), src)],
        name: 'bsf/bsr',
        defines: ZF,
        undef: ARITH & ~ZF,
      },
    ];
  },
  // SETcc, CMOVcc
  (g, r) => {
    const cc = r.int(16);
    if (r.int(2) === 0)
      return [{ bytes: [0x0f, 0x90 + cc, ...modrm(0, g.rm(8))], name: `set${cc}`, reads: CC_READS[cc] }];
    const size: Size = r.int(3) === 0 ? 16 : 32;
    return [
      {
        bytes: [...prefix(size), 0x0f, 0x40 + cc, ...modrm(g.reg(size), g.rm(size))],
        name: `cmov${cc}`,
        reads: CC_READS[cc],
      },
    ];
  },
  // MOVZX/MOVSX
  (g, r) => {
    const fromWord = r.int(2);
    const size: Size = fromWord ? 32 : r.int(3) === 0 ? 16 : 32;
    const op = (r.int(2) ? 0xbe : 0xb6) + fromWord;
    return [
      {
        bytes: [...prefix(size), 0x0f, op, ...modrm(g.reg(size), g.rm(fromWord ? 16 : 8))],
        name: 'movzx/sx',
      },
    ];
  },
  // CMPXCHG, XADD
  (g, r) => {
    const size = g.size();
    const xadd = r.int(2);
    const bytes = [
      ...prefix(size),
      0x0f,
      (xadd ? 0xc0 : 0xb0) + (size === 8 ? 0 : 1),
      ...modrm(g.reg(size), g.rm(size)),
    ];
    return [{ bytes, name: xadd ? `xadd${size}` : `cmpxchg${size}`, defines: ARITH }];
  },
  // BSWAP, CBW/CWDE, CWD/CDQ, LEA with SIB
  (g, r) => {
    const k = r.int(4);
    if (k === 0) return [{ bytes: [0x0f, 0xc8 + g.reg(32)], name: 'bswap' }];
    if (k === 1) return [{ bytes: [...prefix(r.int(2) ? 16 : 32), 0x98 + r.int(2)], name: 'cbw/cwd' }];
    const size: Size = r.int(3) === 0 ? 16 : 32;
    const base = r.pick([0, 1, 2, 3, 7]);
    const index = r.pick(WIDE_REGS);
    const disp32 = r.int(2) === 0;
    const sib = (r.int(4) << 6) | (index << 3) | base;
    const bytes = [
      ...prefix(size),
      0x8d,
      (disp32 ? 0x84 : 0x44) | (g.reg(size) << 3),
      sib,
      ...g.imm(disp32 ? 4 : 1),
    ];
    return [{ bytes, name: 'lea' }];
  },
  // CLC, STC, CMC, LAHF, SAHF
  (_g, r) => {
    const k = r.int(5);
    if (k === 0) return [{ bytes: [0xf8], name: 'clc', defines: CF }];
    if (k === 1) return [{ bytes: [0xf9], name: 'stc', defines: CF }];
    if (k === 2) return [{ bytes: [0xf5], name: 'cmc', reads: CF, defines: CF }];
    if (k === 3) return [{ bytes: [0x9f], name: 'lahf', reads: SF | ZF | AF | PF | CF }];
    return [{ bytes: [0x9e], name: 'sahf', defines: SF | ZF | AF | PF | CF }];
  },
];

/** A random case: random registers, flags and memory, then `length` instructions (guards extra). */
export function randomCase(r: Rng, length: number): Case {
  const g = new Gen(r);
  const regs = Array.from({ length: 6 }, () => {
    const k = r.int(4);
    return k === 0 ? r.int(256) : k === 1 ? (0x100000000 - 1 - r.int(256)) >>> 0 : r.next();
  });
  const mem = new Uint8Array(64);
  for (let i = 0; i < 64; i++) mem[i] = r.int(256);
  const code: number[] = [];
  const names: string[] = [];
  let undefinedFlags = 0;
  while (names.length < length) {
    const group = r.pick(FAMILIES)(g, r);
    let u = undefinedFlags;
    let ok = true;
    for (const i of group) {
      if ((i.reads ?? 0) & u) ok = false;
      u = (u & ~(i.defines ?? 0)) | (i.undef ?? 0);
    }
    if (!ok) continue; // it would read a flag the SDM leaves undefined here
    for (const i of group) {
      code.push(...i.bytes);
      names.push(i.name);
    }
    undefinedFlags = u;
  }
  return { regs, flags: r.next() & ARITH, mem, code, undefinedFlags, names };
}

const hex = (v: number, digits: number) => v.toString(16).toUpperCase().padStart(digits, '0');
export const hexBytes = (b: ArrayLike<number>) => Array.from(b, (x) => hex(x, 2)).join('');

/** The harness's input line for a case. */
export function caseLine(c: Case): string {
  return [...c.regs.map((v) => hex(v, 8)), hex(c.flags, 3), hexBytes(c.mem), hexBytes(c.code)].join(' ');
}

/** A result line with the case's undefined flags cleared, so two results compare as strings. */
export function maskLine(line: string, c: Case): string {
  const f = line.split(' ');
  if (f[0] !== 'ok') return line;
  f[7] = hex(Number.parseInt(f[7], 16) & ~c.undefinedFlags, 3);
  return f.join(' ');
}

export { hex };
