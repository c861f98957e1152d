// Writes test/persist/fixtures/misctest-v1.state (run once, when format 1 was new; kept as written
// since): misctest's boot sector on a 1.44 MB floppy under the built-in BIOS with 4 MiB, stopped
// after 9,000 instructions, in the middle of its report. misctest-v1.continued.txt is what the debug
// console shows from there to the exit. Usage: node --import tsx --conditions=source test/persist/make-fixture.ts
import { writeFileSync } from 'node:fs';
import { PcBoard } from '../../src/boards/pc/pc-board.js';
import { DiskImage } from '../../src/devices/disk-image.js';
import { saveMachineState } from '../../src/persist/machine-state.js';
import { floppyWithBootSector, program } from '../boards/helpers.js';

const debug: number[] = [];
const board = new PcBoard({
  memoryMiB: 4,
  floppyA: DiskImage.floppy(floppyWithBootSector(program('misctest.bin'))),
  debugcon: (b) => debug.push(b),
});
board.run({ maxInstructions: 9000 });
const state = saveMachineState(board);
const before = debug.length;
const r = board.run({ maxInstructions: 1_000_000 });
const fixtures = new URL('./fixtures/', import.meta.url);
writeFileSync(new URL('misctest-v1.state', fixtures), state);
writeFileSync(new URL('misctest-v1.continued.txt', fixtures), String.fromCharCode(...debug.slice(before)));
console.log(
  `state ${state.length} bytes; continued ${debug.length - before} bytes to ${r.stop} ${r.exitStatus}`,
);
