// The block compiler's engine: execution counters, the code cache keyed by physical address
// and CPU mode, compilation through `new Function`, and invalidation of pages holding code.
//
// Coherence (see README, "Block compiler"):
// - CPU stores into a page with code: with paging through Ia32Mmu the mmu routes writes to
//   watched frames to codeWriteHook; otherwise the CPU's write map `slowW` marks code pages so
//   the store takes the slow path, which invalidates. Pages without code pay nothing.
// - Everything else that can write RAM behind the CPU's back (DMA, devices, the host, hooks)
//   runs between `run` calls, at port I/O, or in exception/interrupt hooks; each of those bumps
//   `cpu.jitEpoch` (not ports and hooks declared pure: IoBus.writesRam, CpuHooks.writesRam),
//   and a block is checked byte for byte against RAM the first time it runs in a new epoch.
//   `Cpu.invalidateCode` is the explicit API for anything else.
import type { Ia32Mmu, PhysicalMemory } from '@phantasm/mmu';
import type { Cpu } from '../cpu.js';
import { CR0_PE, IF, R_DB, RF, SS, TF, VM } from '../state.js';
import { type CodeCopy, copyCode, sameCode, wordView } from './code-check.js';
import { CodeTable } from './code-table.js';
import {
  type BlockShape,
  branchTarget,
  endsBlock,
  flatSegmentsFor,
  generate,
  inlinedOnly,
  isForwardJcc,
  isJcc,
  isJmp,
  MAX_SKIP,
  MEM_FLAT,
  MEM_SLOW,
  MEM_TLB,
  materialize,
} from './codegen.js';
import { type CodeBytes, decodeInsn, type Insn } from './decode.js';
import { type BlockFn, WasmBlocks } from './wasm/runtime.js';

/** Options of the block compiler (`CpuOptions.jit`). */
export interface JitOptions {
  /**
   * Executions of a block's first instruction counted (by the interpreter) before the block is
   * compiled (0: compile every block the first time it is reached). Default 2000: code run
   * fewer times is cheaper interpreted than compiled (V8 first runs a new function in its
   * bytecode interpreter).
   */
  threshold?: number;
  /**
   * Longest block in instructions (default 64: the Linux boot entered 1.5x fewer blocks than at
   * 32 and ran ~5 % faster; 128 gained nothing more and compiled longer).
   */
  maxInstructions?: number;
  /**
   * Compile blocks of the common integer subset to WebAssembly when the CPU's memory has a
   * WebAssembly arena (PhysicalMemory `wasmTableBytes`; default true). Other blocks, and every
   * block without an arena, are compiled to JavaScript.
   */
  wasm?: boolean;
  /**
   * Executions after which a block is compiled if it is all WebAssembly (default 1000, at most
   * `threshold`): WebAssembly runs fast from its first call, where a new JavaScript function
   * first runs in V8's slower tiers, so such blocks pay off much sooner.
   */
  wasmThreshold?: number;
}

/** Counters for benchmarks and tests. */
export interface JitStats {
  blocksCompiled: number;
  /** Total wall time spent generating and compiling blocks, milliseconds. */
  compileMs: number;
  /** Block entries from the run loop, and how many found a valid compiled block. */
  lookups: number;
  hits: number;
  /** Instructions retired inside compiled blocks. */
  instructions: number;
  /** Pages whose blocks were dropped (stores, byte checks, invalidateCode). */
  invalidations: number;
  /** Blocks compiled to WebAssembly (included in blocksCompiled). */
  wasmBlocks: number;
}

interface Block {
  fn: BlockFn | null;
  phys: number;
  eip: number;
  mode: number;
  /** Instructions per pass. */
  length: number;
  /** EIP just past the last byte. */
  end: number;
  /**
   * The code bytes compiled, physical [codeAt, codeAt + size), checked again in each new epoch:
   * as words (`copy`) where RAM allows it, else as bytes.
   */
  size: number;
  copy: CodeCopy | undefined;
  bytes: Uint8Array | undefined;
  codeAt: number;
  checked: number;
  /** Only inline code (no handler that could change the mode runs; see inlinedOnly). */
  pure: boolean;
  /** Dropped from the cache (a successor cache entry pointing here is stale). */
  dropped: boolean;
  /** Its index in the WebAssembly function table (-1: a JavaScript block). */
  wasmIndex: number;
  /**
   * The EIP a pass run to its end always falls through to, when the block was cut by its length
   * or its page's end rather than by a branch (else -1).
   */
  fallsTo: number;
  /** The last two blocks run after this one (chaining). */
  next0: Block | undefined;
  next1: Block | undefined;
}

