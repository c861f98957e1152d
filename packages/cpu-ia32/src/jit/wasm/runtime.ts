// Compiling and running WebAssembly blocks. One module per generated code (shared by every CPU
// of the process, as the JavaScript blocks share their functions), one instance per CPU, its
// function in the CPU's function table; the runner (dispatch.ts) goes from block to block
// through the block cache. A chain starts from JavaScript (the block compiler's engine found a
// WebAssembly block) with the CPU's state written into jitState, and ends with the state the
// blocks left read back.
import type { Ia32Mmu, WasmArena } from '@phantasm/mmu';
import type { Cpu } from '../../cpu.js';
import { rdtsc } from '../../exec/msr.js';
import { CR0_PE, CR4_TSD, FS, GS } from '../../state.js';
import type { BlockShape } from '../codegen.js';
import { generateWasm, type WasmLayout } from './codegen.js';
import { dispatcherBytes } from './dispatch.js';
import {
  BAIL_AFTER_STI,
  BLOCK_FLAGS,
  CACHE_ENTRIES,
  cacheSlot,
  E_CHECKED,
  E_EIP,
  E_END,
  E_INDEX,
  E_LENGTH,
  E_MODE,
  E_PHYS,
  E_READS_FLAGS,
  ENTRY_WORDS,
  S_A20,
  S_BAIL,
  S_CODE_TLB,
  S_CS_BASE,
  S_CS_LIMIT,
  S_DONE,
  S_EIP,
  S_EPOCH,
  S_FINISH,
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
  S_MODE,
  S_PAGING,
  S_PUT_MASK,
  S_PUT_VALUE,
  S_TSC_DENY,
  S_WRITE_TAG,
} from './state.js';

/** The parts of the WebAssembly JS API used here (the package builds against ES2022 only). */
interface WasmTable {
  readonly length: number;
  grow(delta: number): number;
  set(index: number, value: unknown): void;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Table: new (d: { element: 'anyfunc'; initial: number }) => WasmTable;
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export type BlockFn = (c: Cpu, done: number, budget: number) => number;

/** What the runner needs of a block the engine enters (its Block record). */
export interface WasmEntry {
  phys: number;
  eip: number;
  mode: number;
  length: number;
  end: number;
}

/** 1 when segment s allows every offset for reads and writes (an FS/GS access needs no check). */
function open(c: Cpu, s: number): number {
  return c.segLo[s] === 0 && c.segHiR[s] === 0xffffffff && c.segHiW[s] === 0xffffffff ? 1 : 0;
}

/** A compiled block: its module and whether it reads the flags it found. */
interface CompiledBlock {
  module: object;
  readsFlags: boolean;
}

/** Compiled blocks by their module's bytes (as a string key), for every CPU of the process. */
const MODULES = new Map<string, CompiledBlock>();
const MODULE_LIMIT = 8192;
const LATIN1 = new TextDecoder('latin1');
const INITIAL_TABLE = 1024;

export class WasmBlocks {
  private readonly cpu: Cpu;
  private readonly arena: WasmArena;
  private readonly state: Int32Array;
  private readonly cache: Int32Array;
  private readonly table: WasmTable;
  private readonly run: (budget: number) => number;
  private readonly imports: object;
  /** Table indices by module (a CPU instantiates a module once). */
  private readonly indices = new Map<object, number>();
  /** 1 where the block at a table index reads the flags it found (E_READS_FLAGS). */
  private readonly readsFlags: number[] = [];
  private nextIndex = 1;
  /** Instructions the run retired before the chain (for RDTSC's count). */
  private baseDone = 0;
  /** The code TLBs' byte offsets (TypedArray.byteOffset is a getter V8 calls at each entry). */
  private readonly tlbRead: Int32Array | undefined;
  private readonly tlbReadAt: number;
  private readonly tlbUserReadAt: number;

  constructor(cpu: Cpu, arena: WasmArena, state: Int32Array) {
    this.cpu = cpu;
    this.arena = arena;
    this.tlbRead = cpu.mmu?.tlbRead;
    this.tlbReadAt = cpu.mmu?.tlbRead.byteOffset ?? 0;
    this.tlbUserReadAt = cpu.mmu?.tlbUserRead.byteOffset ?? 0;
    this.state = state;
    this.cache = arena.int32(CACHE_ENTRIES * ENTRY_WORDS);
    for (let e = 0; e < CACHE_ENTRIES; e++) this.cache[e * ENTRY_WORDS + E_PHYS] = -1;
    this.table = new wasmApi.Table({ element: 'anyfunc', initial: INITIAL_TABLE });
    const pages = arena.byteLength / 0x10000;
    const runner = new wasmApi.Instance(
      new wasmApi.Module(dispatcherBytes(state.byteOffset, this.cache.byteOffset, pages, INITIAL_TABLE)),
      { m: { mem: arena.memory, table: this.table } },
    );
    this.run = runner.exports.run as (budget: number) => number;
    // RDTSC at `k` instructions into the block the runner called: the interpreter's, with the
    // run's count at the instruction (it writes EAX and EDX into jitState's first words).
    const tsc = (k: number): number => {
      const saved = cpu.espSavedAt;
      cpu.espSavedAt = this.baseDone + state[S_DONE] + k;
      rdtsc(cpu);
      cpu.espSavedAt = saved;
      return 0;
    };
    this.imports = { m: { mem: arena.memory, tsc } };
  }

  /** True when the CPU's tables are all in the arena (else no block is compiled here). */
  usable(): boolean {
    const c = this.cpu;
    const buffer = this.arena.memory.buffer;
    const mmu = c.mmu;
    return (
      c.ram.buffer === buffer &&
      c.slow.buffer === buffer &&
      c.slowW.buffer === buffer &&
      (mmu === undefined ||
        [mmu.tlbRead, mmu.tlbWrite, mmu.tlbUserRead, mmu.tlbUserWrite].every((t) => t.buffer === buffer))
    );
  }

