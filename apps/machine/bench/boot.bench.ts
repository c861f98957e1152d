// Power-on to the FreeDOS A:\> prompt on the PC board, for the built-in BIOS and for SeaBIOS
// (Debian's /usr/share/seabios, with SeaVGABIOS through fw_cfg): guest instructions, wall
// time (first boot in the process, and the best of three once the JIT is warm), virtual time and
// MIPS, side by side, with the built-in BIOS's ratio to SeaBIOS.
// Reference: SeaBIOS, the firmware QEMU boots by default, on the same board and CPU.
import { existsSync, readFileSync } from 'node:fs';
import { findShared, missingMessage } from '@phantasm/test-support';
import { PcBoard, type PcBoardOptions, type RunResult } from '../src/boards/pc/pc-board.js';
import { DiskImage } from '../src/devices/disk-image.js';

const FREEDOS = 'images/freedos722.img';
const SEABIOS = '/usr/share/seabios/bios.bin';
const SEAVGABIOS = '/usr/share/seabios/vgabios-isavga.bin';

interface Measured {
  cold: RunResult;
  warmMs: number;
}

function bootOnce(options: () => PcBoardOptions): RunResult {
  const board = new PcBoard(options());
  return board.run({ untilScreen: 'A:\\>', maxInstructions: 100_000_000, timeoutMs: 30_000 });
}

function boot(options: () => PcBoardOptions): Measured {
  const cold = bootOnce(options);
  let warmMs = cold.wallMs;
  if (cold.stop === 'screen') for (let i = 0; i < 3; i++) warmMs = Math.min(warmMs, bootOnce(options).wallMs);
  return { cold, warmMs };
}

const image = findShared(FREEDOS);
if (!image) {
  console.log(`skipped: ${missingMessage(FREEDOS)}`);
  process.exit(0);
}
const floppy = () => DiskImage.floppy(new Uint8Array(readFileSync(image)));
const rows: { firmware: string; m: Measured | undefined; note?: string }[] = [];
rows.push({ firmware: 'built-in BIOS', m: boot(() => ({ floppyA: floppy() })) });
if (existsSync(SEABIOS) && existsSync(SEAVGABIOS)) {
  const bios = new Uint8Array(readFileSync(SEABIOS));
  const vgaRom = new Uint8Array(readFileSync(SEAVGABIOS));
  rows.push({ firmware: 'SeaBIOS (reference)', m: boot(() => ({ floppyA: floppy(), bios, vgaRom })) });
} else {
  rows.push({ firmware: 'SeaBIOS (reference)', m: undefined, note: `${SEABIOS} not installed` });
}

const reference = rows[1].m;
const ratio = (a: number, b: number | undefined) => (b ? `${(a / b).toFixed(2)}x` : '-');
console.log('power-on → FreeDOS A:\\> prompt (PC board, 32 MiB)');
console.log(
  `${'firmware'.padEnd(22)}${'reached'.padEnd(18)}${'instructions'.padStart(13)}${'cold s'.padStart(8)}` +
    `${'warm s'.padStart(8)}${'warm MIPS'.padStart(10)}${'virtual s'.padStart(10)}` +
    `${'instr. vs ref'.padStart(14)}${'warm vs ref'.padStart(12)}`,
);
for (const { firmware, m, note } of rows) {
  if (!m) {
    console.log(`${firmware.padEnd(22)}${note}`);
    continue;
  }
  const r = m.cold;
  console.log(
    `${firmware.padEnd(22)}${(r.stop === 'screen' ? 'yes' : r.stop).padEnd(18)}${String(r.instructions).padStart(13)}` +
      `${(r.wallMs / 1000).toFixed(2).padStart(8)}${(m.warmMs / 1000).toFixed(2).padStart(8)}` +
      `${(r.instructions / m.warmMs / 1000).toFixed(1).padStart(10)}${r.virtualSeconds.toFixed(2).padStart(10)}` +
      `${ratio(r.instructions, reference?.cold.instructions).padStart(14)}${ratio(m.warmMs, reference?.warmMs).padStart(12)}`,
  );
}
