// Floating-point rows: the F unit and the FP forms of M-unit loads, stores and setf/getf.
import type { Row } from '../decode/table.js';
import * as fp from './fp.js';
import { lfetch, POST_IMM, POST_NONE, POST_REG } from './memory.js';
import { nop } from './system.js';

export const FP_ROWS: Row[] = [];
const row = (r: Row) => FP_ROWS.push(r);

// fma family: op 8/10/12 (x = .s), op 9/11/13 (.d); the product f3 * f4, the addend f2
const FMA: [number, string, boolean, boolean][] = [
  [8, 'fma', false, false],
  [10, 'fms', false, true],
  [12, 'fnma', true, false],
];
for (const [op, name, negP, negA] of FMA) {
  row({ unit: 'F', op, when: { q: 0 }, name, form: 'fma', exec: fp.fmaOp('sf', negP, negA) });
  row({ unit: 'F', op, when: { q: 1 }, name: `${name}.s`, form: 'fma', exec: fp.fmaOp('s', negP, negA) });
  row({
    unit: 'F',
    op: op + 1,
    when: { q: 0 },
    name: `${name}.d`,
    form: 'fma',
    exec: fp.fmaOp('d', negP, negA),
  });
}
row({ unit: 'F', op: 14, when: { q: 0 }, name: 'fselect', form: 'fma', exec: fp.fselect });
row({ unit: 'F', op: 14, when: { q: 1, x2a: 0 }, name: 'xma.l', form: 'fma', exec: fp.xma('l') });
row({ unit: 'F', op: 14, when: { q: 1, x2a: 3 }, name: 'xma.h', form: 'fma', exec: fp.xma('h') });
row({ unit: 'F', op: 14, when: { q: 1, x2a: 2 }, name: 'xma.hu', form: 'fma', exec: fp.xma('hu') });
// fcmp: relation from ra (bit 36) and rb (bit 33), ta (bit 12) = unc
const RELS = ['eq', 'lt', 'le', 'unord'];
RELS.forEach((rel, k) => {
  for (const unc of [0, 1]) {
    row({
      unit: 'F',
      op: 4,
      when: { q: k & 1, ta: k >> 1, c: unc },
      name: `fcmp.${rel}${unc ? '.unc' : ''}`,
      form: 'sf',
      exec: fp.fcmp(unc === 1),
      always: unc === 1,
      post: k,
    });
  }
});
for (const unc of [0, 1]) {
  row({
    unit: 'F',
    op: 5,
    when: { c: unc },
    name: `fclass.m${unc ? '.unc' : ''}`,
    form: 'fclass',
    exec: fp.fclass(unc === 1),
    always: unc === 1,
  });
}
const MISC: [number, string, Row['exec'], Row['form']][] = [
  [
    0x00,
    'break.f',
    (c, d) => c.hooks.onBreak?.(d.a, c) || c.raise('break', BigInt(d.a), `break.f 0x${d.a.toString(16)}`),
    'imm21',
  ],
  [0x01, 'nop.f', nop, 'imm21'],
  [0x04, 'fsetc', fp.fsetc, 'fsetc'],
  [0x05, 'fclrf', fp.fclrf, 'sf'],
  [0x10, 'fmerge.s', fp.fmerge('s'), 'sf'],
  [0x11, 'fmerge.ns', fp.fmerge('ns'), 'sf'],
  [0x12, 'fmerge.se', fp.fmerge('se'), 'sf'],
  [0x14, 'fmin', fp.fminmax(false, false), 'sf'],
  [0x15, 'fmax', fp.fminmax(true, false), 'sf'],
  [0x16, 'famin', fp.fminmax(false, true), 'sf'],
  [0x17, 'famax', fp.fminmax(true, true), 'sf'],
  [0x18, 'fcvt.fx', fp.fcvtToInt(false, false), 'sf'],
  [0x19, 'fcvt.fxu', fp.fcvtToInt(true, false), 'sf'],
  [0x1a, 'fcvt.fx.trunc', fp.fcvtToInt(false, true), 'sf'],
  [0x1b, 'fcvt.fxu.trunc', fp.fcvtToInt(true, true), 'sf'],
  [0x1c, 'fcvt.xf', fp.fcvtXf, 'sf'],
  [0x2c, 'fand', fp.flogic((a, b) => a & b), 'sf'],
  [0x2d, 'fandcm', fp.flogic((a, b) => a & ~b), 'sf'],
  [0x2e, 'for', fp.flogic((a, b) => a | b), 'sf'],
  [0x2f, 'fxor', fp.flogic((a, b) => a ^ b), 'sf'],
];
for (const [x6, name, exec, form] of MISC) row({ unit: 'F', op: 0, when: { ta: 0, x6 }, name, form, exec });
row({ unit: 'F', op: 0, when: { ta: 1, q: 0 }, name: 'frcpa', form: 'sf', exec: fp.frcpa });
row({ unit: 'F', op: 0, when: { ta: 1, q: 1 }, name: 'frsqrta', form: 'sf', exec: fp.frsqrta });

