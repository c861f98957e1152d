// Unit tests of the 24Kf FPU: the exact arithmetic against the host CPU (JavaScript's doubles, and
// Math.fround for singles: a double result rounded to single is the correctly rounded single for
// + − × ÷ √), directed rounding's bracketing, CP1 gating on both models, random instruction words
// with the FPU enabled, and CP1 in saved states. The instruction-level oracle is fpu-oracle.test.ts.
import { PhysicalMemory } from '@phantasm/mmu';
import { describe, expect, it } from 'vitest';
import * as X from '../src/fpu/fast.js';
import * as F from '../src/fpu/softfloat.js';
import { EXC, FIR_24KF, MipsCpu, type MipsCpuOptions, MipsStateError } from '../src/index.js';
import { CODE, I, load } from './helpers.js';

let seed = 0x2545_f491;
function rnd(): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return seed >>> 0;
}
const view = new DataView(new ArrayBuffer(8));
function dbl(b: bigint): number {
  view.setBigUint64(0, b);
  return view.getFloat64(0);
}
function bitsD(x: number): bigint {
  view.setFloat64(0, x);
  return view.getBigUint64(0);
}
function sgl(b: bigint): number {
  view.setUint32(0, Number(b));
  return view.getFloat32(0);
}
function bitsS(x: number): bigint {
  view.setFloat32(0, x);
  return BigInt(view.getUint32(0));
}

/** Random double bits: whole-range patterns, numbers near 1, tiny and huge ones, specials. */
function randomDouble(): bigint {
  const k = rnd() % 6;
  const low = BigInt(rnd());
  if (k === 0) return (BigInt(rnd()) << 32n) | low;
  if (k === 1)
    return (
      (BigInt(((rnd() & 0x8000_0000) | ((1010 + (rnd() % 30)) << 20) | (rnd() & 0xf_ffff)) >>> 0) << 32n) |
      low
    );
  if (k === 2) return (BigInt(rnd() & 0x801f_ffff) << 32n) | low; // subnormal and smallest normals
  if (k === 3) return (BigInt((rnd() & 0x800f_ffff) | 0x7fe0_0000) << 32n) | low; // largest binade
  if (k === 4) return [0n, 1n << 63n, 0x7ff0_0000_0000_0000n, 0x3ff0_0000_0000_0000n][rnd() % 4];
  return BigInt((rnd() % 4001) - 2000) === 0n ? 0n : bitsD((rnd() % 4001) - 2000);
}
function randomSingle(): bigint {
  const k = rnd() % 4;
  if (k === 0) return BigInt(rnd());
  if (k === 1)
    return BigInt(((rnd() & 0x8000_0000) | ((110 + (rnd() % 30)) << 23) | (rnd() & 0x7f_ffff)) >>> 0);
  if (k === 2) return BigInt((rnd() & 0x80ff_ffff) >>> 0);
  return BigInt(((rnd() & 0x807f_ffff) | 0x7f00_0000) >>> 0);
}

const env = (rm = F.RM_NEAREST): F.FpEnv => ({ rm, ftz: false, flags: 0 });
/** The host's result with NaN replaced by the MIPS legacy default NaN. */
const hostD = (x: number): bigint => (Number.isNaN(x) ? F.DOUBLE.defaultNaN : bitsD(x));
const hostS = (x: number): bigint => (Number.isNaN(x) ? F.SINGLE.defaultNaN : bitsS(Math.fround(x)));
const isNaNBits = (b: bigint, f: F.Format): boolean =>
  f === F.DOUBLE ? Number.isNaN(dbl(b)) : Number.isNaN(sgl(b));

