// Phantasm disks for the inspect tests, made with vm-map's public API: a fresh format, snapshots
// with a hand-made KernelStateRecord as client state, and ways to damage them.
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { FileBlockDevice, formatDisk, PersistentSpace, RangeFrameSource, SoftMmu } from '@phantasm/vm-map';
import { LAYOUT } from '../../src/kernel/abi.js';
import type { KernelStateRecord } from '../../src/kernel/types.js';

export const SPACE_PAGES = (LAYOUT.objectSpaceEnd - LAYOUT.objectSpace) / 4096;

export function kernelState(uptimeNs: number): KernelStateRecord {
  const regs = (eip: number) => [0, 0, 0, 0, 0x803f_fff0, 0, 0, 0, eip, 0x202];
  return {
    format: 'phantasm-kernel',
    version: 1,
    uptimeNs,
    nextTid: 4,
    threads: [
      { tid: 1, program: 'kvshell', arg: '', slot: 0, status: 'reading', regs: regs(0x8000_06be) },
      {
        tid: 2,
        program: 'counter',
        arg: '5',
        slot: 1,
        status: 'exited',
        regs: regs(0x8040_0100),
        exitStatus: 7,
      },
      {
        tid: 3,
        program: 'hostile',
        arg: '',
        slot: 2,
        status: 'killed',
        regs: regs(0x8080_0042),
        exitStatus: -8,
        killedFor: 'page fault (null pointer)',
      },
    ],
    heap: { base: LAYOUT.persistentHeap, capacity: LAYOUT.objectSpaceEnd - LAYOUT.persistentHeap },
  };
}

const encode = (state: KernelStateRecord | string) =>
  new TextEncoder().encode(typeof state === 'string' ? state : JSON.stringify(state));

/** A freshly formatted Phantasm object space (empty client state: never booted). */
export function freshDisk(path: string): void {
  const device = new FileBlockDevice(path);
  formatDisk(device, { base: LAYOUT.objectSpace, pages: SPACE_PAGES });
  device.close();
}

/** A disk with `pagesWritten` pages written and one snapshot per state (generations 2, 3, ...). */
export function diskWithSnapshots(
  path: string,
  states: (KernelStateRecord | string)[],
  pagesWritten = 3,
): void {
  const device = new FileBlockDevice(path);
  formatDisk(device, { base: LAYOUT.objectSpace, pages: SPACE_PAGES });
  const ram = new Uint8Array(64 * 4096);
  const mmu = new SoftMmu(ram);
  const space = PersistentSpace.open(device, {
    ram,
    frames: new RangeFrameSource(0, ram.length),
    mapper: mmu,
  });
  mmu.onFault = (address, write) => space.handleFault(address, write);
  for (let p = 0; p < pagesWritten; p++) mmu.write(LAYOUT.objectSpace + p * 0x1000 * 7, encode(`page ${p}`));
  for (const state of states) space.snapshot(encode(state));
  space.close();
  device.close();
}

/** Overwrite bytes of a file at `offset`. */
export function scribble(path: string, offset: number, bytes: Uint8Array): void {
  const fd = openSync(path, 'r+');
  writeSync(fd, bytes, 0, bytes.length, offset);
  closeSync(fd);
}

/** The superblock slot (0 or 1) that holds the highest generation. */
export function newestSlot(path: string): number {
  const data = readFileSync(path);
  const generation = (slot: number) => data.readBigUInt64LE(slot * 4096 + 32);
  return generation(0) > generation(1) ? 0 : 1;
}
