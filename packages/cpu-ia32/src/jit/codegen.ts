// JavaScript generation for one block. Instructions of the common integer subset (MOV, MOVZX,
// MOVSX, the ALU operations, INC/DEC, TEST, IMUL, LEA, XCHG, PUSH/POP r, near branches) become
// straight-line code with the soft-TLB hit path inlined; every other instruction calls the
// interpreter's own handler with the fields its decoder would have filled (so its semantics are
// the interpreter's by construction).
//
// Within a block the guest registers live in JavaScript locals (r0..r7) and the lazy-flag state
// of the last flag-writing instruction lives in its operands' locals: nothing is written to the
// CPU object on the fast path. Both are written back ("synced") only where something outside
// the block may look: at exits, before an interpreter handler, and on the slow path of a memory
// access (the only place an inlined instruction can fault). Each inlined instruction writes its
// registers after its last access that may fault, and the slow path records the instruction's
// index and EIP, so a guest fault leaves exactly the interpreter's state.
import { KEEPS_ESP, LAZY_ADD, LAZY_LOGIC, LAZY_SUB } from '../cpu.js';
import { EXEC, type Handler } from '../decode/table.js';
import { jmpRel } from '../exec/control.js';
import { AF, ARITH, CF, DF, DS, ES, OF, PF, SF, SS, ZF } from '../state.js';
import type { Insn } from './decode.js';

/** How generated code reaches memory (chosen per CPU mode; part of the block's key). */
export const MEM_FLAT = 0; // paging off: A20-masked physical address, RAM indexed directly
export const MEM_TLB = 1; // paging on through Ia32Mmu's soft TLB
export const MEM_SLOW = 2; // anything else: the interpreter's accessors

export interface BlockShape {
  start: number;
  insns: Insn[];
  memKind: number;
  /** CPL 3: the user TLB arrays. */
  user: boolean;
  /** The CPL (part of the mode key). */
  cpl: number;
  /** Protected mode outside v86 mode (CR0.PE set, EFLAGS.VM clear; part of the mode key). */
  protectedMode: boolean;
  /** SS.B: 32-bit stack pointer. */
  stack32: boolean;
  /**
   * Segments (bit per index) flat for data while the block runs (Cpu.flatSegs of ES, SS, DS, in
   * the mode key): their accesses skip base and limit. 0 when the block may load a segment.
   */
  flatSegs: number;
}

/** Opcodes that load ES, SS, DS, FS or GS through a handler (POP Sreg, MOV Sreg, LxS). */
const SEGMENT_LOADS = new Set([0x07, 0x17, 0x1f, 0x8e, 0xc4, 0xc5, 0x1a1, 0x1a9, 0x1b2, 0x1b4, 0x1b5]);

/** The flat segments a block may rely on: none when one of its instructions loads a segment. */
export function flatSegmentsFor(insns: readonly Insn[], flatSegs: number): number {
  return insns.some((i) => SEGMENT_LOADS.has(i.op)) ? 0 : flatSegs;
}

/** Opcodes whose handler, in register form, only reads and writes registers and flags. */
const PURE_REG = new Uint8Array(512);
for (let k = 0; k < 8; k++) for (let e = 0; e < 6; e++) PURE_REG[k * 8 + e] = 1;
for (const op of [0x27, 0x2f, 0x37, 0x3f, 0x69, 0x6b, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8b, 0x8d])
  PURE_REG[op] = 1;
for (let op = 0x40; op < 0x50; op++) PURE_REG[op] = 1;
for (let op = 0x90; op < 0x9a; op++) PURE_REG[op] = 1;
for (const op of [0x9e, 0x9f, 0xa8, 0xa9, 0xc0, 0xc1, 0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6])
  PURE_REG[op] = 1;
for (let op = 0xb0; op < 0xc0; op++) PURE_REG[op] = 1;
for (const op of [0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfc, 0xfd, 0xfe]) PURE_REG[op] = 1;
for (let b = 0x40; b < 0x50; b++) PURE_REG[0x100 | b] = 1; // CMOVcc
for (let b = 0x90; b < 0xa0; b++) PURE_REG[0x100 | b] = 1; // SETcc
for (let b = 0xc8; b < 0xd0; b++) PURE_REG[0x100 | b] = 1; // BSWAP
// RDTSC: EDX:EAX from the clock (the run's count at the instruction, as the fallback records it);
// with paging on it ended every block (Linux's delay loop and sched_clock read it constantly).
PURE_REG[0x131] = 1;
for (const b of [
  0xa3, 0xa4, 0xa5, 0xab, 0xac, 0xad, 0xaf, 0xb0, 0xb1, 0xb3, 0xb6, 0xb7, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf,
  0xc0, 0xc1,
])
  PURE_REG[0x100 | b] = 1;

/** Near branches whose only effect is EIP (and ECX for LOOP): a block may loop back through them. */
function isNearBranch(op: number): boolean {
  return (
    (op >= 0x70 && op < 0x80) ||
    (op >= 0x180 && op < 0x190) ||
    op === 0xeb ||
    op === 0xe9 ||
    (op >= 0xe0 && op <= 0xe3)
  );
}

/** Jcc rel8 / rel16/32, LOOP/LOOPE/LOOPNE, JCXZ: a block goes on past them (a taken branch leaves it). */
export function isJcc(op: number): boolean {
  return (op >= 0x70 && op < 0x80) || (op >= 0x180 && op < 0x190) || (op >= 0xe0 && op <= 0xe3);
}

/** A Jcc (not LOOP) a block may turn into an if over the instructions it skips. */
export function isForwardJcc(i: Insn): boolean {
  const op = i.op;
  return (
    ((op >= 0x70 && op < 0x80) || (op >= 0x180 && op < 0x190) || op === 0xe3) && branchTarget(i) > i.next
  );
}

/** Longest stretch (bytes) a forward Jcc may skip and still become an if inside the block. */
export const MAX_SKIP = 64;

/**
 * For each forward Jcc whose target is an instruction of the block reached by falling through
 * (contiguous, no followed JMP) and nested within any enclosing such stretch: the index of that
 * target. The block then runs the skipped instructions under an if and both paths go on there.
 */
export function joinPoints(insns: Insn[]): Int32Array {
  const join = new Int32Array(insns.length).fill(-1);
  const open: number[] = [];
  for (let x = 0; x < insns.length; x++) {
    while (open.length > 0 && open[open.length - 1] <= x) open.pop();
    const i = insns[x];
    if (!isForwardJcc(i)) continue;
    const target = branchTarget(i);
    if (target - i.next > MAX_SKIP) continue;
    let y = x + 1;
    while (y < insns.length && insns[y].ip !== target) {
      if (insns[y - 1].next !== insns[y].ip || insns[y - 1].followed) break;
      y++;
    }
    if (y >= insns.length || insns[y].ip !== target || insns[y - 1].next !== target) continue;
    if (insns[y - 1].followed) continue;
    if (open.length > 0 && y > open[open.length - 1]) continue;
    join[x] = y;
    open.push(y);
  }
  return join;
}

/** JMP rel8 / rel16/32 (a trace may follow it within the page). */
export function isJmp(op: number): boolean {
  return op === 0xeb || op === 0xe9;
}

/** The target EIP of a relative branch. */
export function branchTarget(i: Insn): number {
  return i.opsize32 ? (i.next + i.imm) >>> 0 : (i.next + i.imm) & 0xffff;
}

