// The opcode table: one declarative row per opcode (or opcode family), read once at load
// time into two flat arrays indexed by opcode (0-255 one-byte, 0x100 | b for 0F b):
// DECODE (what the decoder fetches) and EXEC (the handler). The run loop dispatches
// through EXEC[op] — one monomorphic indexed call per instruction.
import type { Cpu } from '../cpu.js';
import * as A from '../exec/arith.js';
import * as B from '../exec/bcd.js';
import * as C from '../exec/control.js';
import * as D from '../exec/data.js';
import * as I from '../exec/io.js';
import * as L from '../exec/logic.js';
import * as M from '../exec/msr.js';
import * as K from '../exec/shift.js';
import * as T from '../exec/stack.js';
import * as Str from '../exec/string.js';
import * as Y from '../exec/system.js';
import { CS, DS, ES, FS, GS, SS } from '../state.js';
import * as X from '../x87/escape.js';

export type Handler = (c: Cpu) => void;

// Immediate kinds (what follows the opcode and ModRM).
export const IMM_NONE = 0;
export const IMM_IB = 1; // imm8
export const IMM_IBS = 2; // imm8 sign-extended
export const IMM_IW = 3; // imm16
export const IMM_IZ = 4; // imm16 or imm32 by operand size
export const IMM_AP = 5; // far pointer: offset (16/32) then selector
export const IMM_MO = 6; // memory offset (16/32 by address size)
export const IMM_IWIB = 7; // ENTER: imm16, imm8
export const IMM_GRP3B = 8; // F6: imm8 only for /0 and /1 (TEST)
export const IMM_GRP3V = 9; // F7: imm16/32 only for /0 and /1

export interface OpRow {
  /** Opcode(s): 0x00-0xff, or 0x100 | b for 0F b. */
  op: number | readonly number[];
  name: string;
  /** A ModRM byte follows ('reg' = the mod field is ignored, always a register: MOV CRn). */
  modrm?: boolean | 'reg';
  imm?: number;
  /** The operand size (66 prefix / CS.D) changes the operation. */
  osz?: boolean;
  /** LOCK is permitted (with a memory destination; groups narrow it in lockAllowed). */
  lock?: boolean;
  exec: Handler;
}

const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);
const ALU_NAMES = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'];

const aluRows: OpRow[] = ALU_NAMES.flatMap((name, k) => {
  const base = k * 8;
  const lock = k !== 7;
  return [
    { op: base, name: `${name} Eb,Gb`, modrm: true, lock, exec: A.aluEbGb(k) },
    { op: base + 1, name: `${name} Ev,Gv`, modrm: true, osz: true, lock, exec: A.aluEvGv(k) },
    { op: base + 2, name: `${name} Gb,Eb`, modrm: true, exec: A.aluGbEb(k) },
    { op: base + 3, name: `${name} Gv,Ev`, modrm: true, osz: true, exec: A.aluGvEv(k) },
    { op: base + 4, name: `${name} AL,Ib`, imm: IMM_IB, exec: A.aluALIb(k) },
    { op: base + 5, name: `${name} eAX,Iz`, imm: IMM_IZ, osz: true, exec: A.aluAXIz(k) },
  ];
});

