// Keeps an emulated machine's virtual time from running ahead of the wall clock. Virtual time may
// fall behind (a busy guest runs slower than real time); once it is more than `maxLagMs` behind,
// the reference is moved up so the machine does not race to catch up.

export class Pacer {
  private wallStart: number;
  private virtualStart: number;

  constructor(
    /** Virtual time now, in milliseconds. */
    private readonly virtualMs: () => number,
    private readonly maxLagMs = 250,
    private readonly wallMs: () => number = () => performance.now(),
  ) {
    this.wallStart = wallMs();
    this.virtualStart = virtualMs();
  }

  /** Milliseconds of wall time until virtual time `targetMs` is due (≤ 0: due now). */
  delayUntil(targetMs: number): number {
    this.rebaseIfBehind();
    return targetMs - this.virtualStart - (this.wallMs() - this.wallStart);
  }

  /** How far virtual time is ahead of the wall clock now (≤ 0: not ahead). */
  aheadMs(): number {
    return this.delayUntil(this.virtualMs());
  }

  private rebaseIfBehind(): void {
    const behind = this.wallMs() - this.wallStart - (this.virtualMs() - this.virtualStart);
    if (behind > this.maxLagMs) {
      this.wallStart = this.wallMs();
      this.virtualStart = this.virtualMs();
    }
  }
}
