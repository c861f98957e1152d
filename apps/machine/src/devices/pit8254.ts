// 8254 programmable interval timer (ports 0x40-0x43) and the port 0x61 system control bits.
// Counts are derived from the virtual clock, not stepped: a channel remembers the tick at which
// its count was loaded and computes the current count and OUT level on demand. Modes 0, 2 and 3
// are modelled; 1, 4 and 5 behave as 0 (one-shot). Channel 0 drives IRQ0; channel 2's gate and
// OUT are bits 0 and 5 of port 0x61.
import type { VirtualClock } from './clock.js';
import { type DeviceRecord, RecordReader, type SavableDevice } from './state.js';
import { type IrqSink, type PortDevice, pulseIrq } from './types.js';

/** Virtual time charged for a read of a timing port: busy-wait loops then make progress. */
const IO_READ_NS = 1000;

class Channel {
  mode = 0;
  access = 3; // 1 = low byte, 2 = high byte, 3 = low then high
  bcd = false;
  reload = 0x10000;
  loaded = false;
  loadTick = 0;
  gate: boolean;
  /** While the gate is low, counting is suspended: elapsed time frozen at this value. */
  frozenElapsed = 0;
  writeLatch = 0;
  writeHigh = false;
  readHigh = false;
  latched: number | undefined;
  status: number | undefined;
  /** Index of the last period whose end raised IRQ0 (channel 0 only). */
  lastPeriod = 0;

  constructor(gate: boolean) {
    this.gate = gate;
  }

  save(): Record<string, number | boolean | null> {
    return {
      mode: this.mode,
      access: this.access,
      bcd: this.bcd,
      reload: this.reload,
      loaded: this.loaded,
      loadTick: this.loadTick,
      gate: this.gate,
      frozenElapsed: this.frozenElapsed,
      writeLatch: this.writeLatch,
      writeHigh: this.writeHigh,
      readHigh: this.readHigh,
      latched: this.latched ?? null,
      status: this.status ?? null,
      lastPeriod: this.lastPeriod,
    };
  }

  check(r: RecordReader): () => void {
    const v = {
      mode: r.int('mode', 0, 5),
      access: r.int('access', 1, 3),
      bcd: r.bool('bcd'),
      reload: r.int('reload', 1, 0x10000),
      loaded: r.bool('loaded'),
      loadTick: r.num('loadTick'),
      gate: r.bool('gate'),
      frozenElapsed: r.num('frozenElapsed'),
      writeLatch: r.int('writeLatch', 0, 0xff),
      writeHigh: r.bool('writeHigh'),
      readHigh: r.bool('readHigh'),
      latched: r.optInt('latched', 0, 0xffff),
      status: r.optInt('status', 0, 0xff),
      lastPeriod: r.num('lastPeriod', 0),
    };
    return () => Object.assign(this, v);
  }

  elapsed(now: number): number {
    if (!this.loaded) return 0;
    return this.gate ? now - this.loadTick : this.frozenElapsed;
  }

  count(now: number): number {
    if (!this.loaded) return this.reload & 0xffff;
    const e = this.elapsed(now);
    const r = this.reload;
    switch (this.mode) {
      case 2:
        return r - (e % r);
      case 3: {
        const half = Math.max(1, r >> 1);
        return (r - 2 * (e % half)) & 0xfffe;
      }
      default:
        return (((r - e) % 0x10000) + 0x10000) % 0x10000;
    }
  }

  out(now: number): boolean {
    if (!this.loaded) return this.mode !== 0;
    const e = this.elapsed(now);
    const r = this.reload;
    switch (this.mode) {
      case 2:
        return e % r !== r - 1;
      case 3:
        return e % r < Math.ceil(r / 2);
      default:
        return e >= r;
    }
  }
}

export class Pit8254 implements PortDevice, SavableDevice {
  readonly channels = [new Channel(true), new Channel(true), new Channel(false)];
  speakerData = false;

  constructor(
    private readonly clock: VirtualClock,
    private readonly irq: IrqSink,
  ) {}

  private now(): number {
    return this.clock.pitTicks();
  }

  save(): DeviceRecord {
    return { version: 1, channels: this.channels.map((c) => c.save()), speakerData: this.speakerData };
  }

  load(record: DeviceRecord): void {
    const r = new RecordReader('pit', record, [1]);
    const apply = r.list('channels', 3).map((c, i) => this.channels[i].check(c));
    const speakerData = r.bool('speakerData');
    for (const a of apply) a();
    this.speakerData = speakerData;
  }

  /** Raise IRQ0 if channel 0 finished a period (or its one-shot) since the last call. */
  update(): void {
    const ch = this.channels[0];
    if (!ch.loaded) return;
    const e = ch.elapsed(this.now());
    const periodic = ch.mode === 2 || ch.mode === 3;
    const period = periodic ? Math.floor(e / ch.reload) : e >= ch.reload ? 1 : 0;
    if (period > ch.lastPeriod) {
      ch.lastPeriod = period;
      pulseIrq(this.irq, 0);
    }
  }

