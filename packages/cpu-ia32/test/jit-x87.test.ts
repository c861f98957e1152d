// x87 escapes and WAIT inside compiled blocks: they call their handlers, so an FPU loop stays in
// one block; FERR# (CR0.NE = 0: the board raises IRQ13 from onFpuError) ends the block after the
// instruction, so the interrupt is taken at the boundary the interpreter takes it.
import { describe, expect, it } from 'vitest';
import { CODE, machine } from './machines.js';

// 32-bit flat code: sum += x * acc; acc *= c, ECX times (fpu32.asm's loop, data at 0x20000).
//   fninit / fld1 / fldz / l: fld qword [0x20000] / fmul st0,st2 / faddp st1,st0 /
//   fld qword [0x20008] / fmulp st2,st0 / dec ecx / jnz l / fstp qword [0x20010] / hlt
const FPU_LOOP = [
  0xdb, 0xe3, 0xd9, 0xe8, 0xd9, 0xee, 0xdd, 0x05, 0x00, 0x00, 0x02, 0x00, 0xd8, 0xca, 0xde, 0xc1, 0xdd, 0x05,
  0x08, 0x00, 0x02, 0x00, 0xde, 0xca, 0x49, 0x75, 0xeb, 0xdd, 0x1d, 0x10, 0x00, 0x02, 0x00, 0xf4,
];

function fpuLoop(jit: false | { threshold: number }) {
  const cpu = machine('protected', Uint8Array.from(FPU_LOOP), new Uint8Array(16), { jit });
  const view = new DataView(cpu.memory.ram.buffer, cpu.memory.ram.byteOffset);
  view.setFloat64(0x20000, 1.000001, true);
  view.setFloat64(0x20008, 0.9999995, true);
  cpu.regs[1] = 10_000;
  expect(cpu.run(1_000_000)).toBe('hlt');
  return { cpu, sum: view.getFloat64(0x20010, true) };
}

describe('block compiler: x87 instructions inside blocks', () => {
  it('an FPU loop runs in one block and computes what the interpreter computes', () => {
    const interpreted = fpuLoop(false);
    const compiled = fpuLoop({ threshold: 0 });
    expect(compiled.sum).toBe(interpreted.sum);
    expect(compiled.cpu.saveState()).toEqual(interpreted.cpu.saveState());
    expect(compiled.cpu.instructions).toBe(interpreted.cpu.instructions);
    // 10,000 passes of 7 instructions, nearly all compiled, with a handful of block entries.
    expect(compiled.cpu.jitStats?.instructions).toBeGreaterThan(69_000);
    expect(compiled.cpu.jitStats?.lookups).toBeLessThan(20);
  });

  it('FERR# ends the block: IRQ13 is taken after the same instruction as when interpreting', () => {
    // CR0.NE = 0: fninit / fldcw [0x20000] (ZE unmasked) / fldz / fld1 / fdivrp (1/0: the
    // exception, FERR#) / inc eax x 4 / jmp $. The board's hook raises the interrupt; its
    // handler (IDT vector 0x75) is `hlt`.
    const code = [
      0xdb, 0xe3, 0xd9, 0x2d, 0x00, 0x00, 0x02, 0x00, 0xd9, 0xee, 0xd9, 0xe8, 0xde, 0xf1, 0x40, 0x40, 0x40,
      0x40, 0xeb, 0xfe,
    ];
    const run = (jit: false | { threshold: number }) => {
      let pending = false;
      const cpu = machine('protected', Uint8Array.from(code), new Uint8Array(16), {
        jit,
        pic: {
          hasInterrupt: () => pending,
          acknowledge: () => {
            pending = false;
            return 0x75;
          },
        },
      });
      cpu.memory.ram[0x30000 + 0x75 * 16] = 0xf4; // the IRQ13 handler: hlt
      cpu.memory.write16(0x20000, 0x037b); // the control word: ZM clear
      cpu.flags |= 0x200; // IF
      cpu.hooks.onFpuError = () => {
        pending = true;
      };
      expect(cpu.run(1000)).toBe('hlt');
      return cpu;
    };
    const interpreted = run(false);
    const compiled = run({ threshold: 0 });
    // Interrupted right after the FDIVRP: no INC ran, and the frame holds its successor's EIP.
    expect(interpreted.eax).toBe(0);
    expect(interpreted.memory.read32(interpreted.esp)).toBe(CODE + 14);
    expect(compiled.saveState()).toEqual(interpreted.saveState());
    expect(compiled.instructions).toBe(interpreted.instructions);
    expect(compiled.jitStats?.instructions).toBeGreaterThan(0);
  });
});
