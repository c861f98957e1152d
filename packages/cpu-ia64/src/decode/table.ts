// The instruction set as data: one row per instruction (or per generated family member), selecting
// on the unit, the major opcode (bits 40..37) and named extension fields. The first matching row
// wins. A-unit rows serve both I and M slots (major opcodes 8..15).
import * as alu from '../exec/alu.js';
import * as br from '../exec/branch.js';
import { type CType, cmp, type Rel, tbit } from '../exec/compare.js';
import { FP_ROWS } from '../exec/fp-rows.js';
import * as mem from '../exec/memory.js';
import * as mm from '../exec/multimedia.js';
import * as sh from '../exec/shift.js';
import * as sys from '../exec/system.js';
import type { FormName } from './formats.js';
import type { Exec } from './insn.js';

/** Extension fields by name: [lowest bit, width]. */
export const FIELDS = {
  x2a: [34, 2], // A: x2a; compares and I op 5: x2
  ve: [33, 1],
  x4: [29, 4],
  x2b: [27, 2],
  za: [36, 1],
  zb: [33, 1],
  tb: [36, 1],
  ta: [33, 1],
  c: [12, 1],
  ve7: [32, 1], // I op 7
  x2c: [30, 2],
  x2b7: [28, 2],
  y: [13, 1], // I op 5
  y26: [26, 1],
  x3: [33, 3], // I/M/B op 0/1
  x6: [27, 6],
  m: [36, 1], // M memory
  x6m: [30, 6],
  xm: [27, 1],
  btype: [6, 3],
  x6f: [27, 6], // F op 0/1 (same bits as x6, named for readability)
  q: [36, 1],
} as const satisfies Record<string, readonly [number, number]>;

export type FieldName = keyof typeof FIELDS;
export type RowUnit = 'A' | 'I' | 'M' | 'B' | 'F' | 'X';

export interface Row {
  unit: RowUnit;
  op: number;
  when: Partial<Record<FieldName, number>>;
  name: string;
  form: FormName;
  exec: Exec;
  /** Execute regardless of qp (the handler reads qp itself). */
  always?: boolean;
  /** Preset d.b (access size) and d.c (post-increment kind) for memory rows. */
  size?: number;
  post?: number;
}

const rows: Row[] = [];
export function row(
  unit: RowUnit,
  op: number,
  when: Row['when'],
  name: string,
  form: FormName,
  exec: Exec,
  extra: Partial<Row> = {},
): void {
  rows.push({ unit, op, when, name, form, exec, ...extra });
}

// ---- A unit: integer ALU (A1..A5) ----------------------------------------------------------
row('A', 8, { x2a: 0, ve: 0, x4: 0, x2b: 0 }, 'add', 'none', alu.reg3(alu.add));
row('A', 8, { x2a: 0, ve: 0, x4: 0, x2b: 1 }, 'add', 'none', alu.reg3(alu.addPlus1));
row('A', 8, { x2a: 0, ve: 0, x4: 1, x2b: 1 }, 'sub', 'none', alu.reg3(alu.sub));
row('A', 8, { x2a: 0, ve: 0, x4: 1, x2b: 0 }, 'sub', 'none', alu.reg3(alu.subMinus1));
row('A', 8, { x2a: 0, ve: 0, x4: 2, x2b: 0 }, 'addp4', 'none', alu.reg3(alu.addp4));
row('A', 8, { x2a: 0, ve: 0, x4: 3, x2b: 0 }, 'and', 'none', alu.reg3(alu.and));
row('A', 8, { x2a: 0, ve: 0, x4: 3, x2b: 1 }, 'andcm', 'none', alu.reg3(alu.andcm));
row('A', 8, { x2a: 0, ve: 0, x4: 3, x2b: 2 }, 'or', 'none', alu.reg3(alu.or));
row('A', 8, { x2a: 0, ve: 0, x4: 3, x2b: 3 }, 'xor', 'none', alu.reg3(alu.xor));
row('A', 8, { x2a: 0, ve: 0, x4: 4 }, 'shladd', 'count2', alu.shladd);
row('A', 8, { x2a: 0, ve: 0, x4: 6 }, 'shladdp4', 'count2', alu.shladdp4);
row('A', 8, { x2a: 0, ve: 0, x4: 9, x2b: 1 }, 'sub', 'imm8', alu.imm3(alu.sub));
row('A', 8, { x2a: 0, ve: 0, x4: 0xb, x2b: 0 }, 'and', 'imm8', alu.imm3(alu.and));
row('A', 8, { x2a: 0, ve: 0, x4: 0xb, x2b: 1 }, 'andcm', 'imm8', alu.imm3(alu.andcm));
row('A', 8, { x2a: 0, ve: 0, x4: 0xb, x2b: 2 }, 'or', 'imm8', alu.imm3(alu.or));
row('A', 8, { x2a: 0, ve: 0, x4: 0xb, x2b: 3 }, 'xor', 'imm8', alu.imm3(alu.xor));
row('A', 8, { x2a: 2, ve: 0 }, 'adds', 'imm14', alu.imm3(alu.add));
row('A', 8, { x2a: 3, ve: 0 }, 'addp4', 'imm14', alu.imm3(alu.addp4));
row('A', 9, {}, 'addl', 'imm22', alu.imm3(alu.add));

