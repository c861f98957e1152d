// Power cuts of a whole PC: a real child process runs `phantasm pc --state FILE` on FreeDOS and is
// SIGKILLed at random moments; every restart resumes a snapshot at least as new as the last one the
// killed run reported committed, fsck finds FILE clean, and the restored machine answers `ver` at
// the DOS prompt. The seed is printed on failure; PC_POWERCUT_SEED overrides it.
// scripts/pc-powercut-soak.ts runs the same harness for 1,000 cuts.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findShared, missingMessage } from '@phantasm/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import { cpuDefect } from '../boards/helpers.js';
import { DEFAULT_SEED, runPcPowercut, VER_ANSWER } from './pc-powercut-harness.js';

const KILLS = 20;
/** PC_POWERCUT_SEABIOS_KILLS: fewer SeaBIOS cuts on a slow host (each run is longer than the built-in BIOS's). */
const SEABIOS_KILLS = Number(process.env.PC_POWERCUT_SEABIOS_KILLS ?? 20);
const SEABIOS = '/usr/share/seabios/bios.bin';
const seabios = existsSync(SEABIOS) && existsSync('/usr/share/seabios/vgabios-isavga.bin');
const SEED = process.env.PC_POWERCUT_SEED ? Number(process.env.PC_POWERCUT_SEED) : DEFAULT_SEED;
const FREEDOS = 'images/freedos722.img';
const image = findShared(FREEDOS);
const defect = cpuDefect();
const dirs: string[] = [];
let failed = false;
function workDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'phantasm-pc-powercut-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  if (!failed) for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function cuts(kills: number, bios: string | undefined): Promise<void> {
  const dir = workDir();
  failed = true;
  const summary = await runPcPowercut({ kills, seed: SEED, dir, image: image!, bios });
  expect(summary.records).toHaveLength(kills);
  // every cut but the last was followed by a resume in a child (the last one's is checked here)
  expect(summary.records.slice(0, -1).every((r) => r.resumed !== undefined)).toBe(true);
  expect(summary.lastGeneration).toBeGreaterThan(kills); // snapshots went on between the cuts
  expect(summary.fsckClean, `seed ${SEED}, files in ${dir}`).toBe(true);
  expect(summary.finalScreen).toMatch(VER_ANSWER);
  failed = false;
}

describe.skipIf(!image || defect !== undefined)(
  `FreeDOS under power cuts (${image ? FREEDOS : missingMessage(FREEDOS)}${defect ? `; ${defect}` : ''})`,
  () => {
    it(`built-in BIOS: resumes a never older snapshot after each of ${KILLS} SIGKILLs and answers ver (seed ${SEED})`, async () => {
      await cuts(KILLS, undefined);
    }, 600_000);

    it.skipIf(!seabios)(
      `SeaBIOS${seabios ? '' : ` (skipped: ${SEABIOS} or vgabios-isavga.bin beside it absent; Debian package seabios)`}: ` +
        `resumes a never older snapshot after each of ${SEABIOS_KILLS} SIGKILLs and answers ver (seed ${SEED})`,
      async () => {
        await cuts(SEABIOS_KILLS, SEABIOS);
      },
      600_000,
    );
  },
);
