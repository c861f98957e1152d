// The architecture-neutral core of the Phantasm kernel, once booted: traps (system calls, page
// faults, interrupts, guest faults), the scheduler, and snapshots of the object space with every
// thread's registers in the snapshot's client state.
import { type Heap, HeapError } from '@phantasm/heap';
import {
  CorruptPageError,
  type PersistentSpace,
  type SnapshotJob,
  type SnapshotResult,
  VmMapError,
} from '@phantasm/vm-map';
import { ERR, LAYOUT, SYS, slotBase } from './abi.js';
import type { ArchLayer, Trap, UserContext } from './arch/arch.js';
import { type KernelConsole, KeyboardDecoder } from './console.js';
import { ElfError } from './elf.js';
import { hex } from './hex.js';
import { type LoadedGuest, loadGuest } from './loader.js';
import { inObjectSpace, type ObjectMemory, UserAccessError } from './object-space.js';
import type { Platform } from './platform/platform.js';
import type { Thread, ThreadTable } from './threads.js';
import type {
  GuestProgram,
  KernelStateRecord,
  SystemRunOptions,
  SystemRunResult,
  ThreadRecord,
} from './types.js';

/** The kernel found itself in a state it cannot continue from (a kernel bug, never a guest's doing). */
export class KernelPanic extends Error {
  override name = 'KernelPanic';
}

export const TIMER_HZ = 100;
const SLICE = 4096;
/** Object-space pages the snapshot walk covers per run slice while guests keep running. */
const WALK_PAGES_PER_SLICE = 2048;
const KEY_BUFFER = 256;
/** Dirty pages written per pageout step under memory pressure. */
const PAGEOUT_BATCH = 32;
const MAX_WRITE = 64 * 1024;
const MAX_NAME = 64;
const MAX_ARG = 256;

export interface KernelServices {
  platform: Platform;
  arch: ArchLayer;
  threads: ThreadTable;
  space: PersistentSpace;
  memory: ObjectMemory;
  heap: Heap;
  console: KernelConsole;
  programs: Map<string, GuestProgram>;
  log: (line: string) => void;
  snapshotIntervalMs: number;
  /** The object space's resident-page limit (pageout starts at half of it). */
  maxResidentPages: number;
  /** Uptime (ns) at the snapshot this boot resumed from (0 on a fresh disk). */
  uptimeBaseNs: number;
}

export class Kernel {
  readonly platform: Platform;
  readonly arch: ArchLayer;
  readonly threads: ThreadTable;
  readonly space: PersistentSpace;
  readonly heap: Heap;
  private readonly memory: ObjectMemory;
  private readonly console: KernelConsole;
  private readonly programs: Map<string, GuestProgram>;
  private readonly log: (line: string) => void;
  private readonly snapshotIntervalMs: number;
  private readonly maxResidentPages: number;
  private readonly uptimeBaseNs: number;
  private readonly clockAtBoot: number;
  private readonly keys: number[] = [];
  private readonly keyboard = new KeyboardDecoder();
  private readonly typed: string[] = [];
  /** The thread the CPU runs (undefined: idle loop or kernel). */
  private current: Thread | undefined;
  private currentContext: UserContext | undefined;
  private job: { job: SnapshotJob; started: number; pauseMs: number } | undefined;
  private lastSnapshotWall = performance.now();
  private idleReported = false;
  /** Counters for the bench and `stats`. */
  readonly counters = { syscalls: 0, pageFaults: 0, ticks: 0, switches: 0, killed: 0 };

  constructor(s: KernelServices) {
    this.platform = s.platform;
    this.arch = s.arch;
    this.threads = s.threads;
    this.space = s.space;
    this.memory = s.memory;
    this.heap = s.heap;
    this.console = s.console;
    this.programs = s.programs;
    this.log = s.log;
    this.snapshotIntervalMs = s.snapshotIntervalMs;
    this.maxResidentPages = s.maxResidentPages;
    this.uptimeBaseNs = s.uptimeBaseNs;
    this.clockAtBoot = s.platform.nanos;
  }

  get uptimeNs(): number {
    return this.uptimeBaseNs + this.platform.nanos - this.clockAtBoot;
  }

