// The block compiler: the instructions from a block entry to the next branch's delay slot (or the
// page end, or an instruction only the interpreter runs) become one JavaScript function (`new
// Function`), cached per physical page by code-cache.ts. A block whose closing branch jumps back to its
// own start loops inside the function while the chunk's instruction budget allows a whole pass.
//
// The contract with the run loop (cpu.ts chunkFast): a block is entered only at an instruction
// boundary with no delay slot pending and only when `cycles + len <= chunkEnd`, so the budget, the
// timer deadline and interrupt checks fall exactly where the interpreter would put them. Inside the
// block pc/nextPc are not kept; before anything that can fault or reach a device the block stores
// `cur`, `inDelay` and `cycles` exactly as the interpreter would have them, so exceptions (EPC,
// Cause.BD, BadVAddr) are precise; after it, the block leaves as soon as `chunkEnd` was lowered (an
// interrupt, a stop request, a store into compiled code). On leaving it sets cycles, pc and nextPc.
import { EXC } from '../cp0.js';
import type { Handler } from '../decode/table.js';
import { decode } from '../decode/table.js';
import { rs, simm } from '../exec/fields.js';
import { reserved } from '../exec/system.js';
import { KIND_WRITE, SLOT_MASK } from '../soft-tlb.js';
import { type BlockFn, CodeBlock } from './code-cache.js';
import { BRANCH, type BranchOp, INLINE, type Kind, kindOf, MEMORY, reg, set } from './emit.js';

/** Longest block, in instructions (a bound on compile time and on the budget a block needs). */
export const MAX_BLOCK = 64;

interface Insn {
  addr: number;
  word: number;
  name: string | undefined;
  kind: Kind;
  exec: Handler;
}

/**
 * Compile the block at virtual address `va`, whose words are read from RAM at `pa` (the same page).
 * Returns a block of length 0 when the first instruction is one the interpreter must run.
 */
export function compileBlock(va: number, pa: number, ram: DataView, le: boolean): CodeBlock {
  const insns = scan(va, pa, ram, le);
  if (insns.length === 0) return new CodeBlock(va, 0, noop);
  const handlers: Handler[] = [];
  const source = emitBlock(va, insns, le, handlers);
  const make = new Function('H', 'EXC', source) as (h: Handler[], exc: typeof EXC) => BlockFn;
  return new CodeBlock(va, insns.length, make(handlers, EXC));
}

const noop: BlockFn = () => {};

/** The instructions of the block: up to a branch and its slot, a throwing instruction, or an interpreted one. */
function scan(va: number, pa: number, ram: DataView, le: boolean): Insn[] {
  const out: Insn[] = [];
  const pageEnd = (pa | 0xfff) + 1;
  for (let p = pa, addr = va; p < pageEnd && out.length < MAX_BLOCK; p += 4, addr += 4) {
    const insn = read(addr >>> 0, ram.getInt32(p, le));
    if (insn.kind === 'interpret') break;
    if (insn.kind === 'branch') {
      // The slot must be on this page and be an ordinary instruction (a branch in a delay slot is
      // UNPREDICTABLE; the interpreter keeps whatever it does).
      if (p + 4 >= pageEnd) break;
      const slot = read((addr + 4) >>> 0, ram.getInt32(p + 4, le));
      if (slot.kind === 'interpret' || slot.kind === 'branch') break;
      out.push(insn, slot);
      // A conditional, not-likely, PC-relative branch is a side exit: the block goes on after its slot
      // (not after B and BAL, the always-taken forms, whose fall-through is dead code).
      const op = BRANCH[insn.name as string];
      if (op.cond === undefined || op.likely || op.target !== 'relative' || slot.kind === 'throws') break;
      if (alwaysTaken(insn)) break;
      p += 4;
      addr += 4;
      continue;
    }
    out.push(insn);
    if (insn.kind === 'throws') break;
  }
  return out;
}

/** BEQ r, r (B) and BGEZ/BGEZAL $0 (BAL): conditional encodings that always branch. */
function alwaysTaken(insn: Insn): boolean {
  const i = insn.word;
  if (insn.name === 'beq') return rs(i) === ((i >>> 16) & 31);
  return (insn.name === 'bgez' || insn.name === 'bgezal') && rs(i) === 0;
}

function read(addr: number, word: number): Insn {
  const row = decode(word >>> 0);
  return { addr, word, name: row?.name, kind: kindOf(row?.name, word >>> 26), exec: row?.exec ?? reserved };
}

/** Where a branch goes: its constant taken target (if any), and the pc after its slot as an expression. */
interface Flow {
  op: BranchOp;
  taken: number | undefined;
  fall: number;
  after: string;
}
function flowOf(branch: Insn): Flow {
  const op = BRANCH[branch.name as string];
  let taken: number | undefined;
  if (op.target === 'relative') taken = (branch.addr + 4 + (simm(branch.word) << 2)) >>> 0;
  else if (op.target === 'region')
    taken = (((branch.addr + 4) & 0xf000_0000) | ((branch.word & 0x03ff_ffff) << 2)) >>> 0;
  const fall = (branch.addr + 8) >>> 0;
  const after =
    op.target === 'register' ? 'tgt' : op.cond === undefined ? `${taken}` : `(t?${taken}:${fall})`;
  return { op, taken, fall, after };
}

