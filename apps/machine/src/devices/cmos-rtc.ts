// MC146818 CMOS RAM and real-time clock (index port 0x70, data port 0x71). The time is a
// start date plus the virtual clock, so runs are deterministic. The BIOS configuration bytes
// (memory sizes, floppy types, equipment) are filled in from the board's configuration.
// Interrupts on IRQ8: periodic (register B bit 6, rate from register A) and update-ended
// (bit 4, once a second); register C reports them and reading it lowers the line.
import type { VirtualClock } from './clock.js';
import { base64, type DeviceRecord, RecordReader, type SavableDevice } from './state.js';
import type { IrqSink, PortDevice } from './types.js';

const IRQ = 8;
const PIE = 0x40;
const UIE = 0x10;

export interface CmosConfig {
  /** Total RAM in bytes. */
  ramBytes: number;
  /** CMOS floppy type codes for drives A and B (0 none, 3 = 720K, 4 = 1.44M, …). */
  floppyTypes?: [number, number];
  /** Number of hard disks present (sets the 0x12 and 0x19 type bytes). */
  hardDisks?: number;
  /** Wall-clock time at power-on (default 2000-01-01 00:00:00 UTC). */
  startTime?: Date;
  /** First boot device for SeaBIOS (0x3D): 1 floppy, 2 hard disk, 3 CD. */
  bootDevice?: number;
  /**
   * Show register A's update-in-progress bit (UIP) for the last UIP_NS of every second, as the
   * chip does. Off by default (the PC firmware never needs it); Linux on Malta times the CPU with it.
   */
  updateInProgress?: boolean;
}

/** UIP is set this long before each update (244 µs) and stays set through the update (1984 µs). */
export const UIP_NS = 2_228_000;

const KIB = 1024;
const TIME_REGISTERS = new Set([0x00, 0x02, 0x04, 0x07, 0x08, 0x09]);
const MIB = 1024 * 1024;

export class CmosRtc implements PortDevice, SavableDevice {
  readonly ram = new Uint8Array(128);
  index = 0;
  nmiDisabled = false;
  private startMs: number;
  /** Offset (ms) the guest added by setting the clock. */
  private offsetMs = 0;
  /** Index of the last periodic-interrupt period and of the last second already flagged. */
  private lastPeriod = 0;
  private lastSecond = 0;
  private readonly showUip: boolean;

  constructor(
    private readonly clock: VirtualClock,
    config: CmosConfig,
    private readonly irq?: IrqSink,
  ) {
    this.startMs = (config.startTime ?? new Date(Date.UTC(2000, 0, 1))).getTime();
    this.showUip = config.updateInProgress === true;
    const r = this.ram;
    r[0x0a] = 0x26; // 32.768 kHz base, 1024 Hz periodic rate
    r[0x0b] = 0x02; // 24-hour, BCD
    r[0x0d] = 0x80; // battery good
    const [fa, fb] = config.floppyTypes ?? [4, 0];
    r[0x10] = (fa << 4) | fb;
    const disks = config.hardDisks ?? 0;
    r[0x12] = (disks > 0 ? 0xf0 : 0) | (disks > 1 ? 0x0f : 0);
    r[0x19] = disks > 0 ? 47 : 0;
    r[0x1a] = disks > 1 ? 47 : 0;
    const floppies = (fa ? 1 : 0) + (fb ? 1 : 0);
    // equipment: bit 0 floppy present, bits 6-7 floppies-1, bits 4-5 = 10 (80x25 colour);
    // bit 1 (maths coprocessor) stays clear: the emulated CPU has no x87
    r[0x14] = (floppies ? 1 | ((floppies - 1) << 6) : 0) | 0x20;
    r[0x15] = 640 & 0xff;
    r[0x16] = 640 >> 8;
    const extKib = Math.min(Math.max(0, config.ramBytes - MIB) / KIB, 0xffff);
    r[0x17] = r[0x30] = extKib & 0xff;
    r[0x18] = r[0x31] = extKib >> 8;
    // memory above 16 MiB in 64 KiB blocks (up to 4 GiB)
    const over16 = Math.min(Math.max(0, config.ramBytes - 16 * MIB) / (64 * KIB), 0xffff);
    r[0x34] = over16 & 0xff;
    r[0x35] = over16 >> 8;
    r[0x32] = 0x20; // century (BCD), also mirrored at 0x37 by some BIOSes
    r[0x37] = 0x20;
    r[0x3d] = config.bootDevice ?? (fa ? 1 : 2);
    r[0x38] = 0; // SeaBIOS: no floppy signature check, further boot devices none
    this.updateChecksum();
    this.resync();
  }

