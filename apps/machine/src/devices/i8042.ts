// 8042 keyboard controller (data 0x60, status/command 0x64) with a PS/2 keyboard and a
// PS/2 mouse on the aux port (ps2-mouse.ts). One output buffer byte at a time: when the guest reads it, the next
// queued byte is loaded and IRQ1 (or IRQ12 for the mouse) gets a rising edge. The output
// port carries the A20 gate (bit 1) and the reset line (bit 0).
import { Ps2Mouse } from './ps2-mouse.js';
import { scancodesFor } from './scancodes.js';
import { type DeviceRecord, RecordReader, type SavableDevice } from './state.js';
import { type IrqSink, type PortDevice, pulseIrq } from './types.js';

/** ctrl: controller replies; reply: keyboard command replies (sent even when scanning is off). */
type Source = 'ctrl' | 'kbd' | 'reply' | 'aux';

export interface I8042Events {
  onA20?(enabled: boolean): void;
  onReset?(): void;
}

export class I8042 implements PortDevice, SavableDevice {
  commandByte = 0x45; // keyboard interrupt, system flag, translation
  outputPort = 0x03; // A20 on, not in reset
  private readonly queue: { byte: number; source: Source }[] = [];
  private out: { byte: number; source: Source } | undefined;
  private pendingCommand = 0; // controller command awaiting its data byte
  private pendingKbdCommand = 0; // keyboard command awaiting its argument
  private lastWasCommand = false;
  kbdEnabled = true; // keyboard's own scanning state (F4/F5)
  readonly mouse = new Ps2Mouse((byte) => this.enqueue(byte, 'aux'));

  constructor(
    private readonly irq: IrqSink,
    private readonly events: I8042Events = {},
  ) {}

  get a20(): boolean {
    return (this.outputPort & 2) !== 0;
  }

  save(): DeviceRecord {
    return {
      version: 2,
      mouse: this.mouse.save(),
      commandByte: this.commandByte,
      outputPort: this.outputPort,
      queue: this.queue.map((e) => ({ byte: e.byte, source: e.source })),
      out: this.out ? { byte: this.out.byte, source: this.out.source } : null,
      pendingCommand: this.pendingCommand,
      pendingKbdCommand: this.pendingKbdCommand,
      lastWasCommand: this.lastWasCommand,
      kbdEnabled: this.kbdEnabled,
    };
  }

  /** Restores the registers and buffered bytes; no interrupt is raised again (the PIC's state has it). */
  load(record: DeviceRecord): void {
    const r = new RecordReader('i8042', record, [1, 2]);
    const sources = ['ctrl', 'kbd', 'reply', 'aux'] as const;
    const entry = (e: RecordReader) => ({
      byte: e.int('byte', 0, 0xff),
      source: e.str('source', sources) as Source,
    });
    const queue = r.list('queue').map(entry);
    const out = (record as { out?: unknown }).out === null ? undefined : entry(r.sub('out'));
    const v = {
      commandByte: r.int('commandByte', 0, 0xff),
      outputPort: r.int('outputPort', 0, 0xff),
      pendingCommand: r.int('pendingCommand', 0, 0xff),
      pendingKbdCommand: r.int('pendingKbdCommand', 0, 0xff),
      lastWasCommand: r.bool('lastWasCommand'),
      kbdEnabled: r.bool('kbdEnabled'),
    };
    // version 1 had no mouse state: a mouse as after reset
    const mouse = new Ps2Mouse(() => {});
    if (r.version >= 2) mouse.load(r.sub('mouse'));
    this.mouse.load(new RecordReader('i8042.mouse', mouse.save(), [0]));
    this.queue.length = 0;
    this.queue.push(...queue);
    this.out = out;
    Object.assign(this, v);
  }

  /** Scancodes waiting to be read (keyboard and controller bytes). */
  get pendingBytes(): number {
    return this.queue.length + (this.out ? 1 : 0);
  }

  /** Queue key presses that type `text` (set-1 scancodes). */
  typeText(text: string): void {
    for (const code of scancodesFor(text)) this.enqueue(code, 'kbd');
  }

  /** Queue raw scancodes. */
  pressScancodes(codes: Iterable<number>): void {
    for (const code of codes) this.enqueue(code & 0xff, 'kbd');
  }

  private enqueue(byte: number, source: Source): void {
    this.queue.push({ byte, source });
    this.refill();
  }

  private portDisabled(source: Source): boolean {
    if (source === 'kbd') return (this.commandByte & 0x10) !== 0 || !this.kbdEnabled;
    if (source === 'aux') return (this.commandByte & 0x20) !== 0;
    return false;
  }

