// The PC board as the kernel's platform: 8259 pair (remapped to vectors 20h–2Fh), 8254 channel 0,
// the 8042 keyboard, and the board's virtual clock.
import { NS_PER_INSTRUCTION, type PcBoard } from '../../boards/pc/pc-board.js';
import { IRQ_BASE } from '../arch/ia32/ia32-arch.js';
import type { Platform } from './platform.js';

const PIT_HZ = 1_193_182;

export class PcPlatform implements Platform {
  readonly timerIrq = 0;
  readonly keyboardIrq = 1;

  constructor(private readonly board: PcBoard) {}

  get nanos(): number {
    return this.board.clock.nanos;
  }

  updateDevices(): void {
    this.board.pit.update();
    this.board.cmos.update();
  }

  advanceInstructions(instructions: number): void {
    this.board.clock.advance(instructions * NS_PER_INSTRUCTION);
  }

  skipTo(nanos: number): void {
    this.board.clock.advance(Math.max(0, Math.ceil(nanos - this.board.clock.nanos)));
  }

  interruptPending(): boolean {
    return this.board.pic.hasInterrupt();
  }

  nextTimerWakeNs(): number | undefined {
    return this.board.nextTimerWakeNs();
  }

  startInterrupts(hz: number): void {
    const out = (port: number, value: number) => this.board.io.write(port, 1, value);
    out(0x20, 0x11); // ICW1: edge, cascade, ICW4
    out(0xa0, 0x11);
    out(0x21, IRQ_BASE);
    out(0xa1, IRQ_BASE + 8);
    out(0x21, 0x04); // slave on IRQ 2
    out(0xa1, 0x02);
    out(0x21, 0x01); // 8086 mode
    out(0xa1, 0x01);
    out(0x21, ~((1 << this.timerIrq) | (1 << this.keyboardIrq)) & 0xff);
    out(0xa1, 0xff);
    const divisor = Math.round(PIT_HZ / hz);
    out(0x43, 0x34); // channel 0, lobyte/hibyte, rate generator
    out(0x40, divisor & 0xff);
    out(0x40, divisor >> 8);
  }

  endOfInterrupt(irq: number): void {
    if (irq >= 8) this.board.io.write(0xa0, 1, 0x20);
    this.board.io.write(0x20, 1, 0x20);
  }

  readScancodes(): number[] {
    const io = this.board.io;
    const codes: number[] = [];
    while (io.read(0x64, 1) & 1) codes.push(io.read(0x60, 1));
    return codes;
  }

  pressKey(ch: string): void {
    this.board.typeNow(ch);
  }

  get keyboardPending(): number {
    return this.board.kbc.pendingBytes;
  }
}
