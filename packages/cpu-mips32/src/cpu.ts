// The MIPS32 release 2 processor: registers, CP0, the run loop, exceptions and interrupts, and the
// memory path (a software TLB in front of @phantasm/mmu's MipsTlb, DESIGN §5).
//
// Delay slots: `pc` is the instruction about to execute and `nextPc` the one after it. Executing an
// instruction first moves pc ← nextPc, nextPc ← nextPc + 4; a taken branch then overwrites nextPc with
// its target and sets `delayNext`, so the slot (now at pc) runs next and then control goes to the
// target. A branch-likely that is not taken skips the slot by advancing once more.
import {
  MIPS_ADDRESS_ERROR,
  MIPS_MODE_KERNEL,
  MIPS_MODE_USER,
  MIPS_MODIFIED,
  MIPS_REFILL,
  type MipsMode,
  MipsTlb,
  type PhysicalMemory,
} from '@phantasm/mmu';
import type { MipsCpuHooks, StopReason } from './contract.js';
import {
  BEV_BASE,
  CAUSE_BD,
  CAUSE_CE_MASK,
  CAUSE_CE_SHIFT,
  CAUSE_DC,
  CAUSE_EXC_MASK,
  CAUSE_EXC_SHIFT,
  CAUSE_IV,
  CAUSE_TI,
  CAUSE_WRITABLE,
  CC_RES,
  CONFIG0_BASE,
  CONFIG0_BE,
  CONFIG1_BASE,
  CONFIG2,
  CONFIG3,
  EXC,
  HWRENA_MASK,
  INTCTL_RESET,
  INTCTL_VS_MASK,
  PRID_24K,
  RESET_VECTOR,
  ST_BEV,
  ST_CU0,
  ST_ERL,
  ST_EXL,
  ST_IE,
  ST_UM,
  STATUS_WRITABLE,
  SYNCI_STEP,
} from './cp0.js';
import { OPCODE } from './decode/table.js';
import { ST_FR } from './fpu/arith.js';
import { ST_CU1 } from './fpu/exec.js';
import { Fpu } from './fpu/state.js';
import { type CodeBlock, CodeCache, type CodePage } from './jit/code-cache.js';
import { compileBlock } from './jit/compile-block.js';
import { GUEST_EXCEPTION, MipsArgumentError, MipsStateError } from './signal.js';
import { MIPS_STATE_VERSION, type MipsCpuState } from './snapshot.js';
import { KIND_WRITE, SLOT_MASK, SLOTS, USER_BASE } from './soft-tlb.js';

export interface MipsCpuOptions {
  /** The physical bus. Its `bigEndian` option selects the CPU's byte order (Config.BE). */
  memory: PhysicalMemory;
  /** The joint TLB; default a 16-entry MipsTlb (as QEMU's 24K). */
  tlb?: MipsTlb;
  hooks?: MipsCpuHooks;
  /**
   * Run hot code as compiled blocks (default true). false: the plain interpreter only, which stays
   * the reference the fast path is tested against.
   */
  fastPath?: boolean;
  /** Times a block entry is reached before it is compiled (1..65535, default 500). */
  compileThreshold?: number;
  /**
   * The core: '4Kc' (default; no FPU, CP1 instructions raise Coprocessor Unusable) or '24Kf' (the
   * CP1 floating-point unit of src/fpu: Config1.FP, FIR, Status.CU1/FR writable).
   */
  model?: '4Kc' | '24Kf';
}

/** Fetch tag mask: page number and the two alignment bits (a misaligned pc never matches). */
const FETCH_MASK = 0xffff_f003 | 0;
const TWO32 = 0x1_0000_0000;
// Compiling a block (new Function, then V8's own tiers) costs roughly what interpreting tens of
// thousands of instructions does: only code that keeps running is worth it.
const DEFAULT_COMPILE_THRESHOLD = 500;

export class MipsCpu {
  // ---- architectural state ----
  /** General registers (r[0] reads zero: the loop clears it before every instruction). */
  readonly r = new Int32Array(32);
  hi = 0;
  lo = 0;
  /** Address of the next instruction to execute (unsigned). */
  pc = RESET_VECTOR;
  /** Address of the instruction after it (a branch target while a delay slot is pending). */
  nextPc = RESET_VECTOR + 4;
  /** The instruction at `pc` is a branch delay slot. */
  delayNext = false;
  llbit = false;

  // ---- CP0 (TLB registers live in `tlb`) ----
  status = 0;
  /** Cause without IP7..2 and TI, which are composed from the interrupt lines and the timer. */
  cause = 0;
  epc = 0;
  errorEpc = 0;
  ebase = 0x8000_0000;
  compare = 0;
  intCtl = INTCTL_RESET;
  hwrEna = 0;
  userLocal = 0;
  llAddr = 0;
  watchLo = 0;
  watchHi = 0;
  config0 = 0;
  tagLo = 0;
  dataLo = 0;
  tagHi = 0;
  readonly prid = PRID_24K;
  declare readonly config1: number;
  /** The floating-point unit (CP1) of a 24Kf; undefined on a 4Kc. */
  declare readonly fpu: Fpu | undefined;
  declare private readonly statusWritable: number;
  readonly config2 = CONFIG2;
  readonly config3 = CONFIG3;
  /** Hardware interrupt inputs: bit n drives Cause.IP[n+2] (n = 0..5). */
  lines = 0;
  /** Cause.TI (the Count/Compare interrupt, merged into IP7). */
  timerPending = false;
  /** WAIT executed; cleared by the next interrupt. */
  waiting = false;