describe('exact arithmetic against the host (round to nearest)', () => {
  const N = 4000;
  it('double + − × ÷ √ equal JavaScript bit for bit', () => {
    let compared = 0;
    for (let k = 0; k < N; k++) {
      const a = randomDouble();
      const b = randomDouble();
      if (isNaNBits(a, F.DOUBLE) || isNaNBits(b, F.DOUBLE)) continue;
      const [x, y] = [dbl(a), dbl(b)];
      expect(F.add(a, b, F.DOUBLE, env())).toBe(hostD(x + y));
      expect(F.sub(a, b, F.DOUBLE, env())).toBe(hostD(x - y));
      expect(F.mul(a, b, F.DOUBLE, env())).toBe(hostD(x * y));
      expect(F.div(a, b, F.DOUBLE, env())).toBe(hostD(x / y));
      expect(F.sqrt(a, F.DOUBLE, env())).toBe(hostD(Math.sqrt(x)));
      compared++;
    }
    expect(compared).toBeGreaterThan(N * 0.9);
  });

  it('single + − × ÷ √ and double → single equal Math.fround of the double result', () => {
    for (let k = 0; k < N; k++) {
      const a = randomSingle();
      const b = randomSingle();
      if (isNaNBits(a, F.SINGLE) || isNaNBits(b, F.SINGLE)) continue;
      const [x, y] = [sgl(a), sgl(b)];
      expect(F.add(a, b, F.SINGLE, env())).toBe(hostS(x + y));
      expect(F.sub(a, b, F.SINGLE, env())).toBe(hostS(x - y));
      expect(F.mul(a, b, F.SINGLE, env())).toBe(hostS(x * y));
      expect(F.div(a, b, F.SINGLE, env())).toBe(hostS(x / y));
      expect(F.sqrt(a, F.SINGLE, env())).toBe(hostS(Math.sqrt(x)));
      const d = randomDouble();
      if (!isNaNBits(d, F.DOUBLE)) expect(F.convert(d, F.DOUBLE, F.SINGLE, env())).toBe(hostS(dbl(d)));
    }
  });

  it('integer conversions equal the host (truncation and nearest-even)', () => {
    for (let k = 0; k < N; k++) {
      const a = randomDouble();
      const x = dbl(a);
      const t = F.toInt(a, F.DOUBLE, F.RM_ZERO, 32, env());
      if (Number.isFinite(x) && Math.abs(x) < 2 ** 31) expect(t).toBe(BigInt(Math.trunc(x)));
      else expect(t).toBeUndefined();
      const i = (rnd() | 0) >> (rnd() % 32);
      expect(F.fromInt(BigInt(i), F.DOUBLE, env())).toBe(bitsD(i));
      expect(F.fromInt(BigInt(i), F.SINGLE, env())).toBe(bitsS(Math.fround(i)));
    }
  });
});

describe('the round-to-nearest fast path (fast.ts)', () => {
  it('gives the exact path’s result and flags whenever it answers, and answers for ordinary operands', () => {
    const cases: [X.FastOp, (a: bigint, b: bigint, f: F.Format, e: F.FpEnv) => bigint][] = [
      [X.fastAdd, F.add],
      [X.fastSub, F.sub],
      [X.fastMul, F.mul],
      [X.fastDiv, F.div],
      [X.fastSqrt, (a, _b, f, e) => F.sqrt(a, f, e)],
    ];
    let answered = 0;
    for (let k = 0; k < 20000; k++) {
      const [fast, slow] = cases[k % cases.length];
      const single = k % 2 === 0;
      const a = single ? randomSingle() : randomDouble();
      const b = single ? randomSingle() : randomDouble();
      const fe = env();
      const r = single ? fast(sgl(a), sgl(b), true, fe) : fast(dbl(a), dbl(b), false, fe);
      if (r === undefined) continue;
      answered++;
      const se = env();
      const want = slow(a, b, single ? F.SINGLE : F.DOUBLE, se);
      expect(single ? bitsS(r) : bitsD(r)).toBe(want);
      expect(fe.flags).toBe(se.flags);
    }
    expect(answered).toBeGreaterThan(6000);
  });
});

describe('directed rounding', () => {
  it('down ≤ nearest ≤ up, one ulp apart exactly when inexact, toward zero on the magnitude side', () => {
    const ops = [F.add, F.sub, F.mul, F.div];
    for (let k = 0; k < 3000; k++) {
      const a = randomDouble();
      const b = randomDouble();
      const op = ops[k % 4];
      const [n, z, u, d] = [F.RM_NEAREST, F.RM_ZERO, F.RM_UP, F.RM_DOWN].map((rm) => {
        const e = env(rm);
        return { v: op(a, b, F.DOUBLE, e), flags: e.flags };
      });
      const [vn, vz, vu, vd] = [n.v, z.v, u.v, d.v].map(dbl);
      if (Number.isNaN(vn)) {
        expect([vz, vu, vd].every(Number.isNaN)).toBe(true);
        continue;
      }
      const inexact = (n.flags & F.FLAG_I) !== 0;
      expect([z, u, d].every((r) => ((r.flags & F.FLAG_I) !== 0) === inexact)).toBe(true);
      expect(vd <= vn && vn <= vu).toBe(true);
      // exact: one value (an exact zero sum is −0 when rounding down, +0 otherwise)
      if (!inexact) expect([vz, vu, vd].every((v) => v === vn)).toBe(true);
      else if (Number.isFinite(vd) && Number.isFinite(vu) && vd !== 0 && vu !== 0) {
        // adjacent doubles of the same sign: their bit patterns differ by one
        const diff = vd > 0 ? u.v - d.v : d.v - u.v;
        expect(diff).toBe(1n);
        expect(vz).toBe(vd > 0 ? vd : vu);
      }
    }
  });
});

