// Child process for the power-cut test: writes and snapshots through a FileBlockDevice until killed.
// Round i's writes depend only on (seed, i), so the parent can rebuild snapshot i's exact contents.
// Prints "committed <i>" after each snapshot is durable.
import { FileBlockDevice, formatDisk } from '../src/index.js';
import { openRig } from './harness.js';
import { applyRound, POWERCUT_BASE, POWERCUT_PAGES, roundOf } from './powercut-model.js';

const [path, seedText] = process.argv.slice(2);
const seed = Number(seedText);
const device = new FileBlockDevice(path);
if (device.blockCount === 0) formatDisk(device, { base: POWERCUT_BASE, pages: POWERCUT_PAGES });
const { space, mmu } = openRig(device, { frames: 64, maxResidentPages: 12 });
let round = roundOf(space.clientState);
process.stdout.write(`ready ${round}\n`);
for (;;) {
  round++;
  applyRound(seed, round, (at, data) => mmu.write(POWERCUT_BASE + at, data));
  space.pageoutStep(4);
  const state = new Uint8Array(4);
  new DataView(state.buffer).setUint32(0, round, true);
  space.snapshot(state);
  process.stdout.write(`committed ${round}\n`);
}