// ---- A unit: multimedia (A9, A10); lane size from za:zb ----------------------------------------
const LANE: [number, number, number][] = [
  [0, 0, 1],
  [0, 1, 2],
  [1, 0, 4],
];
const SATS: mm.Sat[] = ['mod', 'sss', 'uuu', 'uus'];
for (const [za, zb, bytes] of LANE) {
  for (let x2b = 0; x2b < 4; x2b++) {
    if (bytes === 4 && x2b > 0) continue;
    const sat = SATS[x2b];
    const suffix = sat === 'mod' ? '' : `.${sat}`;
    row('A', 8, { x2a: 1, za, zb, x4: 0, x2b }, `padd${bytes}${suffix}`, 'none', mm.padd(bytes, sat));
    row('A', 8, { x2a: 1, za, zb, x4: 1, x2b }, `psub${bytes}${suffix}`, 'none', mm.psub(bytes, sat));
  }
  if (bytes < 4) {
    row('A', 8, { x2a: 1, za, zb, x4: 2, x2b: 2 }, `pavg${bytes}`, 'none', mm.pavg(bytes, false));
    row('A', 8, { x2a: 1, za, zb, x4: 2, x2b: 3 }, `pavg${bytes}.raz`, 'none', mm.pavg(bytes, true));
    row('A', 8, { x2a: 1, za, zb, x4: 3, x2b: 2 }, `pavgsub${bytes}`, 'none', mm.pavgsub(bytes));
  }
  row('A', 8, { x2a: 1, za, zb, x4: 9, x2b: 0 }, `pcmp${bytes}.eq`, 'none', mm.pcmp(bytes, false));
  row('A', 8, { x2a: 1, za, zb, x4: 9, x2b: 1 }, `pcmp${bytes}.gt`, 'none', mm.pcmp(bytes, true));
}
row('A', 8, { x2a: 1, za: 0, zb: 1, x4: 4 }, 'pshladd2', 'count2', mm.pshAdd2(true));
row('A', 8, { x2a: 1, za: 0, zb: 1, x4: 6 }, 'pshradd2', 'count2', mm.pshAdd2(false));

// ---- A unit: compares (A6 register, A7 against r0, A8 imm8); index tb*4 + ta*2 + c -------------
const CMP: Record<number, [Rel, CType][]> = {
  12: [
    ['lt', 'none'],
    ['lt', 'unc'],
    ['eq', 'and'],
    ['ne', 'and'],
    ['gt', 'and'],
    ['le', 'and'],
    ['ge', 'and'],
    ['lt', 'and'],
  ],
  13: [
    ['ltu', 'none'],
    ['ltu', 'unc'],
    ['eq', 'or'],
    ['ne', 'or'],
    ['gt', 'or'],
    ['le', 'or'],
    ['ge', 'or'],
    ['lt', 'or'],
  ],
  14: [
    ['eq', 'none'],
    ['eq', 'unc'],
    ['eq', 'or.andcm'],
    ['ne', 'or.andcm'],
    ['gt', 'or.andcm'],
    ['le', 'or.andcm'],
    ['ge', 'or.andcm'],
    ['lt', 'or.andcm'],
  ],
};
const cmpName = (bits: number, rel: Rel, type: CType) =>
  `cmp${bits === 32 ? '4' : ''}.${rel}${type === 'none' ? '' : `.${type}`}`;
