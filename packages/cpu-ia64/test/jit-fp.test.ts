// The FP fast paths (compiled ldfd/stfd/fma/fms/fnma/getf/setf on double shadows, and the
// interpreter's fma on doubles) against the exact BigInt path: random FP code over random operands
// (normal doubles near and far apart, zeros, denormals, infinities, NaNs, NaTVal, integers, extended
// values) under random FPSR controls must leave exactly the exact path's state: every FP register
// (sign, exponent, significand), FPSR, GRs and NaTs, memory, ip/slot/retired and fault.
import { afterAll, describe, expect, it } from 'vitest';
import { setDoubleFastPath } from '../src/exec/fparith.js';
import { fromDouble } from '../src/exec/fpregs.js';
import { AR, GuestMemory, Ia64Cpu } from '../src/index.js';
import { bits, bitsOf, bundle, rng } from './random.js';

const CODE = 0x4000_0000_0000_0000n;
const DATA = 0x6000_0000_0000_0000n;

/** A random 64-bit pattern for memory and setf: mostly doubles the fast paths take, some they don't. */
function randomBits(random: () => number): bigint {
  const k = random();
  const m = random() < 0.5 ? Math.floor(random() * 2 ** 12) / 2 ** 12 : random();
  const sign = random() < 0.4 ? -1 : 1;
  if (k < 0.55) return bitsOf(sign * (1 + m) * 2 ** (Math.floor(random() * 24) - 12));
  if (k < 0.65) return bitsOf(sign * (1 + m) * 2 ** (Math.floor(random() * 2046) - 1022));
  if (k < 0.72) return bitsOf(sign * 0);
  if (k < 0.78) return bitsOf(sign * m * 2 ** -1022); // denormal
  if (k < 0.82) return bitsOf(sign * Number.POSITIVE_INFINITY);
  if (k < 0.86) return bitsOf(Number.NaN) | (random() < 0.5 ? 1n << 63n : 0n);
  if (k < 0.9) return bitsOf(sign * 2 ** (random() < 0.5 ? 1023 : -1022) * (1 + m)); // the edges
  return BigInt.asUintN(64, BigInt(Math.floor(random() * 2 ** 32)) << BigInt(Math.floor(random() * 33)));
}

/** FP registers used: f2..f15 and f32..f39 (f0 and f1 as sources too). */
function fpReg(random: () => number, dest: boolean): number {
  const k = Math.floor(random() * 24);
  if (!dest && k < 2) return k;
  return k < 16 ? Math.max(2, k) : 32 + (k - 16);
}

function randomF(random: () => number): bigint {
  const r = (n: number) => Math.floor(random() * n);
  const qp = random() < 0.7 ? 0 : r(16);
  // fma 8, fma.d 9, fms 10, fms.d 11, fnma 12, fnma.d 13; x = 1 on 8/10/12 is .s (the handler)
  const op = 8 + r(6);
  const x = op % 2 === 0 && random() < 0.1 ? 1 : 0;
  const sf = random() < 0.6 ? 0 : r(4);
  const f2 = random() < 0.25 ? 0 : fpReg(random, false);
  return (
    bits(op, 37) |
    bits(x, 36) |
    bits(sf, 34) |
    bits(fpReg(random, false), 27) |
    bits(fpReg(random, false), 20) |
    bits(f2, 13) |
    bits(fpReg(random, true), 6) |
    bits(qp, 0)
  );
}