  save(): DeviceRecord {
    return {
      version: 1,
      ram: base64(this.ram),
      index: this.index,
      nmiDisabled: this.nmiDisabled,
      startMs: this.startMs,
      offsetMs: this.offsetMs,
      lastPeriod: this.lastPeriod,
      lastSecond: this.lastSecond,
    };
  }

  load(record: DeviceRecord): void {
    const r = new RecordReader('cmos', record, [1]);
    const ram = r.bytes('ram', 128);
    const v = {
      index: r.int('index', 0, 0x7f),
      nmiDisabled: r.bool('nmiDisabled'),
      startMs: r.num('startMs'),
      offsetMs: r.num('offsetMs'),
      lastPeriod: r.num('lastPeriod'),
      lastSecond: r.num('lastSecond'),
    };
    this.ram.set(ram);
    Object.assign(this, v);
  }

  /** Periodic-interrupt period in ns from register A's rate bits (0 = off). */
  private periodNs(): number {
    const rate = this.ram[0x0a] & 0x0f;
    if (rate === 0) return 0;
    const hz = 32768 >> ((rate <= 2 ? rate + 7 : rate) - 1); // rates 1 and 2 alias 8 and 9
    return 1e9 / hz;
  }

  /** Flag the periodic and update-ended events that happened since the last call. */
  update(): void {
    const b = this.ram[0x0b];
    let flags = 0;
    const period = this.periodNs();
    if (period > 0) {
      const index = Math.floor(this.clock.nanos / period);
      if (index > this.lastPeriod) {
        this.lastPeriod = index;
        flags |= 0x40;
      }
    }
    const second = Math.floor(this.nowMs() / 1000);
    if (second > this.lastSecond) {
      this.lastSecond = second;
      flags |= 0x10;
    }
    if (!flags) return;
    this.ram[0x0c] |= flags;
    if (flags & b & (PIE | UIE)) {
      this.ram[0x0c] |= 0x80;
      this.irq?.setIrq(IRQ, true);
    }
  }

  /** Virtual time (ns) of the next enabled interrupt, or undefined. */
  nextInterruptNs(): number | undefined {
    const b = this.ram[0x0b];
    const times: number[] = [];
    const period = this.periodNs();
    if (b & PIE && period > 0) times.push((this.lastPeriod + 1) * period);
    if (b & UIE) times.push(this.clock.nanos + (1000 - (this.nowMs() % 1000)) * 1e6);
    return times.length ? Math.min(...times) : undefined;
  }

  /** Checksum of bytes 0x10-0x2D, stored big-endian at 0x2E/0x2F. */
  updateChecksum(): void {
    let sum = 0;
    for (let i = 0x10; i <= 0x2d; i++) sum += this.ram[i];
    this.ram[0x2e] = (sum >> 8) & 0xff;
    this.ram[0x2f] = sum & 0xff;
  }

  private resync(): void {
    const period = this.periodNs();
    if (period > 0) this.lastPeriod = Math.floor(this.clock.nanos / period);
    this.lastSecond = Math.floor(this.nowMs() / 1000);
  }

  /** Nanoseconds into the current second of the RTC's time. */
  private nanosIntoSecond(): number {
    const ms = this.startMs + this.offsetMs;
    return ((((ms % 1000) * 1e6 + this.clock.nanos) % 1e9) + 1e9) % 1e9;
  }

