// The block compiler against the interpreter (the reference): random code biased to the forms the
// compiler translates inline must leave exactly the interpreter's state (registers, NaTs, predicates,
// ar.lc, memory, ip/slot, retired count, fault); stores to compiled code must drop the blocks.
import { describe, expect, it } from 'vitest';
import { AR, GuestMemory, Ia64Cpu } from '../src/index.js';
import { bits, bundle, rng } from './random.js';

const CODE = 0x4000_0000_0000_0000n;
const DATA = 0x6000_0000_0000_0000n;

/**
 * A random well-formed slot from the families the compiler translates: ALU (A1..A5), compares and
 * tbit (A6..A8, I16), loads/stores with post-increment (M1..M5), br.cond/br.cloop. r1..r7 hold data
 * addresses (bases), written only by post-increments; other results go to r8..r15 and r32..r39.
 */
function randomSlot(random: () => number, unit: 'M' | 'I' | 'B'): bigint {
  const r = (n: number) => Math.floor(random() * n);
  const qp = random() < 0.6 ? 0 : r(20);
  const dst = () => (random() < 0.8 ? 8 + r(8) : 32 + r(8));
  const src = () => (random() < 0.3 ? r(8) : random() < 0.8 ? 8 + r(8) : 32 + r(8));
  const regs = (r1: number, r2: number, r3: number) =>
    bits(r1, 6) | bits(r2, 13) | bits(r3, 20) | bits(qp, 0);
  if (unit === 'B') {
    const disp = r(9) - 4;
    return (
      bits(4, 37) |
      bits(disp & 0xfffff, 13) |
      bits(disp < 0 ? 1 : 0, 36) |
      bits(random() < 0.5 ? 0 : 5, 6) |
      bits(1 + r(19), 0)
    );
  }
  const pick = r(unit === 'M' ? 10 : 7);
  if (pick < 3) {
    const forms: [number, number][] = [
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
      [3, 0],
      [3, 1],
      [3, 2],
      [3, 3],
      [4, r(4)],
      [9, 1],
      [0xb, r(4)],
    ];
    const [x4, x2b] = forms[r(forms.length)];
    return bits(8, 37) | bits(x4, 29) | bits(x2b, 27) | regs(dst(), src(), src());
  }
  if (pick === 3)
    return bits(8, 37) | bits(2, 34) | bits(r(64), 27) | bits(r(2), 36) | regs(dst(), r(128), src());
  if (pick === 4)
    return bits(9, 37) | bits(r(2 ** 9), 27) | bits(r(32), 22) | bits(r(2), 36) | regs(dst(), r(128), r(4));
  if (pick === 5) {
    const p = () => r(20);
    return (
      bits(12 + r(3), 37) |
      bits(r(4), 34) |
      bits(r(2), 36) |
      bits(r(2), 33) |
      bits(r(2), 12) |
      bits(qp, 0) |
      bits(p(), 6) |
      bits(p(), 27) |
      bits(src() & ~0, 13) |
      bits(src(), 20)
    );
  }
  if (unit === 'I') {
    // tbit: x2a = 0, y = 0, pos6 at 14, p1/p2
    return (
      bits(5, 37) |
      bits(r(2), 36) |
      bits(r(2), 33) |
      bits(r(2), 12) |
      bits(r(64), 14) |
      bits(r(20), 6) |
      bits(r(20), 27) |
      bits(src(), 20) |
      bits(qp, 0)
    );
  }
  // M: loads and stores on the base registers r1..r7
  const k = r(4);
  const base = 1 + r(7);
  const store = random() < 0.4;
  if (random() < 0.5) {
    // op 5: immediate post-increment (a multiple of 8 keeps the base aligned)
    const imm = (r(5) - 2) * 8;
    const i9 = imm & 0x1ff;
    const immBits = bits(i9 >> 8, 36) | bits((i9 >> 7) & 1, 27);
    if (store)
      return (
        bits(5, 37) |
        bits(0x30 + k, 30) |
        immBits |
        bits(i9 & 0x7f, 6) |
        bits(src(), 13) |
        bits(base, 20) |
        bits(qp, 0)
      );
    return (
      bits(5, 37) |
      bits(k, 30) |
      immBits |
      bits(i9 & 0x7f, 13) |
      bits(dst(), 6) |
      bits(base, 20) |
      bits(qp, 0)
    );
  }
  if (store) return bits(4, 37) | bits(0x30 + k, 30) | regs(0, src(), base);
  const post = random() < 0.1;
  return bits(4, 37) | bits(k, 30) | (post ? 1n << 36n : 0n) | regs(dst(), post ? 8 + r(8) : 0, base);
}

function setUp(seed: number, jit: boolean): Ia64Cpu {
  const random = rng(seed);
  const memory = new GuestMemory();
  memory.map(CODE, 4096);
  memory.map(DATA, 65536);
  const MIB = 0x10;
  const MMI = 0x08;
  const MII = 0x00;
  for (let i = 0; i < 256; i++) {
    const t = [MIB, MMI, MII][Math.floor(random() * 3)] + (random() < 0.3 ? 1 : 0);
    const units =
      t >> 1 === MIB >> 1
        ? (['M', 'I', 'B'] as const)
        : t >> 1 === MMI >> 1
          ? (['M', 'M', 'I'] as const)
          : (['M', 'I', 'I'] as const);
    const [lo, hi] = bundle(
      t,
      randomSlot(random, units[0]),
      randomSlot(random, units[1]),
      randomSlot(random, units[2]),
    );
    memory.write(CODE + BigInt(i * 16), 8, lo);
    memory.write(CODE + BigInt(i * 16 + 8), 8, hi);
  }
  const cpu = new Ia64Cpu({ memory, jit, jitThreshold: 0, hooks: { onBreak: () => false } });
  cpu.bsp = cpu.bspstore = DATA + 0x8000n;
  cpu.alloc(40, 20, 0);
  for (let r = 1; r < 40; r++) {
    const kind = random();
    const v =
      r < 8 || kind < 0.3
        ? DATA + 0x1000n + BigInt(Math.floor(random() * 2048) * 8)
        : BigInt.asUintN(64, BigInt(Math.floor(random() * 2 ** 32)) << BigInt(Math.floor(random() * 33)));
    cpu.setGr(r, random() < 0.1 ? -v : v, r >= 8 && random() < 0.05 ? 1 : 0);
  }
  for (let p = 1; p < 64; p++) cpu.setPr(p, random() < 0.5);
  cpu.ar[AR.LC] = BigInt(Math.floor(random() * 5));
  cpu.jump(CODE + 0x800n);
  return cpu;
}

