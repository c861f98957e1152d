// The processor: architectural state, memory access through segments and paging, the
// fetch/decode loop and exception delivery. Instruction semantics live in exec/*, the
// decode table in decode/table.ts, protected-mode rules in modes/*.
import type { Ia32Mmu, MemoryBus, PhysicalMemory } from '@phantasm/mmu';
import type {
  CpuHooks,
  InterruptController,
  IoBus,
  SegmentName,
  SegmentState,
  StopReason,
} from './contract.js';
import {
  DECODE,
  EXEC,
  HOT,
  HOT_ALU,
  HOT_CALL,
  HOT_DEC,
  HOT_GRP1_EB,
  HOT_GRP1_EV,
  HOT_INC,
  HOT_JCC,
  HOT_JMP,
  HOT_LEA,
  HOT_MOV_E_I,
  HOT_MOV_EB_GB,
  HOT_MOV_EV_GV,
  HOT_MOV_GB_EB,
  HOT_MOV_GV_EV,
  HOT_MOV_R_IZ,
  HOT_POP,
  HOT_PUSH,
  HOT_RET,
  HOT_TEST_EV_GV,
  IMM_AP,
  IMM_GRP3B,
  IMM_GRP3V,
  IMM_IB,
  IMM_IBS,
  IMM_IW,
  IMM_IWIB,
  IMM_IZ,
  IMM_MO,
  lockAllowed,
} from './decode/table.js';
import {
  aluALIbOp,
  aluAXIzOp,
  aluEbGbOp,
  aluEvGvOp,
  aluGbEbOp,
  aluGvEvOp,
  decReg,
  grp1Eb,
  grp1Ev,
  incReg,
} from './exec/arith.js';
import { callRel, jcc, jmpRel, loop, retNear } from './exec/control.js';
import { lea, movEbGb, movEbIb, movEvGv, movEvIz, movGbEb, movGvEv, movRvIz } from './exec/data.js';
import { testEvGv } from './exec/logic.js';
import { ModelSpecificRegisters, readMsr, readTsc, writeMsr, writeTsc } from './exec/msr.js';
import { popReg, pushReg } from './exec/stack.js';
import { CPUID_SIGNATURE } from './exec/system.js';
import { interpretOnlyTable } from './jit/decode.js';
import { BlockCompiler, type JitOptions, type JitStats } from './jit/engine.js';
import { STATE_WORDS, WASM_CACHE_BYTES } from './jit/wasm/state.js';
import { Paging } from './modes/paging.js';
import { deliverProtected, loadCodeSegment, loadSegmentProtected } from './modes/protected.js';
import { CpuError, GUEST_FAULT, GuestFaultSignal, SegmentLoadError } from './signal.js';
import { type CpuState, loadCpuState, saveCpuState } from './snapshot.js';
import {
  AC,
  ARITH,
  CF,
  CR0_PE,
  CR0_PG,
  CR4_DE,
  CR4_IMPLEMENTED,
  CS,
  DB,
  DFV,
  DS,
  EBP,
  EBX,
  EDI,
  ESI,
  ESP,
  GP,
  IF,
  NMI,
  OF,
  PF,
  PFV,
  R_DB,
  RF,
  RIGHTS_REAL_DATA,
  SF,
  SS,
  SSV,
  TF,
  VM,
  ZF,
} from './state.js';
import { Fpu } from './x87/fpu.js';

export const LAZY_ADD = 0;
export const LAZY_SUB = 1;
export const LAZY_LOGIC = 2;

/** CF (0 or 1) of a lazy record; `sh` is the size in bits minus one (logic ops clear it). */
function lazyCarry(op: number, a: number, b: number, res: number, sh: number): number {
  if (op === LAZY_ADD) return (((a & b) | ((a | b) & ~res)) >>> sh) & 1;
  if (op === LAZY_SUB) return (((~a & b) | ((~a | b) & res)) >>> sh) & 1;
  return 0;
}
/** OF (0 or 1) of a lazy record, as lazyCarry. */
function lazyOverflow(op: number, a: number, b: number, res: number, sh: number): number {
  if (op === LAZY_ADD) return (((a ^ res) & (b ^ res)) >>> sh) & 1;
  if (op === LAZY_SUB) return (((a ^ b) & (a ^ res)) >>> sh) & 1;
  return 0;
}

const PARITY = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  let p = 1;
  for (let b = i; b; b >>= 1) p ^= b & 1;
  PARITY[i] = p ? PF : 0;
}

const IS_PREFIX = new Uint8Array(256);
for (const p of [0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3]) IS_PREFIX[p] = 1;

/** DECODE for one-byte opcodes, with 0x80 marking prefix bytes and 0F (the slow start). */
const FIRST = DECODE.slice(0, 256);
for (let b = 0; b < 256; b++) if (IS_PREFIX[b] === 1 || b === 0x0f) FIRST[b] = 0x80;

/** The largest value V8 keeps as a small integer on every platform (31-bit Smis). */
const SMALL_LIMIT = 0x3fffffff;

/**
 * One-byte opcodes whose handlers never fault after changing ESP (ALU, MOV, INC/DEC, LEA,
 * TEST, Jcc/JMP/LOOP...): the run loop does not save ESP for them. Everything else (PUSH,
 * POP, CALL, RET, string, far transfers, prefixed and 0F opcodes) saves it.
 */
export const KEEPS_ESP = new Uint8Array(256);
for (let k = 0; k < 8; k++) for (let e = 0; e < 6; e++) KEEPS_ESP[k * 8 + e] = 1;
for (let b = 0x40; b < 0x50; b++) KEEPS_ESP[b] = 1; // INC/DEC r
for (let b = 0x70; b < 0x80; b++) KEEPS_ESP[b] = 1; // Jcc rel8
for (let b = 0xb0; b < 0xc0; b++) KEEPS_ESP[b] = 1; // MOV r, imm
for (const b of [
  0x80, 0x81, 0x83, 0x84, 0x85, 0x88, 0x89, 0x8a, 0x8b, 0x8d, 0xa8, 0xa9, 0xc6, 0xc7, 0xe2, 0xeb,
])
  KEEPS_ESP[b] = 1;

/** Per one-byte opcode: FIRST (bits 0-7), KEEPS_ESP (bit 8), HOT class (bits 9+) in one load. */
const INFO_KEEPS_ESP = 0x100;
const OP_INFO = new Uint16Array(256);
for (let b = 0; b < 256; b++) OP_INFO[b] = FIRST[b] | (KEEPS_ESP[b] << 8) | (HOT[b] << 9);

const SEG_NAMES: readonly SegmentName[] = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'];

export interface CpuOptions {
  memory: MemoryBus;
  io?: IoBus;
  pic?: InterruptController;
  hooks?: CpuHooks;
  /**
   * The clock the time-stamp counter counts (e.g. the board's virtual cycles). Without it the
   * TSC counts retired instructions, so guests that read it run deterministically. `pending`:
   * instructions the current run has retired and not yet added to `instructions` (a board whose
   * clock advances once per run adds them).
   */
  tsc?: (pending: number) => bigint | number;
  /**
   * The block compiler (src/jit): `false` turns it off (the interpreter alone), an object sets
   * its options (`{ threshold: 0 }` compiles every block at once). Without this field the
   * environment variable PHANTASM_IA32_JIT decides: `off`, or a threshold number; unset means off
   * (boot code runs faster interpreted until the compiler has a cheaper first tier: README Limits).
   */
  jit?: JitOptions | false;
}

/** A CPU's own tables in a WebAssembly arena: jitState, slowW, the block cache (each 64-aligned). */
const CPU_ARENA_BYTES = STATE_WORDS * 4 + (1 << 20) + WASM_CACHE_BYTES + 3 * 64;

/** The compiler setting when CpuOptions.jit is absent (PHANTASM_IA32_JIT, for test runs). */
function defaultJit(): JitOptions | false {
  const vars = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const env = vars?.PHANTASM_IA32_JIT;
  if (env === undefined || env === '' || env === 'off') return false;
  const threshold = Number(env);
  if (!Number.isInteger(threshold) || threshold < 0)
    throw new CpuError(`PHANTASM_IA32_JIT must be "off" or a threshold (integer >= 0), got "${env}"`);
  // PHANTASM_IA32_WASM: "off" (JavaScript blocks only) or the WebAssembly threshold.
  const wasm = vars?.PHANTASM_IA32_WASM;
  if (wasm === undefined || wasm === '') return { threshold };
  if (wasm === 'off') return { threshold, wasm: false };
  const wasmThreshold = Number(wasm);
  if (!Number.isInteger(wasmThreshold) || wasmThreshold < 0)
    throw new CpuError(`PHANTASM_IA32_WASM must be "off" or a threshold (integer >= 0), got "${wasm}"`);
  return { threshold, wasmThreshold };
}

export interface TableRegister {
  base: number;
  limit: number;
}

const OPEN_BUS_IO: IoBus = {
  read: (_port, size) => (size === 1 ? 0xff : size === 2 ? 0xffff : 0xffffffff),
  write: () => {},
};

