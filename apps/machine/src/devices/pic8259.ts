// Dual 8259A programmable interrupt controller (master at 0x20, slave at 0xA0 on IRQ2).
// Edge-triggered: a rising edge on a line sets its request bit; the level is remembered so
// a line held high does not re-request. Supports ICW1-4, OCW1-3 (masks, EOI, IRR/ISR reads),
// auto-EOI and the cascade. Rotation and special mask mode are not modelled.
import { type DeviceRecord, RecordReader, type SavableDevice } from './state.js';
import type { IrqSink, PortDevice } from './types.js';

class Pic8259 {
  irr = 0;
  isr = 0;
  imr = 0xff;
  vectorBase = 0;
  autoEoi = false;
  readIsr = false;
  /** Lines currently high (for edge detection). */
  levels = 0;
  private initStep = 0; // 0 = operating; 2,3,4 = expecting that ICW
  private needIcw4 = false;
  private single = false;

  constructor(readonly isMaster: boolean) {}

  setLine(line: number, level: boolean): void {
    const bit = 1 << line;
    if (level) {
      if (!(this.levels & bit)) this.irr |= bit;
      this.levels |= bit;
    } else {
      this.levels &= ~bit;
    }
  }

  /** Highest-priority unmasked request not blocked by an in-service one, or -1. */
  pending(): number {
    const req = this.irr & ~this.imr;
    if (!req) return -1;
    for (let line = 0; line < 8; line++) {
      const bit = 1 << line;
      // An in-service line blocks itself and everything of lower priority (higher number),
      // except the master's cascade line, which still passes a (higher) slave request.
      const cascade = this.isMaster && line === 2 && !this.single;
      if (this.isr & bit && !cascade) return -1;
      if (req & bit) return line;
      if (this.isr & bit) return -1;
    }
    return -1;
  }

  ack(line: number): void {
    const bit = 1 << line;
    this.irr &= ~bit;
    if (!this.autoEoi) this.isr |= bit;
  }

  writeCommand(value: number): void {
    if (value & 0x10) {
      // ICW1: start initialisation
      this.initStep = 2;
      this.needIcw4 = (value & 1) !== 0;
      this.single = (value & 2) !== 0;
      this.imr = 0;
      this.isr = 0;
      this.irr = 0;
      this.levels = 0;
      this.autoEoi = false;
      this.readIsr = false;
      return;
    }
    if (value & 0x08) {
      // OCW3
      if (value & 0x02) this.readIsr = (value & 0x01) !== 0;
      return;
    }
    // OCW2
    const kind = value >> 5;
    if (kind === 1 || kind === 5) {
      // non-specific EOI: clear the highest-priority in-service bit
      for (let line = 0; line < 8; line++) {
        if (this.isr & (1 << line)) {
          this.isr &= ~(1 << line);
          break;
        }
      }
    } else if (kind === 3 || kind === 7) {
      this.isr &= ~(1 << (value & 7));
    }
  }

  writeData(value: number): void {
    switch (this.initStep) {
      case 2:
        this.vectorBase = value & 0xf8;
        this.initStep = this.single ? (this.needIcw4 ? 4 : 0) : 3;
        return;
      case 3:
        this.initStep = this.needIcw4 ? 4 : 0;
        return;
      case 4:
        this.autoEoi = (value & 0x02) !== 0;
        this.initStep = 0;
        return;
      default:
        this.imr = value & 0xff;
    }
  }

  readCommand(): number {
    return this.readIsr ? this.isr : this.irr;
  }

  save(): Record<string, number | boolean> {
    return {
      irr: this.irr,
      isr: this.isr,
      imr: this.imr,
      vectorBase: this.vectorBase,
      autoEoi: this.autoEoi,
      readIsr: this.readIsr,
      levels: this.levels,
      initStep: this.initStep,
      needIcw4: this.needIcw4,
      single: this.single,
    };
  }

