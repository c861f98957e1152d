// The guest console on stdout and progress lines on stderr. When both are the same terminal, a
// progress line that arrives while the guest is mid-line (a prompt) starts on a line of its own.

export class ConsoleOutput {
  private midLine = false;
  private readonly sameTerminal = process.stdout.isTTY === true && process.stderr.isTTY === true;

  /** Guest console bytes. */
  readonly console = (bytes: Uint8Array): void => {
    if (bytes.length === 0) return;
    process.stdout.write(bytes);
    this.midLine = bytes[bytes.length - 1] !== 0x0a;
  };

  /** A progress line as it is (the kernel's boot stages and snapshots). */
  readonly log = (line: string): void => {
    const gap = this.sameTerminal && this.midLine ? '\n' : '';
    if (this.sameTerminal) this.midLine = false;
    process.stderr.write(`${gap}${line}\n`);
  };

  /** A line of our own, `phantasm: `-prefixed. */
  progress(text: string): void {
    this.log(`phantasm: ${text}`);
  }
}
