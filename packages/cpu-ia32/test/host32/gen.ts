// Random user-mode sequences for the 32-bit host-CPU differential test (host32.test.ts): the
// integer families of int-fuzz/gen.ts plus what only a 32-bit process can run — INC/DEC 40-4F,
// PUSH/POP in every form, PUSHAD/POPAD, PUSHFD/POPFD, CALL/RET, ENTER/LEAVE, BCD (DAA/DAS/AAA/
// AAS/AAM/AAD), SALC, the 82h group, XLAT, string instructions with REP prefixes in both
// directions, BT on memory with register offsets, CMPXCHG8B, short and near forward branches
// (Jcc, JECXZ, LOOP) over a following group — and x87 instructions (all exceptions masked)
// interleaved with them, FCOMI/FCMOV/FNSTSW tying the two flag worlds together. A few
// deliberate faults (UD2, INT3, INTO, BOUND, DIV by zero) check precise exception state.
//
// Addresses are those of native/ia32-harness.c (the same in both machines): ESI = DATA+80h is the
// base of [esi+disp8] operands and is only changed by a family that restores it; ESP starts at
// STACK+C0h and the generator keeps it inside the 256-byte stack block.
import {
  AF,
  ARITH,
  aluEffect,
  CC_READS,
  CF,
  FAMILIES,
  Gen,
  hex,
  hexBytes,
  type Insn,
  modrm,
  OF,
  PF,
  prefix,
  Rng,
  SF,
  SZP,
  WIDE_REGS,
  ZF,
} from '../int-fuzz/gen.js';
import { randomImage, EXACT as X87_EXACT } from '../x87/gen.js';

export { Rng };

export const CODE = 0x100000;
export const DATA = 0x108000;
export const STACK = 0x109000;
export const IMAGE = 0x10a000;
export const ESI0 = DATA + 0x80;
export const ESP0 = STACK + 0xc0;
const DF = 0x400;
/** The flags the comparison looks at: OF DF SF ZF AF PF CF. */
export const FLAGS_MASK = ARITH | DF;

/** An instruction with its stack effect (bytes pushed, negative for pops). */
interface Op extends Insn {
  push?: number;
}

type Family = (g: Gen, r: Rng) => Op[];

const le32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
const movImm = (reg: number, v: number): Op => ({
  bytes: [0xb8 + reg, ...le32(v)],
  name: `mov r${reg}, imm`,
});
const opSize = (r: Rng) => (r.int(4) === 0 ? 16 : 32);

/** x87 flag effects: FCOMI/FUCOMI(P) define the flags, FCMOVcc reads them. */
function x87Effect(b: number[]): Pick<Insn, 'reads' | 'defines'> {
  const [op, m] = b;
  if ((op === 0xdb || op === 0xdf) && m >= 0xe8 && m <= 0xf7) return { defines: ARITH };
  if ((op === 0xda || op === 0xdb) && m >= 0xc0 && m <= 0xdf)
    return { reads: [CF, ZF, CF | ZF, PF][(m >> 3) & 3] };
  return {};
}