  // ---- time ----
  /** Instructions retired since construction (nullified delay slots do not count). */
  cycles = 0;
  private countBase = 0;
  private countEpoch = 0;
  /** `cycles` at which Count next equals Compare (Infinity while Cause.DC stops Count). */
  private deadline = Number.POSITIVE_INFINITY;

  // ---- execution context of the current instruction ----
  /** Address of the instruction executing now. */
  cur = 0;
  /** The instruction executing now is in a delay slot. */
  inDelay = false;
  /** Current privilege (kernel when EXL, ERL or !UM). */
  mode: MipsMode = MIPS_MODE_KERNEL;

  readonly tlb: MipsTlb;
  readonly memory: PhysicalMemory;
  hooks: MipsCpuHooks;
  readonly bigEndian: boolean;

  // ---- software TLB: tag = virtual page number (-1 empty), value = RAM offset of the page ----
  // (stTag, stPhys, view, modeBase, chunkEnd and cycles are also read by compiled blocks.)
  private readonly stTag = new Int32Array(4 * SLOTS).fill(-1);
  private readonly stPhys = new Uint32Array(4 * SLOTS);
  /** 0 in kernel mode, USER_BASE in user mode. */
  private modeBase = 0;
  private softAsid = 0;
  private fetchTag = -1;
  private fetchBase = 0;
  declare private readonly view: DataView;
  declare private readonly le: boolean;

  // ---- compiled code (undefined with fastPath: false) ----
  declare private readonly code: CodeCache | undefined;
  /** The code page of the fetch page (valid while fetchTag is). */
  private fetchCode: CodePage | undefined = undefined;
  declare private readonly compileThreshold: number;
  /** Blocks compiled so far (a statistic; recompiles after invalidation count again). */
  blocksCompiled = 0;

  private chunkEnd = 0;
  private intPending = false;
  private stopRequest: StopReason | undefined;

  constructor(options: MipsCpuOptions) {
    this.memory = options.memory;
    this.tlb = options.tlb ?? new MipsTlb({ entries: 16 });
    this.hooks = options.hooks ?? {};
    this.bigEndian = this.memory.bigEndian;
    this.le = !this.bigEndian;
    this.view = new DataView(this.memory.ram.buffer, this.memory.ram.byteOffset, this.memory.ram.byteLength);
    const model = options.model ?? '4Kc';
    if (model !== '4Kc' && model !== '24Kf')
      throw new MipsArgumentError(`model ${String(model)} must be '4Kc' or '24Kf'`);
    this.fpu = model === '24Kf' ? new Fpu() : undefined;
    // Config1.FP (bit 0) and the Status bits an FPU adds (CU1, FR).
    this.config1 = (CONFIG1_BASE | ((this.tlb.entries - 1) << 25) | (this.fpu ? 1 : 0)) >>> 0;
    this.statusWritable = this.fpu ? STATUS_WRITABLE | ST_CU1 | ST_FR : STATUS_WRITABLE;
    const threshold = options.compileThreshold ?? DEFAULT_COMPILE_THRESHOLD;
    if (!Number.isInteger(threshold) || threshold < 1 || threshold > 0xffff) {
      throw new MipsArgumentError(`compileThreshold ${threshold} must be an integer from 1 to 65535`);
    }
    this.compileThreshold = threshold;
    this.code = options.fastPath === false ? undefined : new CodeCache(this.memory.ramSize);
    this.memory.onLayoutChange(() => this.flushTranslations());
    this.reset();
  }

  // ================= public control =================

  /** Cold reset (PRA §6.2.1): ERL=1, BEV=1, kseg0 uncached, Random at the top, pc at 0xBFC00000. */
  reset(): void {
    this.errorEpc = this.pc;
    this.status = ST_BEV | ST_ERL;
    this.cause = 0;
    this.config0 = 2;
    this.tlb.k0 = 2;
    this.tlb.setWired(0);
    this.ebase = 0x8000_0000;
    this.intCtl = INTCTL_RESET;
    this.hwrEna = 0;
    this.watchLo = 0;
    this.watchHi = 0;
    this.timerPending = false;
    this.waiting = false;
    this.llbit = false;
    this.fpu?.reset();
    this.stopRequest = undefined;
    // A board resets the CPU when it reloads RAM (a kernel image again): compiled code may be stale.
    this.code?.clear();
    this.jump(RESET_VECTOR);
    this.statusChanged();
    this.recomputeDeadline();
  }

  /** Continue at `address` (no delay slot pending). */
  jump(address: number): void {
    this.pc = address >>> 0;
    this.nextPc = (this.pc + 4) >>> 0;
    this.delayNext = false;
  }

