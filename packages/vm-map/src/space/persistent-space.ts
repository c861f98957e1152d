// The persistent memory object: a range of virtual pages backed by frames while resident and by
// blocks on a BlockDevice always, made durable as a whole by snapshots.
//
// Per page (Phantom's model): `curr` = newest copy written since the last snapshot pause, `make` = the
// copy that belongs to the snapshot being built, `prev` = the copy in the newest committed snapshot.
// NONE means "no such copy"; block 0 means "all zeros". Page-in reads curr, then make, then prev.
//
// Snapshots stop the world only for an epoch bump (`seq++` and the mapper's write epoch). Pages are
// moved into the new epoch lazily ("rollover") on their next fault, write or pageout, or by the
// snapshot walk that follows the pause; a stamp per page says which epoch it has seen.
import type { FrameSource } from '@phantasm/mmu';
import { crc32c } from '../crc32c.js';
import { BLOCK_SIZE, type BlockDevice, writeBlocks } from '../device/block-device.js';
import {
  AddressError,
  ChecksumError,
  CorruptPageError,
  DamageError,
  OutOfFramesError,
  StateError,
  UntrustedDiskError,
} from '../errors.js';
import { BlockMap, BUILD, bitmapHas, LAST, PREV, VOLATILE } from '../format/block-map.js';
import {
  encodeSuperblock,
  generationForSlot,
  isZero,
  SUPERBLOCK_SLOTS,
  type Superblock,
  ZERO_BLOCK,
} from '../format/layout.js';
import { candidates, type LoadedSnapshot, loadSnapshot, readSlots } from '../format/reader.js';
import { type BlockSink, levelSizes, readVerified, writeBlob, writeTree } from '../format/tree.js';
import type { PageMapper } from './page-mapper.js';

const NONE = 0xffff_ffff;
const NO_FRAME = 0xffff_ffff;
// Page flags.
const DIRTY = 1; // frame newer than every block copy, written in the current epoch
const CAPTURE = 2; // frame holds the snapshot's copy, not yet written
const WRITABLE = 4; // mapped writable
const QUEUED = 8; // in the pageout queue
const COWED = 16; // snapshot's copy saved in a copy-on-write buffer, not yet written
/** Most blocks gathered into one write request during pageout and the snapshot walk. */
const RUN_BLOCKS = 64;

export interface SpaceOptions {
  /** The RAM that frames index (MemoryBus.ram: offset == physical address). */
  ram: Uint8Array;
  frames: FrameSource;
  mapper: PageMapper;
  /** Most frames the space holds at once; beyond it clean pages are reclaimed (default: no limit). */
  maxResidentPages?: number;
}

export interface FormatOptions {
  /** Virtual address of the first page (page aligned). */
  base: number;
  pages: number;
  /** Client state of the initial (empty) snapshot. */
  state?: Uint8Array;
  /** 16 bytes identifying the disk (default random). */
  diskId?: Uint8Array;
}

export interface RecoveryReport {
  generation: number;
  slot: number;
  /** True when a newer superblock existed but could not be used. */
  fellBack: boolean;
  /** Plain-words reasons for every superblock that was passed over. */
  problems: string[];
}

export interface SnapshotResult {
  generation: number;
  /** Pages whose snapshot copy was written after the pause (captured or copied-on-write). */
  pagesWritten: number;
  /** Pages copied in RAM because they were written before their snapshot copy was safe. */
  cowPages: number;
  /** Blocks of page list, client state and bitmap written by the commit. */
  metadataBlocks: number;
}

export interface SpaceStats {
  residentPages: number;
  dirtyPages: number;
  pageIns: number;
  zeroFills: number;
  pageOuts: number;
  evictions: number;
  cowCopies: number;
  /** Most copy-on-write buffers held at once (extra RAM in pages). */
  peakCowPages: number;
  snapshots: number;
  usedBlocks: number;
  deviceBlocks: number;
}