const FAMILIES_32: Family[] = [
  // INC/DEC in their one-byte forms (REX prefixes in 64-bit mode)
  (g, r) => {
    const size = opSize(r);
    const dec = r.int(2);
    return [
      {
        bytes: [...prefix(size), 0x40 + dec * 8 + g.reg(size)],
        name: dec ? 'dec r' : 'inc r',
        defines: ARITH & ~CF,
      },
    ];
  },
  // PUSH register / immediate / memory, POP register / memory
  (g, r) => {
    const size = opSize(r);
    const w = size / 8;
    const p = prefix(size);
    const k = r.int(6);
    if (k === 0) return [{ bytes: [...p, 0x50 + r.int(8)], name: 'push r', push: w }];
    if (k === 1) return [{ bytes: [...p, 0x6a, r.int(256)], name: 'push imm8', push: w }];
    if (k === 2) return [{ bytes: [...p, 0x68, ...g.imm(w)], name: 'push imm', push: w }];
    if (k === 3) return [{ bytes: [...p, 0xff, ...modrm(6, g.rm(size))], name: 'push r/m', push: w }];
    if (k === 4) return [{ bytes: [...p, 0x58 + g.reg(32)], name: 'pop r', push: -w }];
    return [{ bytes: [...p, 0x8f, ...modrm(0, g.rm(size))], name: 'pop r/m', push: -w }];
  },
  // PUSHAD, one register instruction, POPAD (which restores ESI)
  (g, r) => {
    const size = opSize(r);
    const body = r
      .pick(FAMILIES)(g, r)
      .filter((i) => !i.bytes.includes(0x66) || size === 32);
    return [
      { bytes: [...prefix(size), 0x60], name: 'pusha', push: size / 2 },
      ...body,
      { bytes: [...prefix(size), 0x61], name: 'popa', push: -size / 2 },
    ];
  },
  // PUSHFD / POPFD of a chosen image (only flags a user may change), PUSHFD; POP r
  (g, r) => {
    const k = r.int(3);
    if (k === 0) {
      const image = ((r.next() & FLAGS_MASK) | 0x202) >>> 0;
      return [
        { bytes: [0x68, ...le32(image)], name: 'push flags', push: 4 },
        { bytes: [0x9d], name: 'popfd', push: -4, defines: ARITH },
      ];
    }
    const pushf: Op = { bytes: [0x9c], name: 'pushfd', reads: ARITH, push: 4 };
    if (k === 1) return [pushf];
    return [pushf, { bytes: [0x58 + g.reg(32)], name: 'pop r', push: -4 }];
  },
  // CALL and RET: call +0; pop r (reads EIP), and call over a JMP to a RET (imm16)
  (g, r) => {
    if (r.int(2) === 0)
      return [
        { bytes: [0xe8, 0, 0, 0, 0], name: 'call +0', push: 4 },
        { bytes: [0x58 + g.reg(32)], name: 'pop r', push: -4 },
      ];
    const extra = r.int(2) * 4;
    const pre: Op[] = extra ? [{ bytes: [0x6a, r.int(256)], name: 'push imm8', push: 4 }] : [];
    const ret = extra ? [0xc2, extra, 0] : [0xc3];
    return [
      ...pre,
      { bytes: [0xe8, 2, 0, 0, 0, 0xeb, ret.length, ...ret], name: 'call; jmp; ret', push: -extra },
    ];
  },
  // ENTER (levels 0-3, EBP pointed into the stack block first) and LEAVE
  (_g, r) => {
    const size = opSize(r);
    const level = r.int(4);
    const frame = 4 * r.int(5);
    return [
      movImm(5, STACK + 0x80 + 4 * r.int(16)),
      { bytes: [...prefix(size), 0xc8, frame, 0, level], name: `enter ${frame},${level}` },
      { bytes: [...prefix(size), 0xc9], name: 'leave' },
    ];
  },
  // BCD adjustments and SALC
  (_g, r) => {
    const k = r.int(7);
    if (k === 0) return [{ bytes: [0x27], name: 'daa', reads: AF | CF, defines: ARITH & ~OF, undef: OF }];
    if (k === 1) return [{ bytes: [0x2f], name: 'das', reads: AF | CF, defines: ARITH & ~OF, undef: OF }];
    if (k === 2) return [{ bytes: [0x37], name: 'aaa', reads: AF, defines: AF | CF, undef: OF | SZP }];
    if (k === 3) return [{ bytes: [0x3f], name: 'aas', reads: AF, defines: AF | CF, undef: OF | SZP }];
    const base = 1 + r.int(255);
    if (k === 4) return [{ bytes: [0xd4, base], name: `aam ${base}`, defines: SZP, undef: OF | AF | CF }];
    if (k === 5) return [{ bytes: [0xd5, r.int(256)], name: 'aad', defines: SZP, undef: OF | AF | CF }];
    return [{ bytes: [0xd6], name: 'salc', reads: CF }];
  },
  // The 82h group: 80h's byte ALU forms under another opcode (invalid in 64-bit mode)
  (g, r) => {
    const op = r.int(8);
    return [{ bytes: [0x82, ...modrm(op, g.rm(8)), r.int(256)], name: '82 group', ...aluEffect(op) }];
  },
  // XLAT from the data block
  () => [movImm(3, DATA), { bytes: [0xd7], name: 'xlat' }],
  // String instructions, with and without REP/REPE/REPNE, either direction
  (_g, r) => {
    const kinds = [
      { op: 0xa4, name: 'movs', flags: false },
      { op: 0xa6, name: 'cmps', flags: true },
      { op: 0xaa, name: 'stos', flags: false },
      { op: 0xac, name: 'lods', flags: false },
      { op: 0xae, name: 'scas', flags: true },
    ];
    const kind = r.pick(kinds);
    const width = r.int(3); // byte, dword, word
    const count = r.int(9);
    const down = r.int(2) === 1;
    const rep = r.pick([[], [0xf3], [0xf2]]);
    const bytes = [...(width === 2 ? [0x66] : []), ...rep, kind.op + (width ? 1 : 0)];
    const ran = rep.length === 0 || count > 0;
    return [
      movImm(6, DATA + 0x30 + r.int(0xa0)),
      movImm(7, DATA + 0x30 + r.int(0xa0)),
      movImm(1, count),
      { bytes: [down ? 0xfd : 0xfc], name: down ? 'std' : 'cld' },
      { bytes, name: `${rep.length ? 'rep ' : ''}${kind.name}`, defines: kind.flags && ran ? ARITH : 0 },
      movImm(6, ESI0),
    ];
  },
  // BT/BTS/BTR/BTC on memory with a register bit offset kept inside the data block
  (g, r) => {
    const size = opSize(r);
    const reg = g.reg(size);
    return [
      {
        bytes: [...prefix(size), 0x81, 0xe0 | reg, 0xff, 0x03, ...(size === 32 ? [0, 0] : [])],
        name: 'and r, 3FFh',
        defines: ARITH & ~AF,
        undef: AF,
      },
      {
        bytes: [...prefix(size), 0x0f, 0xa3 + 8 * r.int(4), ...modrm(reg, { disp: 0x80 })],
        name: 'bt* [mem], r',
        defines: CF,
        undef: OF | SF | AF | PF,
      },
    ];
  },
  // CMPXCHG8B
  (_g, r) => [{ bytes: [0x0f, 0xc7, ...modrm(1, { disp: 8 * r.int(8) })], name: 'cmpxchg8b', defines: ZF }],
  // x87 instructions (exceptions masked in every case's image)
  (_g, r) => {
    const bytes = r.pick(X87_EXACT)(r);
    return [{ bytes, name: `x87 ${hexBytes(bytes)}`, ...x87Effect(bytes) }];
  },
  // Deliberate faults and traps: UD2, INT3, INTO, BOUND, DIV by zero
  (g, r) => {
    const k = r.int(5);
    if (k === 0) return [{ bytes: [0x0f, 0x0b], name: 'ud2' }];
    if (k === 1) return [{ bytes: [0xcc], name: 'int3' }];
    if (k === 2) return [{ bytes: [0xce], name: 'into', reads: OF }];
    if (k === 3) return [{ bytes: [0x62, ...modrm(g.reg(32), { disp: 8 * r.int(8) })], name: 'bound' }];
    return [
      { bytes: [0x31, 0xc9], name: 'xor ecx, ecx', defines: ARITH & ~AF, undef: AF },
      { bytes: [0xf7, 0xf1], name: 'div ecx', undef: ARITH },
    ];
  },
];

