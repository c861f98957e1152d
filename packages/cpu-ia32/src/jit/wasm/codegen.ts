// WebAssembly generation for one block of the common integer subset, with every instruction's
// fast path only. Where the JavaScript blocks take a slow path (a soft-TLB miss, a device page, a
// store into code, a page-split access, a branch past the CS limit), a WebAssembly block stops
// *before* the instruction ("bails") and leaves it to the interpreter, which runs it with its
// own slow path or fault. So a block never calls out while it runs, never faults, and needs no
// fault bookkeeping: every instruction makes its checks first, then its one store, then writes
// registers and flags.
//
// Guest registers are the words of Cpu.jitState (in the arena, like RAM at offset 0 and the
// TLB); the lazy-flag record of the last flag-writing instruction lives in locals and is left
// in jitState at the exit for the wrapper (wasm/runtime.ts) to hand to Cpu.setLazy/putFlags.
// Where a flag is read, the generator knows statically which instruction wrote it (the record,
// an explicit value, or the CPU's flags at entry); a block where it cannot know is not compiled
// here (the JavaScript generator takes it).
import { LAZY_ADD, LAZY_LOGIC, LAZY_SUB } from '../../cpu.js';
import { CHUNK } from '../../exec/string-runs.js';
import {
  AF,
  ARITH,
  CF,
  CONDITION_FLAGS,
  DF,
  DS,
  ES,
  FS,
  GS,
  IF,
  IOPL,
  OF,
  PF,
  SF,
  SS,
  TF,
  ZF,
} from '../../state.js';
import {
  type BlockShape,
  branchTarget,
  INL_ALU,
  INL_CALL,
  INL_CMOV,
  INL_GRP1,
  INL_IMUL,
  INL_INCDEC,
  INL_JMP,
  INL_LEA,
  INL_MOV,
  INL_MOVI,
  INL_MOVX,
  INL_NOP,
  INL_POP,
  INL_PUSH,
  INL_PUSHI,
  INL_RET,
  INL_SETCC,
  INL_SHIFT,
  INL_SHIFT_CL,
  INL_TEST,
  inlineKind,
  isJcc,
  joinPoints,
  MEM_FLAT,
  MEM_TLB,
  mask,
  shiftCount,
} from '../codegen.js';
import type { Insn } from '../decode.js';
import { TYPE_BLOCK, TYPES } from './dispatch.js';
import { FunctionBody, moduleBytes, Op } from './emit.js';
import {
  BAIL_AFTER,
  BAIL_AFTER_STI,
  BAIL_BEFORE,
  BLOCK_FLAGS,
  S_A20,
  S_BAIL,
  S_CS_LIMIT,
  S_EIP,
  S_FLAGS,
  S_FS_BASE,
  S_FS_OPEN,
  S_GS_BASE,
  S_GS_OPEN,
  S_LAZY_A,
  S_LAZY_B,
  S_LAZY_KIND,
  S_LAZY_MASK,
  S_LAZY_RES,
  S_LAZY_SIZE,
  S_PUT_MASK,
  S_PUT_VALUE,
  S_TSC_DENY,
  S_WRITE_TAG,
} from './state.js';

/** Where the generated code finds things in the WebAssembly memory (byte offsets). */
export interface WasmLayout {
  /** Cpu.jitState. */
  state: number;
  /** PhysicalMemory.slowPages and Cpu.slowW (paging off). */
  slowRead: number;
  slowWrite: number;
  /** The soft TLB's read and write tables for the block's privilege (paging on). */
  tlbRead: number;
  tlbWrite: number;
  /** Pages of the memory (the module's import minimum). */
  pages: number;
}

export interface WasmBlock {
  /** A module importing memory "m"."mem" (and "m"."tsc" if it has RDTSC), exporting "b". */
  bytes: Uint8Array;
  /**
   * The block reads the flags it found: the runner calls flags() before it, and the block
   * reads the folded EFLAGS from jitState. (A block imports no function for it: V8 compiles
   * a wrapper per imported function for each module, which was most of a small module's cost.)
   */
  readsFlags: boolean;
}

/** The CPU's RDTSC, a block's only imported function (when it has one). */
const TSC_FUNCTION = 0;
const RDTSC = 0x131;

/** Thrown inside the generator for a block it does not compile. */
class Unsupported extends Error {}

/** Which instruction a flag comes from at a point of the block (known at generation time). */
type FlagFrom = 'entry' | 'rec' | 'put';

interface FlagState {
  /** The lazy record's kind and size when one of the block's instructions wrote it (else -1). */
  kind: number;
  size: number;
  cf: FlagFrom;
  of: FlagFrom;
  af: FlagFrom;
  /** ZF, SF and PF come from the record (else from the entry flags). */
  rec: boolean;
  /** Two paths joined with different states: no flag may be read until one is written. */
  poisoned: boolean;
  /** The record is ADC's or SBB's (a carry in): CF only from the full formula. */
  carry?: boolean;
}

const ENTRY: FlagState = {
  kind: -1,
  size: 32,
  cf: 'entry',
  of: 'entry',
  af: 'entry',
  rec: false,
  poisoned: false,
};

function sameFlags(a: FlagState, b: FlagState): boolean {
  return (
    a.kind === b.kind &&
    a.size === b.size &&
    a.cf === b.cf &&
    a.of === b.of &&
    a.af === b.af &&
    a.rec === b.rec &&
    a.poisoned === b.poisoned &&
    (a.carry ?? false) === (b.carry ?? false)
  );
}

/** Instruction kinds this generator compiles. */
const SUPPORTED = new Set([
  INL_ALU,
  INL_GRP1,
  INL_IMUL,
  INL_INCDEC,
  INL_MOV,
  INL_MOVI,
  INL_TEST,
  INL_LEA,
  INL_PUSH,
  INL_POP,
  INL_NOP,
  INL_MOVX,
  INL_SETCC,
  INL_CMOV,
  INL_SHIFT,
  INL_SHIFT_CL,
  INL_PUSHI,
  INL_JMP,
  INL_CALL,
  INL_RET,
]);

/** CALL r/m (FF /2) and JMP r/m (FF /4). */
const isIndirect = (i: Insn) => i.op === 0xff && (i.reg === 2 || i.reg === 4);

/** XCHG r/m, r (86, 87) and XCHG eAX, r (91-97). */
const isXchg = (op: number) => op === 0x86 || op === 0x87 || (op >= 0x91 && op <= 0x97);
/** CMPXCHG r/m, r (0F B0, 0F B1). */
const isCmpxchg = (op: number) => op === 0x1b0 || op === 0x1b1;
/** XADD r/m, r (0F C0, 0F C1). */
const isXadd = (op: number) => op === 0x1c0 || op === 0x1c1;
/** CMPXCHG8B m64 (0F C7 /1; its register form is #UD). */
const isCmpxchg8b = (i: Insn) => i.op === 0x1c7 && i.reg === 1 && i.isMem;
/** SHLD/SHRD r/m, r, imm8 or CL (0F A4, A5, AC, AD). */
const isShiftDouble = (op: number) => op === 0x1a4 || op === 0x1a5 || op === 0x1ac || op === 0x1ad;

/**
 * Forms the JavaScript generator leaves to handlers that this one compiles: CBW/CWDE, CWD/CDQ,
 * BSWAP, UD2 (a bail), NOT/NEG/MUL/IMUL r/m, PUSH r/m, BT/BTS/BTR/BTC (a register, or an
 * immediate bit offset, or memory with a register's), BSF/BSR, ROL/ROR by an immediate, XCHG,
 * CMPXCHG, XADD, CMPXCHG8B, 32-bit SHLD/SHRD, CALL/JMP r/m32.
 */
function extraForm(i: Insn): boolean {
  const op = i.op;
  if (isXchg(op) || isCmpxchg(op) || isXadd(op) || isCmpxchg8b(i)) return true;
  if (isShiftDouble(op)) return i.opsize32;
  if (op === 0x98 || op === 0x99 || op === 0x10b) return true;
  if (op >= 0x1c8 && op <= 0x1cf) return true;
  if (op === 0xf6 || op === 0xf7) return i.reg >= 2 && i.reg <= 5;
  if (op === 0xff) return (i.reg === 6 && (i.opsize32 || !i.isMem)) || (isIndirect(i) && i.opsize32);
  if (op === 0x1a3 || op === 0x1ab || op === 0x1b3 || op === 0x1bb) return true;
  if (op === 0x1bc || op === 0x1bd) return true;
  if (op === 0x1ba) return i.reg >= 4;
  if ((op >= 0xc0 && op <= 0xc1) || op === 0xd0 || op === 0xd1) return i.reg <= 1;
  return false;
}

/** MOVS, STOS, LODS, SCAS (A4/A5, AA-AF) without REP: one iteration. */
const isString = (i: Insn) => i.op === 0xa4 || i.op === 0xa5 || (i.op >= 0xaa && i.op <= 0xaf);
/** REP MOVS, REP STOS, REPE/REPNE CMPS and SCAS (A4-A7, AA, AB, AE, AF with F2/F3). */
const isRepString = (i: Insn) =>
  i.rep !== 0 &&
  ((i.op >= 0xa4 && i.op <= 0xa7) || i.op === 0xaa || i.op === 0xab || i.op === 0xae || i.op === 0xaf);
/** The source segment of MOVS/LODS: DS unless overridden. */
const stringSource = (i: Insn) => (i.segOvr >= 0 ? i.segOvr : DS);
/** CLC, STC, CMC (F8, F9, F5): CF only. */
const isFlagOp = (i: Insn) => i.op === 0xf8 || i.op === 0xf9 || i.op === 0xf5;

/** MOV AL/eAX, moffs and back (A0-A3). */
const isMoffs = (i: Insn) => i.op >= 0xa0 && i.op <= 0xa3;
const LEAVE = 0xc9;

/** The segment of a memory operand (MOV moffs: DS unless overridden). */
const segmentOf = (i: Insn) => (isMoffs(i) ? (i.segOvr >= 0 ? i.segOvr : DS) : i.eaSeg);

/** True when the generator can address segment `seg`: flat, or FS/GS (their base added). */
const addressable = (seg: number, flatSegs: number) =>
  ((flatSegs >> seg) & 1) !== 0 || seg === FS || seg === GS;

/** PUSHF, POPF, CLI, STI (9C, 9D, FA, FB): EFLAGS' system bits, in protected mode. */
const isSystemFlagOp = (op: number) => op === 0x9c || op === 0x9d || op === 0xfa || op === 0xfb;
/** CLD, STD (FC, FD). */
const isDirectionOp = (op: number) => op === 0xfc || op === 0xfd;

/** True when the instruction is one this generator compiles (in a block shape it accepts). */
function supported(i: Insn, shape: BlockShape): boolean {
  const flatSegs = shape.flatSegs;
  if ((i.isMem || isMoffs(i)) && (!i.addr32 || !addressable(segmentOf(i), flatSegs))) return false;
  // (v86 mode's IOPL-sensitive forms, and 16-bit PUSHF/POPF, are left to the interpreter.)
  if (isSystemFlagOp(i.op)) return i.rep === 0 && shape.protectedMode && (i.opsize32 || i.op >= 0xfa);
  if (isDirectionOp(i.op)) return true;
  if (isString(i) || isRepString(i))
    return (
      (i.rep === 0 || isRepString(i)) &&
      i.addr32 &&
      ((flatSegs >> ES) & 1) !== 0 &&
      addressable(stringSource(i), flatSegs)
    );
  if (isFlagOp(i) || i.op === RDTSC) return true;
  // (UD2 bails anyway; REP BSF is TZCNT's encoding, BSF without BMI1, as interpreted.)
  if (extraForm(i)) return i.rep === 0 || i.op === 0x10b || i.op === 0x1bc || i.op === 0x1bd;
  if (isMoffs(i)) return i.rep === 0;
  if (i.op === LEAVE) return i.rep === 0 && i.opsize32;
  if (isJcc(i.op)) return i.op < 0xe0 || i.op > 0xe3; // not LOOP/JCXZ
  if (i.op === 0xeb || i.op === 0xe9) return true;
  const kind = inlineKind(i);
  if (!SUPPORTED.has(kind)) return false;
  if (kind === INL_POP) return (i.op & 7) !== 4; // POP ESP
  if (kind === INL_LEA) return i.addr32;
  return true;
}

