// fsck: verify every structure on a vm-map disk, say what is wrong in plain words, and repair what can
// be repaired by committing a corrected superblock (never by rewriting a block a superblock references).
import { crc32c } from '../crc32c.js';
import { BLOCK_SIZE, type BlockDevice } from '../device/block-device.js';
import { DamageError, UntrustedDiskError } from '../errors.js';
import { bitmapHas } from '../format/block-map.js';
import {
  encodeSuperblock,
  FIRST_DATA_BLOCK,
  generationForSlot,
  SUPERBLOCK_SLOTS,
  type Superblock,
  ZERO_BLOCK,
} from '../format/layout.js';
import { candidates, type LoadedSnapshot, loadSnapshot, readSlots } from '../format/reader.js';
import { type BlockSink, writeBlob } from '../format/tree.js';

export interface SnapshotCheck {
  slot: number;
  generation: number;
  committedAt: number;
  pageCount: number;
  /** Pages with a data block (the rest are zero pages). */
  storedPages: number;
  /** Why the page list, state or bitmap could not be read (undefined when they verify). */
  metadataProblem?: string;
  /** Pages whose data block fails its checksum. */
  damagedPages: { page: number; block: number }[];
  intact: boolean;
}

export interface FsckReport {
  /** No errors (warnings allowed). */
  clean: boolean;
  /** Generation recovery uses (after repair, the repaired one). */
  generation: number;
  snapshots: SnapshotCheck[];
  errors: string[];
  warnings: string[];
  /** Blocks marked in use that no kept snapshot references. */
  leakedBlocks: number;
  /** Blocks a kept snapshot references that the bitmap marks free. */
  unmarkedBlocks: number;
  /** What repair did (empty when nothing was repaired). */
  repairs: string[];
  /** The whole report as plain text lines. */
  lines: string[];
}

export interface FsckOptions {
  repair?: boolean;
}

interface Examined {
  check: SnapshotCheck;
  sb: Superblock;
  loaded?: LoadedSnapshot;
  /** Every block the snapshot references (data, page list, state, bitmap). */
  refs?: Set<number>;
}

/**
 * Check (and with `repair`, fix) a disk. Throws UntrustedDiskError when no snapshot is intact, since
 * nothing on the disk could then be trusted.
 */
export function fsck(device: BlockDevice, options: FsckOptions = {}): FsckReport {
  const first = examine(device);
  if (!options.repair || first.repairable.length === 0) return first.report;
  const repairs = repair(device, first);
  const after = examine(device).report;
  after.repairs = repairs;
  after.lines.push(...repairs.map((r) => `repaired: ${r}`));
  return after;
}

function examine(device: BlockDevice): {
  report: FsckReport;
  chosen: Examined;
  all: Examined[];
  repairable: string[];
} {
  const slots = readSlots(device);
  const errors: string[] = [];
  const warnings: string[] = [];
  const repairable: string[] = [];
  const lines: string[] = [];
  const problems: string[] = [];
  for (const s of slots) {
    if (s.superblock) {
      const sb = s.superblock;
      lines.push(
        `superblock slot ${s.slot}: generation ${sb.generation}, ${sb.pageCount} pages at 0x${sb.baseAddress.toString(16)}, ` +
          `${sb.blockCount} blocks, committed ${new Date(sb.committedAt).toISOString()}`,
      );
    } else {
      lines.push(`superblock slot ${s.slot}: unusable (${s.problem})`);
      problems.push(`slot ${s.slot}: ${s.problem}`);
    }
  }
  const found = candidates(slots);
  if (found.length === 0)
    throw new UntrustedDiskError('no valid superblock: this is not a usable vm-map disk', problems);
  const all = found.map((c) => examineSnapshot(device, c.slot, c.superblock));
  for (const e of all) {
    const c = e.check;
    if (c.metadataProblem) lines.push(`generation ${c.generation}: damaged metadata: ${c.metadataProblem}`);
    else {
      lines.push(
        `generation ${c.generation}: ${c.storedPages} of ${c.pageCount} pages stored, ` +
          (c.damagedPages.length === 0
            ? 'every block verifies'
            : `${c.damagedPages.length} damaged data blocks (first: page ${c.damagedPages[0].page}, block ${c.damagedPages[0].block})`),
      );
    }
  }
  const chosen = all.find((e) => e.check.intact);
  if (!chosen) {
    throw new UntrustedDiskError(
      'no snapshot on the disk is intact',
      all.map(
        (e) =>
          `generation ${e.check.generation}: ${e.check.metadataProblem ?? `${e.check.damagedPages.length} damaged pages`}`,
      ),
    );
  }
  if (all.length > 1 && !sameId(all[0].sb.diskId, all[1].sb.diskId)) {
    errors.push('the two superblocks carry different disk identities (superblocks from two disks?)');
  }
  /** An error that repair() fixes. */
  const repairableError = (msg: string) => {
    errors.push(msg);
    repairable.push(msg);
  };
  if (chosen !== all[0]) {
    const bad = all[0].check;
    repairableError(
      `the newest snapshot (generation ${bad.generation}) is damaged (${damage(bad)}); ` +
        `generation ${chosen.check.generation} is intact`,
    );
  }
  if (found.length < SUPERBLOCK_SLOTS) {
    warnings.push(
      'only one superblock is usable (the other was never written, or a commit was interrupted): ' +
        'no earlier snapshot to fall back to',
    );
  }
  const fallback = all.find((e) => e !== chosen && e.sb.generation < chosen.sb.generation);
  if (fallback && !fallback.check.intact) {
    const c = fallback.check;
    repairableError(
      `the previous snapshot (generation ${c.generation}), kept as the fallback, is damaged (${damage(c)})`,
    );
  }
  // Bitmap of the chosen snapshot: its own references plus those of the snapshot it keeps as fallback.
  const loaded = chosen.loaded!;
  const expected = new Set(chosen.refs);
  for (const b of loaded.bitmapBlocks) expected.delete(b);
  if (fallback?.refs) for (const b of fallback.refs) expected.add(b);
  let unmarked = 0;
  let firstUnmarked = -1;
  for (const b of expected) {
    if (!bitmapHas(loaded.bitmap, b)) {
      unmarked++;
      if (firstUnmarked < 0) firstUnmarked = b;
    }
  }
  let extra = 0;
  let firstExtra = -1;
  for (let b = FIRST_DATA_BLOCK; b < loaded.bitmap.length * 8; b++) {
    if (bitmapHas(loaded.bitmap, b) && !expected.has(b)) {
      extra++;
      if (firstExtra < 0) firstExtra = b;
    }
  }
  if (unmarked > 0) {
    repairableError(
      `${unmarked} blocks in use are marked free in the bitmap of generation ${chosen.sb.generation} (first: block ${firstUnmarked}); they could be overwritten`,
    );
  }
  let leaked = 0;
  if (extra > 0) {
    if (fallback?.refs) {
      leaked = extra;
      repairableError(
        `${extra} leaked blocks: marked in use but referenced by no snapshot (first: block ${firstExtra})`,
      );
    } else {
      warnings.push(
        `${extra} blocks are held for an earlier snapshot that is no longer readable; the next snapshot frees them`,
      );
    }
  }
  const report: FsckReport = {
    clean: errors.length === 0,
    generation: chosen.sb.generation,
    snapshots: all.map((e) => e.check),
    errors,
    warnings,
    leakedBlocks: leaked,
    unmarkedBlocks: unmarked,
    repairs: [],
    lines,
  };
  lines.push(`recovery uses generation ${chosen.sb.generation}`);
  for (const w of warnings) lines.push(`warning: ${w}`);
  for (const e of errors) lines.push(`error: ${e}`);
  lines.push(errors.length === 0 ? 'result: clean' : `result: ${errors.length} errors`);
  return { report, chosen, all, repairable };
}

