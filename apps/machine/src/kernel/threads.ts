// Guest threads and the round-robin scheduler. A thread's saved user registers live in a thread
// control block on the kernel heap (emulated RAM), written at every switch away and read back
// when it runs again; the JSON record of all threads is what a snapshot persists.
import type { Heap } from '@phantasm/heap';
import type { UserContext } from './arch/arch.js';
import type { ThreadRecord, ThreadStatus } from './types.js';

/** Finished threads kept for `wait` (the oldest are forgotten first). */
const ENDED_KEPT = 64;

export class Thread {
  status: ThreadStatus = 'ready';
  wakeAtNs = 0;
  waitFor = 0;
  exitStatus: number | undefined;
  killedFor: string | undefined;

  constructor(
    readonly tid: number,
    readonly program: string,
    readonly arg: string,
    readonly slot: number,
    /** Kernel-heap address of the thread control block (context words). */
    readonly tcb: number,
  ) {}

  get alive(): boolean {
    return this.status !== 'exited' && this.status !== 'killed';
  }
}

export class ThreadTable {
  private readonly threads = new Map<number, Thread>();
  private readonly queue: Thread[] = [];
  nextTid = 1;

  constructor(
    private readonly heap: Heap,
    private readonly contextWords: number,
  ) {}

  create(program: string, arg: string, slot: number, context: UserContext, tid = this.nextTid++): Thread {
    const tcb = this.heap.malloc(this.contextWords * 4);
    const thread = new Thread(tid, program, arg, slot, tcb);
    this.nextTid = Math.max(this.nextTid, tid + 1);
    this.threads.set(tid, thread);
    this.store(thread, context);
    return thread;
  }

  get(tid: number): Thread | undefined {
    return this.threads.get(tid);
  }

  all(): Thread[] {
    return [...this.threads.values()];
  }

  live(): Thread[] {
    return this.all().filter((t) => t.alive);
  }

  /** Save a thread's registers into its control block. */
  store(thread: Thread, context: UserContext): void {
    for (let i = 0; i < this.contextWords; i++)
      this.heap.region.writeI32(this.tcbOffset(thread) + i * 4, context[i] | 0);
  }

  load(thread: Thread): UserContext {
    const context: UserContext = [];
    for (let i = 0; i < this.contextWords; i++)
      context.push(this.heap.region.readI32(this.tcbOffset(thread) + i * 4) >>> 0);
    return context;
  }

  /** The control block's offset in the heap's region (which translates through the heap's own mapping). */
  private tcbOffset(thread: Thread): number {
    return thread.tcb - this.heap.region.base;
  }

  makeReady(thread: Thread): void {
    thread.status = 'ready';
    if (!this.queue.includes(thread)) this.queue.push(thread);
  }

  /** The next ready thread in round-robin order, or undefined. */
  next(): Thread | undefined {
    while (this.queue.length > 0) {
      const t = this.queue.shift()!;
      if (t.status === 'ready') return t;
    }
    return undefined;
  }

  end(thread: Thread, status: 'exited' | 'killed', exitStatus: number, reason?: string): void {
    thread.status = status;
    thread.exitStatus = exitStatus;
    thread.killedFor = reason;
    this.heap.free(thread.tcb);
    const ended = this.all().filter((t) => !t.alive);
    for (const old of ended.slice(0, Math.max(0, ended.length - ENDED_KEPT))) this.threads.delete(old.tid);
  }

  record(thread: Thread): ThreadRecord {
    return {
      tid: thread.tid,
      program: thread.program,
      arg: thread.arg,
      slot: thread.slot,
      status: thread.status,
      regs: thread.alive ? this.load(thread) : [],
      ...(thread.status === 'sleeping' ? { wakeAtNs: thread.wakeAtNs } : {}),
      ...(thread.status === 'waiting' ? { waitFor: thread.waitFor } : {}),
      ...(thread.exitStatus !== undefined ? { exitStatus: thread.exitStatus } : {}),
      ...(thread.killedFor !== undefined ? { killedFor: thread.killedFor } : {}),
    };
  }

  /** Rebuild a thread from a snapshot's record. */
  restore(r: ThreadRecord): Thread {
    if (r.status === 'exited' || r.status === 'killed') {
      const t = new Thread(r.tid, r.program, r.arg, r.slot, 0);
      t.status = r.status;
      t.exitStatus = r.exitStatus;
      t.killedFor = r.killedFor;
      this.threads.set(r.tid, t);
      this.nextTid = Math.max(this.nextTid, r.tid + 1);
      return t;
    }
    const t = this.create(r.program, r.arg, r.slot, r.regs, r.tid);
    t.wakeAtNs = r.wakeAtNs ?? 0;
    t.waitFor = r.waitFor ?? 0;
    if (r.status === 'running' || r.status === 'ready') this.makeReady(t);
    else t.status = r.status;
    return t;
  }
}
