// Runs a freestanding static ELF32 test program (built by build.sh, linked at 2 MiB) on cpu-ia32 in
// flat 32-bit protected mode, answering the two system calls its runtime (rt.h) makes through
// int 80h: write (4) and exit (1). Anything else is a typed failure, not a host crash.
import { readFileSync } from 'node:fs';
import type { CpuOptions } from '../../src/index.js';
import { x87Machine } from '../x87/machine.js';

const RAM = 4 << 20;
const STACK_TOP = RAM - 0x1000;

export interface ProgramResult {
  stdout: string;
  exitCode: number | undefined;
  /** An exception vector that stopped the program, or a system call it made that is not answered. */
  error?: string;
  instructions: number;
}

export function runElf32(path: string, jit?: CpuOptions['jit'], budget = 2e9): ProgramResult {
  const elf = readFileSync(path);
  const dv = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
  if (dv.getUint32(0) !== 0x7f454c46 || elf[4] !== 1 || dv.getUint16(18, true) !== 3)
    throw new Error(`${path}: not an ELF32 i386 program`);
  const m = x87Machine(jit, RAM);
  const { cpu, memory } = m;
  const phoff = dv.getUint32(28, true);
  const phnum = dv.getUint16(44, true);
  for (let i = 0; i < phnum; i++) {
    const p = phoff + i * 32;
    if (dv.getUint32(p, true) !== 1) continue; // PT_LOAD
    const off = dv.getUint32(p + 4, true);
    const vaddr = dv.getUint32(p + 8, true);
    const filesz = dv.getUint32(p + 16, true);
    const memsz = dv.getUint32(p + 20, true);
    if (vaddr + memsz > STACK_TOP - 0x10000)
      throw new Error(`${path}: a segment at ${vaddr.toString(16)} is outside RAM`);
    memory.ram.set(elf.subarray(off, off + filesz), vaddr);
    memory.ram.fill(0, vaddr + filesz, vaddr + memsz);
  }
  let stdout = '';
  let exitCode: number | undefined;
  let error: string | undefined;
  cpu.hooks = {
    ...cpu.hooks,
    onException: (vector) => {
      error = `exception ${vector} at ${(cpu.eip >>> 0).toString(16)}`;
      cpu.requestStop();
      return true;
    },
    onInterrupt: (vector, software) => {
      if (!software || vector !== 0x80) return false;
      if (cpu.eax === 4) {
        const n = cpu.edx >>> 0;
        stdout += Buffer.from(memory.ram.subarray(cpu.ecx >>> 0, (cpu.ecx >>> 0) + n)).toString('latin1');
        cpu.eax = n;
      } else if (cpu.eax === 1) {
        exitCode = cpu.ebx;
        cpu.requestStop();
      } else {
        error = `system call ${cpu.eax} is not answered`;
        cpu.requestStop();
      }
      return true;
    },
  };
  cpu.fpu.init(); // FNINIT state, as Linux starts a process
  cpu.esp = STACK_TOP;
  cpu.eip = dv.getUint32(24, true);
  cpu.eflags = 0x202;
  const start = cpu.instructions;
  while (exitCode === undefined && error === undefined && cpu.instructions - start < budget)
    cpu.run(1_000_000);
  return { stdout, exitCode, error, instructions: cpu.instructions - start };
}