  /** Drive hardware interrupt line `n` (0..5 → Cause.IP2..IP7). Level-sensitive. */
  setInterruptLine(n: number, asserted: boolean): void {
    if (!Number.isInteger(n) || n < 0 || n > 5) {
      throw new MipsArgumentError(`interrupt line ${n} must be 0..5 (IP2..IP7)`);
    }
    const bit = 1 << n;
    const lines = asserted ? this.lines | bit : this.lines & ~bit;
    if (lines !== this.lines) {
      this.lines = lines;
      this.updateInterrupts();
    }
  }

  /** Ask `run` to return with `reason` at the next instruction boundary (for hooks and devices). */
  requestStop(reason: StopReason = 'breakpoint'): void {
    this.stopRequest = reason;
    this.chunkEnd = 0;
  }

  /** Forget every cached translation (call after changing the TLB or the memory layout behind the CPU's back). */
  flushTranslations(): void {
    this.stTag.fill(-1);
    this.fetchTag = -1;
    this.softAsid = this.tlb.asid;
    // A compiled block that is running (a device callback got here) must not go on with old mappings.
    this.chunkEnd = 0;
  }

  /** True when this CPU runs hot code as compiled blocks (the `fastPath` option). */
  get fastPath(): boolean {
    return this.code !== undefined;
  }

  /**
   * Physical bytes [physAddr, physAddr + length) were written by someone other than this CPU (DMA, a
   * loader, a debugger): drop compiled code made from them. The CPU's own stores do this by themselves.
   */
  invalidateCode(physAddr: number, length: number): void {
    if (!Number.isSafeInteger(physAddr) || physAddr < 0 || !Number.isSafeInteger(length) || length < 0) {
      throw new MipsArgumentError(`invalidateCode(${physAddr}, ${length}): need non-negative integers`);
    }
    if (this.code?.invalidate(physAddr, length) === true) this.chunkEnd = 0;
  }

  /** Execute up to `budget` instructions. */
  run(budget: number): StopReason {
    const end = this.cycles + budget;
    for (;;) {
      if (this.cycles >= this.deadline) this.fireTimer();
      const stop = this.stopRequest;
      if (stop !== undefined) {
        this.stopRequest = undefined;
        return stop;
      }
      if (this.intPending) {
        this.waiting = false;
        this.takeInterrupt();
      } else if (this.waiting) {
        // Idle: time passes up to the timer deadline or the end of the budget, whichever is first.
        const until = Math.min(end, this.deadline);
        if (until > this.cycles) this.cycles = until;
        if (this.cycles >= this.deadline) continue;
        return 'wait';
      }
      if (this.cycles >= end) return 'budget';
      this.chunkEnd = Math.min(end, this.deadline);
      try {
        if (this.code !== undefined) this.chunkFast();
        else this.chunk();
      } catch (e) {
        if (e !== GUEST_EXCEPTION) throw e;
      }
    }
  }

  /** Execute one instruction (or take one pending interrupt); the stop reason if it stopped. */
  step(): StopReason | undefined {
    const why = this.run(1);
    return why === 'budget' ? undefined : why;
  }

  // ================= the interpreter loop =================

  private chunk(): void {
    const r = this.r;
    const view = this.view;
    while (this.cycles < this.chunkEnd) {
      const cur = this.pc;
      this.cur = cur;
      this.inDelay = this.delayNext;
      this.cycles++;
      let inst: number;
      if ((cur & FETCH_MASK) === this.fetchTag) {
        inst = this.le
          ? view.getInt32(this.fetchBase + (cur & 0xffc), true)
          : view.getInt32(this.fetchBase + (cur & 0xffc), false);
      } else {
        inst = this.fetchSlow(cur);
      }
      this.delayNext = false;
      this.pc = this.nextPc;
      this.nextPc = (this.nextPc + 4) >>> 0;
      r[0] = 0;
      OPCODE[inst >>> 26](this, inst);
      r[0] = 0; // a write to r0 is never visible, not even between run() calls
    }
  }

  /**
   * The loop with compiled blocks. At a block entry (the chunk's start, a branch target, the
   * instruction after a block or after an interpreter-only instruction) with no delay slot pending, a
   * compiled block runs when its whole length fits before chunkEnd; everything else is interpreted
   * one instruction at a time exactly as in chunk().
   */
  private chunkFast(): void {
    let entry = true;
    while (this.cycles < this.chunkEnd) {
      const pc = this.pc;
      if (entry && !this.delayNext) {
        if ((pc & FETCH_MASK) !== this.fetchTag) this.probeFetch(pc);
        const page = this.fetchCode;
        if ((pc & FETCH_MASK) === this.fetchTag && page !== undefined) {
          const w = (pc & 0xfff) >>> 2;
          let block = page.blocks[w];
          if (block === undefined || block.va !== pc) block = this.blockMiss(page, w, pc);
          if (block !== undefined && block.len !== 0) {
            if (this.cycles + block.len <= this.chunkEnd) {
              block.run(this);
              continue;
            }
          } else if (block !== undefined) {
            this.interpretOne();
            continue; // the instruction after an interpreter-only one is an entry too
          }
        }
      }
      const cur = pc;
      this.interpretOne();
      entry = this.inDelay || this.pc !== (cur + 4) >>> 0;
    }
  }

