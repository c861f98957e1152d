// Power cuts of a whole PC: a real child process runs `phantasm pc --state FILE` on FreeDOS and is
// SIGKILLed at random moments; every restart resumes a snapshot at least as new as the last one the
// killed run reported committed, fsck finds FILE clean, and the restored machine answers `ver` at
// the DOS prompt. The seed is printed on failure; PC_POWERCUT_SEED overrides it.
// scripts/pc-powercut-soak.ts runs the same harness for 1,000 cuts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findShared, missingMessage } from '@phantasm/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import { cpuDefect } from '../boards/helpers.js';
import { DEFAULT_SEED, runPcPowercut, VER_ANSWER } from './pc-powercut-harness.js';

const KILLS = 20;
const SEED = process.env.PC_POWERCUT_SEED ? Number(process.env.PC_POWERCUT_SEED) : DEFAULT_SEED;
const FREEDOS = 'images/freedos722.img';
const image = findShared(FREEDOS);
const defect = cpuDefect();
const dir = mkdtempSync(join(tmpdir(), 'phantasm-pc-powercut-'));
let passed = false;
afterAll(() => {
  if (passed) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!image || defect !== undefined)(
  `FreeDOS under power cuts (${image ? FREEDOS : missingMessage(FREEDOS)}${defect ? `; ${defect}` : ''})`,
  () => {
    it(`resumes a never older snapshot after each of ${KILLS} SIGKILLs and answers ver (seed ${SEED})`, async () => {
      const summary = await runPcPowercut({ kills: KILLS, seed: SEED, dir, image: image! });
      expect(summary.records).toHaveLength(KILLS);
      // every cut but the last was followed by a resume in a child (the last one's is checked here)
      expect(summary.records.slice(0, -1).every((r) => r.resumed !== undefined)).toBe(true);
      expect(summary.lastGeneration).toBeGreaterThan(KILLS); // snapshots went on between the cuts
      expect(summary.fsckClean, `seed ${SEED}, files in ${dir}`).toBe(true);
      expect(summary.finalScreen).toMatch(VER_ANSWER);
      passed = true;
    }, 600_000);
  },
);
