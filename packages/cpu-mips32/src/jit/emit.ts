// What the block compiler emits for each instruction, keyed by the decode table's mnemonic: a line of
// JavaScript for the instructions it inlines, and a call of the table's own handler for the rest, so
// the interpreter and the compiler read one description of the instruction set.
//
// Generated code sees: `c` (the CPU), `r` (its GPRs), `tag`/`phys` (its software TLB), `view` (RAM),
// `mb` (the software-TLB half of the current mode), `cyc` (cycles when this pass over the block
// began), `t`/`tgt` (the branch outcome and register target) and `H` (handlers by index).
import { rd, rs, rt, sa, simm, uimm } from '../exec/fields.js';

/** How the block compiler treats an instruction. */
export type Kind =
  | 'inline' // straight-line JavaScript that cannot fault
  | 'memory' // inline software-TLB hit path, the CPU's load/store method on a miss
  | 'call' // the handler; cannot fault, touches only GPRs/HI/LO
  | 'fault' // the handler; may raise a guest exception or reach a device (state synced first)
  | 'throws' // the handler always raises an exception: the block ends with it
  | 'branch' // a branch or jump: the block ends after its delay slot
  | 'interpret'; // the block ends before it (COP0, WAIT, ERET: they change mode, TLB or control)

/** Register operand as an expression (r0 reads zero). */
export const reg = (n: number): string => (n === 0 ? '0' : `r[${n}]`);
/** Assignment to a register (nothing for r0, whose writes are discarded). */
export const set = (n: number, expr: string): string => (n === 0 ? '' : `r[${n}]=${expr};`);

type Inline = (i: number) => string;

const three =
  (op: string): Inline =>
  (i) =>
    set(rd(i), `${reg(rs(i))}${op}${reg(rt(i))}`);

/** Instructions compiled to inline JavaScript (same results as the handlers in exec/alu.ts). */
export const INLINE: Record<string, Inline> = {
  addu: three('+'),
  subu: three('-'),
  and: three('&'),
  or: three('|'),
  xor: three('^'),
  nor: (i) => set(rd(i), `~(${reg(rs(i))}|${reg(rt(i))})`),
  slt: (i) => set(rd(i), `${reg(rs(i))}<${reg(rt(i))}?1:0`),
  sltu: (i) => set(rd(i), `(${reg(rs(i))}>>>0)<(${reg(rt(i))}>>>0)?1:0`),
  movz: (i) => (rd(i) === 0 ? '' : `if(${reg(rt(i))}===0)${set(rd(i), reg(rs(i)))}`),
  movn: (i) => (rd(i) === 0 ? '' : `if(${reg(rt(i))}!==0)${set(rd(i), reg(rs(i)))}`),
  addiu: (i) => set(rt(i), `${reg(rs(i))}+(${simm(i)})`),
  slti: (i) => set(rt(i), `${reg(rs(i))}<(${simm(i)})?1:0`),
  sltiu: (i) => set(rt(i), `(${reg(rs(i))}>>>0)<${simm(i) >>> 0}?1:0`),
  andi: (i) => set(rt(i), `${reg(rs(i))}&${uimm(i)}`),
  ori: (i) => set(rt(i), `${reg(rs(i))}|${uimm(i)}`),
  xori: (i) => set(rt(i), `${reg(rs(i))}^${uimm(i)}`),
  lui: (i) => set(rt(i), `${i << 16}`),
  sll: (i) => set(rd(i), `${reg(rt(i))}<<${sa(i)}`),
  srl: (i) => {
    const x = reg(rt(i));
    const n = sa(i);
    return set(rd(i), (i & (1 << 21)) !== 0 ? `(${x}>>>${n})|(${x}<<${32 - n})` : `${x}>>>${n}`);
  },
  sra: (i) => set(rd(i), `${reg(rt(i))}>>${sa(i)}`),
  sllv: (i) => set(rd(i), `${reg(rt(i))}<<(${reg(rs(i))}&31)`),
  srav: (i) => set(rd(i), `${reg(rt(i))}>>(${reg(rs(i))}&31)`),
  mfhi: (i) => set(rd(i), 'c.hi'),
  mflo: (i) => set(rd(i), 'c.lo'),
  mthi: (i) => `c.hi=${reg(rs(i))};`,
  mtlo: (i) => `c.lo=${reg(rs(i))};`,
  mul: (i) => set(rd(i), `Math.imul(${reg(rs(i))},${reg(rt(i))})`),
  clz: (i) => set(rd(i), `Math.clz32(${reg(rs(i))})`),
  clo: (i) => set(rd(i), `Math.clz32(~${reg(rs(i))})`),
  seb: (i) => set(rd(i), `${reg(rt(i))}<<24>>24`),
  seh: (i) => set(rd(i), `${reg(rt(i))}<<16>>16`),
  pref: () => '', // a hint that never faults
  sync: () => '', // every access is already ordered
};

