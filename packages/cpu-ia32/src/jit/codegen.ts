// JavaScript generation for one block. Instructions of the common integer subset (MOV, the ALU
// operations, INC/DEC, TEST, LEA, PUSH/POP r, near branches) become straight-line code with the
// soft-TLB hit path inlined; every other instruction calls the interpreter's own handler with
// the fields its decoder would have filled (so its semantics are the interpreter's by
// construction). State is committed per instruction: registers live in `c.regs`, lazy flags in
// the CPU's lazy record, and an instruction writes registers only after its last access that
// may fault, so a guest fault leaves exactly the interpreter's state.
import { EXEC, type Handler } from '../decode/table.js';
import { jmpRel } from '../exec/control.js';
import { ARITH, CF, SS } from '../state.js';
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
  /** SS.B: 32-bit stack pointer. */
  stack32: boolean;
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

/** Jcc rel8 / rel16/32: a block goes on past them (a taken branch leaves it). */
function isJcc(op: number): boolean {
  return (op >= 0x70 && op < 0x80) || (op >= 0x180 && op < 0x190);
}

/** True when the block must end after this instruction (it may transfer control or change mode). */
export function endsBlock(i: Insn): boolean {
  if (inlineKind(i) !== INL_NONE || isJcc(i.op)) return false;
  return !(PURE_REG[i.op] === 1 && !i.isMem && i.rep === 0);
}

const INL_NONE = 0;
const INL_ALU = 1; // 00-3D
const INL_GRP1 = 2; // 80-83
const INL_INCDEC = 3;
const INL_MOV = 4; // 88-8B
const INL_MOVI = 5; // B0-BF, C6/C7 /0
const INL_TEST = 6; // 84, 85, A8, A9
const INL_LEA = 7;
const INL_PUSH = 8;
const INL_POP = 9;
const INL_NOP = 10;

function inlineKind(i: Insn): number {
  const op = i.op;
  if (i.rep !== 0 && op !== 0x90) return INL_NONE;
  if (op < 0x40 && (op & 7) < 6) return INL_ALU;
  if (op >= 0x40 && op < 0x50) return INL_INCDEC;
  if (op >= 0x50 && op < 0x58) return INL_PUSH;
  if (op >= 0x58 && op < 0x60) return INL_POP;
  if (op >= 0x80 && op <= 0x83) return INL_GRP1;
  if (op === 0x84 || op === 0x85 || op === 0xa8 || op === 0xa9) return INL_TEST;
  if (op >= 0x88 && op <= 0x8b) return INL_MOV;
  if (op === 0x8d) return i.isMem ? INL_LEA : INL_NONE;
  if (op === 0x90) return INL_NOP;
  if (op >= 0xb0 && op < 0xc0) return INL_MOVI;
  if ((op === 0xc6 || op === 0xc7) && i.reg === 0) return INL_MOVI;
  return INL_NONE;
}

const LAZY_ADD = 0;
const LAZY_SUB = 1;
const LAZY_LOGIC = 2;

/** What the last instruction left in the lazy record, for Jcc conditions without a call. */
interface FlagSource {
  kind: number; // LAZY_*
  a: string;
  b: string;
  res: string;
  size: number;
  /** INC/DEC: CF and OF not derivable here. */
  partial: boolean;
}

const mask = (size: number) => (size === 8 ? 0xff : size === 16 ? 0xffff : 0xffffffff);
const signed = (v: string, size: number) =>
  size === 32 ? `(${v}|0)` : `((${v}<<${32 - size})>>${32 - size})`;

