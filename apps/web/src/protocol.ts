// Messages between the page (src/page) and the machine worker (src/worker). Buffers are
// transferred, not copied.
import type { MemoryMapReport } from '@phantasm/machine/browser';

/** What to start: a PC from images, or the Phantasm system on its OPFS disk. */
export type StartRequest =
  | {
      type: 'start-pc';
      memoryMiB: number;
      floppy?: ArrayBuffer;
      hardDisk?: ArrayBuffer;
      /** A multiboot kernel, started instead of the firmware's boot (as QEMU's -kernel). */
      kernel?: ArrayBuffer;
    }
  | { type: 'start-system'; memoryMiB: number; snapshotIntervalMs: number };

export type ToWorker =
  | StartRequest
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'reset' }
  | { type: 'stop' }
  /** Set-1 scancodes (make and break) for the PS/2 keyboard. */
  | { type: 'scancodes'; codes: number[] }
  /** Bytes typed into the serial console (COM1 receive). */
  | { type: 'serial-in'; bytes: number[] }
  | { type: 'mouse'; dx: number; dy: number; buttons: number; wheel: number }
  | { type: 'snapshot' }
  /** Delete the Phantasm system's disk in the Origin Private File System (not while it runs). */
  | { type: 'wipe-system' }
  /** The bench: boot `floppy` on fresh boards until `untilScreen` appears, `runs` times, flat out. */
  | { type: 'bench-boot'; floppy: ArrayBuffer; runs: number; untilScreen: string };

export type RunState = 'idle' | 'booting' | 'running' | 'paused' | 'stopped';

export interface StatusMessage {
  type: 'status';
  state: RunState;
  mode: 'pc' | 'system' | undefined;
  instructions: number;
  /** Millions of instructions per second over the last status interval. */
  mips: number;
  virtualSeconds: number;
  /** The VGA text screen as text (rows joined by newlines): the test hook reads it. */
  screen: string;
  note?: string;
}

/** One changed rectangle of the VGA picture (RGBA rows of `w` pixels). */
export interface FrameMessage {
  type: 'frame';
  width: number;
  height: number;
  x: number;
  y: number;
  w: number;
  h: number;
  rgba: Uint8ClampedArray;
}

/** vm-map's counters for the object space (pages, blocks, snapshot copies). */
export interface ObjectSpaceCounters {
  residentPages: number;
  dirtyPages: number;
  pages: number;
  /** Blocks in use on the disk (page copies of the snapshots kept, page lists, superblocks). */
  usedBlocks: number;
  deviceBlocks: number;
  pageIns: number;
  pageOuts: number;
  /** Pages copied (copy-on-write) because a guest wrote them while a snapshot was being written. */
  cowCopies: number;
  snapshots: number;
  generation: number;
}

export interface MemoryMapMessage {
  type: 'memmap';
  report: MemoryMapReport;
  space: ObjectSpaceCounters;
  svg: string;
}

export type FromWorker =
  | StatusMessage
  | FrameMessage
  | MemoryMapMessage
  /** Serial console output (PC: COM1; system: the kernel console). */
  | { type: 'serial'; bytes: Uint8Array }
  /** A progress line (boot stages, snapshots). */
  | { type: 'log'; line: string }
  | { type: 'error'; message: string }
  | { type: 'bench-result'; runs: BenchRun[] };

export interface BenchRun {
  stop: string;
  instructions: number;
  ms: number;
}