/** Write a fresh, empty object space to `device` (generation 1). Destroys what was there. */
export function formatDisk(device: BlockDevice, options: FormatOptions): Superblock {
  const { base, pages } = options;
  if (!Number.isInteger(base) || base < 0 || base % BLOCK_SIZE !== 0 || base + pages * BLOCK_SIZE > 2 ** 32) {
    throw new AddressError(`object space base 0x${base.toString(16)} is not a page-aligned 32-bit address`);
  }
  if (!Number.isInteger(pages) || pages <= 0 || pages > 2 ** 20) {
    throw new AddressError(`object space of ${pages} pages is not in 1..${2 ** 20}`);
  }
  const diskId = options.diskId ?? crypto.getRandomValues(new Uint8Array(16));
  const blocks = new BlockMap(SUPERBLOCK_SLOTS);
  const sink: BlockSink = { device, allocate: () => blocks.allocate(BUILD) };
  const state = writeBlob(sink, options.state ?? new Uint8Array(0));
  const bitmapBytes = blocks.encodeBitmap();
  const bitmap = writeBlob(sink, bitmapBytes);
  const sb: Superblock = {
    generation: 1,
    diskId,
    baseAddress: base,
    pageCount: pages,
    blockCount: blocks.blockCount,
    committedAt: Date.now(),
    // An all-zero page list: every tree block would be zeros, so none is written.
    pages: { root: ZERO_BLOCK, crc: 0, depth: levelSizes(pages).length - 1 },
    bitmap,
    bitmapBytes: bitmapBytes.length,
    state,
    stateBytes: options.state?.length ?? 0,
  };
  // Forget any earlier format first, so its superblock cannot outrank the new one.
  device.write(0, new Uint8Array(BLOCK_SIZE));
  device.flush();
  device.write(1, encodeSuperblock(sb));
  device.flush();
  return sb;
}

interface Build {
  generation: number;
  slot: number;
  state: Uint8Array;
  entries: Uint32Array;
  cursor: number;
  pagesWritten: number;
  cowPages: number;
}

/** A snapshot after its pause: call step() between guest time slices, or finish() to complete it. */
export interface SnapshotJob {
  readonly generation: number;
  readonly done: boolean;
  /** Walk up to `pages` pages (writing their snapshot copies); commits once the walk is complete. */
  step(pages: number): SnapshotResult | undefined;
  finish(): SnapshotResult;
}

export class PersistentSpace {
  readonly base: number;
  readonly pageCount: number;
  readonly recovery: RecoveryReport;
  private readonly device: BlockDevice;
  private readonly ram: Uint8Array;
  private readonly frames: FrameSource;
  private readonly mapper: PageMapper;
  private readonly maxResident: number;
  private readonly diskId: Uint8Array;
  private readonly blocks: BlockMap;

  private readonly frame: Uint32Array;
  private readonly flags: Uint8Array;
  private readonly stamp: Uint32Array;
  private readonly curr: Uint32Array;
  private readonly currCrc: Uint32Array;
  private readonly make: Uint32Array;
  private readonly makeCrc: Uint32Array;
  private readonly prev: Uint32Array;
  private readonly prevCrc: Uint32Array;

  private readonly resident: Int32Array;
  private readonly residentPos: Int32Array;
  private residentCount = 0;
  private clockHand = 0;
  private dirtyQueue: number[] = [];
  private dirtyHead = 0;
  private dirtyCount = 0;
  private readonly cow = new Map<number, Uint8Array>();
  /** The page list being built (every entry is rewritten by the walk before it is used). */
  private readonly entries: Uint32Array;
  // Write gathering: while `gathering`, data writes to consecutive blocks are staged and sent as one
  // request. Staged blocks are never read back before drain(): the bulk paths that gather only read RAM.
  private gathering = false;
  private readonly staging = new Uint8Array(RUN_BLOCKS * BLOCK_SIZE);
  private stagedFirst = 0;
  private stagedCount = 0;

  private seq = 0;
  private lastGeneration: number;
  private lastSlot: number;
  private committedGeneration: number;
  private build: Build | undefined;
  private committedState: Uint8Array;
  private failure: Error | undefined;
  private closed = false;
  private readonly counters = {
    pageIns: 0,
    zeroFills: 0,
    pageOuts: 0,
    evictions: 0,
    cowCopies: 0,
    peakCowPages: 0,
    snapshots: 0,
  };