  private layout(user: boolean): WasmLayout {
    const c = this.cpu;
    const mmu: Ia32Mmu | undefined = c.mmu;
    return {
      state: this.state.byteOffset,
      slowRead: c.slow.byteOffset,
      slowWrite: c.slowW.byteOffset,
      tlbRead: (user ? mmu?.tlbUserRead : mmu?.tlbRead)?.byteOffset ?? 0,
      tlbWrite: (user ? mmu?.tlbUserWrite : mmu?.tlbWrite)?.byteOffset ?? 0,
      pages: this.arena.byteLength / 0x10000,
    };
  }

  /** The block's index in the function table, or undefined when it is outside the subset. */
  build(shape: BlockShape): number | undefined {
    const block = generateWasm(shape, this.layout(shape.user));
    if (block === undefined) return undefined;
    const key = LATIN1.decode(block.bytes);
    let compiled = MODULES.get(key);
    if (compiled === undefined) {
      compiled = { module: new wasmApi.Module(block.bytes), readsFlags: block.readsFlags };
      if (MODULES.size >= MODULE_LIMIT) MODULES.delete(MODULES.keys().next().value as string);
      MODULES.set(key, compiled);
    }
    let index = this.indices.get(compiled.module);
    if (index === undefined) {
      const fn = new wasmApi.Instance(compiled.module, this.imports).exports.b;
      index = this.nextIndex++;
      if (index >= this.table.length) this.table.grow(this.table.length);
      this.table.set(index, fn);
      this.indices.set(compiled.module, index);
      this.readsFlags[index] = compiled.readsFlags ? 1 : 0;
    }
    return index;
  }

  /** A block dropped by the engine: its cache entry goes (its function stays for equal code). */
  forget(b: WasmEntry, index: number): void {
    const e = cacheSlot(b.phys) * ENTRY_WORDS;
    if (this.cache[e + E_PHYS] === b.phys && this.cache[e + E_INDEX] === index) this.cache[e + E_PHYS] = -1;
  }

  /** Run a chain from `b` (the engine checked its code in this epoch): the count retired. */
  enter(b: WasmEntry, index: number, done: number, budget: number, finish: boolean): number {
    const c = this.cpu;
    this.baseDone = done;
    const S = this.state;
    const cache = this.cache;
    const e = cacheSlot(b.phys) * ENTRY_WORDS;
    cache[e + E_PHYS] = b.phys;
    cache[e + E_EIP] = b.eip;
    cache[e + E_MODE] = b.mode;
    cache[e + E_INDEX] = index;
    cache[e + E_LENGTH] = b.length;
    cache[e + E_END] = b.end;
    cache[e + E_CHECKED] = c.jitEpoch;
    cache[e + E_READS_FLAGS] = this.readsFlags[index];
    S[S_EIP] = c.eip;
    S[S_FLAGS] = c.flags;
    if (c.lazyMask !== 0) {
      S[S_LAZY_KIND] = c.lazyOp;
      S[S_LAZY_A] = c.lazyA;
      S[S_LAZY_B] = c.lazyB;
      S[S_LAZY_RES] = c.lazyRes;
      S[S_LAZY_SIZE] = c.lazySize;
      S[S_LAZY_MASK] = c.lazyMask;
    } else S[S_LAZY_KIND] = -1;
    S[S_PUT_MASK] = 0;
    S[S_BAIL] = 0;
    S[S_A20] = c.a20Mask;
    const mmu = c.mmu;
    S[S_WRITE_TAG] = mmu === undefined ? 0 : mmu.writeTag;
    S[S_CS_BASE] = c.csBase;
    S[S_CS_LIMIT] = c.csLimit;
    S[S_MODE] = b.mode;
    S[S_EPOCH] = c.jitEpoch;
    S[S_FINISH] = finish ? 1 : 0;
    S[S_PAGING] = c.pagingOn ? 1 : 0;
    S[S_TSC_DENY] = (c.cr4 & CR4_TSD) !== 0 && c.cpl !== 0 && (c.cr0 & CR0_PE) !== 0 ? 1 : 0;
    S[S_FS_BASE] = c.segBase[FS];
    S[S_FS_OPEN] = open(c, FS);
    S[S_GS_BASE] = c.segBase[GS];
    S[S_GS_OPEN] = open(c, GS);
    const tlb = c.codeTlb;
    S[S_CODE_TLB] = tlb === undefined ? 0 : tlb === this.tlbRead ? this.tlbReadAt : this.tlbUserReadAt;
    c.jitExit = 0;
    const n = this.run(budget);
    c.eip = S[S_EIP] >>> 0;
    // (Blocks change no EFLAGS bit outside BLOCK_FLAGS: not VM, RF, VIF or VIP.)
    c.flags = (c.flags & ~BLOCK_FLAGS) | (S[S_FLAGS] & BLOCK_FLAGS);
    c.loadFlagState(
      S[S_FLAGS],
      S[S_LAZY_KIND],
      S[S_LAZY_A],
      S[S_LAZY_B],
      S[S_LAZY_RES],
      S[S_LAZY_SIZE],
      S[S_LAZY_MASK],
      S[S_PUT_MASK],
      S[S_PUT_VALUE],
    );
    // Stopped before an instruction the interpreter must run, or after one that asks the CPU to
    // look at its flags: the engine's chain ends too.
    const bail = S[S_BAIL];
    if (bail !== 0) {
      c.jitExit = 1;
      if (bail === BAIL_AFTER_STI) c.inhibit = true;
    }
    return n;
  }
}