/** Contributory exceptions for the double-fault rule (SDM Vol. 3, table 6-5). */
function contributory(v: number): boolean {
  return v === 0 || (v >= 10 && v <= 13);
}

export class Cpu {
  readonly memory: MemoryBus;
  io: IoBus;
  pic: InterruptController | undefined;
  hooks: CpuHooks;

  // --- general state -------------------------------------------------------------------
  /**
   * EAX..EDI. With a WebAssembly arena (PhysicalMemory `wasmTableBytes`) this is the start of
   * `jitState`, where blocks compiled to WebAssembly read and write them.
   */
  declare readonly regs: Int32Array;
  /** The WebAssembly blocks' state words (see jit/wasm/state.ts), in the arena; else undefined. */
  declare readonly jitState: Int32Array | undefined;
  eip = 0;
  /** EFLAGS; the bits in `lazyMask` are stale and computed from the lazy record. */
  flags = 2;
  lazyMask = 0;
  lazyOp = 0;
  lazyA = 0;
  lazyB = 0;
  lazyRes = 0;
  lazySize = 8;

  // Segment registers with their hidden descriptor caches.
  readonly segSel = new Int32Array(6);
  readonly segBase = new Int32Array(6);
  readonly segLimit = new Float64Array(6);
  readonly segRights = new Int32Array(6);
  /** CS cache copies kept as plain fields for the fetch path. */
  csBase = 0;
  csLimit = 0xffff;
  /**
   * csLimit clamped to the small-integer range: offsets up to it are within the limit, compared
   * as small integers (csLimit itself is a double for 32-bit segments).
   */
  csLimitSmall = 0xffff;
  csBig = false;
  /** Valid offsets: lo <= off and off + size - 1 <= hiR (reads) / hiW (writes); -1 = never. */
  readonly segLo = new Float64Array(6);
  readonly segHiR = new Float64Array(6);
  readonly segHiW = new Float64Array(6);
  /**
   * Bit s set while segment s is flat for data: base 0 and every offset readable and writable
   * (the block compiler drops the segment's base and limit from accesses through it).
   */
  flatSegs = 0;

  cr0 = 0;
  cr2 = 0;
  cr3 = 0;
  cr4 = 0;
  readonly dr = new Int32Array(8);
  gdtrBase = 0;
  gdtrLimit = 0xffff;
  idtrBase = 0;
  idtrLimit = 0x3ff;
  ldtr: SegmentState = { selector: 0, base: 0, limit: 0xffff, rights: 0x82 };
  tr: SegmentState = { selector: 0, base: 0, limit: 0xffff, rights: 0x8b };
  cpl = 0;
  a20Mask = -1;
  halted = false;

  // --- per-instruction decode state ----------------------------------------------------
  startEip = 0;
  startEsp = 0;
  /**
   * The run-loop instruction count at which startEsp was saved (a fault restores it then).
   * Every 0F and prefixed opcode saves it, so their handlers find the run's retired count here
   * (RDTSC and the TSC MSR add it to `instructions`).
   */
  espSavedAt = -1;
  opsize32 = false;
  addr32 = false;
  segOvr = -1;
  rep = 0; // 0 none, 1 REPNE (F2), 2 REP/REPE (F3)
  lock = false;
  /** Opcode being executed: 0-255, or 0x100 | second byte for 0F xx. */
  opByte = 0;
  modrm = 0;
  reg = 0;
  rm = 0;
  isMem = false;
  /** The memory operand's base register is ESP (POP Ev addresses it after the pop). */
  eaEspBase = false;
  eaSeg = DS;
  eaOff = 0;
  imm = 0;
  imm2 = 0;
  /** Interrupts are inhibited for one instruction after MOV SS, POP SS and STI. */
  inhibit = false;
  /** The NMI input was asserted and the NMI is not delivered yet (see `nmi`). */
  nmiPending = false;
  /** An NMI handler runs: further NMIs wait for the next IRET (SDM 3A §6.7.1). */
  nmiBlocked = false;
  /** Exception being thrown with GUEST_FAULT. */
  excVector = 0;
  excCode = 0;
  excHasCode = false;
  /** Set by handlers that request `run` to stop (a hook, a reset). */
  stopRequest: StopReason | undefined;
  /** Total instructions retired since construction (REP iterations count per chunk). */
  instructions = 0;
  /** True while the CPU accesses system structures: paging treats the access as supervisor. */
  sysAccess = false;
  /** Model-specific registers (SYSENTER, APIC base, ...) and the TSC offset. */
  readonly msr = new ModelSpecificRegisters();
  /** The x87 FPU (src/x87). */
  readonly fpu = new Fpu();
  /** The board's TSC clock (`CpuOptions.tsc`), or undefined: the TSC counts instructions. */
  tscSource: ((pending: number) => bigint | number) | undefined;

  // --- memory fast path ----------------------------------------------------------------
  readonly ram: Uint8Array;
  readonly ramSize: number;
  /**
   * One byte per 4 KiB physical page (all 2^20): 0 when the page is plain RAM that the CPU may
   * index directly, 1 when accesses must go through the bus (MMIO, open bus). A PhysicalMemory
   * shares its own live table; for any other bus every page below ramSize is plain RAM.
   */
  readonly slow: Uint8Array;
  readonly paging: Paging;
  /** The mmu package's translator when the bus is a PhysicalMemory (fetch reads its TLB inline). */
  readonly mmu: Ia32Mmu | undefined;
  pagingOn = false;
  /** With paging on through Ia32Mmu: the soft-TLB read array fetches use at the current CPL. */
  codeTlb: Int32Array | undefined;
  /** Decode window: EIP values below fetchStop are fetched from ram[eip + fetchDelta]. */
  fetchStop = 0;
  fetchDelta = 0;

  // --- block compiler (src/jit) ----------------------------------------------------------
  /** The compiler, or undefined when off. */
  readonly jit: BlockCompiler | undefined;
  /**
   * Write map for physical addresses (paging off, or a bus without Ia32Mmu): `slow` plus the
   * pages holding compiled code, whose stores take the slow path to invalidate it. The same
   * array as `slow` when the compiler is off.
   */
  readonly slowW: Uint8Array;
  /** Bumped whenever RAM may have changed behind the CPU (run entry, port I/O, hooks). */
  jitEpoch = 0;
  /** Set to make a running block return at its next check (a store into code, a slow access). */
  jitExit = 0;
  /** Instructions a block retired before the instruction that faulted. */
  jitDone = 0;

  constructor(options: CpuOptions) {
    this.memory = options.memory;
    this.io = options.io ?? OPEN_BUS_IO;
    this.pic = options.pic;
    this.hooks = options.hooks ?? {};
    this.tscSource = options.tsc;
    this.ram = options.memory.ram;
    this.ramSize = Math.min(options.memory.ramSize, options.memory.ram.length);
    const bus = options.memory as Partial<PhysicalMemory>;
    // The CPU's words, write map and block cache in the arena (when they still fit: a second CPU
    // on the same memory runs JavaScript blocks only).
    const arena = options.jit === false || !bus.arena?.fits(CPU_ARENA_BYTES) ? undefined : bus.arena;
    this.jitState = arena?.int32(STATE_WORDS);
    this.regs = this.jitState?.subarray(0, 8) ?? new Int32Array(8);
    if (bus.slowPages instanceof Uint8Array && bus.slowPages.length === 1 << 20) {
      this.slow = bus.slowPages;
    } else {
      this.slow = new Uint8Array(1 << 20).fill(1);
      this.slow.fill(0, 0, Math.floor(this.ramSize / 4096));
    }
    this.paging = new Paging(this);
    this.mmu = this.paging.mmu;
    const jit = options.jit === undefined ? defaultJit() : options.jit;
    if (jit === false) {
      this.slowW = this.slow;
      this.jit = undefined;
    } else {
      this.slowW = arena?.bytes(this.slow.length) ?? new Uint8Array(this.slow.length);
      this.slowW.set(this.slow);
      const compiler = new BlockCompiler(this, jit);
      this.jit = compiler;
      bus.onLayoutChange?.call(options.memory, () => compiler.refreshWriteMap());
    }
    this.reset();
  }

  /** Power-on / RESET state: real mode, CS:IP = F000:FFF0 with CS base FFFF0000. */
  reset(): void {
    this.regs.fill(0);
    this.regs[2] = CPUID_SIGNATURE; // EDX holds the CPU signature after reset.
    this.eip = 0xfff0;
    this.flags = 2;
    this.lazyMask = 0;
    this.cr0 = 0x60000010;
    this.cr2 = 0;
    this.cr3 = 0;
    this.cr4 = 0;
    this.dr.fill(0);
    this.dr[6] = 0xffff0ff0 | 0;
    this.dr[7] = 0x400;
    this.updateWatching();
    this.gdtrBase = 0;
    this.gdtrLimit = 0xffff;
    this.idtrBase = 0;
    this.idtrLimit = 0x3ff;
    this.ldtr = { selector: 0, base: 0, limit: 0xffff, rights: 0x82 };
    this.tr = { selector: 0, base: 0, limit: 0xffff, rights: 0x8b };
    this.cpl = 0;
    this.halted = false;
    this.inhibit = false;
    this.nmiPending = false;
    this.nmiBlocked = false;
    this.stopRequest = undefined;
    this.msr.reset();
    this.fpu.reset();
    writeTsc(this, 0n, false);
    for (let s = 0; s < 6; s++) this.setSegmentCache(s, 0, 0, 0xffff, RIGHTS_REAL_DATA);
    this.setSegmentCache(CS, 0xf000, 0xffff0000 | 0, 0xffff, RIGHTS_REAL_DATA | 0x08);
    this.pagingOn = false;
    this.updateCodeTlb();
    this.paging.setControl(0, this.cr0);
    this.paging.setControl(3, 0);
    this.paging.setControl(4, 0);
    this.paging.flush();
  }

