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
import { BRANCH, INLINE, type Kind, kindOf, MEMORY, reg, set } from './emit.js';

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
      break;
    }
    out.push(insn);
    if (insn.kind === 'throws') break;
  }
  return out;
}

function read(addr: number, word: number): Insn {
  const row = decode(word >>> 0);
  return { addr, word, name: row?.name, kind: kindOf(row?.name, word >>> 26), exec: row?.exec ?? reserved };
}

/** JavaScript for the block's function body; `handlers` receives the handlers it calls (as H[n]). */
function emitBlock(va: number, insns: Insn[], le: boolean, handlers: Handler[]): string {
  const n = insns.length;
  const last = insns[n - 1];
  const branch =
    last.kind !== 'branch' && n >= 2 && insns[n - 2].kind === 'branch' ? insns[n - 2] : undefined;
  const op = branch === undefined ? undefined : BRANCH[branch.name as string];
  // Where control goes after the slot, as an expression, and the taken target when it is a constant.
  let taken: number | undefined;
  let after = `${(last.addr + 4) >>> 0}`;
  if (branch !== undefined && op !== undefined) {
    if (op.target === 'relative') taken = (branch.addr + 4 + (simm(branch.word) << 2)) >>> 0;
    else if (op.target === 'region')
      taken = (((branch.addr + 4) & 0xf000_0000) | ((branch.word & 0x03ff_ffff) << 2)) >>> 0;
    const fall = (branch.addr + 8) >>> 0;
    after = op.target === 'register' ? 'tgt' : op.cond === undefined ? `${taken}` : `(t?${taken}:${fall})`;
  }
  const leave = (k: number, pc: string): string =>
    `c.cycles=cyc+${k};c.pc=${pc};c.nextPc=(${pc}+4)>>>0;return;`;
  const loops = taken === va;

  const lines: string[] = [];
  const call = (insn: Insn): string => {
    handlers.push(insn.exec);
    return `H[${handlers.length - 1}](c,${insn.word | 0});r[0]=0;`;
  };
  insns.forEach((insn, k) => {
    const inSlot = branch !== undefined && k === n - 1;
    const sync = `c.cur=${insn.addr};c.inDelay=${inSlot};c.cycles=cyc+${k + 1};`;
    // After a slow path: leave right after this instruction if the chunk end moved below the block.
    const check = `if(c.chunkEnd<cyc+${n}){${leave(k + 1, inSlot ? after : `${(insn.addr + 4) >>> 0}`)}}`;
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
        break;
      default:
        throw new Error(`block compiler: ${insn.name} cannot be compiled`);
    }
    lines.push(inSlot && op?.likely === true ? `if(t){${code}}` : code);
  });

  if (branch === undefined || op === undefined) {
    if (last.kind !== 'throws') lines.push(leave(n, after));
  } else if (loops) {
    const again = `cyc+=${n};if(cyc+${n}<=c.chunkEnd)continue;${leave(0, `${va}`)}`;
    if (op.cond === undefined) lines.push(again);
    else lines.push(`if(t){${again}}`, leave(op.likely ? n - 1 : n, `${(branch.addr + 8) >>> 0}`));
  } else if (op.likely) {
    lines.push(`if(t){${leave(n, `${taken}`)}}`, leave(n - 1, `${(branch.addr + 8) >>> 0}`));
  } else {
    lines.push(leave(n, after));
  }
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
