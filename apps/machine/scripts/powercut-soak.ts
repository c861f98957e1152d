// Power-cut soak: the harness of test/kernel/powercut.test.ts for many more SIGKILLs (default 1,000).
// Usage: npx tsx --conditions=source apps/machine/scripts/powercut-soak.ts [kills] [seed]
// Progress on stderr; a summary at the end; exit status 1 (with the transcripts kept) on a failure.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_SEED,
  type KillRecord,
  PowercutFailure,
  runPowercut,
} from '../test/kernel/powercut-harness.js';

const kills = process.argv[2] ? Number(process.argv[2]) : 1000;
const seed = process.argv[3] ? Number(process.argv[3]) : DEFAULT_SEED;
if (!Number.isInteger(kills) || kills < 1 || !Number.isInteger(seed)) {
  process.stderr.write('usage: powercut-soak.ts [kills (default 1000)] [seed]\n');
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), 'phantasm-powercut-soak-'));
const t0 = performance.now();
process.stderr.write(`power-cut soak: ${kills} kills, seed ${seed}, disk ${join(dir, 'disk.img')}\n`);

const describe = (r: KillRecord) =>
  `kill ${r.kill + 1}/${kills}: up in ${(r.startupMs / 1000).toFixed(2)} s, cut ${(r.delayMs / 1000).toFixed(2)} s later (${r.pausesInRun} pauses, ${r.counterLinesInRun} counter lines), committed ${r.committedBefore}` +
  `${r.takenBefore > r.committedBefore ? ` (paused for ${r.takenBefore})` : ''} -> restored ${r.restored}` +
  `${r.fellBack ? ' (fell back)' : ''}; counter resumed at ${r.counterResumedAt ?? '-'}, ${r.keysListed ?? '-'} keys` +
  `${r.shellCaught && r.shellCaught !== 'idle' ? ` (shell caught ${r.shellCaught})` : ''}${r.keysUnderWay ? ` (${r.keysUnderWay} under way)` : ''}`;

try {
  const summary = await runPowercut({
    kills,
    seed,
    dir,
    onKill: (r) => {
      const elapsed = (performance.now() - t0) / 1000;
      process.stderr.write(`[${elapsed.toFixed(0).padStart(5)} s] ${describe(r)}\n`);
    },
  });
  const r = summary.records;
  const caught = (where: KillRecord['shellCaught']) => r.filter((x) => x.shellCaught === where).length;
  const delays = r.map((x) => x.delayMs).sort((a, b) => a - b);
  const lines = [
    `power-cut soak passed: ${summary.kills} kills, seed ${seed}, ${(summary.ms / 1000).toFixed(0)} s`,
    `  every boot restored a snapshot >= the last one reported committed; fsck clean after every kill`,
    `  restored the paused-for snapshot whose commit line never came out: ${summary.newerThanCommitted} times`,
    `  restored the last reported commit: ${r.length - summary.newerThanCommitted} times`,
    `  recovery fell back past a newer superblock: ${summary.fellBack} times`,
    `  counter resumed exactly after its snapshotted value: ${r.filter((x) => x.counterResumedAt !== undefined).length} times (highest value ${summary.lastCounter})`,
    `  keys intact at the next boot's list: ${r.filter((x) => x.keysListed !== undefined).length} times (up to ${Math.max(0, ...r.map((x) => x.keysListed ?? 0))} keys)`,
    `  the restored shell was reading an empty line ${caught('idle')} times, in the middle of a line ${caught('mid-line')}, in a command ${caught('mid-command')}; a set or del under way at the pause ${r.filter((x) => x.keysUnderWay > 0).length} times`,
    `  last generation ${summary.lastGeneration}; kill delays after the first counter line ${(delays[0] / 1000).toFixed(2)}–${(delays[delays.length - 1] / 1000).toFixed(2)} s`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  rmSync(dir, { recursive: true, force: true });
} catch (e) {
  if (!(e instanceof PowercutFailure)) throw e;
  process.stderr.write(
    `power-cut soak FAILED after ${((performance.now() - t0) / 1000).toFixed(0)} s\n${e.message}\n`,
  );
  process.stderr.write(`disk image and transcripts kept in ${dir}\n`);
  process.exit(1);
}