  /** Load the next deliverable byte into the empty output buffer. */
  private refill(): void {
    if (this.out) return;
    const i = this.queue.findIndex((e) => !this.portDisabled(e.source));
    if (i < 0) return;
    this.out = this.queue.splice(i, 1)[0];
    if ((this.out.source === 'kbd' || this.out.source === 'reply') && this.commandByte & 1)
      pulseIrq(this.irq, 1);
    if (this.out.source === 'aux' && this.commandByte & 2) pulseIrq(this.irq, 12);
  }

  read(port: number): number {
    if (port === 0x64) {
      return (
        (this.out ? 1 : 0) |
        (this.commandByte & 0x04) |
        (this.lastWasCommand ? 0x08 : 0) |
        0x10 |
        (this.out?.source === 'aux' ? 0x20 : 0)
      );
    }
    const byte = this.out?.byte ?? 0;
    if (this.out) {
      this.out = undefined;
      this.refill();
    }
    return byte;
  }

  write(port: number, _size: 1 | 2 | 4, value: number): void {
    value &= 0xff;
    if (port === 0x64) {
      this.lastWasCommand = true;
      this.controllerCommand(value);
    } else {
      this.lastWasCommand = false;
      this.dataByte(value);
    }
  }

  private setOutputPort(value: number): void {
    const a20Before = this.a20;
    this.outputPort = value;
    if (this.a20 !== a20Before) this.events.onA20?.(this.a20);
    if (!(value & 1)) {
      this.outputPort |= 1;
      this.events.onReset?.();
    }
  }

  private controllerCommand(cmd: number): void {
    switch (cmd) {
      case 0x20:
        this.enqueue(this.commandByte, 'ctrl');
        return;
      case 0x60:
      case 0xd1:
      case 0xd2:
      case 0xd3:
      case 0xd4:
        this.pendingCommand = cmd;
        return;
      case 0xa7:
        this.commandByte |= 0x20;
        return;
      case 0xa8:
        this.commandByte &= ~0x20;
        this.refill();
        return;
      case 0xa9:
      case 0xab:
        this.enqueue(0x00, 'ctrl'); // interface test passed
        return;
      case 0xaa:
        this.commandByte |= 0x04;
        this.enqueue(0x55, 'ctrl');
        return;
      case 0xad:
        this.commandByte |= 0x10;
        return;
      case 0xae:
        this.commandByte &= ~0x10;
        this.refill();
        return;
      case 0xc0:
        this.enqueue(0x00, 'ctrl'); // input port
        return;
      case 0xd0:
        this.enqueue(this.outputPort, 'ctrl');
        return;
      case 0xdd:
        this.setOutputPort(this.outputPort & ~2);
        return;
      case 0xdf:
        this.setOutputPort(this.outputPort | 2);
        return;
      default:
        // 0xF0-0xFF pulse output port lines low for 6 µs; bit 0 of the mask is the reset line
        if (cmd >= 0xf0 && !(cmd & 1)) this.events.onReset?.();
    }
  }

  private dataByte(value: number): void {
    const cmd = this.pendingCommand;
    this.pendingCommand = 0;
    switch (cmd) {
      case 0x60:
        this.commandByte = value;
        this.refill();
        return;
      case 0xd1:
        this.setOutputPort(value);
        return;
      case 0xd2:
        this.enqueue(value, 'kbd');
        return;
      case 0xd3:
        this.enqueue(value, 'aux');
        return;
      case 0xd4:
        this.auxCommand(value);
        return;
    }
    this.keyboardCommand(value);
  }

  private keyboardCommand(value: number): void {
    // the keyboard answers commands even while scanning is disabled
    const reply = (...bytes: number[]) => {
      for (const b of bytes) this.queue.push({ byte: b, source: 'reply' });
      this.refill();
    };
    const arg = this.pendingKbdCommand;
    if (arg) {
      this.pendingKbdCommand = 0;
      if (arg === 0xf0 && value === 0)
        reply(0xfa, 0x41); // report scancode set (2, translated)
      else reply(0xfa);
      return;
    }
    switch (value) {
      case 0xed: // LEDs
      case 0xf3: // typematic rate
      case 0xf0: // scancode set
        this.pendingKbdCommand = value;
        reply(0xfa);
        return;
      case 0xee:
        reply(0xee);
        return;
      case 0xf2:
        reply(0xfa, 0xab, 0x41);
        return;
      case 0xf4:
        this.kbdEnabled = true;
        reply(0xfa);
        return;
      case 0xf5:
        this.kbdEnabled = false;
        reply(0xfa);
        return;
      case 0xf6:
        reply(0xfa);
        return;
      case 0xff:
        this.kbdEnabled = true;
        reply(0xfa, 0xaa);
        return;
      default:
        reply(0xfe); // resend: unknown command
    }
  }

  private auxCommand(value: number): void {
    this.mouse.command(value);
  }
}