  /** One instruction through the dispatch table (the body of chunk()). */
  private interpretOne(): void {
    const cur = this.pc;
    const r = this.r;
    this.cur = cur;
    this.inDelay = this.delayNext;
    this.cycles++;
    let inst: number;
    if ((cur & FETCH_MASK) === this.fetchTag) {
      inst = this.le
        ? this.view.getInt32(this.fetchBase + (cur & 0xffc), true)
        : this.view.getInt32(this.fetchBase + (cur & 0xffc), false);
    } else {
      inst = this.fetchSlow(cur);
    }
    this.delayNext = false;
    this.pc = this.nextPc;
    this.nextPc = (this.nextPc + 4) >>> 0;
    r[0] = 0;
    OPCODE[inst >>> 26](this, inst);
    r[0] = 0;
  }

  /**
   * Translate the fetch page of `pc` at a block entry, before any instruction there runs. A fault is
   * raised exactly as the interpreter's fetch would raise it (the instruction counted, cur = pc).
   */
  private probeFetch(pc: number): void {
    this.cur = pc;
    this.inDelay = false;
    this.cycles++;
    this.fetchTranslate(pc);
    this.cycles--;
  }

  /** A block entry without a usable block: count it, and compile it once it is hot. */
  private blockMiss(page: CodePage, w: number, pc: number): CodeBlock | undefined {
    const heat = page.heat[w] + 1;
    if (heat < this.compileThreshold) {
      page.heat[w] = heat;
      return undefined;
    }
    const pa = this.fetchBase + (pc & 0xfff);
    const block = compileBlock(pc, pa, this.view, this.le);
    this.blocksCompiled++;
    page.blocks[w] = block;
    const code = this.code as CodeCache;
    if (block.len !== 0 && code.cover(pa >>> 12, w, block.len)) this.dropWriteEntries(this.fetchBase);
    return block;
  }

  /** Page `base` now holds compiled code: stores into it must take the slow path (which invalidates). */
  private dropWriteEntries(base: number): void {
    const tag = this.stTag;
    const phys = this.stPhys;
    for (const half of [0, USER_BASE]) {
      for (let k = half + KIND_WRITE; k < half + KIND_WRITE + SLOTS; k++) {
        if (tag[k] !== -1 && phys[k] === base) tag[k] = -1;
      }
    }
  }

  private fetchSlow(va: number): number {
    return this.memory.read32(this.fetchTranslate(va)) | 0;
  }

  /** Alignment check and translation of an instruction fetch; caches the page when it is plain RAM. */
  private fetchTranslate(va: number): number {
    if ((va & 3) !== 0) {
      this.tlb.badVAddr = va >>> 0;
      return this.exception(EXC.AdEL);
    }
    const p = this.translate(va, false);
    if (this.memory.slowPages[p >>> 12] === 0) {
      this.fetchTag = (va & 0xffff_f000) | 0;
      this.fetchBase = p - (p & 0xfff);
      this.fetchCode = this.code?.page(p >>> 12);
    }
    return p;
  }

  // ================= memory access (handlers call these) =================

  load8(va: number): number {
    const vpn = va >>> 12;
    const k = this.modeBase + (vpn & SLOT_MASK);
    if (this.stTag[k] === vpn) return this.view.getUint8(this.stPhys[k] + (va & 0xfff));
    return this.memory.read8(this.physical(va, false, 1));
  }

  load16(va: number): number {
    const vpn = va >>> 12;
    const k = this.modeBase + (vpn & SLOT_MASK);
    if (this.stTag[k] === vpn && (va & 1) === 0) {
      const p = this.stPhys[k] + (va & 0xfff);
      return this.le ? this.view.getUint16(p, true) : this.view.getUint16(p, false);
    }
    return this.memory.read16(this.physical(va, false, 2));
  }

  /** A word as a signed 32-bit value. */
  load32(va: number): number {
    const vpn = va >>> 12;
    const k = this.modeBase + (vpn & SLOT_MASK);
    if (this.stTag[k] === vpn && (va & 3) === 0) {
      const p = this.stPhys[k] + (va & 0xfff);
      return this.le ? this.view.getInt32(p, true) : this.view.getInt32(p, false);
    }
    return this.memory.read32(this.physical(va, false, 4)) | 0;
  }

  store8(va: number, value: number): void {
    const vpn = va >>> 12;
    const k = this.modeBase + KIND_WRITE + (vpn & SLOT_MASK);
    if (this.stTag[k] === vpn) this.view.setUint8(this.stPhys[k] + (va & 0xfff), value);
    else this.memory.write8(this.physical(va, true, 1), value & 0xff);
  }

  store16(va: number, value: number): void {
    const vpn = va >>> 12;
    const k = this.modeBase + KIND_WRITE + (vpn & SLOT_MASK);
    if (this.stTag[k] === vpn && (va & 1) === 0) {
      const p = this.stPhys[k] + (va & 0xfff);
      if (this.le) this.view.setUint16(p, value, true);
      else this.view.setUint16(p, value, false);
    } else {
      this.memory.write16(this.physical(va, true, 2), value & 0xffff);
    }
  }