  // --- guests ------------------------------------------------------------------------------
  /** Start built-in program `name` in a free slot; returns the new thread. */
  spawn(name: string, arg = ''): Thread {
    const program = this.programs.get(name);
    if (!program) throw new SpawnError(ERR.ENOENT, `no program named ${JSON.stringify(name)}`);
    const used = new Set(this.threads.live().map((t) => t.slot));
    let slot = 0;
    while (slot < LAYOUT.guestSlots && used.has(slot)) slot++;
    if (slot === LAYOUT.guestSlots)
      throw new SpawnError(ERR.ENOMEM, `all ${LAYOUT.guestSlots} guest slots are in use`);
    const loaded: LoadedGuest = loadGuest(
      this.memory,
      program.image,
      slotBase(slot),
      LAYOUT.guestSlotSize,
      arg,
    );
    const thread = this.threads.create(name, arg, slot, this.arch.initialContext(loaded.entry, loaded.stack));
    this.threads.makeReady(thread);
    this.log(
      `guest ${name} started: tid ${thread.tid}, slot ${slot} at 0x${hex(slotBase(slot))}, entry 0x${hex(loaded.entry)}`,
    );
    return thread;
  }

  /** Queue text to type on the PC keyboard (fed as the kernel's key buffer drains). */
  typeKeys(text: string): void {
    for (const ch of text) this.typed.push(ch === '\n' ? '\r' : ch);
    this.idleReported = false;
  }

  /** Typed keys not yet read by a guest (queued for the keyboard or in the kernel's buffer). */
  get pendingKeys(): number {
    return this.typed.length + this.keys.length + this.platform.keyboardPending;
  }

  // --- the run loop --------------------------------------------------------------------------
  run(options: SystemRunOptions = {}): SystemRunResult {
    return this.guardDisk(() => this.runLoop(options));
  }

  /** A failing disk (full, I/O error) ends the system with one clear error; committed snapshots stay intact. */
  private guardDisk<T>(work: () => T): T {
    if (this.diskFailure) throw this.diskFailure;
    try {
      return work();
    } catch (e) {
      if (!(e instanceof VmMapError)) throw e;
      this.diskFailure = new DiskFailure(
        `the disk failed (${e.message}); the last complete snapshot, generation ${this.space.generation}, is intact on it`,
        { cause: e },
      );
      throw this.diskFailure;
    }
  }
  private diskFailure: DiskFailure | undefined;

  private runLoop(options: SystemRunOptions): SystemRunResult {
    const platform = this.platform;
    const arch = this.arch;
    const start = performance.now();
    const first = arch.instructions;
    const maxInstructions = options.maxInstructions ?? Number.POSITIVE_INFINITY;
    const deadline = options.maxWallMs === undefined ? Number.POSITIVE_INFINITY : start + options.maxWallMs;
    const result = (
      stop: SystemRunResult['stop'],
      extra: Partial<SystemRunResult> = {},
    ): SystemRunResult => ({
      stop,
      instructions: arch.instructions - first,
      ...extra,
    });
    for (let slices = 0; ; slices++) {
      platform.updateDevices();
      this.feedKeyboard();
      const before = arch.instructions;
      const stop = arch.run(Math.min(SLICE, Math.max(1, maxInstructions - (before - first))));
      platform.advanceInstructions(arch.instructions - before);
      if (stop === 'reset') throw new KernelPanic(`triple fault at instruction ${arch.instructions}`);
      if (stop === 'trap') this.handleTrap(arch.takeTrap());
      else if (stop === 'idle') {
        if (this.job) this.stepSnapshot(Number.POSITIVE_INFINITY);
        else if (!platform.interruptPending() && !this.canFeedKey()) {
          const live = this.threads.live();
          if (live.length === 0) return result('no-threads');
          const wake = platform.nextTimerWakeNs();
          if (options.stopWhenIdle && !this.idleReported) {
            this.idleReported = true;
            const nextWakeNs = wake === undefined ? undefined : this.uptimeBaseNs + wake - this.clockAtBoot;
            return result('idle', { nextWakeNs });
          }
          // Without a caller that waits, time only moves on for a thread that sleeps: else only a key can help.
          if (!options.stopWhenIdle && !live.some((t) => t.status === 'sleeping')) return result('idle');
          this.idleReported = false;
          if (wake === undefined) return result('idle');
          platform.skipTo(wake);
        }
      }
      if (this.job) this.stepSnapshot(WALK_PAGES_PER_SLICE);
      else if ((slices & 15) === 15) this.relievePressure();
      if (
        options.untilConsole !== undefined &&
        this.console.text.includes(options.untilConsole, options.consoleFrom)
      ) {
        return result('console');
      }
      if (arch.instructions - first >= maxInstructions) return result('budget');
      if ((slices & 15) === 0 && performance.now() > deadline) return result('budget');
    }
  }

