// One instruction to JavaScript source for a compiled block: the common integer A/I/M/B forms inline
// on the 32-bit halves of the register file. Anything else (and any case that would fault: NaT
// addresses, unaligned or unmapped accesses, writes to r0) is left to the interpreter: `translate`
// returns undefined (the block calls the instruction's handler) or the code bails at run time.
import { field } from '../bits.js';
import type { Insn } from '../decode/insn.js';
import * as br from '../exec/branch.js';
import * as sys from '../exec/system.js';
import { add, constPair, logic, type Pair, type Rel, relation, shladd, sub } from './halves.js';

/** Where an instruction sits in its block: index expressions and the exits it may take. */
export interface Site {
  /** Index of the low half of GR r in G (the Int32Array over the register file). */
  g(r: number): string;
  /** Physical register number of GR r (index in N, the NaT bytes). */
  n(r: number): string;
  /** Physical predicate number of p (index in P). */
  p(p: number): string;
  /** Physical FR number of f (index in the FP register arrays). */
  f(f: number): string;
  /** Statements: sync, then run this instruction's interpreter handler (the exact path). */
  call: string;
  /** An expression for a value kept with the block (state of an inline cache). */
  keep(value: unknown): string;
  /** Reserve `count` exits whose successors the code picks at run time (it returns LINK + k and
   * clears `LN[k]` when it changes what exit k leads to); the first one's return code. */
  exitSlots(count: number): number;
  /** Statement: stop here and let the interpreter execute this instruction. */
  bail: string;
  /** Statement: the branch is taken to a fixed target. */
  taken(target: bigint): string;
  /** Statement: ip, slot and the retired count as the interpreter has them while this instruction
   * executes (before a call that may raise). */
  sync: string;
  ip: bigint;
}

/**
 * Statements leaving in `pg` the page (DataView or undefined) of the address xl:xh, for a load or
 * for a store (undefined also for pages holding decoded code). Each block keeps the last page of
 * each kind in locals (rk/rp, wk/wp): nothing maps, unmaps or decodes pages while a block runs.
 */
export const pageOf = (kind: 'load' | 'store'): string =>
  kind === 'load'
    ? 'const k=(xh>>>0)*1048576+(xl>>>12);if(k!==rk){rp=M.view(k);rk=k;}const pg=rp;'
    : 'const k=(xh>>>0)*1048576+(xl>>>12);if(k!==wk){wp=M.codePages.has(k)?undefined:M.view(k);wk=k;}const pg=wp;';

const pairOf = (s: Site, r: number): Pair => ({ lo: `G[${s.g(r)}]`, hi: `G[${s.g(r)}+1]` });

/** Load an operand into locals named `${name}l`, `${name}h` (reads happen before any write). */
function local(name: string, src: Pair): [string, Pair] {
  return [`const ${name}l=${src.lo},${name}h=${src.hi};`, { lo: `${name}l`, hi: `${name}h` }];
}

/** Write l:h and a NaT expression to GR r. */
const writeBack = (s: Site, r: number, nat: string): string =>
  `G[${s.g(r)}]=l;G[${s.g(r)}+1]=h;N[${s.n(r)}]=${nat};`;

const guard = (s: Site, qp: number, code: string): string => (qp === 0 ? code : `if(P[${s.p(qp)}]){${code}}`);

type Alu = 'add' | 'add1' | 'sub' | 'sub1' | 'and' | 'or' | 'xor' | 'andcm' | 'shladd';

/** A1..A5 integer ALU: the operation, and whether the first operand is the immediate. */
function aluOf(d: Insn): { op: Alu; imm: boolean } | undefined {
  const op = field(d.raw, 37, 4);
  if (op === 9) return { op: 'add', imm: true }; // addl
  if (op !== 8) return undefined;
  const x2a = field(d.raw, 34, 2);
  if (field(d.raw, 33, 1) !== 0) return undefined;
  if (x2a === 2) return { op: 'add', imm: true }; // adds
  if (x2a !== 0) return undefined;
  const x4 = field(d.raw, 29, 4);
  const x2b = field(d.raw, 27, 2);
  const logical: Alu[] = ['and', 'andcm', 'or', 'xor'];
  switch (x4) {
    case 0:
      return x2b <= 1 ? { op: x2b ? 'add1' : 'add', imm: false } : undefined;
    case 1:
      return x2b <= 1 ? { op: x2b ? 'sub' : 'sub1', imm: false } : undefined;
    case 3:
      return { op: logical[x2b], imm: false };
    case 4:
      return { op: 'shladd', imm: false };
    case 9:
      return x2b === 1 ? { op: 'sub', imm: true } : undefined;
    case 0xb:
      return { op: logical[x2b], imm: true };
    default:
      return undefined;
  }
}