  store32(va: number, value: number): void {
    const vpn = va >>> 12;
    const k = this.modeBase + KIND_WRITE + (vpn & SLOT_MASK);
    if (this.stTag[k] === vpn && (va & 3) === 0) {
      const p = this.stPhys[k] + (va & 0xfff);
      if (this.le) this.view.setInt32(p, value, true);
      else this.view.setInt32(p, value, false);
    } else {
      this.memory.write32(this.physical(va, true, 4), value >>> 0);
    }
  }

  /**
   * Slow path: alignment check, TLB translation (raising the guest exception on a fault), and a
   * software-TLB fill when the page is plain RAM. Returns the physical address.
   */
  physical(va: number, write: boolean, size: number): number {
    va >>>= 0;
    if ((va & (size - 1)) !== 0) {
      this.tlb.badVAddr = va;
      return this.exception(write ? EXC.AdES : EXC.AdEL);
    }
    const p = this.translate(va, write);
    if (this.memory.slowPages[p >>> 12] === 0) {
      // A store into compiled code drops it and ends the block or chunk after this instruction; the
      // page gets no write entry, so every store there comes back here.
      if (write && this.code !== undefined && this.code.live[p >>> 12] !== 0) {
        if (this.code.invalidate(p, size)) this.chunkEnd = 0;
        return p;
      }
      const vpn = va >>> 12;
      const k = this.modeBase + (write ? KIND_WRITE : 0) + (vpn & SLOT_MASK);
      this.stTag[k] = vpn;
      this.stPhys[k] = p - (p & 0xfff);
    }
    return p;
  }

  /** TLB translation for the current mode; raises TLB/address-error exceptions. */
  translate(va: number, write: boolean): number {
    const p = this.tlb.translate(va, write, this.mode);
    if (p >= 0) return p;
    if (p === MIPS_ADDRESS_ERROR) return this.exception(write ? EXC.AdES : EXC.AdEL);
    if (p === MIPS_MODIFIED) return this.exception(EXC.Mod);
    return this.exception(write ? EXC.TLBS : EXC.TLBL, 0, p === MIPS_REFILL);
  }

  // ================= exceptions and interrupts =================

  /**
   * Enter exception `code` for the current instruction and unwind to the run loop. `ce` is
   * Cause.CE (Coprocessor Unusable); `refill` selects the TLB refill vector when EXL = 0.
   */
  exception(code: number, ce = 0, refill = false): never {
    this.enter(code, this.cur, this.inDelay, ce, refill);
    throw GUEST_EXCEPTION;
  }

  private takeInterrupt(): void {
    const bd = this.delayNext;
    this.enter(EXC.Int, this.pc, bd, 0, false);
  }

  private enter(code: number, pc: number, bd: boolean, ce: number, refill: boolean): void {
    const epc = (bd ? pc - 4 : pc) >>> 0;
    const hook = this.hooks.onException;
    if (hook !== undefined) {
      this.jump(epc);
      if (hook(code, epc, bd, this)) return;
    }
    const exl = (this.status & ST_EXL) !== 0;
    // CE is written by Coprocessor Unusable only (it is UNPREDICTABLE otherwise; QEMU keeps it too).
    let cause = (this.cause & ~CAUSE_EXC_MASK) | (code << CAUSE_EXC_SHIFT);
    if (code === EXC.CpU) cause = (cause & ~CAUSE_CE_MASK) | (ce << CAUSE_CE_SHIFT);
    if (!exl) {
      this.epc = epc;
      cause = bd ? cause | CAUSE_BD : cause & ~CAUSE_BD;
    }
    this.cause = cause;
    const bev = (this.status & ST_BEV) !== 0;
    const base = bev ? BEV_BASE : this.ebase & 0xffff_f000;
    let offset = 0x180;
    if (refill && !exl) offset = 0;
    else if (code === EXC.Int && (cause & CAUSE_IV) !== 0) offset = bev ? 0x200 : this.interruptOffset();
    this.status |= ST_EXL;
    this.statusChanged();
    this.jump((base + offset) >>> 0);
  }

  /** Offset of the interrupt vector with Cause.IV = 1 (vectored when IntCtl.VS ≠ 0, PRA §6.1.1.2). */
  private interruptOffset(): number {
    const spacing = (this.intCtl & INTCTL_VS_MASK) >>> 5;
    if (spacing === 0) return 0x200;
    const pending = (this.causeValue() & this.status & 0xff00) >>> 8;
    const vector = 31 - Math.clz32(pending);
    return 0x200 + vector * spacing * 32;
  }

  /** Status changed: mode, software-TLB half, ERL's kuseg window, interrupt state. */
  statusChanged(): void {
    const s = this.status;
    const erl = (s & ST_ERL) !== 0;
    if (erl !== this.tlb.erl) {
      this.tlb.erl = erl;
      this.flushTranslations();
    }
    const mode: MipsMode =
      (s & (ST_EXL | ST_ERL)) !== 0 || (s & ST_UM) === 0 ? MIPS_MODE_KERNEL : MIPS_MODE_USER;
    if (mode !== this.mode) {
      this.mode = mode;
      this.modeBase = mode === MIPS_MODE_USER ? USER_BASE : 0;
      this.fetchTag = -1;
    }
    this.updateInterrupts();
  }

