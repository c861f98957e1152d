// Random x87 states and instruction sequences for the differential test against the host
// processor (test/native/x87-harness.c). Encodings use [esi+disp8] memory operands, which
// are the same bytes in 32-bit code and in the harness's 64-bit code.

/** splitmix32-style generator: reproducible from a seed. */
export class Rng {
  constructor(private s: number) {}
  next(): number {
    this.s = (this.s + 0x9e3779b9) | 0;
    let z = this.s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  }
  int(n: number): number {
    return this.next() % n;
  }
  big64(): bigint {
    return (BigInt(this.next()) << 32n) | BigInt(this.next());
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)];
  }
}

const INT_BIT = 1n << 63n;
const hex = (v: number | bigint, digits: number) => v.toString(16).toUpperCase().padStart(digits, '0');

/** A raw 80-bit register value [sign+exponent, significand] of a random class. */
export function randomF80(r: Rng): [number, bigint] {
  const s = r.int(2) << 15;
  const k = r.int(32);
  if (k < 12) return [s | (16383 + r.int(140) - 70), INT_BIT | (r.big64() >> 1n)];
  if (k < 16) {
    // Short significands make exact results (and ties) common.
    return [s | (16383 + r.int(40) - 10), INT_BIT | (BigInt(r.next() & 0xfffff) << 43n)];
  }
  if (k < 18) {
    const v = BigInt(r.int(2000)) + 1n;
    const n = v.toString(2).length;
    return [s | (16383 + n - 1), v << BigInt(64 - n)];
  }
  if (k === 18) return [s, 0n];
  if (k === 19) return [s | 0x7fff, INT_BIT];
  if (k === 20) return [s | 0x7fff, INT_BIT | (1n << 62n) | (r.big64() & ((1n << 62n) - 1n) & ~0xfffn)];
  if (k === 21) return [s | 0x7fff, INT_BIT | ((r.big64() & ((1n << 62n) - 1n)) | 1n)];
  if (k === 22) return [s, r.big64() >> BigInt(1 + r.int(63))]; // denormal
  if (k === 23) return [s | (1 + r.int(64)), INT_BIT | (r.big64() >> 1n)]; // near underflow
  if (k === 24) return [s | (0x7ffe - r.int(64)), INT_BIT | (r.big64() >> 1n)]; // near overflow
  if (k === 25) return [s | (16383 + r.int(130) - 2), INT_BIT | (r.big64() >> 1n)]; // large for FPREM/FIST
  if (k === 26) return [s | 0x3fff, INT_BIT]; // 1.0
  if (k === 27) return [s | (16383 + r.int(70)), INT_BIT | (BigInt(r.next() & 0xff) << 55n)];
  if (k === 28 && r.int(4) === 0) return [s | (1 + r.int(0x7ffd)), r.big64() >> 1n]; // unnormal (rare)
  if (k === 28) return [s, INT_BIT | (r.big64() >> 1n)]; // pseudo-denormal
  return [s | (16383 + r.int(20) - 10), INT_BIT | (r.big64() >> 1n)];
}

function f80Bytes(se: number, m: bigint): number[] {
  const out: number[] = [];
  for (let i = 0; i < 8; i++) out.push(Number((m >> BigInt(8 * i)) & 0xffn));
  out.push(se & 0xff, se >> 8);
  return out;
}

/** 64 bytes of operands: doubles, floats, integers, extended reals, raw noise. */
function randomMemory(r: Rng): number[] {
  const mem: number[] = [];
  for (let q = 0; q < 8; q++) {
    const k = r.int(6);
    const bytes: number[] = [];
    if (k === 0) {
      const [se, m] = randomF80(r);
      const e =
        (se & 0x7fff) === 0x7fff ? 0x7ff : (se & 0x7fff) === 0 ? 0 : 1023 + (((se & 0x7fff) - 16383) % 1000);
      const bits = (BigInt(se >> 15) << 63n) | (BigInt(e & 0x7ff) << 52n) | ((m >> 11n) & ((1n << 52n) - 1n));
      for (let i = 0; i < 8; i++) bytes.push(Number((bits >> BigInt(8 * i)) & 0xffn));
    } else if (k === 1) {
      for (let h = 0; h < 2; h++) {
        const e = r.pick([0, 0xff, 127 + r.int(60) - 30, 1 + r.int(253)]);
        const bits = ((r.int(2) << 31) | (e << 23) | (r.next() & 0x7fffff)) >>> 0;
        for (let i = 0; i < 4; i++) bytes.push((bits >>> (8 * i)) & 0xff);
      }
    } else if (k === 2) {
      const v = BigInt.asUintN(64, BigInt(r.int(100000) - 50000));
      for (let i = 0; i < 8; i++) bytes.push(Number((v >> BigInt(8 * i)) & 0xffn));
    } else if (k === 3) {
      for (let i = 0; i < 4; i++) {
        const v = (r.int(2000) - 1000) & 0xffff;
        bytes.push(v & 0xff, v >> 8);
      }
    } else {
      for (let i = 0; i < 8; i++) bytes.push(r.int(256));
    }
    mem.push(...bytes);
  }
  return mem;
}