function examineSnapshot(device: BlockDevice, slot: number, sb: Superblock): Examined {
  const check: SnapshotCheck = {
    slot,
    generation: sb.generation,
    committedAt: sb.committedAt,
    pageCount: sb.pageCount,
    storedPages: 0,
    damagedPages: [],
    intact: false,
  };
  let loaded: LoadedSnapshot;
  try {
    loaded = loadSnapshot(device, slot, sb);
  } catch (e) {
    if (!(e instanceof DamageError)) throw e;
    check.metadataProblem = e.message;
    return { check, sb };
  }
  const refs = new Set<number>();
  const twice: number[] = [];
  const note = (b: number) => {
    if (refs.has(b)) twice.push(b);
    refs.add(b);
  };
  const buf = new Uint8Array(BLOCK_SIZE);
  for (let p = 0; p < sb.pageCount; p++) {
    const block = loaded.pages[p * 2];
    if (block === ZERO_BLOCK) continue;
    check.storedPages++;
    note(block);
    device.read(block, buf);
    if (crc32c(buf) !== loaded.pages[p * 2 + 1]) check.damagedPages.push({ page: p, block });
  }
  for (const b of loaded.metaBlocks) note(b);
  for (const b of loaded.bitmapBlocks) note(b);
  if (twice.length > 0) {
    check.metadataProblem = `${twice.length} blocks are referenced twice (first: block ${twice[0]})`;
    return { check, sb, loaded, refs };
  }
  check.intact = check.damagedPages.length === 0;
  return { check, sb, loaded, refs };
}

/**
 * Commit the chosen (newest intact) snapshot again under a new generation, with a bitmap that holds
 * exactly its blocks. Its page list and state are shared, so nothing referenced is rewritten; the new
 * bitmap goes to blocks no superblock references, and the usual flush / superblock / flush order applies.
 */
function repair(device: BlockDevice, found: ReturnType<typeof examine>): string[] {
  const chosen = found.chosen;
  const sb = chosen.sb;
  const keep = new Set(chosen.refs);
  const avoid = new Set(keep);
  for (const e of found.all) if (e.refs) for (const b of e.refs) avoid.add(b);
  for (let b = 0; b < chosen.loaded!.bitmap.length * 8; b++)
    if (bitmapHas(chosen.loaded!.bitmap, b)) avoid.add(b);
  let blockCount = sb.blockCount;
  let cursor = FIRST_DATA_BLOCK;
  const sink: BlockSink = {
    device,
    allocate: () => {
      while (avoid.has(cursor)) cursor++;
      avoid.add(cursor);
      if (cursor >= blockCount) blockCount = cursor + 1;
      return cursor++;
    },
  };
  const bitmapBytes = new Uint8Array(Math.ceil(sb.blockCount / 8));
  for (const b of keep) bitmapBytes[b >>> 3] |= 1 << (b & 7);
  const bitmap = writeBlob(sink, bitmapBytes);
  const newest = Math.max(...found.all.map((e) => e.sb.generation));
  const slot = chosen.check.slot ^ 1;
  const generation = generationForSlot(newest, slot);
  device.flush();
  const repaired: Superblock = { ...sb, generation, blockCount, bitmap, bitmapBytes: bitmapBytes.length };
  device.write(slot, encodeSuperblock(repaired));
  device.flush();
  return found.repairable.map(
    (r) => `${r} -> committed generation ${sb.generation} again as generation ${generation}`,
  );
}

/** Why a snapshot is not intact, in words. */
function damage(c: SnapshotCheck): string {
  return c.metadataProblem ?? `${c.damagedPages.length} data pages fail their checksums`;
}

function sameId(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
