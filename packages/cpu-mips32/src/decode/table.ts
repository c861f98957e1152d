// The decode table: one declarative row per instruction, read once at load time into flat dispatch
// arrays indexed by the selecting field (opcode, SPECIAL funct, REGIMM rt, SPECIAL2/SPECIAL3 funct,
// BSHFL sa, COP0 rs, COP0 CO funct). The run loop calls OPCODE[word >>> 26](cpu, word): one indexed
// call, and a second one for the groups. Unlisted encodings are Reserved Instructions.
import { EXC } from '../cp0.js';
import type { MipsCpu } from '../cpu.js';
import * as A from '../exec/alu.js';
import * as B from '../exec/branch.js';
import * as M from '../exec/memory.js';
import * as S from '../exec/system.js';
import * as FP from '../fpu/exec.js';

export type Handler = (c: MipsCpu, i: number) => void;

/** Which field selects the row. */
export type Group = 'opcode' | 'special' | 'regimm' | 'special2' | 'special3' | 'bshfl' | 'cop0' | 'c0';

/**
 * Operand formats (for the disassembler and documentation):
 * d,s,t = rd, rs, rt; d,t,a = rd, rt, sa; t,s,i = rt, rs, simm; t,s,u = rt, rs, uimm; t,u = rt, uimm;
 * t,o(s) = rt, offset(base); s,t,b = rs, rt, branch; s,b = rs, branch; j = jump target;
 * s,t = rs, rt; s,i = rs, simm; d = rd; s = rs; d,s = rd, rs; d,t = rd, rt; t,d,sel = rt, CP0 rd, sel;
 * t,s,p,z = EXT/INS; c,o(s) = CACHE op; code = SYSCALL/BREAK code; '' = none.
 */
export type Format =
  | 'd,s,t'
  | 'd,t,s'
  | 'd,t,a'
  | 't,s,i'
  | 't,s,u'
  | 't,u'
  | 't,o(s)'
  | 's,t,b'
  | 's,b'
  | 'j'
  | 's,t'
  | 's,i'
  | 'd'
  | 's'
  | 'd,s'
  | 'd,t'
  | 't,d,sel'
  | 't'
  | 't,d'
  | 'ext'
  | 'ins'
  | 'c,o(s)'
  | 'code'
  | '';

export interface InsnRow {
  group: Group;
  /** Value of the selecting field. */
  code: number;
  name: string;
  format: Format;
  exec: Handler;
}

const row = (group: Group, code: number, name: string, format: Format, exec: Handler): InsnRow => ({
  group,
  code,
  name,
  format,
  exec,
});