for (const [opText, forms] of Object.entries(CMP)) {
  const op = Number(opText);
  for (const [x2, bits] of [
    [0, 64],
    [1, 32],
  ] as const) {
    forms.forEach(([rel, type], k) => {
      const when = { x2a: x2, tb: k >> 2, ta: (k >> 1) & 1, c: k & 1 };
      const always = type === 'unc';
      row('A', op, when, cmpName(bits, rel, type), 'none', cmp(rel, type, bits, k >= 4 ? 'zero' : 'reg'), {
        always,
      });
      if (k < 4) {
        const imm = { x2a: x2 + 2, ta: (k >> 1) & 1, c: k & 1 };
        row('A', op, imm, cmpName(bits, rel, type), 'imm8', cmp(rel, type, bits, 'imm'), { always });
      }
    });
  }
}

// ---- I unit: shifts and multimedia (I1..I9, op 7) ---------------------------------------------
const i7 = (za: number, zb: number, x2a: number, x2c: number, x2b7: number) => ({
  za,
  zb,
  x2a,
  ve7: 0,
  x2c,
  x2b7,
});
row('I', 7, i7(1, 1, 0, 1, 0), 'shl', 'none', sh.shl);
row('I', 7, i7(1, 1, 0, 0, 2), 'shr', 'none', sh.shr);
row('I', 7, i7(1, 1, 0, 0, 0), 'shr.u', 'none', sh.shrU);
for (const [za, zb, bytes] of LANE.slice(1)) {
  row('I', 7, i7(za, zb, 0, 1, 0), `pshl${bytes}`, 'none', mm.pshl(bytes, true));
  row('I', 7, i7(za, zb, 3, 1, 1), `pshl${bytes}`, 'pshlImm', mm.pshl(bytes, false));
  row('I', 7, i7(za, zb, 0, 0, 2), `pshr${bytes}`, 'none', mm.pshr(bytes, true, true));
  row('I', 7, i7(za, zb, 0, 0, 0), `pshr${bytes}.u`, 'none', mm.pshr(bytes, false, true));
  row('I', 7, i7(za, zb, 1, 0, 3), `pshr${bytes}`, 'pshrImm', mm.pshr(bytes, true, false));
  row('I', 7, i7(za, zb, 1, 0, 1), `pshr${bytes}.u`, 'pshrImm', mm.pshr(bytes, false, false));
}
row('I', 7, i7(0, 1, 2, 3, 1), 'pmpy2.r', 'none', mm.pmpy2(false));
row('I', 7, i7(0, 1, 2, 3, 3), 'pmpy2.l', 'none', mm.pmpy2(true));
row('I', 7, { za: 0, zb: 1, x2a: 0, ve7: 0, x2b7: 3 }, 'pmpyshr2', 'pmpyshr', mm.pmpyshr2(false));
row('I', 7, { za: 0, zb: 1, x2a: 0, ve7: 0, x2b7: 1 }, 'pmpyshr2.u', 'pmpyshr', mm.pmpyshr2(true));
for (const [za, zb, bytes] of LANE) {
  row('I', 7, i7(za, zb, 2, 2, 0), `mix${bytes}.r`, 'none', mm.mix(bytes, false));
  row('I', 7, i7(za, zb, 2, 2, 2), `mix${bytes}.l`, 'none', mm.mix(bytes, true));
  row('I', 7, i7(za, zb, 2, 1, 0), `unpack${bytes}.h`, 'none', mm.unpack(bytes, true));
  row('I', 7, i7(za, zb, 2, 1, 2), `unpack${bytes}.l`, 'none', mm.unpack(bytes, false));
}
row('I', 7, i7(0, 1, 2, 0, 0), 'pack2.uss', 'none', mm.pack(2, true));
row('I', 7, i7(0, 1, 2, 0, 2), 'pack2.sss', 'none', mm.pack(2, false));
row('I', 7, i7(1, 0, 2, 0, 2), 'pack4.sss', 'none', mm.pack(4, false));
row('I', 7, i7(0, 0, 2, 0, 1), 'pmin1.u', 'none', mm.pminmax(1, false, false));
row('I', 7, i7(0, 0, 2, 1, 1), 'pmax1.u', 'none', mm.pminmax(1, true, false));
row('I', 7, i7(0, 1, 2, 0, 3), 'pmin2', 'none', mm.pminmax(2, false, true));
row('I', 7, i7(0, 1, 2, 1, 3), 'pmax2', 'none', mm.pminmax(2, true, true));
row('I', 7, i7(0, 0, 2, 2, 3), 'psad1', 'none', mm.psad1);
row('I', 7, i7(0, 0, 3, 2, 2), 'mux1', 'mux1', mm.mux1);
row('I', 7, i7(0, 1, 3, 2, 2), 'mux2', 'mux2', mm.mux2);
row('I', 7, i7(0, 1, 1, 2, 1), 'popcnt', 'none', sh.popcnt);
row('I', 7, i7(0, 1, 1, 3, 1), 'clz', 'none', sh.clz);