/** ldfd/stfd (plain, register or immediate post-increment), getf/setf .d/.sig, on bases r1..r7. */
function randomM(random: () => number): bigint {
  const r = (n: number) => Math.floor(random() * n);
  const qp = random() < 0.7 ? 0 : r(16);
  const base = 1 + r(7);
  const k = random();
  const imm = (r(5) - 2) * 8;
  const i9 = imm & 0x1ff;
  if (k < 0.35) {
    const kind = r(3);
    if (kind === 0)
      return bits(6, 37) | bits(3, 30) | bits(base, 20) | bits(fpReg(random, true), 6) | bits(qp, 0);
    if (kind === 1)
      return (
        bits(6, 37) |
        bits(1, 36) |
        bits(3, 30) |
        bits(base, 20) |
        bits(8 + r(8), 13) |
        bits(fpReg(random, true), 6) |
        bits(qp, 0)
      );
    return (
      bits(7, 37) |
      bits(3, 30) |
      bits(i9 >> 8, 36) |
      bits((i9 >> 7) & 1, 27) |
      bits(i9 & 0x7f, 13) |
      bits(base, 20) |
      bits(fpReg(random, true), 6) |
      bits(qp, 0)
    );
  }
  if (k < 0.6) {
    if (random() < 0.5)
      return bits(6, 37) | bits(0x33, 30) | bits(base, 20) | bits(fpReg(random, false), 13) | bits(qp, 0);
    return (
      bits(7, 37) |
      bits(0x33, 30) |
      bits(i9 >> 8, 36) |
      bits((i9 >> 7) & 1, 27) |
      bits(i9 & 0x7f, 6) |
      bits(fpReg(random, false), 13) |
      bits(base, 20) |
      bits(qp, 0)
    );
  }
  const x6 = random() < 0.6 ? 0x1f : 0x1c; // .d, .sig
  if (k < 0.8)
    return (
      bits(4, 37) |
      bits(1, 27) |
      bits(x6, 30) |
      bits(fpReg(random, false), 13) |
      bits(8 + r(8), 6) |
      bits(qp, 0)
    );
  return (
    bits(6, 37) | bits(1, 27) | bits(x6, 30) | bits(8 + r(8), 13) | bits(fpReg(random, true), 6) | bits(qp, 0)
  );
}

function setUp(seed: number, jit: boolean): Ia64Cpu {
  const random = rng(seed);
  const memory = new GuestMemory();
  memory.map(CODE, 4096);
  memory.map(DATA, 65536);
  const MFI = 0x0c;
  const MMF = 0x0e;
  const MFB = 0x1c;
  const nopI = bits(1, 27);
  for (let i = 0; i < 256; i++) {
    const pick = random();
    const stop = random() < 0.3 ? 1 : 0;
    let b: [bigint, bigint];
    if (pick < 0.45) b = bundle(MFI + stop, randomM(random), randomF(random), nopI);
    else if (pick < 0.85) b = bundle(MMF + stop, randomM(random), randomM(random), randomF(random));
    else {
      // br.cloop a few bundles back (loops run compiled), or br.cond on a predicate
      const disp = -Math.floor(random() * 4);
      const br =
        bits(4, 37) | bits(disp & 0xfffff, 13) | bits(disp < 0 ? 1 : 0, 36) | bits(random() < 0.7 ? 5 : 0, 6);
      b = bundle(
        MFB,
        randomM(random),
        randomF(random),
        br | bits(random() < 0.5 ? 0 : 1 + Math.floor(random() * 15), 0),
      );
    }
    memory.write(CODE + BigInt(i * 16), 8, b[0]);
    memory.write(CODE + BigInt(i * 16 + 8), 8, b[1]);
  }
  for (let a = 0; a < 8192; a++) memory.write(DATA + BigInt(a * 8), 8, randomBits(random));
  const cpu = new Ia64Cpu({ memory, jit, jitThreshold: 0, hooks: { onBreak: () => false } });
  cpu.bsp = cpu.bspstore = DATA + 0x10000n - 0x1000n;
  cpu.alloc(16, 8, 0);
  for (let r = 1; r < 8; r++)
    cpu.setGr(r, DATA + 0x4000n + BigInt(Math.floor(random() * 2048) * 8), random() < 0.03 ? 1 : 0);
  for (let r = 8; r < 16; r++)
    cpu.setGr(
      r,
      random() < 0.5 ? randomBits(random) : BigInt((Math.floor(random() * 5) - 2) * 8),
      random() < 0.05 ? 1 : 0,
    );
  for (let f = 2; f < 128; f++) {
    const k = random();
    if (k < 0.8) cpu.fr.set(f, ...fromDouble(randomBits(random)));
    else if (k < 0.85) cpu.fr.setNatVal(f);
    else
      cpu.fr.set(
        f,
        random() < 0.5 ? 1 : 0,
        0xffff + Math.floor(random() * 40) - 20,
        randomBits(random) | (1n << 63n),
      );
  }
  for (let p = 1; p < 64; p++) cpu.setPr(p, random() < 0.6);
  // FPSR: traps disabled; per status field mostly round-to-nearest, precision double or extended
  let fpsr = 0x3fn;
  for (let sf = 0; sf < 4; sf++) {
    const rc = random() < 0.75 ? 0 : Math.floor(random() * 4);
    const pc = [3, 2, 0, 1][Math.floor(random() * 4)];
    const wre = random() < 0.2 ? 1 : 0;
    const flags = random() < 0.5 ? 0 : Math.floor(random() * 64);
    fpsr |= BigInt((rc << 4) | (pc << 2) | (wre << 1) | (flags << 7)) << BigInt(6 + 13 * sf);
  }
  cpu.ar[AR.FPSR] = fpsr;
  cpu.ar[AR.LC] = BigInt(Math.floor(random() * 4));
  cpu.jump(CODE + 0x800n);
  return cpu;
}

