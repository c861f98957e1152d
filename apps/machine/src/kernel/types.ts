// Types shared by the Phantasm kernel, the CLI (`phantasm boot`, `phantasm inspect`) and the
// memory-map picture. The kernel's persisted state (the snapshot's client state) is
// `KernelStateRecord` as UTF-8 JSON: `phantasm inspect` decodes it from a disk at rest.
import type { BlockDevice } from '@phantasm/vm-map';

/** A guest program: a name and an ELF32 image (ET_EXEC inside the object space, or ET_DYN/PIE). */
export interface GuestProgram {
  name: string;
  image: Uint8Array;
}

export interface SystemOptions {
  /** Persistent disk (vm-map); formatted when it holds no blocks. */
  disk: BlockDevice;
  /** RAM in MiB (default 64). */
  memoryMiB?: number;
  /** Firmware for stage 1 (default: the built-in BIOS). */
  bios?: Uint8Array;
  /** Programs `spawn` may start by name (the built-in guests by default). */
  programs?: GuestProgram[];
  /** Programs started when there is no snapshot to resume (or every thread has ended). */
  initial?: { program: string; arg?: string }[];
  /** Wall-clock milliseconds between periodic snapshots; 0 = none (default 5000). */
  snapshotIntervalMs?: number;
  /** Guest console output (bytes written by guests and kernel messages about guests). */
  console?: (bytes: Uint8Array) => void;
  /** Progress lines (boot stages with durations, snapshots): stderr in the CLI. */
  log?: (line: string) => void;
  /** Most object-space pages resident in RAM at once (default: what physalloc can give less a reserve). */
  maxResidentPages?: number;
}

export type ThreadStatus = 'ready' | 'running' | 'sleeping' | 'reading' | 'waiting' | 'exited' | 'killed';

export interface ThreadRecord {
  tid: number;
  program: string;
  arg: string;
  slot: number;
  status: ThreadStatus;
  /** Saved user context: eax ecx edx ebx esp ebp esi edi eip eflags. */
  regs: number[];
  /** Uptime (ns) at which a sleeping thread wakes. */
  wakeAtNs?: number;
  /** Thread id a waiting thread waits for. */
  waitFor?: number;
  /** Exit status (exited) or the reason it was stopped (killed). */
  exitStatus?: number;
  killedFor?: string;
  /** The thread is inside snapshot(): on restore its result is the restored generation. */
  pendingSnapshot?: boolean;
}

/** The kernel's part of a snapshot (JSON, version-checked on restore). */
export interface KernelStateRecord {
  format: 'phantasm-kernel';
  version: 1;
  /** Uptime in ns at the snapshot's pause. */
  uptimeNs: number;
  nextTid: number;
  threads: ThreadRecord[];
  /** Start and capacity of the persistent heap (Heap.open on restore). */
  heap: { base: number; capacity: number };
}

/** Why `run` returned. */
export type SystemStop =
  | 'budget' // maxInstructions or maxWallMs used up; call run again
  | 'idle' // every thread waits for a key or a timer (see nextWakeNs); nothing to do until then
  | 'console' // untilConsole text appeared on the console
  | 'no-threads'; // every thread has ended

export interface SystemRunOptions {
  maxInstructions?: number;
  maxWallMs?: number;
  /** Stop with 'console' once the console output since boot contains this text. */
  untilConsole?: string;
  /** Where in the console history `untilConsole` is looked for (default 0: since boot). */
  consoleFrom?: number;
  /** Return 'idle' instead of skipping virtual time ahead while all threads wait (interactive use). */
  stopWhenIdle?: boolean;
}

export interface SystemRunResult {
  stop: SystemStop;
  instructions: number;
  /** Uptime (ns) of the next timed wake-up when stop is 'idle' (undefined: only a key can wake it). */
  nextWakeNs?: number;
}

/** One range of physical memory by owner, for `--memmap` and the web panel. */
export type PhysicalOwner =
  | 'bios' // BIOS data area, I/O hole, ROM, non-usable map entries
  | 'low-free'
  | 'vm86' // the vm86 monitor's window and buffers
  | 'kernel-image'
  | 'page-tables'
  | 'kernel-heap'
  | 'object-space' // frames holding object-space pages
  | 'free';

export interface MemoryRange<T extends string> {
  start: number;
  /** Exclusive. */
  end: number;
  owner: T;
}

export type VirtualUse =
  | 'unmapped'
  | 'low-memory'
  | 'kernel-image'
  | 'kernel-heap'
  | 'device'
  | 'guest'
  | 'persistent-heap';

export interface MemoryMapReport {
  ramBytes: number;
  /** Every byte of RAM in exactly one range, in address order. */
  physical: MemoryRange<PhysicalOwner>[];
  /** The 4 GiB virtual map in address order (mapped or reserved uses). */
  virtual: MemoryRange<VirtualUse>[];
  objectSpace: { residentPages: number; dirtyPages: number; pages: number };
}
