// A PC board's whole state as a machine-state file, and a board built again from one. Portable
// states carry RAM and disks themselves; snapshot states (the client state of `--state`) leave them
// to the persistent space's pages and record where each disk begins there.
import { PcBoard, type PcBoardOptions } from '../boards/pc/pc-board.js';
import { DiskImage } from '../devices/disk-image.js';
import { DeviceStateError } from '../devices/state.js';
import {
  BlobWriter,
  type DecodedState,
  type DiskEntry,
  decodeState,
  encodeState,
  MachineStateError,
  type StateKind,
  type StateManifest,
} from './state-format.js';

const PRODUCER = '@phantasm/machine 0.1 (machine state format 1)';

/** Where a restored board sends its output (the state holds no host connections). */
export interface BoardIo {
  serial?: (byte: number) => void;
  debugcon?: (byte: number) => void;
  /** The processor's block compiler for this run (host-side, not part of the state). */
  jit?: PcBoardOptions['jit'];
}

export type DiskSlot = DiskEntry['slot'];

/** The board's disks by slot, in a fixed order (the order of their pages in a persistent space). */
export function boardDisks(board: PcBoard): [DiskSlot, DiskImage][] {
  const c = board.config;
  const out: [DiskSlot, DiskImage][] = [];
  if (c.floppyA) out.push(['fda', c.floppyA]);
  if (c.floppyB) out.push(['fdb', c.floppyB]);
  if (c.hardDisk) out.push(['hda', c.hardDisk]);
  return out;
}

/**
 * The manifest of a board's state. `diskPages` (snapshot states) gives each disk's first page in
 * the persistent space; without it (portable states) the disks' bytes go into the blobs, as does RAM.
 */
export function buildManifest(
  board: PcBoard,
  blobs: BlobWriter,
  diskPages?: Map<DiskSlot, number>,
): StateManifest {
  const c = board.config;
  const disks: DiskEntry[] = boardDisks(board).map(([slot, disk]) => {
    const entry: DiskEntry = { slot, kind: disk.kind, length: disk.bytes.length };
    if (diskPages) entry.firstPage = diskPages.get(slot);
    else entry.bytes = blobs.add(disk.bytes);
    return entry;
  });
  const manifest: StateManifest = {
    machine: 'pc',
    producer: PRODUCER,
    savedAt: new Date().toISOString(),
    config: { memoryMiB: c.memoryMiB, bios: blobs.add(c.bios), disks },
    devices: board.saveDevices(),
    summary: {
      instructions: board.cpu.instructions,
      virtualSeconds: board.clock.nanos / 1e9,
      screen: board.screenLines(),
    },
  };
  if (c.vgaRom) manifest.config.vgaRom = blobs.add(c.vgaRom);
  if (!diskPages) manifest.ram = blobs.add(board.memory.ram);
  return manifest;
}

/** A portable machine state: CPU, devices, RAM, disks and firmware in one file. */
export function saveMachineState(board: PcBoard): Uint8Array {
  const blobs = new BlobWriter();
  const manifest = buildManifest(board, blobs);
  return encodeState('portable', manifest, blobs);
}

/**
 * Build the board a decoded state describes and load its device records. `fill` puts RAM and disk
 * contents in place (portable states: from the blobs). Any refusal throws MachineStateError and
 * the half-built board is dropped, so nothing is ever half-loaded.
 */
export function boardFromState(
  state: DecodedState,
  io: BoardIo,
  diskBytes: (entry: DiskEntry) => Uint8Array,
  fillRam: (ram: Uint8Array) => void,
  what = 'machine state',
): PcBoard {
  const m = state.manifest;
  try {
    const options: PcBoardOptions = {
      memoryMiB: m.config.memoryMiB,
      bios: state.blob(m.config.bios),
      serial: io.serial,
      debugcon: io.debugcon,
      jit: io.jit,
    };
    if (m.config.vgaRom) options.vgaRom = state.blob(m.config.vgaRom);
    for (const d of m.config.disks) {
      const bytes = diskBytes(d);
      if (bytes.length !== d.length)
        throw new MachineStateError(`${what}: disk ${d.slot} has the wrong size`);
      const image = DiskImage.restore(d.kind, bytes);
      if (d.slot === 'fda') options.floppyA = image;
      else if (d.slot === 'fdb') options.floppyB = image;
      else options.hardDisk = image;
    }
    const board = new PcBoard(options);
    fillRam(board.memory.ram);
    board.loadDevices(m.devices);
    return board;
  } catch (e) {
    if (e instanceof MachineStateError) throw e;
    if (e instanceof DeviceStateError || e instanceof Error) {
      throw new MachineStateError(`${what}: refused, nothing loaded (${e.message})`);
    }
    throw e;
  }
}

/** Restore a portable machine state from `saveMachineState`. */
export function loadMachineState(bytes: Uint8Array, io: BoardIo = {}, what = 'machine state'): PcBoard {
  const state = decodeState(bytes, what);
  if (state.kind !== 'portable') {
    throw new MachineStateError(`${what}: a --state snapshot's client state, not a portable state`);
  }
  const m = state.manifest;
  if (!m.ram) throw new MachineStateError(`${what}: damaged manifest (no RAM)`);
  const ramRef = m.ram;
  return boardFromState(
    state,
    io,
    (d) => {
      if (!d.bytes) throw new MachineStateError(`${what}: damaged manifest (disk ${d.slot} has no bytes)`);
      return state.blob(d.bytes);
    },
    (ram) => {
      const bytes = state.blob(ramRef);
      if (bytes.length !== ram.length) {
        throw new MachineStateError(
          `${what}: RAM of ${bytes.length} bytes for a ${m.config.memoryMiB} MiB board`,
        );
      }
      ram.set(bytes);
    },
    what,
  );
}

export function stateKind(bytes: Uint8Array): StateKind {
  return decodeState(bytes).kind;
}