  // --- register API --------------------------------------------------------------------
  get eax(): number {
    return this.regs[0] >>> 0;
  }
  set eax(v: number) {
    this.regs[0] = v;
  }
  get ecx(): number {
    return this.regs[1] >>> 0;
  }
  set ecx(v: number) {
    this.regs[1] = v;
  }
  get edx(): number {
    return this.regs[2] >>> 0;
  }
  set edx(v: number) {
    this.regs[2] = v;
  }
  get ebx(): number {
    return this.regs[3] >>> 0;
  }
  set ebx(v: number) {
    this.regs[3] = v;
  }
  get esp(): number {
    return this.regs[4] >>> 0;
  }
  set esp(v: number) {
    this.regs[4] = v;
  }
  get ebp(): number {
    return this.regs[5] >>> 0;
  }
  set ebp(v: number) {
    this.regs[5] = v;
  }
  get esi(): number {
    return this.regs[6] >>> 0;
  }
  set esi(v: number) {
    this.regs[6] = v;
  }
  get edi(): number {
    return this.regs[7] >>> 0;
  }
  set edi(v: number) {
    this.regs[7] = v;
  }

  /** EFLAGS with the lazily kept arithmetic flags computed. */
  get eflags(): number {
    return this.getFlags() >>> 0;
  }
  set eflags(v: number) {
    this.setFlags(v);
  }

  getSegment(name: SegmentName): SegmentState {
    const i = SEG_NAMES.indexOf(name);
    if (i < 0) throw new CpuError(`unknown segment register ${String(name)}`);
    return {
      selector: this.segSel[i],
      base: this.segBase[i] >>> 0,
      limit: this.segLimit[i],
      rights: this.segRights[i],
    };
  }

  /** Write a segment register and its hidden cache directly (no checks), as LOADALL would. */
  setSegment(name: SegmentName, state: SegmentState): void {
    const i = SEG_NAMES.indexOf(name);
    if (i < 0) throw new CpuError(`unknown segment register ${String(name)}`);
    this.setSegmentCache(i, state.selector, state.base, state.limit, state.rights);
    // CPL follows CS.RPL in protected mode; v86 code always runs at CPL 3.
    if (i === CS && this.isProtected() && !this.isV86()) this.setCpl(state.selector & 3);
  }

  /**
   * Load a segment register the way MOV Sreg does in the current mode. A guest fault
   * (#GP/#NP/#SS) is reported as a thrown CpuError and leaves the register unchanged.
   */
  loadSegment(name: SegmentName, selector: number): void {
    const i = SEG_NAMES.indexOf(name);
    if (i < 0) throw new CpuError(`unknown segment register ${String(name)}`);
    try {
      if (i === CS && this.isProtected() && !this.isV86()) loadCodeSegment(this, selector & 0xffff);
      else this.loadSeg(i, selector & 0xffff);
    } catch (e) {
      if (e instanceof GuestFaultSignal)
        throw new SegmentLoadError(name, selector, this.excVector, this.excCode);
      throw e;
    }
  }

  get gdtr(): TableRegister {
    return { base: this.gdtrBase >>> 0, limit: this.gdtrLimit };
  }
  set gdtr(t: TableRegister) {
    this.gdtrBase = t.base | 0;
    this.gdtrLimit = t.limit & 0xffff;
  }
  get idtr(): TableRegister {
    return { base: this.idtrBase >>> 0, limit: this.idtrLimit };
  }
  set idtr(t: TableRegister) {
    this.idtrBase = t.base | 0;
    this.idtrLimit = t.limit & 0xffff;
  }

  /** Write a control register with MOV CRn semantics (mode switches, TLB flushes). */
  setControl(n: 0 | 2 | 3 | 4, value: number): void {
    value >>>= 0;
    if (n === 0) {
      this.cr0 = value | 0x10 | 0;
      this.pagingOn = (this.cr0 & CR0_PG) !== 0 && (this.cr0 & CR0_PE) !== 0;
      this.updateCodeTlb();
      this.paging.setControl(0, this.cr0);
      if (!(this.cr0 & CR0_PE)) this.setCpl(0);
      for (let s = 0; s < 6; s++) this.refreshSegment(s);
    } else if (n === 2) {
      this.cr2 = value | 0;
    } else if (n === 3) {
      this.cr3 = value | 0;
      this.paging.setControl(3, value);
    } else {
      this.cr4 = value & CR4_IMPLEMENTED;
      this.paging.setControl(4, this.cr4);
      this.updateWatching(); // CR4.DE arms I/O breakpoints
    }
  }

  /**
   * The time-stamp counter (64 bits), as RDTSC would read it between runs. Setting it makes
   * the TSC count on from the value given.
   */
  get tsc(): bigint {
    return readTsc(this, false);
  }
  set tsc(value: bigint) {
    writeTsc(this, value, false);
  }

  /** RDMSR from the host (between runs); a CpuError for an MSR this processor does not have. */
  readMsr(index: number): bigint {
    const v = readMsr(this, index >>> 0, false);
    if (v === undefined) throw new CpuError(`no MSR 0x${(index >>> 0).toString(16)} on this processor`);
    return v;
  }

  /** WRMSR from the host; a CpuError where WRMSR would raise #GP(0) (unknown MSR, reserved bits). */
  writeMsr(index: number, value: bigint): void {
    if (!writeMsr(this, index >>> 0, value, false)) {
      throw new CpuError(
        `WRMSR 0x${(index >>> 0).toString(16)} <- 0x${BigInt.asUintN(64, value).toString(16)} raises #GP(0)`,
      );
    }
  }

  isProtected(): boolean {
    return (this.cr0 & CR0_PE) !== 0;
  }
  isV86(): boolean {
    return (this.flags & VM) !== 0;
  }

  /** Physical address of a linear address under the current paging state, or -1 if unmapped. */
  linearToPhysical(lin: number): number {
    if (!this.pagingOn) return (lin & this.a20Mask) >>> 0;
    return this.paging.probe(lin);
  }

  setA20(enabled: boolean): void {
    this.a20Mask = enabled ? -1 : ~0x100000;
    this.paging.mmu?.setA20(enabled);
    this.paging.flush();
  }

  // --- flags ---------------------------------------------------------------------------
  getFlags(): number {
    const m = this.lazyMask;
    if (m === 0) return this.flags;
    const f = (this.flags & ~m) | this.pendingFlags(m);
    this.flags = f;
    this.lazyMask = 0;
    return f;
  }

  /** The flags in `m` (pending in the lazy record) computed from the record. */
  private pendingFlags(m: number): number {
    let f = 0;
    const a = this.lazyA;
    const b = this.lazyB;
    const res = this.lazyRes;
    const sh = this.lazySize - 1;
    const op = this.lazyOp;
    if (m & CF) f |= lazyCarry(op, a, b, res, sh);
    if (m & PF) f |= PARITY[res & 0xff];
    if (m & 0x10 && op !== LAZY_LOGIC) f |= (a ^ b ^ res) & 0x10;
    if (m & ZF && res === 0) f |= ZF;
    if (m & SF) f |= ((res >>> sh) & 1) << 7;
    if (m & OF) f |= lazyOverflow(op, a, b, res, sh) << 11;
    return f;
  }

  /** Replace EFLAGS (no privilege filtering: callers apply IOPL/CPL rules). */
  setFlags(v: number): void {
    const oldVm = this.flags & VM;
    this.flags = (v & 0x3f7fd5) | 2;
    this.lazyMask = 0;
    if ((this.flags & VM) !== oldVm) this.setCpl((this.flags & VM) !== 0 ? 3 : this.segSel[CS] & 3);
  }

  cf(): number {
    if ((this.lazyMask & CF) === 0) return this.flags & CF;
    // CF alone from the record: Jcc/SETcc/ADC after CMP or ADD need no other flag.
    return lazyCarry(this.lazyOp, this.lazyA, this.lazyB, this.lazyRes, this.lazySize - 1);
  }
  zf(): boolean {
    if (this.lazyMask & ZF) return this.lazyRes === 0;
    return (this.flags & ZF) !== 0;
  }
  sf(): boolean {
    if (this.lazyMask & SF) return ((this.lazyRes >>> (this.lazySize - 1)) & 1) !== 0;
    return (this.flags & SF) !== 0;
  }
  of(): boolean {
    if ((this.lazyMask & OF) === 0) return (this.flags & OF) !== 0;
    return lazyOverflow(this.lazyOp, this.lazyA, this.lazyB, this.lazyRes, this.lazySize - 1) !== 0;
  }