export const ROWS: readonly OpRow[] = [
  ...aluRows,
  { op: 0x06, name: 'push es', osz: true, exec: T.pushSeg(ES) },
  { op: 0x07, name: 'pop es', osz: true, exec: T.popSeg(ES) },
  { op: 0x0e, name: 'push cs', osz: true, exec: T.pushSeg(CS) },
  { op: 0x16, name: 'push ss', osz: true, exec: T.pushSeg(SS) },
  { op: 0x17, name: 'pop ss', osz: true, exec: T.popSeg(SS) },
  { op: 0x1e, name: 'push ds', osz: true, exec: T.pushSeg(DS) },
  { op: 0x1f, name: 'pop ds', osz: true, exec: T.popSeg(DS) },
  { op: 0x27, name: 'daa', exec: B.daa },
  { op: 0x2f, name: 'das', exec: B.das },
  { op: 0x37, name: 'aaa', exec: B.asciiAdjust(false) },
  { op: 0x3f, name: 'aas', exec: B.asciiAdjust(true) },
  { op: range(0x40, 8), name: 'inc r', osz: true, exec: A.incDecReg(false) },
  { op: range(0x48, 8), name: 'dec r', osz: true, exec: A.incDecReg(true) },
  { op: range(0x50, 8), name: 'push r', osz: true, exec: T.pushReg },
  { op: range(0x58, 8), name: 'pop r', osz: true, exec: T.popReg },
  { op: 0x60, name: 'pusha', osz: true, exec: T.pusha },
  { op: 0x61, name: 'popa', osz: true, exec: T.popa },
  { op: 0x62, name: 'bound Gv,Ma', modrm: true, osz: true, exec: C.bound },
  { op: 0x63, name: 'arpl Ew,Gw', modrm: true, exec: Y.arpl },
  { op: 0x68, name: 'push Iz', imm: IMM_IZ, osz: true, exec: T.pushImm },
  { op: 0x69, name: 'imul Gv,Ev,Iz', modrm: true, imm: IMM_IZ, osz: true, exec: A.imulGvEvI },
  { op: 0x6a, name: 'push Ib', imm: IMM_IBS, osz: true, exec: T.pushImm },
  { op: 0x6b, name: 'imul Gv,Ev,Ib', modrm: true, imm: IMM_IBS, osz: true, exec: A.imulGvEvI },
  { op: [0x6c, 0x6d], name: 'ins', osz: true, exec: Str.ins },
  { op: [0x6e, 0x6f], name: 'outs', osz: true, exec: Str.outs },
  { op: range(0x70, 16), name: 'jcc rel8', imm: IMM_IBS, exec: C.jcc },
  { op: [0x80, 0x82], name: 'grp1 Eb,Ib', modrm: true, imm: IMM_IB, lock: true, exec: A.grp1Eb },
  { op: 0x81, name: 'grp1 Ev,Iz', modrm: true, imm: IMM_IZ, osz: true, lock: true, exec: A.grp1Ev },
  { op: 0x83, name: 'grp1 Ev,Ib', modrm: true, imm: IMM_IBS, osz: true, lock: true, exec: A.grp1Ev },
  { op: 0x84, name: 'test Eb,Gb', modrm: true, exec: L.testEbGb },
  { op: 0x85, name: 'test Ev,Gv', modrm: true, osz: true, exec: L.testEvGv },
  { op: 0x86, name: 'xchg Eb,Gb', modrm: true, lock: true, exec: D.xchgEbGb },
  { op: 0x87, name: 'xchg Ev,Gv', modrm: true, osz: true, lock: true, exec: D.xchgEvGv },
  { op: 0x88, name: 'mov Eb,Gb', modrm: true, exec: D.movEbGb },
  { op: 0x89, name: 'mov Ev,Gv', modrm: true, osz: true, exec: D.movEvGv },
  { op: 0x8a, name: 'mov Gb,Eb', modrm: true, exec: D.movGbEb },
  { op: 0x8b, name: 'mov Gv,Ev', modrm: true, osz: true, exec: D.movGvEv },
  { op: 0x8c, name: 'mov Ew,Sw', modrm: true, osz: true, exec: D.movEwSw },
  { op: 0x8d, name: 'lea Gv,M', modrm: true, osz: true, exec: D.lea },
  { op: 0x8e, name: 'mov Sw,Ew', modrm: true, exec: D.movSwEw },
  { op: 0x8f, name: 'pop Ev', modrm: true, osz: true, exec: T.popEv },
  { op: 0x90, name: 'nop', exec: D.nop },
  { op: range(0x91, 7), name: 'xchg eAX,r', osz: true, exec: D.xchgAx },
  { op: 0x98, name: 'cbw/cwde', osz: true, exec: A.cbw },
  { op: 0x99, name: 'cwd/cdq', osz: true, exec: A.cwd },
  { op: 0x9a, name: 'call Ap', imm: IMM_AP, osz: true, exec: C.callFarImm },
  { op: 0x9b, name: 'wait', exec: X.fwait },
  { op: 0x9c, name: 'pushf', osz: true, exec: T.pushf },
  { op: 0x9d, name: 'popf', osz: true, exec: T.popf },
  { op: 0x9e, name: 'sahf', exec: D.sahf },
  { op: 0x9f, name: 'lahf', exec: D.lahf },
  { op: range(0xa0, 4), name: 'mov moffs', imm: IMM_MO, osz: true, exec: D.movMoffs },
  { op: [0xa4, 0xa5], name: 'movs', osz: true, exec: Str.movs },
  { op: [0xa6, 0xa7], name: 'cmps', osz: true, exec: Str.cmps },
  { op: 0xa8, name: 'test AL,Ib', imm: IMM_IB, exec: L.testALIb },
  { op: 0xa9, name: 'test eAX,Iz', imm: IMM_IZ, osz: true, exec: L.testAXIz },
  { op: [0xaa, 0xab], name: 'stos', osz: true, exec: Str.stos },
  { op: [0xac, 0xad], name: 'lods', osz: true, exec: Str.lods },
  { op: [0xae, 0xaf], name: 'scas', osz: true, exec: Str.scas },
  { op: range(0xb0, 8), name: 'mov r8,Ib', imm: IMM_IB, exec: D.movRbIb },
  { op: range(0xb8, 8), name: 'mov r,Iz', imm: IMM_IZ, osz: true, exec: D.movRvIz },
  { op: [0xc0, 0xc1], name: 'grp2 E,Ib', modrm: true, imm: IMM_IB, osz: true, exec: K.grp2 },
  { op: 0xc2, name: 'ret Iw', imm: IMM_IW, osz: true, exec: C.retNear },
  { op: 0xc3, name: 'ret', osz: true, exec: C.retNear },
  { op: 0xc4, name: 'les Gv,Mp', modrm: true, osz: true, exec: D.loadFarPointer(ES) },
  { op: 0xc5, name: 'lds Gv,Mp', modrm: true, osz: true, exec: D.loadFarPointer(DS) },
  { op: 0xc6, name: 'mov Eb,Ib', modrm: true, imm: IMM_IB, exec: D.movEbIb },
  { op: 0xc7, name: 'mov Ev,Iz', modrm: true, imm: IMM_IZ, osz: true, exec: D.movEvIz },
  { op: 0xc8, name: 'enter Iw,Ib', imm: IMM_IWIB, osz: true, exec: T.enter },
  { op: 0xc9, name: 'leave', osz: true, exec: T.leave },
  { op: 0xca, name: 'retf Iw', imm: IMM_IW, osz: true, exec: C.retFar },
  { op: 0xcb, name: 'retf', osz: true, exec: C.retFar },
  { op: 0xcc, name: 'int3', exec: C.int3 },
  { op: 0xcd, name: 'int Ib', imm: IMM_IB, exec: C.intImm },
  { op: 0xce, name: 'into', exec: C.into },
  { op: 0xcf, name: 'iret', osz: true, exec: C.iret },
  { op: [0xd0, 0xd1, 0xd2, 0xd3], name: 'grp2 E,1/CL', modrm: true, osz: true, exec: K.grp2 },
  { op: 0xd4, name: 'aam Ib', imm: IMM_IB, exec: B.aam },
  { op: 0xd5, name: 'aad Ib', imm: IMM_IB, exec: B.aad },
  { op: 0xd6, name: 'salc', exec: D.salc },
  { op: 0xd7, name: 'xlat', exec: D.xlat },
  { op: range(0xd8, 8), name: 'esc (x87)', modrm: true, exec: X.x87Escape },
  { op: range(0xe0, 4), name: 'loop/jcxz', imm: IMM_IBS, exec: C.loop },
  { op: [0xe4, 0xe5], name: 'in acc,Ib', imm: IMM_IB, osz: true, exec: I.inAcc },
  { op: [0xe6, 0xe7], name: 'out Ib,acc', imm: IMM_IB, osz: true, exec: I.outAcc },
  { op: 0xe8, name: 'call Jz', imm: IMM_IZ, osz: true, exec: C.callRel },
  { op: 0xe9, name: 'jmp Jz', imm: IMM_IZ, osz: true, exec: C.jmpRel },
  { op: 0xea, name: 'jmp Ap', imm: IMM_AP, osz: true, exec: C.jmpFarImm },
  { op: 0xeb, name: 'jmp Jb', imm: IMM_IBS, exec: C.jmpRel },
  { op: [0xec, 0xed], name: 'in acc,DX', osz: true, exec: I.inAcc },
  { op: [0xee, 0xef], name: 'out DX,acc', osz: true, exec: I.outAcc },
  { op: 0xf1, name: 'icebp', exec: C.icebp },
  { op: 0xf4, name: 'hlt', exec: Y.hlt },
  { op: [0xf5, 0xf8, 0xf9, 0xfc, 0xfd], name: 'cmc/clc/stc/cld/std', exec: D.flagOp },
  { op: 0xf6, name: 'grp3 Eb', modrm: true, imm: IMM_GRP3B, lock: true, exec: A.grp3Eb },
  { op: 0xf7, name: 'grp3 Ev', modrm: true, imm: IMM_GRP3V, osz: true, lock: true, exec: A.grp3Ev },
  { op: [0xfa, 0xfb], name: 'cli/sti', exec: Y.cliSti },
  { op: 0xfe, name: 'grp4 Eb', modrm: true, lock: true, exec: C.grp4 },
  { op: 0xff, name: 'grp5 Ev', modrm: true, osz: true, lock: true, exec: C.grp5 },
  // 0F xx
  { op: 0x100, name: 'grp6', modrm: true, exec: Y.grp6 },
  { op: 0x101, name: 'grp7', modrm: true, osz: true, exec: Y.grp7 },
  { op: [0x102, 0x103], name: 'lar/lsl Gv,Ew', modrm: true, osz: true, exec: Y.larLsl },
  { op: 0x106, name: 'clts', exec: Y.clts },
  { op: [0x108, 0x109], name: 'invd/wbinvd', exec: Y.cacheControl },
  { op: 0x10b, name: 'ud2', exec: Y.invalid },
  // P6 hint-NOP space (0F 1F /0 is the documented multi-byte NOP): a ModRM and its displacement
  // are decoded, the memory operand is never accessed, so nothing faults (SDM 2B "NOP").
  { op: range(0x118, 8), name: 'nop Ev (hint)', modrm: true, osz: true, exec: D.nop },
  { op: range(0x120, 4), name: 'mov CRn/DRn', modrm: 'reg', exec: Y.movControl },
  { op: 0x130, name: 'wrmsr', exec: M.wrmsr },
  { op: 0x131, name: 'rdtsc', exec: M.rdtsc },
  { op: 0x132, name: 'rdmsr', exec: M.rdmsr },
  { op: 0x133, name: 'rdpmc', exec: M.rdpmc },
  { op: 0x134, name: 'sysenter', exec: C.sysenter },
  { op: 0x135, name: 'sysexit', exec: C.sysexit },
  { op: range(0x140, 16), name: 'cmovcc Gv,Ev', modrm: true, osz: true, exec: D.cmovcc },
  { op: range(0x180, 16), name: 'jcc Jz', imm: IMM_IZ, osz: true, exec: C.jcc },
  { op: range(0x190, 16), name: 'setcc Eb', modrm: true, exec: L.setcc },
  { op: 0x1a0, name: 'push fs', osz: true, exec: T.pushSeg(FS) },
  { op: 0x1a1, name: 'pop fs', osz: true, exec: T.popSeg(FS) },
  { op: 0x1a2, name: 'cpuid', exec: Y.cpuid },
  { op: 0x1a3, name: 'bt Ev,Gv', modrm: true, osz: true, exec: L.btEvGv(0) },
  { op: 0x1a4, name: 'shld Ev,Gv,Ib', modrm: true, imm: IMM_IB, osz: true, exec: K.shiftDouble },
  { op: 0x1a5, name: 'shld Ev,Gv,CL', modrm: true, osz: true, exec: K.shiftDouble },
  { op: 0x1a8, name: 'push gs', osz: true, exec: T.pushSeg(GS) },
  { op: 0x1a9, name: 'pop gs', osz: true, exec: T.popSeg(GS) },
  { op: 0x1ab, name: 'bts Ev,Gv', modrm: true, osz: true, lock: true, exec: L.btEvGv(1) },
  { op: 0x1ac, name: 'shrd Ev,Gv,Ib', modrm: true, imm: IMM_IB, osz: true, exec: K.shiftDouble },
  { op: 0x1ad, name: 'shrd Ev,Gv,CL', modrm: true, osz: true, exec: K.shiftDouble },
  { op: 0x1af, name: 'imul Gv,Ev', modrm: true, osz: true, exec: A.imulGvEv },
  { op: [0x1b0, 0x1b1], name: 'cmpxchg', modrm: true, osz: true, lock: true, exec: A.cmpxchg },
  { op: 0x1b2, name: 'lss Gv,Mp', modrm: true, osz: true, exec: D.loadFarPointer(SS) },
  { op: 0x1b3, name: 'btr Ev,Gv', modrm: true, osz: true, lock: true, exec: L.btEvGv(2) },
  { op: 0x1b4, name: 'lfs Gv,Mp', modrm: true, osz: true, exec: D.loadFarPointer(FS) },
  { op: 0x1b5, name: 'lgs Gv,Mp', modrm: true, osz: true, exec: D.loadFarPointer(GS) },
  { op: [0x1b6, 0x1b7, 0x1be, 0x1bf], name: 'movzx/movsx', modrm: true, osz: true, exec: D.movx },
  { op: 0x1ba, name: 'grp8 Ev,Ib', modrm: true, imm: IMM_IB, osz: true, lock: true, exec: L.grp8 },
  { op: 0x1bb, name: 'btc Ev,Gv', modrm: true, osz: true, lock: true, exec: L.btEvGv(3) },
  { op: 0x1bc, name: 'bsf Gv,Ev', modrm: true, osz: true, exec: L.bitScan(false) },
  { op: 0x1bd, name: 'bsr Gv,Ev', modrm: true, osz: true, exec: L.bitScan(true) },
  { op: [0x1c0, 0x1c1], name: 'xadd', modrm: true, osz: true, lock: true, exec: A.xadd },
  { op: 0x1c7, name: 'grp9 (cmpxchg8b Mq)', modrm: true, lock: true, exec: A.cmpxchg8b },
  { op: range(0x1c8, 8), name: 'bswap r32', exec: D.bswap },
];