/** The WebAssembly block for `shape`, or undefined when it is not all in the subset. */
export function generateWasm(shape: BlockShape, layout: WasmLayout): WasmBlock | undefined {
  if (shape.memKind !== MEM_FLAT && shape.memKind !== MEM_TLB) return undefined;
  if (!shape.stack32 || ((shape.flatSegs >> SS) & 1) === 0) return undefined;
  // Another instruction becomes a bail (the interpreter runs it), but not the first.
  if (!supported(shape.insns[0], shape)) return undefined;
  // A read of flags that two joining paths left in different places is generated again with
  // both paths making their flags explicit at the joins found so far (only then: it costs code
  // on both paths).
  const normalizeAt = new Set<number>();
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const writer = new Writer(shape, layout, normalizeAt);
    try {
      return writer.generate();
    } catch (e) {
      if (!(e instanceof Unsupported)) throw e;
      if (writer.mismatchedJoins.size === 0) return undefined;
      for (const x of writer.mismatchedJoins) normalizeAt.add(x);
    }
  }
  return undefined;
}

/** Generations of one block (each may find more joins to make explicit). */
const MAX_ATTEMPTS = 4;

/** A forward Jcc's skipped stretch being generated: where it joins, and the taken path's state. */
interface Region {
  /** The index of the Jcc, and of the instruction both paths join at. */
  from: number;
  end: number;
  /** The flag state on the taken path, and whether that path is reachable. */
  flags: FlagState;
  live: boolean;
}

class Writer {
  private readonly f = new FunctionBody(1); // (budget)
  private readonly shape: BlockShape;
  private readonly L: WasmLayout;
  private readonly insns: Insn[];
  // Locals.
  private readonly n: number;
  private readonly lim: number;
  private readonly fin: number;
  private readonly a20: number;
  private readonly tag: number;
  private readonly csLimit: number;
  private readonly fk: number;
  private readonly fa: number;
  private readonly fb: number;
  private readonly fr: number;
  private readonly fs: number;
  private readonly fm: number;
  private readonly pm: number;
  private readonly pv: number;
  private readonly free: number[] = [];
  /** Locals of the guest registers (-1: not used), and which the block writes. */
  private readonly regs = [-1, -1, -1, -1, -1, -1, -1, -1];
  private readonly written = new Uint8Array(8);
  /** Open blocks/loops/ifs: the exit block is depth 1, the pass loop depth 2. */
  private depth = 0;
  private flags: FlagState = ENTRY;
  /** The flags a pass reads before writing them (CF alone: carried explicit between passes). */
  private passReads = 0;
  private cfAtStart = false;
  private flagsIn = false;
  private x = 0; // index of the instruction being generated
  /** False after an unconditional exit, until a join brings a path back. */
  private live = true;
  /** Forward Jccs whose join makes every flag explicit on both paths. */
  private readonly normalizeAt: ReadonlySet<number>;
  /** Forward Jccs whose paths joined with different flag states (see generateWasm). */
  readonly mismatchedJoins = new Set<number>();

  constructor(shape: BlockShape, layout: WasmLayout, normalizeAt: ReadonlySet<number>) {
    this.shape = shape;
    this.normalizeAt = normalizeAt;
    this.L = layout;
    this.insns = shape.insns;
    const f = this.f;
    this.n = f.local();
    this.lim = f.local();
    this.fin = f.local();
    this.a20 = f.local();
    this.tag = f.local();
    this.csLimit = f.local();
    this.fk = f.local();
    this.fa = f.local();
    this.fb = f.local();
    this.fr = f.local();
    this.fs = f.local();
    this.fm = f.local();
    this.pm = f.local();
    this.pv = f.local();
  }

  // --- locals and state words --------------------------------------------------------------
  private temp(): number {
    return this.free.pop() ?? this.f.local();
  }
  private release(...ls: number[]): void {
    this.free.push(...ls);
  }
  /** Store the local `l` into state word `word`. */
  private storeState(word: number, l: number): void {
    this.f
      .const(0)
      .get(l)
      .mem(Op.i32Store, this.L.state + word * 4);
  }
  private storeStateConst(word: number, v: number): void {
    this.f
      .const(0)
      .const(v)
      .mem(Op.i32Store, this.L.state + word * 4);
  }

  // --- registers (state words 0..7) --------------------------------------------------------
  /** The local holding guest register r (loaded in the prologue, stored in the epilogue). */
  private reg(r: number): number {
    let l = this.regs[r];
    if (l < 0) {
      l = this.f.local();
      this.regs[r] = l;
    }
    return l;
  }
  /** Push register r of `size` (8: AL..BH), zero-extended. */
  private getReg(size: number, r: number): void {
    const f = this.f;
    if (size === 32) f.get(this.reg(r));
    else if (size === 16) f.get(this.reg(r)).const(0xffff).op(Op.i32And);
    else if (r < 4) f.get(this.reg(r)).const(0xff).op(Op.i32And);
    else
      f.get(this.reg(r - 4))
        .const(8)
        .op(Op.i32ShrU)
        .const(0xff)
        .op(Op.i32And);
  }
  /** Store local `v` into register r of `size`. */
  private setReg(size: number, r: number, v: number): void {
    const f = this.f;
    const x = size === 8 && r >= 4 ? r - 4 : r;
    const l = this.reg(x);
    this.written[x] = 1;
    if (size === 32) {
      f.get(v).set(l);
      return;
    }
    const keep = size === 16 ? ~0xffff : r < 4 ? ~0xff : ~0xff00;
    f.get(l).const(keep).op(Op.i32And);
    f.get(v)
      .const(size === 16 ? 0xffff : 0xff)
      .op(Op.i32And);
    if (size === 8 && r >= 4) f.const(8).op(Op.i32Shl);
    f.op(Op.i32Or).set(l);
  }
  private regToLocal(size: number, r: number): number {
    const l = this.temp();
    this.getReg(size, r);
    this.f.set(l);
    return l;
  }

  // --- control ---------------------------------------------------------------------------
  private open(o: typeof Op.block | typeof Op.loop | typeof Op.if): void {
    this.f.open(o);
    this.depth++;
  }
  private end(): void {
    this.f.op(Op.end);
    this.depth--;
  }
  /** Leave the block: EIP from local `eip` (or a constant), `count` instructions of this pass. */
  private exitTo(eip: number | { local: number }, count: number): void {
    const f = this.f;
    if (typeof eip === 'number') this.storeStateConst(S_EIP, eip);
    else this.storeState(S_EIP, eip.local);
    if (count !== 0) f.get(this.n).const(count).op(Op.i32Add).set(this.n);
    f.br(Op.br, this.depth - 1);
  }
  /** Stop before instruction x: the interpreter runs it (its slow path or fault). */
  private bail(): void {
    this.storeStateConst(S_BAIL, BAIL_BEFORE);
    this.exitTo(this.insns[this.x].ip, this.x);
  }
  /** With the condition on the stack: bail when it is false. */
  private bailUnless(): void {
    this.f.op(Op.i32Eqz);
    this.open(Op.if);
    this.bail();
    this.end();
  }

  // --- memory ----------------------------------------------------------------------------
  /**
   * The operand's linear address in a new local: its offset, plus the base of FS or GS (bailing
   * when their limits do not allow every offset; the other segments a block uses are flat).
   */
  private linearAddress(i: Insn): number {
    const o = isMoffs(i) ? this.constLocal(i.imm | 0) : this.effectiveAddress(i);
    this.addBase(segmentOf(i), o);
    return o;
  }

  /** Offset local `o` of segment `seg` becomes linear: FS/GS add their base (bailing unless open). */
  private addBase(seg: number, o: number): void {
    if (seg !== FS && seg !== GS) return;
    const f = this.f;
    f.const(0).mem(Op.i32Load, this.L.state + (seg === FS ? S_FS_OPEN : S_GS_OPEN) * 4);
    this.bailUnless();
    f.get(o)
      .const(0)
      .mem(Op.i32Load, this.L.state + (seg === FS ? S_FS_BASE : S_GS_BASE) * 4)
      .op(Op.i32Add)
      .set(o);
  }

  /** The operand's offset (32-bit addressing) in a new local. */
  private effectiveAddress(i: Insn): number {
    const f = this.f;
    const o = this.temp();
    let parts = 0;
    if (i.eaBase >= 0) {
      this.getReg(32, i.eaBase);
      parts++;
    }
    if (i.eaIndex >= 0) {
      this.getReg(32, i.eaIndex);
      if (i.eaScale !== 0) f.const(i.eaScale).op(Op.i32Shl);
      if (parts++ > 0) f.op(Op.i32Add);
    }
    if (parts === 0) f.const(i.eaDisp);
    else if (i.eaDisp !== 0) f.const(i.eaDisp).op(Op.i32Add);
    f.set(o);
    return o;
  }

  /**
   * The physical address of a `size`-bit access at linear address local `o` in a new local,
   * bailing where the JavaScript block would take its slow path.
   */
  private translate(o: number, size: number, write: boolean): number {
    const f = this.f;
    const inPage = () =>
      f
        .get(o)
        .const(0xfff)
        .op(Op.i32And)
        .const(0x1000 - size / 8)
        .op(Op.i32LeU);
    return this.translateWhere(o, inPage, write);
  }

  /** As translate, for a run of local `bytes` bytes (at least one) that must lie in one page. */
  private translateRun(o: number, bytes: number, write: boolean): number {
    const inPage = () =>
      this.f.get(o).const(0xfff).op(Op.i32And).get(bytes).op(Op.i32Add).const(0x1000).op(Op.i32LeU);
    return this.translateWhere(o, inPage, write);
  }

  /** translate's body: `inPage` pushes whether the access stays in the page of `o`. */
  private translateWhere(o: number, inPage: () => void, write: boolean): number {
    const f = this.f;
    const p = this.temp();
    if (this.shape.memKind === MEM_FLAT) {
      f.get(o).get(this.a20).op(Op.i32And).set(p);
      inPage();
      f.get(p)
        .const(12)
        .op(Op.i32ShrU)
        .mem(Op.i32Load8U, write ? this.L.slowWrite : this.L.slowRead);
      f.op(Op.i32Eqz, Op.i32And);
      this.bailUnless();
      return p;
    }
    const e = this.temp();
    // e = ~tlb[o >>> 12]
    f.get(o).const(12).op(Op.i32ShrU).const(2).op(Op.i32Shl);
    f.mem(Op.i32Load, write ? this.L.tlbWrite : this.L.tlbRead)
      .const(-1)
      .op(Op.i32Xor)
      .set(e);
    inPage();
    f.get(e).const(0xfff).op(Op.i32And);
    if (write) f.get(this.tag).op(Op.i32Eq);
    else f.op(Op.i32Eqz);
    f.op(Op.i32And);
    this.bailUnless();
    f.get(e);
    if (write) f.get(this.tag).op(Op.i32Xor);
    f.get(o).const(0xfff).op(Op.i32And).op(Op.i32Or).set(p);
    this.release(e);
    return p;
  }

  private load(size: number, p: number): void {
    this.f.get(p).mem(size === 32 ? Op.i32Load : size === 16 ? Op.i32Load16U : Op.i32Load8U, 0);
  }
  private store(size: number, p: number, v: number): void {
    this.f
      .get(p)
      .get(v)
      .mem(size === 32 ? Op.i32Store : size === 16 ? Op.i32Store16 : Op.i32Store8, 0);
  }