  /** Record an arithmetic result whose flags are computed on demand. */
  setLazy(op: number, a: number, b: number, res: number, size: number, mask: number): void {
    // Flags this operation leaves alone (CF for INC/DEC) may still be pending in the old
    // record: compute those (only those) before the record is replaced.
    const keep = this.lazyMask & ~mask;
    if (keep !== 0) this.flags = (this.flags & ~keep) | this.pendingFlags(keep);
    this.lazyOp = op;
    this.lazyA = a;
    this.lazyB = b;
    this.lazyRes = res;
    this.lazySize = size;
    this.lazyMask = mask;
  }

  /**
   * The flag state a chain of WebAssembly blocks left: the arithmetic bits of `flags`, then a
   * lazy record over them (kind -1: none), then flags set explicitly (`putMask`).
   */
  loadFlagState(
    flags: number,
    kind: number,
    a: number,
    b: number,
    res: number,
    size: number,
    mask: number,
    putMask: number,
    putValue: number,
  ): void {
    this.flags = (this.flags & ~ARITH) | (flags & ARITH);
    this.lazyMask = 0;
    if (kind >= 0) {
      this.lazyOp = kind;
      this.lazyA = a;
      this.lazyB = b;
      this.lazyRes = res;
      this.lazySize = size;
      this.lazyMask = mask;
    }
    if (putMask !== 0) this.putFlags(putMask, putValue);
  }

  /** Set flags given explicitly (bits in `mask` take `value`), keeping the rest. */
  putFlags(mask: number, value: number): void {
    // The record stays valid for the flags still pending outside `mask`.
    this.flags = (this.flags & ~mask) | (value & mask);
    this.lazyMask &= ~mask;
  }

  /** Evaluate condition code 0..15 (Jcc/SETcc/CMOVcc encoding). */
  cond(cc: number): boolean {
    // JZ/JNZ (the loop branches) first.
    if ((cc & 0xe) === 4) return this.zf() !== ((cc & 1) !== 0);
    let r: boolean;
    switch (cc >> 1) {
      case 0:
        r = this.of();
        break;
      case 1:
        r = this.cf() !== 0;
        break;
      case 2:
        r = this.zf();
        break;
      case 3:
        r = this.cf() !== 0 || this.zf();
        break;
      case 4:
        r = this.sf();
        break;
      case 5:
        r = (this.getFlags() & PF) !== 0;
        break;
      case 6:
        r = this.sf() !== this.of();
        break;
      default:
        r = this.zf() || this.sf() !== this.of();
        break;
    }
    return (cc & 1) === 0 ? r : !r;
  }

  // --- registers by encoding -----------------------------------------------------------
  getReg8(r: number): number {
    return r < 4 ? this.regs[r] & 0xff : (this.regs[r - 4] >> 8) & 0xff;
  }
  setReg8(r: number, v: number): void {
    if (r < 4) this.regs[r] = (this.regs[r] & ~0xff) | (v & 0xff);
    else this.regs[r - 4] = (this.regs[r - 4] & ~0xff00) | ((v & 0xff) << 8);
  }
  getReg16(r: number): number {
    return this.regs[r] & 0xffff;
  }
  setReg16(r: number, v: number): void {
    this.regs[r] = (this.regs[r] & ~0xffff) | (v & 0xffff);
  }
  getReg32(r: number): number {
    return this.regs[r] >>> 0;
  }
  getRegV(r: number): number {
    return this.opsize32 ? this.regs[r] >>> 0 : this.regs[r] & 0xffff;
  }
  setRegV(r: number, v: number): void {
    if (this.opsize32) this.regs[r] = v;
    else this.regs[r] = (this.regs[r] & ~0xffff) | (v & 0xffff);
  }

  // --- faults --------------------------------------------------------------------------
  /** Raise a guest exception: unwinds to the run loop, which delivers it. */
  fault(vector: number, code = -1): never {
    this.excVector = vector;
    this.excHasCode = code >= 0;
    this.excCode = Math.max(code, 0);
    throw GUEST_FAULT;
  }
  segFault(seg: number): never {
    return this.fault(seg === SS ? SSV : GP, 0);
  }

  // --- segments ------------------------------------------------------------------------
  /** Fill a segment's hidden cache and precompute its access window. */
  setSegmentCache(s: number, selector: number, base: number, limit: number, rights: number): void {
    this.segSel[s] = selector & 0xffff;
    this.segBase[s] = base | 0;
    this.segLimit[s] = limit >>> 0;
    this.segRights[s] = rights;
    this.refreshSegment(s);
  }

  refreshSegment(s: number): void {
    const rights = this.segRights[s];
    const limit = this.segLimit[s];
    const pm = (this.cr0 & CR0_PE) !== 0 && (this.flags & VM) === 0;
    let lo = 0;
    let hi = limit;
    if ((rights & 0x18) === 0x10 && rights & 4) {
      lo = limit + 1;
      hi = rights & R_DB ? 0xffffffff : 0xffff;
    }
    let hiR = hi;
    let hiW = hi;
    if (pm) {
      // A null selector is loaded with rights 0 (not present): every access faults.
      if ((rights & 0x80) === 0) {
        hiR = -1;
        hiW = -1;
      } else if (rights & 8) {
        if (!(rights & 2)) hiR = -1;
        hiW = -1;
      } else if (!(rights & 2)) hiW = -1;
    }
    this.segLo[s] = lo;
    this.segHiR[s] = hiR;
    this.segHiW[s] = hiW;
    const flat = this.segBase[s] === 0 && lo === 0 && hiR === 0xffffffff && hiW === 0xffffffff;
    this.flatSegs = flat ? this.flatSegs | (1 << s) : this.flatSegs & ~(1 << s);
    if (s === CS) {
      this.csBase = this.segBase[CS];
      this.csLimit = limit;
      this.csLimitSmall = Math.min(limit, SMALL_LIMIT);
      this.csBig = (rights & R_DB) !== 0;
    }
  }

  /** MOV Sreg / POP Sreg / LxS semantics for the current mode. */
  loadSeg(s: number, sel: number): void {
    if ((this.cr0 & CR0_PE) === 0 || (this.flags & VM) !== 0) {
      this.segSel[s] = sel;
      this.segBase[s] = sel << 4;
      if (this.flags & VM) {
        this.segLimit[s] = 0xffff;
        this.segRights[s] = RIGHTS_REAL_DATA | 0x60 | (s === CS ? 8 : 0);
      }
      this.refreshSegment(s);
      return;
    }
    loadSegmentProtected(this, s, sel);
  }

  setCpl(cpl: number): void {
    if (cpl !== this.cpl) {
      this.cpl = cpl;
      this.updateCodeTlb();
    }
  }

  /** Whether a 16-bit (false) or 32-bit (true) stack is in use (SS.B). */
  stack32(): boolean {
    return (this.segRights[SS] & R_DB) !== 0;
  }

  // --- linear / physical memory --------------------------------------------------------
  physRead8(p: number): number {
    if (this.slow[p >>> 12] === 0) return this.ram[p];
    this.jitExit = 1; // a device: a compiled block stops after this instruction
    return this.memory.read8(p >>> 0);
  }
  physWrite8(p: number, v: number): void {
    if (this.slowW[p >>> 12] === 0) this.ram[p] = v;
    else if (this.slow[p >>> 12] === 0) {
      this.jit?.codeWrite(p, 1);
      this.ram[p] = v;
    } else {
      this.jitExit = 1;
      this.memory.write8(p >>> 0, v & 0xff);
    }
  }

  xlateR(lin: number): number {
    return this.pagingOn ? this.paging.translate(lin, false) : lin & this.a20Mask;
  }
  xlateW(lin: number): number {
    return this.pagingOn ? this.paging.translate(lin, true) : lin & this.a20Mask;
  }

  // With paging on and a PhysicalMemory bus, data accesses use Ia32Mmu's readLinear/writeLinear
  // helpers (soft TLB hit: one lookup and one RAM access; page-crossing and MMIO handled there,
  // nothing written on a fault). The paths below serve paging off and other buses.

  /** #PF from the fault Ia32Mmu just reported. */
  mmuFault(): never {
    const m = this.mmu as Ia32Mmu;
    this.cr2 = m.faultAddress | 0;
    return this.fault(PFV, m.faultErrorCode);
  }

