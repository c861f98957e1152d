// The block compiler: a run of bundles on one page, from an entry (bundle, slot) up to the first
// instruction that ends it (a taken branch, a frame change, a stop), becomes one JavaScript function.
// Instructions `translate` handles run inline; the rest call their interpreter handler with ip, slot
// and the retired count set exactly as the interpreter has them, so faults stay precise. A block whose
// branch goes back to its own start loops inside the function while the budget allows.
import type { Ia64Cpu } from '../cpu.js';
import type { DecodedBundle } from '../decode/decoder.js';
import type { Insn } from '../decode/insn.js';
import { brCloop, brCond } from '../exec/branch.js';
import * as sys from '../exec/system.js';
import { translateFp } from './fp.js';
import { type Site, translate } from './translate.js';

/** Scratch for reinterpreting a double as int32 halves in compiled code. */
const S64 = new Float64Array(1);
const S32 = new Int32Array(S64.buffer);

/**
 * What the function returns: the state is the interpreter's at (ip, slot) (DONE, or LINK + k when it
 * left through its k-th fixed exit, whose successor block the run loop keeps in `links[k]`), or the
 * interpreter must execute the instruction at (ip, slot) (BAIL).
 */
export const DONE = 0;
export const BAIL = 1;
export const LINK = 2;

export type BlockFn = (c: Ia64Cpu, limit: number) => number;

export interface Block {
  fn: BlockFn;
  /** The most instructions one pass retires (the budget check before entering). */
  count: number;
  /** Successor blocks by fixed exit (filled in by the run loop). */
  links: (Block | undefined)[];
  /** False once a store to its page dropped it (links to it are not followed then). */
  valid: boolean;
}

const MAX_BUNDLES = 32;

type Factory = (...args: unknown[]) => BlockFn;
/**
 * Block factories by source text, shared by every cpu: the same code (another process of the same
 * program, a rerun) gets the same factory, whose blocks share V8's feedback and optimized code
 * instead of warming up again. Bounded: cleared when full.
 */
const factories = new Map<string, Factory>();
const MAX_FACTORIES = 4096;

/** Instructions after which a block ends even when they do not branch (frame, rotation, system). */
const ENDS_BLOCK = /^(alloc|br|brl|break|chk|cover|clrrrb|loadrs|flushrs|rfi|bsw)/;
const endsBlock = (d: Insn): boolean =>
  ENDS_BLOCK.test(d.name) && d.exec !== brCond && d.exec !== brCloop && d.exec !== sys.nop;

