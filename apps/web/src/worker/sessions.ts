// What the worker runs: a PC booted from the user's images, or the Phantasm system on its OPFS
// disk. Both expose the same small surface to the run loop (worker.ts): run one slice, then say
// how long to wait before the next so virtual time never runs ahead of the wall clock.
import {
  DiskImage,
  type MouseInput,
  Pacer,
  PcBoard,
  PhantasmSystem,
  renderMemoryMapSvg,
} from '@phantasm/machine/browser';
import type { MemoryMapMessage, StartRequest } from '../protocol.js';
import { builtinBios, builtinPrograms } from './firmware.js';
import { OpfsBlockDevice } from './opfs-device.js';

/** The OPFS file that holds the Phantasm system's disk. */
export const SYSTEM_DISK = 'phantasm-system.img';

export interface SliceResult {
  instructions: number;
  /** Wall milliseconds to wait before the next slice (0: go on; Infinity: until an input event). */
  waitMs: number;
  /** Set when the machine has ended (power off, nothing left to run). */
  ended?: string;
}

export interface Session {
  readonly kind: 'pc' | 'system';
  readonly board: PcBoard;
  slice(maxMs: number): SliceResult;
  /** Instructions retired since power-on. */
  readonly instructions: number;
  readonly virtualSeconds: number;
  pressScancodes(codes: number[]): void;
  serialIn(bytes: number[]): void;
  mouse(input: MouseInput): void;
  /** Take a snapshot now (the system only); a line saying what happened. */
  snapshot(): string;
  memoryMap(): MemoryMapMessage | undefined;
  /** Release what the session holds (the system: final snapshot, then the disk). */
  close(): void;
}

type Sink = (bytes: number[]) => void;

export class PcSession implements Session {
  readonly kind = 'pc';
  readonly board: PcBoard;
  private readonly pacer: Pacer;

  private constructor(board: PcBoard) {
    this.board = board;
    this.pacer = new Pacer(() => board.clock.nanos / 1e6);
  }

  static async start(request: Extract<StartRequest, { type: 'start-pc' }>, serial: Sink): Promise<PcSession> {
    const board = new PcBoard({
      memoryMiB: request.memoryMiB,
      bios: await builtinBios(),
      floppyA: request.floppy ? DiskImage.floppy(new Uint8Array(request.floppy)) : undefined,
      hardDisk: request.hardDisk ? DiskImage.hardDisk(new Uint8Array(request.hardDisk)) : undefined,
      serial: (byte) => serial([byte]),
    });
    if (request.kernel) board.loadMultiboot(new Uint8Array(request.kernel));
    return new PcSession(board);
  }

  get instructions(): number {
    return this.board.cpu.instructions;
  }

  get virtualSeconds(): number {
    return this.board.clock.nanos / 1e9;
  }

  slice(maxMs: number): SliceResult {
    const before = this.board.cpu.instructions;
    const r = this.board.run({ timeoutMs: maxMs });
    const instructions = r.instructions - before;
    if (r.stop === 'exit')
      return { instructions, waitMs: 0, ended: `the guest exited with status ${r.exitStatus}` };
    if (r.stop === 'halted') return { instructions, waitMs: 0, ended: 'the CPU halted with interrupts off' };
    const ahead = this.pacer.aheadMs();
    return { instructions, waitMs: ahead > 1 ? ahead : 0 };
  }

  pressScancodes(codes: number[]): void {
    this.board.kbc.pressScancodes(codes);
  }

  serialIn(bytes: number[]): void {
    this.board.uart.receive(bytes);
  }

  mouse(input: MouseInput): void {
    this.board.mouse(input);
  }

  snapshot(): string {
    return 'snapshots are for the Phantasm system (a PC from images keeps no state here)';
  }

  memoryMap(): undefined {
    return undefined;
  }

  close(): void {}
}

export class SystemSession implements Session {
  readonly kind = 'system';
  private readonly pacer: Pacer;
  private closed = false;

  private constructor(
    readonly system: PhantasmSystem,
    private readonly disk: OpfsBlockDevice,
  ) {
    this.pacer = new Pacer(() => system.uptimeNs / 1e6);
  }

  static async start(
    request: Extract<StartRequest, { type: 'start-system' }>,
    console: Sink,
    log: (line: string) => void,
  ): Promise<SystemSession> {
    const [bios, programs] = await Promise.all([builtinBios(), builtinPrograms()]);
    const disk = await OpfsBlockDevice.open(SYSTEM_DISK);
    log(
      `disk ${SYSTEM_DISK} in the origin's private file system${disk.blockCount === 0 ? ' (new: it will be formatted)' : `, ${disk.blockCount} blocks`}`,
    );
    try {
      const system = PhantasmSystem.boot({
        disk,
        bios,
        programs,
        memoryMiB: request.memoryMiB,
        snapshotIntervalMs: request.snapshotIntervalMs,
        console: (bytes) => console([...bytes]),
        log,
      });
      return new SystemSession(system, disk);
    } catch (e) {
      disk.close();
      throw e;
    }
  }

  get board(): PcBoard {
    return this.system.board;
  }

  get instructions(): number {
    return this.system.board.cpu.instructions;
  }

  get virtualSeconds(): number {
    return this.system.uptimeNs / 1e9;
  }

  slice(maxMs: number): SliceResult {
    const before = this.instructions;
    const r = this.system.run({ maxWallMs: maxMs, stopWhenIdle: true });
    const instructions = this.instructions - before;
    if (r.stop === 'no-threads') return { instructions, waitMs: 0, ended: 'every guest has ended' };
    if (r.stop === 'idle') {
      const due =
        r.nextWakeNs === undefined ? Number.POSITIVE_INFINITY : this.pacer.delayUntil(r.nextWakeNs / 1e6);
      return { instructions, waitMs: Math.max(0, due) };
    }
    const ahead = this.pacer.aheadMs();
    return { instructions, waitMs: ahead > 1 ? ahead : 0 };
  }

  pressScancodes(codes: number[]): void {
    this.system.board.kbc.pressScancodes(codes);
  }

  serialIn(_bytes: number[]): void {}

  mouse(input: MouseInput): void {
    this.system.board.mouse(input);
  }

  snapshot(): string {
    const r = this.system.snapshotNow();
    return `snapshot generation ${r.generation} committed: ${r.pagesWritten} pages written, ${r.cowPages} copied on write`;
  }

  memoryMap(): MemoryMapMessage {
    const report = this.system.memoryMap();
    const space = this.system.kernel.space;
    const stats = space.stats;
    return {
      type: 'memmap',
      report,
      svg: renderMemoryMapSvg(report),
      space: {
        residentPages: stats.residentPages,
        dirtyPages: stats.dirtyPages,
        pages: space.pageCount,
        usedBlocks: stats.usedBlocks,
        deviceBlocks: stats.deviceBlocks,
        pageIns: stats.pageIns,
        pageOuts: stats.pageOuts,
        cowCopies: stats.cowCopies,
        snapshots: stats.snapshots,
        generation: space.generation,
      },
    };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.system.shutdown();
    } finally {
      this.disk.close();
    }
  }
}