export const ROWS: readonly InsnRow[] = [
  // ---- primary opcodes ----
  row('opcode', 0x02, 'j', 'j', B.j),
  row('opcode', 0x03, 'jal', 'j', B.jal),
  row('opcode', 0x04, 'beq', 's,t,b', B.beq),
  row('opcode', 0x05, 'bne', 's,t,b', B.bne),
  row('opcode', 0x06, 'blez', 's,b', B.blez),
  row('opcode', 0x07, 'bgtz', 's,b', B.bgtz),
  row('opcode', 0x08, 'addi', 't,s,i', A.addi),
  row('opcode', 0x09, 'addiu', 't,s,i', A.addiu),
  row('opcode', 0x0a, 'slti', 't,s,i', A.slti),
  row('opcode', 0x0b, 'sltiu', 't,s,i', A.sltiu),
  row('opcode', 0x0c, 'andi', 't,s,u', A.andi),
  row('opcode', 0x0d, 'ori', 't,s,u', A.ori),
  row('opcode', 0x0e, 'xori', 't,s,u', A.xori),
  row('opcode', 0x0f, 'lui', 't,u', A.lui),
  row('opcode', 0x11, 'cop1', '', FP.cop1),
  row('opcode', 0x12, 'cop2', '', S.cop2Unusable),
  row('opcode', 0x13, 'cop1x', '', FP.cop1x),
  row('opcode', 0x14, 'beql', 's,t,b', B.beql),
  row('opcode', 0x15, 'bnel', 's,t,b', B.bnel),
  row('opcode', 0x16, 'blezl', 's,b', B.blezl),
  row('opcode', 0x17, 'bgtzl', 's,b', B.bgtzl),
  row('opcode', 0x20, 'lb', 't,o(s)', M.lb),
  row('opcode', 0x21, 'lh', 't,o(s)', M.lh),
  row('opcode', 0x22, 'lwl', 't,o(s)', M.lwl),
  row('opcode', 0x23, 'lw', 't,o(s)', M.lw),
  row('opcode', 0x24, 'lbu', 't,o(s)', M.lbu),
  row('opcode', 0x25, 'lhu', 't,o(s)', M.lhu),
  row('opcode', 0x26, 'lwr', 't,o(s)', M.lwr),
  row('opcode', 0x28, 'sb', 't,o(s)', M.sb),
  row('opcode', 0x29, 'sh', 't,o(s)', M.sh),
  row('opcode', 0x2a, 'swl', 't,o(s)', M.swl),
  row('opcode', 0x2b, 'sw', 't,o(s)', M.sw),
  row('opcode', 0x2e, 'swr', 't,o(s)', M.swr),
  row('opcode', 0x2f, 'cache', 'c,o(s)', M.cache),
  row('opcode', 0x30, 'll', 't,o(s)', M.ll),
  row('opcode', 0x31, 'lwc1', 't,o(s)', FP.lwc1),
  row('opcode', 0x32, 'lwc2', 't,o(s)', S.cop2Unusable),
  row('opcode', 0x33, 'pref', 'c,o(s)', M.pref),
  row('opcode', 0x35, 'ldc1', 't,o(s)', FP.ldc1),
  row('opcode', 0x36, 'ldc2', 't,o(s)', S.cop2Unusable),
  row('opcode', 0x38, 'sc', 't,o(s)', M.sc),
  row('opcode', 0x39, 'swc1', 't,o(s)', FP.swc1),
  row('opcode', 0x3a, 'swc2', 't,o(s)', S.cop2Unusable),
  row('opcode', 0x3d, 'sdc1', 't,o(s)', FP.sdc1),
  row('opcode', 0x3e, 'sdc2', 't,o(s)', S.cop2Unusable),

  // ---- SPECIAL (opcode 0), by funct ----
  row('special', 0x00, 'sll', 'd,t,a', A.sll),
  row('special', 0x01, 'movci', '', FP.movci),
  row('special', 0x02, 'srl', 'd,t,a', A.srl), // rotr when bit 21 is set
  row('special', 0x03, 'sra', 'd,t,a', A.sra),
  row('special', 0x04, 'sllv', 'd,t,s', A.sllv),
  row('special', 0x06, 'srlv', 'd,t,s', A.srlv), // rotrv when bit 6 is set
  row('special', 0x07, 'srav', 'd,t,s', A.srav),
  row('special', 0x08, 'jr', 's', B.jr),
  row('special', 0x09, 'jalr', 'd,s', B.jalr),
  row('special', 0x0a, 'movz', 'd,s,t', A.movz),
  row('special', 0x0b, 'movn', 'd,s,t', A.movn),
  row('special', 0x0c, 'syscall', 'code', S.syscall),
  row('special', 0x0d, 'break', 'code', S.brk),
  row('special', 0x0f, 'sync', '', M.sync),
  row('special', 0x10, 'mfhi', 'd', A.mfhi),
  row('special', 0x11, 'mthi', 's', A.mthi),
  row('special', 0x12, 'mflo', 'd', A.mflo),
  row('special', 0x13, 'mtlo', 's', A.mtlo),
  row('special', 0x18, 'mult', 's,t', A.mult),
  row('special', 0x19, 'multu', 's,t', A.multu),
  row('special', 0x1a, 'div', 's,t', A.div),
  row('special', 0x1b, 'divu', 's,t', A.divu),
  row('special', 0x20, 'add', 'd,s,t', A.add),
  row('special', 0x21, 'addu', 'd,s,t', A.addu),
  row('special', 0x22, 'sub', 'd,s,t', A.sub),
  row('special', 0x23, 'subu', 'd,s,t', A.subu),
  row('special', 0x24, 'and', 'd,s,t', A.and),
  row('special', 0x25, 'or', 'd,s,t', A.or),
  row('special', 0x26, 'xor', 'd,s,t', A.xor),
  row('special', 0x27, 'nor', 'd,s,t', A.nor),
  row('special', 0x2a, 'slt', 'd,s,t', A.slt),
  row('special', 0x2b, 'sltu', 'd,s,t', A.sltu),
  row('special', 0x30, 'tge', 's,t', S.tge),
  row('special', 0x31, 'tgeu', 's,t', S.tgeu),
  row('special', 0x32, 'tlt', 's,t', S.tlt),
  row('special', 0x33, 'tltu', 's,t', S.tltu),
  row('special', 0x34, 'teq', 's,t', S.teq),
  row('special', 0x36, 'tne', 's,t', S.tne),

  // ---- REGIMM (opcode 1), by rt ----
  row('regimm', 0x00, 'bltz', 's,b', B.bltz),
  row('regimm', 0x01, 'bgez', 's,b', B.bgez),
  row('regimm', 0x02, 'bltzl', 's,b', B.bltzl),
  row('regimm', 0x03, 'bgezl', 's,b', B.bgezl),
  row('regimm', 0x08, 'tgei', 's,i', S.tgei),
  row('regimm', 0x09, 'tgeiu', 's,i', S.tgeiu),
  row('regimm', 0x0a, 'tlti', 's,i', S.tlti),
  row('regimm', 0x0b, 'tltiu', 's,i', S.tltiu),
  row('regimm', 0x0c, 'teqi', 's,i', S.teqi),
  row('regimm', 0x0e, 'tnei', 's,i', S.tnei),
  row('regimm', 0x10, 'bltzal', 's,b', B.bltzal),
  row('regimm', 0x11, 'bgezal', 's,b', B.bgezal),
  row('regimm', 0x12, 'bltzall', 's,b', B.bltzall),
  row('regimm', 0x13, 'bgezall', 's,b', B.bgezall),
  row('regimm', 0x1f, 'synci', 't,o(s)', M.synci),

  // ---- SPECIAL2 (opcode 0x1c), by funct ----
  row('special2', 0x00, 'madd', 's,t', A.madd),
  row('special2', 0x01, 'maddu', 's,t', A.maddu),
  row('special2', 0x02, 'mul', 'd,s,t', A.mul),
  row('special2', 0x04, 'msub', 's,t', A.msub),
  row('special2', 0x05, 'msubu', 's,t', A.msubu),
  row('special2', 0x20, 'clz', 'd,s', A.clz),
  row('special2', 0x21, 'clo', 'd,s', A.clo),

  // ---- SPECIAL3 (opcode 0x1f), by funct; BSHFL (funct 0x20) by sa ----
  row('special3', 0x00, 'ext', 'ext', A.ext),
  row('special3', 0x04, 'ins', 'ins', A.ins),
  row('special3', 0x3b, 'rdhwr', 't,d', S.rdhwr),
  row('bshfl', 0x02, 'wsbh', 'd,t', A.wsbh),
  row('bshfl', 0x10, 'seb', 'd,t', A.seb),
  row('bshfl', 0x18, 'seh', 'd,t', A.seh),

  // ---- COP0 (opcode 0x10), by rs; CO = 1 (rs 0x10-0x1f) by funct ----
  row('cop0', 0x00, 'mfc0', 't,d,sel', S.mfc0),
  row('cop0', 0x04, 'mtc0', 't,d,sel', S.mtc0),
  row('cop0', 0x0a, 'rdpgpr', 'd,t', S.rdpgpr),
  row('cop0', 0x0b, 'di/ei', 't', S.mfmc0),
  row('cop0', 0x0e, 'wrpgpr', 'd,t', S.wrpgpr),
  row('c0', 0x01, 'tlbr', '', S.tlbr),
  row('c0', 0x02, 'tlbwi', '', S.tlbwi),
  row('c0', 0x06, 'tlbwr', '', S.tlbwr),
  row('c0', 0x08, 'tlbp', '', S.tlbp),
  row('c0', 0x18, 'eret', '', S.eret),
  row('c0', 0x1f, 'deret', '', S.deret),
  row('c0', 0x20, 'wait', '', S.wait),
];