// ---- I unit: deposit, extract, shift pair, bit tests (op 4, op 5) -----------------------------
row('I', 4, {}, 'dep', 'dep', sh.dep);
row('I', 5, { x2a: 3, ta: 0 }, 'shrp', 'count6', sh.shrp);
row('I', 5, { x2a: 3, ta: 1 }, 'dep', 'depImm1', sh.depImm);
row('I', 5, { x2a: 1, ta: 0, y: 0 }, 'extr.u', 'extr', sh.extr(false));
row('I', 5, { x2a: 1, ta: 0, y: 1 }, 'extr', 'extr', sh.extr(true));
row('I', 5, { x2a: 1, ta: 1, y26: 0 }, 'dep.z', 'depZ', sh.depZ(false));
row('I', 5, { x2a: 1, ta: 1, y26: 1 }, 'dep.z', 'depZImm', sh.depZ(true));
// (tb, ta) select the type, c the relation: 0 → z, 1 → nz
const TBIT_TYPES: CType[][] = [
  ['none', 'unc'],
  ['or', 'or'],
  ['and', 'and'],
  ['or.andcm', 'or.andcm'],
];
for (const natTest of [false, true]) {
  for (let k = 0; k < 8; k++) {
    const tb = k >> 2;
    const ta = (k >> 1) & 1;
    const cc = k & 1;
    const type = TBIT_TYPES[tb * 2 + ta][cc];
    const z = tb === 0 && ta === 0 ? true : cc === 0;
    const name = `${natTest ? 'tnat' : 'tbit'}.${z ? 'z' : 'nz'}${type === 'none' ? '' : `.${type}`}`;
    row(
      'I',
      5,
      { x2a: 0, tb, ta, c: cc, y: natTest ? 1 : 0 },
      name,
      natTest ? 'none' : 'pos6',
      tbit(z, type, natTest),
      {
        always: type === 'unc',
      },
    );
  }
}

// ---- I unit: misc (op 0) ----------------------------------------------------------------------
row('I', 0, { x3: 0, x6: 0x00 }, 'break.i', 'imm21', sys.brk);
row('I', 0, { x3: 0, x6: 0x01 }, 'nop.i', 'imm21', sys.nop);
row('I', 0, { x3: 0, x6: 0x0a }, 'mov.i', 'imm8', sys.movToArImm);
const EXT: [number, string, Exec][] = [
  [0x10, 'zxt1', sh.zxt(1)],
  [0x11, 'zxt2', sh.zxt(2)],
  [0x12, 'zxt4', sh.zxt(4)],
  [0x14, 'sxt1', sh.sxt(1)],
  [0x15, 'sxt2', sh.sxt(2)],
  [0x16, 'sxt4', sh.sxt(4)],
  [0x18, 'czx1.l', sh.czx(8, true)],
  [0x19, 'czx2.l', sh.czx(16, true)],
  [0x1c, 'czx1.r', sh.czx(8, false)],
  [0x1d, 'czx2.r', sh.czx(16, false)],
];
for (const [x6, name, exec] of EXT) row('I', 0, { x3: 0, x6 }, name, 'none', exec);
row('I', 0, { x3: 0, x6: 0x2a }, 'mov.i', 'none', sys.movToAr);
row('I', 0, { x3: 0, x6: 0x30 }, 'mov', 'none', sys.movFromIp);
row('I', 0, { x3: 0, x6: 0x31 }, 'mov', 'none', sys.movFromBr);
row('I', 0, { x3: 0, x6: 0x32 }, 'mov.i', 'none', sys.movFromAr);
row('I', 0, { x3: 0, x6: 0x33 }, 'mov', 'none', sys.movFromPr);
row('I', 0, { x3: 1 }, 'chk.s.i', 'chkS', sys.chkS);
row('I', 0, { x3: 2 }, 'mov', 'prRot', sys.movToPrRot);
row('I', 0, { x3: 3 }, 'mov', 'prMask', sys.movToPr);
row('I', 0, { x3: 7 }, 'mov', 'none', sys.movToBr);