// ---- machine level ----

const cop1 = (rs: number, rt: number, fs: number, rest = 0) =>
  ((0x11 << 26) | (rs << 21) | (rt << 16) | (fs << 11) | rest) >>> 0;
const mtc1 = (rt: number, fs: number) => cop1(4, rt, fs);
const mfc1 = (rt: number, fs: number) => cop1(0, rt, fs);
const cfc1 = (rt: number, fs: number) => cop1(2, rt, fs);
const ctc1 = (rt: number, fs: number) => cop1(6, rt, fs);
/** fmt S (16) / D (17) computational: fd = fs op ft. */
const farith = (fmt: number, funct: number, fd: number, fs: number, ft: number) =>
  cop1(fmt, ft, fs, (fd << 6) | funct);

const PATHS = [
  ['fast path', { fastPath: true, compileThreshold: 1 }],
  ['plain interpreter', { fastPath: false }],
] as const;

function fpuMachine(
  code: number[],
  model: '4Kc' | '24Kf',
  path: Pick<MipsCpuOptions, 'fastPath' | 'compileThreshold'>,
) {
  const memory = new PhysicalMemory({ ramSize: 1 << 20 });
  const cpu = new MipsCpu({ memory, model, ...path });
  cpu.writeCp0(12, 0, 0);
  load(memory, CODE, code);
  for (const v of [0x8000_0000, 0x8000_0180, 0x8000_0200]) load(memory, v, [I.wait()]);
  memory.mapMmio(0x1fc0_0000, 0x1000, { read: () => I.wait(), write: () => {} });
  cpu.jump(CODE);
  return { cpu, memory };
}
const excCode = (cpu: MipsCpu) => (cpu.readCp0(13, 0) >>> 2) & 31;
const ce = (cpu: MipsCpu) => (cpu.readCp0(13, 0) >>> 28) & 3;
const CU1 = 1 << 29;
const FR = 1 << 26;