  private constructor(
    device: BlockDevice,
    loaded: LoadedSnapshot,
    recovery: RecoveryReport,
    options: SpaceOptions,
  ) {
    const sb = loaded.superblock;
    this.device = device;
    this.recovery = recovery;
    this.ram = options.ram;
    this.frames = options.frames;
    this.mapper = options.mapper;
    this.maxResident = options.maxResidentPages ?? Number.POSITIVE_INFINITY;
    if (!(this.maxResident >= 1))
      throw new RangeError(`maxResidentPages ${options.maxResidentPages} must be >= 1`);
    this.base = sb.baseAddress;
    this.pageCount = sb.pageCount;
    this.diskId = sb.diskId;
    this.lastGeneration = recovery.generation;
    this.lastSlot = loaded.slot;
    this.committedGeneration = sb.generation;
    this.committedState = loaded.state;
    const n = sb.pageCount;
    this.frame = new Uint32Array(n).fill(NO_FRAME);
    this.flags = new Uint8Array(n);
    this.stamp = new Uint32Array(n);
    this.curr = new Uint32Array(n).fill(NONE);
    this.currCrc = new Uint32Array(n);
    this.make = new Uint32Array(n).fill(NONE);
    this.makeCrc = new Uint32Array(n);
    this.prev = new Uint32Array(n);
    this.prevCrc = new Uint32Array(n);
    this.resident = new Int32Array(n);
    this.residentPos = new Int32Array(n).fill(-1);
    this.entries = new Uint32Array(n * 2);
    // Ownership: the loaded snapshot is LAST; whatever else its bitmap holds belongs to the snapshot
    // before it (PREV) and is freed by the next commit.
    this.blocks = new BlockMap(sb.blockCount);
    const bm = loaded.bitmap;
    for (let b = SUPERBLOCK_SLOTS; b < sb.blockCount; b++) if (bitmapHas(bm, b)) this.blocks.add(b, PREV);
    for (let p = 0; p < n; p++) {
      this.prev[p] = loaded.pages[p * 2];
      this.prevCrc[p] = loaded.pages[p * 2 + 1];
      this.blocks.add(this.prev[p], LAST);
    }
    for (const b of loaded.metaBlocks) this.blocks.add(b, LAST);
    for (const b of loaded.bitmapBlocks) this.blocks.add(b, LAST);
    this.mapper.setWriteWatcher((v) => this.noteWrite(v));
  }

  /**
   * Recover the object space from `device`: the newest superblock whose checksum, page list, bitmap
   * and client state verify. Data pages are not read; they load on fault. Throws UntrustedDiskError
   * when no snapshot verifies.
   */
  static open(device: BlockDevice, options: SpaceOptions): PersistentSpace {
    const slots = readSlots(device);
    const problems: string[] = [];
    for (const s of slots) if (s.problem) problems.push(`superblock slot ${s.slot}: ${s.problem}`);
    const found = candidates(slots);
    for (const c of found) {
      try {
        const loaded = loadSnapshot(device, c.slot, c.superblock);
        const report: RecoveryReport = {
          generation: c.superblock.generation,
          slot: c.slot,
          fellBack: c !== found[0],
          problems,
        };
        const space = new PersistentSpace(device, loaded, report, options);
        // The next commit must outrank every superblock on disk, even a damaged newer one.
        space.lastGeneration = found[0].superblock.generation;
        return space;
      } catch (e) {
        if (!(e instanceof DamageError)) throw e;
        problems.push(`generation ${c.superblock.generation} (slot ${c.slot}): ${e.message}`);
      }
    }
    throw new UntrustedDiskError('no snapshot on the disk verifies', problems);
  }

  /** Generation of the newest committed snapshot (the one recovery would load now). */
  get generation(): number {
    return this.committedGeneration;
  }

  /** Client state saved with the newest committed snapshot (or loaded at open). */
  get clientState(): Uint8Array {
    return this.committedState.slice();
  }

  get snapshotInProgress(): boolean {
    return this.build !== undefined;
  }

  get stats(): SpaceStats {
    return {
      ...this.counters,
      residentPages: this.residentCount,
      dirtyPages: this.dirtyCount,
      usedBlocks: this.blocks.usedBlocks,
      deviceBlocks: this.blocks.blockCount,
    };
  }

  /** Address of page `index`. */
  pageAddress(index: number): number {
    return this.base + index * BLOCK_SIZE;
  }