  /** Recompute whether an enabled interrupt is pending; if so, stop the current chunk. */
  updateInterrupts(): void {
    const s = this.status;
    this.intPending =
      (s & ST_IE) !== 0 && (s & (ST_EXL | ST_ERL)) === 0 && (this.causeValue() & s & 0xff00) !== 0;
    if (this.intPending) this.chunkEnd = 0;
  }

  /** True while the CPU is in kernel mode or Status.CU0 grants user code CP0. */
  cp0Usable(): boolean {
    return this.mode === MIPS_MODE_KERNEL || (this.status & ST_CU0) !== 0;
  }

  /** ERET (PRA: returns to ErrorEPC when ERL, else EPC; clears LLbit; no delay slot). */
  eret(): void {
    let target: number;
    if ((this.status & ST_ERL) !== 0) {
      target = this.errorEpc;
      this.status &= ~ST_ERL;
    } else {
      target = this.epc;
      this.status &= ~ST_EXL;
    }
    this.llbit = false;
    this.jump(target);
    this.statusChanged();
    this.chunkEnd = 0;
  }

  /** WAIT: sleep until an interrupt (the run loop lets time pass while waiting). */
  enterWait(): void {
    this.waiting = true;
    this.chunkEnd = 0;
  }

  // ================= Count / Compare =================

  /** The Count register now. */
  get count(): number {
    if ((this.cause & CAUSE_DC) !== 0) return this.countBase;
    return (this.countBase + Math.floor((this.cycles - this.countEpoch) / 2)) >>> 0;
  }

  private setCount(value: number): void {
    this.countBase = value >>> 0;
    this.countEpoch = this.cycles;
    this.recomputeDeadline();
  }

  private recomputeDeadline(): void {
    if ((this.cause & CAUSE_DC) !== 0) {
      this.deadline = Number.POSITIVE_INFINITY;
      return;
    }
    const ticks = Math.floor((this.cycles - this.countEpoch) / 2);
    const now = (this.countBase + ticks) >>> 0;
    let d = (this.compare - now) >>> 0;
    if (d === 0) d = TWO32;
    this.deadline = this.countEpoch + 2 * (ticks + d);
    if (this.deadline < this.chunkEnd) this.chunkEnd = this.deadline;
  }

  private fireTimer(): void {
    this.timerPending = true;
    this.recomputeDeadline();
    this.updateInterrupts();
  }

  // ================= CP0 register file =================

  /** Cause as software reads it (IP7..2 from the lines, TI merged into IP7 per IntCtl.IPTI). */
  causeValue(): number {
    let ip = (this.lines << 10) | (this.cause & 0x300);
    let c = this.cause & ~(0xfc00 | CAUSE_TI);
    if (this.timerPending) {
      ip |= 1 << (8 + (this.intCtl >>> 29));
      c |= CAUSE_TI;
    }
    return (c | ip) >>> 0;
  }

  readCp0(reg: number, sel: number): number {
    const t = this.tlb;
    switch ((reg << 3) | sel) {
      case 0 << 3:
        return t.index | 0;
      case 1 << 3:
        return t.random;
      case 2 << 3:
        return t.entryLo0 | 0;
      case 3 << 3:
        return t.entryLo1 | 0;
      case 4 << 3:
        return t.context | 0;
      case (4 << 3) | 2:
        return this.userLocal | 0;
      case 5 << 3:
        return t.pageMask | 0;
      case 6 << 3:
        return t.wired;
      case 7 << 3:
        return this.hwrEna;
      case 8 << 3:
        return t.badVAddr | 0;
      case 9 << 3:
        return this.count | 0;
      case 10 << 3:
        return t.entryHi | 0;
      case 11 << 3:
        return this.compare | 0;
      case 12 << 3:
        return this.status | 0;
      case (12 << 3) | 1:
        return this.intCtl | 0;
      case 13 << 3:
        return this.causeValue() | 0;
      case 14 << 3:
        return this.epc | 0;
      case 15 << 3:
        return this.prid;
      case (15 << 3) | 1:
        return this.ebase | 0;
      case 16 << 3:
        return CONFIG0_BASE | (this.bigEndian ? CONFIG0_BE : 0) | this.config0 | 0;
      case (16 << 3) | 1:
        return this.config1 | 0;
      case (16 << 3) | 2:
        return this.config2 | 0;
      case (16 << 3) | 3:
        return this.config3;
      case 17 << 3:
        return this.llAddr | 0;
      case 18 << 3:
        return this.watchLo | 0;
      case 19 << 3:
        return this.watchHi | 0;
      case 28 << 3:
        return this.tagLo | 0;
      case (28 << 3) | 1:
        return this.dataLo | 0;
      case 29 << 3:
        return this.tagHi | 0;
      case 30 << 3:
        return this.errorEpc | 0;
      default:
        // SRSCtl/SRSMap (one shadow set: all zero), PageGrain, Debug, PerfCnt, ErrCtl and the rest.
        return 0;
    }
  }

