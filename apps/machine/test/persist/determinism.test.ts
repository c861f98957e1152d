// Determinism across a snapshot: on the virtual clock a FreeDOS machine that is saved and resumed
// (a portable state, or a `--state` file closed and opened again, with snapshots taken in slices
// while it ran) retires the same instructions and ends with the same screen, devices and RAM as
// the same machine run without a break. Keys are typed at the same instruction in both runs.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findShared, missingMessage } from '@phantasm/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import { PcBoard } from '../../src/boards/pc/pc-board.js';
import { DiskImage } from '../../src/devices/disk-image.js';
import { loadMachineState, saveMachineState } from '../../src/persist/machine-state.js';
import { PersistentPc } from '../../src/persist/persistent-pc.js';
import { cpuDefect } from '../boards/helpers.js';

const FREEDOS = 'images/freedos722.img';
const image = findShared(FREEDOS);
const defect = cpuDefect();
const dir = mkdtempSync(join(tmpdir(), 'phantasm-determinism-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Mid-boot, at the prompt, after `ver` was typed: the breaks; TYPE_AT: where the keys go in. */
const BREAKS = [2_000_000, 4_500_000, 9_000_000];
const TYPE_AT = 4_500_000;
/** FreeDOS has answered by 13.7 million (the prompt comes at 4.3 million). */
const END = 14_000_000;
const START = new Date('2026-01-02T03:04:05Z');
const VER_ANSWER = /A:\\>ver\n+FreeCom version \d+\.\d+/;

function newBoard(): PcBoard {
  return new PcBoard({
    floppyA: DiskImage.floppy(new Uint8Array(readFileSync(image!))),
    startTime: START,
  });
}

/** Run `board` to instruction `until`, typing `ver` when TYPE_AT is passed; `between` after each slice. */
function runTo(board: PcBoard, until: number, between?: () => void): void {
  while (board.cpu.instructions < until) {
    const before = board.cpu.instructions;
    const stop = before < TYPE_AT ? Math.min(until, TYPE_AT) : until;
    board.run({ maxInstructions: Math.min(stop, before + 500_000) });
    if (before < TYPE_AT && board.cpu.instructions >= TYPE_AT) board.type('ver\r');
    between?.();
    if (board.cpu.instructions === before) throw new Error(`no progress at instruction ${before}`);
  }
}

interface End {
  instructions: number;
  screen: string;
  devices: unknown;
  ram: Buffer;
}

function end(board: PcBoard): End {
  return {
    instructions: board.cpu.instructions,
    screen: board.screenText(),
    devices: board.saveDevices(),
    ram: Buffer.from(board.memory.ram),
  };
}

function expectSame(a: End, b: End): void {
  expect(a.instructions).toBe(b.instructions);
  expect(a.screen).toBe(b.screen);
  expect(a.devices).toEqual(b.devices);
  expect(Buffer.compare(a.ram, b.ram)).toBe(0);
}

describe.skipIf(!image || defect !== undefined)(
  `FreeDOS on the virtual clock, with and without breaks (${image ? FREEDOS : missingMessage(FREEDOS)}${defect ? `; ${defect}` : ''})`,
  () => {
    let reference: End;

    it('runs without a break to the answer of ver', () => {
      const board = newBoard();
      runTo(board, END);
      reference = end(board);
      expect(reference.screen).toMatch(VER_ANSWER);
    });

    it('portable states: saved and loaded in a fresh board at every break, the same run', () => {
      let board = newBoard();
      for (const at of BREAKS) {
        runTo(board, at);
        board = loadMachineState(saveMachineState(board));
      }
      runTo(board, END);
      expectSame(end(board), reference);
    });

    it('--state: snapshots in slices while it runs, closed and resumed at every break, the same run', () => {
      const file = join(dir, 'pc.state');
      let pc = PersistentPc.open(file, { create: newBoard });
      let commits = 0;
      for (const at of BREAKS) {
        let slices = 0;
        runTo(pc.board, at, () => {
          // as the CLI's snapshot clock does: begin every few slices, walk between slices
          if (pc.snapshotInProgress) {
            if (pc.stepSnapshot(4096)) commits++;
          } else if (++slices % 3 === 0) pc.beginSnapshot();
        });
        const atBreak = pc.board.cpu.instructions;
        pc.snapshotNow();
        pc.close();
        pc = PersistentPc.open(file, {
          create: () => {
            throw new Error('the state file holds no machine');
          },
        });
        expect(pc.board.cpu.instructions).toBe(atBreak);
      }
      runTo(pc.board, END);
      const result = end(pc.board);
      pc.close();
      expect(commits).toBeGreaterThan(0);
      expectSame(result, reference);
    });
  },
);
