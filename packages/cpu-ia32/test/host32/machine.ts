// cpu-ia32 side of the 32-bit host differential test: the x87 test's flat protected-mode machine
// with RAM over the harness's fixed window, running a case from the same addresses and reporting
// in native/ia32-harness.c's format.
import type { Cpu, CpuOptions } from '../../src/index.js';
import { hex, hexBytes } from '../int-fuzz/gen.js';
import { regHex, x87Machine } from '../x87/machine.js';
import { type Case, CODE, DATA, FLAGS_MASK, IMAGE, STACK } from './gen.js';

const REGS = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'] as const;
const WINDOW = 0x100000;
/** frstor [IMAGE]; jmp CODE — the harness's prologue, out of the sequence's sight. */
const STUB = 0x107f00;

/** The signal Linux sends a user process for each exception vector. */
const SIGNAL: Record<number, number> = {
  0: 8,
  16: 8,
  3: 5,
  1: 5,
  4: 11,
  5: 11,
  6: 4,
  12: 11,
  13: 11,
  14: 11,
  17: 7,
};

export interface Host32Machine {
  cpu: Cpu;
  run(c: Case): string;
}

/** `jit`: as CpuOptions.jit (absent: PHANTASM_IA32_JIT decides). */
export function host32Machine(jit?: CpuOptions['jit']): Host32Machine {
  const m = x87Machine(jit, 2 << 20);
  const { cpu, memory } = m;
  // INT3 and INTO reach the host as interrupts with EIP past them, as a signal frame shows them.
  cpu.hooks = {
    ...cpu.hooks,
    onInterrupt: (vector, software) => {
      if (!software) return false;
      m.faults.push(vector);
      cpu.requestStop();
      return true;
    },
  };
  return {
    cpu,
    run(c) {
      const ram = memory.ram;
      ram.fill(0, WINDOW, WINDOW + 0xc000);
      ram.set(c.data, DATA);
      ram.set(c.stack, STACK);
      ram.set(c.image, IMAGE);
      ram.set([...c.code, 0xf4], CODE);
      const jmp = CODE - (STUB + 11);
      ram.set(
        [0xdd, 0x25, 0x00, 0xa0, 0x10, 0x00, 0xe9, ...[0, 8, 16, 24].map((s) => (jmp >>> s) & 0xff)],
        STUB,
      );
      m.faults.length = 0;
      cpu.halted = false;
      REGS.forEach((r, i) => {
        cpu[r] = c.regs[i];
      });
      cpu.eflags = (c.flags & FLAGS_MASK) | 0x202;
      cpu.eip = STUB;
      cpu.run(20000);
      const regs = () => REGS.map((r) => hex(cpu[r] >>> 0, 8)).join(' ');
      const blocks = `${hexBytes(ram.subarray(DATA, DATA + 256))} ${hexBytes(ram.subarray(STACK, STACK + 256))}`;
      const flags = hex(cpu.eflags & FLAGS_MASK, 3);
      if (m.faults.length > 0) {
        const v = m.faults[0];
        return `fault ${SIGNAL[v] ?? `vector ${v}`} ${hex(cpu.eip - CODE, 1)} ${regs()} ${flags} ${blocks}`;
      }
      if (!cpu.halted) return `did not reach the end (eip ${hex(cpu.eip, 8)})`;
      cpu.eip -= 1; // the HLT
      const f = cpu.fpu;
      const st = Array.from({ length: 8 }, (_, i) => regHex(cpu, i)).join(' ');
      return `ok ${regs()} ${flags} ${blocks} ${hex(f.cw, 4)} ${hex(f.status, 4)} ${hex(f.empty, 2)} ${st}`;
    },
  };
}