// ---- M unit: system and memory management (op 0, op 1) ----------------------------------------
row('M', 0, { x3: 0, x6: 0x00 }, 'break.m', 'imm21', sys.brk);
row('M', 0, { x3: 0, x6: 0x01 }, 'nop.m', 'imm21', sys.nop);
row('M', 0, { x3: 0, x6: 0x04 }, 'sum', 'imm21', sys.sum);
row('M', 0, { x3: 0, x6: 0x05 }, 'rum', 'imm21', sys.rum);
row('M', 0, { x3: 0, x6: 0x06 }, 'ssm', 'imm21', sys.privileged);
row('M', 0, { x3: 0, x6: 0x07 }, 'rsm', 'imm21', sys.privileged);
row('M', 0, { x3: 0, x6: 0x0a }, 'loadrs', 'none', sys.loadrs);
row('M', 0, { x3: 0, x6: 0x0c }, 'flushrs', 'none', sys.flushrs);
row('M', 0, { x3: 0, x6: 0x10 }, 'invala', 'none', sys.invala);
row('M', 0, { x3: 0, x6: 0x12 }, 'invala.e', 'none', sys.invalaE(false));
row('M', 0, { x3: 0, x6: 0x13 }, 'invala.e', 'none', sys.invalaE(true));
row('M', 0, { x3: 0, x6: 0x20 }, 'fwb', 'none', sys.nop);
row('M', 0, { x3: 0, x6: 0x22 }, 'mf', 'none', sys.nop);
row('M', 0, { x3: 0, x6: 0x23 }, 'mf.a', 'none', sys.nop);
row('M', 0, { x3: 0, x6: 0x28 }, 'mov.m', 'imm8', sys.movToArImm);
row('M', 0, { x3: 0, x6: 0x30 }, 'srlz.d', 'none', sys.nop);
row('M', 0, { x3: 0, x6: 0x31 }, 'srlz.i', 'none', sys.nop);
row('M', 0, { x3: 0, x6: 0x33 }, 'sync.i', 'none', sys.nop);
row('M', 0, { x3: 4 }, 'chk.a.nc', 'chkA', sys.chkA(false, false));
row('M', 0, { x3: 5 }, 'chk.a.clr', 'chkA', sys.chkA(true, false));
row('M', 0, { x3: 6 }, 'chk.a.nc', 'chkA', sys.chkA(false, true));
row('M', 0, { x3: 7 }, 'chk.a.clr', 'chkA', sys.chkA(true, true));
row('M', 1, { x3: 0, x6: 0x2a }, 'mov.m', 'none', sys.movToAr);
row('M', 1, { x3: 0, x6: 0x22 }, 'mov.m', 'none', sys.movFromAr);
row('M', 1, { x3: 0, x6: 0x30 }, 'fc', 'none', sys.nop);
row('M', 1, { x3: 0, x6: 0x21 }, 'mov', 'none', sys.movFromPsrUm);
row('M', 1, { x3: 0, x6: 0x29 }, 'mov', 'none', sys.movToPsrUm);
row('M', 1, { x3: 0, x6: 0x17 }, 'mov', 'none', sys.movFromCpuid);
// system instructions (M42..M47 and mov cr/psr): run by the system-mode hook (src/system/exec.ts)
for (const [x6, name] of [
  [0x00, 'mov'], // rr[r3] = r2
  [0x03, 'mov'], // pkr[r3] = r2
  [0x09, 'ptc.l'],
  [0x0a, 'ptc.g'],
  [0x0b, 'ptc.ga'],
  [0x0c, 'ptr.d'],
  [0x0d, 'ptr.i'],
  [0x0e, 'itr.d'],
  [0x0f, 'itr.i'],
  [0x10, 'mov'], // r1 = rr[r3]
  [0x13, 'mov'], // r1 = pkr[r3]
  [0x18, 'probe.r'], // imm2
  [0x19, 'probe.w'],
  [0x1a, 'thash'],
  [0x1b, 'ttag'],
  [0x1e, 'tpa'],
  [0x1f, 'tak'],
  [0x24, 'mov'], // r1 = cr[r3]
  [0x25, 'mov'], // r1 = psr
  [0x2c, 'mov'], // cr[r3] = r2
  [0x2d, 'mov'], // psr.l = r2
  [0x2e, 'itc.d'],
  [0x2f, 'itc.i'],
  [0x34, 'ptc.e'],
  [0x38, 'probe.r'],
  [0x39, 'probe.w'],
] as const)
  row('M', 1, { x3: 0, x6 }, name, 'none', sys.privileged);