// ---- M unit: FP loads and stores (op 6 register forms, op 7 immediate post-increment) ---------
const FMT: fp.FpFormat[] = ['e', '8', 's', 'd'];
const LD_KINDS: [number, string, 'plain' | 's' | 'a' | 'c.clr' | 'c.nc'][] = [
  [0x00, '', 'plain'],
  [0x04, '.s', 's'],
  [0x08, '.a', 'a'],
  [0x0c, '.sa', 's'],
  [0x20, '.c.clr', 'c.clr'],
  [0x24, '.c.nc', 'c.nc'],
];
const ldfName = (f: fp.FpFormat) => (f === 'e' ? 'ldfe' : f === '8' ? 'ldf8' : `ldf${f}`);
const stfName = (f: fp.FpFormat) => (f === 'e' ? 'stfe' : f === '8' ? 'stf8' : `stf${f}`);
for (const [base, suffix, kind] of LD_KINDS) {
  FMT.forEach((f, k) => {
    const name = `${ldfName(f)}${suffix}`;
    const exec = fp.ldf(f, kind);
    row({
      unit: 'M',
      op: 6,
      when: { m: 0, xm: 0, x6m: base + k },
      name,
      form: 'none',
      exec,
      post: POST_NONE,
    });
    row({ unit: 'M', op: 6, when: { m: 1, xm: 0, x6m: base + k }, name, form: 'none', exec, post: POST_REG });
    row({ unit: 'M', op: 7, when: { x6m: base + k }, name, form: 'postImmLoad', exec, post: POST_IMM });
  });
}
row({
  unit: 'M',
  op: 6,
  when: { m: 0, xm: 0, x6m: 0x1b },
  name: 'ldf.fill',
  form: 'none',
  exec: fp.ldf('fill', 'plain'),
  post: POST_NONE,
});
row({
  unit: 'M',
  op: 6,
  when: { m: 1, xm: 0, x6m: 0x1b },
  name: 'ldf.fill',
  form: 'none',
  exec: fp.ldf('fill', 'plain'),
  post: POST_REG,
});
row({
  unit: 'M',
  op: 7,
  when: { x6m: 0x1b },
  name: 'ldf.fill',
  form: 'postImmLoad',
  exec: fp.ldf('fill', 'plain'),
  post: POST_IMM,
});
FMT.forEach((f, k) => {
  row({
    unit: 'M',
    op: 6,
    when: { m: 0, xm: 0, x6m: 0x30 + k },
    name: stfName(f),
    form: 'none',
    exec: fp.stf(f),
    post: POST_NONE,
  });
  row({
    unit: 'M',
    op: 7,
    when: { x6m: 0x30 + k },
    name: stfName(f),
    form: 'postImmStore',
    exec: fp.stf(f),
    post: POST_IMM,
  });
});
row({
  unit: 'M',
  op: 6,
  when: { m: 0, xm: 0, x6m: 0x3b },
  name: 'stf.spill',
  form: 'none',
  exec: fp.stf('fill'),
  post: POST_NONE,
});
row({
  unit: 'M',
  op: 7,
  when: { x6m: 0x3b },
  name: 'stf.spill',
  form: 'postImmStore',
  exec: fp.stf('fill'),
  post: POST_IMM,
});
for (let k = 0; k < 4; k++) {
  row({
    unit: 'M',
    op: 6,
    when: { m: 0, xm: 0, x6m: 0x2c + k },
    name: 'lfetch',
    form: 'none',
    exec: lfetch,
    post: POST_NONE,
  });
  row({
    unit: 'M',
    op: 6,
    when: { m: 1, xm: 0, x6m: 0x2c + k },
    name: 'lfetch',
    form: 'none',
    exec: lfetch,
    post: POST_REG,
  });
  row({
    unit: 'M',
    op: 7,
    when: { x6m: 0x2c + k },
    name: 'lfetch',
    form: 'postImmLoad',
    exec: lfetch,
    post: POST_IMM,
  });
}
for (const [k, f] of [
  [1, '8'],
  [2, 's'],
  [3, 'd'],
] as const) {
  row({
    unit: 'M',
    op: 6,
    when: { m: 0, xm: 1, x6m: k },
    name: `ldfp${f}`,
    form: 'none',
    exec: fp.ldfp(f),
    post: POST_NONE,
  });
  row({
    unit: 'M',
    op: 6,
    when: { m: 1, xm: 1, x6m: k },
    name: `ldfp${f}`,
    form: 'none',
    exec: fp.ldfp(f),
    post: POST_IMM,
  });
}
const SG = ['sig', 'exp', 's', 'd'] as const;
SG.forEach((kind, k) => {
  row({
    unit: 'M',
    op: 6,
    when: { m: 0, xm: 1, x6m: 0x1c + k },
    name: `setf.${kind}`,
    form: 'none',
    exec: fp.setf(kind),
  });
  row({
    unit: 'M',
    op: 4,
    when: { m: 0, xm: 1, x6m: 0x1c + k },
    name: `getf.${kind}`,
    form: 'none',
    exec: fp.getf(kind),
  });
});
