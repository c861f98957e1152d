// The chain runner, in WebAssembly: after a block, the next one is looked up in the block cache
// (in the arena) from CS:EIP and called through the function table, without going back to
// JavaScript, while the budget allows and no block stopped before an instruction it leaves to
// the interpreter. It also holds `flags()`, which it calls before a block that reads the flags it found.
import { AF } from '../../state.js';
import { FunctionBody, moduleBytes, Op } from './emit.js';
import {
  CACHE_ENTRIES,
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
} from './state.js';

/** Function types shared by the runner and the blocks: a block (budget) → count; flags() → EFLAGS. */
export const TYPE_BLOCK = 0;
export const TYPE_FLAGS = 1;
export const TYPES = [
  [1, 1],
  [0, 1],
] as const;

/** The runner's functions: run (0) and flags (1). */
const FLAGS_FUNCTION = 1;

/** The runner module: exports run(budget) → instructions retired, and flags(). */
export function dispatcherBytes(state: number, cache: number, pages: number, tableSize: number): Uint8Array {
  return moduleBytes({
    types: TYPES,
    memoryPages: pages,
    tableSize,
    imports: [],
    functions: [
      { name: 'run', type: TYPE_BLOCK, body: runner(state, cache) },
      { name: 'flags', type: TYPE_FLAGS, body: flagsBody(state) },
    ],
  });
}

function runner(state: number, cache: number): FunctionBody {
  const f = new FunctionBody(1);
  const budget = 0;
  const done = f.local();
  const eip = f.local();
  const lin = f.local();
  const e = f.local();
  const phys = f.local();
  const slot = f.local();
  const left = f.local();
  const word = (w: number) => f.const(0).mem(Op.i32Load, state + w * 4);
  const entry = (w: number) => f.get(slot).mem(Op.i32Load, w * 4);
  // What no block changes, in locals for the whole chain (a load per block saved each).
  const fixed = new Map<number, number>();
  for (const w of [S_CS_BASE, S_PAGING, S_CODE_TLB, S_A20, S_MODE, S_EPOCH, S_CS_LIMIT, S_FINISH]) {
    const l = f.local();
    word(w);
    f.set(l);
    fixed.set(w, l);
  }
  const chainWord = (w: number) => f.get(fixed.get(w) as number);
  // Depths: exit block 0 from the loop body's top level is 1 (loop is 0).
  f.open(Op.block);
  f.open(Op.loop);
  word(S_EIP);
  f.set(eip);
  chainWord(S_CS_BASE);
  f.get(eip).op(Op.i32Add).set(lin);
  chainWord(S_PAGING);
  f.open(Op.if);
  // e = ~tlb[lin >>> 12]; a RAM entry has its low 12 bits clear.
  chainWord(S_CODE_TLB);
  f.op(Op.i32Eqz).br(Op.brIf, 2);
  chainWord(S_CODE_TLB);
  f.get(lin).const(12).op(Op.i32ShrU).const(2).op(Op.i32Shl, Op.i32Add);
  f.mem(Op.i32Load, 0).const(-1).op(Op.i32Xor).set(e);
  f.get(e).const(0xfff).op(Op.i32And).br(Op.brIf, 2);
  f.get(e).get(lin).const(0xfff).op(Op.i32And, Op.i32Or).set(phys);
  f.op(Op.else);
  f.get(lin);
  chainWord(S_A20);
  f.op(Op.i32And).set(phys);
  f.op(Op.end);
  // slot = cache + ((phys ^ phys >>> 12) & (N - 1)) * ENTRY_WORDS * 4
  f.get(phys)
    .get(phys)
    .const(12)
    .op(Op.i32ShrU, Op.i32Xor)
    .const(CACHE_ENTRIES - 1)
    .op(Op.i32And);
  f.const(ENTRY_WORDS * 4)
    .op(Op.i32Mul)
    .const(cache)
    .op(Op.i32Add)
    .set(slot);
  const unless = (pushCondition: () => void) => {
    pushCondition();
    f.op(Op.i32Eqz).br(Op.brIf, 1);
  };
  unless(() => entry(E_PHYS).get(phys).op(Op.i32Eq));
  unless(() => entry(E_EIP).get(eip).op(Op.i32Eq));
  unless(() => {
    entry(E_MODE);
    chainWord(S_MODE);
    f.op(Op.i32Eq);
  });
  unless(() => {
    entry(E_CHECKED);
    chainWord(S_EPOCH);
    f.op(Op.i32Eq);
  });
  unless(() => {
    entry(E_END);
    f.const(1).op(Op.i32Sub);
    chainWord(S_CS_LIMIT);
    f.op(Op.i32LeU);
  });
  // A pass must fit the budget, unless the caller lets one run past it.
  f.get(budget).get(done).op(Op.i32Sub).set(left);
  f.get(left);
  entry(E_LENGTH);
  f.op(Op.i32LtS);
  f.open(Op.if);
  chainWord(S_FINISH);
  f.get(left).const(0).op(Op.i32GtS, Op.i32And, Op.i32Eqz).br(Op.brIf, 2);
  f.op(Op.end);
  f.const(0)
    .get(done)
    .mem(Op.i32Store, state + S_DONE * 4);
  // The flags it found, folded, where the block reads them.
  entry(E_READS_FLAGS);
  f.open(Op.if);
  f.call(FLAGS_FUNCTION).op(Op.drop);
  f.op(Op.end);
  f.get(left);
  entry(E_INDEX);
  f.callIndirect(TYPE_BLOCK);
  f.get(done).op(Op.i32Add).set(done);
  word(S_BAIL);
  f.br(Op.brIf, 1);
  f.br(Op.br, 0);
  f.op(Op.end); // loop
  f.op(Op.end); // exit block
  f.get(done);
  return f;
}