  readLin8(lin: number): number {
    if (this.pagingOn && this.mmu !== undefined) {
      const v = this.mmu.readLinear8(lin, this.cpl === 3 && !this.sysAccess);
      if (v < 0) this.mmuFault();
      return v;
    }
    return this.physRead8(this.xlateR(lin));
  }
  readLin16(lin: number): number {
    if (this.pagingOn && this.mmu !== undefined) {
      const v = this.mmu.readLinear16(lin, this.cpl === 3 && !this.sysAccess);
      if (v < 0) this.mmuFault();
      return v;
    }
    if ((lin & 0xfff) === 0xfff) return this.readLin8(lin) | (this.readLin8(lin + 1) << 8);
    const p = this.xlateR(lin);
    if (this.slow[p >>> 12] === 0) return this.ram[p] | (this.ram[p + 1] << 8);
    this.jitExit = 1;
    return this.memory.read16(p >>> 0);
  }
  readLin32(lin: number): number {
    if (this.pagingOn && this.mmu !== undefined) {
      const v = this.mmu.readLinear32(lin, this.cpl === 3 && !this.sysAccess);
      if (v < 0) this.mmuFault();
      return v;
    }
    if ((lin & 0xfff) > 0xffc) return (this.readLin16(lin) | (this.readLin16(lin + 2) << 16)) >>> 0;
    const p = this.xlateR(lin);
    if (this.slow[p >>> 12] === 0) {
      const r = this.ram;
      return (r[p] | (r[p + 1] << 8) | (r[p + 2] << 16) | (r[p + 3] << 24)) >>> 0;
    }
    this.jitExit = 1;
    return this.memory.read32(p >>> 0) >>> 0;
  }
  writeLin8(lin: number, v: number): void {
    if (this.pagingOn && this.mmu !== undefined) {
      if (this.mmu.writeLinear8(lin, v, this.cpl === 3 && !this.sysAccess) < 0) this.mmuFault();
      return;
    }
    this.physWrite8(this.xlateW(lin), v);
  }
  writeLin16(lin: number, v: number): void {
    if (this.pagingOn && this.mmu !== undefined) {
      if (this.mmu.writeLinear16(lin, v, this.cpl === 3 && !this.sysAccess) < 0) this.mmuFault();
      return;
    }
    if ((lin & 0xfff) === 0xfff) {
      // Check both pages before writing either byte, so a #PF leaves memory unchanged.
      const p0 = this.xlateW(lin);
      const p1 = this.xlateW(lin + 1);
      this.physWrite8(p0, v);
      this.physWrite8(p1, v >> 8);
      return;
    }
    const p = this.xlateW(lin);
    if (this.slowW[p >>> 12] === 0) {
      this.ram[p] = v;
      this.ram[p + 1] = v >> 8;
    } else if (this.slow[p >>> 12] === 0) {
      this.physWrite8(p, v);
      this.physWrite8(p + 1, v >> 8);
    } else {
      this.jitExit = 1;
      this.memory.write16(p >>> 0, v & 0xffff);
    }
  }
  writeLin32(lin: number, v: number): void {
    if (this.pagingOn && this.mmu !== undefined) {
      if (this.mmu.writeLinear32(lin, v, this.cpl === 3 && !this.sysAccess) < 0) this.mmuFault();
      return;
    }
    if ((lin & 0xfff) > 0xffc) {
      const p0 = this.xlateW(lin);
      const p1 = this.xlateW(lin + 3);
      const n = 4 - (lin & 3);
      for (let i = 0; i < 4; i++) this.physWrite8(i < n ? p0 + i : p1 - 3 + i, v >> (8 * i));
      return;
    }
    const p = this.xlateW(lin);
    if (this.slowW[p >>> 12] === 0) {
      const r = this.ram;
      r[p] = v;
      r[p + 1] = v >> 8;
      r[p + 2] = v >> 16;
      r[p + 3] = v >> 24;
    } else if (this.slow[p >>> 12] === 0) {
      for (let i = 0; i < 4; i++) this.physWrite8(p + i, v >> (8 * i));
    } else {
      this.jitExit = 1;
      this.memory.write32(p >>> 0, v >>> 0);
    }
  }

  // --- segmented memory ----------------------------------------------------------------
  readMem8(s: number, off: number): number {
    if (off < this.segLo[s] || off > this.segHiR[s]) this.segFault(s);
    return this.readLin8((this.segBase[s] + off) | 0);
  }
  readMem16(s: number, off: number): number {
    if (off < this.segLo[s] || off + 1 > this.segHiR[s]) this.segFault(s);
    return this.readLin16((this.segBase[s] + off) | 0);
  }
  readMem32(s: number, off: number): number {
    if (off < this.segLo[s] || off + 3 > this.segHiR[s]) this.segFault(s);
    return this.readLin32((this.segBase[s] + off) | 0);
  }
  writeMem8(s: number, off: number, v: number): void {
    if (off < this.segLo[s] || off > this.segHiW[s]) this.segFault(s);
    this.writeLin8((this.segBase[s] + off) | 0, v);
  }
  writeMem16(s: number, off: number, v: number): void {
    if (off < this.segLo[s] || off + 1 > this.segHiW[s]) this.segFault(s);
    this.writeLin16((this.segBase[s] + off) | 0, v);
  }
  writeMem32(s: number, off: number, v: number): void {
    if (off < this.segLo[s] || off + 3 > this.segHiW[s]) this.segFault(s);
    this.writeLin32((this.segBase[s] + off) | 0, v);
  }
  /** Check that a write of `size` bytes at seg:off would pass the segment checks. */
  checkWrite(s: number, off: number, size: number): void {
    if (off < this.segLo[s] || off + size - 1 > this.segHiW[s]) this.segFault(s);
  }
  checkRead(s: number, off: number, size: number): void {
    if (off < this.segLo[s] || off + size - 1 > this.segHiR[s]) this.segFault(s);
  }

  // --- operands ------------------------------------------------------------------------
  rm8(): number {
    return this.isMem ? this.readMem8(this.eaSeg, this.eaOff) : this.getReg8(this.rm);
  }
  rm16(): number {
    return this.isMem ? this.readMem16(this.eaSeg, this.eaOff) : this.regs[this.rm] & 0xffff;
  }
  rm32(): number {
    return this.isMem ? this.readMem32(this.eaSeg, this.eaOff) : this.regs[this.rm] >>> 0;
  }
  rmv(): number {
    return this.opsize32 ? this.rm32() : this.rm16();
  }
  setRm8(v: number): void {
    if (this.isMem) this.writeMem8(this.eaSeg, this.eaOff, v);
    else this.setReg8(this.rm, v);
  }
  setRm16(v: number): void {
    if (this.isMem) this.writeMem16(this.eaSeg, this.eaOff, v);
    else this.setReg16(this.rm, v);
  }
  setRm32(v: number): void {
    if (this.isMem) this.writeMem32(this.eaSeg, this.eaOff, v);
    else this.regs[this.rm] = v;
  }
  setRmv(v: number): void {
    if (this.opsize32) this.setRm32(v);
    else this.setRm16(v);
  }
  /** Offset of the memory operand advanced by `delta`, wrapped to the address size. */
  eaPlus(delta: number): number {
    return this.addr32 ? (this.eaOff + delta) >>> 0 : (this.eaOff + delta) & 0xffff;
  }

  // --- stack ---------------------------------------------------------------------------
  push16(v: number): void {
    if (this.segRights[SS] & R_DB) {
      const sp = (this.regs[ESP] - 2) >>> 0;
      this.writeMem16(SS, sp, v);
      this.regs[ESP] = sp;
    } else {
      const sp = (this.regs[ESP] - 2) & 0xffff;
      this.writeMem16(SS, sp, v);
      this.regs[ESP] = (this.regs[ESP] & ~0xffff) | sp;
    }
  }
  push32(v: number): void {
    if (this.segRights[SS] & R_DB) {
      const sp = (this.regs[ESP] - 4) >>> 0;
      this.writeMem32(SS, sp, v);
      this.regs[ESP] = sp;
    } else {
      const sp = (this.regs[ESP] - 4) & 0xffff;
      this.writeMem32(SS, sp, v);
      this.regs[ESP] = (this.regs[ESP] & ~0xffff) | sp;
    }
  }
  pushV(v: number): void {
    if (this.opsize32) this.push32(v);
    else this.push16(v);
  }
  /** Read the stack top at `delta` bytes above SP without popping. */
  stackOff(delta: number): number {
    return this.segRights[SS] & R_DB ? (this.regs[ESP] + delta) >>> 0 : (this.regs[ESP] + delta) & 0xffff;
  }
  adjustSp(delta: number): void {
    if (this.segRights[SS] & R_DB) this.regs[ESP] = this.regs[ESP] + delta;
    else this.regs[ESP] = (this.regs[ESP] & ~0xffff) | ((this.regs[ESP] + delta) & 0xffff);
  }
  pop16(): number {
    const v = this.readMem16(SS, this.stackOff(0));
    this.adjustSp(2);
    return v;
  }
  pop32(): number {
    const v = this.readMem32(SS, this.stackOff(0));
    this.adjustSp(4);
    return v;
  }
  popV(): number {
    return this.opsize32 ? this.pop32() : this.pop16();
  }