/** Decoder bits per opcode: bit 0 ModRM, bits 1-4 immediate kind, bit 5 LOCK allowed, bit 6 register-only ModRM. */
export const DECODE = new Uint8Array(512);
export const EXEC: Handler[] = new Array<Handler>(512).fill(Y.invalid);
export const NAMES: string[] = new Array<string>(512).fill('(bad)');

for (const row of ROWS) {
  const ops = typeof row.op === 'number' ? [row.op] : row.op;
  for (const op of ops) {
    if (NAMES[op] !== '(bad)') throw new Error(`opcode 0x${op.toString(16)} described twice`);
    DECODE[op] =
      (row.modrm ? 1 : 0) | ((row.imm ?? 0) << 1) | (row.lock ? 0x20 : 0) | (row.modrm === 'reg' ? 0x40 : 0);
    EXEC[op] = row.exec;
    NAMES[op] = row.name;
  }
}

/**
 * Whether a LOCK prefix is valid on opcode `op` (else #UD): a read-modify-write instruction
 * that allows it (DECODE bit 5) with a memory destination, and in groups only the lockable rows
 * (not CMP of 80-83, TEST/MUL/DIV of F6/F7, CALL/JMP/PUSH of FE/FF, BT of 0F BA).
 */
export function lockAllowed(op: number, isMem: boolean, reg: number): boolean {
  if ((DECODE[op] & 0x20) === 0 || !isMem) return false;
  if (op >= 0x80 && op <= 0x83) return reg !== 7;
  if (op === 0xf6 || op === 0xf7) return reg === 2 || reg === 3;
  if (op === 0xfe || op === 0xff) return reg <= 1;
  if (op === 0x1ba) return reg >= 5;
  return true;
}

