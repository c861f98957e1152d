// Loops with several heads inside one block: backward branches (Jcc, LOOP, JMP) to instructions
// of the block other than its first run as `switch(pc)` in the block's loop. Random programs with
// two or three back edges to different heads, flag writers and readers around them, memory
// accesses that may fault and forward branches that become ifs, against the interpreter: state,
// instruction count and memory after every slice, in every mode. Then a bit-tree decoder's loop
// (two back edges to two heads, as in the Linux kernel's xz decompressor) must stay in its block.
// PHANTASM_JIT_LOOPS_RUNS=<n> runs n cases per mode (default 25).
import { describe, expect, it } from 'vitest';
import { eachModeMatchesInterpreter } from './differential.js';
import { machine } from './machines.js';

const RUNS = Number(process.env.PHANTASM_JIT_LOOPS_RUNS ?? 25);

function program(rnd: (n: number) => number, code32: boolean): number[] {
  const modrmReg = () => 0xc0 | (rnd(8) << 3) | [0, 1, 2, 5, 6, 7][rnd(6)]; // not BX/SP: counter, stack
  const memRm = (reg: number) => [
    0x40 | (reg << 3) | (code32 ? [0, 1, 2, 3, 6, 7][rnd(6)] : rnd(8)),
    rnd(256),
  ];
  /** One instruction that keeps going (no control transfer). */
  const item = (): number[] => {
    switch (rnd(9)) {
      case 0: // flag writer, register form
        return [(rnd(8) << 3) | (1 + 2 * rnd(2)), modrmReg()];
      case 1: // ADC/SBB, SETcc: flag readers
        return rnd(2) ? [0x11 + 8 * rnd(2), modrmReg()] : [0x0f, 0x90 + rnd(16), 0xc0 | rnd(4)];
      case 2: // memory ALU (may fault)
        return [(rnd(8) << 3) | rnd(4), ...memRm(rnd(8))];
      case 3: // INC/DEC of a register other than BX/SP (CF kept)
        return [0x40 + [0, 1, 2, 5, 6, 7][rnd(6)] + 8 * rnd(2)];
      case 4: // a forward Jcc over one flag writer (an if)
        return [0x70 + rnd(16), 2, (rnd(8) << 3) | 1, modrmReg()];
      case 5: // shift of EAX/ECX/EDX by an immediate
        return [0xc1, 0xc0 | ([4, 5, 7][rnd(3)] << 3) | [0, 1, 2][rnd(3)], 1 + rnd(7)]; // SHL/SHR/SAR
      case 6: // MOV r, r/m (memory)
        return [0x8b, ...memRm([0, 1, 2, 6, 7][rnd(5)])];
      case 7: // string store
        return [0xaa];
      default: // MOVZX r, r8
        return [0x0f, 0xb6, 0xc0 | ([0, 1, 2][rnd(3)] << 3) | rnd(4)];
    }
  };
  const out: number[] = [];
  const heads: number[] = [];
  const stretch = () => {
    for (let k = 1 + rnd(4); k > 0; k--) out.push(...item());
  };
  for (let h = 2 + rnd(2); h > 0; h--) {
    heads.push(out.length);
    stretch();
  }
  /** A backward branch of `size` bytes to `target`: rel8 when it fits. */
  const backTo = (target: number, short: number[], near: number[]) => {
    const rel8 = target - (out.length + short.length + 1);
    if (rel8 >= -128) out.push(...short, rel8 & 0xff);
    else {
      const rel = target - (out.length + near.length + (code32 ? 4 : 2));
      out.push(
        ...near,
        rel & 0xff,
        (rel >> 8) & 0xff,
        ...(code32 ? [(rel >> 16) & 0xff, (rel >> 24) & 0xff] : []),
      );
    }
  };
  // Back edges to the heads in random order: Jcc on fresh flags, LOOP, DEC BX / JNZ.
  for (const target of heads.slice().sort(() => rnd(3) - 1)) {
    switch (rnd(3)) {
      case 0:
        out.push((rnd(8) << 3) | 1, modrmReg());
        backTo(target, [0x70 + rnd(16)], [0x0f, 0x80 + rnd(16)]);
        break;
      case 1:
        backTo(target, [0xe2], [0xe2]); // LOOP (rel8 only: the stretches are short)
        break;
      default:
        out.push(0x4b);
        backTo(target, [0x75], [0x0f, 0x85]);
        break;
    }
    stretch();
  }
  out.push(0x4b, 0x75, (heads[0] - (out.length + 2)) & 0xff); // dec bx / jnz first head
  out.push(0xeb, 0xfe);
  return out;
}

describe('block compiler: loops with several heads', () => {
  eachModeMatchesInterpreter(RUNS, 104729, program);

  it("a bit-tree decoder's loop with two back edges stays in one block", () => {
    // As in xz's bit-tree decoder, two back edges go to two different heads. With one head per
    // block, the two blocks would bounce: one run-loop lookup per pass.
    // 32-bit code:   A: inc esi        B: dec ebx / jz done / test bl,1 / jnz A / jmp B
    //                done: hlt
    const code = [0x46, 0x4b, 0x74, 0x07, 0xf6, 0xc3, 0x01, 0x75, 0xf7, 0xeb, 0xf6, 0xf4];
    const run = (jit: false | { threshold: number }) => {
      const cpu = machine('protected', Uint8Array.from(code), new Uint8Array(16), { jit });
      cpu.regs[3] = 50_000;
      expect(cpu.run(10_000_000)).toBe('hlt');
      return cpu;
    };
    const interpreted = run(false);
    const compiled = run({ threshold: 0 });
    expect(compiled.saveState()).toEqual(interpreted.saveState());
    expect(compiled.instructions).toBe(interpreted.instructions);
    // Each back edge was taken about 25,000 times (A once more: it is where the code starts)...
    expect(interpreted.esi).toBe(25_001);
    // ...yet the run loop entered compiled code only a handful of times.
    expect(compiled.jitStats?.lookups).toBeLessThan(100);
  });
});
