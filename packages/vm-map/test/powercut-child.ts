// Child process for the power-cut test: writes and snapshots through a FileBlockDevice until killed.
// Round i's writes depend only on (seed, i), so the parent can rebuild snapshot i's exact contents.
// Prints "committed <i>" after each snapshot is durable.
import { FileBlockDevice, formatDisk, PersistentSpace, RangeFrameSource, SoftMmu } from '../src/index.js';
import { applyRound, POWERCUT_BASE, POWERCUT_PAGES, roundOf } from './powercut-model.js';

const [path, seedText] = process.argv.slice(2);
const seed = Number(seedText);
const device = new FileBlockDevice(path);
if (device.blockCount === 0) formatDisk(device, { base: POWERCUT_BASE, pages: POWERCUT_PAGES });
const ram = new Uint8Array(64 * 4096);
const mmu = new SoftMmu(ram);
const space = PersistentSpace.open(device, {
  ram,
  frames: new RangeFrameSource(0, ram.length),
  mapper: mmu,
  maxResidentPages: 12,
});
mmu.onFault = (v, w) => space.handleFault(v, w);
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