/**
 * Opcodes whose handler touches memory but neither transfers control nor changes what a block
 * bakes in (mode, stack size, interrupt shadow, TF/IF): string instructions without REP, segment
 * register stores and loads other than SS, PUSH/POP of data segments, LES/LDS, XLAT, POP r/m,
 * PUSHA/POPA, PUSHF, ENTER/LEAVE. With paging off a block goes on past them (an access that
 * reaches a device sets `jitExit`, which ends the block after the instruction, as an inlined
 * slow path does).
 */
const MEMORY_DATA = new Uint8Array(512);
for (const op of [
  0x06, 0x07, 0x0e, 0x16, 0x1e, 0x1f, 0x60, 0x61, 0x8c, 0x8f, 0x9c, 0xa4, 0xa5, 0xa6, 0xa7, 0xaa, 0xab, 0xac,
  0xad, 0xae, 0xaf, 0xc4, 0xc5, 0xc8, 0xc9, 0xd7, 0x1a0, 0x1a1, 0x1a8, 0x1a9,
])
  MEMORY_DATA[op] = 1;

/** x87 escapes (D8-DF) and WAIT: the FPU's state only, through its handlers. */
function isX87(op: number): boolean {
  return (op >= 0xd8 && op <= 0xdf) || op === 0x9b;
}

/** True when a handler-run instruction leaves the block's mode and control flow alone. */
function continuesBlock(i: Insn, flat: boolean): boolean {
  if (i.rep !== 0) return false;
  // (An x87 exception reported through FERR# calls the board's hook, which sets jitExit.)
  if (PURE_REG[i.op] === 1 || isX87(i.op)) return !i.isMem || flat;
  if (!flat) return false;
  if (MEMORY_DATA[i.op] === 1) return true;
  if (i.op === 0x8e) return i.reg !== 1 && i.reg !== 2; // not CS (#UD) or SS (shadow, stack size)
  // INC/DEC r/m8; INC/DEC/PUSH r/m (not the indirect CALL/JMP forms)
  if (i.op === 0xfe) return i.reg <= 1;
  if (i.op === 0xff) return i.reg <= 1 || i.reg === 6;
  return false;
}

/**
 * True when the block must end after this instruction (it may transfer control or change
 * mode). `flat`: paging is off (the memory-touching handlers of MEMORY_DATA may go on).
 */
export function endsBlock(i: Insn, flat = false): boolean {
  const kind = inlineKind(i);
  if (kind === INL_CALL || kind === INL_RET) return true;
  if (kind !== INL_NONE || isJcc(i.op)) return false;
  return !continuesBlock(i, flat);
}

/**
 * True when the block's code calls no interpreter handler except on a path that faults (a
 * branch target beyond the CS limit): running it cannot change the CPU mode, so the chaining
 * loop need not recompute it.
 */
export function inlinedOnly(insns: readonly Insn[]): boolean {
  return insns.every((i) => inlineKind(i) !== INL_NONE || isJcc(i.op) || isJmp(i.op));
}

export const INL_NONE = 0;
export const INL_ALU = 1; // 00-3D
export const INL_GRP1 = 2; // 80-83
export const INL_INCDEC = 3;
export const INL_MOV = 4; // 88-8B
export const INL_MOVI = 5; // B0-BF, C6/C7 /0
export const INL_TEST = 6; // 84, 85, A8, A9, F6/F7 /0 /1
export const INL_LEA = 7;
export const INL_PUSH = 8;
export const INL_POP = 9;
export const INL_NOP = 10;
export const INL_MOVX = 11; // 0F B6/B7/BE/BF
export const INL_IMUL = 12; // 0F AF, 69, 6B
export const INL_XCHG = 13; // 91-97, 86/87 register form
export const INL_SETCC = 14; // 0F 90-9F
export const INL_CMOV = 15; // 0F 40-4F
export const INL_MUL = 16; // F6/F7 /4 /5, 8 and 16 bits
export const INL_SHIFT = 17; // C0/C1/D0/D1 /4 /5 /6 /7 by a non-zero count
export const INL_PUSHI = 18; // 68, 6A
export const INL_JMP = 19; // a JMP the trace followed (the next instruction is its target)
export const INL_CALL = 20; // E8 (ends the block)
export const INL_RET = 21; // C3, C2 imm16 (ends the block)
export const INL_STRING = 22; // MOVS, STOS, LODS, SCAS without REP (A4/A5, AA-AF)
export const INL_SHIFT_CL = 23; // D2/D3 /4 /5 /6 /7: SHL/SHR/SAR by CL (a zero count leaves the flags)

export function inlineKind(i: Insn): number {
  const op = i.op;
  if (i.rep !== 0 && op !== 0x90) return INL_NONE;
  if (op < 0x40 && (op & 7) < 6) return INL_ALU;
  if ((op >= 0x40 && op < 0x50) || ((op === 0xfe || op === 0xff) && i.reg <= 1)) return INL_INCDEC;
  if (op >= 0x50 && op < 0x58) return INL_PUSH;
  if (op >= 0x58 && op < 0x60) return INL_POP;
  if (op >= 0x80 && op <= 0x83) return INL_GRP1;
  if (op === 0x84 || op === 0x85 || op === 0xa8 || op === 0xa9) return INL_TEST;
  if ((op === 0xf6 || op === 0xf7) && i.reg < 2) return INL_TEST; // TEST r/m, imm (/1 aliases /0)
  if (op >= 0x88 && op <= 0x8b) return INL_MOV;
  if (op === 0x8d) return i.isMem ? INL_LEA : INL_NONE;
  if (op === 0x90) return INL_NOP;
  if (op > 0x90 && op < 0x98) return INL_XCHG;
  if ((op === 0x86 || op === 0x87) && !i.isMem) return INL_XCHG;
  if (op >= 0xb0 && op < 0xc0) return INL_MOVI;
  if ((op === 0xc6 || op === 0xc7) && i.reg === 0) return INL_MOVI;
  if (op === 0x1b6 || op === 0x1b7 || op === 0x1be || op === 0x1bf) return INL_MOVX;
  if (op === 0x1af || op === 0x69 || op === 0x6b) return INL_IMUL;
  if (op >= 0x190 && op < 0x1a0) return INL_SETCC;
  if (op >= 0x140 && op < 0x150) return INL_CMOV;
  if ((op === 0xf6 || (op === 0xf7 && !i.opsize32)) && (i.reg === 4 || i.reg === 5)) return INL_MUL;
  if (op >= 0xc0 && op <= 0xd1 && (op <= 0xc1 || op >= 0xd0) && i.reg >= 4 && shiftCount(i) !== 0)
    return INL_SHIFT;
  if ((op === 0xd2 || op === 0xd3) && i.reg >= 4) return INL_SHIFT_CL;
  if (op === 0x68 || op === 0x6a) return INL_PUSHI;
  if (op === 0xa4 || op === 0xa5 || (op >= 0xaa && op <= 0xaf)) return INL_STRING;
  if (op === 0xe8) return INL_CALL;
  if (op === 0xc3 || op === 0xc2) return INL_RET;
  if (i.followed) return INL_JMP;
  return INL_NONE;
}

/** The count of a shift by an immediate or by one (masked as the CPU does). */
export function shiftCount(i: Insn): number {
  return (i.op <= 0xc1 ? i.imm : 1) & 0x1f;
}

/**
 * The flags left by the last flag-writing instruction not yet written to the CPU. Every name
 * in it is a `const` of the current pass, so it can be evaluated anywhere later in the pass.
 */
