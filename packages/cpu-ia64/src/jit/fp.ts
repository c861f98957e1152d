// Floating-point instructions for compiled blocks: fma/fms/fnma (and their fmpy/fadd/fsub forms),
// ldfd/stfd, getf and setf on the double shadow of the FP registers (exec/fpregs.ts). Every case
// where a double would not give exactly the exact path's register and FPSR (specials, operands that
// are not doubles, rounding other than to nearest, single precision, an inexact extended result)
// calls the instruction's handler instead, from the same place, so the result is always the exact
// path's.
import type { Insn } from '../decode/insn.js';
import { pageOf, type Site } from './translate.js';

/** FPSR (ar40) in the int32 view of the application registers. */
const FPSR = 40 * 2;

/** Status field sf's controls (7 bits) as an expression over the FPSR halves. */
const controls = (sf: number): string =>
  sf === 0
    ? `(A[${FPSR}]>>>6)&127`
    : sf === 1
      ? `(A[${FPSR}]>>>19)&127`
      : sf === 2
        ? `A[${FPSR + 1}]&127`
        : `(A[${FPSR + 1}]>>>13)&127`;

/** Statement raising the inexact flag of status field sf (FPSR bit 18 + 13 sf). */
const raiseInexact = (sf: number): string => {
  const bit = 18 + 13 * sf;
  return `A[${FPSR + (bit >> 5)}]|=${(1 << (bit & 31)) | 0};`;
};

/** An FP register's double shadow (NaN: not a double) as an expression. */
const shadow = (s: Site, f: number): string => `(OK[${s.f(f)}]?D[${s.f(f)}]:F.double(${s.f(f)}))`;

/**
 * Statements leaving in `v` what fmaOnDoubles (exec/fpfast.ts) returns for x, y, z (locals), and in
 * `ix` its inexact status: the same steps inline, so that no double is boxed across a call.
 */
// the bounds of exec/fpfast.ts as literals: 2^995, 2^-900, 2^1000, 2^-1021
function fmaInline(hasAddend: boolean, negP: boolean, negA: boolean): string {
  const tail = hasAddend
    ? 'if(err===0){const w=' +
      (negA ? '-z' : 'z') +
      ',s=p+w,as=Math.abs(s);if(as>=4.450147717014403e-308&&as<=1.0715086071862673e+301){const bv=s-p;ix=p-(s-bv)+(w-bv)!==0;v=s;}}'
    : 'if(ap!==0){v=p;ix=err!==0;}';
  return (
    'let v=NaN,ix=false;const ax=Math.abs(x),ay=Math.abs(y);' +
    'if(ax<=3.3484643974570854e+299&&ay<=3.3484643974570854e+299){const xy=x*y,ap=Math.abs(xy);let err=0,ok=true;' +
    'if(ap!==0){if(!(ap>=1.1830521861667747e-271&&ap<=1.0715086071862673e+301))ok=false;' +
    'else if(x!==Math.fround(x)||y!==Math.fround(y)){const tx=134217729*x,xh=tx-(tx-x),xl=x-xh,' +
    'ty=134217729*y,yh=ty-(ty-y),yl=y-yh;err=xh*yh-xy+xh*yl+xl*yh+xl*yl;}}' +
    `else if(ax!==0&&ay!==0)ok=false;if(ok){const p=${negP ? '-xy' : 'xy'};${tail}}}`
  );
}

/** Statements: physical FR `p` = `v`, a normal double (fields and shadow), as FpRegisters.setNormal. */
const writeNormal = (p: string): string =>
  `S64[0]=v;{const hi=S32[1],lo=S32[0];FS[${p}]=hi>>>31;FE[${p}]=((hi>>>20)&2047)+64512;` +
  `SG[2*${p}+1]=-2147483648|((hi&1048575)<<11)|(lo>>>21);SG[2*${p}]=lo<<11;}D[${p}]=v;OK[${p}]=1;`;

/**
 * Statements: physical FR `p` = the double with bits lo:hi (int32 locals) when normal or zero, as
 * FpRegisters.setDoubleBits; `ok` says whether it was written.
 */
const writeBits = (p: string): string =>
  `{const e=(hi>>>20)&2047;if(e!==0&&e!==2047){FS[${p}]=hi>>>31;FE[${p}]=e+64512;` +
  `SG[2*${p}+1]=-2147483648|((hi&1048575)<<11)|(lo>>>21);SG[2*${p}]=lo<<11;S32[0]=lo;S32[1]=hi;` +
  `D[${p}]=S64[0];OK[${p}]=1;ok=true;}else if(e===0&&((hi&1048575)|lo)===0){FS[${p}]=hi>>>31;` +
  `FE[${p}]=0;SG[2*${p}]=0;SG[2*${p}+1]=0;D[${p}]=hi<0?-0:0;OK[${p}]=1;ok=true;}}`;

function translateFma(d: Insn, s: Site): string | undefined {
  const m = /^(fma|fms|fnma)(\.s|\.d)?$/.exec(d.name);
  if (!m || m[2] === '.s' || d.r1 < 2) return undefined;
  const negP = m[1] === 'fnma';
  const negA = m[1] === 'fms';
  // .d: any precision control; sf precision: double, or extended when exact (single: the handler)
  const precision = m[2] === '.d' ? '' : 'const pc=ctl&12;if(pc===0||(pc!==8&&ix))v=NaN;';
  return (
    `{const ctl=${controls(d.b)},x=${shadow(s, d.r3)},y=${shadow(s, d.a)}` +
    `${d.r2 === 0 ? '' : `,z=${shadow(s, d.r2)}`};${fmaInline(d.r2 !== 0, negP, negA)}` +
    `if((ctl&48)!==0)v=NaN;${precision}` +
    `if(v===v){if(ix)${raiseInexact(d.b)}${writeNormal(s.f(d.r1))}}else{${s.call}}}`
  );
}

