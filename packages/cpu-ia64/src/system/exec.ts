// The system instructions, run through the core's onSystem hook: mov to/from cr, psr, rr, pkr;
// itc/itr, ptc/ptr, thash/ttag/tpa/tak, probe; ssm/rsm; rfi, bsw; cover with psr.ic = 0.
// Selection is by the slot's major opcode and x6 (the decode table names the rows for people).
import {
  IA64_FAULT_DACCESS_RIGHTS,
  IA64_FAULT_KEY_PERMISSION,
  IA64_INSERT_OK,
  IA64_INSERT_OVERLAP,
  IA64_NON_ACCESS,
  IA64_OK,
  IA64_READ,
  IA64_WRITE,
} from '@phantasm/mmu';
import type { Ia64Cpu } from '../cpu.js';
import type { Insn } from '../decode/insn.js';
import { CR, IMPLEMENTED_CR, PSR } from './registers.js';
import type { Ia64System } from './system.js';

const M64 = 0xffff_ffff_ffff_ffffn;

function source(c: Ia64Cpu, r: number, what: string): bigint {
  if (c.nat(r)) c.raise('register-nat-consumption', BigInt(r), `${what} from NaT register r${r}`);
  return c.gr(r);
}

function requireKernel(s: Ia64System, c: Ia64Cpu, d: Insn): void {
  if (s.cpl !== 0) c.raise('privileged-operation', BigInt(d.raw), `${d.name} at privilege level ${s.cpl}`);
}

/** ssm/rsm immediate (M44): i (36), i2d (32:31), imm21a (26:6). */
function imm24(raw: number): bigint {
  const hi = Math.floor(raw / 2 ** 31);
  return (BigInt((hi >> 5) & 1) << 23n) | (BigInt(hi & 3) << 21n) | BigInt(Math.floor(raw / 64) & 0x1fffff);
}

function checkInsert(c: Ia64Cpu, status: number, what: string): void {
  if (status === IA64_INSERT_OK) return;
  if (status === IA64_INSERT_OVERLAP)
    c.raise('machine-check', 0n, `machine check: ${what} overlaps a translation register`);
  c.raise('reserved-register', 0n, `${what} with a reserved field, page size or slot`);
}

/** Interruption control registers may only be touched with psr.ic = 0. */
function checkCrAccess(s: Ia64System, c: Ia64Cpu, n: number): void {
  if (!IMPLEMENTED_CR.has(n)) c.raise('illegal-operation', BigInt(n), `cr${n} is reserved`);
  if (n >= CR.ipsr && n <= CR.iha && (s.psr & PSR.ic) !== 0n)
    c.raise('illegal-operation', BigInt(n), `cr${n} accessed with psr.ic = 1`);
}

/** probe: can the page be read/written at privilege level max(cpl, pl)? Misses fault. */
function probe(s: Ia64System, c: Ia64Cpu, d: Insn, write: boolean, pl: number): void {
  const va = source(c, d.r3, 'probe');
  if ((s.psr & PSR.dt) === 0n) {
    c.setGr(d.r1, 1n);
    return;
  }
  const ctx = s.tlb.context;
  const cpl = ctx.cpl;
  ctx.cpl = Math.max(cpl, pl & 3);
  const access = (write ? IA64_WRITE : IA64_READ) | IA64_NON_ACCESS;
  const code = s.tlb.translate(va, access);
  ctx.cpl = cpl;
  s.tlb.flushMicro();
  if (code === IA64_OK) c.setGr(d.r1, 1n);
  else if (code === IA64_FAULT_DACCESS_RIGHTS || code === IA64_FAULT_KEY_PERMISSION) c.setGr(d.r1, 0n);
  else s.translationFault(code, va, access);
}