function table(group: Group, size: number): Handler[] {
  const out: Handler[] = new Array(size).fill(S.reserved);
  for (const r of ROWS) if (r.group === group) out[r.code] = r.exec;
  return out;
}

export const SPECIAL = table('special', 64);
export const REGIMM = table('regimm', 32);
export const SPECIAL2 = table('special2', 64);
export const SPECIAL3 = table('special3', 64);
export const BSHFL = table('bshfl', 32);
export const COP0 = table('cop0', 32);
export const C0 = table('c0', 64);

/** COP0 instructions are privileged before they are decoded further (CpU beats RI in user mode). */
function cop0(c: MipsCpu, i: number): void {
  if (!c.cp0Usable()) c.exception(EXC.CpU, 0);
  if ((i & (1 << 25)) !== 0) C0[i & 63](c, i);
  else COP0[(i >>> 21) & 31](c, i);
}

export const OPCODE = table('opcode', 64);
OPCODE[0x00] = (c, i) => SPECIAL[i & 63](c, i);
OPCODE[0x01] = (c, i) => REGIMM[(i >>> 16) & 31](c, i);
OPCODE[0x10] = cop0;
OPCODE[0x1c] = (c, i) => SPECIAL2[i & 63](c, i);
OPCODE[0x1f] = (c, i) => ((i & 63) === 0x20 ? BSHFL[(i >>> 6) & 31](c, i) : SPECIAL3[i & 63](c, i));

/** The row that decodes `word`, or undefined for a Reserved Instruction encoding. */
export function decode(word: number): InsnRow | undefined {
  const op = word >>> 26;
  let group: Group = 'opcode';
  let code = op;
  if (op === 0x00) [group, code] = ['special', word & 63];
  else if (op === 0x01) [group, code] = ['regimm', (word >>> 16) & 31];
  else if (op === 0x1c) [group, code] = ['special2', word & 63];
  else if (op === 0x1f && (word & 63) === 0x20) [group, code] = ['bshfl', (word >>> 6) & 31];
  else if (op === 0x1f) [group, code] = ['special3', word & 63];
  else if (op === 0x10 && (word & (1 << 25)) !== 0) [group, code] = ['c0', word & 63];
  else if (op === 0x10) [group, code] = ['cop0', (word >>> 21) & 31];
  return ROWS.find((r) => r.group === group && r.code === code);
}
