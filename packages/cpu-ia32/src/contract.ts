// The surface boards, vm86 and the kernel use to drive the processor. Types only.

/** Port I/O as seen by the CPU (IN/OUT/INS/OUTS). Unclaimed ports read all ones. */
export interface IoBus {
  read(port: number, size: 1 | 2 | 4): number;
  write(port: number, size: 1 | 2 | 4, value: number): void;
  /**
   * False when nothing a `size`-byte access at `port` reaches can write guest RAM (no DMA):
   * compiled code is then not checked again after it. Without this method every port may (the
   * safe default).
   */
  writesRam?(port: number, size: 1 | 2 | 4): boolean;
}

/** The INTR line and the interrupt-acknowledge cycle (an 8259 pair implements this). */
export interface InterruptController {
  /** True while an unmasked interrupt request is pending. */
  hasInterrupt(): boolean;
  /** INTA: returns the vector of the highest-priority pending request and marks it in service. */
  acknowledge(): number;
}

/** Why `run(budget)` returned. */
export type StopReason =
  | 'budget' // the instruction budget ran out
  | 'hlt' // HLT with interrupts disabled, or HLT and no interrupt pending
  | 'breakpoint' // a host breakpoint / hook asked to stop
  | 'reset'; // triple fault or a reset request: the board should reset

export type SegmentName = 'es' | 'cs' | 'ss' | 'ds' | 'fs' | 'gs';
export type Reg32 = 'eax' | 'ecx' | 'edx' | 'ebx' | 'esp' | 'ebp' | 'esi' | 'edi';

/** A loaded segment register: the visible selector and its hidden descriptor cache. */
export interface SegmentState {
  selector: number;
  base: number;
  limit: number;
  /** Access rights byte and flags as in the descriptor (type, S, DPL, P, AVL, D/B, G). */
  rights: number;
}

/**
 * Hooks let vm86, the kernel and tests observe or take over events.
 * Returning true from onException / onInterrupt means "handled by the host": the CPU
 * does not deliver it through the IDT/IVT.
 */
export interface CpuHooks {
  onException?(vector: number, errorCode: number | undefined): boolean;
  onInterrupt?(vector: number, software: boolean): boolean;
  /**
   * false: onException and onInterrupt never write guest RAM, so compiled code need not be
   * checked again after each exception and interrupt (as after a pure port, IoBus.writesRam).
   * Default: they may.
   */
  writesRam?: boolean;
  /**
   * FERR#: an unmasked x87 exception occurred while CR0.NE = 0. A PC board raises IRQ13 (and
   * clears it on a write to port F0h).
   */
  onFpuError?(): void;
}