  /** An r/m operand: `read` pushes its value; `prepareWrite` (memory) translates for a write. */
  private rm(i: Insn, size: number) {
    if (!i.isMem) {
      return {
        read: () => this.getReg(size, i.rm),
        prepareWrite: () => -1,
        write: (_p: number, v: number) => this.setReg(size, i.rm, v),
        done: () => {},
      };
    }
    return this.memory(i, size);
  }

  /** Write v to an operand of `rm`/`memory` (its write checked first, as every store). */
  private storeOperand(e: ReturnType<Writer['rm']>, v: number): void {
    const p = e.prepareWrite();
    e.write(p, v);
    if (p >= 0) this.release(p);
  }

  /** The memory operand of i (ModRM or moffs): as `rm`, translating before any effect. */
  private memory(i: Insn, size: number) {
    return this.memoryAt(this.linearAddress(i), size);
  }

  /** As `memory`, at the linear address in local `o` (released with the operand). */
  private memoryAt(o: number, size: number) {
    let rp = -1;
    return {
      read: () => {
        rp = this.translate(o, size, false);
        this.load(size, rp);
      },
      prepareWrite: () => this.translate(o, size, true),
      write: (p: number, v: number) => this.store(size, p, v),
      done: () => this.release(o, ...(rp >= 0 ? [rp] : [])),
    };
  }

  // --- flags -----------------------------------------------------------------------------
  /** Record an ADD/SUB/LOGIC result (all six flags) from locals a, b, res. */
  private record(kind: number, a: number, b: number, res: number, size: number, m: number): void {
    const f = this.f;
    f.const(kind).set(this.fk);
    f.get(a).set(this.fa);
    f.get(b).set(this.fb);
    f.get(res).set(this.fr);
    f.const(size).set(this.fs);
    f.const(m).set(this.fm);
  }

  private full(kind: number, a: number, b: number, res: number, size: number): void {
    this.record(kind, a, b, res, size, ARITH);
    this.f.const(0).set(this.pm);
    this.flags = { kind, size, cf: 'rec', of: 'rec', af: 'rec', rec: true, poisoned: false };
  }

  private readable(): void {
    if (this.flags.poisoned) throw new Unsupported();
  }
  private fromEntry(bit: number): void {
    this.flagsIn = true;
    this.f.get(this.fin).const(bit).op(Op.i32ShrU).const(1).op(Op.i32And);
  }

  /** A flag found at entry or set explicitly (CF, OF, AF): push it (0/1) and return true. */
  private knownBit(from: FlagFrom, bit: number): boolean {
    if (from === 'entry') this.fromEntry(bit);
    else if (from === 'put') this.f.get(this.pv).const(bit).op(Op.i32ShrU).const(1).op(Op.i32And);
    else return false;
    return true;
  }

  /** Push CF (0/1). */
  private cf(): void {
    this.readable();
    const f = this.f;
    const s = this.flags;
    if (this.knownBit(s.cf, 0)) return;
    if (s.kind === LAZY_LOGIC) f.const(0);
    else if (s.carry === true) {
      // ((a & b) | ((a | b) & ~res)) for ADC, ((~a & b) | ((~a | b) & res)) for SBB: bit size-1
      if (s.kind === LAZY_ADD) {
        f.get(this.fa).get(this.fb).op(Op.i32And).get(this.fa).get(this.fb).op(Op.i32Or);
        f.get(this.fr).const(-1).op(Op.i32Xor, Op.i32And, Op.i32Or);
      } else {
        f.get(this.fa).const(-1).op(Op.i32Xor).get(this.fb).op(Op.i32And);
        f.get(this.fa).const(-1).op(Op.i32Xor).get(this.fb).op(Op.i32Or).get(this.fr).op(Op.i32And, Op.i32Or);
      }
      f.const(s.size - 1)
        .op(Op.i32ShrU)
        .const(1)
        .op(Op.i32And);
    } else if (s.kind === LAZY_ADD) f.get(this.fr).get(this.fa).op(Op.i32LtU);
    else f.get(this.fa).get(this.fb).op(Op.i32LtU);
  }
  private zf(): void {
    this.readable();
    if (!this.flags.rec) {
      this.fromEntry(6);
      return;
    }
    this.f.get(this.fr).op(Op.i32Eqz);
  }
  private sf(): void {
    this.readable();
    if (!this.flags.rec) {
      this.fromEntry(7);
      return;
    }
    this.f
      .get(this.fr)
      .const(this.flags.size - 1)
      .op(Op.i32ShrU)
      .const(1)
      .op(Op.i32And);
  }
  private pf(): void {
    this.readable();
    if (!this.flags.rec) {
      this.fromEntry(2);
      return;
    }
    this.f.get(this.fr).const(0xff).op(Op.i32And, Op.i32Popcnt).const(1).op(Op.i32And).const(1).op(Op.i32Xor);
  }
  private of(): void {
    this.readable();
    const f = this.f;
    const s = this.flags;
    if (this.knownBit(s.of, 11)) return;
    if (s.kind === LAZY_LOGIC) {
      f.const(0);
      return;
    }
    if (s.kind === LAZY_ADD) {
      f.get(this.fa).get(this.fr).op(Op.i32Xor).get(this.fb).get(this.fr).op(Op.i32Xor, Op.i32And);
    } else f.get(this.fa).get(this.fb).op(Op.i32Xor).get(this.fa).get(this.fr).op(Op.i32Xor, Op.i32And);
    f.const(s.size - 1)
      .op(Op.i32ShrU)
      .const(1)
      .op(Op.i32And);
  }
  private af(): void {
    this.readable();
    const s = this.flags;
    if (this.knownBit(s.af, 4)) return;
    if (s.kind === LAZY_LOGIC) this.f.const(0);
    else
      this.f
        .get(this.fa)
        .get(this.fb)
        .op(Op.i32Xor)
        .get(this.fr)
        .op(Op.i32Xor)
        .const(4)
        .op(Op.i32ShrU)
        .const(1)
        .op(Op.i32And);
  }

  /** The two values of a SUB record, sign-extended from its size (for the signed conditions). */
  private signedPair(): void {
    const f = this.f;
    const ext = (l: number) => {
      f.get(l);
      if (this.flags.size === 8) f.op(Op.i32Extend8S);
      else if (this.flags.size === 16) f.op(Op.i32Extend16S);
    };
    ext(this.fa);
    ext(this.fb);
  }

  /** Push condition cc (Jcc/SETcc/CMOVcc encoding) as 0/1. */
  private condition(cc: number): void {
    const f = this.f;
    const s = this.flags;
    const negate = (cc & 1) !== 0;
    const base = cc >> 1;
    const exactSub =
      s.rec && s.kind === LAZY_SUB && s.cf === 'rec' && s.of === 'rec' && !s.poisoned && s.carry !== true;
    if (exactSub && base === 1) f.get(this.fa).get(this.fb).op(Op.i32LtU);
    else if (exactSub && base === 3) f.get(this.fa).get(this.fb).op(Op.i32LeU);
    else if (exactSub && base === 6) {
      this.signedPair();
      f.op(Op.i32LtS);
    } else if (exactSub && base === 7) {
      this.signedPair();
      f.op(Op.i32LeS);
    } else {
      switch (base) {
        case 0:
          this.of();
          break;
        case 1:
          this.cf();
          break;
        case 2:
          this.zf();
          break;
        case 3:
          this.cf();
          this.zf();
          f.op(Op.i32Or);
          break;
        case 4:
          this.sf();
          break;
        case 5:
          this.pf();
          break;
        case 6:
          this.sf();
          this.of();
          f.op(Op.i32Xor);
          break;
        default:
          this.zf();
          this.sf();
          this.of();
          f.op(Op.i32Xor, Op.i32Or);
          break;
      }
    }
    if (negate) f.op(Op.i32Eqz);
  }

  /** The arithmetic flags' bit positions, each with the code that pushes it (0/1). */
  private flagBits(): [number, () => void][] {
    return [
      [0, () => this.cf()],
      [2, () => this.pf()],
      [4, () => this.af()],
      [6, () => this.zf()],
      [7, () => this.sf()],
      [11, () => this.of()],
    ];
  }

  /** Make every arithmetic flag an explicit value (`fin`), as at the block's entry (a loop's top). */
  private normalizeFlags(): void {
    const f = this.f;
    this.flagsIn = true;
    f.get(this.fin).const(~ARITH).op(Op.i32And);
    for (const [bit, push] of this.flagBits()) {
      push();
      if (bit !== 0) f.const(bit).op(Op.i32Shl);
      f.op(Op.i32Or);
    }
    f.set(this.fin);
    f.const(-1).set(this.fk);
    f.const(ARITH).set(this.pm);
    f.get(this.fin).set(this.pv);
    this.flags = ENTRY;
  }

  /**
   * The arithmetic flags a pass from the block's start may read before writing them (scanning
   * the fall-through path to its first branch, where everything not yet written counts as read).
   */
  private flagsReadByPass(): number {
    let written = 0;
    let read = 0;
    const reads = (m: number) => {
      read |= m & ~written;
    };
    for (const i of this.insns) {
      if (!supported(i, this.shape)) return read; // a bail leaves the true state
      const kind = inlineKind(i);
      const op = i.op;
      if (isJcc(op)) {
        reads(CONDITION_FLAGS[op & 15]);
        return read | (ARITH & ~written);
      }
      if (kind === INL_CALL || kind === INL_RET || op === 0xeb || op === 0xe9) return read;
      if (op === 0xf5) reads(CF);
      if (op === 0x9c) reads(ARITH);
      if (
        op === 0xf5 ||
        op === 0xf8 ||
        op === 0xf9 ||
        (extraForm(i) && (op === 0x1a3 || op === 0x1ab || op === 0x1b3 || op === 0x1bb || op === 0x1ba))
      )
        written |= CF;
      else if (extraForm(i) && op >= 0xc0 && op <= 0xd1) written |= CF | OF;
      else if (isCmpxchg8b(i) || op === 0x1bc || op === 0x1bd)
        reads(ARITH); // (made explicit)
      else if (isShiftDouble(op) && (op & 1) === 0 && (i.imm & 31) === 0) {
        // a count of 0 changes nothing
      } else if (isShiftDouble(op) && (op & 1) !== 0)
        reads(ARITH); // (made explicit: CL may be 0)
      else if (isShiftDouble(op) || isXadd(op)) written = ARITH;
      else if (kind === INL_INCDEC) {
        reads(CF);
        written |= ARITH & ~CF;
      } else if (kind === INL_SETCC || kind === INL_CMOV) reads(CONDITION_FLAGS[op & 15]);
      else if (kind === INL_SHIFT_CL) {
        reads(ARITH); // a zero count keeps (and makes explicit) the flags it found
        written = ARITH;
      } else if (
        (kind === INL_ALU && (op >> 3 === 2 || op >> 3 === 3)) ||
        (kind === INL_GRP1 && (i.reg === 2 || i.reg === 3))
      ) {
        reads(CF); // ADC, SBB
        written = ARITH;
      } else if (
        kind === INL_ALU ||
        kind === INL_GRP1 ||
        kind === INL_TEST ||
        kind === INL_SHIFT ||
        kind === INL_IMUL ||
        (isString(i) && op >= 0xae) ||
        (isRepString(i) && (op === 0xa6 || op === 0xa7)) ||
        op === 0x9d ||
        ((op === 0xf6 || op === 0xf7) && i.reg >= 3)
      )
        written = ARITH;
      if (written === ARITH) return read;
    }
    return read;
  }

