// External oracle: bare-metal programs (test/programs/*.c + start.S, built with Debian's
// gcc-mipsel-linux-gnu by build.sh) run on cpu-mips32 with a minimal harness — RAM, the Malta ISA
// UART's transmit register at physical 0x180003F8 as a byte sink, and SOFTRES at 0x1F000500 ending the
// run — and their output must equal what the same ELF printed under
// `qemu-system-mipsel -M malta -cpu 24Kf -kernel` (committed as *.qemu.txt), except the lines
// programs/expected.ts documents where QEMU departs from the MIPS32 manual.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PhysicalMemory } from '@phantasm/mmu';
import { describe, expect, it } from 'vitest';
import { MipsCpu } from '../src/index.js';
import { pathOptions } from './helpers.js';
import { loadElf } from './load-elf.js';
import { expectedOutput } from './programs/expected.js';

const dir = join(import.meta.dirname, 'programs');

function runProgram(name: string): { output: string; instructions: number } {
  const memory = new PhysicalMemory({ ramSize: 8 << 20 });
  const cpu = new MipsCpu({ memory, ...pathOptions() });
  let output = '';
  memory.mapMmio(0x1800_03f8, 8, {
    read: (offset) => (offset === 5 ? 0x60 : 0), // LSR: transmitter empty
    write: (offset, _size, value) => {
      if (offset === 0) output += String.fromCharCode(value & 0xff);
    },
  });
  memory.mapMmio(0x1f00_0500, 4, {
    read: () => 0,
    write: (_offset, _size, value) => {
      if ((value & 0xff) === 0x42) cpu.requestStop('reset');
    },
  });
  const entry = loadElf(memory, readFileSync(join(dir, `${name}.elf`)));
  cpu.jump(entry);
  const why = cpu.run(200_000_000);
  expect(why).toBe('reset');
  return { output, instructions: cpu.cycles };
}

describe.each(['alu', 'mem', 'exc', 'branch'])('oracle program %s', (name) => {
  it('prints what QEMU printed', () => {
    const expected = expectedOutput(name);
    // Never vacuous: the reference has a header, results, and the final line.
    expect(expected.split('\n').length).toBeGreaterThan(10);
    expect(expected.endsWith('done\n')).toBe(true);
    const { output } = runProgram(name);
    expect(output).toBe(expected);
  });
});
