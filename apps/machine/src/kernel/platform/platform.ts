// What the kernel needs from the board around the processor: virtual time, the interrupt
// controller, the timer and the keyboard. The PC board implements it in pc.ts; a MIPS Malta or an
// IA-64 board implements the same interface, so the kernel core never names a device.

export interface Platform {
  /** Virtual time since power-on, in ns. */
  readonly nanos: number;
  /** Bring the timers up to date before the CPU runs a slice. */
  updateDevices(): void;
  /** Let `instructions` retired instructions' worth of virtual time pass. */
  advanceInstructions(instructions: number): void;
  /** Skip virtual time ahead to `nanos` (the CPU idles until then). */
  skipTo(nanos: number): void;
  /** True while an interrupt waits for the CPU. */
  interruptPending(): boolean;
  /** Virtual time of the next timer interrupt, or undefined when no timer can interrupt. */
  nextTimerWakeNs(): number | undefined;
  /** Route the timer and keyboard lines to the kernel and start the timer at `hz`. */
  startInterrupts(hz: number): void;
  readonly timerIrq: number;
  readonly keyboardIrq: number;
  /** End of interrupt for `irq` at the interrupt controller. */
  endOfInterrupt(irq: number): void;
  /** Scancodes (PC set 1) waiting in the keyboard controller, read out. */
  readScancodes(): number[];
  /** Press and release the key that types `ch`. */
  pressKey(ch: string): void;
  /** Bytes pressed but not yet read out of the keyboard controller. */
  readonly keyboardPending: number;
}
