// System control port A (0x92, "fast A20"): bit 1 gates A20, writing bit 0 = 1 resets the CPU.
import { type DeviceRecord, RecordReader, type SavableDevice } from './state.js';
import type { PortDevice } from './types.js';

export class FastA20Port implements PortDevice, SavableDevice {
  value = 0x00;

  constructor(
    private readonly onA20: (enabled: boolean) => void,
    private readonly onReset: () => void,
  ) {}

  get a20(): boolean {
    return (this.value & 2) !== 0;
  }

  save(): DeviceRecord {
    return { version: 1, value: this.value };
  }

  /** Restores the latch only: the A20 line itself is the CPU's state. */
  load(record: DeviceRecord): void {
    const v = new RecordReader('port92', record, [1]).int('value', 0, 0xff);
    this.value = v & 0x02;
  }

  read(): number {
    return this.value;
  }

  write(_port: number, _size: 1 | 2 | 4, value: number): void {
    const before = this.a20;
    this.value = value & 0x02;
    if (this.a20 !== before) this.onA20(this.a20);
    if (value & 1) this.onReset();
  }
}