  // --- traps ---------------------------------------------------------------------------------
  private handleTrap(trap: Trap): void {
    const thread = this.current;
    if (trap.fromUser) {
      if (!thread) throw new KernelPanic(`trap from user mode with no current thread (${trap.what})`);
      this.currentContext = this.arch.saveContext();
    } else if (trap.kind !== 'irq') {
      throw new KernelPanic(`kernel-mode ${trap.what || `exception ${trap.vector}`} at 0x${hex(trap.pc)}`);
    }
    switch (trap.kind) {
      case 'irq':
        this.interrupt(trap.irq);
        break;
      case 'syscall':
        this.counters.syscalls++;
        this.syscall(thread!, this.currentContext!);
        break;
      case 'page-fault':
        this.pageFault(thread!, trap);
        break;
      default:
        this.kill(thread!, this.describe(trap), trap.pc);
    }
    this.dispatch();
  }

  /** Leave boot: run the first ready thread (or idle). */
  start(): void {
    this.dispatch();
  }

  /** Back to user mode: the current thread if it can go on, else the next ready one, else idle. */
  private dispatch(): void {
    const running = this.current;
    if (running && running.status === 'running' && this.currentContext) {
      this.arch.resume(this.currentContext);
      return;
    }
    if (running && this.currentContext && running.alive) this.threads.store(running, this.currentContext);
    this.current = undefined;
    this.currentContext = undefined;
    const next = this.threads.next();
    if (!next) {
      this.arch.idle();
      return;
    }
    this.counters.switches++;
    next.status = 'running';
    this.current = next;
    this.currentContext = this.threads.load(next);
    this.arch.resume(this.currentContext);
  }

  /** Put the running thread back in the ready queue (preemption, yield). */
  private preempt(): void {
    const t = this.current;
    if (t && t.status === 'running') this.threads.makeReady(t);
  }

  private interrupt(irq: number): void {
    this.platform.endOfInterrupt(irq);
    if (irq === this.platform.timerIrq) this.tick();
    else if (irq === this.platform.keyboardIrq) this.keyboardInterrupt();
  }

  private tick(): void {
    this.counters.ticks++;
    const now = this.uptimeNs;
    for (const t of this.threads.live()) {
      if (t.status === 'sleeping' && t.wakeAtNs <= now) this.wake(t, 0);
    }
    if (
      this.snapshotIntervalMs > 0 &&
      !this.job &&
      performance.now() - this.lastSnapshotWall >= this.snapshotIntervalMs
    ) {
      this.beginSnapshot();
    }
    this.preempt();
  }

  private keyboardInterrupt(): void {
    for (const scancode of this.platform.readScancodes()) {
      const byte = this.keyboard.decode(scancode);
      if (byte < 0) continue;
      const reader = this.threads.live().find((t) => t.status === 'reading');
      if (reader) this.wake(reader, byte);
      else if (this.keys.length < KEY_BUFFER) this.keys.push(byte);
    }
  }

  /** A typed key can go to the keyboard now: the kernel has taken the previous one. */
  private canFeedKey(): boolean {
    return this.typed.length > 0 && this.platform.keyboardPending === 0 && this.keys.length === 0;
  }

  /** Feed the next typed key once the kernel has taken the previous one. */
  private feedKeyboard(): void {
    if (this.canFeedKey()) this.platform.pressKey(this.typed.shift()!);
  }

  /** Make a blocked thread ready with `result` as its system call's return value. */
  private wake(t: Thread, result: number): void {
    const context = t === this.current && this.currentContext ? this.currentContext : this.threads.load(t);
    this.arch.setSyscallResult(context, result);
    if (t !== this.current) this.threads.store(t, context);
    this.threads.makeReady(t);
  }

  private pageFault(thread: Thread, trap: Trap): void {
    this.counters.pageFaults++;
    const address = trap.faultAddress;
    if (!inObjectSpace(address)) {
      this.kill(thread, `${trap.what} (${whereIs(address)})`, trap.pc);
      return;
    }
    this.relievePressure();
    try {
      this.space.handleFault((address & ~0xfff) >>> 0, trap.write);
    } catch (e) {
      // a damaged page is the guest's loss, not the kernel's: stop the guest that touched it
      if (!(e instanceof CorruptPageError)) throw e;
      this.kill(thread, `${trap.what}: ${e.message}`, trap.pc);
    }
  }