  /** Validate a saved chip; the returned function applies it. */
  check(r: RecordReader): () => void {
    const v = {
      irr: r.int('irr', 0, 0xff),
      isr: r.int('isr', 0, 0xff),
      imr: r.int('imr', 0, 0xff),
      vectorBase: r.int('vectorBase', 0, 0xff),
      autoEoi: r.bool('autoEoi'),
      readIsr: r.bool('readIsr'),
      levels: r.int('levels', 0, 0xff),
      initStep: r.int('initStep', 0, 4),
      needIcw4: r.bool('needIcw4'),
      single: r.bool('single'),
    };
    return () => Object.assign(this, v);
  }
}

export class DualPic implements IrqSink, PortDevice, SavableDevice {
  readonly master = new Pic8259(true);
  readonly slave = new Pic8259(false);
  /** Edge/level control registers of the PIIX3 (0x4D0/0x4D1); stored, level mode not modelled. */
  readonly elcr = [0, 0];

  constructor() {
    // Power-on vectors as after a BIOS that never reprogrammed them (08h and 70h).
    this.master.vectorBase = 0x08;
    this.slave.vectorBase = 0x70;
  }

  setIrq(irq: number, level: boolean): void {
    if (irq < 8) this.master.setLine(irq, level);
    else this.slave.setLine(irq - 8, level);
  }

  /** The slave's INT output is wired level-style to master line 2. */
  private syncCascade(): void {
    if (this.slave.pending() >= 0) this.master.irr |= 4;
    else this.master.irr &= ~4;
  }

  /** InterruptController: true while an unmasked request can be delivered. */
  hasInterrupt(): boolean {
    // Asked before every instruction while IF is set: no request at all is the common case.
    if ((this.master.irr | this.slave.irr) === 0) return false;
    this.syncCascade();
    return this.master.pending() >= 0;
  }

  /** InterruptController: INTA cycle. With nothing pending, the spurious IRQ7 vector. */
  acknowledge(): number {
    this.syncCascade();
    const line = this.master.pending();
    if (line < 0) return this.master.vectorBase | 7;
    this.master.ack(line);
    if (line !== 2) return this.master.vectorBase | line;
    const slaveLine = this.slave.pending();
    // The slave's request went away between INTR and INTA: spurious IRQ15.
    if (slaveLine < 0) return this.slave.vectorBase | 7;
    this.slave.ack(slaveLine);
    this.syncCascade();
    return this.slave.vectorBase | slaveLine;
  }

  save(): DeviceRecord {
    return { version: 1, master: this.master.save(), slave: this.slave.save(), elcr: [...this.elcr] };
  }

  load(record: DeviceRecord): void {
    const r = new RecordReader('pic', record, [1]);
    const master = this.master.check(r.sub('master'));
    const slave = this.slave.check(r.sub('slave'));
    const elcr = r.ints('elcr', 2);
    master();
    slave();
    this.elcr[0] = elcr[0];
    this.elcr[1] = elcr[1];
  }

  read(port: number): number {
    switch (port) {
      case 0x20:
        return this.master.readCommand();
      case 0x21:
        return this.master.imr;
      case 0xa0:
        return this.slave.readCommand();
      case 0xa1:
        return this.slave.imr;
      case 0x4d0:
        return this.elcr[0];
      case 0x4d1:
        return this.elcr[1];
      default:
        return 0xff;
    }
  }

  write(port: number, _size: 1 | 2 | 4, value: number): void {
    value &= 0xff;
    switch (port) {
      case 0x20:
        this.master.writeCommand(value);
        break;
      case 0x21:
        this.master.writeData(value);
        break;
      case 0xa0:
        this.slave.writeCommand(value);
        break;
      case 0xa1:
        this.slave.writeData(value);
        break;
      case 0x4d0:
        this.elcr[0] = value & 0xf8;
        break;
      case 0x4d1:
        this.elcr[1] = value & 0xde;
        break;
    }
  }
}
