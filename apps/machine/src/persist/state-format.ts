// The machine-state file format (version 1). A state is a header and a checksummed, compressed
// payload; the payload is a JSON manifest (configuration, device records, a summary) followed by
// binary blobs (firmware, RAM, disk contents) that the manifest refers to by offset and length.
//
//   0  magic "PHPCSTAT" (8 bytes)      16  payload length u32      24  manifest length u32
//   8  format version u32 (1)          20  CRC-32C of the payload  28  reserved, zero
//  12  kind u32: 1 portable (RAM and disks inside), 2 the client state of a --state snapshot
//  32  payload: raw deflate of (manifest JSON, UTF-8) ++ blobs
//
// Compatibility promise: a state written by any release loads in every later one. A new layout gets
// a new format version (older ones stay readable); device records carry their own versions.
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { crc32c } from '@phantasm/vm-map';
import type { PcDeviceRecords } from '../boards/pc/pc-board.js';

export const STATE_MAGIC = 'PHPCSTAT';
export const STATE_FORMAT_VERSION = 1;
const HEADER_BYTES = 32;
/** Refuse to inflate more than this (4 GiB of RAM + disks is beyond any board we build). */
const MAX_PAYLOAD = 2 ** 32 - 1;

export type StateKind = 'portable' | 'snapshot';
const KIND_CODES: Record<StateKind, number> = { portable: 1, snapshot: 2 };

/** A state file that cannot be loaded: not a state, an unknown version, damaged. Nothing was loaded. */
export class MachineStateError extends Error {
  override name = 'MachineStateError';
}

/** Where a blob lies in the payload after the manifest. */
export interface BlobRef {
  offset: number;
  length: number;
}

export interface DiskEntry {
  /** fda, fdb or hda. */
  slot: 'fda' | 'fdb' | 'hda';
  kind: 'floppy' | 'hard-disk';
  length: number;
  /** Portable states: the disk's bytes. */
  bytes?: BlobRef;
  /** Snapshot states: the first page of the disk in the persistent space. */
  firstPage?: number;
}

export interface StateManifest {
  machine: 'pc';
  producer: string;
  savedAt: string;
  config: { memoryMiB: number; bios: BlobRef; vgaRom?: BlobRef; disks: DiskEntry[] };
  devices: PcDeviceRecords;
  /** Portable states: the whole RAM. */
  ram?: BlobRef;
  /**
   * Snapshot states (optional): the RAM pages that may be non-zero in the space, as runs
   * [first, count, first, count, ...]; every other RAM page is zero there, and a resume reads only
   * these. Without it a resume reads every RAM page.
   */
  ramPages?: number[];
  /** For `phantasm inspect`: what the machine was doing. */
  summary: { instructions: number; virtualSeconds: number; screen: string[] };
}

export interface DecodedState {
  kind: StateKind;
  formatVersion: number;
  manifest: StateManifest;
  blob(ref: BlobRef): Uint8Array;
}

/** Builds the blob area while the manifest is assembled. */
export class BlobWriter {
  private readonly parts: Uint8Array[] = [];
  private size = 0;

  add(bytes: Uint8Array): BlobRef {
    const ref = { offset: this.size, length: bytes.length };
    this.parts.push(bytes);
    this.size += bytes.length;
    return ref;
  }

  get blobs(): Uint8Array[] {
    return this.parts;
  }
}

export function encodeState(kind: StateKind, manifest: StateManifest, blobs: BlobWriter): Uint8Array {
  const json = Buffer.from(JSON.stringify(manifest), 'utf8');
  const payload = deflateRawSync(Buffer.concat([json, ...blobs.blobs]), { level: 1 });
  if (payload.length > MAX_PAYLOAD)
    throw new MachineStateError('machine state too large for format version 1');
  const out = new Uint8Array(HEADER_BYTES + payload.length);
  out.set(Buffer.from(STATE_MAGIC, 'latin1'), 0);
  const v = new DataView(out.buffer);
  v.setUint32(8, STATE_FORMAT_VERSION, true);
  v.setUint32(12, KIND_CODES[kind], true);
  v.setUint32(16, payload.length, true);
  v.setUint32(20, crc32c(payload), true);
  v.setUint32(24, json.length, true);
  out.set(payload, HEADER_BYTES);
  return out;
}