export const DEFAULT_THRESHOLD = 2000;
const DEFAULT_WASM_THRESHOLD = 1000;
/** What an execution counter says: still cold, time to try WebAssembly, time to compile. */
const COLD = 0;
const WARM = 1;
const HOT = 2;
/** The segments whose flatness is part of the mode key (ES, SS, DS: the data accesses). */
const FLAT_KEY = 0b1101;
/**
 * Cold-code counters: 2^HEAT_BITS of them, indexed by the address folded onto its low bits, so
 * the counters of neighbouring instructions share cache lines (a multiplicative hash scattered
 * them: the counter's cache miss was the costliest line of the interpreter's loop). 2^20 (4 MiB):
 * with 2^16, half of the Linux boot's ~50 K entry points shared a counter, and code whose
 * counter another address had already taken past the WebAssembly threshold never got its try
 * (some ran 13 K times interpreted, waiting for the JavaScript threshold).
 */
const HEAT_BITS = 20;
/** Weight of an instruction run again at once (a REP chunk of up to 4096 iterations). */
const CHUNK_WEIGHT = 1024;
/** log2 of the granule of `codeGranules` in bytes. */
const GRANULE_SHIFT = 4;

/** The cold-code counter of physical address p. */
const heatIndex = (p: number) => (p ^ (p >>> HEAT_BITS)) & ((1 << HEAT_BITS) - 1);

type Factory = (...args: unknown[]) => BlockFn;
/** Compiled factories by generated source, shared by every CPU of the process (bounded). */
/** Compiled blocks by their source text, shared by every CPU in the process. */
const BLOCKS = new Map<string, BlockFn>();
/** Helpers generated code calls (module functions, the same for every CPU). */
const HELPERS = {
  RD8: slowRead8,
  RD16: slowRead16,
  RD32: slowRead32,
  WR8: slowWrite8,
  WR16: slowWrite16,
  WR32: slowWrite32,
  LZ: materialize,
};

/** The names generated code may use for the per-CPU objects (TR/TW read TRU/TWU in user code). */
const CONST_NAMES = ['RAM', 'DV', 'SB', 'SL', 'SHR', 'SHW', 'SR', 'SW', 'MMU', 'TR', 'TW'];

/** The per-CPU objects generated code reads (see BlockCompiler.consts). */
export interface BlockConsts {
  RAM: Uint8Array;
  DV: DataView;
  SB: Cpu['segBase'];
  SL: Cpu['segLo'];
  SHR: Cpu['segHiR'];
  SHW: Cpu['segHiW'];
  SR: Uint8Array;
  SW: Uint8Array;
  MMU: Ia32Mmu | undefined;
  TR: Int32Array | undefined;
  TW: Int32Array | undefined;
  TRU: Int32Array | undefined;
  TWU: Int32Array | undefined;
}
const BLOCK_LIMIT = 4096;
/** Blocks compiled ahead after one that falls through at its end (see compileSuccessors). */
const MAX_SUCCESSORS = 32;

export class BlockCompiler {
  private readonly cpu: Cpu;
  private readonly threshold: number;
  private readonly wasmThreshold: number;
  /**
   * True when the run loop may skip the lookup for an instruction it reached by falling through
   * from one it interpreted (threshold > 0): blocks are entered at branch targets and after
   * other blocks, and counting only those entries spares the counter and the table lookup for
   * most interpreted instructions. With threshold 0 (tests) every instruction is looked up.
   */
  readonly entriesOnly: boolean;
  private readonly maxInstructions: number;
  /** Blocks by physical entry address, and per page (`slot[page] !== 0`: the page holds code). */
  private readonly blocks = new CodeTable<Block>();
  /** Execution counters of cold code, by hashed physical address and mode (saturating). */
  private readonly heat = new Uint32Array(1 << HEAT_BITS);
  /** The address of the last cold lookup (a repeat at once is a REP chunk or a JMP $). */
  private lastCold = -1;
  /** Per RAM page: blocks dropped by stores; each doubles the heat needed to compile again. */
  private readonly strikes: Uint8Array;
  /**
   * Per 16-byte RAM granule: 1 once a block's bytes covered it (cleared with its page). A store
   * to a code page that misses every such granule (data sharing a page with code, as in DOS)
   * returns without walking the page's blocks.
   */
  private readonly codeGranules: Uint8Array;
  /**
   * What generated code reads from this CPU, in one object of a fixed shape: a block takes it
   * from `c.jit.consts` at entry instead of closing over it, so one function serves every CPU
   * running the same code and V8's optimized code carries over to the next machine in the process.
   */
  readonly consts: BlockConsts;