/**
 * Opcode classes the run loop dispatches with direct calls (0: through EXEC). These are the
 * most frequent one-byte opcodes of ordinary code; the handlers are the same as in EXEC.
 */
export const HOT_ALU = 1; // 00-3D: six encodings (+ class offset 0-5) of the eight ALU operations
export const HOT_INC = 7;
export const HOT_DEC = 8;
export const HOT_JCC = 9;
export const HOT_MOV_EB_GB = 10;
export const HOT_MOV_EV_GV = 11;
export const HOT_MOV_GB_EB = 12;
export const HOT_MOV_GV_EV = 13;
export const HOT_GRP1_EV = 14;
export const HOT_MOV_R_IZ = 15;
export const HOT_JMP = 16;
export const HOT_PUSH = 17;
export const HOT_POP = 18;
export const HOT_GRP1_EB = 19;
export const HOT_MOV_E_I = 20;
export const HOT_TEST_EV_GV = 21;
export const HOT_LEA = 22;
export const HOT_CALL = 23;
export const HOT_RET = 24;
export const HOT_LOOP = 25;
export const HOT = new Uint8Array(256);
for (let k = 0; k < 8; k++) for (let e = 0; e < 6; e++) HOT[k * 8 + e] = HOT_ALU + e;
for (let r = 0; r < 8; r++) {
  HOT[0x40 + r] = HOT_INC;
  HOT[0x48 + r] = HOT_DEC;
  HOT[0x50 + r] = HOT_PUSH;
  HOT[0x58 + r] = HOT_POP;
  HOT[0xb8 + r] = HOT_MOV_R_IZ;
}
for (let cc = 0; cc < 16; cc++) HOT[0x70 + cc] = HOT_JCC;
HOT[0x88] = HOT_MOV_EB_GB;
HOT[0x89] = HOT_MOV_EV_GV;
HOT[0x8a] = HOT_MOV_GB_EB;
HOT[0x8b] = HOT_MOV_GV_EV;
HOT[0x81] = HOT_GRP1_EV;
HOT[0x83] = HOT_GRP1_EV;
HOT[0xeb] = HOT_JMP;
HOT[0x80] = HOT_GRP1_EB;
HOT[0xc6] = HOT_MOV_E_I;
HOT[0xc7] = HOT_MOV_E_I;
HOT[0x85] = HOT_TEST_EV_GV;
HOT[0x8d] = HOT_LEA;
HOT[0xe8] = HOT_CALL;
HOT[0xc3] = HOT_RET;
HOT[0xe2] = HOT_LOOP;