function translateAlu(d: Insn, s: Site, op: Alu, imm: boolean): string {
  const [la, a] = imm ? ['', constPair(d.imm)] : local('u', pairOf(s, d.r2));
  const [lb, b] = local('v', pairOf(s, d.r3));
  const nat = imm ? `N[${s.n(d.r3)}]` : `N[${s.n(d.r2)}]|N[${s.n(d.r3)}]`;
  let body: string;
  switch (op) {
    case 'add':
      body = add(a, b);
      break;
    case 'add1':
      body = `${add(a, b)}const l1=(l+1)|0,h1=(h+(l1===0?1:0))|0;`;
      return `{${la}${lb}${body}G[${s.g(d.r1)}]=l1;G[${s.g(d.r1)}+1]=h1;N[${s.n(d.r1)}]=${nat};}`;
    case 'sub':
      body = sub(a, b);
      break;
    case 'sub1':
      body = `${sub(a, b)}const l1=(l-1)|0,h1=(h-(l===0?1:0))|0;`;
      return `{${la}${lb}${body}G[${s.g(d.r1)}]=l1;G[${s.g(d.r1)}+1]=h1;N[${s.n(d.r1)}]=${nat};}`;
    case 'shladd':
      body = shladd(a, d.a, b);
      break;
    default:
      body = logic(a, b, op);
  }
  return `{${la}${lb}${body}${writeBack(s, d.r1, nat)}}`;
}

type CType = 'none' | 'unc' | 'and' | 'or' | 'or.andcm';

/** Predicate writes of a compare (as exec/compare.ts writePreds), given `t` (relation) and `nat`. */
function writePreds(s: Site, d: Insn, type: CType): string {
  const set = (p: number, v: string): string => (p === 0 ? '' : `P[${s.p(p)}]=${v};`);
  switch (type) {
    case 'none':
    case 'unc':
      return `if(nat){${set(d.p1, '0')}${set(d.p2, '0')}}else{${set(d.p1, 't?1:0')}${set(d.p2, 't?0:1')}}`;
    case 'and':
      return `if(nat||!t){${set(d.p1, '0')}${set(d.p2, '0')}}`;
    case 'or':
      return `if(!nat&&t){${set(d.p1, '1')}${set(d.p2, '1')}}`;
    case 'or.andcm':
      return `if(!nat&&t){${set(d.p1, '1')}${set(d.p2, '0')}}`;
  }
}

/** cmp/cmp4 (A6..A8) and tbit (I16): the compare type from the row name. */
function translateCompare(d: Insn, s: Site): string | undefined {
  const parts = d.name.split('.');
  const type = (parts.slice(2).join('.') || 'none') as CType;
  let test: string;
  if (parts[0] === 'tbit') {
    const half = d.a < 32 ? `G[${s.g(d.r3)}]` : `G[${s.g(d.r3)}+1]`;
    const bit = `((${half}>>>${d.a & 31})&1)`;
    test = `const nat=N[${s.n(d.r3)}],t=${bit}${parts[1] === 'z' ? '===0' : '!==0'};`;
  } else {
    const bits = parts[0] === 'cmp4' ? 32 : 64;
    const x2a = field(d.raw, 34, 2);
    const src = x2a >= 2 ? 'imm' : field(d.raw, 36, 1) ? 'zero' : 'reg';
    const [la, a] =
      src === 'reg'
        ? local('u', pairOf(s, d.r2))
        : ['', src === 'imm' ? constPair(d.imm) : { lo: '0', hi: '0' }];
    const [lb, b] = local('v', pairOf(s, d.r3));
    const nat = src === 'reg' ? `N[${s.n(d.r2)}]|N[${s.n(d.r3)}]` : `N[${s.n(d.r3)}]`;
    test = `${la}${lb}const nat=${nat},t=${relation(parts[1] as Rel, a, b, bits)};`;
  }
  const body = `{${test}${writePreds(s, d, type)}}`;
  if (type !== 'unc' || d.qp === 0) return guard(s, d.qp, body);
  const clear = (p: number): string => (p === 0 ? '' : `P[${s.p(p)}]=0;`);
  return `if(P[${s.p(d.qp)}])${body}else{${clear(d.p1)}${clear(d.p2)}}`;
}