  /** RAM as 32-bit words for the code checks (undefined: bytes are compared). */
  private readonly ram32: Int32Array | undefined;
  readonly stats: JitStats = {
    blocksCompiled: 0,
    compileMs: 0,
    lookups: 0,
    hits: 0,
    instructions: 0,
    invalidations: 0,
    wasmBlocks: 0,
  };
  /** The WebAssembly back end (undefined: JavaScript only). */
  private readonly wasm: WasmBlocks | undefined;
  /** enterBlock's finishBlock, for the WebAssembly chains it starts. */
  private finishing = false;

  constructor(cpu: Cpu, options: JitOptions) {
    this.cpu = cpu;
    this.threshold = Math.max(0, options.threshold ?? DEFAULT_THRESHOLD);
    this.wasmThreshold = Math.min(
      this.threshold,
      Math.max(0, options.wasmThreshold ?? DEFAULT_WASM_THRESHOLD),
    );
    this.entriesOnly = this.threshold > 0;
    this.maxInstructions = Math.max(1, options.maxInstructions ?? 64);
    const pages = Math.ceil(cpu.ramSize / 4096);
    this.strikes = new Uint8Array(pages);
    this.codeGranules = new Uint8Array(pages << (12 - GRANULE_SHIFT));
    const ram = cpu.ram;
    const mmu = cpu.mmu;
    this.consts = {
      RAM: ram,
      DV: new DataView(ram.buffer, ram.byteOffset, ram.byteLength),
      SB: cpu.segBase,
      SL: cpu.segLo,
      SHR: cpu.segHiR,
      SHW: cpu.segHiW,
      SR: cpu.slow,
      SW: cpu.slowW,
      MMU: mmu,
      TR: mmu?.tlbRead,
      TW: mmu?.tlbWrite,
      TRU: mmu?.tlbUserRead,
      TWU: mmu?.tlbUserWrite,
    };
    this.ram32 = wordView(ram);
    const arena = (cpu.memory as Partial<PhysicalMemory>).arena;
    const wasm =
      options.wasm !== false && arena !== undefined && cpu.jitState !== undefined
        ? new WasmBlocks(cpu, arena, cpu.jitState)
        : undefined;
    this.wasm = wasm?.usable() ? wasm : undefined;
    // The mmu reports the first byte a store writes on the page; CPU stores are at most 16 bytes.
    if (mmu !== undefined) mmu.codeWriteHook = (physical) => this.codeWrite(physical, 16);
  }

  /** The bus layout changed (MMIO mapped/unmapped): recompute the CPU's write map. */
  refreshWriteMap(): void {
    const { slow, slowW } = this.cpu;
    for (let i = 0; i < slowW.length; i++) slowW[i] = slow[i] | (this.blocks.slot[i] !== 0 ? 1 : 0);
  }

  /** The mode bits baked into generated code. */
  private modeKey(c: Cpu): number {
    return (
      (c.csBig ? 1 : 0) |
      (c.segRights[SS] & R_DB ? 2 : 0) |
      (c.pagingOn ? 4 : 0) |
      (c.cpl << 3) |
      (c.flags & VM ? 32 : 0) |
      (c.cr0 & CR0_PE ? 64 : 0) |
      ((c.flatSegs & FLAT_KEY) << 7)
    );
  }

  /**
   * Run the block at CS:EIP if there is one (compiling it when hot). Returns the instructions
   * retired, or 0 when the interpreter must execute the next instruction.
   */
  enter(p: number, done: number, budget: number, finishBlock: boolean): number {
    // Small, so the run loop can inline it: code without a block pays the table lookup and
    // its counter here, without a call (enterBlock is large and never inlined: calling it for
    // every interpreted instruction on a page with code cost ~3 % of the Linux boot). `p` is
    // the physical address of CS:EIP (codeAddress), which the run loop computes once for this
    // and its own fetch.
    if (p < 0) return 0;
    this.stats.lookups++;
    const b = this.blocks.get(p);
    const heat = b === undefined ? this.counted(p) : HOT;
    if (heat === COLD) return 0;
    return this.enterBlock(b, p, done, budget, finishBlock, heat);
  }