/** flags(): EFLAGS with the lazy record and the put flags folded in (both then cleared). */
function flagsBody(state: number): FunctionBody {
  const f = new FunctionBody(0);
  const flags = f.local();
  const kind = f.local();
  const a = f.local();
  const b = f.local();
  const res = f.local();
  const sh = f.local();
  const bits = f.local();
  const put = f.local();
  const at = (w: number) => state + w * 4;
  const load = (w: number) => f.const(0).mem(Op.i32Load, at(w));
  load(S_FLAGS);
  f.set(flags);
  load(S_LAZY_KIND);
  f.tee(kind).const(0).op(Op.i32GeS);
  f.open(Op.if);
  {
    load(S_LAZY_A);
    f.set(a);
    load(S_LAZY_B);
    f.set(b);
    load(S_LAZY_RES);
    f.set(res);
    load(S_LAZY_SIZE);
    f.const(1).op(Op.i32Sub).set(sh);
    const bit = () => f.get(sh).op(Op.i32ShrU).const(1).op(Op.i32And);
    const byKind = (add: () => void, sub: () => void) => {
      // kind 0 ADD, 1 SUB, 2 LOGIC (0)
      add();
      sub();
      f.get(kind).const(1).op(Op.i32Ne, Op.select);
      f.const(0);
      f.get(kind).const(2).op(Op.i32Ne, Op.select);
    };
    // CF
    byKind(
      () => {
        f.get(a).get(b).op(Op.i32And).get(a).get(b).op(Op.i32Or).get(res).const(-1).op(Op.i32Xor);
        f.op(Op.i32And, Op.i32Or);
        bit();
      },
      () => {
        f.get(a).const(-1).op(Op.i32Xor).get(b).op(Op.i32And);
        f.get(a).const(-1).op(Op.i32Xor).get(b).op(Op.i32Or).get(res).op(Op.i32And, Op.i32Or);
        bit();
      },
    );
    f.set(bits);
    // OF
    byKind(
      () => {
        f.get(a).get(res).op(Op.i32Xor).get(b).get(res).op(Op.i32Xor, Op.i32And);
        bit();
      },
      () => {
        f.get(a).get(b).op(Op.i32Xor).get(a).get(res).op(Op.i32Xor, Op.i32And);
        bit();
      },
    );
    f.const(11).op(Op.i32Shl).get(bits).op(Op.i32Or).set(bits);
    // PF, AF, ZF, SF
    f.get(res).const(0xff).op(Op.i32And, Op.i32Popcnt).const(1).op(Op.i32And).const(1).op(Op.i32Xor);
    f.const(2).op(Op.i32Shl).get(bits).op(Op.i32Or).set(bits);
    f.get(a).get(b).op(Op.i32Xor).get(res).op(Op.i32Xor).const(AF).op(Op.i32And);
    f.const(0).get(kind).const(2).op(Op.i32Ne, Op.select).get(bits).op(Op.i32Or).set(bits);
    f.get(res).op(Op.i32Eqz).const(6).op(Op.i32Shl).get(bits).op(Op.i32Or).set(bits);
    f.get(res);
    bit();
    f.const(7).op(Op.i32Shl).get(bits).op(Op.i32Or).set(bits);
    // flags = (flags & ~mask) | (bits & mask)
    f.get(flags);
    load(S_LAZY_MASK);
    f.const(-1).op(Op.i32Xor, Op.i32And).get(bits);
    load(S_LAZY_MASK);
    f.op(Op.i32And, Op.i32Or).set(flags);
    f.const(0).const(-1).mem(Op.i32Store, at(S_LAZY_KIND));
  }
  f.op(Op.end);
  load(S_PUT_MASK);
  f.set(put);
  f.get(flags).get(put).const(-1).op(Op.i32Xor, Op.i32And);
  load(S_PUT_VALUE);
  f.get(put).op(Op.i32And, Op.i32Or).set(flags);
  f.const(0).const(0).mem(Op.i32Store, at(S_PUT_MASK));
  f.const(0).get(flags).mem(Op.i32Store, at(S_FLAGS));
  f.get(flags);
  return f;
}
