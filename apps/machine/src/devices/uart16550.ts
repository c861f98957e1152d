// 16550A UART (COM1 at 0x3F8, IRQ4). Transmitted bytes go to a sink at once (the line is
// infinitely fast); received bytes come from `receive()`. Interrupts: received data and
// transmitter empty, level-driven into the PIC. Loopback mode (MCR bit 4) is honoured because
// BIOSes and kernels use it to detect the port.
import { type DeviceRecord, RecordReader, type SavableDevice } from './state.js';
import type { IrqSink, PortDevice } from './types.js';

export class Uart16550 implements PortDevice, SavableDevice {
  private readonly rx: number[] = [];
  ier = 0;
  lcr = 0x03;
  mcr = 0;
  scratch = 0;
  divisor = 12;
  private fcr = 0;
  /** Transmitter-empty interrupt pending (cleared by reading IIR or writing THR). */
  private threPending = false;

  constructor(
    readonly base: number,
    private readonly irqLine: number,
    private readonly irq: IrqSink,
    private readonly sink: (byte: number) => void,
  ) {}

  save(): DeviceRecord {
    return {
      version: 1,
      rx: [...this.rx],
      ier: this.ier,
      lcr: this.lcr,
      mcr: this.mcr,
      scratch: this.scratch,
      divisor: this.divisor,
      fcr: this.fcr,
      threPending: this.threPending,
    };
  }

  load(record: DeviceRecord): void {
    const r = new RecordReader('uart', record, [1]);
    const rx = r.ints('rx', undefined);
    const v = {
      ier: r.int('ier', 0, 0x0f),
      lcr: r.int('lcr', 0, 0xff),
      mcr: r.int('mcr', 0, 0x1f),
      scratch: r.int('scratch', 0, 0xff),
      divisor: r.int('divisor', 0, 0xffff),
      fcr: r.int('fcr', 0, 0xff),
      threPending: r.bool('threPending'),
    };
    this.rx.length = 0;
    this.rx.push(...rx);
    Object.assign(this, v);
  }

  /** Bytes arriving from the outside world. */
  receive(bytes: Iterable<number>): void {
    for (const b of bytes) this.rx.push(b & 0xff);
    this.updateIrq();
  }

  private dlab(): boolean {
    return (this.lcr & 0x80) !== 0;
  }

  private interruptId(): number {
    if (this.ier & 1 && this.rx.length > 0) return 0x04;
    if (this.ier & 2 && this.threPending) return 0x02;
    return 0x01;
  }

  private updateIrq(): void {
    // OUT2 gates the interrupt line on PC serial cards
    this.irq.setIrq(this.irqLine, (this.mcr & 0x08) !== 0 && this.interruptId() !== 0x01);
  }

  read(port: number): number {
    const reg = port - this.base;
    let value: number;
    switch (reg) {
      case 0:
        value = this.dlab() ? this.divisor & 0xff : (this.rx.shift() ?? 0);
        break;
      case 1:
        value = this.dlab() ? this.divisor >> 8 : this.ier;
        break;
      case 2: {
        const id = this.interruptId();
        if (id === 0x02) this.threPending = false;
        value = id | (this.fcr & 1 ? 0xc0 : 0);
        break;
      }
      case 3:
        value = this.lcr;
        break;
      case 4:
        value = this.mcr;
        break;
      case 5:
        value = 0x60 | (this.rx.length > 0 ? 1 : 0);
        break;
      case 6:
        // loopback: CTS←RTS, DSR←DTR, RI←OUT1, DCD←OUT2; otherwise CTS, DSR and DCD asserted
        if (this.mcr & 0x10) {
          const m = this.mcr;
          value = ((m & 2) << 3) | ((m & 1) << 5) | ((m & 4) << 4) | ((m & 8) << 4);
        } else value = 0xb0;
        break;
      default:
        value = this.scratch;
    }
    this.updateIrq();
    return value;
  }

  write(port: number, _size: 1 | 2 | 4, value: number): void {
    value &= 0xff;
    switch (port - this.base) {
      case 0:
        if (this.dlab()) this.divisor = (this.divisor & 0xff00) | value;
        else {
          if (this.mcr & 0x10) this.rx.push(value);
          else this.sink(value);
          this.threPending = true;
        }
        break;
      case 1:
        if (this.dlab()) this.divisor = (this.divisor & 0xff) | (value << 8);
        else {
          // enabling the THR interrupt with an empty transmitter raises it at once
          if (value & 2 && !(this.ier & 2)) this.threPending = true;
          this.ier = value & 0x0f;
        }
        break;
      case 2:
        this.fcr = value;
        if (value & 2) this.rx.length = 0;
        break;
      case 3:
        this.lcr = value;
        break;
      case 4:
        this.mcr = value & 0x1f;
        break;
      case 7:
        this.scratch = value;
        break;
    }
    this.updateIrq();
  }
}