  /**
   * The execution counter of address `p` (hashed): true once its instruction ran `threshold`
   * times (more after stores dropped code on its page, checked only then). An instruction run
   * again at once (a REP chunk, JMP $) counts CHUNK_WEIGHT times.
   */
  private counted(p: number): number {
    const h = heatIndex(p);
    const old = this.heat[h];
    const heat = old + (p === this.lastCold ? CHUNK_WEIGHT : 1);
    this.lastCold = p;
    if (heat < this.threshold) {
      this.heat[h] = heat;
      // Crossing the WebAssembly threshold: one try (a block outside the subset counts on).
      return this.wasm !== undefined && old < this.wasmThreshold && heat >= this.wasmThreshold ? WARM : COLD;
    }
    const page = p >>> 12;
    const strikes = page < this.strikes.length ? this.strikes[page] : 0;
    if (strikes !== 0 && heat < this.threshold + (1 << Math.min(strikes, 14))) {
      this.heat[h] = heat;
      return COLD;
    }
    this.heat[h] = 0;
    return HOT;
  }

  /** Run `found`, the block at `p` (compile one when it is undefined or for another EIP/mode). */
  private enterBlock(
    found: Block | undefined,
    p: number,
    done: number,
    budget: number,
    finishBlock: boolean,
    heat: number,
  ): number {
    const c = this.cpu;
    const ip = c.eip;
    const mode = this.modeKey(c);
    this.finishing = finishBlock;
    let b = found;
    if (b === undefined || b.eip !== ip || b.mode !== mode) {
      // A block for another EIP or mode: the counter runs here (with none, it ran in enter).
      const h = b !== undefined ? this.counted(p) : heat;
      if (h === COLD) return 0;
      const compiled = this.compile(ip, p, mode, h === WARM);
      if (compiled === undefined) return 0;
      b = compiled;
      // (With threshold 0 every block compiles where it is first reached anyway.)
      if (this.entriesOnly) this.compileSuccessors(b, h === WARM);
    }
    // Chaining: after a block, the next one is found through the block's successor cache (or
    // the cache map) and run without going back to the run loop, while nothing asks the run
    // loop to look (the same checks as at an instruction boundary).
    // The stats are added up once at the end (their fields hold doubles past 2^30).
    let total = 0;
    let entries = 0;
    try {
      for (;;) {
        if (b.checked !== c.jitEpoch) {
          if (!this.unchanged(b)) {
            this.dropBlocks(b.codeAt, b.size);
            break;
          }
          b.checked = c.jitEpoch;
        }
        const fn = b.fn;
        // A pass must fit in the budget (the block checks the budget only at its back edges),
        // unless the caller lets one pass run past it (finishBlock).
        const left = budget - total;
        if (fn === null || b.end - 1 > c.csLimit || (left < b.length && !(finishBlock && left > 0))) break;
        entries++;
        total += fn(c, done + total, left);
        if (
          c.jitExit !== 0 ||
          c.stopRequest !== undefined ||
          c.halted ||
          c.inhibit ||
          c.watching ||
          (c.nmiPending && !c.nmiBlocked) ||
          (c.flags & (TF | RF)) !== 0 ||
          ((c.flags & IF) !== 0 && c.pic !== undefined && c.pic.hasInterrupt())
        )
          break;
        const next = this.successor(b);
        if (next === undefined) break;
        b = next;
      }
    } catch (e) {
      c.jitDone += total;
      this.stats.hits += entries;
      this.stats.instructions += total;
      throw e;
    }
    this.stats.hits += entries;
    this.stats.instructions += total;
    return total;
  }

  /** The compiled block at CS:EIP after `b` ran, from b's two-entry successor cache. */
  private successor(b: Block): Block | undefined {
    const c = this.cpu;
    const ip = c.eip;
    let s: Block | undefined;
    if (b.next0 !== undefined && b.next0.eip === ip) s = b.next0;
    else if (b.next1 !== undefined && b.next1.eip === ip) s = b.next1;
    const p = c.codeAddress(ip);
    if (p < 0) return undefined;
    if (s === undefined || s.dropped) {
      s = this.blocks.get(p);
      if (s === undefined || s.eip !== ip || s.fn === null) return undefined;
      if (b.next0 === undefined || b.next0.dropped || b.next0.eip !== ip) {
        b.next1 = b.next0;
        b.next0 = s;
      }
    }
    // Valid only for the same physical address (paging may have changed) and mode.
    // After inline-only code the mode is still b's (the same key), without recomputing it.
    if (s.phys !== p || s.mode !== (b.pure ? b.mode : this.modeKey(c))) return undefined;
    this.stats.lookups++;
    return s;
  }

