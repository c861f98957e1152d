// JavaScript source for 64-bit integer operations on a register held as two int32 halves (little
// endian: [lo, hi]), as the compiled blocks use them instead of BigInt. Operands are source
// expressions for the halves; every helper returns statements that leave the result in `l`, `h`.

/** A 64-bit operand: expressions for its low and high halves (int32). */
export interface Pair {
  lo: string;
  hi: string;
}

/** The halves of a constant (a BigInt, taken modulo 2^64). */
export function constPair(v: bigint): Pair {
  const u = BigInt.asUintN(64, v);
  return { lo: String(Number(BigInt.asIntN(32, u))), hi: String(Number(BigInt.asIntN(32, u >> 32n))) };
}

/** l:h = a + b (+ 1 when `plus1`): carry out of the low half by unsigned compare. */
export const add = (a: Pair, b: Pair): string =>
  `const al=${a.lo},bl=${b.lo},l=(al+bl)|0,h=(${a.hi}+${b.hi}+((l>>>0)<(al>>>0)?1:0))|0;`;

/** l:h = a - b. */
export const sub = (a: Pair, b: Pair): string =>
  `const al=${a.lo},bl=${b.lo},l=(al-bl)|0,h=(${a.hi}-${b.hi}-((al>>>0)<(bl>>>0)?1:0))|0;`;

/** l:h = a op b for a bitwise operator applied to each half. */
export const logic = (a: Pair, b: Pair, op: 'and' | 'or' | 'xor' | 'andcm'): string => {
  const f = (x: string, y: string): string =>
    op === 'and' ? `${x}&${y}` : op === 'or' ? `${x}|${y}` : op === 'xor' ? `${x}^${y}` : `${x}&~${y}`;
  return `const l=${f(a.lo, b.lo)},h=${f(a.hi, b.hi)};`;
};

/** l:h = (a << n) + b for n in 1..4 (shladd). */
export const shladd = (a: Pair, n: number, b: Pair): string =>
  `const sl=${a.lo}<<${n},bl=${b.lo},l=(sl+bl)|0,` +
  `h=(((${a.hi}<<${n})|(${a.lo}>>>${32 - n}))+${b.hi}+((l>>>0)<(sl>>>0)?1:0))|0;`;

export type Rel = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'ltu';

/** A boolean expression: a rel b on 64 bits (or the low 32 bits for cmp4). Operands are locals. */
export function relation(rel: Rel, a: Pair, b: Pair, bits: 32 | 64): string {
  const ltS = (x: Pair, y: Pair): string =>
    bits === 32 ? `(${x.lo}<${y.lo})` : `(${x.hi}<${y.hi}||(${x.hi}===${y.hi}&&(${x.lo}>>>0)<(${y.lo}>>>0)))`;
  const eq = bits === 32 ? `(${a.lo}===${b.lo})` : `(${a.lo}===${b.lo}&&${a.hi}===${b.hi})`;
  switch (rel) {
    case 'eq':
      return eq;
    case 'ne':
      return `!${eq}`;
    case 'lt':
      return ltS(a, b);
    case 'gt':
      return ltS(b, a);
    case 'ge':
      return `!${ltS(a, b)}`;
    case 'le':
      return `!${ltS(b, a)}`;
    case 'ltu':
      return bits === 32
        ? `((${a.lo}>>>0)<(${b.lo}>>>0))`
        : `((${a.hi}>>>0)<(${b.hi}>>>0)||(${a.hi}===${b.hi}&&(${a.lo}>>>0)<(${b.lo}>>>0)))`;
  }
}
