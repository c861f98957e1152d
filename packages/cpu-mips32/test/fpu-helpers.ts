// The FPU oracle harness: RAM, the Malta ISA UART's transmit register at physical 0x180003F8 as a
// byte sink, SOFTRES at 0x1F000500 ending the run, and a minimal ELF32 loader.
import { readFileSync } from 'node:fs';
import { PhysicalMemory } from '@phantasm/mmu';
import { MipsCpu, type MipsCpuOptions } from '../src/index.js';

function loadElf(memory: PhysicalMemory, elf: Uint8Array): number {
  const v = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
  if (v.getUint32(0) !== 0x7f454c46 || elf[4] !== 1 || elf[5] !== 1) throw new Error('not an ELF32 LE file');
  const phoff = v.getUint32(28, true);
  const phentsize = v.getUint16(42, true);
  const phnum = v.getUint16(44, true);
  for (let k = 0; k < phnum; k++) {
    const p = phoff + k * phentsize;
    if (v.getUint32(p, true) !== 1) continue;
    const offset = v.getUint32(p + 4, true);
    const paddr = v.getUint32(p + 8, true) & 0x1fff_ffff;
    const filesz = v.getUint32(p + 16, true);
    const memsz = v.getUint32(p + 20, true);
    memory.ram.fill(0, paddr, paddr + memsz);
    memory.ram.set(elf.subarray(offset, offset + filesz), paddr);
  }
  return v.getUint32(24, true);
}

/** Runs the ELF at `file` on a 24Kf with the UART and SOFTRES of the oracle harness; its serial output. */
export function runFpuElf(file: string, path: Pick<MipsCpuOptions, 'fastPath' | 'compileThreshold'>): string {
  const memory = new PhysicalMemory({ ramSize: 8 << 20 });
  const cpu = new MipsCpu({ memory, model: '24Kf', ...path });
  let output = '';
  memory.mapMmio(0x1800_03f8, 8, {
    read: (offset) => (offset === 5 ? 0x60 : 0),
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
  cpu.jump(loadElf(memory, readFileSync(file)));
  const why = cpu.run(100_000_000);
  if (why !== 'reset') throw new Error(`${file}: stopped with ${why}, not a SOFTRES reset`);
  return output;
}

/** The first differing lines of two outputs, for a readable failure. */
export function firstDifferences(output: string, expected: string): string {
  const a = output.split('\n');
  const b = expected.split('\n');
  const bad: string[] = [];
  for (let k = 0; k < Math.max(a.length, b.length) && bad.length < 12; k++)
    if (a[k] !== b[k]) bad.push(`line ${k + 1}: got ${a[k]} | qemu ${b[k]}`);
  const differing = b.filter((l, k) => a[k] !== l).length;
  return `${differing} of ${b.length} lines differ:\n${bad.join('\n')}`;
}
