// The asynchronous run loop of `phantasm boot`: short run slices of the Phantasm system, and while
// every thread waits, a real-time wait for the next timer wake or the next key. Virtual time never
// runs ahead of the wall clock. Ends on a quit request, a signal, the limits, when every thread has
// ended, or (piped input) when the input is used up and the guests wait for more.
import type { SystemRunOptions, SystemRunResult, ThreadRecord } from '../kernel/types.js';
import { Pacer } from './pacer.js';

/** What the loop needs of PhantasmSystem (a fake in the tests). */
export interface RunnableSystem {
  run(options: SystemRunOptions): SystemRunResult;
  readonly uptimeNs: number;
  /** Typed keys no guest has read yet. */
  readonly pendingKeys: number;
  threads(): ThreadRecord[];
}

/** What the loop needs of the input (TerminalInput). */
export interface LoopInput {
  readonly ended: boolean;
  wait(ms: number): Promise<void>;
  notify(): void;
}

export type LoopEnd =
  | 'quit'
  | 'sigint'
  | 'sigterm'
  | 'input-ended'
  | 'no-threads'
  | 'max-instructions'
  | 'timeout';

export interface LoopLimits {
  maxInstructions?: number;
  timeoutMs?: number;
}

/** Wall milliseconds per run slice: short enough that keys and redraws feel immediate. */
export const SLICE_MS = 20;

const WAITS_FOR_INPUT = new Set(['reading', 'waiting', 'exited', 'killed']);

/** True when no thread can run or wake by itself: each reads a key, waits for another, or has ended. */
export function waitingForKeys(threads: ThreadRecord[]): boolean {
  return threads.every((t) => WAITS_FOR_INPUT.has(t.status));
}

export class SystemLoop {
  private stopReason: LoopEnd | undefined;
  instructions = 0;

  constructor(
    private readonly system: RunnableSystem,
    private readonly input: LoopInput,
    private readonly limits: LoopLimits = {},
  ) {}

  /** Ask the loop to end at the next slice boundary (a pending wait ends now). */
  stop(reason: LoopEnd): void {
    this.stopReason ??= reason;
    this.input.notify();
  }

  async run(): Promise<LoopEnd> {
    const system = this.system;
    const pacer = new Pacer(() => system.uptimeNs / 1e6);
    const max = this.limits.maxInstructions ?? Number.POSITIVE_INFINITY;
    const deadline = performance.now() + (this.limits.timeoutMs ?? Number.POSITIVE_INFINITY);
    for (;;) {
      if (this.stopReason) return this.stopReason;
      if (performance.now() >= deadline) return 'timeout';
      const left = max - this.instructions;
      const r = system.run({
        maxWallMs: SLICE_MS,
        stopWhenIdle: true,
        ...(Number.isFinite(left) ? { maxInstructions: left } : {}),
      });
      this.instructions += r.instructions;
      if (this.stopReason) return this.stopReason;
      if (r.stop === 'no-threads') return 'no-threads';
      if (this.instructions >= max) return 'max-instructions';
      if (r.stop === 'idle') {
        if (this.input.ended && system.pendingKeys === 0 && waitingForKeys(system.threads())) {
          return 'input-ended';
        }
        const due =
          r.nextWakeNs === undefined ? Number.POSITIVE_INFINITY : pacer.delayUntil(r.nextWakeNs / 1e6);
        await this.input.wait(Math.min(due, deadline - performance.now()));
      } else {
        const ahead = pacer.aheadMs();
        if (ahead > 1) await this.input.wait(Math.min(ahead, deadline - performance.now()));
        else await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
  }
}
