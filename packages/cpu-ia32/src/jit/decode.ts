// Block discovery: decode guest instructions from RAM at compile time into plain records (the
// same fields the interpreter's decoder fills at run time), stopping at the end of the page, the
// CS limit, a control transfer or an instruction the compiler leaves to the interpreter.
import {
  DECODE,
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
  NAMES,
} from '../decode/table.js';
import { DS, SS } from '../state.js';

/** One decoded instruction. */
export interface Insn {
  /** EIP of the first byte and of the next instruction. */
  ip: number;
  next: number;
  /** 0-255, or 0x100 | b for 0F b. */
  op: number;
  opsize32: boolean;
  addr32: boolean;
  segOvr: number;
  rep: number;
  modrm: number;
  reg: number;
  rm: number;
  isMem: boolean;
  eaEspBase: boolean;
  /** Segment of the memory operand (override applied). */
  eaSeg: number;
  /** JavaScript expression for the operand's offset, over the register array `R`. */
  eaExpr: string;
  /**
   * The same offset as parts (32-bit addressing only; `eaBase` -1 with 16-bit addressing too):
   * base register or -1, index register or -1, scale shift 0..3, displacement (int32).
   */
  eaBase: number;
  eaIndex: number;
  eaScale: number;
  eaDisp: number;
  imm: number;
  imm2: number;
  /** Prefix bytes before the opcode (the run loop then saves ESP whatever the opcode). */
  prefixed: boolean;
  /** A JMP whose target the block goes on decoding at (a trace). */
  followed?: boolean;
}

/**
 * Opcodes never compiled (run by the interpreter): HLT and invalid ones. (x87 and WAIT are
 * compiled as calls of their handlers: see codegen's continuesBlock.)
 */
let interpretOnly: Uint8Array | undefined;
export function interpretOnlyTable(): Uint8Array {
  if (interpretOnly !== undefined) return interpretOnly;
  const t = new Uint8Array(512);
  t[0xf4] = 1;
  for (let op = 0; op < 512; op++) if (NAMES[op] === '(bad)') t[op] = 1;
  interpretOnly = t;
  return t;
}

/** Byte source for the decoder: `bytes[at]` for at < end, else undefined (stop the block). */
export interface CodeBytes {
  ram: Uint8Array;
  /** Physical address of EIP `base`. */
  phys: number;
  base: number;
  /** First EIP not fetchable (end of page or CS limit + 1), and the first fetchable. */
  end: number;
  start: number;
}

/**
 * Decode one instruction at `ip`. Returns undefined when it cannot be compiled: bytes past the
 * window, LOCK, an interpret-only opcode, or longer than 15 bytes.
 */