  /**
   * Resolve a page fault at `virtual` (from the CPU's page-fault handler): page in if needed, and on
   * a write mark the page dirty and make it writable. Throws AddressError outside the space,
   * CorruptPageError when the page's block fails its checksum (nothing is mapped then).
   */
  handleFault(virtual: number, write: boolean): void {
    this.usable();
    const p = this.pageIndex(virtual);
    this.rollover(p);
    if (this.frame[p] === NO_FRAME) this.pageIn(p, write);
    else this.mapper.map(this.pageAddress(p), this.frame[p], (this.flags[p] & WRITABLE) !== 0);
    if (write) this.markDirty(p);
  }

  /** Write watcher: the first write to a page after an epoch bump (called before the bytes land). */
  noteWrite(virtual: number): void {
    if (this.closed || this.failure) return;
    // The mmu reports writes anywhere in RAM (kernel heap, page tables): only the space's pages matter.
    const off = (virtual >>> 0) - this.base;
    if (off < 0 || off >= this.pageCount * BLOCK_SIZE) return;
    const p = Math.floor(off / BLOCK_SIZE);
    if (this.frame[p] === NO_FRAME) return;
    this.markDirty(p);
  }

  /** Background pageout: write up to `maxPages` dirty pages, write-protecting each. Returns pages written. */
  pageoutStep(maxPages: number): number {
    this.usable();
    const written = this.gathered(() => {
      let n = 0;
      while (n < maxPages && this.dirtyHead < this.dirtyQueue.length) {
        const p = this.dirtyQueue[this.dirtyHead++];
        this.flags[p] &= ~QUEUED;
        if (this.pageout(p)) n++;
      }
      this.drain();
      return n;
    });
    if (this.dirtyHead > 4096 && this.dirtyHead * 2 > this.dirtyQueue.length) {
      this.dirtyQueue = this.dirtyQueue.slice(this.dirtyHead);
      this.dirtyHead = 0;
    }
    return written;
  }

  /** Reclaim clean frames until at most `targetResident` pages are resident. Returns frames freed. */
  reclaim(targetResident: number): number {
    this.usable();
    let freed = 0;
    while (this.residentCount > targetResident && this.evictOne(false)) freed++;
    return freed;
  }

  /** Take a snapshot now: ahead-of-time pageout, pause, walk, commit. */
  snapshot(state: Uint8Array = new Uint8Array(0)): SnapshotResult {
    this.pageoutStep(Number.POSITIVE_INFINITY);
    return this.beginSnapshot(state).finish();
  }

  /**
   * The stop-the-world part of a snapshot: O(1) — bump the epoch so every page is write-protected for
   * the snapshot, and remember the client state. The world may run again as soon as this returns.
   */
  beginSnapshot(state: Uint8Array = new Uint8Array(0)): SnapshotJob {
    this.usable();
    if (this.build) throw new StateError(`snapshot ${this.build.generation} is still in progress`);
    this.seq++;
    this.mapper.bumpWriteEpoch();
    const slot = this.lastSlot ^ 1;
    const generation = generationForSlot(this.lastGeneration, slot);
    const build: Build = {
      generation,
      slot,
      state: state.slice(),
      // Allocated once at open: a 2 MiB allocation here could cost a GC inside the pause.
      entries: this.entries,
      cursor: 0,
      pagesWritten: 0,
      cowPages: 0,
    };
    this.build = build;
    let result: SnapshotResult | undefined;
    return {
      generation,
      get done() {
        return result !== undefined;
      },
      step: (pages: number) => {
        if (result) return result;
        result = this.buildStep(build, pages);
        return result;
      },
      finish: () => {
        if (!result) result = this.buildStep(build, Number.POSITIVE_INFINITY);
        return result as SnapshotResult;
      },
    };
  }

  /** Unmap every page and free its frame. An unfinished snapshot is abandoned; nothing is written. */
  close(): void {
    if (this.closed) return;
    for (let i = this.residentCount - 1; i >= 0; i--) {
      const p = this.resident[i];
      this.mapper.unmap(this.pageAddress(p));
      this.frames.freeFrame(this.frame[p]);
      this.frame[p] = NO_FRAME;
    }
    this.residentCount = 0;
    this.cow.clear();
    this.mapper.setWriteWatcher(undefined);
    this.closed = true;
  }

  // ---- snapshot walk and commit ----

