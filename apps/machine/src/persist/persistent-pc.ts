// `phantasm pc --state FILE`: the PC board's guest RAM and its disks are a @phantasm/vm-map persistent
// space on FILE; the CPU and device records (a machine state of kind "snapshot") are each
// snapshot's client state. Pages: RAM first (page i = guest-physical page i), then each disk.
//
// Dirty tracking. With paging off the CPU writes guest RAM directly, so no write fault tells us
// what changed. At the pause every RAM page is compared with the space's copy of it (the frame
// vm-map holds for that page; a page never written since the space was made is zero) and only
// pages that differ are written into the space; disks mark their written pages themselves
// (DiskImage.trackWrites). The compare runs at memory speed (Buffer.compare), and the snapshot
// walk and commit (vm-map's) then run in slices between guest time slices, so the guest is stopped
// only for the compare and copy.
import {
  FileBlockDevice,
  formatDisk,
  type PageMapper,
  PersistentSpace,
  RangeFrameSource,
  type SnapshotJob,
  type SnapshotResult,
  SoftMmu,
  VmMapError,
  type WriteWatcher,
} from '@phantasm/vm-map';
import type { PcBoard } from '../boards/pc/pc-board.js';
import { type BoardIo, boardDisks, boardFromState, buildManifest, type DiskSlot } from './machine-state.js';
import { BlobWriter, decodeState, encodeState, MachineStateError, pagesOf } from './state-format.js';

const PAGE = 4096;
const BASE = 0;
/** vm-map's limit: 2^20 pages (4 GiB) per space. */
const MAX_PAGES = 2 ** 20;

/** A PageMapper that remembers which frame holds each page (for the compare at the pause). */
class FrameMap implements PageMapper {
  readonly frameOf: Int32Array;

  constructor(
    readonly mmu: SoftMmu,
    pages: number,
  ) {
    this.frameOf = new Int32Array(pages).fill(-1);
  }

  map(virtual: number, physical: number, writable: boolean): void {
    this.mmu.map(virtual, physical, writable);
    this.frameOf[(virtual - BASE) / PAGE] = physical;
  }

  unmap(virtual: number): void {
    this.mmu.unmap(virtual);
    this.frameOf[(virtual - BASE) / PAGE] = -1;
  }

  setWritable(virtual: number, writable: boolean): void {
    this.mmu.setWritable(virtual, writable);
  }

  bumpWriteEpoch(): void {
    this.mmu.bumpWriteEpoch();
  }

  setWriteWatcher(watcher: WriteWatcher | undefined): void {
    this.mmu.setWriteWatcher(watcher);
  }
}

export interface SnapshotTiming {
  generation: number;
  /** Guest stopped: compare, copy of changed pages, vm-map's pause. */
  pauseMs: number;
  /** Instructions retired when the machine was paused: where a resume from this snapshot starts. */
  instructions: number;
  /** RAM pages and disk pages that changed since the previous snapshot. */
  ramPages: number;
  diskPages: number;
}

export interface CommitReport extends SnapshotTiming {
  /** Pause to durable commit (walk, page list, client state, two fsyncs). */
  commitMs: number;
  result: SnapshotResult;
}

export interface OpenOptions {
  io?: BoardIo;
  /** Builds the board for a new FILE (or one with no snapshot of a machine yet). */
  create: () => PcBoard;
}

export class PersistentPc {
  /** The generation the machine was resumed from, or undefined for a new FILE. */
  readonly resumedFrom: number | undefined;
  /** Milliseconds from opening FILE to a board ready to run. */
  readonly openMs: number;
  private job: { job: SnapshotJob; timing: SnapshotTiming; started: number } | undefined;
  private readonly diskPages = new Map<DiskSlot, number>();
  private readonly zero = new Uint8Array(PAGE);

  private constructor(
    readonly path: string,
    readonly board: PcBoard,
    private readonly space: PersistentSpace,
    private readonly device: FileBlockDevice,
    private readonly frames: FrameMap,
    private readonly spaceRam: Uint8Array,
    resumedFrom: number | undefined,
    openMs: number,
  ) {
    this.resumedFrom = resumedFrom;
    this.openMs = openMs;
    let page = board.memory.ramSize / PAGE;
    for (const [slot, disk] of boardDisks(board)) {
      this.diskPages.set(slot, page);
      page += pagesOf(disk.bytes.length);
      disk.trackWrites();
    }
  }

