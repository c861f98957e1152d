// One decoded instruction: the fields every handler may need, extracted once when its bundle is first
// fetched. All instances share one shape so that the run loop's property reads stay monomorphic.
import type { Ia64Cpu } from '../cpu.js';
import type { Unit } from './bundle.js';

export type Exec = (cpu: Ia64Cpu, d: Insn) => void;

export class Insn {
  /** Mnemonic of the table row (with completers that select a different operation). */
  name = '';
  unit: Unit = 'M';
  /** The raw 41-bit slot. */
  raw = 0;
  qp = 0;
  r1 = 0;
  r2 = 0;
  r3 = 0;
  p1 = 0;
  p2 = 0;
  /** Immediate (sign-extended where the format says so), or a branch displacement in bytes. */
  imm = 0n;
  /** Small format-specific numbers: counts, positions, lengths, access sizes. */
  a = 0;
  b = 0;
  c = 0;
  /** Run even when the qualifying predicate is 0 (unc compares, wtop/wexit, br.call/ret forms). */
  always = false;
  exec: Exec;

  constructor(exec: Exec) {
    this.exec = exec;
  }
}