row('M', 1, { x3: 1 }, 'chk.s.m', 'chkS', sys.chkS);
row('M', 1, { x3: 3 }, 'chk.s', 'chkS', sys.chkSf);
row('M', 1, { x3: 6 }, 'alloc', 'alloc', sys.alloc);

// ---- M unit: integer loads, stores, semaphores (op 4, op 5) -----------------------------------
const LOADS: [number, string, mem.LoadKind][] = [
  [0x00, '', 'plain'],
  [0x04, '.s', 's'],
  [0x08, '.a', 'a'],
  [0x0c, '.sa', 'sa'],
  [0x10, '.bias', 'plain'],
  [0x14, '.acq', 'plain'],
  [0x20, '.c.clr', 'c.clr'],
  [0x24, '.c.nc', 'c.nc'],
  [0x28, '.c.clr.acq', 'c.clr'],
];
for (const [base, suffix, kind] of LOADS) {
  for (let k = 0; k < 4; k++) {
    const size = 1 << k;
    const name = `ld${size}${suffix}`;
    const exec = mem.ld(kind);
    row('M', 4, { m: 0, xm: 0, x6m: base + k }, name, 'none', exec, { size, post: mem.POST_NONE });
    row('M', 4, { m: 1, xm: 0, x6m: base + k }, name, 'none', exec, { size, post: mem.POST_REG });
    row('M', 5, { x6m: base + k }, name, 'postImmLoad', exec, { size, post: mem.POST_IMM });
  }
}
row('M', 4, { m: 0, xm: 0, x6m: 0x1b }, 'ld8.fill', 'none', mem.ld('fill'), { size: 8, post: mem.POST_NONE });
row('M', 4, { m: 1, xm: 0, x6m: 0x1b }, 'ld8.fill', 'none', mem.ld('fill'), { size: 8, post: mem.POST_REG });
row('M', 5, { x6m: 0x1b }, 'ld8.fill', 'postImmLoad', mem.ld('fill'), { size: 8, post: mem.POST_IMM });
for (const [base, suffix] of [
  [0x30, ''],
  [0x34, '.rel'],
] as const) {
  for (let k = 0; k < 4; k++) {
    const size = 1 << k;
    row('M', 4, { m: 0, xm: 0, x6m: base + k }, `st${size}${suffix}`, 'none', mem.st(false), {
      size,
      post: mem.POST_NONE,
    });
    row('M', 5, { x6m: base + k }, `st${size}${suffix}`, 'postImmStore', mem.st(false), {
      size,
      post: mem.POST_IMM,
    });
  }
}
row('M', 4, { m: 0, xm: 0, x6m: 0x3b }, 'st8.spill', 'none', mem.st(true), { size: 8, post: mem.POST_NONE });
row('M', 5, { x6m: 0x3b }, 'st8.spill', 'postImmStore', mem.st(true), { size: 8, post: mem.POST_IMM });
for (let k = 0; k < 4; k++) {
  const size = 1 << k;
  row('M', 4, { m: 0, xm: 1, x6m: k }, `cmpxchg${size}.acq`, 'none', mem.cmpxchg, { size });
  row('M', 4, { m: 0, xm: 1, x6m: 4 + k }, `cmpxchg${size}.rel`, 'none', mem.cmpxchg, { size });
  row('M', 4, { m: 0, xm: 1, x6m: 8 + k }, `xchg${size}`, 'none', mem.xchg, { size });
}
for (const [x6m, name, size] of [
  [0x12, 'fetchadd4.acq', 4],
  [0x13, 'fetchadd8.acq', 8],
  [0x16, 'fetchadd4.rel', 4],
  [0x17, 'fetchadd8.rel', 8],
] as const) {
  row('M', 4, { m: 0, xm: 1, x6m }, name, 'inc3', mem.fetchadd, { size });
}