/** JavaScript for the block's function body; `handlers` receives the handlers it calls (as H[n]). */
function emitBlock(va: number, insns: Insn[], le: boolean, handlers: Handler[]): string {
  const n = insns.length;
  const leave = (k: number, pc: string): string =>
    `c.cycles=cyc+${k};c.pc=${pc};c.nextPc=(${pc}+4)>>>0;return;`;
  let loops = false;
  /** Leave for `target` after `k` instructions — or, when that is the block's start, run it again if it fits. */
  const exitTo = (k: number, target: number): string => {
    if (target !== va) return leave(k, `${target}`);
    loops = true;
    return `cyc+=${k};if(cyc+${n}<=c.chunkEnd)continue;${leave(0, `${va}`)}`;
  };
  const call = (insn: Insn): string => {
    handlers.push(insn.exec);
    return `H[${handlers.length - 1}](c,${insn.word | 0});r[0]=0;`;
  };

  const lines: string[] = [];
  let flow: Flow | undefined; // the branch whose delay slot comes next
  insns.forEach((insn, k) => {
    const slotOf = flow;
    flow = undefined;
    const inSlot = slotOf !== undefined;
    const sync = `c.cur=${insn.addr};c.inDelay=${inSlot};c.cycles=cyc+${k + 1};`;
    // After a slow path: leave right after this instruction if the chunk end moved below the block.
    const check = `if(c.chunkEnd<cyc+${n}){${leave(k + 1, slotOf?.after ?? `${(insn.addr + 4) >>> 0}`)}}`;
    const i = insn.word;
    let code: string;
    switch (insn.kind) {
      case 'inline':
        code = INLINE[insn.name as string](i);
        break;
      case 'call':
        code = call(insn);
        break;
      case 'fault':
        code = `${sync}${call(insn)}${check}`;
        break;
      case 'throws':
        code = `${sync}${call(insn)}`;
        break;
      case 'memory':
        code = memory(insn, le, sync, check);
        break;
      case 'branch':
        code = branchHead(insn);
        flow = flowOf(insn);
        break;
      default:
        throw new Error(`block compiler: ${insn.name} cannot be compiled`);
    }
    lines.push(slotOf?.op.likely === true ? `if(t){${code}}` : code);
    if (slotOf === undefined) return;
    const { op, taken, fall } = slotOf;
    if (k < n - 1) {
      // A side exit: a not-taken conditional branch (never a likely one) lets the block go on.
      lines.push(`if(t){${exitTo(k + 1, taken as number)}}`);
    } else if (op.target === 'register') {
      lines.push(leave(n, 'tgt'));
    } else if (op.cond === undefined) {
      lines.push(exitTo(n, taken as number));
    } else {
      lines.push(`if(t){${exitTo(n, taken as number)}}`, leave(op.likely ? n - 1 : n, `${fall}`));
    }
  });
  const last = insns[n - 1];
  const endsInSlot = n >= 2 && insns[n - 2].kind === 'branch';
  if (!endsInSlot && last.kind !== 'throws') lines.push(leave(n, `${(last.addr + 4) >>> 0}`));
  const body = lines.join('\n');
  return `'use strict';return function block(c){
const r=c.r,tag=c.stTag,phys=c.stPhys,view=c.view,mb=c.modeBase;
let cyc=c.cycles,t=false,tgt=0;
${loops ? `for(;;){\n${body}\n}` : body}
};`;
}

/** The branch itself: its condition (or register target) and link; control moves after the slot. */
function branchHead(insn: Insn): string {
  const op = BRANCH[insn.name as string];
  const i = insn.word;
  let code = '';
  if (op.target === 'register') code += `tgt=${reg(rs(i))}>>>0;`;
  if (op.cond !== undefined) code += `t=${op.cond(i)};`;
  if (op.link !== undefined) code += set(op.link(i), `${(insn.addr + 8) | 0}`);
  return code;
}

/** A load or store: the software-TLB hit inline, the CPU's method (with state synced) on a miss. */
function memory(insn: Insn, le: boolean, sync: string, check: string): string {
  const m = MEMORY[insn.name as string];
  const i = insn.word;
  const t = (i >>> 16) & 31;
  const address = `(${reg(rs(i))}+(${simm(i)}))|0`;
  const aligned = m.align === 0 ? '' : `&&(a&${m.align})===0`;
  const at = 'phys[x]+(a&4095)';
  const order = m.align === 0 ? '' : `,${le}`;
  if (m.store) {
    return `{const a=${address},v=a>>>12,x=mb+${KIND_WRITE}+(v&${SLOT_MASK});
if(tag[x]===v${aligned})view.${m.get}(${at},${reg(t)}${order});
else{${sync}c.${m.slow}(a,${reg(t)});${check}}}`;
  }
  const slow = m.extend === undefined ? `c.${m.slow}(a)` : `(c.${m.slow}(a)<<${m.extend})>>${m.extend}`;
  return `{const a=${address},v=a>>>12,x=mb+(v&${SLOT_MASK});
if(tag[x]===v${aligned}){${set(t, `view.${m.get}(${at}${order})`)}}
else{${sync}${t === 0 ? `${slow};` : set(t, slow)}${check}}}`;
}