export interface Case {
  regs: number[]; // EAX ECX EDX EBX ESP EBP ESI EDI
  flags: number;
  data: Uint8Array;
  stack: Uint8Array;
  image: number[];
  code: number[];
  /** Flags the SDM leaves undefined at the start of each instruction (by offset) and at the end. */
  undefinedAt: Map<number, number>;
  names: string[];
}

const NEAR_JCC = 0.3;

/** A random case of about `length` instructions. */
export function randomCase(r: Rng, length: number): Case {
  const g = new Gen(r);
  const regs = Array.from({ length: 8 }, () => {
    const k = r.int(4);
    return k === 0 ? r.int(256) : k === 1 ? (0x100000000 - 1 - r.int(256)) >>> 0 : r.next();
  });
  regs[4] = ESP0;
  regs[6] = ESI0;
  const data = new Uint8Array(256);
  const stack = new Uint8Array(256);
  for (let i = 0; i < 256; i++) {
    data[i] = r.int(256);
    stack[i] = r.int(256);
  }
  const image = randomImage(r);
  image[0] |= 0x3f; // every x87 exception masked
  image[4] = 0; // no exception flags pending
  const code: number[] = [];
  const names: string[] = [];
  const undefinedAt = new Map<number, number>();
  let undef = 0;
  let depth = 0; // bytes below ESP0
  const all = [...FAMILIES, ...FAMILIES_32, ...FAMILIES_32];

  /** Check a group against the current flags and stack; its flags and depth after, or undefined. */
  const effect = (group: Op[], u: number, d: number) => {
    for (const i of group) {
      if ((i.reads ?? 0) & u) return undefined;
      u = (u & ~(i.defines ?? 0)) | (i.undef ?? 0);
      d += i.push ?? 0;
      if (d < -0x38 || d > 0xa0) return undefined;
    }
    return { u, d };
  };
  const emit = (group: Op[], u: number) => {
    for (const i of group) {
      undefinedAt.set(code.length, u);
      code.push(...i.bytes);
      names.push(i.name);
      u = (u & ~(i.defines ?? 0)) | (i.undef ?? 0);
    }
  };

  while (names.length < length) {
    const group = r.pick(all)(g, r);
    const after = effect(group, undef, depth);
    if (!after) continue;
    const size = group.reduce((n, i) => n + i.bytes.length, 0);
    // Sometimes branch over the group: both paths must leave the stack alike.
    if (r.int(6) === 0 && after.d === depth && size < 120) {
      const cc = r.int(18);
      const reads = cc < 16 ? CC_READS[cc] : 0;
      if (reads & undef) continue;
      const near = cc < 16 && r.int(10) < NEAR_JCC * 10;
      const branch =
        cc === 16
          ? [0xe3, size] // JECXZ
          : cc === 17
            ? [0xe2, size] // LOOP
            : near
              ? [0x0f, 0x80 + cc, ...le32(size)]
              : [0x70 + cc, size];
      emit([{ bytes: branch, name: cc === 16 ? 'jecxz' : cc === 17 ? 'loop' : `j${cc}`, reads }], undef);
      emit(group, undef);
      undef |= after.u;
      continue;
    }
    emit(group, undef);
    undef = after.u;
    depth = after.d;
  }
  undefinedAt.set(code.length, undef);
  return { regs, flags: r.next() & FLAGS_MASK, data, stack, image, code, undefinedAt, names };
}

