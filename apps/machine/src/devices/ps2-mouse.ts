// A PS/2 mouse on the 8042's aux port: the command set a driver uses (reset, identify, sample rate,
// resolution, scaling, stream/remote mode, status), streaming 3-byte movement packets, and the
// IntelliMouse wheel (4-byte packets after the sample-rate knock 200, 100, 80, ID 3).

import type { DeviceRecord, RecordReader } from './state.js';
import type { MouseInput } from './vga/frame.js';

const ACK = 0xfa;
const RESEND = 0xfe;

export class Ps2Mouse {
  streaming = false;
  remote = false;
  wrap = false;
  sampleRate = 100;
  resolution = 2;
  scaling2to1 = false;
  /** 0 = standard PS/2 mouse, 3 = IntelliMouse (wheel). */
  id = 0;
  buttons = 0;
  /** A command (F3h, E8h) waiting for its argument byte. */
  private pending = 0;
  /** The last three sample rates set, for the IntelliMouse knock. */
  private rates: number[] = [];

  /** `send` queues one byte from the mouse to the controller (aux output, IRQ12). */
  constructor(private readonly send: (byte: number) => void) {}

  /** A byte the host sent to the mouse (8042 command D4h). */
  command(value: number): void {
    if (this.wrap && value !== 0xff && value !== 0xec) {
      this.send(value); // wrap mode echoes everything but reset and "reset wrap mode"
      return;
    }
    if (this.pending) {
      const cmd = this.pending;
      this.pending = 0;
      if (cmd === 0xf3) this.setRate(value);
      else if (cmd === 0xe8) this.resolution = value & 3;
      this.send(ACK);
      return;
    }
    switch (value) {
      case 0xff: // reset: self-test passed, ID 0, defaults
        this.defaults();
        this.id = 0;
        this.wrap = false;
        this.send(ACK);
        this.send(0xaa);
        this.send(0x00);
        return;
      case 0xf6:
        this.defaults();
        this.send(ACK);
        return;
      case 0xf5:
        this.streaming = false;
        this.send(ACK);
        return;
      case 0xf4:
        this.streaming = true;
        this.send(ACK);
        return;
      case 0xf3:
      case 0xe8:
        this.pending = value;
        this.send(ACK);
        return;
      case 0xf2:
        this.send(ACK);
        this.send(this.id);
        return;
      case 0xf0:
        this.remote = true;
        this.send(ACK);
        return;
      case 0xea:
        this.remote = false;
        this.send(ACK);
        return;
      case 0xee:
        this.wrap = true;
        this.send(ACK);
        return;
      case 0xec:
        this.wrap = false;
        this.send(ACK);
        return;
      case 0xeb: // read data (remote mode): one packet of no movement
        this.send(ACK);
        this.packet(0, 0, 0);
        return;
      case 0xe9: {
        const status =
          (this.remote ? 0x40 : 0) |
          (this.streaming ? 0x20 : 0) |
          (this.scaling2to1 ? 0x10 : 0) |
          (this.buttons & 1 ? 0x04 : 0) |
          (this.buttons & 4 ? 0x02 : 0) |
          (this.buttons & 2 ? 0x01 : 0);
        this.send(ACK);
        this.send(status);
        this.send(this.resolution);
        this.send(this.sampleRate);
        return;
      }
      case 0xe7:
      case 0xe6:
        this.scaling2to1 = value === 0xe7;
        this.send(ACK);
        return;
      default:
        this.send(RESEND);
    }
  }

  private defaults(): void {
    this.streaming = false;
    this.remote = false;
    this.sampleRate = 100;
    this.resolution = 2;
    this.scaling2to1 = false;
    this.rates = [];
  }

  private setRate(rate: number): void {
    this.sampleRate = rate;
    this.rates = [...this.rates, rate].slice(-3);
    if (this.rates.join() === '200,100,80') this.id = 3;
  }

  /** Host input: queue a movement packet if the guest enabled streaming. */
  move(input: MouseInput): void {
    this.buttons = input.buttons & 7;
    if (!this.streaming || this.remote || this.wrap) return;
    this.packet(input.dx, input.dy, input.wheel ?? 0);
  }

  /** Screen coordinates (y down) to a PS/2 packet (y up), clamped to 9-bit two's complement with overflow bits. */
  private packet(dx: number, dy: number, wheel: number): void {
    const clamp = (v: number) => Math.max(-256, Math.min(255, Math.trunc(v)));
    const x = clamp(dx);
    const y = clamp(-dy);
    const overflowX = Math.abs(Math.trunc(dx)) > 255 ? 0x40 : 0;
    const overflowY = Math.abs(Math.trunc(dy)) > 255 ? 0x80 : 0;
    this.send(0x08 | this.buttons | (x < 0 ? 0x10 : 0) | (y < 0 ? 0x20 : 0) | overflowX | overflowY);
    this.send(x & 0xff);
    this.send(y & 0xff);
    if (this.id === 3) this.send(Math.max(-8, Math.min(7, Math.trunc(wheel))) & 0xff);
  }

  save(): DeviceRecord {
    return {
      version: 0,
      streaming: this.streaming,
      remote: this.remote,
      wrap: this.wrap,
      sampleRate: this.sampleRate,
      resolution: this.resolution,
      scaling2to1: this.scaling2to1,
      id: this.id,
      buttons: this.buttons,
      pending: this.pending,
      rates: this.rates,
    };
  }

  load(r: RecordReader): void {
    const v = {
      streaming: r.bool('streaming'),
      remote: r.bool('remote'),
      wrap: r.bool('wrap'),
      sampleRate: r.int('sampleRate', 0, 0xff),
      resolution: r.int('resolution', 0, 3),
      scaling2to1: r.bool('scaling2to1'),
      id: r.int('id', 0, 0xff),
      buttons: r.int('buttons', 0, 7),
      pending: r.int('pending', 0, 0xff),
      rates: r.ints('rates', undefined, 0, 0xff),
    };
    Object.assign(this, v);
  }
}