  writeCp0(reg: number, sel: number, value: number): void {
    const t = this.tlb;
    value >>>= 0;
    switch ((reg << 3) | sel) {
      case 0 << 3:
        t.setIndex(value);
        return;
      case 2 << 3:
        t.setEntryLo0(value);
        return;
      case 3 << 3:
        t.setEntryLo1(value);
        return;
      case 4 << 3:
        t.setContext(value);
        return;
      case (4 << 3) | 2:
        this.userLocal = value;
        return;
      case 5 << 3:
        t.setPageMask(value);
        return;
      case 6 << 3:
        t.setWired(value);
        return;
      case 7 << 3:
        this.hwrEna = value & HWRENA_MASK;
        return;
      case 9 << 3:
        this.setCount(value);
        this.chunkEnd = 0;
        return;
      case 10 << 3:
        t.setEntryHi(value);
        this.asidMayHaveChanged();
        return;
      case 11 << 3:
        this.compare = value;
        this.timerPending = false;
        this.recomputeDeadline();
        this.updateInterrupts();
        this.chunkEnd = 0;
        return;
      case 12 << 3:
        this.status = ((this.status & ~this.statusWritable) | (value & this.statusWritable)) >>> 0;
        this.statusChanged();
        this.chunkEnd = 0;
        return;
      case (12 << 3) | 1:
        this.intCtl = ((this.intCtl & ~INTCTL_VS_MASK) | (value & INTCTL_VS_MASK)) >>> 0;
        return;
      case 13 << 3: {
        const count = this.count;
        this.cause = ((this.cause & ~CAUSE_WRITABLE) | (value & CAUSE_WRITABLE)) >>> 0;
        this.setCount(count); // DC may have stopped or restarted Count
        this.updateInterrupts();
        this.chunkEnd = 0;
        return;
      }
      case 14 << 3:
        this.epc = value;
        return;
      case (15 << 3) | 1:
        this.ebase = ((value & 0x3fff_f000) | 0x8000_0000) >>> 0;
        return;
      case 16 << 3:
        this.config0 = value & 7;
        t.k0 = value & 7;
        return;
      case 18 << 3:
        this.watchLo = value;
        return;
      case 19 << 3:
        // G, ASID and Mask are writable; I/R/W (2:0) are write-one-to-clear.
        this.watchHi = ((value & 0x40ff_0ff8) | (this.watchHi & 7 & ~value)) >>> 0;
        return;
      case 28 << 3:
        this.tagLo = value;
        return;
      case (28 << 3) | 1:
        this.dataLo = value;
        return;
      case 29 << 3:
        this.tagHi = value;
        return;
      case 30 << 3:
        this.errorEpc = value;
        return;
      default:
        // Read-only (Random, BadVAddr, PRId, Config1-3, LLAddr) or unimplemented: ignored.
        return;
    }
  }

  /** After anything that may have written EntryHi.ASID: cached mapped translations belong to the old ASID. */
  asidMayHaveChanged(): void {
    if (this.tlb.asid !== this.softAsid) this.flushTranslations();
  }

  /** RDHWR register `n`, or undefined when it does not exist or is not enabled (→ Reserved Instruction). */
  readHwr(n: number): number | undefined {
    if (!this.cp0Usable() && (this.hwrEna & (1 << n)) === 0) return undefined;
    switch (n) {
      case 0:
        return this.ebase & 0x3ff;
      case 1:
        return SYNCI_STEP;
      case 2:
        return this.count | 0;
      case 3:
        return CC_RES;
      case 29:
        return this.userLocal | 0;
      default:
        return undefined;
    }
  }

  // ================= state =================

  saveState(): MipsCpuState {
    const t = this.tlb;
    const entries = [];
    for (let i = 0; i < t.entries; i++) entries.push(t.readEntry(i));
    return {
      version: MIPS_STATE_VERSION,
      bigEndian: this.bigEndian,
      gpr: Array.from(this.r),
      hi: this.hi,
      lo: this.lo,
      pc: this.pc,
      nextPc: this.nextPc,
      delayNext: this.delayNext,
      llbit: this.llbit,
      waiting: this.waiting,
      cycles: this.cycles,
      countBase: this.countBase,
      countEpoch: this.countEpoch,
      cp0: {
        status: this.status,
        cause: this.cause,
        epc: this.epc,
        errorEpc: this.errorEpc,
        ebase: this.ebase,
        compare: this.compare,
        intCtl: this.intCtl,
        hwrEna: this.hwrEna,
        userLocal: this.userLocal,
        llAddr: this.llAddr,
        watchLo: this.watchLo,
        watchHi: this.watchHi,
        config0: this.config0,
        tagLo: this.tagLo,
        dataLo: this.dataLo,
        tagHi: this.tagHi,
        timerPending: this.timerPending,
        lines: this.lines,
      },
      tlb: {
        index: t.index >>> 0,
        random: t.random,
        wired: t.wired,
        entryHi: t.entryHi,
        entryLo0: t.entryLo0,
        entryLo1: t.entryLo1,
        pageMask: t.pageMask,
        context: t.context,
        badVAddr: t.badVAddr,
        entries,
      },
      ...(this.fpu
        ? { fpu: { lo: Array.from(this.fpu.lo), hi: Array.from(this.fpu.hi), fcsr: this.fpu.fcsr >>> 0 } }
        : {}),
    };
  }