interface FlagSource {
  kind: number; // LAZY_*
  a: string;
  b: string;
  res: string;
  size: number;
  /** CF and OF follow from kind, a, b and res (a plain ADD/SUB/logic result). */
  exact: boolean;
  /** Statements that write this state into the CPU's lazy record and flags. */
  mat: string;
  /** Expression (0 or 1) for CF after this instruction; 'C' = the CPU's own CF (still current). */
  cf: string;
  /** How a back edge carries it in the loop locals (the `m` of `materialize`); -1: it is them. */
  lm: number;
  /** What a back edge stores in `lcf` (lm >= 3; default `cf`). */
  carried?: string;
}

/** At the top of a pass: the flags a back edge left in the loop locals (lm = 0: the CPU's own). */
const CARRIED: FlagSource = {
  kind: -1,
  a: 'la',
  b: 'lb',
  res: 'lr',
  size: 0,
  exact: false,
  mat: 'if(lm!==0){LZ(c,lm,lo,la,lb,lr,ls,lcf);lm=0;}',
  cf: 'C',
  lm: -1,
};

/**
 * Write flags carried across a back edge into the CPU: m = 1 a full ADD/SUB/logic result,
 * 2 INC/DEC with the CPU's own CF, 3 INC/DEC with CF `cf`, 4 a multiply (CF = OF = `cf`),
 * 5 a shift (`cf` holds CF and OF in place).
 */
export function materialize(
  c: {
    setLazy(op: number, a: number, b: number, res: number, size: number, mask: number): void;
    putFlags(mask: number, value: number): void;
  },
  m: number,
  op: number,
  a: number,
  b: number,
  res: number,
  size: number,
  cf: number,
): void {
  if (m === 4) {
    c.setLazy(LAZY_LOGIC, 0, 0, res, size, ARITH);
    c.putFlags(CF | OF, cf !== 0 ? CF | OF : 0);
    return;
  }
  if (m === 5) {
    // A shift: SF, ZF, PF from the result; CF, OF (and AF clear) from `cf`.
    c.setLazy(LAZY_LOGIC, 0, 0, res, size, SF | ZF | PF);
    c.putFlags(CF | OF | AF, cf);
    return;
  }
  if (m === 3) c.putFlags(CF, cf);
  c.setLazy(op, a, b, res, size, m === 1 ? ARITH : ARITH & ~CF);
}

/** The value mask of an operand size in bits. */
export const mask = (size: number) => (size === 8 ? 0xff : size === 16 ? 0xffff : 0xffffffff);
const signed = (v: string, size: number) =>
  size === 32 ? `(${v}|0)` : `((${v}<<${32 - size})>>${32 - size})`;

/** The condition `cc` as an expression over a flag source, or undefined (use c.cond). */
function condition(cc: number, f: FlagSource | undefined): string | undefined {
  if (f === undefined || f.lm === -1) return undefined;
  const neg = (cc & 1) !== 0;
  let e: string | undefined;
  const { a, b, res, size } = f;
  const sub = f.exact && f.kind === LAZY_SUB;
  const add = f.exact && f.kind === LAZY_ADD;
  const logic = f.exact && f.kind === LAZY_LOGIC;
  const cfKnown = !f.exact && f.cf !== 'C';
  const sh = size - 1;
  switch (cc >> 1) {
    case 0:
      if (sub) e = `((((${a}^${b})&(${a}^${res}))>>>${sh})&1)!==0`;
      else if (add) e = `((((${a}^${res})&(${b}^${res}))>>>${sh})&1)!==0`;
      else if (logic) e = 'false';
      break;
    case 1:
      if (sub) e = `${a}<${b}`;
      else if (add) e = `${res}<${a}`;
      else if (logic) e = 'false';
      else if (cfKnown) e = `${f.cf}!==0`;
      break;
    case 2:
      e = `${res}===0`;
      break;
    case 3:
      if (sub) e = `${a}<=${b}`;
      else if (add) e = `(${res}<${a}||${res}===0)`;
      else if (logic) e = `${res}===0`;
      else if (cfKnown) e = `(${f.cf}!==0||${res}===0)`;
      break;
    case 4:
      e = `${res}>${mask(size) >>> 1}`;
      break;
    case 6:
      if (sub) e = `${signed(a, size)}<${signed(b, size)}`;
      else if (logic) e = `${res}>${mask(size) >>> 1}`;
      break;
    case 7:
      if (sub) e = `${signed(a, size)}<=${signed(b, size)}`;
      else if (logic) e = `(${res}===0||${res}>${mask(size) >>> 1})`;
      break;
  }
  if (e === undefined) return undefined;
  return neg ? `!(${e})` : `(${e})`;
}

/** Generated source plus the handler constants it calls. */
export interface Generated {
  source: string;
  handlers: Handler[];
}

// Markers replaced once the block's register sets are known.
const SYNC = '\u0001';
const RELOAD = '\u0002';

