// A one-line disassembler driven by the decode table's formats (for traces, errors and tests).
import { decode } from './decode/table.js';

const NAMES = [
  'zero',
  'at',
  'v0',
  'v1',
  'a0',
  'a1',
  'a2',
  'a3',
  't0',
  't1',
  't2',
  't3',
  't4',
  't5',
  't6',
  't7',
  's0',
  's1',
  's2',
  's3',
  's4',
  's5',
  's6',
  's7',
  't8',
  't9',
  'k0',
  'k1',
  'gp',
  'sp',
  'fp',
  'ra',
];
const hex = (v: number): string => `0x${(v >>> 0).toString(16)}`;

/** `word` as assembly text; `pc` resolves branch and jump targets. */
export function disassemble(word: number, pc = 0): string {
  word >>>= 0;
  const row = decode(word);
  if (row === undefined) return `.word ${hex(word)}`;
  const s = `$${NAMES[(word >>> 21) & 31]}`;
  const t = `$${NAMES[(word >>> 16) & 31]}`;
  const rdn = (word >>> 11) & 31;
  const d = `$${NAMES[rdn]}`;
  const a = (word >>> 6) & 31;
  const imm = (word << 16) >> 16;
  const branch = hex(pc + 4 + imm * 4);
  let name = row.name;
  if (name === 'srl' && (word & (1 << 21)) !== 0) name = 'rotr';
  if (name === 'srlv' && (word & (1 << 6)) !== 0) name = 'rotrv';
  if (name === 'di/ei') name = (word & 0x20) !== 0 ? 'ei' : 'di';
  if (name === 'sll' && word === 0) return 'nop';
  if ((name === 'jr' || name === 'jalr') && (word & (1 << 10)) !== 0) name += '.hb';
  switch (row.format) {
    case 'd,s,t':
      return `${name} ${d}, ${s}, ${t}`;
    case 'd,t,s':
      return `${name} ${d}, ${t}, ${s}`;
    case 'd,t,a':
      return `${name} ${d}, ${t}, ${a}`;
    case 't,s,i':
      return `${name} ${t}, ${s}, ${imm}`;
    case 't,s,u':
      return `${name} ${t}, ${s}, ${hex(word & 0xffff)}`;
    case 't,u':
      return `${name} ${t}, ${hex(word & 0xffff)}`;
    case 't,o(s)':
      return `${name} ${t}, ${imm}(${s})`;
    case 'c,o(s)':
      return `${name} ${(word >>> 16) & 31}, ${imm}(${s})`;
    case 's,t,b':
      return `${name} ${s}, ${t}, ${branch}`;
    case 's,b':
      return `${name} ${s}, ${branch}`;
    case 'j':
      return `${name} ${hex(((pc + 4) & 0xf000_0000) | ((word & 0x03ff_ffff) << 2))}`;
    case 's,t':
      return `${name} ${s}, ${t}`;
    case 's,i':
      return `${name} ${s}, ${imm}`;
    case 'd':
      return `${name} ${d}`;
    case 's':
      return `${name} ${s}`;
    case 'd,s':
      return rdn === 31 && name.startsWith('jalr') ? `${name} ${s}` : `${name} ${d}, ${s}`;
    case 'd,t':
      return `${name} ${d}, ${t}`;
    case 't,d':
      return `${name} ${t}, $${rdn}`;
    case 't':
      return `${name} ${t}`;
    case 't,d,sel':
      return `${name} ${t}, $${rdn}, ${word & 7}`;
    case 'ext':
      return `${name} ${t}, ${s}, ${a}, ${rdn + 1}`;
    case 'ins':
      return `${name} ${t}, ${s}, ${a}, ${rdn - a + 1}`;
    case 'code':
      return `${name} ${hex((word >>> 6) & 0xfffff)}`;
    default:
      return name;
  }
}