  /** Open FILE: resume the machine of its newest intact snapshot, or make a new FILE for `create()`. */
  static open(path: string, options: OpenOptions): PersistentPc {
    const started = performance.now();
    const device = new FileBlockDevice(path);
    try {
      if (device.blockCount > 0 && !hasSuperblockMagic(device)) {
        throw new MachineStateError(
          `${path}: not a phantasm pc state (no vm-map superblock); it is left as it is`,
        );
      }
      if (device.blockCount > 0) return PersistentPc.resume(path, device, options, started);
      return PersistentPc.fresh(path, device, options, started);
    } catch (e) {
      device.close();
      if (e instanceof VmMapError) {
        throw new MachineStateError(`${path}: cannot be resumed: ${e.message}; it is left as it is`);
      }
      throw e;
    }
  }

  private static attach(device: FileBlockDevice, pages: number): [PersistentSpace, FrameMap, Uint8Array] {
    const ram = new Uint8Array(pages * PAGE);
    const mmu = new SoftMmu(ram);
    const frames = new FrameMap(mmu, pages);
    const space = PersistentSpace.open(device, {
      ram,
      frames: new RangeFrameSource(0, ram.length),
      mapper: frames,
    });
    mmu.onFault = (addr, write) => space.handleFault(addr, write);
    return [space, frames, ram];
  }

  private static fresh(
    path: string,
    device: FileBlockDevice,
    options: OpenOptions,
    started: number,
  ): PersistentPc {
    const board = options.create();
    const pages =
      board.memory.ramSize / PAGE + boardDisks(board).reduce((n, [, d]) => n + pagesOf(d.bytes.length), 0);
    if (pages > MAX_PAGES) {
      throw new MachineStateError(
        `${path}: RAM and disks come to ${pages} pages; a state holds at most ${MAX_PAGES}`,
      );
    }
    formatDisk(device, { base: BASE, pages });
    const [space, frames, ram] = PersistentPc.attach(device, pages);
    const pc = new PersistentPc(
      path,
      board,
      space,
      device,
      frames,
      ram,
      undefined,
      performance.now() - started,
    );
    for (const [, disk] of boardDisks(board)) disk.dirtyPages!.fill(1); // the image goes in whole
    pc.snapshotNow(); // power-on state: FILE is a machine from the start
    return pc;
  }

  private static resume(
    path: string,
    device: FileBlockDevice,
    options: OpenOptions,
    started: number,
  ): PersistentPc {
    // The space's size is in its superblock: open with a frame area sized from it.
    const probe = PersistentSpace.open(device, {
      ram: new Uint8Array(PAGE),
      frames: new RangeFrameSource(0, PAGE),
      mapper: new SoftMmu(new Uint8Array(PAGE)),
    });
    const pageCount = probe.pageCount;
    const client = probe.clientState;
    probe.close();
    if (client.length === 0) {
      throw new MachineStateError(`${path}: a vm-map disk with no machine in it (not a phantasm pc state)`);
    }
    const [space, frames, ram] = PersistentPc.attach(device, pageCount);
    const state = decodeState(space.clientState, `${path} (generation ${space.generation})`);
    if (state.kind !== 'snapshot')
      throw new MachineStateError(`${path}: client state is not a machine snapshot`);
    const mmu = frames.mmu;
    const board = boardFromState(
      state,
      options.io ?? {},
      (d) => {
        if (d.firstPage === undefined || d.firstPage + pagesOf(d.length) > pageCount) {
          throw new MachineStateError(`${path}: disk ${d.slot} lies outside the space`);
        }
        return mmu.read(BASE + d.firstPage * PAGE, d.length);
      },
      (guest) => {
        if (guest.length / PAGE > pageCount)
          throw new MachineStateError(`${path}: RAM larger than the space`);
        const runs = state.manifest.ramPages;
        if (!runs) {
          guest.set(mmu.read(BASE, guest.length));
          return;
        }
        // only the pages that may be non-zero: each page read is a fault through vm-map
        guest.fill(0);
        const ramCount = guest.length / PAGE;
        for (let i = 0; i + 1 < runs.length; i += 2) {
          const [first, count] = [runs[i], runs[i + 1]];
          if (
            !Number.isInteger(first) ||
            !Number.isInteger(count) ||
            first < 0 ||
            count < 0 ||
            first + count > ramCount
          )
            throw new MachineStateError(`${path}: damaged manifest (RAM page runs)`);
          guest.set(mmu.read(BASE + first * PAGE, count * PAGE), first * PAGE);
        }
      },
      path,
    );
    return new PersistentPc(
      path,
      board,
      space,
      device,
      frames,
      ram,
      space.generation,
      performance.now() - started,
    );
  }

  get generation(): number {
    return this.space.generation;
  }

