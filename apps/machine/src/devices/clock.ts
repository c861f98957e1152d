// The board's virtual time. It advances with executed instructions (and jumps ahead while the
// CPU idles in HLT), never with host time, so two runs of the same guest are identical.

import { type DeviceRecord, RecordReader, type SavableDevice } from './state.js';

export const PIT_HZ = 1_193_182;

export class VirtualClock implements SavableDevice {
  /** Nanoseconds since power-on. A double is exact for ~104 days of guest time. */
  nanos = 0;

  save(): DeviceRecord {
    return { version: 1, nanos: this.nanos };
  }

  load(record: DeviceRecord): void {
    this.nanos = new RecordReader('clock', record, [1]).num('nanos', 0);
  }

  advance(ns: number): void {
    this.nanos += ns;
  }

  /** Input clock ticks of the 8254 since power-on. */
  pitTicks(): number {
    return Math.floor((this.nanos * PIT_HZ) / 1e9);
  }

  /** Nanoseconds until the PIT input clock reaches `ticks`. */
  nanosUntilPitTick(ticks: number): number {
    return Math.max(0, Math.ceil((ticks * 1e9) / PIT_HZ) - this.nanos);
  }
}