/** Loads and stores with an inline software-TLB hit path (the fast path of MipsCpu.loadN/storeN). */
export interface MemoryOp {
  store: boolean;
  /** Alignment mask of the access. */
  align: number;
  /** DataView method and the CPU method of the miss path. */
  get: string;
  slow: string;
  /** Sign extension of a loaded byte/halfword on the miss path (the CPU methods return it unsigned). */
  extend?: number;
}
export const MEMORY: Record<string, MemoryOp> = {
  lb: { store: false, align: 0, get: 'getInt8', slow: 'load8', extend: 24 },
  lbu: { store: false, align: 0, get: 'getUint8', slow: 'load8' },
  lh: { store: false, align: 1, get: 'getInt16', slow: 'load16', extend: 16 },
  lhu: { store: false, align: 1, get: 'getUint16', slow: 'load16' },
  lw: { store: false, align: 3, get: 'getInt32', slow: 'load32' },
  sb: { store: true, align: 0, get: 'setUint8', slow: 'store8' },
  sh: { store: true, align: 1, get: 'setUint16', slow: 'store16' },
  sw: { store: true, align: 3, get: 'setInt32', slow: 'store32' },
};

/** Branches and jumps: condition (or register target), likely (slot nullified when not taken), link. */
export interface BranchOp {
  /** Condition on the registers; undefined: always taken. */
  cond?: (i: number) => string;
  target: 'relative' | 'region' | 'register';
  likely: boolean;
  /** Register the return address goes to (written even when not taken), or undefined. */
  link?: (i: number) => number;
}
const cmp = (op: string) => (i: number) => `${reg(rs(i))}${op}${reg(rt(i))}`;
const zero = (op: string) => (i: number) => `${reg(rs(i))}${op}0`;
const ra = () => 31;
const rel = (cond: (i: number) => string, likely = false, link?: () => number): BranchOp => ({
  cond,
  target: 'relative',
  likely,
  link,
});
export const BRANCH: Record<string, BranchOp> = {
  beq: rel(cmp('===')),
  bne: rel(cmp('!==')),
  blez: rel(zero('<=')),
  bgtz: rel(zero('>')),
  bltz: rel(zero('<')),
  bgez: rel(zero('>=')),
  bltzal: rel(zero('<'), false, ra),
  bgezal: rel(zero('>='), false, ra),
  beql: rel(cmp('==='), true),
  bnel: rel(cmp('!=='), true),
  blezl: rel(zero('<='), true),
  bgtzl: rel(zero('>'), true),
  bltzl: rel(zero('<'), true),
  bgezl: rel(zero('>='), true),
  bltzall: rel(zero('<'), true, ra),
  bgezall: rel(zero('>='), true, ra),
  j: { target: 'region', likely: false },
  jal: { target: 'region', likely: false, link: ra },
  jr: { target: 'register', likely: false },
  jalr: { target: 'register', likely: false, link: rd },
};

/** Handlers called as they are: no fault possible, only GPRs/HI/LO change. */
const CALL = new Set([
  'srlv',
  'mult',
  'multu',
  'div',
  'divu',
  'madd',
  'maddu',
  'msub',
  'msubu',
  'ext',
  'ins',
  'wsbh',
]);
/** Handlers that may fault or reach a device: the CPU state is synced before the call. */
const FAULT = new Set([
  'add',
  'sub',
  'addi',
  'tge',
  'tgeu',
  'tlt',
  'tltu',
  'teq',
  'tne',
  'tgei',
  'tgeiu',
  'tlti',
  'tltiu',
  'teqi',
  'tnei',
  'lwl',
  'lwr',
  'swl',
  'swr',
  'll',
  'sc',
  'cache',
  'synci',
  'rdhwr',
]);

/** Handlers that always raise an exception (COP2 is unusable). The CP1 rows (COP1, COP1X, LWC1/SWC1,
 * LDC1/SDC1, MOVCI) are in no list: the interpreter runs them (Coprocessor Unusable without an FPU). */
const THROWS = new Set(['syscall', 'break', 'cop2', 'lwc2', 'ldc2', 'swc2', 'sdc2']);

/**
 * The compiler's treatment of the row named `name` (undefined: a Reserved Instruction encoding).
 * A row no list names is left to the interpreter, so a new row is never compiled by accident.
 */
export function kindOf(name: string | undefined, opcode: number): Kind {
  if (opcode === 0x10) return 'interpret'; // COP0: privilege first, then TLB/Status/ERET/WAIT
  if (name === undefined || THROWS.has(name)) return 'throws';
  if (Object.hasOwn(INLINE, name)) return 'inline';
  if (Object.hasOwn(MEMORY, name)) return 'memory';
  if (Object.hasOwn(BRANCH, name)) return 'branch';
  if (CALL.has(name)) return 'call';
  if (FAULT.has(name)) return 'fault';
  return 'interpret';
}