function state(cpu: Ia64Cpu, stop: string) {
  return {
    stop,
    fault: cpu.fault && `${cpu.fault.kind} ${cpu.fault.ip.toString(16)}/${cpu.fault.slot}`,
    ip: cpu.ip.toString(16),
    slot: cpu.slot,
    retired: cpu.retired,
    grv: [...cpu.grv].map((v) => v.toString(16)).join(' '),
    grn: [...cpu.grn].join(''),
    prv: [...cpu.prv].join(''),
    lc: cpu.ar[AR.LC].toString(16),
    data: Buffer.from(cpu.memory.readBytes(DATA, 32768) ?? []).toString('hex'),
  };
}

describe('block compiler', () => {
  const SEED = 0x64b10c;
  const TRIALS = 200;
  it(`leaves the interpreter's state on ${TRIALS} random code pages (seed ${SEED})`, () => {
    let differ = 0;
    let compiledRuns = 0;
    let retired = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      const ref = setUp(SEED + trial, false);
      const cmp = setUp(SEED + trial, true);
      const a = state(ref, ref.run(3000));
      const b = state(cmp, cmp.run(3000));
      if (cmp.jitBlocks() > 0) compiledRuns++;
      retired += a.retired;
      if (JSON.stringify(a) !== JSON.stringify(b)) {
        differ++;
        if (differ === 1) expect(b).toEqual(a);
      }
    }
    expect(differ).toBe(0);
    // the trials ran code through the compiler, not only through faults at the first bundle
    expect(compiledRuns).toBeGreaterThan(TRIALS / 2);
    expect(retired).toBeGreaterThan(TRIALS * 1000);
  });

  it('drops compiled blocks when their code page is written', () => {
    const memory = new GuestMemory();
    memory.map(CODE, 4096);
    // adds r8 = imm14, r8 ; nop.i ; br.cloop back to itself  (MIB), then break.m 0 (stop)
    const adds = (imm: number) =>
      bits(8, 37) |
      bits(2, 34) |
      bits((imm >> 7) & 0x3f, 27) |
      bits(8, 20) |
      bits(imm & 0x7f, 13) |
      bits(8, 6);
    const nopI = bits(1, 27);
    const brCloop = bits(4, 37) | bits(0, 13) | bits(5, 6);
    const write = (at: number, [lo, hi]: [bigint, bigint]) => {
      memory.write(CODE + BigInt(at), 8, lo);
      memory.write(CODE + BigInt(at + 8), 8, hi);
    };
    write(0, bundle(0x11, adds(1), nopI, brCloop));
    write(16, bundle(0x11, 0n, nopI, 0n)); // break.m 0: a fault ends the run
    const cpu = new Ia64Cpu({ memory, jitThreshold: 0 });
    cpu.ar[AR.LC] = 9n;
    cpu.jump(CODE);
    expect(cpu.run(1000)).toBe('fault');
    expect(cpu.gr(8)).toBe(10n);
    expect(cpu.jitBlocks()).toBeGreaterThan(0);
    write(0, bundle(0x11, adds(3), nopI, brCloop));
    cpu.ar[AR.LC] = 9n;
    cpu.jump(CODE);
    expect(cpu.run(1000)).toBe('fault');
    expect(cpu.gr(8)).toBe(40n);
  });

  it('does not follow a link into a block whose page was written', () => {
    const memory = new GuestMemory();
    memory.map(CODE, 8192);
    const adds = (imm: number) => bits(8, 37) | bits(2, 34) | bits(8, 20) | bits(imm, 13) | bits(8, 6);
    const nopI = bits(1, 27);
    const brTo = (bundles: number) => bits(4, 37) | bits(bundles, 13); // br.cond forward, qp p0
    const write = (at: number, [lo, hi]: [bigint, bigint]) => {
      memory.write(CODE + BigInt(at), 8, lo);
      memory.write(CODE + BigInt(at + 8), 8, hi);
    };
    // page 0: r8 += 1, branch to page 1; page 1: r8 += n, then break.m 0 (a fault ends the run)
    write(0, bundle(0x11, adds(1), nopI, brTo(0x100)));
    write(0x1000, bundle(0x11, adds(1), nopI, 0n));
    write(0x1010, bundle(0x11, 0n, nopI, 0n));
    const cpu = new Ia64Cpu({ memory, jitThreshold: 0 });
    cpu.jump(CODE);
    expect(cpu.run(100)).toBe('fault');
    cpu.jump(CODE);
    expect(cpu.run(100)).toBe('fault'); // the second run follows the page-0 block's link
    expect(cpu.gr(8)).toBe(4n);
    write(0x1000, bundle(0x11, adds(3), nopI, 0n));
    cpu.jump(CODE);
    expect(cpu.run(100)).toBe('fault');
    expect(cpu.gr(8)).toBe(8n);
  });
});