  private buildStep(b: Build, maxPages: number): SnapshotResult | undefined {
    this.usable();
    return this.gathered(() => {
      const end = Math.min(this.pageCount, b.cursor + maxPages);
      for (let p = b.cursor; p < end; p++) this.walkPage(b, p);
      this.drain();
      this.gathering = false;
      b.cursor = end;
      if (b.cursor < this.pageCount) return undefined;
      return this.commit(b);
    });
  }

  /**
   * Run `work` with write gathering on (`work` must drain() what it staged). Any error stops the
   * space: pages may already be marked clean for staged writes that never reached the device.
   */
  private gathered<T>(work: () => T): T {
    this.gathering = true;
    try {
      return work();
    } catch (e) {
      this.failure = e as Error;
      throw e;
    } finally {
      this.gathering = false;
      this.stagedCount = 0;
    }
  }

  /** Fix page p's reference in the snapshot being built, writing its copy if only RAM holds it. */
  private walkPage(b: Build, p: number): void {
    this.rollover(p);
    const f = this.flags[p];
    if (f & CAPTURE) {
      this.writeMake(p, this.frameBytes(p));
      this.flags[p] &= ~CAPTURE;
      if (!(f & DIRTY)) this.protect(p);
      b.pagesWritten++;
    } else if (f & COWED) {
      this.writeMake(p, this.cow.get(p)!);
      this.cow.delete(p);
      this.flags[p] &= ~COWED;
      b.pagesWritten++;
    }
    const useMake = this.make[p] !== NONE;
    const block = useMake ? this.make[p] : this.prev[p];
    b.entries[p * 2] = block;
    b.entries[p * 2 + 1] = useMake ? this.makeCrc[p] : this.prevCrc[p];
    this.blocks.add(block, BUILD);
  }

  /**
   * The commit protocol, in order (LMDB-style): (1) page list, client state and bitmap are written to
   * blocks no durable superblock references; (2) flush, so all of it is durable before anything points
   * at it; (3) the new superblock overwrites the older slot; (4) flush — the commit point; (5) only then
   * are the blocks that only the overwritten superblock referenced released for reuse.
   */
  private commit(b: Build): SnapshotResult {
    let metadataBlocks = 0;
    const sink: BlockSink = {
      device: this.device,
      allocate: () => {
        metadataBlocks++;
        return this.blocks.allocate(BUILD);
      },
    };
    const pages = writeTree(sink, b.entries, this.pageCount);
    const state = writeBlob(sink, b.state);
    // The bitmap holds this snapshot and the one it keeps as fallback (LAST|BUILD), not its own blocks.
    const bitmapBytes = this.blocks.encodeBitmap();
    const bitmap = writeBlob(sink, bitmapBytes);
    this.device.flush();
    const sb: Superblock = {
      generation: b.generation,
      diskId: this.diskId,
      baseAddress: this.base,
      pageCount: this.pageCount,
      blockCount: this.blocks.blockCount,
      committedAt: Date.now(),
      pages,
      bitmap,
      bitmapBytes: bitmapBytes.length,
      state,
      stateBytes: b.state.length,
    };
    this.device.write(b.slot, encodeSuperblock(sb));
    this.device.flush();
    // Durable: the overwritten superblock's snapshot is gone, so its blocks may be reused.
    this.blocks.shiftAfterCommit();
    for (let p = 0; p < this.pageCount; p++) {
      if (this.make[p] !== NONE) {
        this.prev[p] = this.make[p];
        this.prevCrc[p] = this.makeCrc[p];
        this.make[p] = NONE;
      }
    }
    this.lastGeneration = b.generation;
    this.committedGeneration = b.generation;
    this.lastSlot = b.slot;
    this.committedState = b.state;
    this.build = undefined;
    this.counters.snapshots++;
    return {
      generation: b.generation,
      pagesWritten: b.pagesWritten,
      cowPages: b.cowPages,
      metadataBlocks,
    };
  }

  // ---- per-page state machine ----

  /** Move page p into the current epoch: its curr copy becomes the snapshot's make copy. */
  private rollover(p: number): void {
    if (this.stamp[p] === this.seq) return;
    this.stamp[p] = this.seq;
    if (this.curr[p] !== NONE) {
      this.make[p] = this.curr[p];
      this.makeCrc[p] = this.currCrc[p];
      this.curr[p] = NONE;
      this.blocks.add(this.make[p], BUILD);
      this.blocks.remove(this.make[p], VOLATILE);
    }
    if (this.flags[p] & DIRTY) {
      // The frame's bytes are the snapshot's copy of this page; they must reach disk before being changed.
      this.flags[p] = (this.flags[p] & ~DIRTY) | CAPTURE;
      this.dirtyCount--;
    }
  }