/** Plain integer loads ld1..ld8 (also .bias/.acq) with optional post-increment. */
function translateLoad(d: Insn, s: Site): string | undefined {
  const size = d.b;
  const post = d.c; // 0 none, 1 register r2, 2 immediate
  if (d.r1 === 0 || (post !== 0 && (d.r1 === d.r3 || d.r3 === 0))) return undefined;
  const gb = s.g(d.r3);
  const g1 = s.g(d.r1);
  const read =
    size === 8
      ? `G[${g1}]=pg.getInt32(o,true);G[${g1}+1]=pg.getInt32(o+4,true);`
      : `G[${g1}]=pg.${size === 4 ? 'getInt32' : size === 2 ? 'getUint16' : 'getUint8'}(o${size > 1 ? ',true' : ''});G[${g1}+1]=0;`;
  let inc = '';
  if (post === 1) {
    const [lr, r2] = local('i', pairOf(s, d.r2));
    inc = `{${lr}${add({ lo: 'xl', hi: 'xh' }, r2)}G[${gb}]=l;G[${gb}+1]=h;N[${s.n(d.r3)}]=N[${s.n(d.r2)}];}`;
  } else if (post === 2) {
    inc = `{${add({ lo: 'xl', hi: 'xh' }, constPair(d.imm))}G[${gb}]=l;G[${gb}+1]=h;N[${s.n(d.r3)}]=0;}`;
  }
  const align = size > 1 ? `||(xl&${size - 1})!==0` : '';
  return guard(
    s,
    d.qp,
    `{const xl=G[${gb}],xh=G[${gb}+1];if(N[${s.n(d.r3)}]${align})${s.bail}` +
      `${pageOf('load')}if(pg===undefined)${s.bail}` +
      `const o=xl&4095;${read}N[${s.n(d.r1)}]=0;if(L.used)L.remove(${s.n(d.r1)});${inc}}`,
  );
}

/** Plain integer stores st1..st8 (also .rel) with optional immediate post-increment. */
function translateStore(d: Insn, s: Site): string | undefined {
  const size = d.b;
  if (d.c === 2 && d.r3 === 0) return undefined;
  const gb = s.g(d.r3);
  const gv = s.g(d.r2);
  const write =
    size === 8
      ? `pg.setInt32(o,G[${gv}],true);pg.setInt32(o+4,G[${gv}+1],true);`
      : `pg.${size === 4 ? 'setInt32' : size === 2 ? 'setInt16' : 'setInt8'}(o,G[${gv}]${size > 1 ? ',true' : ''});`;
  const inc =
    d.c === 2
      ? `{${add({ lo: 'xl', hi: 'xh' }, constPair(d.imm))}G[${gb}]=l;G[${gb}+1]=h;N[${s.n(d.r3)}]=0;}`
      : '';
  const align = size > 1 ? `||(xl&${size - 1})!==0` : '';
  return guard(
    s,
    d.qp,
    `{const xl=G[${gb}],xh=G[${gb}+1];if(N[${s.n(d.r3)}]|N[${s.n(d.r2)}]${align}||L.used)${s.bail}` +
      `${pageOf('store')}if(pg===undefined)${s.bail}` +
      `const o=xl&4095;${write}${inc}}`,
  );
}

/** The first exit's return code (compiler.ts LINK; not imported: compiler.ts imports this module). */
const LINK_BASE = 2;

/** ar.lc's low half in the int32 view of the application registers (ar65; not imported from cpu.ts,
 * which imports this module). */
const LC = 65 * 2;

/** Return targets a br.ret site remembers (one exit each, linked to the target's block). */
const RET_WAYS = 4;

/**
 * br.ret: the frame is restored by the cpu, the target comes from an inline cache of return
 * addresses (int32 halves → the BigInt ip and an exit linked to its block), so that returning
 * neither builds a BigInt nor looks a block up by address.
 */
function returnInline(d: Insn, s: Site): string {
  const k = d.b * 2;
  const first = s.exitSlots(RET_WAYS);
  // lo/hi halves (lo never matches while -1: targets are 16-byte aligned), ips, next way to replace
  const lo = s.keep(new Int32Array(RET_WAYS).fill(-1));
  const hi = s.keep(new Int32Array(RET_WAYS));
  const ips = s.keep(new Array<bigint>(RET_WAYS).fill(0n));
  const next = s.keep(new Int32Array(1));
  let find = '';
  for (let w = 0; w < RET_WAYS; w++)
    find += `${w ? 'else ' : ''}if(${lo}[${w}]===tl&&${hi}[${w}]===th)j=${w};`;
  return (
    `{${s.sync}const tl=B[${k}]&-16,th=B[${k + 1}];c.returnFrame();let j=-1;${find}` +
    `if(j<0){j=${next}[0];${next}[0]=(j+1)&${RET_WAYS - 1};${lo}[j]=tl;${hi}[j]=th;` +
    `${ips}[j]=(BigInt(th>>>0)<<32n)|BigInt(tl>>>0);LN[${first - LINK_BASE}+j]=undefined;}` +
    `c.ip=${ips}[j];c.slot=0;return ${first}+j;}`
  );
}

