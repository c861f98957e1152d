// Portable machine states: the committed state of format 1 still loads and runs on (the
// compatibility promise), a state round-trips exactly, FreeDOS resumes at its prompt in a fresh
// board and answers a command, and unknown, damaged, truncated or foreign files are refused whole.
import { readFileSync } from 'node:fs';
import { findShared, missingMessage } from '@phantasm/test-support';
import { describe, expect, it } from 'vitest';
import { PcBoard } from '../../src/boards/pc/pc-board.js';
import { DiskImage } from '../../src/devices/disk-image.js';
import { loadMachineState, saveMachineState } from '../../src/persist/machine-state.js';
import { decodeState, encodeState, MachineStateError } from '../../src/persist/state-format.js';
import { cpuDefect, program } from '../boards/helpers.js';

const fixtures = new URL('./fixtures/', import.meta.url);
const fixture = () => new Uint8Array(readFileSync(new URL('misctest-v1.state', fixtures)));

describe('portable machine state', () => {
  it('loads the state committed when format 1 was new and runs on to the same output', () => {
    const debug: number[] = [];
    const board = loadMachineState(fixture(), { debugcon: (b) => debug.push(b) });
    expect(board.config.memoryMiB).toBe(4);
    const r = board.run({ maxInstructions: 1_000_000 });
    expect(r.stop).toBe('exit');
    expect(r.exitStatus).toBe(0x27);
    expect(String.fromCharCode(...debug)).toBe(
      readFileSync(new URL('misctest-v1.continued.txt', fixtures), 'latin1'),
    );
    // misctest copied its boot sector to sector 3 through the FDC: the state's disk took the write
    const floppy = board.config.floppyA!;
    expect([...floppy.bytes.subarray(1024, 1024 + 256)]).toEqual([
      ...program('misctest.bin').subarray(0, 256),
    ]);
  });

  it('round-trips: saving a loaded state gives the same devices, RAM and disks', () => {
    const a = loadMachineState(fixture());
    const b = loadMachineState(saveMachineState(a));
    expect(b.saveDevices()).toEqual(a.saveDevices());
    expect(Buffer.compare(b.memory.ram, a.memory.ram)).toBe(0);
    expect(Buffer.compare(b.config.floppyA!.bytes, a.config.floppyA!.bytes)).toBe(0);
    // and both go on identically, instruction for instruction
    a.run({ maxInstructions: 12_000 });
    b.run({ maxInstructions: 12_000 });
    expect(b.saveDevices()).toEqual(a.saveDevices());
  });

  it('refuses damaged, truncated, foreign and newer files with a clear message', () => {
    const good = fixture();
    const flipped = good.slice();
    flipped[good.length - 100] ^= 0x40;
    expect(() => loadMachineState(flipped)).toThrow(/damaged \(payload checksum does not match\)/);
    expect(() => loadMachineState(good.subarray(0, good.length - 1))).toThrow(/truncated/);
    expect(() => loadMachineState(good.subarray(0, 10))).toThrow(/too short/);
    expect(() => loadMachineState(new Uint8Array(4096).fill(0x41))).toThrow(/not a Phantasm machine state/);
    const newer = good.slice();
    new DataView(newer.buffer).setUint32(8, 99, true);
    expect(() => loadMachineState(newer)).toThrow(/format version 99 is newer/);
    for (const bad of [flipped, newer]) {
      try {
        loadMachineState(bad);
      } catch (e) {
        expect(e).toBeInstanceOf(MachineStateError);
      }
    }
  });

  it('refuses a well-formed state whose device record is unknown, naming the device', () => {
    const s = decodeState(fixture());
    const cases: [string, (m: typeof s.manifest) => void, RegExp][] = [
      ['pit from the future', (m) => (m.devices.pit.version = 7), /pit state: record version 7 is unknown/],
      ['missing cmos', (m) => delete (m.devices as Record<string, unknown>).cmos, /no record for cmos/],
      ['bad pic field', (m) => (m.devices.pic.elcr = [1, 2, 3]), /pic state: field "elcr"/],
      ['bad cpu', (m) => (m.devices.cpu.state = { regs: [] }), /cpu state/],
    ];
    for (const [name, change, message] of cases) {
      const m = structuredClone(s.manifest);
      change(m);
      // the blobs are laid out from offset 0 in the order they were added: copy them as they are
      const blobs = {
        blobs: [s.blob({ offset: 0, length: blobAreaLength(s.manifest) })],
      } as never;
      const bytes = encodeState('portable', m, blobs);
      expect(() => loadMachineState(bytes), name).toThrow(message);
      expect(() => loadMachineState(bytes), name).toThrow(/refused, nothing loaded/);
    }
  });
});

function blobAreaLength(m: ReturnType<typeof decodeState>['manifest']): number {
  const refs = [m.config.bios, m.ram!, ...m.config.disks.map((d) => d.bytes!)];
  return Math.max(...refs.map((r) => r.offset + r.length));
}

const FREEDOS = 'images/freedos722.img';
const freedosPath = findShared(FREEDOS);
const defect = cpuDefect();
const VER_ANSWER = /A:\\>ver\n+FreeCom version \d+\.\d+/;

describe.skipIf(!freedosPath || defect !== undefined)(
  `FreeDOS saved at its prompt (${freedosPath ? FREEDOS : missingMessage(FREEDOS)}${defect ? `; ${defect}` : ''})`,
  () => {
    it('resumes in a fresh board and answers ver', () => {
      const board = new PcBoard({ floppyA: DiskImage.floppy(new Uint8Array(readFileSync(freedosPath!))) });
      const boot = board.run({ untilScreen: 'A:\\>', maxInstructions: 400_000_000, timeoutMs: 40_000 });
      expect(boot.stop).toBe('screen');
      const screen = board.screenText();
      const state = saveMachineState(board);
      const resumed = loadMachineState(state);
      expect(resumed.screenText()).toBe(screen);
      expect(resumed.cpu.instructions).toBe(board.cpu.instructions);
      resumed.type('ver\r');
      for (let i = 0; i < 40 && !VER_ANSWER.test(resumed.screenText()); i++) {
        resumed.run({ maxInstructions: resumed.cpu.instructions + 2_000_000 });
      }
      expect(resumed.screenText()).toMatch(VER_ANSWER);
    });
  },
);
