// Shared setup for board tests: test programs, floppy images and a check of the CPU.
import { readFileSync } from 'node:fs';
import { Cpu } from '@phantasm/cpu-ia32';
import { PhysicalMemory } from '@phantasm/mmu';

export const programsDir = new URL('../programs/', import.meta.url);

export function program(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(name, programsDir)));
}

/** A 1.44 MB floppy with `boot` as its boot sector and a marker word in sector 2. */
export function floppyWithBootSector(boot: Uint8Array, marker = 0x5aa5): Uint8Array {
  const image = new Uint8Array(1_474_560);
  image.set(boot, 0);
  image[512] = marker & 0xff;
  image[513] = marker >> 8;
  return image;
}

/**
 * Guest software such as FreeDOS's compressed kernel depends on the carry flag surviving INC
 * (INC leaves CF alone). Returns a reason to skip when the CPU gets
 * `add bh, 1; inc si; adc bh, bh` wrong (with BH = 0xFF the ADD carries, so BH ends as 1),
 * so boot tests report the CPU defect instead of failing somewhere inside DOS.
 */
export function cpuDefect(): string | undefined {
  const memory = new PhysicalMemory({ ramSize: 1 << 20 });
  // at 0:0x1000: mov bh, 0xff; add bh, 1; inc si; adc bh, bh; hlt
  memory.ram.set([0xb7, 0xff, 0x80, 0xc7, 0x01, 0x46, 0x10, 0xff, 0xf4], 0x1000);
  const cpu = new Cpu({ memory });
  cpu.loadSegment('cs', 0);
  cpu.eip = 0x1000;
  cpu.run(10);
  const bh = (cpu.ebx >> 8) & 0xff;
  if (bh === 1) return undefined;
  return `cpu-ia32 defect: ADD BH,1 (carry); INC SI; ADC BH,BH gave BH=0x${bh.toString(16)}, not 1 — INC loses the pending CF`;
}

/** "name=HEX" lines of a test program's debug-console report, as a map (first value wins). */
export function reportValues(log: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of log.split('\n')) {
    const m = /^([a-z0-9]+)=([0-9A-F]+)$/.exec(line);
    if (m && !values.has(m[1])) values.set(m[1], m[2]);
  }
  return values;
}

/**
 * misctest's answers under QEMU 7 + SeaBIOS (test/programs/misctest.qemu-seabios.txt), captured with
 *   qemu-system-i386 -m 32 -rtc base=2000-01-01T00:00:00 -drive file=mt.img,format=raw,if=floppy \
 *     -debugcon file:out.txt -device isa-debug-exit,iobase=0xf4,iosize=0x04 -display none
 * where mt.img is floppyWithBootSector(misctest.bin). QEMU's machine also has a printer port and
 * runs its clock in real time, so `lpt` and `waited` (a tick count) are compared elsewhere.
 */
export function misctestOracle(): Map<string, string> {
  const values = reportValues(readFileSync(new URL('misctest.qemu-seabios.txt', programsDir), 'utf8'));
  values.delete('lpt');
  values.delete('waited');
  return values;
}