  /**
   * vm-map evicts only clean pages: when dirty pages crowd the resident set, write some out
   * (Phantom's pager does this in the background) so that a fault always finds a clean victim
   * and an instruction's code and data pages can be resident together.
   */
  private relievePressure(): void {
    const stats = this.space.stats;
    if (stats.dirtyPages > this.maxResidentPages / 2) this.space.pageoutStep(PAGEOUT_BATCH);
  }

  /** The fault's description, naming the privileged instruction when that is what faulted. */
  private describe(trap: Trap): string {
    if (!inObjectSpace(trap.pc, 2)) return trap.what;
    const name = this.arch.privilegedInstruction(trap, this.memory.readBytes(trap.pc, 2));
    return name ? `${trap.what}: privileged instruction ${name}` : trap.what;
  }

  /** Stop a guest for a forbidden action; the kernel and the other guests go on. */
  private kill(thread: Thread, what: string, pc: number): void {
    this.counters.killed++;
    const message = `guest ${thread.program} (tid ${thread.tid}) stopped: ${what} at ${this.arch.pcName} 0x${hex(pc)}`;
    this.console.writeText(`[kernel] ${message}\n`);
    this.log(message);
    this.finish(thread, 'killed', -ERR.EKILLED, what);
  }

  private finish(thread: Thread, status: 'exited' | 'killed', exitStatus: number, reason?: string): void {
    this.threads.end(thread, status, exitStatus, reason);
    for (const w of this.threads.live()) {
      if (w.status === 'waiting' && w.waitFor === thread.tid) this.wake(w, exitStatus);
    }
  }

  // --- system calls --------------------------------------------------------------------------
  private syscall(thread: Thread, context: UserContext): void {
    const { number, args } = this.arch.syscallArgs(context);
    const ret = (value: number) => this.arch.setSyscallResult(context, value);
    const block = (status: Thread['status']) => {
      thread.status = status;
    };
    switch (number) {
      case SYS.exit:
        this.log(`guest ${thread.program} (tid ${thread.tid}) exited with status ${args[0] | 0}`);
        this.finish(thread, 'exited', args[0] | 0);
        return;
      case SYS.write: {
        const length = Math.min(args[1], MAX_WRITE);
        try {
          this.console.write(this.memory.readBytes(args[0], length));
          ret(length);
        } catch (e) {
          if (!(e instanceof UserAccessError)) throw e;
          ret(-ERR.EFAULT);
        }
        return;
      }
      case SYS.readKey:
        if (this.keys.length > 0) ret(this.keys.shift()!);
        else if (args[0] !== 0) ret(-ERR.EAGAIN);
        else block('reading');
        return;
      case SYS.yield:
        ret(0);
        this.preempt();
        return;
      case SYS.sleep:
        ret(0);
        thread.wakeAtNs = this.uptimeNs + (args[0] >>> 0) * 1e6;
        block('sleeping');
        return;
      case SYS.uptime:
        ret(Math.floor(this.uptimeNs / 1e6));
        return;
      case SYS.spawn:
        ret(this.spawnCall(args));
        return;
      case SYS.snapshot:
        this.snapshotCall(thread, context);
        return;
      case SYS.palloc:
        ret(this.palloc(args[0]));
        return;
      case SYS.pfree:
        try {
          this.heap.free(args[0]);
          ret(0);
        } catch (e) {
          if (!(e instanceof HeapError)) throw e;
          ret(-ERR.EINVAL);
        }
        return;
      case SYS.wait: {
        const target = this.threads.get(args[0]);
        if (!target || target === thread) ret(-ERR.ECHILD);
        else if (!target.alive) ret(target.exitStatus ?? 0);
        else {
          thread.waitFor = target.tid;
          block('waiting');
        }
        return;
      }
      case SYS.gettid:
        ret(thread.tid);
        return;
      default:
        ret(-ERR.ENOSYS);
    }
  }

