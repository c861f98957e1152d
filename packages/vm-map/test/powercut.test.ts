// Real power cuts (as close as a process can get): a child writes and snapshots through a
// FileBlockDevice and is SIGKILLed at random moments; each reopen must recover a consistent snapshot,
// never older than the last one the child reported durable.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { processGroupGone } from '@phantasm/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import { FileBlockDevice, fsck, Prng } from '../src/index.js';
import { openRig } from './harness.js';
import { POWERCUT_BASE, POWERCUT_PAGES, RoundModel, roundOf } from './powercut-model.js';
import { firstDifference } from './workload.js';

const pkg = resolve(import.meta.dirname, '..');
const tsx = resolve(pkg, '../../node_modules/.bin/tsx');
const dir = mkdtempSync(join(tmpdir(), 'vmmap-powercut-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const KILLS = 20;
const SEED = 4242;

/** Start the child; resolve once it is ready, with a getter for the last round it reported durable. */
function startChild(path: string): Promise<{ child: ChildProcess; committed: () => number }> {
  const child = spawn(
    tsx,
    ['--conditions=source', resolve(pkg, 'test/powercut-child.ts'), path, String(SEED)],
    {
      cwd: pkg,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: tsx runs the script in a child node process, and the cut must hit both.
      detached: true,
    },
  );
  let committed = -1;
  let buffered = '';
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  return new Promise((resolveReady, reject) => {
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child exited early (${code ?? signal}): ${stderr}`));
    });
    child.stdout!.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const [word, n] = line.split(' ');
        if (word === 'committed') committed = Number(n);
        if (word === 'ready') {
          committed = Number(n);
          resolveReady({ child, committed: () => committed });
        }
      }
    });
  });
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once('exit', () => done());
    process.kill(-child.pid!, 'SIGKILL');
  });
}

describe('power cut by SIGKILL', () => {
  it(`recovers a consistent snapshot after each of ${KILLS} kills`, async () => {
    const path = join(dir, 'disk.img');
    const rng = new Prng(SEED);
    let lastRecovered = 0;
    let progressed = 0;
    const model = new RoundModel(SEED);
    for (let k = 0; k < KILLS; k++) {
      const { child, committed } = await startChild(path);
      try {
        await new Promise((r) => setTimeout(r, 20 + rng.below(250)));
      } finally {
        await kill(child);
      }
      // The whole group is gone (no orphan still writing to the image).
      expect(await processGroupGone(child.pid!), `process group ${child.pid} still alive`).toBe(true);
      const durable = committed();
      const device = new FileBlockDevice(path, { create: false });
      const { space, mmu } = openRig(device, { frames: 16 });
      const round = roundOf(space.clientState);
      const where = `kill ${k} (seed ${SEED}): recovered round ${round}, child reported ${durable} durable`;
      expect(round, where).toBeGreaterThanOrEqual(durable);
      expect(round, where).toBeGreaterThanOrEqual(lastRecovered);
      expect(round, where).toBeLessThanOrEqual(durable + 1);
      const got = mmu.read(POWERCUT_BASE, POWERCUT_PAGES * 4096);
      expect(firstDifference(got, model.after(round)), where).toBe(-1);
      space.close();
      expect(fsck(device).errors, where).toEqual([]);
      device.close();
      if (round > lastRecovered) progressed++;
      lastRecovered = round;
    }
    // The kills landed while work was going on, not only before the first snapshot.
    expect(progressed).toBeGreaterThan(KILLS / 2);
  }, 120_000);
});
