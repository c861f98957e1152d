// Power cuts of the whole Phantasm system: a real child process (powercut-child.ts) runs the kernel
// on a disk image with `counter 5` and `kvshell` and is SIGKILLed at random moments. After each cut
// fsck finds the image clean, and the next boot restores a snapshot at least as new as the last one
// the killed run saw committed (one it paused for, never a torn one); the counter resumes right
// after the value it had printed at that snapshot's pause, and the shell's keys are those set
// before it. The seed is printed on failure; POWERCUT_SEED overrides it. scripts/powercut-soak.ts
// runs the same harness for 1,000 cuts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_SEED, runPowercut } from './powercut-harness.js';

const KILLS = 20;
const SEED = process.env.POWERCUT_SEED ? Number(process.env.POWERCUT_SEED) : DEFAULT_SEED;
const dir = mkdtempSync(join(tmpdir(), 'phantasm-powercut-'));
let passed = false;
// A failure leaves the image and the transcripts behind (the message names them).
afterAll(() => {
  if (passed) rmSync(dir, { recursive: true, force: true });
});

describe('the Phantasm system under power cuts (SIGKILL of a real process)', () => {
  it(`recovers a consistent, never older state after each of ${KILLS} kills (seed ${SEED})`, async () => {
    const summary = await runPowercut({ kills: KILLS, seed: SEED, dir });
    const { records } = summary;
    expect(records).toHaveLength(KILLS);
    // Every restart showed the counter's first line and the shell's keys (both checked by the harness) ...
    expect(records.filter((r) => r.counterResumedAt === undefined || r.keysListed === undefined)).toEqual([]);
    // ... and the cuts landed while the system worked: most killed runs had snapshotted meanwhile.
    expect(records.filter((r) => r.pausesInRun > 0).length, `seed ${SEED}`).toBeGreaterThan(KILLS / 2);
    passed = true;
  }, 180_000);
});