  /** Restore a state produced by `saveState`. Throws MipsStateError (leaving the CPU unchanged) on bad input. */
  loadState(state: MipsCpuState): void {
    validateState(state, this.tlb.entries, this.bigEndian);
    const t = this.tlb;
    const c = state.cp0;
    for (let i = 0; i < t.entries; i++) {
      const e = state.tlb.entries[i];
      t.setIndex(i);
      t.setEntryHi(e.entryHi);
      t.setEntryLo0(e.entryLo0);
      t.setEntryLo1(e.entryLo1);
      t.setPageMask(e.pageMask);
      t.tlbwi();
    }
    t.setWired(state.tlb.wired);
    t.random = state.tlb.random;
    t.index = state.tlb.index >>> 0;
    t.setEntryHi(state.tlb.entryHi);
    t.setEntryLo0(state.tlb.entryLo0);
    t.setEntryLo1(state.tlb.entryLo1);
    t.setPageMask(state.tlb.pageMask);
    t.context = state.tlb.context >>> 0;
    t.badVAddr = state.tlb.badVAddr >>> 0;
    this.r.set(state.gpr);
    this.hi = state.hi | 0;
    this.lo = state.lo | 0;
    this.pc = state.pc >>> 0;
    this.nextPc = state.nextPc >>> 0;
    this.delayNext = state.delayNext;
    this.llbit = state.llbit;
    this.waiting = state.waiting;
    this.cycles = state.cycles;
    this.status = c.status >>> 0;
    this.cause = c.cause >>> 0;
    this.epc = c.epc >>> 0;
    this.errorEpc = c.errorEpc >>> 0;
    this.ebase = c.ebase >>> 0;
    this.compare = c.compare >>> 0;
    this.intCtl = c.intCtl >>> 0;
    this.hwrEna = c.hwrEna >>> 0;
    this.userLocal = c.userLocal >>> 0;
    this.llAddr = c.llAddr >>> 0;
    this.watchLo = c.watchLo >>> 0;
    this.watchHi = c.watchHi >>> 0;
    this.config0 = c.config0 & 7;
    t.k0 = this.config0;
    this.tagLo = c.tagLo >>> 0;
    this.dataLo = c.dataLo >>> 0;
    this.tagHi = c.tagHi >>> 0;
    this.timerPending = c.timerPending;
    this.lines = c.lines & 0x3f;
    this.stopRequest = undefined;
    this.countBase = state.countBase >>> 0;
    this.countEpoch = state.countEpoch;
    if (this.fpu) {
      // A state saved without an FPU (or before there was one) leaves CP1 as a reset does.
      this.fpu.lo.set(state.fpu?.lo ?? new Array(32).fill(0));
      this.fpu.hi.set(state.fpu?.hi ?? new Array(32).fill(0));
      this.fpu.fcsr = (state.fpu?.fcsr ?? 0) | 0;
    }
    this.flushTranslations();
    // A restored state usually comes with restored RAM: compiled code may be stale.
    this.code?.clear();
    this.statusChanged();
    this.recomputeDeadline();
  }
}

function validateState(state: MipsCpuState, entries: number, bigEndian: boolean): void {
  const fail = (why: string): never => {
    throw new MipsStateError(`not a loadable MIPS CPU state: ${why}`);
  };
  if (typeof state !== 'object' || state === null) fail('not an object');
  if (state.version !== MIPS_STATE_VERSION)
    fail(`version ${String(state.version)} (expected ${MIPS_STATE_VERSION})`);
  if (state.bigEndian !== bigEndian) fail('byte order differs from this CPU');
  if (!Array.isArray(state.gpr) || state.gpr.length !== 32) fail('gpr must hold 32 registers');
  if (typeof state.cp0 !== 'object' || state.cp0 === null) fail('cp0 missing');
  if (typeof state.tlb !== 'object' || !Array.isArray(state.tlb.entries)) fail('tlb missing');
  if (state.tlb.entries.length !== entries)
    fail(`tlb has ${state.tlb.entries.length} entries, this CPU ${entries}`);
  const numbers: unknown[] = [
    state.hi,
    state.lo,
    state.pc,
    state.nextPc,
    state.cycles,
    state.countBase,
    state.countEpoch,
    ...state.gpr,
  ];
  for (const v of Object.values(state.cp0)) if (typeof v !== 'boolean') numbers.push(v);
  for (const e of state.tlb.entries) numbers.push(e.entryHi, e.entryLo0, e.entryLo1, e.pageMask);
  if (state.fpu !== undefined) {
    const f = state.fpu;
    if (typeof f !== 'object' || f === null || !Array.isArray(f.lo) || !Array.isArray(f.hi))
      fail('fpu malformed');
    if (f.lo.length !== 32 || f.hi.length !== 32) fail('fpu must hold 32 registers');
    numbers.push(f.fcsr, ...f.lo, ...f.hi);
  }
  for (const v of numbers)
    if (typeof v !== 'number' || !Number.isFinite(v)) fail('a register is not a finite number');
}