/** The onSystem hook: true when the instruction was handled here. */
export function systemInstruction(s: Ia64System, c: Ia64Cpu, d: Insn): boolean {
  const op = Math.floor(d.raw / 2 ** 37);
  const x6 = Math.floor(d.raw / 2 ** 27) & 63;
  if (d.name === 'cover') {
    s.coverFrame();
    return true;
  }
  if (d.unit === 'B') {
    requireKernel(s, c, d);
    if (x6 === 0x08) s.rfi();
    else if (x6 === 0x0c) s.switchBank(0);
    else if (x6 === 0x0d) s.switchBank(1);
    else return false;
    return true;
  }
  if (op === 0) {
    // M-unit opcode 0: ssm (0x06), rsm (0x07)
    requireKernel(s, c, d);
    const mask = imm24(d.raw);
    if (x6 === 0x06) s.setPsr(s.psr | mask);
    else if (x6 === 0x07) s.setPsr(s.psr & ~mask);
    else return false;
    return true;
  }
  const tlb = s.tlb;
  switch (x6) {
    case 0x1a: // thash (any privilege)
      c.setGr(d.r1, tlb.thash(source(c, d.r3, 'thash')));
      return true;
    case 0x1b: // ttag
      c.setGr(d.r1, tlb.ttag(source(c, d.r3, 'ttag')));
      return true;
    case 0x18:
    case 0x19:
      probe(s, c, d, x6 === 0x19, d.r2 & 3);
      return true;
    case 0x38:
    case 0x39:
      probe(s, c, d, x6 === 0x39, Number(source(c, d.r2, 'probe') & 3n));
      return true;
  }
  // itc and itr check psr.ic before the privilege level (SDM pseudo-code; Ski agrees)
  if ((x6 === 0x2e || x6 === 0x2f || x6 === 0x0e || x6 === 0x0f) && (s.psr & PSR.ic) !== 0n)
    c.raise('illegal-operation', 0n, `${d.name} with psr.ic = 1`);
  requireKernel(s, c, d);
  switch (x6) {
    case 0x00: // mov rr[r3] = r2
      if (!tlb.setRr(Number(source(c, d.r3, 'mov rr') >> 61n), source(c, d.r2, 'mov rr')))
        c.raise('reserved-register', 0n, 'mov rr with reserved bits or an unsupported page size');
      return true;
    case 0x10:
      c.setGr(d.r1, tlb.rr[Number(source(c, d.r3, 'mov from rr') >> 61n)]);
      return true;
    case 0x03:
      if (!tlb.setPkr(Number(source(c, d.r3, 'mov pkr') & 0xffn), source(c, d.r2, 'mov pkr')))
        c.raise('reserved-register', 0n, 'mov pkr to a register that does not exist');
      return true;
    case 0x13: {
      const i = Number(source(c, d.r3, 'mov from pkr') & 0xffn);
      if (i >= tlb.pkr.length) c.raise('reserved-register', BigInt(i), `pkr${i} does not exist`);
      c.setGr(d.r1, tlb.pkr[i]);
      return true;
    }
    case 0x2c: // mov cr[r3] = r2
      checkCrAccess(s, c, d.r3);
      if (!s.writeCr(d.r3, source(c, d.r2, 'mov to cr')))
        c.raise('illegal-operation', BigInt(d.r3), `cr${d.r3} is read-only`);
      return true;
    case 0x24:
      checkCrAccess(s, c, d.r3);
      c.setGr(d.r1, s.readCr(d.r3));
      return true;
    case 0x2d: // mov psr.l = r2: bits 31:0
      s.setPsr((s.psr & ~0xffff_ffffn) | (source(c, d.r2, 'mov psr.l') & 0xffff_ffffn));
      return true;
    case 0x25: // mov r1 = psr: bits 36:35 and 31:0
      c.setGr(d.r1, s.psr & 0x18_ffff_ffffn);
      return true;
    case 0x2e:
    case 0x2f: {
      if ((s.psr & PSR.ic) !== 0n) c.raise('illegal-operation', 0n, 'itc with psr.ic = 1');
      const pte = source(c, d.r2, 'itc');
      checkInsert(c, tlb.insertTc(x6 === 0x2f, s.cr[CR.ifa], pte, s.cr[CR.itir]), 'itc');
      return true;
    }
    case 0x0e:
    case 0x0f: {
      if ((s.psr & PSR.ic) !== 0n) c.raise('illegal-operation', 0n, 'itr with psr.ic = 1');
      const slot = Number(source(c, d.r3, 'itr') & 0xffn);
      const pte = source(c, d.r2, 'itr');
      checkInsert(c, tlb.insertTr(x6 === 0x0f, slot, s.cr[CR.ifa], pte, s.cr[CR.itir]), 'itr');
      return true;
    }
    case 0x09:
    case 0x0a:
    case 0x0b: {
      const va = source(c, d.r3, 'ptc');
      const ps = Number((source(c, d.r2, 'ptc') >> 2n) & 63n);
      checkInsert(c, tlb.purgeTc(va, ps), 'ptc');
      return true;
    }
    case 0x34:
      tlb.purgeAllTc();
      return true;
    case 0x0c:
    case 0x0d: {
      const va = source(c, d.r3, 'ptr');
      const ps = Number((source(c, d.r2, 'ptr') >> 2n) & 63n);
      checkInsert(c, tlb.purgeTr(x6 === 0x0d, va, ps), 'ptr');
      return true;
    }
    case 0x1e: {
      // tpa: the physical address of a data reference (no access/dirty bit faults)
      const va = source(c, d.r3, 'tpa');
      const code = tlb.translate(va, IA64_READ | IA64_NON_ACCESS);
      if (code !== IA64_OK) s.translationFault(code, va, IA64_READ);
      c.setGr(d.r1, tlb.physical & M64);
      return true;
    }
    case 0x1f: {
      // tak: the protection key of the data page (in its PKR position, bits 31:8, as Ski gives it),
      // 1 when there is no present translation
      const e = (s.psr & PSR.dt) !== 0n ? tlb.lookup(false, source(c, d.r3, 'tak')) : undefined;
      c.setGr(d.r1, e && e.pte & 1n ? BigInt(e.key) << 8n : 1n);
      return true;
    }
  }
  return false;
}