  // --- instructions ----------------------------------------------------------------------
  /** ALU op (group 1's /r: 0 ADD, 1 OR, 2 ADC, 3 SBB, 4 AND, 5 SUB, 6 XOR, 7 CMP) of locals a, b into a new local. */
  private alu(op: number, a: number, b: number, size: number): number {
    const f = this.f;
    const res = this.temp();
    const withCarry = op === 2 || op === 3;
    let cf = -1;
    if (withCarry) {
      // The carry in, read before the record is replaced.
      cf = this.temp();
      this.cf();
      f.set(cf);
    }
    f.get(a).get(b);
    f.op(
      op === 0 || op === 2
        ? Op.i32Add
        : op === 1
          ? Op.i32Or
          : op === 4
            ? Op.i32And
            : op === 6
              ? Op.i32Xor
              : Op.i32Sub,
    );
    if (withCarry) {
      f.get(cf).op(op === 2 ? Op.i32Add : Op.i32Sub);
      this.release(cf);
    }
    if (size !== 32) f.const(mask(size)).op(Op.i32And);
    f.set(res);
    return res;
  }
  private aluFlags(op: number, a: number, b: number, res: number, size: number): void {
    const kind = op === 0 || op === 2 ? LAZY_ADD : op === 3 || op === 5 || op === 7 ? LAZY_SUB : LAZY_LOGIC;
    this.full(kind, a, b, res, size);
    if (op === 2 || op === 3) this.flags = { ...this.flags, carry: true };
  }
  private constLocal(v: number): number {
    const l = this.temp();
    this.f.const(v).set(l);
    return l;
  }

  private opSize(i: Insn, byteForm: boolean): number {
    return byteForm ? 8 : i.opsize32 ? 32 : 16;
  }

  /** An ALU-like instruction: dst op= src, the result written unless CMP/TEST. */
  private aluRm(
    i: Insn,
    op: number,
    size: number,
    src: () => number,
    rmIsDest: boolean,
    writes: boolean,
  ): void {
    const e = this.rm(i, size);
    const v = this.temp();
    e.read();
    this.f.set(v);
    const g = src();
    const [a, b] = rmIsDest ? [v, g] : [g, v];
    const res = this.alu(op, a, b, size);
    if (writes) {
      if (rmIsDest) {
        this.storeOperand(e, res);
      } else this.setReg(size, i.reg, res);
    }
    this.aluFlags(op, a, b, res, size);
    e.done();
    this.release(v, g, res);
  }

  private instruction(i: Insn, kind: number): void {
    const f = this.f;
    const op = i.op;
    if (isRepString(i)) {
      if (i.op === 0xa6 || i.op === 0xa7 || i.op === 0xae || i.op === 0xaf) this.repCompare(i);
      else this.repString(i);
      return;
    }
    if (isString(i)) {
      this.string(i);
      return;
    }
    if (op === RDTSC) {
      // The CPU's own RDTSC (its clock at this instruction's count), into EAX and EDX.
      f.const(0)
        .mem(Op.i32Load, this.L.state + S_TSC_DENY * 4)
        .op(Op.i32Eqz);
      this.bailUnless();
      f.get(this.n).const(this.x).op(Op.i32Add).call(TSC_FUNCTION).op(Op.drop);
      for (const r of [0, 2]) {
        const v = this.temp();
        f.const(0)
          .mem(Op.i32Load, this.L.state + r * 4)
          .set(v);
        this.setReg(32, r, v);
        this.release(v);
      }
      return;
    }
    if (isSystemFlagOp(op) || isDirectionOp(op)) {
      this.systemFlags(i);
      return;
    }
    if (isFlagOp(i)) {
      const v = this.temp();
      if (i.op === 0xf5) {
        this.cf();
        f.const(1).op(Op.i32Xor).set(v);
      } else f.const(i.op === 0xf9 ? 1 : 0).set(v);
      this.putOnly(CF, v);
      this.release(v);
      return;
    }
    if (extraForm(i)) {
      this.extra(i);
      return;
    }
    if (isMoffs(i)) {
      this.moffs(i);
      return;
    }
    if (op === LEAVE) {
      this.leave();
      return;
    }
    switch (kind) {
      case INL_NOP:
      case INL_JMP:
        return;
      case INL_ALU: {
        const form = op & 7;
        const size = this.opSize(i, (form & 1) === 0);
        const aluOp = op >> 3;
        if (form >= 4) {
          const a = this.regToLocal(size, 0);
          const b = this.constLocal(i.imm & mask(size));
          const res = this.alu(aluOp, a, b, size);
          if (aluOp !== 7) this.setReg(size, 0, res);
          this.aluFlags(aluOp, a, b, res, size);
          this.release(a, b, res);
          return;
        }
        this.aluRm(i, aluOp, size, () => this.regToLocal(size, i.reg), form < 2, aluOp !== 7);
        return;
      }
      case INL_GRP1: {
        const size = this.opSize(i, op === 0x80 || op === 0x82);
        this.aluRm(i, i.reg, size, () => this.constLocal(i.imm & mask(size)), true, i.reg !== 7);
        return;
      }
      case INL_TEST: {
        const size = this.opSize(i, op === 0x84 || op === 0xa8 || op === 0xf6);
        if (op === 0xa8 || op === 0xa9) {
          const a = this.regToLocal(size, 0);
          const b = this.constLocal(i.imm & mask(size));
          const res = this.alu(4, a, b, size);
          this.aluFlags(4, a, b, res, size);
          this.release(a, b, res);
          return;
        }
        const src =
          op >= 0xf6 ? () => this.constLocal(i.imm & mask(size)) : () => this.regToLocal(size, i.reg);
        this.aluRm(i, 4, size, src, true, false);
        return;
      }
      case INL_INCDEC: {
        const group = op >= 0xfe;
        const size = group ? this.opSize(i, op === 0xfe) : i.opsize32 ? 32 : 16;
        const dec = group ? i.reg === 1 : op >= 0x48;
        const e = group ? this.rm(i, size) : undefined;
        const a = this.temp();
        if (e !== undefined) e.read();
        else this.getReg(size, op & 7);
        f.set(a);
        const res = this.temp();
        f.get(a)
          .const(1)
          .op(dec ? Op.i32Sub : Op.i32Add);
        if (size !== 32) f.const(mask(size)).op(Op.i32And);
        f.set(res);
        if (e !== undefined) {
          this.storeOperand(e, res);
          e.done();
        } else this.setReg(size, op & 7, res);
        // CF stays: it becomes an explicit value (so the state left at the exit defines all six
        // flags, whatever an earlier block of the chain left).
        if (this.flags.poisoned) throw new Unsupported();
        const c = this.temp();
        this.cf();
        f.set(c);
        f.get(this.pv).const(~CF).op(Op.i32And).get(c).op(Op.i32Or).set(this.pv);
        f.const(CF).set(this.pm);
        this.release(c);
        const cfFrom: FlagFrom = 'put';
        const one = this.constLocal(1);
        this.record(dec ? LAZY_SUB : LAZY_ADD, a, one, res, size, ARITH & ~CF);
        this.flags = {
          kind: dec ? LAZY_SUB : LAZY_ADD,
          size,
          cf: cfFrom,
          of: 'rec',
          af: 'rec',
          rec: true,
          poisoned: false,
        };
        this.release(a, res, one);
        return;
      }
      case INL_MOV: {
        const size = this.opSize(i, op === 0x88 || op === 0x8a);
        const e = this.rm(i, size);
        if (op <= 0x89) {
          const v = this.regToLocal(size, i.reg);
          this.storeOperand(e, v);
          this.release(v);
        } else {
          const v = this.temp();
          e.read();
          f.set(v);
          this.setReg(size, i.reg, v);
          this.release(v);
        }
        e.done();
        return;
      }
      case INL_MOVI: {
        if (op < 0xc0) {
          const size = op < 0xb8 ? 8 : i.opsize32 ? 32 : 16;
          const v = this.constLocal(i.imm & mask(size));
          this.setReg(size, op & 7, v);
          this.release(v);
          return;
        }
        const size = this.opSize(i, op === 0xc6);
        const e = this.rm(i, size);
        const v = this.constLocal(i.imm & mask(size));
        this.storeOperand(e, v);
        e.done();
        this.release(v);
        return;
      }
      case INL_LEA: {
        const o = this.effectiveAddress(i);
        this.setReg(i.opsize32 ? 32 : 16, i.reg, o);
        this.release(o);
        return;
      }
      case INL_MOVX: {
        const from = op === 0x1b6 || op === 0x1be ? 8 : 16;
        const e = this.rm(i, from);
        const v = this.temp();
        e.read();
        if (op >= 0x1be) f.op(from === 8 ? Op.i32Extend8S : Op.i32Extend16S);
        f.set(v);
        this.setReg(i.opsize32 ? 32 : 16, i.reg, v);
        e.done();
        this.release(v);
        return;
      }
      case INL_SETCC: {
        const e = this.rm(i, 8);
        const v = this.temp();
        this.condition(op & 15);
        f.set(v);
        this.storeOperand(e, v);
        e.done();
        this.release(v);
        return;
      }
      case INL_CMOV: {
        const size = i.opsize32 ? 32 : 16;
        const e = this.rm(i, size);
        const v = this.temp();
        e.read();
        f.set(v);
        this.condition(op & 15);
        this.open(Op.if);
        this.setReg(size, i.reg, v);
        this.end();
        e.done();
        this.release(v);
        return;
      }
      case INL_SHIFT:
      case INL_SHIFT_CL: {
        this.shift(i, kind === INL_SHIFT_CL);
        return;
      }
      case INL_IMUL: {
        this.imul(i);
        return;
      }
      case INL_PUSH:
      case INL_PUSHI: {
        const size = i.opsize32 ? 32 : 16;
        const v = kind === INL_PUSH ? this.regToLocal(size, op & 7) : this.constLocal(i.imm & mask(size));
        this.push(size, v);
        this.release(v);
        return;
      }
      case INL_POP: {
        const size = i.opsize32 ? 32 : 16;
        const sp = this.regToLocal(32, 4);
        const p = this.translate(sp, size, false);
        const v = this.temp();
        this.load(size, p);
        f.set(v);
        f.get(sp)
          .const(size / 8)
          .op(Op.i32Add)
          .set(sp);
        this.setReg(32, 4, sp);
        this.setReg(size, op & 7, v);
        this.release(sp, p, v);
        return;
      }
    }
    throw new Unsupported();
  }

  /** Push local v (ESP - size/8; the store checked first). */
  private push(size: number, v: number): void {
    const sp = this.temp();
    this.getReg(32, 4);
    this.f
      .const(size / 8)
      .op(Op.i32Sub)
      .set(sp);
    const p = this.translate(sp, size, true);
    this.store(size, p, v);
    this.setReg(32, 4, sp);
    this.release(sp, p);
  }

  /**
   * SHL/SAL (/4 /6), SHR (/5), SAR (/7) by an immediate (non-zero) or by CL (a zero count, which
   * leaves the flags, bails), as codegen's shiftBy.
   */
  private shift(i: Insn, byCl: boolean): void {
    const f = this.f;
    const size = this.opSize(i, (i.op & 1) === 0);
    const n = this.temp();
    if (byCl) {
      this.getReg(8, 1);
      f.const(31).op(Op.i32And).set(n);
    } else f.const(shiftCount(i)).set(n);
    const e = this.rm(i, size);
    const v = this.temp();
    e.read();
    f.set(v);
    if (!byCl) this.shifted(i, e, n, v, size);
    else {
      // A zero count changes nothing (the operand is written back); both paths then leave
      // every flag explicit, so the code after them knows where each flag is.
      const before = this.flags;
      f.get(n).op(Op.i32Eqz);
      this.open(Op.if);
      this.storeOperand(e, v);
      this.normalizeFlags();
      f.op(Op.else);
      this.flags = before;
      this.shifted(i, e, n, v, size);
      this.normalizeFlags();
      this.end();
    }
    e.done();
    this.release(n, v);
  }