  private spawnCall(args: number[]): number {
    const [namePtr, nameLen, argPtr, argLen] = args;
    if (nameLen > MAX_NAME || argLen > MAX_ARG) return -ERR.EINVAL;
    try {
      const decoder = new TextDecoder();
      const name = decoder.decode(this.memory.readBytes(namePtr, nameLen));
      const arg = argLen > 0 ? decoder.decode(this.memory.readBytes(argPtr, argLen)) : '';
      return this.spawn(name, arg).tid;
    } catch (e) {
      if (e instanceof UserAccessError) return -ERR.EFAULT;
      if (e instanceof SpawnError) return -e.code;
      if (e instanceof ElfError) {
        this.log(`spawn refused: ${e.message}`);
        return -ERR.EINVAL;
      }
      throw e;
    }
  }

  private palloc(size: number): number {
    if (size === 0 || size > this.heap.region.capacity) return 0;
    try {
      return this.heap.malloc(size);
    } catch (e) {
      if (e instanceof HeapError) return 0;
      throw e;
    }
  }

  // --- snapshots ------------------------------------------------------------------------------
  /** The kernel's part of a snapshot: every thread with its registers, and the clock. */
  private stateRecord(pendingSnapshotTid = 0): KernelStateRecord {
    if (this.current && this.currentContext && this.current.alive)
      this.threads.store(this.current, this.currentContext);
    const threads: ThreadRecord[] = this.threads.all().map((t) => {
      const r = this.threads.record(t);
      if (r.status === 'running') r.status = 'ready';
      if (t.tid === pendingSnapshotTid) r.pendingSnapshot = true;
      return r;
    });
    return {
      format: 'phantasm-kernel',
      version: 1,
      uptimeNs: this.uptimeNs,
      nextTid: this.threads.nextTid,
      threads,
      heap: { base: this.heap.region.base, capacity: this.heap.region.capacity },
    };
  }

  private beginSnapshot(pendingSnapshotTid = 0): SnapshotJob {
    const state = new TextEncoder().encode(JSON.stringify(this.stateRecord(pendingSnapshotTid)));
    const t0 = performance.now();
    const job = this.space.beginSnapshot(state);
    const pauseMs = performance.now() - t0;
    this.job = { job, started: t0, pauseMs };
    this.lastSnapshotWall = performance.now();
    this.log(
      `snapshot ${job.generation} taken: pause ${pauseMs.toFixed(2)} ms, ${this.threads.live().length} threads`,
    );
    return job;
  }

  private stepSnapshot(pages: number): SnapshotResult | undefined {
    const j = this.job;
    if (!j) return undefined;
    const result = pages === Number.POSITIVE_INFINITY ? j.job.finish() : j.job.step(pages);
    if (!result) return undefined;
    this.job = undefined;
    this.log(
      `snapshot ${result.generation} committed: ${result.pagesWritten} pages written, ${result.cowPages} copied on write, ${(performance.now() - j.started).toFixed(1)} ms`,
    );
    this.lastCommit = { ...result, pauseMs: j.pauseMs, commitMs: performance.now() - j.started };
    return result;
  }
  lastCommit: (SnapshotResult & { pauseMs: number; commitMs: number }) | undefined;

  /** snapshot(): the caller's state is captured with "snapshot pending", its result is the generation. */
  private snapshotCall(thread: Thread, context: UserContext): void {
    this.stepSnapshot(Number.POSITIVE_INFINITY);
    const job = this.beginSnapshot(thread.tid);
    this.stepSnapshot(Number.POSITIVE_INFINITY);
    this.arch.setSyscallResult(context, job.generation);
  }

  /** Take a snapshot now and wait until it is durable (shutdown, tests). */
  snapshotNow(): SnapshotResult {
    return this.guardDisk(() => {
      this.stepSnapshot(Number.POSITIVE_INFINITY);
      this.beginSnapshot();
      return this.stepSnapshot(Number.POSITIVE_INFINITY)!;
    });
  }

  get snapshotInProgress(): boolean {
    return this.job !== undefined;
  }
}

/** What lies at an address a guest may not touch, for fault messages. */
function whereIs(address: number): string {
  if (address < 0x1000) return 'null pointer';
  if (address < LAYOUT.aspaceStart) return 'kernel memory';
  if (address < LAYOUT.objectSpace) return 'device address space';
  return 'above the object space';
}

/** The object space's disk failed (full, I/O error): the system cannot go on; nothing committed is lost. */
export class DiskFailure extends Error {
  override name = 'DiskFailure';
}

export class SpawnError extends Error {
  override name = 'SpawnError';
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}