describe.each(PATHS)('CP1 on the %s', (_name, path) => {
  it('a 4Kc has no FPU: Config1.FP = 0, CU1/FR not writable, COP1 gives Coprocessor Unusable CE = 1', () => {
    const { cpu } = fpuMachine([mtc1(8, 0), I.wait()], '4Kc', path);
    cpu.writeCp0(12, 0, CU1 | FR);
    expect(cpu.readCp0(12, 0) & (CU1 | FR)).toBe(0);
    expect(cpu.readCp0(16, 1) & 1).toBe(0);
    expect(cpu.fpu).toBeUndefined();
    cpu.run(100);
    expect([excCode(cpu), ce(cpu), cpu.readCp0(14, 0) >>> 0]).toEqual([EXC.CpU, 1, CODE]);
  });

  it('a 24Kf: CU1 gates CP1 (CpU, CE = 1), then MTC1/MFC1, CFC1 FIR, an ADD.D, and an FPE trap', () => {
    const code = [
      mtc1(8, 2), // with CU1 = 0: Coprocessor Unusable
      I.wait(),
    ];
    const m = fpuMachine(code, '24Kf', path);
    expect(m.cpu.readCp0(16, 1) & 1).toBe(1);
    m.cpu.run(100);
    expect([excCode(m.cpu), ce(m.cpu)]).toEqual([EXC.CpU, 1]);

    const prog = [
      mtc1(0, 2), // $f2 = 0 (low)
      mtc1(9, 3), // $f3 = 0x3ff00000: $f2/$f3 = 1.0
      farith(17, 0x00, 4, 2, 2), // add.d $f4, $f2, $f2 = 2.0
      mfc1(10, 5),
      cfc1(11, 0),
      ctc1(12, 31), // enable Z
      farith(16, 0x03, 6, 2, 0), // div.s $f6, $f2, $f0 = 0/0: invalid (not enabled) → default NaN
      mfc1(13, 6),
      farith(16, 0x03, 6, 3, 0), // div.s 1.875/0: Z enabled → FPE
      I.wait(),
    ];
    const n = fpuMachine(prog, '24Kf', path);
    n.cpu.writeCp0(12, 0, CU1);
    n.cpu.r[9] = 0x3ff0_0000;
    n.cpu.r[12] = 1 << 10;
    n.cpu.run(100);
    expect(n.cpu.r[10] >>> 0).toBe(0x4000_0000);
    expect(n.cpu.r[11] >>> 0).toBe(FIR_24KF);
    expect(n.cpu.r[13] >>> 0).toBe(0x7fbf_ffff);
    expect(excCode(n.cpu)).toBe(15);
    expect(n.cpu.readCp0(14, 0) >>> 0).toBe(CODE + 8 * 4);
    const fcsr = n.cpu.fpu?.fcsr ?? 0;
    expect((fcsr >>> 12) & 0x3f).toBe(F.FLAG_Z); // Cause: Z
    expect((fcsr >>> 2) & 0x1f).toBe(F.FLAG_V); // Flags: only the earlier V
  });

  it('LDC1/SDC1 follow the bus byte order (big-endian: the high word at the lower address)', () => {
    const ldc1 = (ft: number, off: number, base: number) =>
      ((0x35 << 26) | (base << 21) | (ft << 16) | off) >>> 0;
    const sdc1 = (ft: number, off: number, base: number) =>
      ((0x3d << 26) | (base << 21) | (ft << 16) | off) >>> 0;
    for (const bigEndian of [false, true]) {
      const memory = new PhysicalMemory({ ramSize: 1 << 20, bigEndian });
      const cpu = new MipsCpu({ memory, model: '24Kf', ...path });
      cpu.writeCp0(12, 0, CU1);
      load(memory, CODE, [ldc1(4, 0x100, 8), sdc1(4, 0x108, 8), I.wait()]);
      cpu.r[8] = 0x8000_0000 | 0;
      memory.write32(0x100, 0x1111_1111);
      memory.write32(0x104, 0x2222_2222);
      cpu.jump(CODE);
      cpu.run(10);
      const f = cpu.fpu as NonNullable<typeof cpu.fpu>;
      const [low, high] = bigEndian ? [0x2222_2222, 0x1111_1111] : [0x1111_1111, 0x2222_2222];
      expect([f.lo[4] >>> 0, f.lo[5] >>> 0]).toEqual([low, high]);
      expect([memory.read32(0x108), memory.read32(0x10c)]).toEqual([0x1111_1111, 0x2222_2222]);
    }
  });

  it('random instruction words with the FPU enabled never throw a host exception', () => {
    const opcodes = [0x11, 0x11, 0x11, 0x13, 0x31, 0x35, 0x39, 0x3d];
    let s = 99;
    const next = () => {
      s = (Math.imul(s, 1664525) + 1013904223) | 0;
      return s >>> 0;
    };
    for (let trial = 0; trial < 200; trial++) {
      const words: number[] = [];
      for (let k = 0; k < 64; k++) {
        const w = next();
        const kind = w % 4;
        if (kind === 0) words.push(w);
        else if (kind === 1)
          words.push(((w & 0xffff_ffc0) >>> 6) | 1); // MOVCI-ish SPECIAL words
        else words.push(((opcodes[next() % opcodes.length] << 26) | (next() & 0x03ff_ffff)) >>> 0);
      }
      const m = fpuMachine(words, '24Kf', path);
      m.cpu.writeCp0(12, 0, CU1 | (trial % 2 ? FR : 0) | (trial % 3 === 0 ? 0x10 : 0));
      if (m.cpu.fpu) m.cpu.fpu.fcsr = next() & 0x0103_ff83;
      for (let r = 1; r < 32; r++) m.cpu.r[r] = (trial % 4 === 0 ? 0x8000_0000 : 0) | (next() & 0xfffc);
      for (let r = 0; r < 32; r++) {
        m.cpu.fpu?.lo.set([next()], r);
        m.cpu.fpu?.hi.set([next()], r);
      }
      expect(() => m.cpu.run(500)).not.toThrow();
    }
  });

  it('CP1 is saved and restored; a state without CP1 loads with CP1 cleared; a bad one is refused', () => {
    const { cpu } = fpuMachine([I.wait()], '24Kf', path);
    const f = cpu.fpu as NonNullable<typeof cpu.fpu>;
    f.lo[3] = 0x1234_5678;
    f.hi[31] = -1;
    f.fcsr = 0x0180_0003;
    const saved = cpu.saveState();
    expect(saved.fpu?.fcsr).toBe(0x0180_0003);
    const other = fpuMachine([I.wait()], '24Kf', path).cpu;
    other.loadState(structuredClone(saved));
    expect(other.saveState()).toEqual(saved);
    const { fpu: _dropped, ...old } = saved;
    other.loadState(structuredClone(old));
    expect(other.fpu?.fcsr).toBe(0);
    expect(other.fpu?.lo[3]).toBe(0);
    expect(() => other.loadState({ ...saved, fpu: { lo: [1], hi: [], fcsr: 0 } })).toThrow(MipsStateError);
    // a 4Kc saves no CP1 and ignores none it is given
    const plain = fpuMachine([I.wait()], '4Kc', path).cpu;
    expect(plain.saveState().fpu).toBeUndefined();
    expect(
      () => new MipsCpu({ memory: new PhysicalMemory({ ramSize: 1 << 16 }), model: 'R4000' as '4Kc' }),
    ).toThrow();
  });
});
