// Damaged `phantasm pc --state` files: a foreign file, a Phantasm system disk, a truncated file, a
// damaged newest superblock, a damaged page. Each is refused with a message that names the file
// (and leaves it byte for byte as it was), or resumes the snapshot before the damaged one and says
// so. No complete snapshot is lost.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileBlockDevice, readSlots } from '@phantasm/vm-map';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMachineState } from '../../src/persist/machine-state.js';
import { PersistentPc } from '../../src/persist/persistent-pc.js';
import { MachineStateError } from '../../src/persist/state-format.js';
import { freshDisk } from '../cli/disks.js';

const dir = mkdtempSync(join(tmpdir(), 'phantasm-state-damage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const fixture = () => new Uint8Array(readFileSync(new URL('./fixtures/misctest-v1.state', import.meta.url)));
const GOOD = join(dir, 'good.state');
/** Instructions at each generation's snapshot. */
const at = new Map<number, number>();
let newest = 0;

function resume(path: string): PersistentPc {
  return PersistentPc.open(path, {
    create: () => {
      throw new Error('the state file holds no machine');
    },
  });
}

function copy(name: string): string {
  const path = join(dir, name);
  copyFileSync(GOOD, path);
  return path;
}

/** Open `path`, expect a refusal matching `message`, and the file unchanged. */
function expectRefused(path: string, message: RegExp): void {
  const before = readFileSync(path);
  let error: unknown;
  try {
    resume(path).close();
  } catch (e) {
    error = e;
  }
  expect(error, 'opened').toBeInstanceOf(Error);
  expect((error as Error).message).toMatch(message);
  expect((error as Error).message).toContain(path);
  expect(Buffer.compare(readFileSync(path), before), 'the file was changed').toBe(0);
}

beforeAll(() => {
  // generations 1 (power-on), 2 and 3 of the misctest machine, each a little further on
  const pc = PersistentPc.open(GOOD, { create: () => loadMachineState(fixture()) });
  at.set(pc.generation, pc.board.cpu.instructions);
  for (let i = 0; i < 2; i++) {
    pc.board.run({ maxInstructions: pc.board.cpu.instructions + 3_000 });
    const r = pc.snapshotNow();
    at.set(r.generation, r.instructions);
  }
  newest = pc.generation;
  pc.close();
});

describe('damaged --state files', () => {
  it('resumes an intact file at its newest snapshot', () => {
    const pc = resume(copy('intact.state'));
    expect(pc.resumedFrom).toBe(newest);
    expect(pc.recovery.fellBack).toBe(false);
    expect(pc.board.cpu.instructions).toBe(at.get(newest));
    pc.close();
  });

  it('refuses a foreign file and leaves it as it is', () => {
    const notes = join(dir, 'notes.txt');
    writeFileSync(notes, 'a shopping list, not a machine\n'.repeat(300));
    expectRefused(notes, /not a phantasm pc state \(no vm-map superblock\); it is left as it is/);
  });

  it('refuses a Phantasm system disk (a vm-map disk with another client state)', () => {
    const disk = join(dir, 'system.img');
    freshDisk(disk);
    expectRefused(disk, /vm-map disk with no machine in it|not a Phantasm machine state/);
  });

  it('rolls back to the previous snapshot when the newest superblock is damaged, and says why', () => {
    const path = copy('torn-superblock.state');
    const device = new FileBlockDevice(path, { create: false });
    const slot = readSlots(device).find((s) => s.superblock?.generation === newest)!.slot;
    device.close();
    const bytes = readFileSync(path);
    bytes[slot * 4096 + 100] ^= 0x5a;
    writeFileSync(path, bytes);
    const pc = resume(path);
    expect(pc.resumedFrom).toBe(newest - 1);
    expect(pc.board.cpu.instructions).toBe(at.get(newest - 1));
    expect(pc.recovery.problems.join(' ')).toMatch(/superblock slot \d: checksum mismatch .*torn or damaged/);
    pc.close();
  });

  it('refuses a file cut short, naming it', () => {
    const path = copy('truncated.state');
    truncateSync(path, 8 * 4096);
    let error: unknown;
    try {
      resume(path).close();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MachineStateError);
    expect((error as Error).message).toMatch(
      /truncated\.state: cannot be resumed: no snapshot on the disk verifies: .*; it is left as it is/,
    );
  });

  it('refuses a file whose RAM page is damaged instead of running on bad memory', () => {
    // damage every data block after the superblocks and page lists: some RAM page of every snapshot
    const path = copy('bad-page.state');
    const bytes = readFileSync(path);
    for (let block = 2; block < bytes.length / 4096; block++) bytes[block * 4096 + 2048] ^= 0xff;
    writeFileSync(path, bytes);
    expectRefused(path, /bad-page\.state: cannot be resumed: .*checksum mismatch/);
  });

  it('refuses a state whose client record is not a machine (MachineStateError, file unchanged)', () => {
    const notes = join(dir, 'empty-named.state');
    writeFileSync(notes, Buffer.alloc(8192, 0x41));
    expectRefused(notes, /not a phantasm pc state/);
    try {
      resume(notes);
    } catch (e) {
      expect(e).toBeInstanceOf(MachineStateError);
    }
  });
});