  /** UIP: within the last UIP_NS before a second boundary (only with `updateInProgress`). */
  private updating(): boolean {
    return this.showUip && this.nanosIntoSecond() >= 1e9 - UIP_NS;
  }

  /** Virtual time (ns) of the next change of UIP, or undefined when UIP is not shown. */
  nextUipChangeNs(): number | undefined {
    if (!this.showUip) return undefined;
    const into = this.nanosIntoSecond();
    const edge = into >= 1e9 - UIP_NS ? 1e9 : 1e9 - UIP_NS;
    return this.clock.nanos + (edge - into);
  }

  private nowMs(): number {
    return this.startMs + this.offsetMs + Math.floor(this.clock.nanos / 1e6);
  }

  private encode(v: number): number {
    return this.ram[0x0b] & 0x04 ? v : ((v / 10) | 0) * 16 + (v % 10);
  }

  private decode(v: number): number {
    return this.ram[0x0b] & 0x04 ? v : (v >> 4) * 10 + (v & 0x0f);
  }

  private timeField(index: number): number | undefined {
    const d = new Date(this.nowMs());
    switch (index) {
      case 0x00:
        return this.encode(d.getUTCSeconds());
      case 0x02:
        return this.encode(d.getUTCMinutes());
      case 0x04: {
        const h = d.getUTCHours();
        if (this.ram[0x0b] & 0x02) return this.encode(h);
        const h12 = h % 12 === 0 ? 12 : h % 12;
        return this.encode(h12) | (h >= 12 ? 0x80 : 0);
      }
      case 0x06:
        return d.getUTCDay() + 1;
      case 0x07:
        return this.encode(d.getUTCDate());
      case 0x08:
        return this.encode(d.getUTCMonth() + 1);
      case 0x09:
        return this.encode(d.getUTCFullYear() % 100);
      case 0x32:
      case 0x37:
        return this.encode(Math.floor(d.getUTCFullYear() / 100));
      default:
        return undefined;
    }
  }

  /** A guest write to a time register moves the clock by the difference. */
  private setTimeField(index: number, value: number): void {
    const d = new Date(this.nowMs());
    const v = this.decode(value & 0x7f);
    switch (index) {
      case 0x00:
        d.setUTCSeconds(v);
        break;
      case 0x02:
        d.setUTCMinutes(v);
        break;
      case 0x04:
        d.setUTCHours(v);
        break;
      case 0x07:
        d.setUTCDate(v);
        break;
      case 0x08:
        d.setUTCMonth(v - 1);
        break;
      case 0x09:
        d.setUTCFullYear(Math.floor(d.getUTCFullYear() / 100) * 100 + v);
        break;
      default:
        return;
    }
    this.offsetMs += d.getTime() - this.nowMs();
  }

  read(port: number): number {
    if (port === 0x70) return 0xff;
    const i = this.index;
    const t = this.timeField(i);
    if (t !== undefined) return t;
    if (i === 0x0a) return (this.ram[0x0a] & 0x7f) | (this.updating() ? 0x80 : 0);
    if (i === 0x0c) {
      this.update();
      const v = this.ram[0x0c];
      this.ram[0x0c] = 0;
      this.irq?.setIrq(IRQ, false);
      return v;
    }
    return this.ram[i];
  }

  write(port: number, _size: 1 | 2 | 4, value: number): void {
    value &= 0xff;
    if (port === 0x70) {
      this.index = value & 0x7f;
      this.nmiDisabled = (value & 0x80) !== 0;
      return;
    }
    const i = this.index;
    if (TIME_REGISTERS.has(i)) this.setTimeField(i, value);
    else if (i === 0x0c || i === 0x0d) return;
    else {
      this.ram[i] = value;
      // periods and seconds that passed before an interrupt was enabled do not count
      if (i === 0x0a || i === 0x0b) this.resync();
    }
  }
}
