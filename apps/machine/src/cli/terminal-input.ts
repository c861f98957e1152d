// Standard input for the interactive consoles. On a terminal: raw mode, one event per key, the
// Ctrl-A escapes decoded. From a pipe or file: its text streamed as keys until it ends. Either way
// the run loop can wait for "a key, or this many milliseconds, whichever comes first".
import { EscapeDecoder, type KeyEvent, typeableText } from './keys.js';

export type InputHandler = (event: KeyEvent) => void;

export class TerminalInput {
  /** A pipe or file has ended (never true on a terminal). */
  ended = false;
  readonly tty: boolean;
  private readonly decoder = new EscapeDecoder();
  private readonly textDecoder = new TextDecoder();
  private wake: (() => void) | undefined;
  private closed = false;

  constructor(
    private readonly stream: NodeJS.ReadStream,
    private readonly handler: InputHandler,
  ) {
    this.tty = stream.isTTY === true;
    if (this.tty) stream.setRawMode(true);
    stream.on('data', this.onData);
    stream.on('end', this.onEnd);
    stream.on('error', this.onEnd);
    stream.resume();
  }

  private readonly onData = (chunk: Buffer | string): void => {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (this.tty) {
      for (const event of this.decoder.feed(bytes)) this.handler(event);
    } else {
      const text = typeableText(this.textDecoder.decode(bytes, { stream: true }));
      if (text) this.handler({ kind: 'text', text });
    }
    this.notify();
  };

  private readonly onEnd = (): void => {
    this.ended = true;
    this.notify();
  };

  /** Wake a pending wait() now (a key arrived, or the loop must stop). */
  notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Resolves after `ms` (Infinity: only on input), or as soon as input arrives or notify() is called. */
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = Number.isFinite(ms) ? setTimeout(() => this.notify(), Math.max(0, ms)) : undefined;
      this.wake = () => {
        if (timer) clearTimeout(timer);
        resolve();
      };
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stream.off('data', this.onData);
    this.stream.off('end', this.onEnd);
    this.stream.off('error', this.onEnd);
    if (this.tty) this.stream.setRawMode(false);
    this.stream.pause();
    // A pipe still open would keep the process alive after the machine is done with it.
    if (!this.tty && !this.ended) this.stream.destroy();
    this.notify();
  }
}