/** A random FRSTOR image (108 bytes, 32-bit protected layout). */
export function randomImage(r: Rng): number[] {
  const rc = r.int(4) << 10;
  const pc = r.pick([0x300, 0x300, 0x200, 0x000]);
  const unmask = r.int(5) === 0 ? r.int(64) : 0;
  const cw = (0x7f & ~unmask) | pc | rc | 0x40;
  const top = r.int(8);
  const cc = r.next() & 0x4700;
  const sw = cc | (top << 11) | (r.int(8) === 0 ? r.int(64) : 0);
  const empty = r.int(3) === 0 ? 0 : r.int(256) & r.int(256);
  let tw = 0;
  const regs: [number, bigint][] = [];
  for (let i = 0; i < 8; i++) regs.push(randomF80(r));
  for (let p = 0; p < 8; p++) {
    const st = (p - top) & 7;
    const [se, m] = regs[st];
    const e = se & 0x7fff;
    let t = 2;
    if ((empty >> p) & 1) t = 3;
    else if (e === 0 && m === 0n) t = 1;
    else if (e !== 0 && e !== 0x7fff && m & INT_BIT) t = 0;
    tw |= t << (2 * p);
  }
  const words = [cw | 0xffff0000, sw | 0xffff0000, tw | 0xffff0000, 0, 0, 0, 0];
  const out: number[] = [];
  for (const w of words) for (let i = 0; i < 4; i++) out.push((w >>> (8 * i)) & 0xff);
  for (const [se, m] of regs) out.push(...f80Bytes(se, m));
  return out;
}

const mem = (r: Rng, esc: number, reg: number, size: number) => [
  0xd8 + esc,
  0x46 | (reg << 3),
  8 * r.int(Math.floor((64 - size) / 8) + 1),
];

/** Exact instructions (results must match the host bit for bit). */
export const EXACT: ((r: Rng) => number[])[] = [
  (r) => mem(r, 0, r.int(8), 4),
  (r) => mem(r, 2, r.int(8), 4),
  (r) => mem(r, 4, r.int(8), 8),
  (r) => mem(r, 6, r.int(8), 2),
  (r) => mem(r, 1, r.pick([0, 2, 3]), 4),
  (r) => mem(r, 3, r.pick([0, 2, 3]), 4),
  (r) => mem(r, 3, r.pick([5, 7]), 10),
  (r) => mem(r, 5, r.pick([0, 2, 3]), 8),
  (r) => mem(r, 7, r.pick([0, 2, 3]), 2),
  (r) => mem(r, 7, r.pick([5, 7]), 8),
  (r) => mem(r, 7, 6, 10),
  (r) => mem(r, 1, 7, 2),
  (r) => mem(r, 5, 7, 2),
  (r) => [0xd8, 0xc0 + r.int(64)],
  (r) => [0xdc, 0xc0 + r.int(64)],
  (r) => [0xde, r.pick([0xc0, 0xc8, 0xe0, 0xe8, 0xf0, 0xf8]) + r.int(8)],
  (_r) => [0xde, 0xd9],
  (r) => [0xd9, 0xc0 + r.int(16)],
  (r) => [0xd9, r.pick([0xd0, 0xe0, 0xe1, 0xe4, 0xe5, 0xe8, 0xe9, 0xea, 0xeb, 0xec, 0xed, 0xee])],
  (r) => [0xd9, r.pick([0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xfa, 0xfc, 0xfd])],
  (r) => [r.pick([0xda, 0xdb]), 0xc0 + r.int(32)],
  (_r) => [0xda, 0xe9],
  (r) => [0xdb, r.pick([0xe2, 0xe8 + r.int(8), 0xf0 + r.int(8)])],
  (r) => [0xdd, r.pick([0xc0, 0xd0, 0xd8, 0xe0, 0xe8]) + r.int(8)],
  (r) => [0xdf, r.pick([0xe0, 0xe8 + r.int(8), 0xf0 + r.int(8)])],
];

