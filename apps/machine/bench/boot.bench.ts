// Power-on to the FreeDOS A:\> prompt on the PC board, for the built-in BIOS and for SeaBIOS
// (Debian's /usr/share/seabios, with SeaVGABIOS through fw_cfg): guest instructions, wall
// time, virtual time and MIPS, side by side, with the built-in BIOS's ratio to SeaBIOS.
// Reference: SeaBIOS, the firmware QEMU boots by default, on the same board and CPU.
import { existsSync, readFileSync } from 'node:fs';
import { findShared, missingMessage } from '@phantasm/test-support';
import { PcBoard, type PcBoardOptions, type RunResult } from '../src/boards/pc/pc-board.js';
import { DiskImage } from '../src/devices/disk-image.js';

const FREEDOS = 'images/freedos722.img';
const SEABIOS = '/usr/share/seabios/bios.bin';
const SEAVGABIOS = '/usr/share/seabios/vgabios-isavga.bin';

function boot(options: PcBoardOptions): RunResult {
  const board = new PcBoard(options);
  return board.run({ untilScreen: 'A:\\>', maxInstructions: 300_000_000, timeoutMs: 60_000 });
}

const image = findShared(FREEDOS);
if (!image) {
  console.log(`skipped: ${missingMessage(FREEDOS)}`);
  process.exit(0);
}
const floppy = () => DiskImage.floppy(new Uint8Array(readFileSync(image)));
const rows: { firmware: string; r: RunResult | undefined; note?: string }[] = [];
rows.push({ firmware: 'built-in BIOS', r: boot({ floppyA: floppy() }) });
if (existsSync(SEABIOS) && existsSync(SEAVGABIOS)) {
  const bios = new Uint8Array(readFileSync(SEABIOS));
  const vgaRom = new Uint8Array(readFileSync(SEAVGABIOS));
  rows.push({ firmware: 'SeaBIOS (reference)', r: boot({ floppyA: floppy(), bios, vgaRom }) });
} else {
  rows.push({ firmware: 'SeaBIOS (reference)', r: undefined, note: `${SEABIOS} not installed` });
}

const reference = rows[1].r;
console.log('power-on → FreeDOS A:\\> prompt (PC board, 32 MiB)');
console.log(
  `${'firmware'.padEnd(22)}${'reached'.padEnd(18)}${'instructions'.padStart(14)}${'wall s'.padStart(9)}` +
    `${'virtual s'.padStart(11)}${'MIPS'.padStart(7)}${'instr. vs ref'.padStart(15)}${'wall vs ref'.padStart(13)}`,
);
for (const { firmware, r, note } of rows) {
  if (!r) {
    console.log(`${firmware.padEnd(22)}${note}`);
    continue;
  }
  const ok = r.stop === 'screen';
  const ratio = (a: number, b: number | undefined) => (b ? `${(a / b).toFixed(2)}x` : '-');
  console.log(
    `${firmware.padEnd(22)}${(ok ? 'yes' : r.stop).padEnd(18)}${String(r.instructions).padStart(14)}` +
      `${(r.wallMs / 1000).toFixed(2).padStart(9)}${r.virtualSeconds.toFixed(2).padStart(11)}` +
      `${(r.instructions / r.wallMs / 1000).toFixed(1).padStart(7)}` +
      `${ratio(r.instructions, reference?.instructions).padStart(15)}${ratio(r.wallMs, reference?.wallMs).padStart(13)}`,
  );
}