  private unchanged(b: Block): boolean {
    const copy = b.copy;
    if (copy !== undefined) return sameCode(this.ram32 as Int32Array, copy);
    const bytes = b.bytes;
    if (bytes === undefined) return true; // no bytes
    const ram = this.cpu.ram;
    const at = b.codeAt;
    for (let i = 0; i < bytes.length; i++) if (ram[at + i] !== bytes[i]) return false;
    return true;
  }

  /**
   * A block that falls through at its end (cut by length or page) is followed there every time
   * it runs to its end: its successor is as hot, so it is compiled now, and its successor in
   * turn. Else a long straight-line function (the kernel's unrolled hashes) is compiled a block
   * at a time, each after as many runs again, with the rest interpreted meanwhile.
   */
  private compileSuccessors(first: Block, wasmOnly: boolean): void {
    const c = this.cpu;
    let b = first;
    for (let n = 0; n < MAX_SUCCESSORS && b.fallsTo >= 0; n++) {
      const p = c.codeAddress(b.fallsTo);
      if (p < 0 || this.blocks.get(p) !== undefined) return;
      const next = this.compile(b.fallsTo, p, b.mode, wasmOnly);
      if (next === undefined) return;
      b = next;
    }
  }

  /** Compile the block at CS:EIP (`wasmOnly`: only if it is all WebAssembly, else undefined). */
  private compile(ip: number, p: number, mode: number, wasmOnly: boolean): Block | undefined {
    const c = this.cpu;
    const t0 = performance.now();
    let end = ip + (0x1000 - (p & 0xfff));
    if (end - 1 > c.csLimit) end = c.csLimit + 1;
    // The window is this page (from EIP 0 at the lowest): a trace follows JMPs within it.
    const src: CodeBytes = { ram: c.ram, phys: p, base: ip, end, start: Math.max(0, ip - (p & 0xfff)) };
    const insns: Insn[] = [];
    const seen = new Set<number>();
    let at = ip;
    // EIPs spanned by the decoded instructions (one page: contiguous bytes to snapshot).
    let lo = ip;
    let hi = ip;
    // While a forward Jcc's target is ahead (`joinAt`), decoding goes on in a straight line past
    // instructions that end the block, so the skipped stretch can become an if (codegen).
    let joinAt = -1;
    const flat = !c.pagingOn;
    // Cut by length or the page's end (not by a branch or an instruction it cannot decode).
    let cut = true;
    while (insns.length < this.maxInstructions) {
      const insn = decodeInsn(src, at, c.csBig);
      if (insn === undefined) {
        cut = at >= end;
        break;
      }
      insns.push(insn);
      seen.add(at);
      lo = Math.min(lo, at);
      hi = Math.max(hi, insn.next);
      at = insn.next;
      if (joinAt >= 0 && at > joinAt) joinAt = -1;
      if (isForwardJcc(insn)) {
        const target = branchTarget(insn);
        if (target - insn.next <= MAX_SKIP && target < end && target > joinAt) joinAt = target;
      }
      if (joinAt >= 0) continue;
      if (isJmp(insn.op) && insn.rep === 0 && insns.length < this.maxInstructions) {
        // Follow a jump to code in the window not yet in the block (the block's own start is
        // a loop, closed by the jump as the last instruction).
        const target = branchTarget(insn);
        if (target !== ip && !seen.has(target) && target >= src.start && target < end) {
          insn.followed = true;
          at = target;
          continue;
        }
      }
      if (endsBlock(insn, flat)) {
        cut = false;
        break;
      }
    }
    // A followed jump whose target could not be decoded ends the block as a plain jump.
    const tail = insns[insns.length - 1];
    if (tail?.followed) tail.followed = false;
    const fallsTo =
      cut && tail !== undefined && joinAt < 0 && !isJmp(tail.op) && !isJcc(tail.op) ? tail.next : -1;
    let fn: BlockFn | null = null;
    let wasmIndex = -1;
    if (wasmOnly && insns.length === 0) return undefined;
    if (insns.length > 0) {
      const shape: BlockShape = {
        start: ip,
        insns,
        memKind: !c.pagingOn ? MEM_FLAT : c.mmu !== undefined ? MEM_TLB : MEM_SLOW,
        user: c.cpl === 3,
        cpl: c.cpl,
        protectedMode: (c.cr0 & CR0_PE) !== 0 && (c.flags & VM) === 0,
        stack32: (c.segRights[SS] & R_DB) !== 0,
        flatSegs: flatSegmentsFor(insns, c.flatSegs & FLAT_KEY),
      };
      wasmIndex = this.wasm?.build(shape) ?? -1;
      if (wasmIndex >= 0) this.stats.wasmBlocks++;
      else if (wasmOnly) {
        this.stats.compileMs += performance.now() - t0;
        return undefined;
      } else fn = this.build(shape);
      this.stats.blocksCompiled++;
    }
    // A block not compiled still remembers the bytes it looked at, so new code there is seen.
    if (insns.length === 0) hi = Math.min(ip + 16, end);
    const codeAt = p + (lo - ip);
    const size = Math.max(hi - lo, 0);
    const ram32 = this.ram32;
    const block: Block = {
      fn,
      phys: p,
      eip: ip,
      mode,
      length: insns.length,
      end: hi,
      codeAt,
      size,
      copy: ram32 !== undefined && size > 0 ? copyCode(ram32, codeAt, size) : undefined,
      bytes: ram32 === undefined && size > 0 ? c.ram.slice(codeAt, codeAt + size) : undefined,
      checked: c.jitEpoch,
      pure: inlinedOnly(insns),
      dropped: false,
      wasmIndex,
      fallsTo,
      next0: undefined,
      next1: undefined,
    };
    const wasm = this.wasm;
    if (wasm !== undefined && wasmIndex >= 0)
      block.fn = (_c, done, budget) => wasm.enter(block, wasmIndex, done, budget, this.finishing);
    if (this.blocks.set(p, block)) this.watch(p >>> 12);
    const covered = Math.max(size, 1);
    this.codeGranules.fill(1, codeAt >>> GRANULE_SHIFT, ((codeAt + covered - 1) >>> GRANULE_SHIFT) + 1);
    this.stats.compileMs += performance.now() - t0;
    return block;
  }

