// The fma double-precision fast path (JS doubles, exec/fpfast.ts via exec/fparith.ts) against the
// exact BigInt path, in double and extended precision:
// random operands near and far from each other, cancellation, products that are not exact; the
// register written and every FPSR flag must agree.
import { afterAll, describe, expect, it } from 'vitest';
import { DOUBLE, EXTENDED, fma, setDoubleFastPath, unpack } from '../src/exec/fparith.js';
import { fromDouble } from '../src/exec/fpregs.js';
import { AR, Ia64Cpu } from '../src/index.js';
import { bitsOf, rng } from './random.js';

function randomDouble(random: () => number): number {
  const kind = random();
  const m = random() < 0.5 ? Math.floor(random() * 2 ** 20) : random();
  const e = kind < 0.8 ? Math.floor(random() * 40) - 20 : Math.floor(random() * 2000) - 1000;
  const v = (1 + m) * 2 ** e;
  return random() < 0.5 ? -v : v;
}

describe('fma double fast path', () => {
  afterAll(() => setDoubleFastPath(true));
  it('writes what the exact path writes, with the same flags (20000 random cases)', () => {
    const random = rng(0xf3a);
    let differ = 0;
    let decided = 0; // cases the double path decided (register shadow valid after the fast run)
    const first: string[] = [];
    for (let i = 0; i < 20000; i++) {
      const x = randomDouble(random);
      const y = randomDouble(random);
      const z = random() < 0.3 ? -(x * y) * (1 + (random() - 0.5) * 2 ** -40) : randomDouble(random);
      const negP = random() < 0.3;
      const negA = random() < 0.3;
      // extended precision takes the double path only when the result is exact
      const fmt = random() < 0.25 ? EXTENDED : DOUBLE;
      const out: string[] = [];
      for (const fast of [true, false]) {
        setDoubleFastPath(fast);
        const c = new Ia64Cpu({ jit: false });
        c.fr.set(10, ...fromDouble(bitsOf(x)));
        c.fr.set(11, ...fromDouble(bitsOf(y)));
        c.fr.set(12, ...fromDouble(bitsOf(z)));
        fma(c, 8, unpack(c, 10), unpack(c, 11), unpack(c, 12), negP, negA, fmt, 0, 0, {
          r3: 10,
          a: 11,
          r2: 12,
        });
        const p = c.fr.map[8];
        if (fast && c.fr.dok[p]) decided++;
        out.push(`${c.fr.sign[p]} ${c.fr.exp[p]} ${c.fr.sig[p].toString(16)} ${c.ar[AR.FPSR].toString(16)}`);
      }
      if (out[0] !== out[1]) {
        differ++;
        if (first.length < 3) first.push(`${x} ${y} ${z} ${negP} ${negA}: ${out[0]} vs ${out[1]}`);
      }
    }
    expect(first).toEqual([]);
    expect(differ).toBe(0);
    expect(decided).toBeGreaterThan(5000);
  });
});