/** Check and unpack a state; throws MachineStateError naming what is wrong. */
export function decodeState(bytes: Uint8Array, what = 'machine state'): DecodedState {
  if (bytes.length < HEADER_BYTES) {
    throw new MachineStateError(`${what}: ${bytes.length} bytes, too short for a machine state`);
  }
  if (Buffer.from(bytes.subarray(0, 8)).toString('latin1') !== STATE_MAGIC) {
    throw new MachineStateError(`${what}: not a Phantasm machine state (no ${STATE_MAGIC} header)`);
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = v.getUint32(8, true);
  if (version < 1 || version > STATE_FORMAT_VERSION) {
    throw new MachineStateError(
      `${what}: format version ${version} is newer than this release reads (up to ${STATE_FORMAT_VERSION}); ` +
        'use a newer phantasm',
    );
  }
  const kindCode = v.getUint32(12, true);
  const kind = (Object.keys(KIND_CODES) as StateKind[]).find((k) => KIND_CODES[k] === kindCode);
  if (!kind) throw new MachineStateError(`${what}: unknown state kind ${kindCode}`);
  const length = v.getUint32(16, true);
  if (bytes.length !== HEADER_BYTES + length) {
    throw new MachineStateError(
      `${what}: truncated or padded (${bytes.length - HEADER_BYTES} payload bytes, the header says ${length})`,
    );
  }
  const payload = bytes.subarray(HEADER_BYTES);
  if (crc32c(payload) !== v.getUint32(20, true)) {
    throw new MachineStateError(`${what}: damaged (payload checksum does not match)`);
  }
  let plain: Buffer;
  try {
    plain = inflateRawSync(payload);
  } catch (e) {
    throw new MachineStateError(`${what}: damaged (payload does not decompress: ${(e as Error).message})`);
  }
  const jsonLength = v.getUint32(24, true);
  if (jsonLength > plain.length) throw new MachineStateError(`${what}: damaged (manifest length)`);
  let manifest: StateManifest;
  try {
    manifest = JSON.parse(plain.subarray(0, jsonLength).toString('utf8')) as StateManifest;
  } catch (e) {
    throw new MachineStateError(`${what}: damaged manifest (${(e as Error).message})`);
  }
  checkManifest(manifest, what);
  const blobs = plain.subarray(jsonLength);
  return {
    kind,
    formatVersion: version,
    manifest,
    blob(ref: BlobRef): Uint8Array {
      if (
        !ref ||
        !Number.isInteger(ref.offset) ||
        !Number.isInteger(ref.length) ||
        ref.offset < 0 ||
        ref.length < 0
      ) {
        throw new MachineStateError(`${what}: damaged manifest (a bad blob reference)`);
      }
      if (ref.offset + ref.length > blobs.length) {
        throw new MachineStateError(`${what}: damaged (a blob lies beyond the payload)`);
      }
      return new Uint8Array(blobs.subarray(ref.offset, ref.offset + ref.length));
    },
  };
}

function checkManifest(m: StateManifest, what: string): void {
  const bad = (detail: string): never => {
    throw new MachineStateError(`${what}: damaged manifest (${detail})`);
  };
  if (typeof m !== 'object' || m === null) bad('not an object');
  if (m.machine !== 'pc') bad(`machine ${JSON.stringify(m.machine)}: this release restores only "pc"`);
  if (typeof m.config !== 'object' || m.config === null) bad('no configuration');
  if (!Number.isInteger(m.config.memoryMiB)) bad('memory size');
  if (!Array.isArray(m.config.disks)) bad('disk list');
  for (const d of m.config.disks) {
    if (!['fda', 'fdb', 'hda'].includes(d?.slot) || !['floppy', 'hard-disk'].includes(d?.kind))
      bad('a disk entry');
    if (!Number.isInteger(d.length) || d.length <= 0) bad('a disk length');
  }
  if (typeof m.devices !== 'object' || m.devices === null) bad('no device records');
  if (typeof m.summary !== 'object' || m.summary === null) bad('no summary');
}

/** Pages a byte length occupies. */
export function pagesOf(length: number): number {
  return Math.ceil(length / 4096);
}