export function compileBlock(
  ip: bigint,
  slot: number,
  fetch: (ip: bigint) => DecodedBundle | undefined,
): Block | undefined {
  const page = ip >> 12n;
  const consts: bigint[] = [];
  const constIndex = new Map<bigint, number>();
  const K = (v: bigint): string => {
    let i = constIndex.get(v);
    if (i === undefined) {
      i = consts.length;
      consts.push(v);
      constIndex.set(v, i);
    }
    return `K[${i}]`;
  };
  const callees: Insn[] = [];
  const kept: unknown[] = [];
  const keep = (v: unknown): string => `V[${kept.push(v) - 1}]`;
  // An alloc inside the block starts a new segment: the stacked registers used after it are looked
  // up again (and checked against the new frame) where it was.
  const segments: { regs: Set<number>; max: number; resume: string }[] = [
    { regs: new Set(), max: 0, resume: '' },
  ];
  const use = (r: number): void => {
    const seg = segments[segments.length - 1];
    seg.regs.add(r);
    if (r > seg.max) seg.max = r;
  };
  const rotPreds = new Set<number>();
  const loops = slot === 0;
  let loopUsed = false;

  const g = (r: number): string => {
    if (r < 32) return String(2 * r);
    use(r);
    return `y${r}`;
  };
  const n = (r: number): string => {
    if (r < 32) return String(r);
    use(r);
    return `x${r}`;
  };
  const p = (q: number): string => {
    if (q < 16) return String(q);
    rotPreds.add(q);
    return `q${q}`;
  };
  const fregs = new Set<number>();
  let usesFp = false;
  const f = (r: number): string => {
    usesFp = true;
    if (r < 32) return String(r);
    fregs.add(r);
    return `w${r}`;
  };

  const body: string[] = [];
  let k = 0;
  let bip = ip;
  let s = slot;
  let next: [bigint, number] | undefined;
  let exits = 0;
  const exit = (to: string, toSlot: number, retired: number): string =>
    `{c.ip=${to};c.slot=${toSlot};c.retired=r+${retired};return ${LINK + exits++};}`;

  outer: for (let nb = 0; nb < MAX_BUNDLES; nb++, bip += 16n, s = 0) {
    if (bip >> 12n !== page) {
      next = [bip, 0];
      break;
    }
    const b = fetch(bip);
    if (!b || b.template < 0) {
      next = [bip, 0];
      break;
    }
    for (; s < 3; s++) {
      const d = b.insns[s];
      if (d === null) continue;
      const here = k;
      const sync = `c.ip=${K(bip)};c.slot=${s};c.retired=r+${here + 1};`;
      const site: Site = {
        g,
        n,
        p,
        f,
        keep,
        exitSlots: (count) => {
          exits += count;
          return LINK + exits - count;
        },
        ip: bip,
        call: `${sync}X[${callees.length}].exec(c,X[${callees.length}]);`,
        bail: `{c.ip=${K(bip)};c.slot=${s};c.retired=r+${here};return 1;}`,
        sync,
        taken: (target) => {
          if (loops && target === ip && segments.length === 1) {
            loopUsed = true;
            return `{r+=${here + 1};if(r+COUNT<=limit)continue;c.ip=${K(ip)};c.slot=0;c.retired=r;return 0;}`;
          }
          return exit(K(target), 0, here + 1);
        },
      };
      const looped = loopUsed;
      const code = translate(d, site) ?? translateFp(d, site);
      callees.push(d); // X[j] of site.call (unused when the code does not call it)
      k++;
      const after = following(b, bip, s);
      if (code !== undefined) {
        body.push(code);
        if (loopUsed && !looped) {
          // a loop back to the block's start: the block ends there, so that the loop's function is
          // small (V8 optimizes it better); what follows the loop is the next block
          next = after;
          break outer;
        }
        if (d.exec === sys.alloc) {
          // the state after the alloc, for leaving when the new frame lacks a register used later
          const resume = `c.ip=${K(after[0])};c.slot=${after[1]};c.retired=r+${here + 1};return 0;`;
          body.push(`\u0000${segments.length}\u0000`);
          segments.push({ regs: new Set(), max: 0, resume });
          continue;
        }
        if (endsBlock(d)) {
          next = after;
          break outer;
        }
        continue;
      }
      const j = callees.length - 1;
      const call = `X[${j}].exec(c,X[${j}]);`;
      body.push(
        `c.ip=${K(bip)};c.slot=${s};c.retired=r+${here + 1};` +
          (d.always || d.qp === 0 ? call : `if(P[${p(d.qp)}])${call}`) +
          `if(c.branched){c.branched=false;c.ip=c.nextIp;c.slot=0;return 0;}` +
          `if(c.stopRequested||c.frameGen!==fg)${exit(K(after[0]), after[1], here + 1)}`,
      );
      if (endsBlock(d)) {
        next = after;
        break outer;
      }
    }
    next = [bip + 16n, 0];
  }
  if (k === 0 || next === undefined) return undefined;
  const count = k;
  const pre: string[] = ['const G=c.g32,N=c.grn,P=c.prv,A=c.ar32,B=c.br32,M=c.memory,L=c.alat;'];
  pre.push('let r=c.retired,rk=-1,rp,wk=-1,wp,fg=c.frameGen;');
  const all = new Set(segments.flatMap((seg) => [...seg.regs]));
  if (all.size) pre.push(`let ${[...all].map((r) => `x${r}=0,y${r}=0`).join(',')};`);
  // The frame must hold every stacked register a segment uses (else the interpreter raises). Without
  // rotating registers r32 + i is physical 32 + (bof + i) mod NPHYS; with them, the cpu's map.
  const lookups = (seg: (typeof segments)[0], leave: string): string =>
    seg.regs.size === 0
      ? ''
      : `if(c.sof<${seg.max - 31})${leave}if(c.sor===0){const b=c.bof;` +
        [...seg.regs].map((r) => `x${r}=b+${r};if(x${r}>=128)x${r}-=96;y${r}=x${r}<<1;`).join('') +
        '}else{c.freshMap();const GM=c.gmap;' +
        [...seg.regs].map((r) => `x${r}=GM[${r}];y${r}=x${r}<<1;`).join('') +
        '}';
  pre.push(`{${lookups(segments[0], 'return 1;')}}`);
  for (let i = 1; i < segments.length; i++) {
    const at = body.indexOf(`\u0000${i}\u0000`);
    body[at] = `fg=c.frameGen;{${lookups(segments[i], `{${segments[i].resume}}`)}}`;
  }
  if (rotPreds.size) pre.push('const PM=c.pmap;');
  if (usesFp) pre.push('const F=c.fr,D=F.dv,OK=F.dok,FS=F.sign,FE=F.exp,SG=F.sig32,FM=F.map;');
  for (const r of fregs) pre.push(`const w${r}=FM[${r}];`);
  for (const q of rotPreds) pre.push(`const q${q}=PM[${q}];`);
  const tail = exit(K(next[0]), next[1], count);
  const main = loopUsed ? `for(;;){${body.join('\n')}\n${tail}}` : `${body.join('\n')}\n${tail}`;
  const src = `${pre.join('\n')}\n${main}`;
  const links = new Array<Block | undefined>(exits);
  let make = factories.get(src);
  if (make === undefined) {
    if (factories.size >= MAX_FACTORIES) factories.clear();
    make = new Function(
      'K',
      'X',
      'V',
      'LN',
      'COUNT',
      'S64',
      'S32',
      `return function block(c,limit){${src}}`,
    ) as Factory;
    factories.set(src, make);
  }
  return {
    fn: make(consts, callees, kept, links, count, S64, S32),
    count,
    links,
    valid: true,
  };
}

/** The position after slot s of bundle b: the next instruction in it, or the next bundle's slot 0. */
function following(b: DecodedBundle, bip: bigint, s: number): [bigint, number] {
  for (let t = s + 1; t < 3; t++) if (b.insns[t] !== null) return [bip, t];
  return [bip + 16n, 0];
}
