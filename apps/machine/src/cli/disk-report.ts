// What a Phantasm disk at rest holds, read through vm-map's public API only: both superblock slots,
// the fsck verdict, the snapshot a boot would resume (its kernel state: guests, uptime), the object
// space's size and the pages stored on disk. Never writes to the disk.
import { statSync } from 'node:fs';
import {
  BLOCK_SIZE,
  type BlockDevice,
  FileBlockDevice,
  type FsckReport,
  fsck,
  PersistentSpace,
  RangeFrameSource,
  readSlots,
  SoftMmu,
  UntrustedDiskError,
  VmMapError,
} from '@phantasm/vm-map';
import { BootError, decodeState } from '../kernel/system.js';
import type { KernelStateRecord, ThreadStatus } from '../kernel/types.js';
import { InspectError } from './errors.js';

export interface SlotReport {
  slot: number;
  generation?: number;
  committedAt?: string;
  baseAddress?: number;
  pageCount?: number;
  /** Why the slot holds no usable superblock. */
  problem?: string;
}

export interface GuestReport {
  tid: number;
  program: string;
  arg: string;
  status: ThreadStatus;
  /** Saved EIP. */
  pc: number;
  exitStatus?: number;
  killedFor?: string;
}

export interface DiskReport {
  path: string;
  fileBytes: number;
  slots: SlotReport[];
  fsck: { clean: boolean; errors: string[]; warnings: string[] };
  /** The snapshot a boot resumes: the newest intact one. */
  snapshot: { generation: number; committedAt: string; fellBack: boolean; problems: string[] };
  objectSpace: {
    base: number;
    pages: number;
    /** Pages with a data block in the resumed snapshot (the rest are zero pages). */
    storedPages: number;
    /** Always 0: a disk at rest has nothing in RAM. */
    residentPages: 0;
    dirtyPages: 0;
  };
  /** Undefined on a fresh disk (no kernel state saved yet). */
  kernel?: { uptimeNs: number; nextTid: number; heap: { base: number; capacity: number } };
  guests: GuestReport[];
}

const MAGIC = 'PHVMSNAP';
const EIP = 8;

/** Does either superblock slot start with the vm-map magic (damaged or not)? */
export function hasSuperblockMagic(device: BlockDevice): boolean {
  const block = new Uint8Array(BLOCK_SIZE);
  for (const slot of [0, 1]) {
    device.read(slot, block);
    if (new TextDecoder('latin1').decode(block.subarray(0, MAGIC.length)) === MAGIC) return true;
  }
  return false;
}

/** Check every block; an untrusted disk is exit status 2, as for phantasm-disk fsck. */
function check(device: BlockDevice, path: string): FsckReport {
  try {
    return fsck(device);
  } catch (e) {
    if (e instanceof UntrustedDiskError)
      throw new InspectError(`${path}: the disk cannot be trusted: ${e.message}`, 2);
    throw e;
  }
}

/** The kernel state and recovery report of the snapshot a boot would resume (read-only open). */
function resumedState(
  device: BlockDevice,
  path: string,
): { space: PersistentSpace; state?: KernelStateRecord } {
  const ram = new Uint8Array(BLOCK_SIZE);
  const space = PersistentSpace.open(device, {
    ram,
    frames: new RangeFrameSource(0, 0),
    mapper: new SoftMmu(ram),
  });
  space.close();
  try {
    return { space, state: decodeState(space.clientState) };
  } catch (e) {
    if (e instanceof BootError)
      throw new InspectError(`${path}: a vm-map disk, but not a Phantasm system disk: ${e.message}`);
    throw e;
  }
}

function guestOf(t: KernelStateRecord['threads'][number]): GuestReport {
  const g: GuestReport = {
    tid: t.tid,
    program: t.program,
    arg: t.arg,
    status: t.status,
    pc: (t.regs[EIP] ?? 0) >>> 0,
  };
  if (t.exitStatus !== undefined && t.status === 'exited') g.exitStatus = t.exitStatus;
  if (t.killedFor !== undefined) g.killedFor = t.killedFor;
  return g;
}

function examine(device: BlockDevice, path: string, fileBytes: number): DiskReport {
  if (!hasSuperblockMagic(device))
    throw new InspectError(`${path}: not a Phantasm disk (no vm-map superblock)`);
  const slots: SlotReport[] = readSlots(device).map((s) =>
    s.superblock
      ? {
          slot: s.slot,
          generation: s.superblock.generation,
          committedAt: new Date(s.superblock.committedAt).toISOString(),
          baseAddress: s.superblock.baseAddress,
          pageCount: s.superblock.pageCount,
        }
      : { slot: s.slot, problem: s.problem },
  );
  const verdict = check(device, path);
  const { space, state } = resumedState(device, path);
  const resumed = verdict.snapshots.find((c) => c.generation === space.recovery.generation);
  return {
    path,
    fileBytes,
    slots,
    fsck: { clean: verdict.clean, errors: verdict.errors, warnings: verdict.warnings },
    snapshot: {
      generation: space.recovery.generation,
      committedAt: new Date(resumed?.committedAt ?? 0).toISOString(),
      fellBack: space.recovery.fellBack,
      problems: space.recovery.problems,
    },
    objectSpace: {
      base: space.base,
      pages: space.pageCount,
      storedPages: resumed?.storedPages ?? 0,
      residentPages: 0,
      dirtyPages: 0,
    },
    ...(state ? { kernel: { uptimeNs: state.uptimeNs, nextTid: state.nextTid, heap: state.heap } } : {}),
    guests: state ? state.threads.map(guestOf) : [],
  };
}

/** Read a disk image. Throws InspectError (status 1, or 2 when nothing on it can be trusted). */
export function readDiskReport(path: string): DiskReport {
  let fileBytes: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new InspectError(`${path}: not a file`);
    fileBytes = stat.size;
  } catch (e) {
    if (e instanceof InspectError) throw e;
    throw new InspectError(`${path}: no such file`);
  }
  if (fileBytes === 0)
    throw new InspectError(`${path}: empty file, not a Phantasm disk yet (phantasm boot formats it)`);
  let device: FileBlockDevice | undefined;
  try {
    device = new FileBlockDevice(path, { create: false });
    return examine(device, path, fileBytes);
  } catch (e) {
    if (e instanceof InspectError) throw e;
    if (e instanceof UntrustedDiskError)
      throw new InspectError(`${path}: the disk cannot be trusted: ${e.message}`, 2);
    if (e instanceof VmMapError) throw new InspectError(`${path}: ${e.message}`);
    // Anything else is a disk this release cannot make sense of: still one line, no stack trace.
    throw new InspectError(`${path}: cannot be read as a Phantasm disk (${(e as Error).message})`);
  } finally {
    device?.close();
  }
}
