// What a Phantasm disk at rest holds, read through vm-map's public API only: both superblock slots,
// the fsck verdict, the snapshot a boot would resume (its kernel state: guests, uptime), the object
// space's size and the pages stored on disk. Never writes to the disk.
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
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
import {
  type DecodedState,
  decodeState as decodeMachineState,
  MachineStateError,
  STATE_MAGIC,
} from '../persist/state-format.js';
import { InspectError } from './errors.js';

/** A PC machine state: a portable file (--save-state) or the client state of a --state snapshot. */
export interface MachineReport {
  kind: 'portable' | 'snapshot';
  formatVersion: number;
  producer: string;
  savedAt: string;
  memoryMiB: number;
  firmwareBytes: number;
  vgaRomBytes?: number;
  disks: { slot: string; kind: string; bytes: number; firstPage?: number }[];
  /** Device records in save order, each with its record version. */
  devices: { name: string; version: number }[];
  instructions: number;
  virtualSeconds: number;
  /** The text screen when the state was taken, trailing blank lines dropped. */
  screen: string[];
}

/** `phantasm inspect` of a portable machine state (--save-state FILE). */
export interface PortableStateReport {
  path: string;
  fileBytes: number;
  format: 'portable machine state';
  machine: MachineReport;
}

export function machineReport(state: DecodedState): MachineReport {
  const m = state.manifest;
  const screen = [...(m.summary.screen ?? [])];
  while (screen.length > 0 && screen[screen.length - 1].trim() === '') screen.pop();
  return {
    kind: state.kind,
    formatVersion: state.formatVersion,
    producer: m.producer,
    savedAt: m.savedAt,
    memoryMiB: m.config.memoryMiB,
    firmwareBytes: m.config.bios?.length ?? 0,
    ...(m.config.vgaRom ? { vgaRomBytes: m.config.vgaRom.length } : {}),
    disks: m.config.disks.map((d) => ({
      slot: d.slot,
      kind: d.kind,
      bytes: d.length,
      ...(d.firstPage !== undefined ? { firstPage: d.firstPage } : {}),
    })),
    devices: Object.entries(m.devices).map(([name, r]) => ({ name, version: r?.version ?? 0 })),
    instructions: m.summary.instructions,
    virtualSeconds: m.summary.virtualSeconds,
    screen,
  };
}

function startsWithStateMagic(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.subarray(0, STATE_MAGIC.length)).toString('latin1') === STATE_MAGIC;
}

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
  /** A `phantasm pc --state` file: the machine its resumed snapshot holds (no kernel then). */
  machine?: MachineReport;
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
): { space: PersistentSpace; state?: KernelStateRecord; machine?: MachineReport } {
  const ram = new Uint8Array(BLOCK_SIZE);
  const space = PersistentSpace.open(device, {
    ram,
    frames: new RangeFrameSource(0, 0),
    mapper: new SoftMmu(ram),
  });
  space.close();
  if (startsWithStateMagic(space.clientState)) {
    const what = `${path} (generation ${space.recovery.generation})`;
    try {
      return { space, machine: machineReport(decodeMachineState(space.clientState, what)) };
    } catch (e) {
      if (e instanceof MachineStateError) throw new InspectError(e.message);
      throw e;
    }
  }
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
  const { space, state, machine } = resumedState(device, path);
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
    ...(machine ? { machine } : {}),
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

/** Does FILE start with the machine-state header (a portable state)? */
function isPortableState(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = new Uint8Array(STATE_MAGIC.length);
    return readSync(fd, head, 0, head.length, 0) === head.length && startsWithStateMagic(head);
  } finally {
    closeSync(fd);
  }
}

/**
 * What `phantasm inspect FILE` reports: a portable machine state (--save-state), or a vm-map disk —
 * a Phantasm system disk or a `phantasm pc --state` file (then with its machine).
 */
export function readInspectReport(path: string): DiskReport | PortableStateReport {
  let portable = false;
  try {
    portable = statSync(path).isFile() && isPortableState(path);
  } catch {
    // readDiskReport says what is wrong with the path
  }
  if (!portable) return readDiskReport(path);
  const bytes = new Uint8Array(readFileSync(path));
  try {
    return {
      path,
      fileBytes: bytes.length,
      format: 'portable machine state',
      machine: machineReport(decodeMachineState(bytes, path)),
    };
  } catch (e) {
    if (e instanceof MachineStateError) throw new InspectError(e.message);
    throw e;
  }
}
