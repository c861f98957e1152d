// cpu-ia32 side of the integer differential test: a flat 32-bit protected-mode machine (the
// x87 test's) that runs "CODE; hlt" from a case's state and reports it in the harness's format.
import type { Cpu, CpuOptions } from '../../src/index.js';
import { DATA, x87Machine } from '../x87/machine.js';
import { type Case, hex, hexBytes } from './gen.js';

const CODE = 0x40000;
const REGS = ['eax', 'ecx', 'edx', 'ebx', 'ebp', 'edi'] as const;

export interface IntMachine {
  cpu: Cpu;
  run(c: Case): string;
}

/** `jit`: as CpuOptions.jit (absent: PHANTASM_IA32_JIT decides). */
export function intMachine(jit?: CpuOptions['jit']): IntMachine {
  const m = x87Machine(jit);
  const { cpu, memory } = m;
  return {
    cpu,
    run(c) {
      memory.ram.set(c.mem, DATA);
      memory.ram.set([...c.code, 0xf4], CODE);
      m.faults.length = 0;
      cpu.halted = false;
      REGS.forEach((r, i) => {
        cpu[r] = c.regs[i];
      });
      cpu.esi = DATA;
      cpu.eip = CODE;
      cpu.eflags = (c.flags & 0x8d5) | 2;
      cpu.run(c.code.length + 10);
      if (m.faults.length > 0) return `fault vector ${m.faults[0]} at +${hex(cpu.eip - CODE, 1)}`;
      if (!cpu.halted) return `did not reach the end (eip +${hex(cpu.eip - CODE, 1)})`;
      const regs = REGS.map((r) => hex(cpu[r] >>> 0, 8)).join(' ');
      return `ok ${regs} ${hex(cpu.eflags & 0x8d5, 3)} ${hexBytes(memory.ram.subarray(DATA, DATA + 64))}`;
    },
  };
}
