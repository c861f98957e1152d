// 1,000 (or PC_POWERCUT_KILLS) SIGKILLs of `phantasm pc --state FILE` on FreeDOS, with the harness of
// test/persist/pc-powercut.test.ts. Usage (from apps/machine):
//   PC_POWERCUT_KILLS=1000 node --import tsx --conditions=source scripts/pc-powercut-soak.ts [seed]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findShared } from '@phantasm/test-support';
import { DEFAULT_SEED, runPcPowercut, VER_ANSWER } from '../test/persist/pc-powercut-harness.js';

const image = findShared('images/freedos722.img');
if (!image) {
  console.error('images/freedos722.img not found (set PHANTASM_SHARED)');
  process.exit(2);
}
const kills = Number(process.env.PC_POWERCUT_KILLS ?? 1000);
const seed = Number(process.argv[2] ?? DEFAULT_SEED);
const dir = mkdtempSync(join(tmpdir(), 'phantasm-pc-soak-'));
const summary = await runPcPowercut({
  kills,
  seed,
  dir,
  image,
  onKill: (r) => {
    if (r.kill % 50 === 0) console.error(`kill ${r.kill}: resumed ${JSON.stringify(r.resumed)}`);
  },
});
const ok = summary.fsckClean && VER_ANSWER.test(summary.finalScreen);
console.log(
  `${kills} kills, seed ${seed}: last generation ${summary.lastGeneration}, ${summary.newerThanReported} resumes ` +
    `newer than reported, fsck ${summary.fsckClean ? 'clean' : 'NOT clean'}, ver ${ok ? 'answered' : 'NOT answered'}, ` +
    `${(summary.ms / 1000).toFixed(0)} s (files in ${dir})`,
);
process.exitCode = ok ? 0 : 1;