  /** First write to page p in this epoch (write fault or watcher). */
  private markDirty(p: number): void {
    this.rollover(p);
    const f = this.flags[p];
    if (f & CAPTURE) {
      // Copy-on-write: the snapshot's copy is only in this frame and the guest is about to change it.
      const at = this.frame[p];
      this.cow.set(p, this.ram.slice(at, at + BLOCK_SIZE));
      this.flags[p] = (f & ~CAPTURE) | COWED;
      this.counters.cowCopies++;
      if (this.build) this.build.cowPages++;
      if (this.cow.size > this.counters.peakCowPages) this.counters.peakCowPages = this.cow.size;
    }
    if (!(this.flags[p] & DIRTY)) {
      this.flags[p] |= DIRTY;
      this.dirtyCount++;
      if (!(this.flags[p] & QUEUED)) {
        this.flags[p] |= QUEUED;
        this.dirtyQueue.push(p);
      }
    }
    if (!(this.flags[p] & WRITABLE)) {
      this.flags[p] |= WRITABLE;
      this.mapper.setWritable(this.pageAddress(p), true);
    }
  }

  /** Write page p's RAM copy if it is newer than its disk copies. Returns true when a write happened. */
  private pageout(p: number): boolean {
    this.rollover(p);
    const f = this.flags[p];
    if (f & CAPTURE) {
      this.writeMake(p, this.frameBytes(p));
      this.flags[p] &= ~CAPTURE;
      this.protect(p);
      if (this.build) this.build.pagesWritten++;
      return true;
    }
    if (!(f & DIRTY)) return false;
    // Write-protect first: a write after this point must dirty the page again.
    this.protect(p);
    const old = this.curr[p];
    this.storeCopy(p, this.frameBytes(p), VOLATILE, this.curr, this.currCrc);
    // The superseded copy was never part of a snapshot: free at once.
    if (old !== NONE) this.blocks.remove(old, VOLATILE);
    this.flags[p] &= ~DIRTY;
    this.dirtyCount--;
    this.counters.pageOuts++;
    return true;
  }

  /** Store the snapshot's copy of page p (from a frame or a COW buffer) as its make block. */
  private writeMake(p: number, data: Uint8Array): void {
    const old = this.make[p];
    this.storeCopy(p, data, BUILD, this.make, this.makeCrc);
    if (old !== NONE && old !== this.make[p]) this.blocks.remove(old, BUILD);
    this.counters.pageOuts++;
  }

  /**
   * Write `data` as a copy of page p owned by `owner` (an all-zero page takes no block) and record
   * its block and checksum in `blocks[p]` and `crcs[p]` (curr/currCrc or make/makeCrc).
   */
  private storeCopy(
    p: number,
    data: Uint8Array,
    owner: number,
    blocks: Uint32Array,
    crcs: Uint32Array,
  ): void {
    if (isZero(data)) {
      blocks[p] = ZERO_BLOCK;
      crcs[p] = 0;
      return;
    }
    const block = this.blocks.allocate(owner);
    this.writeData(block, data);
    blocks[p] = block;
    crcs[p] = crc32c(data);
  }

  /** The bytes of resident page p's frame. */
  private frameBytes(p: number): Uint8Array {
    return this.ram.subarray(this.frame[p], this.frame[p] + BLOCK_SIZE);
  }

  private writeData(block: number, data: Uint8Array): void {
    if (!this.gathering) {
      this.device.write(block, data);
      return;
    }
    if (
      this.stagedCount > 0 &&
      (block !== this.stagedFirst + this.stagedCount || this.stagedCount === RUN_BLOCKS)
    ) {
      this.drain();
    }
    if (this.stagedCount === 0) this.stagedFirst = block;
    this.staging.set(data, this.stagedCount * BLOCK_SIZE);
    this.stagedCount++;
  }