  /**
   * How the resumed snapshot was chosen: problems name each superblock passed over (a damaged or
   * torn newer snapshot); fellBack is vm-map's flag for a newer superblock it could not use.
   */
  get recovery(): { fellBack: boolean; problems: string[] } {
    const r = this.space.recovery;
    return { fellBack: r.fellBack, problems: r.problems };
  }

  get snapshotInProgress(): boolean {
    return this.job !== undefined;
  }

  /**
   * The pause: copy what changed into the space, hand vm-map the device records, start the walk.
   * Returns undefined while the previous snapshot is still being written.
   */
  beginSnapshot(): SnapshotTiming | undefined {
    if (this.job) return undefined;
    const started = performance.now();
    const mmu = this.frames.mmu;
    const frameOf = this.frames.frameOf;
    const ram = this.board.memory.ram;
    const guest = Buffer.from(ram.buffer, ram.byteOffset, ram.byteLength);
    const spaceRam = Buffer.from(this.spaceRam.buffer, this.spaceRam.byteOffset, this.spaceRam.byteLength);
    const zero = Buffer.from(this.zero.buffer);
    let ramPages = 0;
    const ramCount = guest.length / PAGE;
    for (let p = 0; p < ramCount; p++) {
      const at = p * PAGE;
      const f = frameOf[p];
      const same =
        f >= 0
          ? guest.compare(spaceRam, f, f + PAGE, at, at + PAGE) === 0
          : guest.compare(zero, 0, PAGE, at, at + PAGE) === 0;
      if (!same) {
        mmu.write(BASE + at, ram.subarray(at, at + PAGE));
        ramPages++;
      }
    }
    let diskPages = 0;
    for (const [slot, disk] of boardDisks(this.board)) {
      const first = this.diskPages.get(slot)!;
      const dirty = disk.dirtyPages!;
      for (let p = 0; p < dirty.length; p++) {
        if (!dirty[p]) continue;
        dirty[p] = 0;
        const bytes = disk.bytes.subarray(p * PAGE, Math.min(disk.bytes.length, (p + 1) * PAGE));
        const page = bytes.length === PAGE ? bytes : padded(bytes);
        mmu.write(BASE + (first + p) * PAGE, page);
        diskPages++;
      }
    }
    const blobs = new BlobWriter();
    const manifest = buildManifest(this.board, blobs, this.diskPages);
    manifest.ramPages = mappedRuns(frameOf, ramCount);
    const client = encodeState('snapshot', manifest, blobs);
    const job = this.space.beginSnapshot(client);
    const timing = {
      generation: job.generation,
      instructions: this.board.cpu.instructions,
      pauseMs: performance.now() - started,
      ramPages,
      diskPages,
    };
    this.job = { job, timing, started };
    return timing;
  }

  /** Walk up to `pages` pages of the snapshot in progress; the report once it is committed. */
  stepSnapshot(pages = 512): CommitReport | undefined {
    if (!this.job) return undefined;
    const result = this.job.job.step(pages);
    return result ? this.committed(result) : undefined;
  }

  /** Complete the snapshot in progress, if any. */
  finishSnapshot(): CommitReport | undefined {
    if (!this.job) return undefined;
    return this.committed(this.job.job.finish());
  }

  /** A whole snapshot now (finishing one in progress first); durable when it returns. */
  snapshotNow(): CommitReport {
    this.finishSnapshot();
    this.beginSnapshot();
    return this.finishSnapshot()!;
  }

  private committed(result: SnapshotResult): CommitReport {
    const { timing, started } = this.job!;
    this.job = undefined;
    return { ...timing, commitMs: performance.now() - started, result };
  }

  close(): void {
    this.space.close();
    this.device.close();
  }
}

/** The RAM pages vm-map holds a frame for, as runs [first, count, ...]: every other one is zero. */
function mappedRuns(frameOf: Int32Array, ramCount: number): number[] {
  const runs: number[] = [];
  let p = 0;
  while (p < ramCount) {
    if (frameOf[p] < 0) {
      p++;
      continue;
    }
    const first = p;
    while (p < ramCount && frameOf[p] >= 0) p++;
    runs.push(first, p - first);
  }
  return runs;
}

const SUPERBLOCK_MAGIC = 'PHVMSNAP';

/** Does either superblock slot start with vm-map's magic (damaged or not)? */
function hasSuperblockMagic(device: FileBlockDevice): boolean {
  const block = new Uint8Array(PAGE);
  for (const slot of [0, 1]) {
    if (slot >= device.blockCount) break;
    device.read(slot, block);
    if (Buffer.from(block.subarray(0, SUPERBLOCK_MAGIC.length)).toString('latin1') === SUPERBLOCK_MAGIC)
      return true;
  }
  return false;
}

function padded(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(PAGE);
  out.set(bytes);
  return out;
}