function state(cpu: Ia64Cpu, stop: string) {
  const fr = cpu.fr;
  return {
    stop,
    fault: cpu.fault && `${cpu.fault.kind} ${cpu.fault.ip.toString(16)}/${cpu.fault.slot}`,
    ip: cpu.ip.toString(16),
    slot: cpu.slot,
    retired: cpu.retired,
    fpsr: cpu.ar[AR.FPSR].toString(16),
    fr: [...fr.sig].map((v, p) => `${fr.sign[p]}:${fr.exp[p].toString(16)}:${v.toString(16)}`).join(' '),
    grv: [...cpu.grv].map((v) => v.toString(16)).join(' '),
    grn: [...cpu.grn].join(''),
    data: Buffer.from(cpu.memory.readBytes(DATA, 65536) ?? []).toString('hex'),
  };
}

describe('FP fast paths', () => {
  afterAll(() => setDoubleFastPath(true));
  const SEED = 0xf9a57;
  const TRIALS = 150;
  it(`leave the exact path's registers, FPSR and memory on ${TRIALS} random FP code pages (seed ${SEED})`, () => {
    let differ = 0;
    let compiled = 0;
    let retired = 0;
    let shadowed = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      setDoubleFastPath(false);
      const ref = setUp(SEED + trial, false);
      const a = state(ref, ref.run(3000));
      const runs = [true, false].map((jit) => {
        setDoubleFastPath(true);
        const cpu = setUp(SEED + trial, jit);
        const s = state(cpu, cpu.run(3000));
        if (jit && cpu.jitBlocks() > 0) compiled++;
        if (jit)
          shadowed += cpu.fr.dok.reduce((n, ok, p) => n + (ok && !Number.isNaN(cpu.fr.dv[p]) ? 1 : 0), 0);
        return s;
      });
      retired += a.retired;
      for (const b of runs) {
        if (JSON.stringify(a) !== JSON.stringify(b)) {
          differ++;
          if (differ === 1) expect(b).toEqual(a);
        }
      }
    }
    expect(differ).toBe(0);
    expect(compiled).toBeGreaterThan(TRIALS / 2);
    expect(retired).toBeGreaterThan(TRIALS * 300);
    // the fast paths wrote or read double shadows (they were used, not only the handlers)
    expect(shadowed).toBeGreaterThan(TRIALS * 5);
  });
});
