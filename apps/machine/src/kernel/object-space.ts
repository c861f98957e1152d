// Stage 7: the object space. vm-map pages it to the disk through the kernel's page tables
// (TablePageMapper over the IA-32 editor and the CPU's mmu); the kernel resolves guest page faults
// with it and reaches guest memory (system-call buffers, the persistent heap) through the same
// translation, so a clean page written by the kernel is noticed as a guest's write would be.
import type { HeapRegion } from '@phantasm/heap';
import { FAULT, type FrameSource, type Ia32Mmu, type PageTableEditor } from '@phantasm/mmu';
import {
  type BlockDevice,
  formatDisk,
  PersistentSpace,
  type RecoveryReport,
  TablePageMapper,
} from '@phantasm/vm-map';
import { LAYOUT } from './abi.js';

const PAGE = 4096;
export const OBJECT_SPACE_PAGES = (LAYOUT.objectSpaceEnd - LAYOUT.objectSpace) / PAGE;

/** A user pointer the kernel refused: outside the object space, or a page vm-map cannot supply. */
export class UserAccessError extends Error {
  override name = 'UserAccessError';
}

export interface OpenedSpace {
  space: PersistentSpace;
  fresh: boolean;
  recovery: RecoveryReport;
}

/** Open the disk's object space, formatting an empty disk first. */
export function openObjectSpace(
  disk: BlockDevice,
  ram: Uint8Array,
  frames: FrameSource,
  editor: PageTableEditor,
  mmu: Ia32Mmu,
  maxResidentPages: number,
): OpenedSpace {
  const fresh = disk.blockCount === 0;
  if (fresh) formatDisk(disk, { base: LAYOUT.objectSpace, pages: OBJECT_SPACE_PAGES });
  const mapper = new TablePageMapper(editor, mmu, { user: true });
  const space = PersistentSpace.open(disk, { ram, frames, mapper, maxResidentPages });
  if (space.base !== LAYOUT.objectSpace) {
    space.close();
    throw new UserAccessError(
      `the disk's object space starts at 0x${space.base.toString(16)}, not 0x${LAYOUT.objectSpace.toString(16)}: not a Phantasm IA-32 system disk`,
    );
  }
  return { space, fresh, recovery: space.recovery };
}

export function inObjectSpace(address: number, length = 1): boolean {
  return address >= LAYOUT.objectSpace && length >= 0 && address + length <= LAYOUT.objectSpaceEnd;
}

/**
 * Object-space memory as the kernel sees it: every access goes through the mmu (supervisor, CR0.WP
 * on) and a fault is resolved by vm-map, then retried.
 */
export class ObjectMemory {
  constructor(
    private readonly mmu: Ia32Mmu,
    private readonly space: PersistentSpace,
  ) {}

  private resolve(): void {
    const address = this.mmu.faultAddress >>> 0;
    if (!inObjectSpace(address))
      throw new UserAccessError(`address 0x${address.toString(16)} is outside the object space`);
    this.space.handleFault(address & ~(PAGE - 1), (this.mmu.faultErrorCode & 2) !== 0);
  }

  read8(address: number): number {
    for (;;) {
      const v = this.mmu.readLinear8(address, false);
      if (v !== FAULT) return v;
      this.resolve();
    }
  }
  read32(address: number): number {
    for (;;) {
      const v = this.mmu.readLinear32(address, false);
      if (v !== FAULT) return v >>> 0;
      this.resolve();
    }
  }
  write8(address: number, value: number): void {
    while (this.mmu.writeLinear8(address, value & 0xff, false) === FAULT) this.resolve();
  }
  write32(address: number, value: number): void {
    while (this.mmu.writeLinear32(address, value >>> 0, false) === FAULT) this.resolve();
  }

  /** Copy guest bytes (a system-call buffer); the range must lie in the object space. */
  readBytes(address: number, length: number): Uint8Array {
    if (!inObjectSpace(address, length)) {
      throw new UserAccessError(
        `buffer 0x${(address >>> 0).toString(16)}+${length} is outside the object space`,
      );
    }
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const chunk = Math.min(length - done, PAGE - ((address + done) & (PAGE - 1)));
      const view = out.subarray(done, done + chunk);
      while (this.mmu.readLinearBytes(address + done, view, false) === FAULT) this.resolve();
      done += chunk;
    }
    return out;
  }

  writeBytes(address: number, bytes: Uint8Array): void {
    if (!inObjectSpace(address, bytes.length)) {
      throw new UserAccessError(
        `buffer 0x${(address >>> 0).toString(16)}+${bytes.length} is outside the object space`,
      );
    }
    let done = 0;
    while (done < bytes.length) {
      const chunk = Math.min(bytes.length - done, PAGE - ((address + done) & (PAGE - 1)));
      while (this.mmu.writeLinearBytes(address + done, bytes.subarray(done, done + chunk), false) === FAULT)
        this.resolve();
      done += chunk;
    }
  }
}

/** A @phantasm/heap region inside the object space (the persistent heap). */
export class ObjectSpaceRegion implements HeapRegion {
  constructor(
    private readonly memory: ObjectMemory,
    readonly base: number,
    readonly capacity: number,
  ) {}
  readI32(offset: number): number {
    return this.memory.read32(this.base + offset) | 0;
  }
  writeI32(offset: number, value: number): void {
    this.memory.write32(this.base + offset, value);
  }
  readU8(offset: number): number {
    return this.memory.read8(this.base + offset);
  }
  writeU8(offset: number, value: number): void {
    this.memory.write8(this.base + offset, value);
  }
  copy(dst: number, src: number, length: number): void {
    this.memory.writeBytes(this.base + dst, this.memory.readBytes(this.base + src, length));
  }
  fill(offset: number, length: number, value: number): void {
    this.memory.writeBytes(this.base + offset, new Uint8Array(length).fill(value));
  }
}