  /** PIT ticks until channel 0 next raises IRQ0, or undefined if it never will. */
  ticksUntilIrq0(): number | undefined {
    const ch = this.channels[0];
    if (!ch.loaded) return undefined;
    const e = ch.elapsed(this.now());
    if (ch.mode === 2 || ch.mode === 3) return (ch.lastPeriod + 1) * ch.reload - e;
    return ch.lastPeriod === 0 ? Math.max(0, ch.reload - e) : undefined;
  }

  /** Absolute PIT tick of the next IRQ0, for the board's idle fast-forward. */
  nextIrq0Tick(): number | undefined {
    const d = this.ticksUntilIrq0();
    return d === undefined ? undefined : this.now() + Math.max(1, d);
  }

  read(port: number): number {
    if (port === 0x61) return this.readPort61();
    if (port === 0x43) return 0xff;
    this.clock.advance(IO_READ_NS);
    const ch = this.channels[port - 0x40];
    if (ch.status !== undefined) {
      const s = ch.status;
      ch.status = undefined;
      return s;
    }
    const value = ch.latched ?? ch.count(this.now()) & 0xffff;
    let byte: number;
    if (ch.access === 1) byte = value & 0xff;
    else if (ch.access === 2) byte = value >> 8;
    else {
      byte = ch.readHigh ? value >> 8 : value & 0xff;
      ch.readHigh = !ch.readHigh;
      if (ch.readHigh) return byte; // keep the latch until both bytes are read
    }
    ch.latched = undefined;
    return byte;
  }

  write(port: number, _size: 1 | 2 | 4, value: number): void {
    value &= 0xff;
    if (port === 0x61) {
      this.writePort61(value);
      return;
    }
    if (port === 0x43) {
      this.writeControl(value);
      return;
    }
    const ch = this.channels[port - 0x40];
    if (ch.access === 1) this.loadCount(ch, value);
    else if (ch.access === 2) this.loadCount(ch, value << 8);
    else if (!ch.writeHigh) {
      ch.writeLatch = value;
      ch.writeHigh = true;
      if (ch.mode === 0) ch.loaded = false; // mode 0: writing the first byte stops the count
    } else {
      ch.writeHigh = false;
      this.loadCount(ch, ch.writeLatch | (value << 8));
    }
  }

  private loadCount(ch: Channel, count: number): void {
    ch.reload = count === 0 ? 0x10000 : count;
    if (ch.mode === 3 && ch.reload === 1) ch.reload = 2;
    ch.loaded = true;
    ch.loadTick = this.now();
    ch.frozenElapsed = 0;
    ch.lastPeriod = 0;
  }

  private writeControl(value: number): void {
    const sel = value >> 6;
    if (sel === 3) {
      // read-back: bit 5 clear = latch count, bit 4 clear = latch status
      for (let i = 0; i < 3; i++) {
        if (!(value & (2 << i))) continue;
        const ch = this.channels[i];
        const now = this.now();
        if (!(value & 0x20) && ch.latched === undefined) ch.latched = ch.count(now) & 0xffff;
        if (!(value & 0x10)) {
          ch.status =
            (ch.out(now) ? 0x80 : 0) |
            (ch.loaded ? 0 : 0x40) |
            (ch.access << 4) |
            (ch.mode << 1) |
            (ch.bcd ? 1 : 0);
        }
      }
      return;
    }
    const ch = this.channels[sel];
    const access = (value >> 4) & 3;
    if (access === 0) {
      if (ch.latched === undefined) ch.latched = ch.count(this.now()) & 0xffff;
      return;
    }
    ch.access = access;
    let mode = (value >> 1) & 7;
    if (mode > 5) mode -= 4;
    ch.mode = mode;
    ch.bcd = (value & 1) !== 0;
    ch.loaded = false;
    ch.writeHigh = false;
    ch.readHigh = false;
    ch.latched = undefined;
  }

  private readPort61(): number {
    this.clock.advance(IO_READ_NS);
    const now = this.now();
    const ch2 = this.channels[2];
    // Bit 4 toggles with DRAM refresh every ~15 µs (18 PIT ticks).
    const refresh = Math.floor(now / 18) & 1;
    return (ch2.gate ? 1 : 0) | (this.speakerData ? 2 : 0) | (refresh << 4) | (ch2.out(now) ? 0x20 : 0);
  }

  private writePort61(value: number): void {
    const ch2 = this.channels[2];
    const gate = (value & 1) !== 0;
    if (gate !== ch2.gate) {
      const now = this.now();
      if (!gate) ch2.frozenElapsed = ch2.elapsed(now);
      else if (ch2.mode === 2 || ch2.mode === 3 || ch2.mode === 1 || ch2.mode === 5) {
        // a rising gate restarts the periodic and triggered modes
        ch2.loadTick = now;
      } else ch2.loadTick = now - ch2.frozenElapsed;
      ch2.gate = gate;
    }
    this.speakerData = (value & 2) !== 0;
  }
}