export function decodeInsn(src: CodeBytes, ip: number, big: boolean): Insn | undefined {
  let at = ip;
  const byte = (): number => {
    if (at >= src.end || at < src.start) throw OUT;
    return src.ram[src.phys + (at++ - src.base)];
  };
  try {
    let opsize32 = big;
    let addr32 = big;
    let segOvr = -1;
    let rep = 0;
    let lock = false;
    const first = at;
    let op = byte();
    for (let n = 0; ; n++) {
      if (n >= 14) return undefined;
      if (op === 0x26 || op === 0x2e || op === 0x36 || op === 0x3e) segOvr = (op >> 3) & 3;
      else if (op === 0x64 || op === 0x65) segOvr = op - 0x60;
      else if (op === 0x66) opsize32 = !big;
      else if (op === 0x67) addr32 = !big;
      else if (op === 0xf2) rep = 1;
      else if (op === 0xf3) rep = 2;
      else if (op === 0xf0) lock = true;
      else break;
      op = byte();
    }
    if (op === 0x0f) op = 0x100 | byte();
    if (interpretOnlyTable()[op] === 1) return undefined;
    const d = DECODE[op];
    const insn: Insn = {
      ip,
      next: 0,
      op,
      opsize32,
      addr32,
      segOvr,
      rep,
      modrm: 0,
      reg: 0,
      rm: 0,
      isMem: false,
      eaEspBase: false,
      eaSeg: DS,
      eaExpr: '0',
      eaBase: -1,
      eaIndex: -1,
      eaScale: 0,
      eaDisp: 0,
      imm: 0,
      imm2: 0,
      prefixed: at - first > 1 || op >= 0x100,
    };
    const s8 = () => (byte() << 24) >> 24;
    const u16 = () => byte() | (byte() << 8);
    const u32 = () => (u16() | (u16() << 16)) >>> 0;
    if (d & 1) {
      const m = byte();
      insn.modrm = m;
      insn.reg = (m >> 3) & 7;
      insn.rm = m & 7;
      const mod = m >> 6;
      if ((d & 0x40) === 0 && mod !== 3) {
        insn.isMem = true;
        let seg = DS;
        const parts: string[] = [];
        let disp = 0;
        const rm = insn.rm;
        if (!addr32) {
          const BASES = ['R[3]+R[6]', 'R[3]+R[7]', 'R[5]+R[6]', 'R[5]+R[7]', 'R[6]', 'R[7]', 'R[5]', 'R[3]'];
          if (rm === 2 || rm === 3 || (rm === 6 && mod !== 0)) seg = SS;
          if (rm === 6 && mod === 0) disp = u16();
          else parts.push(BASES[rm]);
          if (mod === 1) disp += s8();
          else if (mod === 2) disp += u16();
          parts.push(String(disp));
          insn.eaExpr = `((${parts.join('+')})&0xffff)`;
        } else {
          if (rm === 4) {
            const sib = byte();
            const base = sib & 7;
            const index = (sib >> 3) & 7;
            if (index !== 4) {
              parts.push(sib >> 6 ? `(R[${index}]<<${sib >> 6})` : `R[${index}]`);
              insn.eaIndex = index;
              insn.eaScale = sib >> 6;
            }
            if (base === 5 && mod === 0) disp = u32();
            else {
              parts.push(`R[${base}]`);
              insn.eaBase = base;
              if (base === 4 || base === 5) seg = SS;
              insn.eaEspBase = base === 4;
            }
          } else if (rm === 5 && mod === 0) disp = u32();
          else {
            parts.push(`R[${rm}]`);
            insn.eaBase = rm;
            if (rm === 5) seg = SS;
          }
          if (mod === 1) disp += s8();
          else if (mod === 2) disp += u32() | 0;
          insn.eaDisp = disp | 0;
          parts.push(String(disp));
          insn.eaExpr = `((${parts.join('+')})>>>0)`;
        }
        insn.eaSeg = segOvr >= 0 ? segOvr : seg;
      }
    }
    switch ((d >> 1) & 0xf) {
      case IMM_IB:
        insn.imm = byte();
        break;
      case IMM_IBS:
        insn.imm = s8();
        break;
      case IMM_IW:
        insn.imm = u16();
        break;
      case IMM_IZ:
        insn.imm = opsize32 ? u32() : u16();
        break;
      case IMM_AP:
        insn.imm = opsize32 ? u32() : u16();
        insn.imm2 = u16();
        break;
      case IMM_MO:
        insn.imm = addr32 ? u32() : u16();
        break;
      case IMM_IWIB:
        insn.imm = u16();
        insn.imm2 = byte();
        break;
      case IMM_GRP3B:
        if (insn.reg < 2) insn.imm = byte();
        break;
      case IMM_GRP3V:
        if (insn.reg < 2) insn.imm = opsize32 ? u32() : u16();
        break;
    }
    if (at - ip > 15) return undefined;
    // An invalid LOCK is #UD: the interpreter raises it (a valid one changes nothing here).
    if (lock && !lockAllowed(op, insn.isMem, insn.reg)) return undefined;
    insn.next = at;
    return insn;
  } catch (e) {
    if (e === OUT) return undefined;
    throw e;
  }
}

const OUT = { outOfWindow: true };