  // --- instruction fetch ---------------------------------------------------------------
  /**
   * Instruction fetch. Paging off: A20-masked physical address, RAM indexed directly. Paging
   * on (PhysicalMemory bus): Ia32Mmu.fetch8 through its soft TLB — no private fetch cache, so
   * host-side invalidations (invlpg, flushAll from page-table editors) take effect at once.
   */
  fetch8(): number {
    const ip = this.eip;
    // The decode window (see openFetchWindow): RAM indexed directly, no translation per byte.
    if (ip < this.fetchStop) {
      this.eip = ip + 1;
      return this.ram[ip + this.fetchDelta];
    }
    return this.fetch8Slow();
  }
  fetch8Slow(): number {
    const ip = this.eip;
    if (ip > this.csLimit) this.fault(GP, 0);
    this.eip = ip + 1;
    const lin = (this.csBase + ip) | 0;
    if (!this.pagingOn) {
      const p = lin & this.a20Mask;
      if (this.slow[p >>> 12] === 0) return this.ram[p];
      return this.memory.read8(p >>> 0);
    }
    const m = this.mmu;
    if (m !== undefined) {
      const v = m.fetch8(lin, this.cpl === 3);
      if (v >= 0) return v;
      this.cr2 = m.faultAddress | 0;
      return this.fault(PFV, m.faultErrorCode);
    }
    return this.fetchSlow(lin);
  }
  /** Recompute codeTlb (after a change of CR0.PG/PE or of CPL). */
  updateCodeTlb(): void {
    const m = this.mmu;
    this.codeTlb = !this.pagingOn || m === undefined ? undefined : this.cpl === 3 ? m.tlbUserRead : m.tlbRead;
  }

  /**
   * Physical RAM address of CS:ip for the decode window, or -1 (MMIO, a TLB miss, no Ia32Mmu:
   * fetch byte by byte). The window is opened at the start of each instruction from the live
   * TLB and page map and closed before the handler runs, so writes (by the CPU, devices or the
   * host) and TLB invalidations are seen at the next instruction, as on a processor without a
   * prefetch queue.
   */
  codeAddress(ip: number): number {
    const lin = (this.csBase + ip) | 0;
    const tlb = this.codeTlb;
    if (tlb !== undefined) {
      const e = ~tlb[lin >>> 12];
      // A RAM entry has its low 12 bits clear (misses and MMIO pages take the byte path).
      return (e & 0xfff) === 0 ? e | (lin & 0xfff) : -1;
    }
    if (this.pagingOn) return -1;
    const p = lin & this.a20Mask;
    return this.slow[p >>> 12] === 0 ? p : -1;
  }

  /** `avail` bytes from offset `ip`, cut at the CS limit (none when ip is beyond it). */
  fetchAvail(ip: number, avail: number): number {
    const room = this.csLimit - ip + 1;
    return room <= 0 ? 0 : Math.min(room, avail);
  }
  fetchSlow(lin: number): number {
    const sys = this.sysAccess;
    this.sysAccess = false;
    const p = this.paging.translate(lin, false);
    this.sysAccess = sys;
    return this.physRead8(p);
  }
  fetch16(): number {
    const ip = this.eip;
    // Whole in the decode window: both bytes at once (immediates and displacements).
    if (ip + 2 <= this.fetchStop) {
      this.eip = ip + 2;
      const q = ip + this.fetchDelta;
      return this.ram[q] | (this.ram[q + 1] << 8);
    }
    const lo = this.fetch8();
    return lo | (this.fetch8() << 8);
  }
  fetch32(): number {
    const ip = this.eip;
    if (ip + 4 <= this.fetchStop) {
      this.eip = ip + 4;
      const q = ip + this.fetchDelta;
      const r = this.ram;
      return (r[q] | (r[q + 1] << 8) | (r[q + 2] << 16) | (r[q + 3] << 24)) >>> 0;
    }
    const lo = this.fetch16();
    return (lo | (this.fetch16() << 16)) >>> 0;
  }

  /** Decode a ModRM byte (and SIB/displacement) into reg/rm/eaSeg/eaOff. */
  decodeModrm(): void {
    const m = this.fetch8();
    this.modrm = m;
    const mod = m >> 6;
    this.reg = (m >> 3) & 7;
    const rm = m & 7;
    this.rm = rm;
    if (mod === 3) {
      this.isMem = false;
      return;
    }
    this.isMem = true;
    this.eaEspBase = false;
    const r = this.regs;
    let seg = DS;
    let off: number;
    if (!this.addr32) {
      switch (rm) {
        case 0:
          off = r[EBX] + r[ESI];
          break;
        case 1:
          off = r[EBX] + r[EDI];
          break;
        case 2:
          off = r[EBP] + r[ESI];
          seg = SS;
          break;
        case 3:
          off = r[EBP] + r[EDI];
          seg = SS;
          break;
        case 4:
          off = r[ESI];
          break;
        case 5:
          off = r[EDI];
          break;
        case 6:
          if (mod === 0) off = this.fetch16();
          else {
            off = r[EBP];
            seg = SS;
          }
          break;
        default:
          off = r[EBX];
          break;
      }
      if (mod === 1) off += (this.fetch8() << 24) >> 24;
      else if (mod === 2) off += this.fetch16();
      this.eaOff = off & 0xffff;
    } else {
      if (rm === 4) {
        const sib = this.fetch8();
        const base = sib & 7;
        const index = (sib >> 3) & 7;
        off = index === 4 ? 0 : r[index] << (sib >> 6);
        if (base === 5 && mod === 0) off += this.fetch32();
        else {
          off += r[base];
          if (base === 4 || base === 5) seg = SS;
          this.eaEspBase = base === 4;
        }
      } else if (rm === 5 && mod === 0) {
        off = this.fetch32();
      } else {
        off = r[rm];
        if (rm === 5) seg = SS;
      }
      if (mod === 1) off += (this.fetch8() << 24) >> 24;
      else if (mod === 2) off += this.fetch32() | 0;
      this.eaOff = off >>> 0;
    }
    this.eaSeg = this.segOvr >= 0 ? this.segOvr : seg;
  }

  // --- execution loop ------------------------------------------------------------------
  /** Execute one instruction (or deliver one pending interrupt). Returns a stop reason if any. */
  step(): StopReason | undefined {
    return this.run(1) === 'budget' ? undefined : this.lastStop;
  }
  private lastStop: StopReason = 'budget';