  /** The shift's result, store and flags (count n, a local, not zero; operand v read from e). */
  private shifted(i: Insn, e: ReturnType<Writer['rm']>, n: number, v: number, size: number): void {
    const f = this.f;
    const msb = size - 1;
    const res = this.temp();
    const cf = this.temp();
    const of = this.temp();
    /** Push `yes` if n <= size else 0 (the bit shifted out last, when there is one). */
    const ifInRange = (yes: () => void) => {
      yes();
      f.const(0).get(n).const(size).op(Op.i32LeU, Op.select);
    };
    if (i.reg === 5) {
      f.get(v).get(n).op(Op.i32ShrU).set(res);
      ifInRange(() => f.get(v).get(n).const(1).op(Op.i32Sub, Op.i32ShrU).const(1).op(Op.i32And));
      f.set(cf);
      // OF: the operand's sign for a count of 1, else 0
      f.get(v).const(msb).op(Op.i32ShrU).const(1).op(Op.i32And);
      f.const(0).get(n).const(1).op(Op.i32Eq, Op.select).set(of);
    } else if (i.reg === 7) {
      const sv = this.temp();
      f.get(v);
      if (size === 8) f.op(Op.i32Extend8S);
      else if (size === 16) f.op(Op.i32Extend16S);
      f.set(sv);
      /** Push min(n - d, msb). */
      const capped = (d: number) => {
        f.get(n)
          .const(d)
          .op(Op.i32Sub)
          .const(msb)
          .get(n)
          .const(d)
          .op(Op.i32Sub)
          .const(msb)
          .op(Op.i32LtU, Op.select);
      };
      f.get(sv);
      capped(0);
      f.op(Op.i32ShrS);
      if (size !== 32) f.const(mask(size)).op(Op.i32And);
      f.set(res);
      f.get(sv);
      capped(1);
      f.op(Op.i32ShrS).const(1).op(Op.i32And).set(cf);
      f.const(0).set(of);
      this.release(sv);
    } else {
      f.get(v).get(n).op(Op.i32Shl);
      if (size !== 32) f.const(mask(size)).op(Op.i32And);
      f.set(res);
      ifInRange(() => f.get(v).const(size).get(n).op(Op.i32Sub, Op.i32ShrU).const(1).op(Op.i32And));
      f.set(cf);
      f.get(res).const(msb).op(Op.i32ShrU).const(1).op(Op.i32And).get(cf).op(Op.i32Xor).set(of);
    }
    this.storeOperand(e, res);
    // SF, ZF, PF from the result; CF, OF given, AF clear (Cpu.putFlags after the record).
    const zero = this.constLocal(0);
    this.record(LAZY_LOGIC, zero, zero, res, size, SF | ZF | PF);
    f.const(CF | OF | AF).set(this.pm);
    f.get(cf).get(of).const(11).op(Op.i32Shl).op(Op.i32Or).set(this.pv);
    this.flags = { kind: LAZY_LOGIC, size, cf: 'put', of: 'put', af: 'put', rec: true, poisoned: false };
    this.release(res, cf, of, zero);
  }

  /** The forms of `extraForm`, with the interpreter's semantics (exec/arith, data, logic, shift). */
  private extra(i: Insn): void {
    const f = this.f;
    const op = i.op;
    const size = this.opSize(
      i,
      op === 0xf6 || op === 0xc0 || op === 0xd0 || op === 0x86 || op === 0x1b0 || op === 0x1c0,
    );
    if (isXadd(op)) {
      this.exchangeAdd(i, size);
      return;
    }
    if (isCmpxchg8b(i)) {
      this.compareExchange8b(i);
      return;
    }
    if (isShiftDouble(op)) {
      this.shiftDouble(i);
      return;
    }
    if (op === 0x1bc || op === 0x1bd) {
      this.bitScan(i, size);
      return;
    }
    if (isXchg(op)) {
      this.exchange(i, size);
      return;
    }
    if (isIndirect(i)) {
      this.indirect(i);
      return;
    }
    if (isCmpxchg(op)) {
      this.compareExchange(i, size);
      return;
    }
    if (op === 0x10b) {
      this.bail(); // UD2: the interpreter raises #UD
      return;
    }
    if (op === 0x98 || op === 0x99) {
      const v = this.temp();
      this.getReg(32, 0);
      if (op === 0x98) {
        f.op(i.opsize32 ? Op.i32Extend16S : Op.i32Extend8S).set(v);
        this.setReg(i.opsize32 ? 32 : 16, 0, v);
      } else {
        if (!i.opsize32) f.op(Op.i32Extend16S);
        f.const(31).op(Op.i32ShrS).set(v);
        this.setReg(i.opsize32 ? 32 : 16, 2, v);
      }
      this.release(v);
      return;
    }
    if (op >= 0x1c8) {
      const r = op & 7;
      const v = this.regToLocal(32, r);
      const w = this.temp();
      f.get(v).const(24).op(Op.i32Shl);
      f.get(v).const(0xff00).op(Op.i32And).const(8).op(Op.i32Shl, Op.i32Or);
      f.get(v).const(8).op(Op.i32ShrU).const(0xff00).op(Op.i32And, Op.i32Or);
      f.get(v).const(24).op(Op.i32ShrU, Op.i32Or).set(w);
      this.setReg(32, r, w);
      this.release(v, w);
      return;
    }
    if (op === 0xff) {
      // PUSH r/m: the operand read, then the push (both checked before a write)
      const e = this.rm(i, size);
      const v = this.temp();
      e.read();
      f.set(v);
      this.push(size, v);
      e.done();
      this.release(v);
      return;
    }
    if (op === 0xf6 || op === 0xf7) {
      if (i.reg >= 4) {
        this.mulAcc(i, size);
        return;
      }
      const e = this.rm(i, size);
      const v = this.temp();
      e.read();
      f.set(v);
      const res = this.temp();
      if (i.reg === 2) f.get(v).const(-1).op(Op.i32Xor);
      else f.const(0).get(v).op(Op.i32Sub);
      if (size !== 32) f.const(mask(size)).op(Op.i32And);
      f.set(res);
      this.storeOperand(e, res);
      if (i.reg === 3) {
        const zero = this.constLocal(0);
        this.full(LAZY_SUB, zero, v, res, size);
        this.release(zero);
      }
      e.done();
      this.release(v, res);
      return;
    }
    if (op === 0xc0 || op === 0xc1 || op === 0xd0 || op === 0xd1) {
      this.rotate(i, size);
      return;
    }
    this.bitTest(i);
  }

  /**
   * CALL/JMP r/m32: the target read and checked against the CS limit, then CALL's push (its
   * one store), then the exit to the target.
   */
  private indirect(i: Insn): void {
    const f = this.f;
    const e = this.rm(i, 32);
    const target = this.temp();
    e.read();
    f.set(target);
    e.done();
    f.get(target).get(this.csLimit).op(Op.i32LeU);
    this.bailUnless();
    if (i.reg === 2) {
      const ret = this.constLocal(i.next);
      this.push(32, ret);
      this.release(ret);
    }
    this.exitTo({ local: target }, this.x + 1);
    this.release(target);
    this.live = false;
  }

  /** XCHG: the memory form reads, then makes its one store, then writes the register. */
  private exchange(i: Insn, size: number): void {
    const f = this.f;
    if (i.op >= 0x91) {
      const a = this.regToLocal(size, 0);
      const r = this.regToLocal(size, i.op & 7);
      this.setReg(size, 0, r);
      this.setReg(size, i.op & 7, a);
      this.release(a, r);
      return;
    }
    const e = this.rm(i, size);
    const old = this.temp();
    e.read();
    f.set(old);
    const r = this.regToLocal(size, i.reg);
    this.storeOperand(e, r);
    this.setReg(size, i.reg, old);
    e.done();
    this.release(old, r);
  }

  /**
   * CMPXCHG: flags as CMP eAX, r/m; equal: r/m = r, else eAX = r/m. The destination is written
   * either way (its old value when unequal), as the processor does.
   */
  private compareExchange(i: Insn, size: number): void {
    const f = this.f;
    const e = this.rm(i, size);
    const dest = this.temp();
    e.read();
    f.set(dest);
    const acc = this.regToLocal(size, 0);
    const src = this.regToLocal(size, i.reg);
    const res = this.alu(7, acc, dest, size);
    const equal = this.temp();
    f.get(acc).get(dest).op(Op.i32Eq).set(equal);
    const out = this.temp();
    f.get(src).get(dest).get(equal).op(Op.select).set(out);
    const a = this.temp();
    f.get(acc).get(dest).get(equal).op(Op.select).set(a);
    // A register destination may be eAX itself: it gets r last. A memory one is stored first
    // (its write may bail: nothing, flags included, may have changed before it).
    if (!i.isMem) this.setReg(size, 0, a);
    this.storeOperand(e, out);
    if (i.isMem) this.setReg(size, 0, a);
    this.aluFlags(7, acc, dest, res, size);
    e.done();
    this.release(dest, acc, src, res, equal, out, a);
  }

  /** XADD: r/m = r/m + r and r = the old r/m, flags as ADD (memory stored first, as exec/arith). */
  private exchangeAdd(i: Insn, size: number): void {
    const e = this.rm(i, size);
    const d = this.temp();
    e.read();
    this.f.set(d);
    const s = this.regToLocal(size, i.reg);
    const sum = this.alu(0, d, s, size);
    if (i.isMem) {
      this.storeOperand(e, sum);
      this.setReg(size, i.reg, d);
    } else {
      this.setReg(size, i.reg, d);
      this.storeOperand(e, sum);
    }
    this.aluFlags(0, d, s, sum, size);
    e.done();
    this.release(d, s, sum);
  }

  /**
   * CMPXCHG8B m64 in one page: EDX:EAX against the quadword; equal: ECX:EBX stored, ZF = 1;
   * else EDX:EAX loaded, ZF = 0 (the quadword is written back unchanged: its write is checked
   * either way). Only ZF changes: the flags are made explicit, then ZF replaced.
   */
  private compareExchange8b(i: Insn): void {
    const f = this.f;
    const o = this.linearAddress(i);
    const p = this.translate(o, 64, true);
    const lo = this.temp();
    const hi = this.temp();
    const equal = this.temp();
    this.load(32, p);
    f.set(lo);
    f.get(p).mem(Op.i32Load, 4).set(hi);
    f.get(lo).get(this.reg(0)).op(Op.i32Eq).get(hi).get(this.reg(2)).op(Op.i32Eq, Op.i32And).set(equal);
    f.get(equal);
    this.open(Op.if);
    f.get(p).get(this.reg(3)).mem(Op.i32Store, 0);
    f.get(p).get(this.reg(1)).mem(Op.i32Store, 4);
    this.f.op(Op.else);
    this.setReg(32, 0, lo);
    this.setReg(32, 2, hi);
    this.end();
    this.normalizeFlags();
    f.get(this.fin)
      .const(~ZF)
      .op(Op.i32And)
      .get(equal)
      .const(6)
      .op(Op.i32Shl, Op.i32Or)
      .tee(this.fin)
      .set(this.pv);
    this.release(o, p, lo, hi, equal);
  }