export function generate(shape: BlockShape): Generated {
  const handlers: Handler[] = [];
  const out: string[] = [];
  const { insns, start } = shape;
  const count = insns.length;
  const used = new Set<number>();
  /** Segments whose base and limits the block's memory accesses read (kept in locals). */
  const segs = new Set<number>();
  const written = new Set<number>();
  let tmp = 0;
  const local = (p: string) => `${p}${tmp++}`;
  const handler = (h: Handler) => {
    let k = handlers.indexOf(h);
    if (k < 0) k = handlers.push(h) - 1;
    return `H${k}`;
  };
  /** The decoder's effective-address expression over the register locals. */
  const ea = (i: Insn) =>
    i.eaExpr.replace(/R\[(\d)\]/g, (_, r: string) => {
      used.add(Number(r));
      return `r${r}`;
    });

  // --- flags -------------------------------------------------------------------------------
  let flags: FlagSource | undefined;
  /** Statements writing pending flags into the CPU (for an exit, a handler or a fault). */
  const mat = () => (flags === undefined ? '' : flags.mat);
  /** Statements leaving the block at `eip` after `n` instructions of this pass. */
  const exit = (eip: string | number, n: string) => `${SYNC}${mat()}c.eip=${eip};return ${n};`;
  /**
   * Statements recording the instruction at index x before a call that may fault. ESP is saved
   * for the fault's restore where the run loop would save it (prefixed, 0F and opcodes not in
   * KEEPS_ESP) and left alone elsewhere, as the interpreter leaves it (an earlier count there,
   * e.g. a single-step trap's, then acts the same way in both).
   */
  const faultPoint = (x: number) => {
    const i = insns[x];
    const save = i.prefixed || i.op >= 0x100 || KEEPS_ESP[i.op] === 0;
    return `${SYNC}${mat()}k=${x};c.startEip=${i.ip};${save ? `c.startEsp=R[4];c.espSavedAt=d0+n+${x};` : ''}chk=1;`;
  };
  let current = 0; // index of the instruction being generated

  // --- memory access ----------------------------------------------------------------------
  const bytes = (size: number) => size >> 3;
  const getter = (size: number, at: string) =>
    size === 8 ? `RAM[${at}]` : size === 16 ? `DV.getUint16(${at},true)` : `DV.getUint32(${at},true)`;
  const setter = (size: number, at: string, v: string) =>
    size === 8
      ? `RAM[${at}]=${v};`
      : size === 16
        ? `DV.setUint16(${at},${v},true);`
        : `DV.setUint32(${at},${v},true);`;

  /** Statements leaving the value of seg:off in `dst` (declared by the caller). */
  function read(size: number, seg: number, off: string, dst: string): string {
    const slow = `{${faultPoint(current)}${dst}=RD${size}(c,${seg},${off});}`;
    if (shape.memKind === MEM_SLOW) return slow;
    // One test for the segment limit, the page (RAM, not split) and the TLB: one slow path.
    const l = local('l');
    const { linear, limit } = window(size, seg, off, l, 'shr');
    if (shape.memKind === MEM_FLAT)
      return `const ${l}=${linear}&A20;if(${limit}SR[${l}>>>12]===0)${dst}=${getter(size, l)};else ${slow}`;
    const e = local('e');
    return `const ${l}=${linear}|0;const ${e}=~TR[${l}>>>12];if(${limit}(${e}&0xfff)===0)${dst}=${getter(size, `${e}|(${l}&0xfff)`)};else ${slow}`;
  }

  /**
   * The linear address of seg:off and the test (ending in &&) that the access is within the
   * segment and does not split a page. A flat segment needs only the page test: an access that
   * would wrap past 4 GiB splits the last page, and the slow path faults as the interpreter does.
   */
  function window(size: number, seg: number, off: string, l: string, hi: 'shr' | 'shw') {
    const n = bytes(size);
    const page = `(${l}&0xfff)<=${0x1000 - n}&&`;
    if (((shape.flatSegs >> seg) & 1) !== 0) return { linear: `(${off})`, limit: page };
    segs.add(seg);
    return { linear: `(sb${seg}+${off})`, limit: `${off}>=sl${seg}&&${off}+${n - 1}<=${hi}${seg}&&${page}` };
  }

  function write(size: number, seg: number, off: string, v: string): string {
    const slow = `{${faultPoint(current)}WR${size}(c,${seg},${off},${v});}`;
    if (shape.memKind === MEM_SLOW) return slow;
    const l = local('l');
    const { linear, limit } = window(size, seg, off, l, 'shw');
    if (shape.memKind === MEM_FLAT)
      return `const ${l}=${linear}&A20;if(${limit}SW[${l}>>>12]===0){${setter(size, l, v)}}else ${slow}`;
    const e = local('e');
    const t = local('t');
    return `const ${l}=${linear}|0;const ${e}=~TW[${l}>>>12];const ${t}=MMU.writeTag;if(${limit}(${e}&0xfff)===${t}){${setter(size, `(${e}^${t})|(${l}&0xfff)`, v)}}else ${slow}`;
  }

  // --- registers (locals r0..r7) -------------------------------------------------------------
  const getReg = (size: number, r: number) => {
    const x = size === 8 && r >= 4 ? r - 4 : r;
    used.add(x);
    return size === 32
      ? `(r${x}>>>0)`
      : size === 16
        ? `(r${x}&0xffff)`
        : r < 4
          ? `(r${x}&0xff)`
          : `((r${x}>>8)&0xff)`;
  };
  const setReg = (size: number, r: number, v: string) => {
    const x = size === 8 && r >= 4 ? r - 4 : r;
    used.add(x);
    written.add(x);
    return size === 32
      ? `r${x}=${v}|0;`
      : size === 16
        ? `r${x}=(r${x}&~0xffff)|(${v}&0xffff);`
        : r < 4
          ? `r${x}=(r${x}&~0xff)|(${v}&0xff);`
          : `r${x}=(r${x}&~0xff00)|((${v}&0xff)<<8);`;
  };

  /**
   * SHR (/5), SAR (/7) or SHL/SAL (/4, /6) of the local `v` by `count`: an immediate (the
   * count's cases folded here) or a local holding 0..31 (a zero count's flags are the caller's
   * to skip). Pushes the statements; returns the locals of the result, CF and OF.
   */
  function shiftBy(reg: number, v: string, count: number | string, size: number) {
    const known = typeof count === 'number';
    const when = (cond: boolean | string, yes: string, no: string) =>
      typeof cond === 'boolean' ? (cond ? yes : no) : `${cond}?${yes}:${no}`;
    const inRange = known ? count <= size : `${count}<=${size}`;
    const msb = size - 1;
    const res = local('q');
    const cf = local('f');
    const of = local('o');
    if (reg === 5) {
      out.push(
        `const ${res}=${v}>>>${count};`,
        `const ${cf}=${when(inRange, `(${v}>>>${known ? count - 1 : `(${count}-1)`})&1`, '0')};`,
        `const ${of}=${when(known ? count > 1 : `${count}>1`, '0', `(${v}>>>${msb})&1`)};`,
      );
    } else if (reg === 7) {
      const sv = local('w');
      // An arithmetic shift by the count (less `d`), capped at the sign bit.
      const capped = (d: number) =>
        known ? `${Math.min(count - d, msb)}` : `Math.min(${d === 0 ? count : `${count}-${d}`},${msb})`;
      out.push(
        `const ${sv}=${signed(v, size)};`,
        `const ${res}=((${sv}>>${capped(0)})&${mask(size)})>>>0;`,
        `const ${cf}=(${sv}>>${capped(1)})&1;`,
        `const ${of}=0;`,
      );
    } else {
      out.push(
        `const ${res}=((${v}<<${count})&${mask(size)})>>>0;`,
        `const ${cf}=${when(inRange, `(${v}>>>${known ? size - count : `(${size}-${count})`})&1`, '0')};`,
        `const ${of}=((${res}>>>${msb})&1)^${cf};`,
      );
    }
    return { res, cf, of };
  }

  /** A shift's flags into the CPU: SF, ZF, PF from the result, CF and OF (AF clear) given. */
  const shiftFlags = (res: string, size: number, cf: string, of: string) =>
    `c.setLazy(${LAZY_LOGIC},0,0,${res},${size},${SF | ZF | PF});c.putFlags(${CF | OF | AF},${cf}|(${of}<<11));`;

  /** r/m operand: code that loads it into a fresh local, and a writer. */
  function rmOperand(i: Insn, size: number) {
    if (!i.isMem)
      return {
        load: (dst: string) => `${dst}=${getReg(size, i.rm)};`,
        store: (v: string) => setReg(size, i.rm, v),
      };
    const off = local('o');
    out.push(`const ${off}=${ea(i)};`);
    return {
      load: (dst: string) => read(size, i.eaSeg, off, dst),
      store: (v: string) => write(size, i.eaSeg, off, v),
    };
  }

  /** A flag source for a full ADD/SUB/logic result. */
  function flagSource(kind: number, a: string, b: string, res: string, size: number): FlagSource {
    const cf = kind === LAZY_ADD ? `(${res}<${a}?1:0)` : kind === LAZY_SUB ? `(${a}<${b}?1:0)` : '0';
    return {
      kind,
      a,
      b,
      res,
      size,
      exact: true,
      mat: `c.setLazy(${kind},${a},${b},${res},${size},${ARITH});`,
      cf,
      lm: 1,
    };
  }

  /** The condition `cc` over the pending flags (made current in the CPU when no local form). */
  function flagCondition(cc: number): string {
    const cond = condition(cc, flags);
    if (cond !== undefined) return cond;
    out.push(mat());
    flags = undefined;
    return `c.cond(${cc})`;
  }

  /** ALU operation `op` (the /r of group 1) on a and b: statements and the result's local. */
  function alu(op: number, a: string, b: string, size: number): { code: string; res: string } {
    const res = local('q');
    const m = mask(size);
    switch (op) {
      case 0:
        flags = flagSource(LAZY_ADD, a, b, res, size);
        return { code: `const ${res}=((${a}+${b})&${m})>>>0;`, res };
      case 1:
        flags = flagSource(LAZY_LOGIC, a, b, res, size);
        return { code: `const ${res}=((${a}|${b})&${m})>>>0;`, res };
      case 4:
        flags = flagSource(LAZY_LOGIC, a, b, res, size);
        return { code: `const ${res}=(${a}&${b}&${m})>>>0;`, res };
      case 6:
        flags = flagSource(LAZY_LOGIC, a, b, res, size);
        return { code: `const ${res}=((${a}^${b})&${m})>>>0;`, res };
      case 2:
      case 3: {
        // ADC/SBB read CF: the CPU's flags are made current first, and the result is recorded
        // at once (rare in hot code).
        const kind = op === 2 ? LAZY_ADD : LAZY_SUB;
        const code =
          mat() +
          `const ${res}=((${a}${op === 2 ? '+' : '-'}${b}${op === 2 ? '+' : '-'}c.cf())&${m})>>>0;` +
          `c.setLazy(${kind},${a},${b},${res},${size},${ARITH});`;
        flags = undefined;
        return { code, res };
      }
      default:
        flags = flagSource(LAZY_SUB, a, b, res, size);
        return { code: `const ${res}=((${a}-${b})&${m})>>>0;`, res };
    }
  }

  const opSize = (i: Insn, byteForm: boolean) => (byteForm ? 8 : i.opsize32 ? 32 : 16);

  /** Inline code for one instruction (updates `flags`). */
  function inline(i: Insn, kind: number): void {
    const op = i.op;
    switch (kind) {
      case INL_NOP:
        return;
      case INL_ALU: {
        const form = op & 7;
        const size = opSize(i, (form & 1) === 0);
        const aluOp = op >> 3;
        if (form >= 4) {
          const a = local('a');
          out.push(`const ${a}=${getReg(size, 0)};`);
          const r = alu(aluOp, a, String((i.imm & mask(size)) >>> 0), size);
          out.push(r.code);
          if (aluOp !== 7) out.push(setReg(size, 0, r.res));
          return;
        }
        const e = rmOperand(i, size);
        const ev = local('v');
        out.push(`let ${ev}=0;`, e.load(ev));
        const gv = local('g');
        out.push(`const ${gv}=${getReg(size, i.reg)};`);
        if (form < 2) {
          const r = alu(aluOp, ev, gv, size);
          out.push(r.code);
          if (aluOp !== 7) out.push(e.store(r.res));
          return;
        }
        const r = alu(aluOp, gv, ev, size);
        out.push(r.code);
        if (aluOp !== 7) out.push(setReg(size, i.reg, r.res));
        return;
      }
      case INL_GRP1: {
        const size = opSize(i, op === 0x80 || op === 0x82);
        const e = rmOperand(i, size);
        const ev = local('v');
        out.push(`let ${ev}=0;`, e.load(ev));
        const r = alu(i.reg, ev, String((i.imm & mask(size)) >>> 0), size);
        out.push(r.code);
        if (i.reg !== 7) out.push(e.store(r.res));
        return;
      }
      case INL_TEST: {
        const size = opSize(i, op === 0x84 || op === 0xa8 || op === 0xf6);
        let a: string;
        let b: string;
        if (op === 0xa8 || op === 0xa9) {
          a = local('a');
          out.push(`const ${a}=${getReg(size, 0)};`);
          b = String((i.imm & mask(size)) >>> 0);
        } else {
          const e = rmOperand(i, size);
          a = local('v');
          out.push(`let ${a}=0;`, e.load(a));
          if (op >= 0xf6) b = String((i.imm & mask(size)) >>> 0);
          else {
            b = local('g');
            out.push(`const ${b}=${getReg(size, i.reg)};`);
          }
        }
        const r = alu(4, a, b, size);
        out.push(r.code);
        return;
      }
      case INL_INCDEC: {
        // 40-4F, or FE/FF /0 /1 (INC/DEC r/m8, r/m16/32).
        const group = op >= 0xfe;
        const size = group ? opSize(i, op === 0xfe) : i.opsize32 ? 32 : 16;
        const dec = group ? i.reg === 1 : op >= 0x48;
        const a = local('a');
        const res = local('q');
        const sum = `((${a}${dec ? '-' : '+'}1)&${mask(size)})>>>0`;
        if (group) {
          // The memory form's accesses may fault or leave through a slow path: the pending
          // flags go into the CPU first, so CF below is the CPU's own.
          if (i.isMem) {
            out.push(mat());
            flags = undefined;
          }
          const e = rmOperand(i, size);
          out.push(`let ${a}=0;`, e.load(a), `const ${res}=${sum};`, e.store(res));
        } else out.push(`const ${a}=${getReg(size, op & 7)};const ${res}=${sum};`, setReg(size, op & 7, res));
        // CF is left alone: it stays the CPU's own, or the previous pending instruction's.
        if (flags?.lm === -1) out.push(flags.mat);
        const cf = flags === undefined || flags.lm === -1 ? 'C' : flags.cf;
        const lazyKind = dec ? LAZY_SUB : LAZY_ADD;
        const record = `c.setLazy(${lazyKind},${a},1,${res},${size},${ARITH & ~CF});`;
        flags = {
          kind: lazyKind,
          a,
          b: '1',
          res,
          size,
          exact: false,
          mat: cf === 'C' ? record : `c.putFlags(${CF},${cf});${record}`,
          cf,
          lm: cf === 'C' ? 2 : 3,
        };
        return;
      }
      case INL_IMUL: {
        const size = i.opsize32 ? 32 : 16;
        const e = rmOperand(i, size);
        const ev = local('v');
        out.push(`let ${ev}=0;`, e.load(ev));
        const b = op === 0x1af ? getReg(size, i.reg) : String((i.imm & mask(size)) >>> 0);
        const res = local('q');
        const ov = local('f');
        if (size === 32)
          out.push(`const ${res}=Math.imul(${ev},${b})>>>0;const ${ov}=(${ev}|0)*(${b}|0)!==(${res}|0);`);
        else {
          const p = local('p');
          out.push(
            `const ${p}=((${ev}<<16)>>16)*((${b}<<16)>>16);const ${res}=${p}&0xffff;const ${ov}=${p}!==((${p}<<16)>>16);`,
          );
        }
        out.push(setReg(size, i.reg, res));
        flags = {
          kind: LAZY_LOGIC,
          a: '0',
          b: '0',
          res,
          size,
          exact: false,
          mat: `c.setLazy(${LAZY_LOGIC},0,0,${res},${size},${ARITH});c.putFlags(${CF | OF},${ov}?${CF | OF}:0);`,
          cf: `(${ov}?1:0)`,
          lm: 4,
        };
        return;
      }
      case INL_JMP:
        return;
      case INL_SETCC: {
        const cond = flagCondition(op & 15);
        const e = rmOperand(i, 8);
        out.push(e.store(`(${cond}?1:0)`));
        return;
      }
      case INL_CMOV: {
        const size = i.opsize32 ? 32 : 16;
        const e = rmOperand(i, size);
        const v = local('v');
        out.push(`let ${v}=0;`, e.load(v));
        out.push(`if(${flagCondition(op & 15)}){${setReg(size, i.reg, v)}}`);
        return;
      }
      case INL_MUL: {
        const size = op === 0xf6 ? 8 : 16;
        const signedMul = i.reg === 5;
        const e = rmOperand(i, size);
        const v = local('v');
        out.push(`let ${v}=0;`, e.load(v));
        const a = getReg(size, 0);
        const p = local('p');
        const res = local('q');
        const ov = local('f');
        out.push(
          signedMul ? `const ${p}=${signed(a, size)}*${signed(v, size)};` : `const ${p}=${a}*${v};`,
          `const ${res}=${p}&${mask(size)};`,
          `const ${ov}=${signedMul ? `${p}!==${signed(p, size)}` : `${p}>${mask(size)}`};`,
          setReg(16, 0, p),
        );
        if (size === 16) out.push(setReg(16, 2, `(${p}>>16)`));
        flags = {
          kind: LAZY_LOGIC,
          a: '0',
          b: '0',
          res,
          size,
          exact: false,
          mat: `c.setLazy(${LAZY_LOGIC},0,0,${res},${size},${ARITH});c.putFlags(${CF | OF},${ov}?${CF | OF}:0);`,
          cf: `(${ov}?1:0)`,
          lm: 4,
        };
        return;
      }
      case INL_SHIFT: {
        const size = opSize(i, (op & 1) === 0);
        const e = rmOperand(i, size);
        const v = local('v');
        out.push(`let ${v}=0;`, e.load(v));
        const { res, cf, of } = shiftBy(i.reg, v, shiftCount(i), size);
        // The flags first: the interpreter (exec/shift.ts) sets them before the store, so a
        // faulting store leaves the new flags, there as here.
        flags = {
          kind: LAZY_LOGIC,
          a: '0',
          b: '0',
          res,
          size,
          exact: false,
          mat: shiftFlags(res, size, cf, of),
          cf,
          lm: 5,
          carried: `(${cf}|(${of}<<11))`,
        };
        out.push(e.store(res));
        return;
      }
      case INL_SHIFT_CL: {
        // The count is known only at run time, and a zero count leaves the flags: the pending
        // flags go into the CPU first, and a non-zero count records the shift's there (as ADC
        // does). The operand is written back whatever the count, as the interpreter does; the
        // flags are recorded before the store, as there.
        const size = opSize(i, (op & 1) === 0);
        out.push(mat());
        flags = undefined;
        used.add(1);
        const n = local('n');
        out.push(`const ${n}=r1&31;`);
        const e = rmOperand(i, size);
        const v = local('v');
        out.push(`let ${v}=0;`, e.load(v));
        const { res, cf, of } = shiftBy(i.reg, v, n, size);
        out.push(
          `if(${n}!==0){${shiftFlags(res, size, cf, of)}}`,
          e.store(res), // (a zero count shifts nothing: res is v)
        );
        return;
      }
      case INL_STRING: {
        // One iteration: source DS:eSI (segment override allowed), destination ES:eDI; eSI/eDI
        // step by the size, down with DF (only a handler changes DF), after the accesses.
        const size = opSize(i, (op & 1) === 0);
        const n = size >> 3;
        const step = local('st');
        out.push(`const ${step}=(c.flags&${DF})!==0?${-n}:${n};`);
        /** eSI (6) or eDI (7) by the address size, in a fresh local. */
        const addr = (r: number) => {
          used.add(r);
          const o = local('o');
          out.push(`const ${o}=${i.addr32 ? `(r${r}>>>0)` : `(r${r}&0xffff)`};`);
          return o;
        };
        const advance = (r: number) => {
          written.add(r);
          return i.addr32 ? `r${r}=(r${r}+${step})|0;` : `r${r}=(r${r}&~0xffff)|((r${r}+${step})&0xffff);`;
        };
        const src = i.segOvr >= 0 ? i.segOvr : DS;
        if (op === 0xa4 || op === 0xa5) {
          const si = addr(6);
          const di = addr(7);
          const v = local('v');
          out.push(`let ${v}=0;`, read(size, src, si, v), write(size, ES, di, v), advance(6), advance(7));
        } else if (op === 0xaa || op === 0xab) {
          out.push(write(size, ES, addr(7), getReg(size, 0)), advance(7));
        } else if (op === 0xac || op === 0xad) {
          const si = addr(6);
          const v = local('v');
          out.push(`let ${v}=0;`, read(size, src, si, v), setReg(size, 0, v), advance(6));
        } else {
          const di = addr(7);
          const v = local('v');
          out.push(`let ${v}=0;`, read(size, ES, di, v));
          const a = local('a');
          out.push(`const ${a}=${getReg(size, 0)};`);
          const r = alu(7, a, v, size);
          out.push(r.code, advance(7));
        }
        return;
      }
      case INL_PUSHI: {
        const size = i.opsize32 ? 32 : 16;
        const sp = local('s');
        const v = String((i.imm & mask(size)) >>> 0);
        used.add(4);
        if (shape.stack32)
          out.push(`const ${sp}=(r4-${size >> 3})>>>0;`, write(size, SS, sp, v), setReg(32, 4, sp));
        else out.push(`const ${sp}=(r4-${size >> 3})&0xffff;`, write(size, SS, sp, v), setReg(16, 4, sp));
        return;
      }
      case INL_MOV: {
        const size = opSize(i, op === 0x88 || op === 0x8a);
        const e = rmOperand(i, size);
        if (op <= 0x89) out.push(e.store(getReg(size, i.reg)));
        else {
          const v = local('v');
          out.push(`let ${v}=0;`, e.load(v), setReg(size, i.reg, v));
        }
        return;
      }
      case INL_MOVX: {
        const from = op === 0x1b6 || op === 0x1be ? 8 : 16;
        const e = rmOperand(i, from);
        const v = local('v');
        out.push(`let ${v}=0;`, e.load(v));
        const value = op >= 0x1be ? signed(v, from) : v;
        out.push(setReg(i.opsize32 ? 32 : 16, i.reg, value));
        return;
      }
      case INL_XCHG: {
        const size = op === 0x86 ? 8 : i.opsize32 ? 32 : 16;
        const [x, y] = op < 0x98 && op > 0x90 ? [0, op & 7] : [i.reg, i.rm];
        const t = local('x');
        out.push(`const ${t}=${getReg(size, x)};`, setReg(size, x, getReg(size, y)), setReg(size, y, t));
        return;
      }
      case INL_MOVI: {
        if (op < 0xc0) {
          const size = op < 0xb8 ? 8 : i.opsize32 ? 32 : 16;
          out.push(setReg(size, op & 7, String(i.imm | 0)));
          return;
        }
        const size = opSize(i, op === 0xc6);
        const e = rmOperand(i, size);
        out.push(e.store(String((i.imm & mask(size)) >>> 0)));
        return;
      }
      case INL_LEA:
        out.push(setReg(i.opsize32 ? 32 : 16, i.reg, ea(i)));
        return;
      case INL_PUSH: {
        const size = i.opsize32 ? 32 : 16;
        const v = local('v');
        const sp = local('s');
        used.add(4);
        out.push(`const ${v}=${getReg(size, op & 7)};`);
        if (shape.stack32)
          out.push(`const ${sp}=(r4-${size >> 3})>>>0;`, write(size, SS, sp, v), setReg(32, 4, sp));
        else out.push(`const ${sp}=(r4-${size >> 3})&0xffff;`, write(size, SS, sp, v), setReg(16, 4, sp));
        return;
      }
      case INL_POP: {
        const size = i.opsize32 ? 32 : 16;
        const v = local('v');
        const sp = local('s');
        used.add(4);
        out.push(
          `const ${sp}=${shape.stack32 ? '(r4>>>0)' : '(r4&0xffff)'};let ${v}=0;`,
          read(size, SS, sp, v),
        );
        out.push(shape.stack32 ? setReg(32, 4, `r4+${size >> 3}`) : setReg(16, 4, `r4+${size >> 3}`));
        out.push(setReg(size, op & 7, v));
        return;
      }
    }
  }

  /** The interpreter's handler with its decoder's fields, as the run loop would call it. */
  function fallback(i: Insn, index: number): void {
    out.push(faultPoint(index));
    flags = undefined;
    out.push(
      `c.eip=${i.next};c.startEsp=R[4];c.espSavedAt=d0+n+${index};c.opsize32=${i.opsize32};c.addr32=${i.addr32};c.opByte=${i.op};`,
    );
    if (i.segOvr >= 0) out.push(`c.segOvr=${i.segOvr};`);
    if (i.rep !== 0) out.push(`c.rep=${i.rep};`);
    if (i.modrm !== 0 || (EXEC[i.op] && i.isMem)) {
      out.push(`c.modrm=${i.modrm};c.reg=${i.reg};c.rm=${i.rm};c.isMem=${i.isMem};`);
      if (i.isMem) out.push(`c.eaEspBase=${i.eaEspBase};c.eaSeg=${i.eaSeg};c.eaOff=${ea(i)};`);
    } else out.push(`c.modrm=0;c.reg=0;c.rm=0;c.isMem=false;`);
    out.push(`c.imm=${i.imm};c.imm2=${i.imm2};${handler(EXEC[i.op])}(c);${RELOAD}`);
    if (i.segOvr >= 0) out.push('c.segOvr=-1;');
    if (i.rep !== 0) out.push('c.rep=0;');
  }

  /**
   * CALL rel / RET near, the block's last instruction: the interpreter's order (CALL: target
   * limit, then the push; RET: the pop, then the target limit); a target beyond the CS limit
   * runs the interpreter's handler, which faults.
   */
  function callOrReturn(i: Insn, x: number, kind: number): void {
    const size = i.opsize32 ? 32 : 16;
    const bytesN = size >> 3;
    const pending = flags;
    used.add(4);
    const sp = local('s');
    if (kind === INL_CALL) {
      const target = branchTarget(i);
      out.push(`if(${target}>c.csLimit){`);
      fallback(i, x);
      out.push(`return n+${x + 1};}`);
      flags = pending;
      out.push(
        shape.stack32 ? `const ${sp}=(r4-${bytesN})>>>0;` : `const ${sp}=(r4-${bytesN})&0xffff;`,
        write(size, SS, sp, String(i.next & mask(size))),
        setReg(shape.stack32 ? 32 : 16, 4, sp),
        exit(target, `n+${x + 1}`),
      );
      return;
    }
    const v = local('v');
    out.push(
      shape.stack32 ? `const ${sp}=r4>>>0;` : `const ${sp}=r4&0xffff;`,
      `let ${v}=0;`,
      read(size, SS, sp, v),
    );
    out.push(`if(${v}>c.csLimit){`);
    fallback(i, x);
    out.push(`return n+${x + 1};}`);
    flags = pending;
    const adjust = bytesN + (i.op === 0xc2 ? i.imm : 0);
    out.push(setReg(shape.stack32 ? 32 : 16, 4, `(${sp}+${adjust})`), exit(v, `n+${x + 1}`));
  }

  /** A jump to `target` leaving the block (the CS-limit fault through JMP's handler). */
  function leave(i: Insn, x: number, target: number): string {
    return (
      `${SYNC}${mat()}if(${target}>c.csLimit){k=${x};c.startEip=${i.ip};c.eip=${i.next};c.imm=${i.imm};` +
      `c.opsize32=${i.opsize32};${handler(jmpRel)}(c);}else c.eip=${target};return n+${x + 1};`
    );
  }

  // The back edge checks the budget; the run loop's other checks (pending interrupt, stores
  // into code, stop requests, HLT, TF, breakpoints) only with interrupts enabled (the PIC is
  // asked, and its callback may do anything) or when a slow path or a handler ran since the
  // last full check (`chk`): nothing else can change them.
  const loopOk = `c.jitExit===0&&c.stopRequest===undefined&&!c.halted&&!c.inhibit&&!c.watching&&!(c.nmiPending&&!c.nmiBlocked)&&(c.flags&0x10100)===0&&((c.flags&0x200)===0||c.pic===undefined||!c.pic.hasInterrupt())`;
  const again = `n<=lim&&((chk===0&&(c.flags&0x200)===0)||(chk=0,${loopOk}))`;

  // At the top of a pass the flags are those a back edge left in the loop locals (CARRIED).
  // A back edge stores its pending flags there, unless the code from the loop head on
  // overwrites them before anything (a flag reader, a handler, an access that may fault) can look.
  const killsFlagsFrom = (h: number): boolean => {
    for (let x = h; x < count; x++) {
      const i = insns[x];
      const kind = inlineKind(i);
      // Register moves and followed jumps neither read nor write flags nor fault: look further.
      const neutral =
        kind === INL_MOV ||
        kind === INL_MOVI ||
        kind === INL_LEA ||
        kind === INL_NOP ||
        kind === INL_XCHG ||
        kind === INL_MOVX ||
        kind === INL_JMP;
      if (neutral && (!i.isMem || kind === INL_LEA)) continue;
      if (i.isMem) return false;
      if (kind === INL_ALU || kind === INL_GRP1) {
        const aluOp = kind === INL_ALU ? i.op >> 3 : i.reg;
        return aluOp !== 2 && aluOp !== 3;
      }
      return kind === INL_TEST || kind === INL_IMUL || kind === INL_MUL || kind === INL_SHIFT;
    }
    return false;
  };
  // (not the memory form: its fault point would see the CPU's record without the last INC/DEC)
  const incDecAt = (h: number) => h < count && inlineKind(insns[h]) === INL_INCDEC && !insns[h].isMem;

  // Loop heads: the block's start, and each instruction of the block a backward (or unmerged
  // forward) branch of the block targets, outside the stretches skipped by an if. A block with
  // heads besides its start runs as `switch(pc)` over them in its loop, so a loop with several
  // back edges (a bit-tree decoder's, say) stays in the function instead of bouncing between
  // two blocks.
  const joins = joinPoints(insns);
  const skippedOver = new Uint8Array(count);
  for (let x = 0; x < count; x++) for (let y = x + 1; y < joins[x]; y++) skippedOver[y] = 1;
  const indexOf = new Map<number, number>();
  insns.forEach((i, x) => {
    if (!indexOf.has(i.ip)) indexOf.set(i.ip, x);
  });
  const heads = new Map<number, number>([[start, 0]]);
  for (let x = 0; x < count; x++) {
    const i = insns[x];
    const branch = (isJcc(i.op) && joins[x] < 0) || (isJmp(i.op) && !i.followed);
    if (!branch) continue;
    const y = indexOf.get(branchTarget(i));
    if (y !== undefined && y > 0 && skippedOver[y] === 0) heads.set(insns[y].ip, y);
  }
  const multi = heads.size > 1;
  const headKills = new Map([...heads.values()].map((h) => [h, killsFlagsFrom(h)]));
  const headAt = new Set(heads.values());

  /** Statements storing the pending flags in the loop locals for the head at index h. */
  const carry = (h: number) => {
    const f = flags;
    if (headKills.get(h) || f === CARRIED) return '';
    // INC/DEC leave CF alone: when the pending flags are INC/DEC's over the CPU's own CF and the
    // head is INC/DEC, the CPU's record is all the head needs.
    if (f === undefined || (incDecAt(h) && f.lm === 2)) return 'lm=0;';
    return `lm=${f.lm};lo=${f.kind};la=${f.a};lb=${f.b};lr=${f.res};ls=${f.size};${f.lm >= 3 ? `lcf=${f.carried ?? f.cf};` : ''}`;
  };
  /**
   * The back edge of instruction x to the head at index h: continue there if allowed, else
   * leave there. `n` counts from the top of the block's code: a pass from head h starts h
   * instructions in, so n drops by h (instruction y of the pass is then n + y + 1, as everywhere).
   */
  const loopTo = (x: number, h: number) => {
    const go = multi ? `{pc=${h};continue;}` : 'continue;';
    return `n+=${x + 1 - h};${carry(h)}if(${again})${go}${exit(insns[h].ip, h === 0 ? 'n' : `n+${h}`)}`;
  };

  // Forward Jccs over instructions of the block: `if(taken){...}else{skipped}` joining at the
  // target. The taken path retires fewer instructions: it takes them off `n`. Flags a skipped
  // instruction wrote are written into the CPU on both paths before the join.
  const regions: {
    end: number;
    head: number;
    cond: string;
    flagsAtJcc: FlagSource | undefined;
    skipped: number;
  }[] = [];
  const flat = shape.memKind === MEM_FLAT;

  flags = CARRIED;
  for (let x = 0; x < count; x++) {
    const i = insns[x];
    while (regions.length > 0 && regions[regions.length - 1].end === x) {
      const r = regions.pop()!;
      const same = flags === r.flagsAtJcc;
      out.push(`${same ? '' : mat()}}`);
      const takenMat = same || r.flagsAtJcc === undefined ? '' : r.flagsAtJcc.mat;
      out[r.head] = `if(${r.cond}){${takenMat}n-=${r.skipped};}else{`;
      if (!same) flags = undefined;
    }
    if (multi && x > 0 && headAt.has(x)) {
      // A loop head: the pending flags go into the loop locals on the way in, as on a back edge.
      out.push(carry(x), `}case ${x}:{`);
      flags = CARRIED;
    }
    current = x;
    const last = x === count - 1;
    const kind = inlineKind(i);
    out.push(`// ${i.ip.toString(16)} op ${i.op.toString(16)}`);
    if (kind === INL_CALL || kind === INL_RET) {
      callOrReturn(i, x, kind);
      continue;
    }
    if (kind !== INL_NONE) {
      const touchesMemory =
        i.isMem || kind === INL_PUSH || kind === INL_POP || kind === INL_PUSHI || kind === INL_STRING;
      inline(i, kind);
      if (touchesMemory && !last) out.push(`if(chk!==0&&c.jitExit!==0){${exit(i.next, `n+${x + 1}`)}}`);
      if (last) out.push(exit(i.next, `n+${count}`));
      continue;
    }
    if (isJcc(i.op)) {
      // Taken: leave or loop; not taken: go on.
      const target = branchTarget(i);
      let cond: string;
      if (i.op >= 0xe0 && i.op <= 0xe3) {
        // LOOP, LOOPNE/LOOPE (and ZF), JCXZ: eCX by the address size; no flags written.
        used.add(1);
        const counter = i.addr32 ? 'r1' : '(r1&0xffff)';
        if (i.op === 0xe3) cond = `(${counter}===0)`;
        else {
          const zf = i.op === 0xe2 ? '' : `&&${flagCondition(i.op === 0xe1 ? 4 : 5)}`;
          written.add(1);
          out.push(i.addr32 ? 'r1=(r1-1)|0;' : 'r1=(r1&~0xffff)|((r1-1)&0xffff);');
          cond = `(${counter}!==0${zf})`;
        }
      } else cond = flagCondition(i.op & 15);
      if (joins[x] >= 0) {
        regions.push({ end: joins[x], head: out.length, cond, flagsAtJcc: flags, skipped: joins[x] - x - 1 });
        out.push(''); // the if's head, written when the region closes
        continue;
      }
      const head = heads.get(target);
      if (head !== undefined) out.push(`if(${cond}){${loopTo(x, head)}}`);
      else out.push(`if(${cond}){${leave(i, x, target)}}`);
      if (last) out.push(exit(i.next, `n+${count}`));
      continue;
    }
    const target = i.opsize32 ? (i.next + i.imm) >>> 0 : (i.next + i.imm) & 0xffff;
    if (!i.followed && (i.op === 0xeb || i.op === 0xe9)) {
      // A loop closed by this block's own jump stays in the function; another target leaves.
      const head = heads.get(target);
      if (head !== undefined) out.push(loopTo(x, head));
      else out.push(leave(i, x, target));
      continue;
    }
    fallback(i, x);
    if (!last && endsBlock(i, flat)) {
      // Inside a region skipped by a Jcc: an instruction that ends the block returns.
      out.push(`n+=${x + 1};if(c.jitExit!==0)c.jitEpoch++;return n;`);
      continue;
    }
    // A handler's access that reached a device set jitExit: stop after it, and check code bytes
    // again (the device may do DMA), as an inlined slow path does.
    if (last) {
      out.push(`n+=${count};`);
      if (isNearBranch(i.op))
        out.push(`if(c.eip===${start}&&n<=lim&&${loopOk}){lm=0;${multi ? 'pc=0;' : ''}continue;}`);
      out.push('if(c.jitExit!==0)c.jitEpoch++;return n;');
    } else out.push(`if(c.jitExit!==0||c.stopRequest!==undefined){c.jitEpoch++;return n+${x + 1};}`);
  }
  const regs = [...used].sort();
  const sync = [...written]
    .sort()
    .map((r) => `R[${r}]=r${r};`)
    .join('');
  const reload = regs.map((r) => `r${r}=R[${r}];`).join('');
  // Segment bases and limits (and the A20 mask) in locals: only a handler can change them
  // (segment loads, port I/O), and each handler call reloads them.
  const segLoad = [...segs]
    .sort()
    .map((g) => `sb${g}=SB[${g}];sl${g}=SL[${g}];shr${g}=SHR[${g}];shw${g}=SHW[${g}];`)
    .join('');
  const segState = `${segLoad}A20=c.a20Mask;`;
  // Each head's code is a block of its own, so no const of one head's code is in scope at another.
  if (multi) {
    out.unshift('switch(pc){case 0:{');
    out.push('}}');
  }
  const body = out
    .join('\n')
    .replaceAll(SYNC, sync)
    .replaceAll(RELOAD, reload + segState);
  const decl =
    (regs.length > 0 ? `let ${regs.map((r) => `r${r}=R[${r}]`).join(',')};` : '') +
    [...segs].map((g) => `let sb${g}=0,sl${g}=0,shr${g}=0,shw${g}=0;`).join('') +
    `let A20=0;${segState}`;
  const source =
    `return function block(c,d0,budget){const R=c.regs;${decl}let n=0;let k=0;let chk=1;let lm=0,lo=0,la=0,lb=0,lr=0,ls=0,lcf=0;${multi ? 'let pc=0;' : ''}const lim=budget-${count};c.jitExit=0;` +
    `try{for(;;){\n${body}\n}}catch(e){c.jitDone=n+k;c.segOvr=-1;c.rep=0;throw e;}};`;
  return { source, handlers };
}
