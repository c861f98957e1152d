// Branches (B1..B5, X3, X4): IP-relative and indirect conditional branches, calls and returns through
// the register stack, and the modulo-scheduled loop branches that count ar.lc/ar.ec and rotate.
// d.imm = IP-relative displacement in bytes; d.a = b1 (call link), d.b = b2 (indirect target).
import { u64 } from '../bits.js';
import { AR, type Ia64Cpu } from '../cpu.js';
import type { Exec, Insn } from '../decode/insn.js';

const relTarget = (c: Ia64Cpu, d: Insn): bigint => u64(c.ip + d.imm);

export const brCond: Exec = (c, d) => c.branchTo(relTarget(c, d));
export const brIndirect: Exec = (c, d) => c.branchTo(c.br[d.b]);

function call(c: Ia64Cpu, d: Insn, target: bigint): void {
  c.br[d.a] = c.ip + 16n;
  c.callFrame();
  c.branchTo(target);
}

export const brCall: Exec = (c, d) => call(c, d, relTarget(c, d));
export const brCallIndirect: Exec = (c, d) => call(c, d, c.br[d.b]);

export const brRet: Exec = (c, d) => {
  const target = c.br[d.b];
  c.returnFrame();
  c.branchTo(target);
};

/** br.cloop: branch while ar.lc != 0, decrementing it. */
export const brCloop: Exec = (c, d) => {
  const lc = c.ar[AR.LC];
  if (lc !== 0n) {
    c.ar[AR.LC] = lc - 1n;
    c.branchTo(relTarget(c, d));
  }
};

/**
 * br.ctop / br.cexit: while ar.lc != 0, count it down with p63 = 1; then drain the pipeline while
 * ar.ec > 1 with p63 = 0; rotating each time it counts. ctop branches back while it continues,
 * cexit branches out when it stops.
 */
export const brCountedLoop =
  (exitForm: boolean): Exec =>
  (c, d) => {
    const lc = c.ar[AR.LC];
    const ec = c.ar[AR.EC];
    let more: boolean;
    if (lc !== 0n) {
      c.ar[AR.LC] = lc - 1n;
      c.prv[c.pmap[63]] = 1;
      more = true;
    } else if (ec !== 0n) {
      c.ar[AR.EC] = ec - 1n;
      c.prv[c.pmap[63]] = 0;
      more = ec > 1n;
    } else {
      c.prv[c.pmap[63]] = 0;
      if (exitForm) c.branchTo(relTarget(c, d));
      return;
    }
    c.rotate();
    if (more !== exitForm) c.branchTo(relTarget(c, d));
  };

/** br.wtop / br.wexit: the qualifying predicate is the loop condition (rows run them always). */
export const brWhileLoop =
  (exitForm: boolean): Exec =>
  (c, d) => {
    const ec = c.ar[AR.EC];
    let more: boolean;
    if (c.pr(d.qp)) {
      c.prv[c.pmap[63]] = 0;
      more = true;
    } else if (ec !== 0n) {
      c.ar[AR.EC] = ec - 1n;
      c.prv[c.pmap[63]] = 0;
      more = ec > 1n;
    } else {
      c.prv[c.pmap[63]] = 0;
      if (exitForm) c.branchTo(relTarget(c, d));
      return;
    }
    c.rotate();
    if (more !== exitForm) c.branchTo(relTarget(c, d));
  };