/** The condition `cc` as an expression over a flag source, or undefined (use c.cond). */
function condition(cc: number, f: FlagSource | undefined): string | undefined {
  if (f === undefined) return undefined;
  const neg = (cc & 1) !== 0;
  let e: string | undefined;
  const sub = f.kind === LAZY_SUB && !f.partial;
  const logic = f.kind === LAZY_LOGIC;
  switch (cc >> 1) {
    case 1:
      if (sub) e = `${f.a}<${f.b}`;
      else if (logic) e = 'false';
      break;
    case 2:
      e = `${f.res}===0`;
      break;
    case 3:
      if (sub) e = `${f.a}<=${f.b}`;
      else if (logic) e = `${f.res}===0`;
      break;
    case 4:
      e = `${f.res}>${mask(f.size) >>> 1}`;
      break;
    case 6:
      if (sub) e = `${signed(f.a, f.size)}<${signed(f.b, f.size)}`;
      else if (logic) e = `${f.res}>${mask(f.size) >>> 1}`;
      break;
    case 7:
      if (sub) e = `${signed(f.a, f.size)}<=${signed(f.b, f.size)}`;
      else if (logic) e = `(${f.res}===0||${f.res}>${mask(f.size) >>> 1})`;
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

export function generate(shape: BlockShape): Generated {
  const handlers: Handler[] = [];
  const out: string[] = [];
  const { insns, start } = shape;
  const count = insns.length;
  let tmp = 0;
  const local = (p: string) => `${p}${tmp++}`;
  const handler = (h: Handler) => {
    let k = handlers.indexOf(h);
    if (k < 0) k = handlers.push(h) - 1;
    return `H${k}`;
  };

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
    const n = bytes(size);
    const slow = `${dst}=RD${size}(c,${seg},${off});`;
    if (shape.memKind === MEM_SLOW) return slow;
    const l = local('l');
    let body: string;
    if (shape.memKind === MEM_FLAT) {
      body = `const ${l}=(SB[${seg}]+${off})&c.a20Mask;if(SR[${l}>>>12]===0&&(${l}&0xfff)<=${0x1000 - n})${dst}=${getter(size, l)};else ${slow}`;
    } else {
      const e = local('e');
      body = `const ${l}=(SB[${seg}]+${off})|0;const ${e}=~TR[${l}>>>12];if((${e}&0xfff)===0&&(${l}&0xfff)<=${0x1000 - n})${dst}=${getter(size, `${e}|(${l}&0xfff)`)};else ${slow}`;
    }
    return `if(${off}>=SL[${seg}]&&${off}+${n - 1}<=SHR[${seg}]){${body}}else ${slow}`;
  }

  function write(size: number, seg: number, off: string, v: string): string {
    const n = bytes(size);
    const slow = `WR${size}(c,${seg},${off},${v});`;
    if (shape.memKind === MEM_SLOW) return slow;
    const l = local('l');
    let body: string;
    if (shape.memKind === MEM_FLAT) {
      body = `const ${l}=(SB[${seg}]+${off})&c.a20Mask;if(SW[${l}>>>12]===0&&(${l}&0xfff)<=${0x1000 - n}){${setter(size, l, v)}}else ${slow}`;
    } else {
      const e = local('e');
      const t = local('t');
      body = `const ${l}=(SB[${seg}]+${off})|0;const ${e}=~TW[${l}>>>12];const ${t}=MMU.writeTag;if((${e}&0xfff)===${t}&&(${l}&0xfff)<=${0x1000 - n}){${setter(size, `(${e}^${t})|(${l}&0xfff)`, v)}}else ${slow}`;
    }
    return `if(${off}>=SL[${seg}]&&${off}+${n - 1}<=SHW[${seg}]){${body}}else ${slow}`;
  }

  // --- registers -------------------------------------------------------------------------
  const getReg = (size: number, r: number) =>
    size === 32
      ? `(R[${r}]>>>0)`
      : size === 16
        ? `(R[${r}]&0xffff)`
        : r < 4
          ? `(R[${r}]&0xff)`
          : `((R[${r - 4}]>>8)&0xff)`;
  const setReg = (size: number, r: number, v: string) =>
    size === 32
      ? `R[${r}]=${v};`
      : size === 16
        ? `R[${r}]=(R[${r}]&~0xffff)|(${v}&0xffff);`
        : r < 4
          ? `R[${r}]=(R[${r}]&~0xff)|(${v}&0xff);`
          : `R[${r - 4}]=(R[${r - 4}]&~0xff00)|((${v}&0xff)<<8);`;

  /** r/m operand: code that loads it into a fresh local, and a writer. */
  function rmOperand(i: Insn, size: number) {
    if (!i.isMem)
      return {
        off: '',
        load: (dst: string) => `${dst}=${getReg(size, i.rm)};`,
        store: (v: string) => setReg(size, i.rm, v),
      };
    const off = local('o');
    out.push(`const ${off}=${i.eaExpr};`);
    return {
      off,
      load: (dst: string) => read(size, i.eaSeg, off, dst),
      store: (v: string) => write(size, i.eaSeg, off, v),
    };
  }

  function alu(
    op: number,
    a: string,
    b: string,
    size: number,
  ): { code: string; res: string; src: FlagSource } {
    const res = local('r');
    const m = mask(size);
    let code: string;
    let kind = LAZY_LOGIC;
    switch (op) {
      case 0:
        code = `const ${res}=((${a}+${b})&${m})>>>0;`;
        kind = LAZY_ADD;
        break;
      case 1:
        code = `const ${res}=((${a}|${b})&${m})>>>0;`;
        break;
      case 2:
        code = `const ${res}=((${a}+${b}+c.cf())&${m})>>>0;`;
        kind = LAZY_ADD;
        break;
      case 3:
        code = `const ${res}=((${a}-${b}-c.cf())&${m})>>>0;`;
        kind = LAZY_SUB;
        break;
      case 4:
        code = `const ${res}=(${a}&${b}&${m})>>>0;`;
        break;
      case 6:
        code = `const ${res}=((${a}^${b})&${m})>>>0;`;
        break;
      default:
        code = `const ${res}=((${a}-${b})&${m})>>>0;`;
        kind = LAZY_SUB;
        break;
    }
    code += `c.setLazy(${kind},${a},${b},${res},${size},${ARITH});`;
    return { code, res, src: { kind, a, b, res, size, partial: op === 2 || op === 3 } };
  }

  const opSize = (i: Insn, byteForm: boolean) => (byteForm ? 8 : i.opsize32 ? 32 : 16);

  /** Inline code for one instruction; returns its flag source (undefined: flags unknown). */
  function inline(i: Insn, kind: number, flags: FlagSource | undefined): FlagSource | undefined {
    const op = i.op;
    switch (kind) {
      case INL_NOP:
        return flags;
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
          return r.src;
        }
        const e = rmOperand(i, size);
        const ev = local('v');
        out.push(`let ${ev};`, e.load(ev));
        const gv = local('g');
        out.push(`const ${gv}=${getReg(size, i.reg)};`);
        if (form < 2) {
          const r = alu(aluOp, ev, gv, size);
          out.push(r.code);
          if (aluOp !== 7) out.push(e.store(r.res));
          return r.src;
        }
        const r = alu(aluOp, gv, ev, size);
        out.push(r.code);
        if (aluOp !== 7) out.push(setReg(size, i.reg, r.res));
        return r.src;
      }
      case INL_GRP1: {
        const size = opSize(i, op === 0x80 || op === 0x82);
        const e = rmOperand(i, size);
        const ev = local('v');
        out.push(`let ${ev};`, e.load(ev));
        const r = alu(i.reg, ev, String((i.imm & mask(size)) >>> 0), size);
        out.push(r.code);
        if (i.reg !== 7) out.push(e.store(r.res));
        return r.src;
      }
      case INL_TEST: {
        const size = opSize(i, op === 0x84 || op === 0xa8);
        let a: string;
        let b: string;
        if (op >= 0xa8) {
          a = local('a');
          out.push(`const ${a}=${getReg(size, 0)};`);
          b = String((i.imm & mask(size)) >>> 0);
        } else {
          const e = rmOperand(i, size);
          a = local('v');
          out.push(`let ${a};`, e.load(a));
          b = local('g');
          out.push(`const ${b}=${getReg(size, i.reg)};`);
        }
        const r = alu(4, a, b, size);
        out.push(r.code);
        return r.src;
      }
      case INL_INCDEC: {
        const size = i.opsize32 ? 32 : 16;
        const dec = op >= 0x48;
        const a = local('a');
        const res = local('r');
        out.push(
          `const ${a}=${getReg(size, op & 7)};const ${res}=(${a}${dec ? '-' : '+'}1)${size === 32 ? '>>>0' : '&0xffff'};`,
          setReg(size, op & 7, res),
          `c.setLazy(${dec ? LAZY_SUB : LAZY_ADD},${a},1,${res},${size},${ARITH & ~CF});`,
        );
        return { kind: dec ? LAZY_SUB : LAZY_ADD, a, b: '1', res, size, partial: true };
      }
      case INL_MOV: {
        const size = opSize(i, op === 0x88 || op === 0x8a);
        const e = rmOperand(i, size);
        if (op <= 0x89) out.push(e.store(size === 32 ? `R[${i.reg}]` : getReg(size, i.reg)));
        else {
          const v = local('v');
          out.push(`let ${v};`, e.load(v), setReg(size, i.reg, v));
        }
        return flags;
      }
      case INL_MOVI: {
        if (op < 0xc0) {
          const size = op < 0xb8 ? 8 : i.opsize32 ? 32 : 16;
          out.push(setReg(size, op & 7, String(i.imm | 0)));
          return flags;
        }
        const size = opSize(i, op === 0xc6);
        const e = rmOperand(i, size);
        out.push(e.store(String((i.imm & mask(size)) >>> 0)));
        return flags;
      }
      case INL_LEA:
        out.push(setReg(i.opsize32 ? 32 : 16, i.reg, i.eaExpr));
        return flags;
      case INL_PUSH: {
        const size = i.opsize32 ? 32 : 16;
        const v = local('v');
        const sp = local('s');
        out.push(`const ${v}=R[${op & 7}];`);
        if (shape.stack32)
          out.push(`const ${sp}=(R[4]-${size >> 3})>>>0;`, write(size, SS, sp, v), `R[4]=${sp};`);
        else
          out.push(
            `const ${sp}=(R[4]-${size >> 3})&0xffff;`,
            write(size, SS, sp, v),
            `R[4]=(R[4]&~0xffff)|${sp};`,
          );
        return flags;
      }
      case INL_POP: {
        const size = i.opsize32 ? 32 : 16;
        const v = local('v');
        const sp = local('s');
        out.push(
          `const ${sp}=${shape.stack32 ? '(R[4]>>>0)' : '(R[4]&0xffff)'};let ${v};`,
          read(size, SS, sp, v),
        );
        if (shape.stack32) out.push(`R[4]=R[4]+${size >> 3};`);
        else out.push(`R[4]=(R[4]&~0xffff)|((R[4]+${size >> 3})&0xffff);`);
        out.push(setReg(size, op & 7, v));
        return flags;
      }
    }
    return undefined;
  }

  /** The interpreter's handler with its decoder's fields, as the run loop would call it. */
  function fallback(i: Insn, index: number): void {
    out.push(
      `c.eip=${i.next};c.startEsp=R[4];c.espSavedAt=d0+n+${index};c.opsize32=${i.opsize32};c.addr32=${i.addr32};c.opByte=${i.op};`,
    );
    if (i.segOvr >= 0) out.push(`c.segOvr=${i.segOvr};`);
    if (i.rep !== 0) out.push(`c.rep=${i.rep};`);
    if (i.modrm !== 0 || (EXEC[i.op] && i.isMem)) {
      out.push(`c.modrm=${i.modrm};c.reg=${i.reg};c.rm=${i.rm};c.isMem=${i.isMem};`);
      if (i.isMem) out.push(`c.eaEspBase=${i.eaEspBase};c.eaSeg=${i.eaSeg};c.eaOff=${i.eaExpr};`);
    } else out.push(`c.modrm=0;c.reg=0;c.rm=0;c.isMem=false;`);
    out.push(`c.imm=${i.imm};c.imm2=${i.imm2};${handler(EXEC[i.op])}(c);`);
    if (i.segOvr >= 0) out.push('c.segOvr=-1;');
    if (i.rep !== 0) out.push('c.rep=0;');
  }

  const loopOk = `c.jitExit===0&&n<budget&&c.stopRequest===undefined&&!c.halted&&!c.inhibit&&!c.watching&&(c.flags&0x10100)===0&&((c.flags&0x200)===0||c.pic===undefined||!c.pic.hasInterrupt())`;

  let flags: FlagSource | undefined;
  for (let x = 0; x < count; x++) {
    const i = insns[x];
    const last = x === count - 1;
    const kind = inlineKind(i);
    out.push(`// ${i.ip.toString(16)} op ${i.op.toString(16)}`);
    // The run's budget is honoured inside a block: stop before an instruction it does not cover.
    if (x > 0) out.push(`if(n+${x}>=budget){c.eip=${i.ip};return n+${x};}`);
    if (kind !== INL_NONE) {
      const touchesMemory = i.isMem || kind === INL_PUSH || kind === INL_POP;
      if (touchesMemory) out.push(`k=${x};c.startEip=${i.ip};`);
      flags = inline(i, kind, flags);
      if (touchesMemory && !last) out.push(`if(c.jitExit!==0){c.eip=${i.next};return n+${x + 1};}`);
      if (last) out.push(`c.eip=${i.next};return n+${count};`);
      continue;
    }
    out.push(`k=${x};c.startEip=${i.ip};`);
    if (isJcc(i.op)) {
      // Taken: leave (through JMP's handler: its CS-limit check) or loop; not taken: go on.
      const target = i.opsize32 ? (i.next + i.imm) >>> 0 : (i.next + i.imm) & 0xffff;
      const cond = condition(i.op & 15, flags) ?? `c.cond(${i.op & 15})`;
      if (target === start)
        out.push(`if(${cond}){n+=${x + 1};if(${loopOk})continue;c.eip=${start};return n;}`);
      else
        out.push(
          `if(${cond}){c.eip=${i.next};c.imm=${i.imm};c.opsize32=${i.opsize32};${handler(jmpRel)}(c);return n+${x + 1};}`,
        );
      if (last) out.push(`c.eip=${i.next};return n+${count};`);
      continue;
    }
    const target = i.opsize32 ? (i.next + i.imm) >>> 0 : (i.next + i.imm) & 0xffff;
    if (last && (i.op === 0xeb || i.op === 0xe9) && target === start) {
      // A loop closed by this block's own jump: stay in the function while nothing asks the
      // run loop to look (budget, interrupts, a store into this code, a stop request).
      out.push(`n+=${count};if(${loopOk})continue;c.eip=${start};return n;`);
      continue;
    }
    fallback(i, x);
    flags = undefined;
    if (last) {
      out.push(`n+=${count};`);
      if (isNearBranch(i.op)) out.push(`if(c.eip===${start}&&${loopOk})continue;`);
      out.push('return n;');
    } else out.push(`if(c.jitExit!==0||c.stopRequest!==undefined)return n+${x + 1};`);
  }
  const body = out.join('\n');
  const source =
    `return function block(c,d0,budget){const R=c.regs;let n=0;let k=0;c.jitExit=0;` +
    `try{for(;;){\n${body}\n}}catch(e){c.jitDone=n+k;c.segOvr=-1;c.rep=0;throw e;}};`;
  return { source, handlers };
}