/**
 * The source for one instruction, or undefined when the block calls its handler instead.
 * Branch forms compiled here exit through `s.taken` and fall through when not taken.
 */
export function translate(d: Insn, s: Site): string | undefined {
  if (d.exec === sys.nop) return '';
  if (d.unit === 'I' || d.unit === 'M') {
    const alu = aluOf(d);
    if (alu) return d.r1 === 0 ? undefined : guard(s, d.qp, translateAlu(d, s, alu.op, alu.imm));
    if (/^(cmp4?|tbit)\./.test(d.name)) {
      if (/^cmp/.test(d.name) && field(d.raw, 37, 4) < 12) return undefined;
      return translateCompare(d, s);
    }
    if (/^ld[1248](\.bias|\.acq)?$/.test(d.name)) return translateLoad(d, s);
    if (/^st[1248](\.rel)?$/.test(d.name)) return translateStore(d, s);
    if (d.exec === sys.movFromBr && d.r1 !== 0) {
      const k = (d.r2 & 7) * 2;
      return guard(s, d.qp, `G[${s.g(d.r1)}]=B[${k}];G[${s.g(d.r1)}+1]=B[${k + 1}];N[${s.n(d.r1)}]=0;`);
    }
    if (
      d.unit === 'I' &&
      (d.exec === sys.movToAr || d.exec === sys.movFromAr) &&
      (d.r3 === 64 || d.r3 === 65)
    ) {
      // ar.pfs (written through its mask) and ar.lc as halves
      const k = d.r3 * 2;
      if (d.exec === sys.movFromAr)
        return d.r1 === 0
          ? undefined
          : guard(s, d.qp, `G[${s.g(d.r1)}]=A[${k}];G[${s.g(d.r1)}+1]=A[${k + 1}];N[${s.n(d.r1)}]=0;`);
      const hiMask = d.r3 === 64 ? '&0xc3f0003f' : '';
      return guard(
        s,
        d.qp,
        `{if(N[${s.n(d.r2)}])${s.bail}A[${k}]=G[${s.g(d.r2)}];A[${k + 1}]=G[${s.g(d.r2)}+1]${hiMask};}`,
      );
    }
    if (d.exec === sys.movToBr) {
      const k = (d.r1 & 7) * 2;
      return guard(
        s,
        d.qp,
        `{if(N[${s.n(d.r2)}])${s.bail}B[${k}]=G[${s.g(d.r2)}];B[${k + 1}]=G[${s.g(d.r2)}+1];}`,
      );
    }
    if (d.exec === sys.alloc) {
      // r1 = ar.pfs, then the new frame (r1 is named in it: its index is looked up after the alloc)
      const index =
        d.r1 < 32
          ? String(d.r1)
          : `c.sor===0&&${d.r1 - 32}<c.sof?(c.bof+${d.r1}<128?c.bof+${d.r1}:c.bof+${d.r1 - 96}):c.gidx(${d.r1})`;
      const write = d.r1 === 0 ? 'c.setGr(0,0n);' : `const i=${index};G[2*i]=pl;G[2*i+1]=ph;N[i]=0;`;
      return `{${s.sync}const pl=A[128],ph=A[129];c.alloc(${d.a},${d.b},${d.c});${write}}`;
    }
    return undefined;
  }
  if (d.exec === br.brCall && d.unit === 'B') {
    const link = constPair(s.ip + 16n);
    const k = d.a * 2;
    return guard(
      s,
      d.qp,
      `{B[${k}]=${link.lo};B[${k + 1}]=${link.hi};c.callFrame();${s.taken(BigInt.asUintN(64, s.ip + d.imm))}}`,
    );
  }
  if (d.exec === br.brRet) return guard(s, d.qp, returnInline(d, s));
  if (d.exec === br.brCond && d.name === 'br.cond') {
    return guard(s, d.qp, s.taken(BigInt.asUintN(64, s.ip + d.imm)));
  }
  if (d.exec === br.brCloop) {
    return guard(
      s,
      d.qp,
      `{const lo=A[${LC}],hi=A[${LC + 1}];if((lo|hi)!==0){A[${LC}]=(lo-1)|0;if(lo===0)A[${LC + 1}]=(hi-1)|0;` +
        `${s.taken(BigInt.asUintN(64, s.ip + d.imm))}}}`,
    );
  }
  if (d.unit === 'X' && d.name === 'movl' && d.r1 !== 0) {
    const c = constPair(d.imm);
    return guard(s, d.qp, `G[${s.g(d.r1)}]=${c.lo};G[${s.g(d.r1)}+1]=${c.hi};N[${s.n(d.r1)}]=0;`);
  }
  return undefined;
}