  private build(shape: BlockShape): BlockFn {
    const { source, handlers } = generate(shape);
    // The CPU's memory and tables come from c.jit.consts at each entry (user-mode code reads the
    // user TLB); everything else in the source is the code itself, so equal text is an equal block.
    const head = 'return function block(c,d0,budget){';
    if (!source.startsWith(head)) throw new Error('jit: unexpected block source');
    // Only what this block's code names is loaded (a block is entered ~100 M times in a Linux boot).
    const loads = CONST_NAMES.filter((name) => new RegExp(`\\b${name}\\b`).test(source)).map(
      (name) => `${name}=X.${shape.user && (name === 'TR' || name === 'TW') ? `${name}U` : name}`,
    );
    const prologue = `${head}const X=c.jit.consts;${loads.length > 0 ? `const ${loads.join(',')};` : ''}`;
    const text = prologue + source.slice(head.length);
    // The same code (same bytes, EIP and mode) compiles once per process: CPUs share the function.
    let fn = BLOCKS.get(text);
    if (fn === undefined) {
      const names = handlers.map((_, k) => `H${k}`);
      const factory = new Function(...names, ...Object.keys(HELPERS), text) as Factory;
      fn = factory(...handlers, ...Object.values(HELPERS));
      if (BLOCKS.size >= BLOCK_LIMIT) BLOCKS.delete(BLOCKS.keys().next().value as string);
      BLOCKS.set(text, fn);
    }
    return fn;
  }

  private drop(b: Block): void {
    this.blocks.delete(b.phys, b);
    // Counted again from zero, so new code here gets its WebAssembly try (the counter had
    // passed that threshold; the Linux boot patches every function's first instruction once).
    this.heat[heatIndex(b.phys)] = 0;
    b.dropped = true;
    if (b.wasmIndex >= 0) this.wasm?.forget(b, b.wasmIndex);
  }

  private watch(page: number): void {
    const c = this.cpu;
    c.slowW[page] = 1;
    c.mmu?.watchCode(page * 4096);
  }