  /**
   * 32-bit SHLD/SHRD (exec/shift.ts's shiftDouble): a count (imm8 or CL, mod 32) of 0 changes
   * nothing but reads the operand; else SF/ZF/PF from the result, CF the last bit shifted out,
   * OF whether the sign changed, AF clear. By CL the count is known only at run time, so the flags
   * are made explicit first and replaced only when it is not 0.
   */
  private shiftDouble(i: Insn): void {
    const f = this.f;
    const left = i.op < 0x1a8;
    const byCl = (i.op & 1) !== 0;
    const e = this.rm(i, 32);
    const d = this.temp();
    const n = this.temp();
    e.read(); // (even for a count of 0, as the interpreter does)
    f.set(d);
    if (!byCl && (i.imm & 31) === 0) {
      e.done();
      this.release(d, n);
      return;
    }
    if (byCl) {
      this.normalizeFlags();
      this.getReg(32, 1);
      f.const(31).op(Op.i32And).tee(n);
      this.open(Op.if);
    } else f.const(i.imm & 31).set(n);
    const s = this.regToLocal(32, i.reg);
    const res = this.temp();
    const cf = this.temp();
    const of = this.temp();
    const back = this.temp();
    f.const(32).get(n).op(Op.i32Sub).set(back);
    if (left) {
      f.get(d).get(n).op(Op.i32Shl).get(s).get(back).op(Op.i32ShrU, Op.i32Or).set(res);
      f.get(d).get(back).op(Op.i32ShrU).const(1).op(Op.i32And).set(cf);
    } else {
      f.get(d).get(n).op(Op.i32ShrU).get(s).get(back).op(Op.i32Shl, Op.i32Or).set(res);
      f.get(d).get(n).const(1).op(Op.i32Sub, Op.i32ShrU).const(1).op(Op.i32And).set(cf);
    }
    f.get(res).get(d).op(Op.i32Xor).const(31).op(Op.i32ShrU).set(of);
    this.storeOperand(e, res);
    if (byCl) {
      // fin's arithmetic flags: CF, PF, ZF, SF, OF from the result (AF clear).
      f.get(this.fin).const(~ARITH).op(Op.i32And).get(cf).op(Op.i32Or);
      f.get(res).const(0xff).op(Op.i32And, Op.i32Popcnt).const(1).op(Op.i32And).const(1).op(Op.i32Xor);
      f.const(2).op(Op.i32Shl, Op.i32Or);
      f.get(res).op(Op.i32Eqz).const(6).op(Op.i32Shl, Op.i32Or);
      f.get(res).const(31).op(Op.i32ShrU).const(7).op(Op.i32Shl, Op.i32Or);
      f.get(of).const(11).op(Op.i32Shl, Op.i32Or).tee(this.fin).set(this.pv);
      this.end();
    } else {
      const zero = this.constLocal(0);
      this.record(LAZY_LOGIC, zero, zero, res, 32, SF | ZF | PF);
      f.const(CF | OF | AF).set(this.pm);
      f.get(cf).get(of).const(11).op(Op.i32Shl).op(Op.i32Or).set(this.pv);
      this.flags = {
        kind: LAZY_LOGIC,
        size: 32,
        cf: 'put',
        of: 'put',
        af: 'put',
        rec: true,
        poisoned: false,
      };
      this.release(zero);
    }
    e.done();
    this.release(d, n, s, res, cf, of, back);
  }

  /** A multiply's flags (exec/arith's mulFlags): SF/ZF/PF from the low result, CF = OF = ov (0/1). */
  private productFlags(low: number, ov: number, size: number): void {
    const f = this.f;
    const zero = this.constLocal(0);
    this.record(LAZY_LOGIC, zero, zero, low, size, ARITH);
    f.const(CF | OF).set(this.pm);
    f.const(0)
      .get(ov)
      .op(Op.i32Sub)
      .const(CF | OF)
      .op(Op.i32And)
      .set(this.pv);
    this.flags = { kind: LAZY_LOGIC, size, cf: 'put', of: 'put', af: 'rec', rec: true, poisoned: false };
    this.release(zero);
  }

  /** MUL/IMUL r/m (F6/F7 /4 /5): eDX:eAX (AX for bytes) = eAX × r/m; CF = OF = the high half is needed. */
  private mulAcc(i: Insn, size: number): void {
    const f = this.f;
    const signed = i.reg === 5;
    const e = this.rm(i, size);
    const v = this.temp();
    e.read();
    f.set(v);
    const a = this.regToLocal(size, 0);
    const lo = this.temp();
    const hi = this.temp();
    const ov = this.temp();
    if (size === 32) {
      f.get(a).get(v).op(Op.i32Mul).set(lo);
      // the high half from the 64-bit product
      f.get(a).op(signed ? Op.i64ExtendI32S : Op.i64ExtendI32U);
      f.get(v).op(signed ? Op.i64ExtendI32S : Op.i64ExtendI32U, Op.i64Mul);
      f.const64(32).op(Op.i64ShrU, Op.i32WrapI64).set(hi);
      f.get(hi);
      if (signed) f.get(lo).const(31).op(Op.i32ShrS);
      else f.const(0);
      f.op(Op.i32Ne).set(ov);
      this.setReg(32, 0, lo);
      this.setReg(32, 2, hi);
    } else {
      const ext = (l: number) => {
        f.get(l);
        if (signed) f.op(size === 8 ? Op.i32Extend8S : Op.i32Extend16S);
      };
      const p = this.temp();
      ext(a);
      ext(v);
      f.op(Op.i32Mul).set(p);
      f.get(p).const(mask(size)).op(Op.i32And).set(lo);
      f.get(p);
      if (signed) f.get(p).op(size === 8 ? Op.i32Extend8S : Op.i32Extend16S, Op.i32Ne);
      else f.const(mask(size)).op(Op.i32GtU);
      f.set(ov);
      this.setReg(16, 0, p);
      if (size === 16) {
        f.get(p).const(16).op(Op.i32ShrS).set(hi);
        this.setReg(16, 2, hi);
      }
      this.release(p);
    }
    this.productFlags(lo, ov, size);
    e.done();
    this.release(v, a, lo, hi, ov);
  }

  /**
   * Flags written explicitly without a new record (ROL/ROR's CF and OF, BT's CF): the other
   * flags stay what they were. When those are the CPU's, the block folds them at its entry,
   * since the state it leaves then has no record of its own.
   */
  private putOnly(bits: number, value: number): void {
    const f = this.f;
    if (!this.flags.rec && this.flags.kind < 0) this.flagsIn = true;
    if (this.flags.poisoned) throw new Unsupported();
    f.get(this.pm).const(bits).op(Op.i32Or).set(this.pm);
    f.get(this.pv).const(~bits).op(Op.i32And).get(value).op(Op.i32Or).set(this.pv);
    const s = this.flags;
    this.flags = {
      ...s,
      cf: (bits & CF) !== 0 ? 'put' : s.cf,
      of: (bits & OF) !== 0 ? 'put' : s.of,
    };
  }

  /** ROL (/0) / ROR (/1) by an immediate: CF and OF only (exec/shift.ts). */
  private rotate(i: Insn, size: number): void {
    const f = this.f;
    const count = (i.op <= 0xc1 ? i.imm : 1) & 31;
    if (count === 0) return; // nothing changes
    const msb = size - 1;
    const n = count & msb;
    const e = this.rm(i, size);
    const v = this.temp();
    e.read();
    f.set(v);
    const res = this.temp();
    if (n === 0) f.get(v).set(res);
    else {
      const left = i.reg === 0;
      f.get(v)
        .const(left ? n : size - n)
        .op(Op.i32Shl);
      f.get(v)
        .const(left ? size - n : n)
        .op(Op.i32ShrU, Op.i32Or);
      if (size !== 32) f.const(mask(size)).op(Op.i32And);
      f.set(res);
    }
    this.storeOperand(e, res);
    const bits = this.temp();
    if (i.reg === 0) {
      // CF = bit 0; OF = MSB ^ CF
      f.get(res).const(1).op(Op.i32And);
      f.get(res).const(msb).op(Op.i32ShrU).get(res).op(Op.i32Xor).const(1).op(Op.i32And);
    } else {
      // CF = MSB; OF = MSB ^ the bit below it
      f.get(res).const(msb).op(Op.i32ShrU).const(1).op(Op.i32And);
      f.get(res)
        .const(msb)
        .op(Op.i32ShrU)
        .get(res)
        .const(msb - 1)
        .op(Op.i32ShrU, Op.i32Xor)
        .const(1)
        .op(Op.i32And);
    }
    f.const(11).op(Op.i32Shl, Op.i32Or).set(bits);
    this.putOnly(CF | OF, bits);
    e.done();
    this.release(v, res, bits);
  }

  /** BT/BTS/BTR/BTC: a register with a register bit offset, or r/m with an immediate one. */
  private bitTest(i: Insn): void {
    const f = this.f;
    const size = i.opsize32 ? 32 : 16;
    const kind =
      i.op === 0x1ba ? i.reg - 4 : i.op === 0x1a3 ? 0 : i.op === 0x1ab ? 1 : i.op === 0x1b3 ? 2 : 3;
    const bit = this.temp();
    if (i.op === 0x1ba) f.const(i.imm & (size - 1)).set(bit);
    else {
      this.getReg(size, i.reg);
      f.const(size - 1)
        .op(Op.i32And)
        .set(bit);
    }
    let e: ReturnType<Writer['rm']>;
    if (i.isMem && i.op !== 0x1ba) {
      // A register's bit offset is signed and reaches the operand-size unit it falls in.
      const o = this.effectiveAddress(i);
      this.getReg(size, i.reg);
      if (size === 16) f.op(Op.i32Extend16S);
      f.const(size === 32 ? 5 : 4)
        .op(Op.i32ShrS)
        .const(size === 32 ? 2 : 1)
        .op(Op.i32Shl)
        .get(o)
        .op(Op.i32Add)
        .set(o);
      this.addBase(segmentOf(i), o);
      e = this.memoryAt(o, size);
    } else e = this.rm(i, size);
    const v = this.temp();
    e.read();
    f.set(v);
    if (kind !== 0) {
      const w = this.temp();
      f.get(v).const(1).get(bit).op(Op.i32Shl);
      if (kind === 1) f.op(Op.i32Or);
      else if (kind === 2) f.const(-1).op(Op.i32Xor, Op.i32And);
      else f.op(Op.i32Xor);
      f.set(w);
      this.storeOperand(e, w);
      this.release(w);
    }
    const cf = this.temp();
    f.get(v).get(bit).op(Op.i32ShrU).const(1).op(Op.i32And).set(cf);
    this.putOnly(CF, cf);
    e.done();
    this.release(bit, v, cf);
  }

  /**
   * BSF/BSR (exec/logic.ts's bitScan): a source of 0 sets ZF and leaves the rest (the
   * destination too); else the destination gets the bit's index and the flags are a LOGIC
   * record of 1 but CF (ZF, SF, PF, AF, OF clear). Both made explicit.
   */
  private bitScan(i: Insn, size: number): void {
    const f = this.f;
    const e = this.rm(i, size);
    const v = this.temp();
    e.read();
    f.set(v);
    const idx = this.temp();
    if (i.op === 0x1bc) f.get(v).op(Op.i32Ctz).set(idx);
    else f.const(31).get(v).op(Op.i32Clz, Op.i32Sub).set(idx);
    const out = this.temp();
    f.get(idx);
    this.getReg(size, i.reg);
    f.get(v).op(Op.select).set(out);
    this.setReg(size, i.reg, out);
    this.normalizeFlags();
    f.get(this.fin).const(ZF).op(Op.i32Or);
    f.get(this.fin)
      .const(~ARITH | CF)
      .op(Op.i32And);
    f.get(v).op(Op.i32Eqz, Op.select).tee(this.fin).set(this.pv);
    e.done();
    this.release(v, idx, out);
  }