  private drain(): void {
    if (this.stagedCount === 0) return;
    const n = this.stagedCount;
    this.stagedCount = 0;
    writeBlocks(this.device, this.stagedFirst, this.staging.subarray(0, n * BLOCK_SIZE));
  }

  private protect(p: number): void {
    if (this.flags[p] & WRITABLE) {
      this.flags[p] &= ~WRITABLE;
      if (this.frame[p] !== NO_FRAME) this.mapper.setWritable(this.pageAddress(p), false);
    }
  }

  private pageIn(p: number, write: boolean): void {
    while (this.residentCount >= this.maxResident) {
      if (!this.evictOne(true)) break;
    }
    const at = this.allocFrame();
    const dst = this.ram.subarray(at, at + BLOCK_SIZE);
    let block: number;
    let crc: number;
    if (this.curr[p] !== NONE) [block, crc] = [this.curr[p], this.currCrc[p]];
    else if (this.make[p] !== NONE) [block, crc] = [this.make[p], this.makeCrc[p]];
    else [block, crc] = [this.prev[p], this.prevCrc[p]];
    try {
      readVerified(this.device, block, crc, dst, `page ${p}`, Number.MAX_SAFE_INTEGER);
    } catch (e) {
      this.frames.freeFrame(at);
      if (e instanceof ChecksumError) throw new CorruptPageError(this.pageAddress(p), block, e);
      throw e;
    }
    if (block === ZERO_BLOCK) this.counters.zeroFills++;
    else this.counters.pageIns++;
    this.frame[p] = at;
    this.residentPos[p] = this.residentCount;
    this.resident[this.residentCount++] = p;
    this.flags[p] = write ? this.flags[p] | WRITABLE : this.flags[p] & ~WRITABLE;
    this.mapper.map(this.pageAddress(p), at, write);
  }

  private allocFrame(): number {
    for (;;) {
      try {
        return this.frames.allocFrame();
      } catch (e) {
        if (!this.evictOne(true)) {
          throw new OutOfFramesError(
            `no frame for a page-in and none can be reclaimed (${this.residentCount} resident): ${(e as Error).message}`,
          );
        }
      }
    }
  }

  /**
   * Evict one resident page, clean ones first (clock order). With `writeDirty`, a dirty page is written
   * out and evicted when no clean page exists. Returns false when nothing could be evicted.
   */
  private evictOne(writeDirty: boolean): boolean {
    const n = this.residentCount;
    if (n === 0) return false;
    for (let i = 0; i < n; i++) {
      if (this.clockHand >= this.residentCount) this.clockHand = 0;
      const p = this.resident[this.clockHand++];
      if (!(this.flags[p] & (DIRTY | CAPTURE))) {
        this.evict(p);
        return true;
      }
    }
    if (!writeDirty) return false;
    if (this.clockHand >= this.residentCount) this.clockHand = 0;
    const p = this.resident[this.clockHand++];
    this.pageout(p);
    this.evict(p);
    return true;
  }

  private evict(p: number): void {
    this.rollover(p);
    this.mapper.unmap(this.pageAddress(p));
    this.frames.freeFrame(this.frame[p]);
    this.frame[p] = NO_FRAME;
    this.flags[p] &= ~WRITABLE;
    const i = this.residentPos[p];
    const last = this.resident[--this.residentCount];
    this.resident[i] = last;
    this.residentPos[last] = i;
    this.residentPos[p] = -1;
    this.counters.evictions++;
  }

  private pageIndex(virtual: number): number {
    // Accept 32-bit addresses given as signed int32 (what `x & ~0xfff` yields above 2 GiB).
    if (virtual < 0 && virtual >= -0x8000_0000 && Number.isInteger(virtual)) virtual >>>= 0;
    const off = virtual - this.base;
    if (!Number.isInteger(virtual) || off < 0 || off >= this.pageCount * BLOCK_SIZE) {
      throw new AddressError(
        `address 0x${virtual.toString(16)} is outside the object space ` +
          `0x${this.base.toString(16)}-0x${(this.base + this.pageCount * BLOCK_SIZE - 1).toString(16)}`,
      );
    }
    return Math.floor(off / BLOCK_SIZE);
  }

  private usable(): void {
    if (this.closed) throw new StateError('the object space is closed');
    if (this.failure)
      throw new StateError(`the object space stopped after a device error: ${this.failure.message}`);
  }
}