  /**
   * A store of up to `size` bytes at `physical` on a page holding code: drop the blocks whose
   * bytes it overlaps (a running one stops after the current instruction).
   */
  codeWrite(physical: number, size: number): void {
    this.dropBlocks(physical, size);
  }

  /** Drop the blocks overlapping physical [at, at + size) (all within one page). */
  private dropBlocks(at: number, size: number): void {
    const granules = this.codeGranules;
    const first = at >>> GRANULE_SHIFT;
    const last = (at + Math.max(size, 1) - 1) >>> GRANULE_SHIFT;
    let touched = false;
    for (let g = first; g <= last; g++) if (g >= granules.length || granules[g] !== 0) touched = true;
    if (!touched) return;
    const page = at >>> 12;
    const list = this.blocks.list(page);
    if (list === undefined) return;
    let kept = 0;
    let dropped = false;
    for (const b of list) {
      if (b.codeAt < at + size && at < b.codeAt + Math.max(b.size, 1)) {
        this.drop(b);
        dropped = true;
      } else list[kept++] = b;
    }
    if (!dropped) return;
    list.length = kept;
    this.cpu.jitExit = 1;
    this.stats.invalidations++;
    if (page < this.strikes.length && this.strikes[page] < 255) this.strikes[page]++;
    if (kept === 0) this.unwatch(page);
  }

  private unwatch(page: number): void {
    const c = this.cpu;
    this.blocks.close(page);
    const g = page << (12 - GRANULE_SHIFT);
    this.codeGranules.fill(0, g, g + (1 << (12 - GRANULE_SHIFT)));
    c.slowW[page] = c.slow[page];
    c.mmu?.unwatchCode(page * 4096);
  }

  /** Drop every block on the pages overlapping physical [physical, physical + length). */
  invalidateRange(physical: number, length: number): void {
    if (!(length > 0)) return;
    const first = Math.floor(physical / 4096);
    const last = Math.floor((physical + length - 1) / 4096);
    for (let page = first; page <= last; page++) {
      const list = this.blocks.list(page);
      if (list === undefined) continue;
      for (const b of list) {
        this.drop(b);
      }
      this.unwatch(page);
      this.cpu.jitExit = 1;
      this.stats.invalidations++;
    }
  }
}

// Slow paths of generated memory accesses: the interpreter's accessors (segment checks,
// translation, MMIO, faults). When the access reached a device (or may have), the block stops
// after the instruction: the device may have raised an interrupt or asked the run to stop.
function reachedDevice(c: Cpu, s: number, off: number, size: number): boolean {
  const lin = (c.segBase[s] + off) | 0;
  const last = (lin + size - 1) | 0;
  if (!c.pagingOn) return c.slow[(lin & c.a20Mask) >>> 12] !== 0 || c.slow[(last & c.a20Mask) >>> 12] !== 0;
  const m = c.mmu;
  if (m === undefined) return true;
  const tlb = c.cpl === 3 ? m.tlbUserRead : m.tlbRead;
  // A read entry that is not plain RAM (or not filled) counts as a device.
  return (~tlb[lin >>> 12] & 0xfff) !== 0 || (~tlb[last >>> 12] & 0xfff) !== 0;
}
/** After a device access: stop the block, and check code bytes again (the device may do DMA). */
function deviceCheck(c: Cpu, s: number, off: number, size: number): void {
  if (!reachedDevice(c, s, off, size)) return;
  c.jitExit = 1;
  c.jitEpoch++;
}
function slowRead8(c: Cpu, s: number, off: number): number {
  const v = c.readMem8(s, off);
  deviceCheck(c, s, off, 1);
  return v;
}
function slowRead16(c: Cpu, s: number, off: number): number {
  const v = c.readMem16(s, off);
  deviceCheck(c, s, off, 2);
  return v;
}
function slowRead32(c: Cpu, s: number, off: number): number {
  const v = c.readMem32(s, off);
  deviceCheck(c, s, off, 4);
  return v;
}
function slowWrite8(c: Cpu, s: number, off: number, v: number): void {
  c.writeMem8(s, off, v);
  deviceCheck(c, s, off, 1);
}
function slowWrite16(c: Cpu, s: number, off: number, v: number): void {
  c.writeMem16(s, off, v);
  deviceCheck(c, s, off, 2);
}
function slowWrite32(c: Cpu, s: number, off: number, v: number): void {
  c.writeMem32(s, off, v);
  deviceCheck(c, s, off, 4);
}