  /**
   * Run up to `budget` instructions. `continued`: the caller vouches that nothing has written
   * guest RAM since the previous `run` returned (a board's own loop between time slices, whose
   * devices reach RAM only through port I/O, MMIO and hooks); compiled code is then not compared
   * with RAM again (see README, "Block compiler": each new epoch costs a byte check of every
   * block run in it, and a board slicing every 4096 instructions spent a fifth of a Linux boot
   * in them).
   * `finishBlock`: a compiled block entered before the budget is spent may finish its pass (up
   * to `maxInstructions` - 1 past the budget) instead of leaving the rest of the budget to the
   * interpreter; for callers that only need about `budget` (a board's time slice: it advances
   * its clock by what `instructions` says), never for an exact count.
   */
  run(budget: number, continued = false, finishBlock = false): StopReason {
    if (!(budget >= 0)) throw new CpuError(`run budget must be a non-negative number, got ${budget}`);
    let done = 0;
    // EIP the last interpreted instruction fell through to (-1: none), when the compiler may
    // skip its lookup there (BlockCompiler.entriesOnly).
    let seq = -1;
    const skipSeq = this.jit?.entriesOnly === true;
    let afterBlock = false;
    const INTERPRET_ONLY = interpretOnlyTable();
    this.espSavedAt = -1;
    this.stopRequest = undefined;
    if (!continued) this.jitEpoch++;
    const jit = this.jit;
    while (done < budget) {
      try {
        while (done < budget) {
          let boundary = false;
          let tf = 0;
          // The instruction in an interrupt shadow (after STI, MOV SS) runs alone: never a block.
          const shadow = this.inhibit;
          if (
            (this.flags & (IF | TF)) !== 0 ||
            this.inhibit ||
            this.halted ||
            this.watching ||
            this.nmiPending
          ) {
            // Instruction boundary: NMI, external interrupts, HLT, the interrupt shadow, TF.
            if (this.nmiPending && !this.nmiBlocked && !this.inhibit) {
              // NMI ahead of INTR, whatever IF; blocked until the next IRET. The shadow of
              // MOV SS / STI holds it for one instruction, as it does INTR.
              this.nmiPending = false;
              this.nmiBlocked = true;
              this.halted = false;
              this.startEip = this.eip;
              this.startEsp = this.regs[ESP];
              this.espSavedAt = done;
              this.interrupt(NMI, false, -1, this.eip);
              this.espSavedAt = -1; // delivered: a fault of the handler's first instruction keeps the new ESP
            } else if (this.flags & IF && !this.inhibit && this.pic?.hasInterrupt()) {
              this.halted = false;
              const vec = this.pic.acknowledge();
              this.startEip = this.eip;
              this.startEsp = this.regs[ESP];
              this.espSavedAt = done;
              this.interrupt(vec & 0xff, false, -1, this.eip);
              this.espSavedAt = -1;
            }
            if (this.halted) break;
            if (this.watching && this.checkBreakpoints(done)) break;
            this.inhibit = false;
            tf = this.flags & TF;
            boundary = true;
          }
          // The physical address of CS:EIP, for the compiler's lookup and the first byte's fetch.
          let ip = this.eip;
          let p = this.codeAddress(ip);
          // A compiled block (none under single-step, RF or breakpoints: those stay per instruction).
          if (
            jit !== undefined &&
            ip !== seq &&
            !shadow &&
            (this.flags & (TF | RF)) === 0 &&
            !this.watching
          ) {
            let n: number;
            try {
              n = jit.enter(p, done, budget - done, finishBlock);
            } catch (e) {
              if (e === GUEST_FAULT) done += this.jitDone;
              throw e;
            }
            if (n > 0) {
              done += n;
              afterBlock = true;
              if (this.stopRequest !== undefined) break;
              continue;
            }
          }
          // execute(), inlined: the common case (no prefix, one-byte opcode) in one lookup.
          if (this.eip !== ip) {
            ip = this.eip;
            p = this.codeAddress(ip);
          }
          this.startEip = ip;
          const big = this.csBig;
          this.opsize32 = big;
          this.addr32 = big;
          // The first byte straight from RAM; further bytes through the window (fetch8).
          // Bytes fetchable from RAM at p: to the end of the page and of the CS limit.
          let avail = 0;
          if (p >= 0) {
            avail = 0x1000 - (p & 0xfff);
            // (csLimitSmall first: a small integer compare; a flat 4 GiB CS runs kernel EIPs
            // above 2^30, where the full check is needed but the cut never happens.)
            if (ip + avail > this.csLimitSmall && ip + avail - 1 > this.csLimit)
              avail = this.fetchAvail(ip, avail);
          }
          let op: number;
          if (avail > 0) {
            op = this.ram[p];
            this.eip = ip + 1;
          } else op = this.fetch8Slow();
          const info = OP_INFO[op];
          seq = -1;
          if (info & 0x80) {
            this.startEsp = this.regs[ESP];
            this.espSavedAt = done;
            this.fetchStop = ip + avail;
            this.fetchDelta = p - ip;
            if (op === 0x0f) this.executeTwoByte();
            else this.executePrefixed(op, ip, big);
          } else {
            this.opByte = op;
            const d = info & 0x7f;
            // ESP is saved for the fault restore only where the handler may change it and
            // then fault (most instructions cannot: a register write is their last step).
            if ((info & INFO_KEEPS_ESP) === 0) {
              this.startEsp = this.regs[ESP];
              this.espSavedAt = done;
            }
            if (d === IMM_IBS << 1 && avail > 1) {
              // rel8 branches (Jcc, JMP, LOOP): the displacement straight from RAM too.
              this.imm = (this.ram[p + 1] << 24) >> 24;
              this.eip = ip + 2;
            } else if (d !== 0) {
              this.fetchStop = ip + avail;
              this.fetchDelta = p - ip;
              this.decodeOperands(d, op);
              this.fetchStop = 0;
            }
            // Falling through from here is no block entry (unless this opcode ends every
            // block before it: HLT, invalid).
            // (Not after the instruction a block stopped before: a block may start after it.)
            if (skipSeq && INTERPRET_ONLY[op] === 0 && !afterBlock) seq = this.eip;
            afterBlock = false;
            // Hot opcodes by direct call (inlined), the rest through EXEC.
            switch (info >> 9) {
              case 0:
                EXEC[op](this);
                break;
              case HOT_JCC:
                jcc(this);
                break;
              case HOT_DEC:
                decReg(this);
                break;
              case HOT_INC:
                incReg(this);
                break;
              case HOT_MOV_GV_EV:
                movGvEv(this);
                break;
              case HOT_MOV_EV_GV:
                movEvGv(this);
                break;
              case HOT_ALU + 1:
                aluEvGvOp(this, op >> 3);
                break;
              case HOT_ALU + 3:
                aluGvEvOp(this, op >> 3);
                break;
              case HOT_GRP1_EV:
                grp1Ev(this);
                break;
              case HOT_MOV_EB_GB:
                movEbGb(this);
                break;
              case HOT_MOV_GB_EB:
                movGbEb(this);
                break;
              case HOT_ALU:
                aluEbGbOp(this, op >> 3);
                break;
              case HOT_ALU + 2:
                aluGbEbOp(this, op >> 3);
                break;
              case HOT_ALU + 4:
                aluALIbOp(this, op >> 3);
                break;
              case HOT_ALU + 5:
                aluAXIzOp(this, op >> 3);
                break;
              case HOT_MOV_R_IZ:
                movRvIz(this);
                break;
              case HOT_JMP:
                jmpRel(this);
                break;
              case HOT_PUSH:
                pushReg(this);
                break;
              case HOT_POP:
                popReg(this);
                break;
              case HOT_GRP1_EB:
                grp1Eb(this);
                break;
              case HOT_MOV_E_I:
                if (op === 0xc6) movEbIb(this);
                else movEvIz(this);
                break;
              case HOT_TEST_EV_GV:
                testEvGv(this);
                break;
              case HOT_LEA:
                lea(this);
                break;
              case HOT_CALL:
                callRel(this);
                break;
              case HOT_RET:
                retNear(this);
                break;
              default:
                loop(this);
                break;
            }
          }
          done++;
          if (boundary) {
            // RF suppresses instruction breakpoints for exactly one instruction.
            this.flags &= ~RF;
            if (tf || this.ioBreakHits) this.singleStepTrap(done, tf !== 0);
          }
          if (this.stopRequest !== undefined) break;
        }
      } catch (e) {
        if (e !== GUEST_FAULT) throw e;
        const restoreEsp = this.espSavedAt === done;
        done++;
        this.handleFault(restoreEsp);
      }
      if (this.stopRequest !== undefined || this.halted) break;
    }
    this.instructions += done;
    let why: StopReason = this.halted ? 'hlt' : 'budget';
    if (this.stopRequest !== undefined) {
      why = this.stopRequest;
      this.stopRequest = undefined;
    }
    this.lastStop = why;
    return why;
  }

  // --- breakpoints -----------------------------------------------------------------------
  /** Host breakpoints (linear addresses): `run` returns 'breakpoint' before executing there. */
  private readonly hostBreakpoints = new Set<number>();
  /** Linear address `run` last stopped at for a host breakpoint (resuming executes it). */
  private stoppedAt = -1;
  /** True while host breakpoints or DR0-DR3 instruction breakpoints need checking. */
  watching = false;

  addBreakpoint(linear: number): void {
    this.hostBreakpoints.add(linear >>> 0);
    this.updateWatching();
  }
  removeBreakpoint(linear: number): void {
    this.hostBreakpoints.delete(linear >>> 0);
    this.updateWatching();
  }

  /** Recompute whether any breakpoint is armed (after DR7 writes or host breakpoint changes). */
  updateWatching(): void {
    const dr7 = this.dr[7];
    let armed = false;
    for (let n = 0; n < 4; n++) {
      const rw = (dr7 >>> (16 + n * 4)) & 3;
      // instruction breakpoints, and I/O breakpoints (R/W = 10b) with CR4.DE
      if (dr7 & (3 << (n * 2)) && (rw === 0 || (rw === 2 && this.cr4 & CR4_DE))) armed = true;
    }
    this.watching = armed || this.hostBreakpoints.size > 0;
  }

  /**
   * At an instruction boundary: a host breakpoint stops `run` (true); an enabled DR0-DR3
   * instruction breakpoint raises #DB as a fault (B0-B3 in DR6) unless EFLAGS.RF is set.
   */
  private checkBreakpoints(done: number): boolean {
    const lin = (this.csBase + this.eip) >>> 0;
    if (this.hostBreakpoints.has(lin)) {
      if (!(done === 0 && this.stoppedAt === lin)) {
        this.stoppedAt = lin;
        this.stopRequest = 'breakpoint';
        return true;
      }
    }
    this.stoppedAt = -1;
    if ((this.flags & RF) === 0) {
      const dr7 = this.dr[7];
      let hit = 0;
      for (let n = 0; n < 4; n++) {
        if (dr7 & (3 << (n * 2)) && ((dr7 >>> (16 + n * 4)) & 3) === 0 && this.dr[n] >>> 0 === lin)
          hit |= 1 << n;
      }
      if (hit !== 0) {
        this.dr[6] = (this.dr[6] & ~0xf) | hit;
        this.startEip = this.eip;
        this.startEsp = this.regs[ESP];
        this.espSavedAt = done;
        this.fault(DB);
      }
    }
    return false;
  }

  /**
   * Assert the NMI input (edge): vector 2 is delivered at the next instruction boundary whatever
   * EFLAGS.IF, unless an NMI handler is still running (blocked until its IRET, also across task
   * switches) — then it waits, one at most, as the processor latches a single NMI. A halted CPU
   * wakes for it.
   */
  nmi(): void {
    this.nmiPending = true;
  }

  /** Ask `run` to return with `reason` at the next instruction boundary (for hooks and devices). */
  requestStop(reason: StopReason = 'breakpoint'): void {
    this.stopRequest = reason;
  }