/** ldfd f1 = [r3] with optional post-increment (register or immediate). */
function translateLdfd(d: Insn, s: Site): string | undefined {
  if (d.r1 < 2 || (d.c !== 0 && d.r3 === 0)) return undefined;
  const gb = s.g(d.r3);
  let inc = '';
  if (d.c === 1) {
    inc =
      `{const il=G[${s.g(d.r2)}],ih=G[${s.g(d.r2)}+1],l=(xl+il)|0,h=(xh+ih+((l>>>0)<(xl>>>0)?1:0))|0;` +
      `G[${gb}]=l;G[${gb}+1]=h;N[${s.n(d.r3)}]=N[${s.n(d.r2)}];}`;
  } else if (d.c === 2) {
    const lo = Number(BigInt.asIntN(32, d.imm));
    const hi = Number(BigInt.asIntN(32, BigInt.asUintN(64, d.imm) >> 32n));
    inc = `{const l=(xl+${lo})|0,h=(xh+${hi}+((l>>>0)<(xl>>>0)?1:0))|0;G[${gb}]=l;G[${gb}+1]=h;N[${s.n(d.r3)}]=0;}`;
  }
  if (d.c === 1 && d.r2 === 0) return undefined;
  return (
    `{const xl=G[${gb}],xh=G[${gb}+1];let ok=false;` +
    `if(N[${s.n(d.r3)}]===0&&(xl&7)===0){${pageOf('load')}` +
    `if(pg!==undefined){const o=xl&4095,lo=pg.getInt32(o,true),hi=pg.getInt32(o+4,true);${writeBits(s.f(d.r1))}}}` +
    `if(ok)${inc || '{}'}else{${s.call}}}`
  );
}

/** stfd [r3] = f2 with optional immediate post-increment. */
function translateStfd(d: Insn, s: Site): string | undefined {
  if (d.c === 2 && d.r3 === 0) return undefined;
  const gb = s.g(d.r3);
  let inc = '';
  if (d.c === 2) {
    const lo = Number(BigInt.asIntN(32, d.imm));
    const hi = Number(BigInt.asIntN(32, BigInt.asUintN(64, d.imm) >> 32n));
    inc = `{const l=(xl+${lo})|0,h=(xh+${hi}+((l>>>0)<(xl>>>0)?1:0))|0;G[${gb}]=l;G[${gb}+1]=h;N[${s.n(d.r3)}]=0;}`;
  }
  return (
    `{const xl=G[${gb}],xh=G[${gb}+1],v=${shadow(s, d.r2)};let ok=false;` +
    `if(v===v&&N[${s.n(d.r3)}]===0&&(xl&7)===0&&!L.used){${pageOf('store')}` +
    `if(pg!==undefined){const o=xl&4095;pg.setFloat64(o,v,true);ok=true;}}` +
    `if(ok)${inc || '{}'}else{${s.call}}}`
  );
}

/** getf.d / getf.sig r1 = f2; setf.d / setf.sig f1 = r2. */
function translateGetSet(d: Insn, s: Site): string | undefined {
  if (d.name === 'getf.d' || d.name === 'getf.sig') {
    if (d.r1 === 0) return undefined;
    const g1 = s.g(d.r1);
    const p = s.f(d.r2);
    if (d.name === 'getf.d')
      return (
        `{const v=${shadow(s, d.r2)};if(v===v){S64[0]=v;G[${g1}]=S32[0];G[${g1}+1]=S32[1];N[${s.n(d.r1)}]=0;}` +
        `else{${s.call}}}`
      );
    // NaTVal (exponent 0x1fffe, zero significand, sign 0) gives a NaT: the handler
    return (
      `if(FE[${p}]===0x1fffe&&FS[${p}]===0&&(SG[2*${p}]|SG[${2}*${p}+1])===0){${s.call}}` +
      `else{G[${g1}]=SG[2*${p}];G[${g1}+1]=SG[2*${p}+1];N[${s.n(d.r1)}]=0;}`
    );
  }
  if (d.r1 < 2) return undefined;
  const p = s.f(d.r1);
  const g2 = s.g(d.r2);
  if (d.name === 'setf.d')
    return `{let ok=false;if(N[${s.n(d.r2)}]===0){const lo=G[${g2}],hi=G[${g2}+1];${writeBits(p)}}if(!ok){${s.call}}}`;
  return (
    `if(N[${s.n(d.r2)}]!==0){${s.call}}else{FS[${p}]=0;FE[${p}]=0x1003e;` +
    `SG[2*${p}]=G[${g2}];SG[2*${p}+1]=G[${g2}+1];OK[${p}]=0;}`
  );
}

/** Source for an FP instruction, or undefined when the block calls its handler (always). */
export function translateFp(d: Insn, s: Site): string | undefined {
  let code: string | undefined;
  if (d.unit === 'F') code = translateFma(d, s);
  else if (d.name === 'ldfd') code = translateLdfd(d, s);
  else if (d.name === 'stfd') code = translateStfd(d, s);
  else if (/^(get|set)f\.(d|sig)$/.test(d.name)) code = translateGetSet(d, s);
  if (code === undefined || d.qp === 0) return code;
  return `if(P[${s.p(d.qp)}]){${code}}`;
}