  /**
   * One MOVS/STOS/LODS/SCAS (codegen's INL_STRING): source seg:ESI, destination ES:EDI, each
   * stepped by the size, down with DF (the chain's EFLAGS: only an instruction the blocks leave
   * to the interpreter changes DF); every access checked before the store and the steps.
   */
  private string(i: Insn): void {
    const f = this.f;
    const op = i.op;
    const size = (op & 1) === 0 ? 8 : i.opsize32 ? 32 : 16;
    const n = size / 8;
    const step = this.temp();
    // step = n - DF * 2n
    f.const(n)
      .const(0)
      .mem(Op.i32Load, this.L.state + S_FLAGS * 4);
    f.const(10)
      .op(Op.i32ShrU)
      .const(1)
      .op(Op.i32And)
      .const(2 * n)
      .op(Op.i32Mul, Op.i32Sub)
      .set(step);
    /** Linear address of seg:r (r ESI 6 / EDI 7) in a new local, bailing where an FS/GS limit must be checked. */
    const at = (seg: number, r: number) => {
      const o = this.regToLocal(32, r);
      this.addBase(seg, o);
      return o;
    };
    const advance = (r: number) => {
      const v = this.temp();
      f.get(this.reg(r)).get(step).op(Op.i32Add).set(v);
      this.setReg(32, r, v);
      this.release(v);
    };
    const v = this.temp();
    if (op === 0xa4 || op === 0xa5) {
      const si = at(stringSource(i), 6);
      const di = at(ES, 7);
      const rp = this.translate(si, size, false);
      const wp = this.translate(di, size, true);
      this.load(size, rp);
      f.set(v);
      this.store(size, wp, v);
      advance(6);
      advance(7);
      this.release(si, di, rp, wp);
    } else if (op === 0xaa || op === 0xab) {
      const di = at(ES, 7);
      const wp = this.translate(di, size, true);
      this.getReg(size, 0);
      f.set(v);
      this.store(size, wp, v);
      advance(7);
      this.release(di, wp);
    } else if (op === 0xac || op === 0xad) {
      const si = at(stringSource(i), 6);
      const rp = this.translate(si, size, false);
      this.load(size, rp);
      f.set(v);
      this.setReg(size, 0, v);
      advance(6);
      this.release(si, rp);
    } else {
      const di = at(ES, 7);
      const rp = this.translate(di, size, false);
      this.load(size, rp);
      f.set(v);
      const a = this.regToLocal(size, 0);
      const res = this.alu(7, a, v, size);
      advance(7);
      this.aluFlags(7, a, v, res, size);
      this.release(di, rp, a, res);
    }
    this.release(v, step);
  }

  /**
   * EFLAGS beside the arithmetic flags, in S_FLAGS itself (read there by string instructions and
   * PUSHF, taken back by the CPU at the chain's end): CLD/STD; CLI/STI/PUSHF/POPF in protected
   * mode. CLI and STI need CPL <= IOPL (else the interpreter raises #GP or uses VIF). STI that
   * sets IF, and POPF that sets IF or TF, end the chain after them so that the CPU delivers a
   * pending interrupt or traps (STI's shadow first).
   */
  private systemFlags(i: Insn): void {
    const f = this.f;
    const op = i.op;
    const at = this.L.state + S_FLAGS * 4;
    const old = this.temp();
    f.const(0).mem(Op.i32Load, at).set(old);
    const setFlags = (pushValue: () => void) => {
      f.const(0);
      pushValue();
      f.mem(Op.i32Store, at);
    };
    const cpl = this.shape.cpl;
    if ((op === 0xfa || op === 0xfb) && cpl > 0) {
      f.get(old).const(12).op(Op.i32ShrU).const(3).op(Op.i32And).const(cpl).op(Op.i32GeU);
      this.bailUnless();
    }
    if (isDirectionOp(op)) {
      setFlags(() => {
        f.get(old).const(~DF).op(Op.i32And);
        if (op === 0xfd) f.const(DF).op(Op.i32Or);
      });
    } else if (op === 0xfa) setFlags(() => f.get(old).const(~IF).op(Op.i32And));
    else if (op === 0xfb) {
      setFlags(() => f.get(old).const(IF).op(Op.i32Or));
      f.get(old).const(IF).op(Op.i32And, Op.i32Eqz);
      this.open(Op.if);
      this.leaveAfter(i, BAIL_AFTER_STI);
      this.end();
    } else if (op === 0x9c) {
      // EFLAGS with the arithmetic flags where this point of the block has them; VM, RF clear.
      const v = this.temp();
      f.get(old)
        .const(~ARITH & 0x00fcffff)
        .op(Op.i32And);
      for (const [bit, push] of this.flagBits()) {
        push();
        if (bit !== 0) f.const(bit).op(Op.i32Shl);
        f.op(Op.i32Or);
      }
      f.set(v);
      this.push(32, v);
      this.release(v);
    } else {
      // POPF: every arithmetic flag from the stack; IOPL only at CPL 0, IF only at CPL <= IOPL.
      const sp = this.regToLocal(32, 4);
      const p = this.translate(sp, 32, false);
      const mask = this.temp();
      const v = this.temp();
      f.const(cpl > 0 ? BLOCK_FLAGS & ~IOPL : BLOCK_FLAGS).set(mask);
      if (cpl > 0) {
        f.get(old).const(12).op(Op.i32ShrU).const(3).op(Op.i32And).const(cpl).op(Op.i32LtU);
        this.open(Op.if);
        f.get(mask).const(~IF).op(Op.i32And).set(mask);
        this.end();
      }
      this.load(32, p);
      f.get(mask).op(Op.i32And);
      f.get(old).get(mask).const(-1).op(Op.i32Xor, Op.i32And, Op.i32Or).set(v);
      f.get(sp).const(4).op(Op.i32Add).set(sp);
      this.setReg(32, 4, sp);
      setFlags(() => f.get(v));
      // The flags found are all replaced: none is pending in the record or the put flags.
      this.storeStateConst(S_LAZY_KIND, -1);
      this.storeStateConst(S_PUT_MASK, 0);
      f.const(-1).set(this.fk);
      f.const(0).set(this.pm);
      f.get(v).set(this.fin);
      this.flags = ENTRY;
      // IF set from clear, or TF set: the CPU looks before the next instruction.
      f.get(old).const(-1).op(Op.i32Xor).get(v).op(Op.i32And).const(IF).op(Op.i32And);
      f.get(v).const(TF).op(Op.i32And, Op.i32Or);
      this.open(Op.if);
      this.leaveAfter(i, BAIL_AFTER);
      this.end();
      this.release(sp, p, mask, v);
    }
    this.release(old);
  }

  /** End the chain after instruction i (the one being generated) with S_BAIL `why`. */
  private leaveAfter(i: Insn, why: number): void {
    this.storeStateConst(S_BAIL, why);
    this.exitTo(i.next, this.x + 1);
  }

  /**
   * REP MOVS/STOS upwards (DF clear), when the whole count (1 to one chunk: no rewind, so one
   * instruction as in the interpreter) lies in one page of plain RAM for each operand; a copy
   * must not overlap forwards (element by element it would repeat a pattern, not move).
   * Anything else bails before any iteration, and the interpreter runs it.
   */
  private repString(i: Insn): void {
    const f = this.f;
    const op = i.op;
    const size = (op & 1) === 0 ? 8 : i.opsize32 ? 32 : 16;
    const n = size / 8;
    const count = this.regToLocal(32, 1);
    f.get(count).const(1).op(Op.i32Sub).const(CHUNK).op(Op.i32LtU);
    this.directionUp();
    f.op(Op.i32And);
    this.bailUnless();
    const bytes = this.temp();
    f.get(count).const(n).op(Op.i32Mul).set(bytes);
    const di = this.regToLocal(32, 7);
    const pd = this.translateRun(di, bytes, true);
    const zero = this.constLocal(0);
    if (op === 0xa4 || op === 0xa5) {
      const si = this.regToLocal(32, 6);
      this.addBase(stringSource(i), si);
      const ps = this.translateRun(si, bytes, false);
      f.get(pd)
        .get(ps)
        .op(Op.i32GtU)
        .get(pd)
        .get(ps)
        .get(bytes)
        .op(Op.i32Add, Op.i32LtU, Op.i32And, Op.i32Eqz);
      this.bailUnless();
      f.get(pd).get(ps).get(bytes).memoryCopy();
      this.advance(6, bytes);
      this.release(si, ps);
    } else {
      const v = this.regToLocal(size, 0);
      if (size === 8) f.get(pd).get(v).get(bytes).memoryFill();
      else {
        const at = this.temp();
        const end = this.temp();
        f.get(pd).set(at);
        f.get(pd).get(bytes).op(Op.i32Add).set(end);
        this.open(Op.loop);
        this.store(size, at, v);
        f.get(at).const(n).op(Op.i32Add).tee(at).get(end).op(Op.i32LtU).br(Op.brIf, 0);
        this.end();
        this.release(at, end);
      }
      this.release(v);
    }
    this.advance(7, bytes);
    this.setReg(32, 1, zero);
    this.release(count, bytes, di, pd, zero);
  }

  /**
   * REPE/REPNE CMPS and SCAS upwards (DF clear): elements are compared in RAM, in one page for
   * each operand, up to the one that ends the loop, the count's end or the chunk's end (then
   * the instruction rewinds, counted once, as in the interpreter); the flags are the last
   * compare's. Reaching a page's end first bails, having changed nothing (compares have no
   * effect but the registers and flags, written only after the scan).
   */
  private repCompare(i: Insn): void {
    const f = this.f;
    const op = i.op;
    const size = (op & 1) === 0 ? 8 : i.opsize32 ? 32 : 16;
    const n = size / 8;
    const shift = Math.log2(n);
    const scas = op === 0xae || op === 0xaf;
    const count = this.regToLocal(32, 1);
    f.get(count).const(0).op(Op.i32Ne);
    this.directionUp();
    f.op(Op.i32And);
    this.bailUnless();
    // limit = min(count, CHUNK); scan = min(limit, the elements left in each operand's page)
    const limit = this.temp();
    f.get(count).const(CHUNK).get(count).const(CHUNK).op(Op.i32LtU, Op.select).set(limit);
    const scan = this.temp();
    const fitIn = (o: number) => {
      const room = () =>
        f.const(0x1000).get(o).const(0xfff).op(Op.i32And, Op.i32Sub).const(shift).op(Op.i32ShrU);
      f.get(scan);
      room();
      f.get(scan);
      room();
      f.op(Op.i32LtU, Op.select).set(scan);
    };
    f.get(limit).set(scan);
    const di = this.regToLocal(32, 7);
    const pd = this.translate(di, size, false);
    fitIn(di);
    let si = -1;
    let ps = -1;
    if (!scas) {
      si = this.regToLocal(32, 6);
      this.addBase(stringSource(i), si);
      ps = this.translate(si, size, false);
      fitIn(si);
    }
    const whileEqual = i.rep === 2;
    const a = this.temp();
    const b = this.temp();
    const done = this.temp();
    const end = this.temp();
    const eax = scas ? this.regToLocal(size, 0) : -1;
    const load = size === 32 ? Op.i32Load : size === 16 ? Op.i32Load16U : Op.i32Load8U;
    f.get(scan).const(shift).op(Op.i32Shl).set(end);
    f.const(0).set(done);
    this.open(Op.block);
    this.open(Op.loop);
    if (scas) f.get(eax).set(a);
    else f.get(ps).get(done).op(Op.i32Add).mem(load, 0).set(a);
    f.get(pd).get(done).op(Op.i32Add).mem(load, 0).set(b);
    f.get(done).const(n).op(Op.i32Add).tee(done).get(end).op(Op.i32GeU).br(Op.brIf, 1);
    f.get(a)
      .get(b)
      .op(whileEqual ? Op.i32Eq : Op.i32Ne)
      .br(Op.brIf, 0);
    this.end();
    this.end();
    // Not ended by a compare: the scan must have reached the count or the chunk, not a page end.
    const goesOn = this.temp();
    f.get(a)
      .get(b)
      .op(whileEqual ? Op.i32Eq : Op.i32Ne)
      .set(goesOn);
    f.get(goesOn).get(done).get(limit).const(shift).op(Op.i32Shl, Op.i32LtU, Op.i32And, Op.i32Eqz);
    this.bailUnless();
    if (!scas) this.advance(6, done);
    this.advance(7, done);
    const left = this.temp();
    f.get(count).get(done).const(shift).op(Op.i32ShrU, Op.i32Sub).set(left);
    this.setReg(32, 1, left);
    const res = this.alu(7, a, b, size);
    this.aluFlags(7, a, b, res, size);
    // A chunk run to its end with more to go: the instruction starts again (counted once).
    f.get(left).const(0).op(Op.i32Ne).get(goesOn).op(Op.i32And);
    this.open(Op.if);
    this.exitTo(i.ip, this.x + 1);
    this.end();
    this.release(
      limit,
      scan,
      di,
      pd,
      a,
      b,
      done,
      end,
      goesOn,
      left,
      res,
      count,
      ...(scas ? [eax] : [si, ps]),
    );
  }

