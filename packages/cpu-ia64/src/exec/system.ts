// Moves between register files (branch, predicate, application registers, ip, psr.um), the register
// stack instructions (alloc, flushrs, loadrs, cover, clrrrb), break/nop, speculation checks, and the
// memory-ordering instructions that are no-ops on one in-order CPU (mf, srlz, sync, fc, fwb).
import { u64 } from '../bits.js';
import type { Ia64Cpu } from '../cpu.js';
import type { Exec, Insn } from '../decode/insn.js';

export const nop: Exec = () => {};

export const illegal: Exec = (c, d) =>
  c.raise(
    'illegal-operation',
    BigInt(d.raw),
    `illegal instruction (${d.unit}-unit slot 0x${d.raw.toString(16)})`,
  );

/** break: the immediate (d.a) goes to the host hook (Linux system calls use 0x100000). */
export const brk: Exec = (c, d) => {
  if (c.hooks.onBreak?.(d.a, c)) return;
  c.raise('break', BigInt(d.a), `break 0x${d.a.toString(16)}`);
};

function source(c: Ia64Cpu, d: Insn, what: string): bigint {
  if (c.nat(d.r2)) c.raise('register-nat-consumption', BigInt(d.r2), `${what} from NaT register r${d.r2}`);
  return c.gr(d.r2);
}

export const movToBr: Exec = (c, d) => {
  c.br[d.r1 & 7] = source(c, d, 'mov to b');
};
export const movFromBr: Exec = (c, d) => c.setGr(d.r1, c.br[d.r2 & 7]);
export const movFromIp: Exec = (c, d) => c.setGr(d.r1, c.ip);
// The predicate moves copy the physical predicate file, without rotation (as Ski does: it clears
// rrb.pr around them), so that saving and restoring predicates is independent of the rotation base.
export const movFromPr: Exec = (c, d) => {
  let v = 0n;
  for (let p = 63; p > 0; p--) v = (v << 1n) | BigInt(c.prv[p]);
  c.setGr(d.r1, (v << 1n) | 1n);
};

/** mov pr = r2, mask17 (d.imm sign-extended: bit 16 covers p16..p63). */
export const movToPr: Exec = (c, d) => {
  const v = source(c, d, 'mov to pr');
  const mask = u64(d.imm);
  for (let p = 1; p < 64; p++) if ((mask >> BigInt(p)) & 1n) c.prv[p] = Number((v >> BigInt(p)) & 1n);
};

/** mov pr.rot = imm44: p16..p63 from bits 16..63. */
export const movToPrRot: Exec = (c, d) => {
  const v = u64(d.imm);
  for (let p = 16; p < 64; p++) c.prv[p] = Number((v >> BigInt(p)) & 1n);
};

/** mov ar (d.r3 = ar number): M-unit reaches ar0..63, I-unit ar64..127. */
function checkArUnit(c: Ia64Cpu, d: Insn): void {
  if ((d.unit === 'I') !== d.r3 >= 64)
    c.raise('illegal-operation', BigInt(d.r3), `ar${d.r3} is not reachable from the ${d.unit}-unit`);
}

export const movToAr: Exec = (c, d) => {
  checkArUnit(c, d);
  c.writeAr(d.r3, source(c, d, 'mov to ar'));
};
export const movToArImm: Exec = (c, d) => {
  checkArUnit(c, d);
  c.writeAr(d.r3, u64(d.imm));
};
export const movFromAr: Exec = (c, d) => {
  checkArUnit(c, d);
  c.setGr(d.r1, c.readAr(d.r3));
};

const UM_MASK = 0x3en; // psr.be, up, ac, mfl, mfh
export const movFromPsrUm: Exec = (c, d) => c.setGr(d.r1, c.psrUm);
export const movToPsrUm: Exec = (c, d) => {
  c.psrUm = source(c, d, 'mov to psr.um') & UM_MASK;
};
export const sum: Exec = (c, d) => {
  c.psrUm |= BigInt(d.a) & UM_MASK;
};
export const rum: Exec = (c, d) => {
  c.psrUm &= ~BigInt(d.a);
};

/** alloc r1 = ar.pfs, i, l, o, r: d.a = sof, d.b = sol, d.c = sor (in groups of 8). */
export const alloc: Exec = (c, d) => {
  const pfs = c.readAr(64);
  c.alloc(d.a, d.b, d.c);
  c.setGr(d.r1, pfs);
};

export const flushrs: Exec = (c) => c.flushrs();
export const loadrs: Exec = (c) => c.loadrs();
export const cover: Exec = (c, d) => {
  if (!c.hooks.onSystem?.(d, c)) c.cover();
};

export const clrrrb =
  (predicatesOnly: boolean): Exec =>
  (c) => {
    if (!predicatesOnly) {
      c.rrbGr = 0;
      c.rrbFr = 0;
    }
    c.rrbPr = 0;
    c.remap();
  };

/** chk.s r2 / f2: branch to the recovery code when the register holds a deferred fault. */
export const chkS: Exec = (c, d) => {
  if (c.nat(d.r2)) c.branchTo(u64(c.ip + d.imm));
};
export const chkSf: Exec = (c, d) => {
  if (c.fr.isNatVal(d.r2)) c.branchTo(u64(c.ip + d.imm));
};

/** chk.a.nc / chk.a.clr r1 or f1: branch when the ALAT lost the register's entry. */
export const chkA =
  (clear: boolean, fp: boolean): Exec =>
  (c, d) => {
    const key = fp ? 1000 + c.fr.map[d.r1] : c.gidx(d.r1);
    if (!c.alat.hasReg(key)) c.branchTo(u64(c.ip + d.imm));
    else if (clear) c.alat.remove(key);
  };

export const invala: Exec = (c) => c.alat.clear();
export const invalaE =
  (fp: boolean): Exec =>
  (c, d) =>
    c.alat.remove(fp ? 1000 + c.fr.map[d.r1] : c.gidx(d.r1));

/** CPUID registers 0..4: vendor "GenuineIntel", then a version word (5 registers, family 0x1f). */
export const movFromCpuid: Exec = (c, d) => {
  const n = c.gr(d.r3) & 0xffn;
  const values = [0x49656e69756e6547n, 0x6c65746en, 0n, 0x1f000004n, 0n];
  if (n >= BigInt(values.length)) c.raise('reserved-register', n, `cpuid[${n}] is not implemented`);
  c.setGr(d.r1, values[Number(n)]);
};

/** Instructions for the kernel only: the system-mode hook runs them; else Privileged Operation. */
export const privileged: Exec = (c, d) => {
  if (!c.hooks.onSystem?.(d, c))
    c.raise('privileged-operation', BigInt(d.raw), `privileged instruction ${d.name} at user level`);
};
