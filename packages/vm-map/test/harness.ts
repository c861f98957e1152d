// Shared test scaffolding: an object space over SoftMmu, a RAM array and a range of frames.
import {
  type BlockDevice,
  formatDisk,
  PersistentSpace,
  RangeFrameSource,
  SoftMmu,
  type SpaceOptions,
} from '../src/index.js';

export const BASE = 0x8000_0000;
export const PAGE = 4096;

export interface Rig {
  space: PersistentSpace;
  mmu: SoftMmu;
  frames: RangeFrameSource;
}

export function openRig(
  device: BlockDevice,
  options: { frames?: number; maxResidentPages?: number } = {},
): Rig {
  const frameCount = options.frames ?? 256;
  const ram = new Uint8Array(frameCount * PAGE);
  const mmu = new SoftMmu(ram);
  const frames = new RangeFrameSource(0, frameCount * PAGE);
  const opts: SpaceOptions = { ram, frames, mapper: mmu };
  if (options.maxResidentPages !== undefined) opts.maxResidentPages = options.maxResidentPages;
  const space = PersistentSpace.open(device, opts);
  mmu.onFault = (v, w) => space.handleFault(v, w);
  return { space, mmu, frames };
}

export function formatRig(
  device: BlockDevice,
  pages: number,
  options: { frames?: number; maxResidentPages?: number } = {},
): Rig {
  formatDisk(device, { base: BASE, pages, diskId: new Uint8Array(16).fill(7) });
  return openRig(device, options);
}

/** Every byte of the space, read through the MMU (faults page in). */
export function readAll(rig: Rig): Uint8Array {
  return rig.mmu.read(BASE, rig.space.pageCount * PAGE);
}