  /** Push 1 when DF is clear (string instructions going up). */
  private directionUp(): void {
    this.f
      .const(0)
      .mem(Op.i32Load, this.L.state + S_FLAGS * 4)
      .const(DF)
      .op(Op.i32And, Op.i32Eqz);
  }

  /** Register r (32 bits) plus local `by`. */
  private advance(r: number, by: number): void {
    const v = this.temp();
    this.f.get(this.reg(r)).get(by).op(Op.i32Add).set(v);
    this.setReg(32, r, v);
    this.release(v);
  }

  /** MOV AL/eAX, moffs (A0, A1) and MOV moffs, AL/eAX (A2, A3). */
  private moffs(i: Insn): void {
    const size = (i.op & 1) === 0 ? 8 : i.opsize32 ? 32 : 16;
    const m = this.memory(i, size);
    const v = this.temp();
    if (i.op <= 0xa1) {
      m.read();
      this.f.set(v);
      this.setReg(size, 0, v);
    } else {
      this.getReg(size, 0);
      this.f.set(v);
      this.storeOperand(m, v);
    }
    m.done();
    this.release(v);
  }

  /** LEAVE: ESP = EBP, then POP EBP (the read checked before either register changes). */
  private leave(): void {
    const f = this.f;
    const sp = this.regToLocal(32, 5);
    const p = this.translate(sp, 32, false);
    const v = this.temp();
    this.load(32, p);
    f.set(v);
    f.get(sp).const(4).op(Op.i32Add).set(sp);
    this.setReg(32, 4, sp);
    this.setReg(32, 5, v);
    this.release(sp, p, v);
  }

  /** IMUL r, r/m (0F AF) or r, r/m, imm (69, 6B): CF = OF = the product did not fit. */
  private imul(i: Insn): void {
    const f = this.f;
    const size = i.opsize32 ? 32 : 16;
    const e = this.rm(i, size);
    const a = this.temp();
    e.read();
    f.set(a);
    const b = i.op === 0x1af ? this.regToLocal(size, i.reg) : this.constLocal(i.imm & mask(size));
    const res = this.temp();
    const ov = this.temp();
    if (size === 32) {
      f.get(a).get(b).op(Op.i32Mul).set(res);
      f.get(a).op(Op.i64ExtendI32S).get(b).op(Op.i64ExtendI32S, Op.i64Mul);
      f.get(res).op(Op.i64ExtendI32S, Op.i64Ne).set(ov);
    } else {
      const p = this.temp();
      f.get(a).op(Op.i32Extend16S).get(b).op(Op.i32Extend16S, Op.i32Mul).set(p);
      f.get(p).const(0xffff).op(Op.i32And).set(res);
      f.get(p).get(p).op(Op.i32Extend16S, Op.i32Ne).set(ov);
      this.release(p);
    }
    this.setReg(size, i.reg, res);
    this.productFlags(res, ov, size);
    e.done();
    this.release(a, b, res, ov);
  }

  /** Bail when the constant target is beyond the CS limit (the interpreter raises #GP). */
  private checkTarget(target: number): void {
    this.f.const(target).get(this.csLimit).op(Op.i32LeU);
    this.bailUnless();
  }

  private callOrReturn(i: Insn, kind: number): void {
    const f = this.f;
    const size = i.opsize32 ? 32 : 16;
    if (kind === INL_CALL) {
      const target = branchTarget(i);
      this.checkTarget(target);
      const v = this.constLocal(i.next & mask(size));
      this.push(size, v);
      this.release(v);
      this.exitTo(target, this.x + 1);
      return;
    }
    const sp = this.regToLocal(32, 4);
    const p = this.translate(sp, size, false);
    const v = this.temp();
    this.load(size, p);
    f.set(v);
    f.get(v).get(this.csLimit).op(Op.i32LeU);
    this.bailUnless();
    f.get(sp)
      .const(size / 8 + (i.op === 0xc2 ? i.imm : 0))
      .op(Op.i32Add)
      .set(sp);
    this.setReg(32, 4, sp);
    this.exitTo({ local: v }, this.x + 1);
    this.release(sp, p, v);
  }

  /** A branch to the block's start from instruction x: another pass if the budget allows. */
  private loopBack(): void {
    const f = this.f;
    const x = this.x;
    const after = this.flags; // the state on the path that does not branch back
    f.get(this.n)
      .const(x + 1)
      .op(Op.i32Add)
      .set(this.n);
    // A pass starts from the same state each time: the flags it reads before writing them are
    // made what the top of the pass expects (CF alone explicit, or all explicit in `fin`).
    if (this.passReads === CF) {
      if (this.flags.poisoned) throw new Unsupported();
      if (this.flags.cf !== 'put') {
        const c = this.temp();
        this.cf();
        f.set(c);
        f.get(this.pv).const(~CF).op(Op.i32And).get(c).op(Op.i32Or).set(this.pv);
        f.get(this.pm).const(CF).op(Op.i32Or).set(this.pm);
        this.release(c);
      }
    } else if (this.passReads !== 0) this.normalizeFlags();
    // Another pass when it fits the budget. (Nothing a block does can raise an interrupt or a
    // stop: it makes no I/O and calls nothing outside; the chain's caller checks after it.)
    f.get(this.n)
      .get(this.lim)
      .op(Op.i32LeS)
      .br(Op.brIf, this.depth - 2);
    this.exitTo(this.shape.start, 0);
    this.flags = after;
  }

  /** The end of region `r`: the taken path joins the one that went through the stretch. */
  private join(r: Region): void {
    const through = this.live;
    if (through && r.live && !sameFlags(r.flags, this.flags)) {
      if (this.normalizeAt.has(r.from)) this.normalizeFlags();
      else {
        this.mismatchedJoins.add(r.from);
        this.flags = { ...this.flags, poisoned: true };
      }
    } else if (!through) this.flags = r.flags;
    this.end();
    this.live = through || r.live;
  }

  generate(): WasmBlock {
    const f = this.f;
    const { insns, start } = this.shape;
    const count = insns.length;
    this.passReads = this.flagsReadByPass();
    const loops = insns.some(
      (i) => (isJcc(i.op) || i.op === 0xeb || i.op === 0xe9) && !i.followed && branchTarget(i) === start,
    );
    if (loops && this.passReads === CF) {
      // CF explicit from the start, as every back edge leaves it (the prologue puts the CF found).
      this.cfAtStart = true;
      this.flagsIn = true;
      this.flags = { ...ENTRY, cf: 'put' };
    }
    this.open(Op.block); // exit
    this.open(Op.loop); // a pass
    const joins = joinPoints(insns);
    const regions: Region[] = [];
    for (let x = 0; x < count; x++) {
      const i = insns[x];
      while (regions.length > 0 && regions[regions.length - 1].end === x) this.join(regions.pop() as Region);
      // Unreachable code (after an exit, before a join) is not generated.
      if (!this.live) continue;
      this.x = x;
      const last = x === count - 1;
      const kind = inlineKind(i);
      if (!supported(i, this.shape)) {
        this.bail(); // the interpreter runs it (and what follows, until a block starts)
        this.live = false;
        continue;
      }
      if (kind === INL_CALL || kind === INL_RET) {
        this.callOrReturn(i, kind);
        this.live = false;
        continue;
      }
      if (isJcc(i.op)) {
        const target = branchTarget(i);
        const c = this.temp();
        this.condition(i.op & 15);
        f.set(c);
        if (joins[x] >= 0) {
          const normalize = this.normalizeAt.has(x);
          regions.push({ from: x, end: joins[x], flags: normalize ? ENTRY : this.flags, live: true });
          this.open(Op.block);
          f.get(c);
          this.open(Op.if);
          f.get(this.n)
            .const(joins[x] - x - 1)
            .op(Op.i32Sub)
            .set(this.n);
          if (normalize) {
            const stay = this.flags; // the path that does not branch keeps its state
            this.normalizeFlags();
            this.flags = stay;
          }
          f.br(Op.br, 1);
          this.end();
        } else {
          f.get(c);
          this.open(Op.if);
          if (target === start) this.loopBack();
          else {
            this.checkTarget(target);
            this.exitTo(target, x + 1);
          }
          this.end();
          if (last) this.exitTo(i.next, count);
        }
        this.release(c);
        continue;
      }
      if (!i.followed && (i.op === 0xeb || i.op === 0xe9)) {
        const target = branchTarget(i);
        if (target === start) this.loopBack();
        else {
          this.checkTarget(target);
          this.exitTo(target, x + 1);
        }
        this.live = false;
        continue;
      }
      this.instruction(i, kind);
      // (CALL/JMP r/m left the block already.)
      if (last && this.live) this.exitTo(i.next, count);
    }
    if (regions.length > 0) throw new Unsupported();
    this.end(); // loop (every path left through a br)
    this.end(); // exit block
    // Epilogue: the registers written, from their locals.
    for (let r = 0; r < 8; r++) if (this.written[r] !== 0) this.storeState(r, this.regs[r]);
    // The flag state, where an instruction wrote flags (each such state defines all
    // six: a record, explicit flags or both); the count.
    f.get(this.fk).const(-1).op(Op.i32Ne).get(this.pm).op(Op.i32Or);
    this.open(Op.if);
    this.storeState(S_LAZY_KIND, this.fk);
    this.storeState(S_LAZY_A, this.fa);
    this.storeState(S_LAZY_B, this.fb);
    this.storeState(S_LAZY_RES, this.fr);
    this.storeState(S_LAZY_SIZE, this.fs);
    this.storeState(S_LAZY_MASK, this.fm);
    this.storeState(S_PUT_MASK, this.pm);
    this.storeState(S_PUT_VALUE, this.pv);
    this.end();
    f.get(this.n);
    // Prologue (now that the body says whether it reads the flags it found).
    const pro = new FunctionBody(1);
    const load = (w: number, l: number) =>
      pro
        .const(0)
        .mem(Op.i32Load, this.L.state + w * 4)
        .set(l);
    pro.get(0).const(count).op(Op.i32Sub).set(this.lim);
    load(S_A20, this.a20);
    load(S_WRITE_TAG, this.tag);
    load(S_CS_LIMIT, this.csLimit);
    pro.const(-1).set(this.fk);
    for (let r = 0; r < 8; r++) if (this.regs[r] >= 0) load(r, this.regs[r]);
    if (this.flagsIn) load(S_FLAGS, this.fin);
    if (this.cfAtStart) pro.get(this.fin).const(CF).op(Op.i32And).set(this.pv).const(CF).set(this.pm);
    f.prepend(pro.code);
    return {
      bytes: moduleBytes({
        types: TYPES,
        memoryPages: this.L.pages,
        imports: insns.some((i) => i.op === RDTSC) ? [{ name: 'tsc', type: TYPE_BLOCK }] : [],
        functions: [{ name: 'b', type: TYPE_BLOCK, body: f }],
      }),
      readsFlags: this.flagsIn,
    };
  }
}