// ---- B unit ----------------------------------------------------------------------------------
row('B', 0, { x6: 0x00 }, 'break.b', 'imm21', sys.brk);
row('B', 0, { x6: 0x02 }, 'cover', 'none', sys.cover);
row('B', 0, { x6: 0x04 }, 'clrrrb', 'none', sys.clrrrb(false));
row('B', 0, { x6: 0x05 }, 'clrrrb.pr', 'none', sys.clrrrb(true));
row('B', 0, { x6: 0x08 }, 'rfi', 'none', sys.privileged);
row('B', 0, { x6: 0x0c }, 'bsw.0', 'none', sys.privileged);
row('B', 0, { x6: 0x0d }, 'bsw.1', 'none', sys.privileged);
row('B', 0, { x6: 0x10 }, 'epc', 'none', sys.nop);
row('B', 0, { x6: 0x20, btype: 0 }, 'br.cond', 'branchIndirect', br.brIndirect);
row('B', 0, { x6: 0x20, btype: 1 }, 'br.ia', 'branchIndirect', br.brIndirect);
row('B', 0, { x6: 0x21, btype: 4 }, 'br.ret', 'branchIndirect', br.brRet);
row('B', 1, {}, 'br.call', 'branchIndirect', br.brCallIndirect);
row('B', 2, { x6: 0x00 }, 'nop.b', 'imm21', sys.nop);
row('B', 2, { x6: 0x01 }, 'hint.b', 'imm21', sys.nop);
row('B', 2, { x6: 0x10 }, 'brp', 'none', sys.nop);
row('B', 2, { x6: 0x11 }, 'brp.ret', 'none', sys.nop);
row('B', 4, { btype: 0 }, 'br.cond', 'branch', br.brCond);
row('B', 4, { btype: 2 }, 'br.wexit', 'branch', br.brWhileLoop(true), { always: true });
row('B', 4, { btype: 3 }, 'br.wtop', 'branch', br.brWhileLoop(false), { always: true });
row('B', 4, { btype: 5 }, 'br.cloop', 'branch', br.brCloop);
row('B', 4, { btype: 6 }, 'br.cexit', 'branch', br.brCountedLoop(true));
row('B', 4, { btype: 7 }, 'br.ctop', 'branch', br.brCountedLoop(false));
row('B', 5, {}, 'br.call', 'branch', br.brCall);
row('B', 7, {}, 'brp', 'none', sys.nop);

// ---- X unit (the L+X pair of MLX bundles; decodeLX assembles the long immediate) --------------
row('X', 6, {}, 'movl', 'none', alu.movl);
row('X', 0, { x3: 0, x6: 0x00 }, 'break.x', 'none', sys.brk);
row('X', 0, { x3: 0, x6: 0x01 }, 'nop.x', 'none', sys.nop);
row('X', 0xc, { btype: 0 }, 'brl.cond', 'branch', br.brCond);
row('X', 0xd, {}, 'brl.call', 'branch', br.brCall);

// ---- F unit and FP memory operations --------------------------------------------------------
for (const r of FP_ROWS) rows.push(r);

/** Every row, in match order. */
export const ROWS: readonly Row[] = rows;