  /** 0F xx without prefixes (at most 13 bytes: no length check). */
  executeTwoByte(): void {
    const op = 0x100 | this.fetch8();
    this.opByte = op;
    const d = DECODE[op];
    if (d !== 0) this.decodeOperands(d, op);
    this.fetchStop = 0;
    EXEC[op](this);
  }

  /** Instructions with prefixes. */
  executePrefixed(op: number, ip: number, big: boolean): void {
    try {
      if (IS_PREFIX[op] === 1) op = this.prefixes(op, big);
      if (op === 0x0f) op = 0x100 | this.fetch8();
      this.opByte = op;
      const d = DECODE[op];
      if (d !== 0 || this.lock) this.decodeOperands(d, op);
      this.fetchStop = 0;
      // The architectural limit: an instruction longer than 15 bytes raises #GP(0).
      if (this.eip - ip > 15) this.fault(GP, 0);
      EXEC[op](this);
    } finally {
      this.segOvr = -1;
      this.rep = 0;
      this.lock = false;
    }
  }

  /** Consume prefix bytes starting with `op`; returns the opcode byte that follows them. */
  prefixes(op: number, big: boolean): number {
    let prefixes = 0;
    for (;;) {
      switch (op) {
        case 0x26:
        case 0x2e:
        case 0x36:
        case 0x3e:
          this.segOvr = (op >> 3) & 3;
          break;
        case 0x64:
        case 0x65:
          this.segOvr = op - 0x60;
          break;
        case 0x66:
          this.opsize32 = !big;
          break;
        case 0x67:
          this.addr32 = !big;
          break;
        case 0xf0:
          this.lock = true;
          break;
        case 0xf2:
          this.rep = 1;
          break;
        case 0xf3:
          this.rep = 2;
          break;
        default:
          prefixes = -1;
          break;
      }
      if (prefixes < 0) return op;
      if (++prefixes >= 15) this.fault(GP, 0);
      op = this.fetch8();
    }
  }

  /** ModRM, immediate and LOCK validity for an opcode whose DECODE bits are `d`. */
  decodeOperands(d: number, op: number): void {
    if (d & 1) {
      if (d & 0x40) {
        // MOV CRn/DRn: the mod field is ignored and no displacement follows.
        const m = this.fetch8();
        this.modrm = m;
        this.reg = (m >> 3) & 7;
        this.rm = m & 7;
        this.isMem = false;
      } else this.decodeModrm();
    }
    const immKind = (d >> 1) & 0xf;
    if (immKind !== 0) this.fetchImmediate(immKind);
    if (this.lock && !lockAllowed(op, this.isMem, this.reg)) this.fault(6);
  }

  fetchImmediate(kind: number): void {
    switch (kind) {
      case IMM_IB:
        this.imm = this.fetch8();
        break;
      case IMM_IBS:
        this.imm = (this.fetch8() << 24) >> 24;
        break;
      case IMM_IW:
        this.imm = this.fetch16();
        break;
      case IMM_IZ:
        this.imm = this.opsize32 ? this.fetch32() : this.fetch16();
        break;
      case IMM_AP:
        this.imm = this.opsize32 ? this.fetch32() : this.fetch16();
        this.imm2 = this.fetch16();
        break;
      case IMM_MO:
        this.imm = this.addr32 ? this.fetch32() : this.fetch16();
        break;
      case IMM_IWIB:
        this.imm = this.fetch16();
        this.imm2 = this.fetch8();
        break;
      case IMM_GRP3B:
        if (this.reg < 2) this.imm = this.fetch8();
        break;
      case IMM_GRP3V:
        if (this.reg < 2) this.imm = this.opsize32 ? this.fetch32() : this.fetch16();
        break;
    }
  }

  /** I/O breakpoints (B0-B3) the current instruction hit: a #DB trap after it (exec/io.ts). */
  ioBreakHits = 0;

  /** The #DB trap after an instruction executed with TF set (BS) or that hit I/O breakpoints (Bn). */
  singleStepTrap(done: number, step = true): void {
    // DR6: BS for the single step, B0-B3 for the I/O breakpoints hit
    this.dr[6] |= (step ? 0x4000 : 0) | this.ioBreakHits;
    this.ioBreakHits = 0;
    this.startEip = this.eip;
    this.startEsp = this.regs[ESP];
    this.espSavedAt = done;
    this.exception(DB, -1);
    // Delivered: `done` is already the next instruction's index, whose fault must not restore
    // the ESP from before the trap (a KEEPS_ESP instruction does not save its own).
    this.espSavedAt = -1;
  }

  /** Deliver the exception recorded by `fault`, escalating to #DF and triple fault. */
  handleFault(restoreEsp: boolean): void {
    let vec = this.excVector;
    let code = this.excHasCode ? this.excCode : -1;
    this.eip = this.startEip;
    if (restoreEsp) this.regs[ESP] = this.startEsp;
    this.halted = false;
    this.sysAccess = false;
    this.fetchStop = 0;
    this.ioBreakHits = 0; // a faulting IN/OUT does not trap
    for (;;) {
      try {
        this.exception(vec, code);
        return;
      } catch (e) {
        if (e !== GUEST_FAULT) throw e;
        const second = this.excVector;
        if (vec === DFV) {
          this.stopRequest = 'reset';
          return;
        }
        if (
          (contributory(vec) && contributory(second)) ||
          (vec === PFV && (second === PFV || contributory(second)))
        ) {
          vec = DFV;
          code = 0;
        } else {
          vec = second;
          code = this.excHasCode ? this.excCode : -1;
        }
        this.eip = this.startEip;
      }
    }
  }

  /**
   * An onException/onInterrupt hook is about to run: compiled code is checked again after it
   * unless the hooks say they never write RAM (CpuHooks.writesRam). Only a hook may write RAM
   * behind the CPU; delivery itself stores through the CPU's own paths.
   */
  hookWillRun(): void {
    if (this.hooks.writesRam !== false) this.jitEpoch++;
  }

  /** Deliver exception `vec` (fault semantics: EIP already points at the instruction). */
  exception(vec: number, code: number): void {
    const hook = this.hooks.onException;
    if (hook !== undefined) this.hookWillRun();
    if (hook?.call(this.hooks, vec, code >= 0 ? code : undefined)) return;
    this.deliver(vec, code, this.eip, false);
  }

  /** Hardware or software interrupt (INT n, INTO, INT3) with return address `retEip`. */
  interrupt(vec: number, software: boolean, code: number, retEip: number): void {
    const hook = this.hooks.onInterrupt;
    if (hook !== undefined) this.hookWillRun();
    if (hook?.call(this.hooks, vec, software)) {
      this.eip = retEip;
      return;
    }
    this.deliver(vec, code, retEip, software);
  }

  /** Push the frame and enter the handler through the IVT (real mode) or the IDT. */
  deliver(vec: number, code: number, retEip: number, software: boolean): void {
    if ((this.cr0 & CR0_PE) !== 0) {
      deliverProtected(this, vec, code, retEip, software);
      return;
    }
    const entry = vec * 4;
    if (entry + 3 > this.idtrLimit) this.fault(vec === DFV ? DFV : GP, vec === DFV ? 0 : entry + 2);
    const flags = this.getFlags();
    this.push16(flags);
    this.push16(this.segSel[CS]);
    this.push16(retEip);
    const ip = this.readLin16((this.idtrBase + entry) | 0);
    const cs = this.readLin16((this.idtrBase + entry + 2) | 0);
    this.flags = flags & ~(IF | TF | AC | RF);
    this.loadSeg(CS, cs);
    this.eip = ip;
  }

  /**
   * Drop compiled code for physical [physical, physical + length): for hosts that write guest
   * RAM while a `run` is in progress (a device callback doing DMA on an MMIO access, a
   * debugger). Writes between runs, at port I/O and in hooks are found without it.
   */
  invalidateCode(physical: number, length = 1): void {
    this.jit?.invalidateRange(physical, length);
  }

  /** The block compiler's counters (undefined when it is off). */
  get jitStats(): JitStats | undefined {
    return this.jit?.stats;
  }

  /** The complete architectural state as plain data (JSON-serialisable), for snapshots. */
  saveState(): CpuState {
    return saveCpuState(this);
  }

  /** Restore a state produced by `saveState` (the TLB starts empty). */
  loadState(state: CpuState): void {
    loadCpuState(this, state);
  }

  /** The debugger-facing snapshot of all registers. */
  snapshot(): Record<string, number> {
    const out: Record<string, number> = {
      eax: this.eax,
      ecx: this.ecx,
      edx: this.edx,
      ebx: this.ebx,
      esp: this.esp,
      ebp: this.ebp,
      esi: this.esi,
      edi: this.edi,
      eip: this.eip >>> 0,
      eflags: this.eflags,
      cr0: this.cr0 >>> 0,
      cr2: this.cr2 >>> 0,
      cr3: this.cr3 >>> 0,
      cr4: this.cr4 >>> 0,
    };
    for (let s = 0; s < 6; s++) out[SEG_NAMES[s]] = this.segSel[s];
    return out;
  }
}