/** The harness's input line for a case. */
export function caseLine(c: Case): string {
  return [
    ...c.regs.map((v) => hex(v, 8)),
    hex(c.flags, 3),
    hexBytes(c.data),
    hexBytes(c.stack),
    hexBytes(c.image),
    hexBytes(c.code),
  ].join(' ');
}

/** A result line with the flags undefined at its end (or at the faulting instruction) cleared. */
export function maskLine(line: string, c: Case): string {
  const f = line.split(' ');
  const fault = f[0] === 'fault';
  const at = fault ? Number.parseInt(f[2], 16) : c.code.length;
  const flagsField = fault ? 11 : 9;
  const undef = c.undefinedAt.get(at) ?? c.undefinedAt.get(c.code.length) ?? ARITH;
  if (f.length > flagsField) f[flagsField] = hex(Number.parseInt(f[flagsField], 16) & ~undef, 3);
  return f.join(' ');
}

export { WIDE_REGS };

/** A case back from its input line (for kept regressions: no flag bookkeeping, so every arithmetic flag is masked). */
export function caseFromLine(line: string): Case {
  const f = line.trim().split(' ');
  const bytes = (s: string) => Uint8Array.from(s.match(/../g) ?? [], (b) => Number.parseInt(b, 16));
  return {
    regs: f.slice(0, 8).map((v) => Number.parseInt(v, 16) >>> 0),
    flags: Number.parseInt(f[8], 16),
    data: bytes(f[9]),
    stack: bytes(f[10]),
    image: [...bytes(f[11])],
    code: [...bytes(f[12])],
    undefinedAt: new Map(),
    names: ['(kept case)'],
  };
}