/** The transcendental instructions (compared by the distance in units in the last place). */
export const TRANSCENDENTAL = [0xf0, 0xf1, 0xf2, 0xf3, 0xf9, 0xfb, 0xfe, 0xff];

export interface Case {
  image: number[];
  mem: number[];
  ax: number;
  flags: number;
  code: number[];
}

export function randomCase(r: Rng, maxLength = 6): Case {
  const code: number[] = [];
  const n = 1 + r.int(maxLength);
  for (let i = 0; i < n; i++) code.push(...r.pick(EXACT)(r));
  return { image: randomImage(r), mem: randomMemory(r), ax: r.int(0x10000), flags: r.next() & 0x8d5, code };
}

export function caseLine(c: Case): string {
  const h = (a: number[]) => a.map((b) => hex(b, 2)).join('');
  return `${h(c.image)} ${h(c.mem)} ${hex(c.ax, 4)} ${hex(c.flags, 3)} ${h(c.code)}`;
}

/** A finite value with leading-bit exponent in [lo, hi] (unbiased), random sign and bits. */
function ranged(r: Rng, lo: number, hi: number, signed = true): [number, bigint] {
  const s = signed ? r.int(2) << 15 : 0;
  return [s | (16383 + lo + r.int(hi - lo + 1)), INT_BIT | (r.big64() >> 1n)];
}

/** Operands in each transcendental's domain (ST(0), ST(1)). */
const DOMAIN: Record<number, (r: Rng) => [number, bigint][]> = {
  240: (r) => [r.int(8) === 0 ? ranged(r, -70, -20) : ranged(r, -20, -1)], // F2XM1: |x| < 1
  241: (r) => [ranged(r, -40, 40, false), ranged(r, -10, 10)], // FYL2X: x > 0
  242: (r) => [r.int(8) === 0 ? ranged(r, -70, -10) : ranged(r, -10, 20)], // FPTAN
  243: (r) => [ranged(r, -30, 30), ranged(r, -30, 30)], // FPATAN
  249: (r) => [r.int(8) === 0 ? ranged(r, -70, -20) : ranged(r, -20, -3), ranged(r, -10, 10)], // FYL2XP1
  251: (r) => [r.int(8) === 0 ? ranged(r, -70, -10) : ranged(r, -10, 20)], // FSINCOS
  254: (r) => [r.int(8) === 0 ? ranged(r, -70, -10) : ranged(r, -10, 20)], // FSIN
  255: (r) => [r.int(8) === 0 ? ranged(r, -70, -10) : ranged(r, -10, 20)], // FCOS
};

/** One transcendental instruction on in-domain operands (all other state random). */
export function transcendentalCase(r: Rng, op: number): Case {
  const c = randomCase(r, 1);
  const image = c.image;
  // All exceptions masked, 64-bit precision (the transcendentals ignore PC), random RC.
  image[0] = 0x7f;
  image[1] = (r.int(4) << 2) | 3;
  const top = (image[5] >> 3) & 7;
  const operands = DOMAIN[op](r);
  operands.forEach(([se, m], i) => {
    image.splice(28 + 10 * i, 10, ...f80Bytes(se, m));
    const p = (top + i) & 7;
    const tw = (image[8] | (image[9] << 8)) & ~(3 << (2 * p));
    image[8] = tw & 0xff;
    image[9] = tw >> 8;
  });
  // ST(7) empty so FSINCOS/FPTAN can push.
  const p7 = (top + 7) & 7;
  const tw = image[8] | (image[9] << 8) | (3 << (2 * p7));
  image[8] = tw & 0xff;
  image[9] = tw >> 8;
  return { ...c, image, code: [0xd9, op] };
}
